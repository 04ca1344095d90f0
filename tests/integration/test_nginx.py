"""deploy/nginx.conf run by Debian's nginx (`make install-databases` installs it) in front of a
server that shows what reached it, configured with deploy/hra.env.example's SANIC_* settings as
the Rasa servers are. Only the ports, the addresses it listens on and the certificate (made for
the test) are changed: everything else is the file as deployed.

Clients connect from 127.0.0.2 to 127.0.0.5 (loopback has all of 127/8), nginx reaches the
server from 127.0.0.1, so the test can tell the client's address from the proxy's."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.harness import ROOT, free_port, wait_until_up

DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CLIENT, OTHER_CLIENT, FLOOD, BYSTANDER = "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"
PUBLISHED = [
    "/webhooks/web/",
    "/webhooks/web/widget.js",
    "/webhooks/web/config",
    "/socket.io/?EIO=4&transport=polling",
    "/webhooks/telegram/webhook",
    "/webhooks/helpline/",
    "/webhooks/helpline/queue/rows",
]
NOT_PUBLISHED = [
    "/webhooks/rest/webhook",
    "/webhooks/rest/",
    "/webhooks/",
    "/webhooks/socketio/",
    "/conversations/telegram:1/tracker/events",
    "/model/parse",
    "/status",
    "/version",
    "/",
    "/socket.io.min.js",
]


def sanic_settings() -> dict[str, str]:
    lines = (DEPLOY / "hra.env.example").read_text().splitlines()
    pairs = dict(line.split("=", 1) for line in lines if line.startswith("SANIC_"))
    assert pairs, "deploy/hra.env.example sets no SANIC_ proxy settings"
    return pairs


def for_the_test(conf: str, http_port: int, https_port: int, upstream: int, tls: Path) -> str:
    changes = [
        (r"listen \[::\]:\d+[^;]*;\n", ""),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        (r"server 127\.0\.0\.1:500\d;", f"server 127.0.0.1:{upstream};"),
        (r"ssl_certificate +\S+;", f"ssl_certificate {tls / 'cert.pem'};"),
        (r"ssl_certificate_key +\S+;", f"ssl_certificate_key {tls / 'key.pem'};"),
    ]
    for pattern, replacement in changes:
        conf, count = re.subn(pattern, replacement, conf)
        assert count, f"deploy/nginx.conf no longer has {pattern!r}"
    return conf


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    if not os.path.exists(NGINX):
        pytest.fail("nginx is missing: run `make install-databases`")
    work = tmp_path_factory.mktemp("nginx")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=chat.example.org", "-keyout", str(work / "key.pem"),
         "-out", str(work / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    upstream, http_port, https_port = free_port(), free_port(), free_port()
    site = for_the_test((DEPLOY / "nginx.conf").read_text(), http_port, https_port, upstream, work)
    (work / "site.conf").write_text(site)
    temp = "".join(
        f"    {kind}_temp_path {work / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (work / "nginx.conf").write_text(
        f"pid {work / 'nginx.pid'};\nerror_log {work / 'error.log'};\nevents {{}}\n"
        f"http {{\n{temp}    include {work / 'site.conf'};\n}}\n"
    )
    nginx = [NGINX, "-p", str(work), "-c", str(work / "nginx.conf")]
    checked = subprocess.run([*nginx, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    echo = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.echo_upstream", str(upstream)],
        cwd=ROOT, env={**os.environ, **sanic_settings()},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    server = subprocess.Popen([*nginx, "-g", "daemon off;"], stderr=subprocess.PIPE)
    try:
        wait_until_up(f"http://127.0.0.1:{upstream}/", echo, 30, "the echo server")
        wait_for_port(https_port, server)
        yield http_port, https_port
    finally:
        server.terminate()
        echo.terminate()
        server.wait(timeout=10)
        echo.wait(timeout=10)


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            stderr = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"nginx did not start: {stderr}")
        time.sleep(0.1)


class Client:
    """One https connection (kept alive) from a given loopback address."""

    def __init__(self, port: int, source: str = CLIENT) -> None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        self.connection = http.client.HTTPSConnection(
            "127.0.0.1", port, context=context, source_address=(source, 0), timeout=10
        )

    def get(self, path: str, headers: dict[str, str] | None = None):
        self.connection.request(
            "GET", path, headers={"Host": "chat.example.org", **(headers or {})}
        )
        answer = self.connection.getresponse()
        body = answer.read()
        seen = json.loads(body) if answer.getheader("Content-Type") == "application/json" else None
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, seen


def test_plain_http_only_redirects_to_https(proxy):
    http_port, _ = proxy
    connection = http.client.HTTPConnection("127.0.0.1", http_port, source_address=(CLIENT, 0))
    for path in ("/webhooks/web/", "/webhooks/rest/webhook", "/"):
        connection.request("GET", path, headers={"Host": "evil.example"})
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 301
        assert answer.getheader("Location") == f"https://chat.example.org{path}"


def test_only_the_channels_reach_rasa(proxy):
    client = Client(proxy[1])
    for path in PUBLISHED:
        status, _, seen = client.get(path)
        assert status == 200 and seen and seen["upstream"], path
    for path in NOT_PUBLISHED:
        status, _, seen = client.get(path)
        assert status == 404 and seen is None, path  # nginx's own 404: never passed on


def test_the_server_sees_the_clients_address_and_https_and_forged_headers_change_nothing(proxy):
    client = Client(proxy[1])
    forged = {"X-Real-IP": "6.6.6.6", "X-Forwarded-For": "6.6.6.6", "X-Forwarded-Proto": "http"}
    for path in ("/webhooks/web/config", "/socket.io/?EIO=4&transport=polling"):
        _, _, seen = client.get(path, forged)
        assert seen["peer"] == "127.0.0.1"  # the connection comes from nginx
        assert seen["remote_addr"] == CLIENT  # request.remote_addr: the client's own
        assert seen["scheme"] == "https"
        assert seen["headers"]["x-forwarded-for"] == CLIENT
        assert seen["headers"]["host"] == "chat.example.org"


def test_the_socket_is_upgraded_to_a_websocket(proxy):
    _, _, seen = Client(proxy[1]).get(
        "/socket.io/?EIO=4&transport=websocket", {"Upgrade": "websocket", "Connection": "Upgrade"}
    )
    assert seen["headers"]["upgrade"] == "websocket"
    assert seen["headers"]["connection"] == "upgrade"


def test_every_answer_carries_hsts_and_the_chat_page_refuses_frames(proxy):
    client = Client(proxy[1])
    for path in [*PUBLISHED, "/webhooks/rest/webhook"]:
        _, headers, _ = client.get(path)
        assert headers["strict-transport-security"].startswith("max-age=63072000"), path
        assert headers["x-content-type-options"] == "nosniff", path
    _, page, _ = client.get("/webhooks/web/")
    assert page["content-security-policy"] == "frame-ancestors 'none'"
    assert page["x-frame-options"] == "DENY"


def test_signing_in_is_rate_limited_per_address(proxy):
    attacker, bystander = Client(proxy[1]), Client(proxy[1], OTHER_CLIENT)
    statuses = [attacker.get("/webhooks/helpline/login")[0] for _ in range(30)]
    assert statuses[:11] == [200] * 11  # one, then a burst of ten
    assert statuses.count(429) >= 15  # then about one every six seconds
    status, headers, _ = attacker.get("/webhooks/helpline/login")
    assert status == 429 and "strict-transport-security" in headers
    assert bystander.get("/webhooks/helpline/login")[0] == 200  # another address: not held up
    assert attacker.get("/webhooks/web/config")[0] == 200  # and the chat has its own limit


def test_the_chat_is_rate_limited_per_address_after_a_generous_burst(proxy):
    flood, bystander = Client(proxy[1], FLOOD), Client(proxy[1], BYSTANDER)
    statuses = []
    while 429 not in statuses and len(statuses) < 2000:
        statuses.append(flood.get("/webhooks/web/config")[0])
    assert 429 in statuses
    assert statuses.index(429) >= 41  # one and a burst of forty, at least
    assert bystander.get("/webhooks/web/config")[0] == 200
