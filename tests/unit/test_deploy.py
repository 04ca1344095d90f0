"""deploy/: the production endpoints name stores that exist and read their settings from the
environment; the systemd units and nginx keep the action server and Rasa's API private."""

import re
from pathlib import Path

from rasa.core.utils import AvailableEndpoints
from rasa.shared.utils.common import class_from_module_path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = {name: (DEPLOY / name).read_text() for name in ("rasa@.service", "hra-actions.service")}
RUN_SH = (ROOT / "scripts" / "run.sh").read_text()


def test_production_endpoints_name_our_stores_with_settings_from_the_environment(monkeypatch):
    for name, value in {
        "HRA_PG_HOST": "db.internal",
        "HRA_PG_PORT": "5433",
        "HRA_PG_DB": "rasa",
        "HRA_PG_USER": "rasa",
        "HRA_PG_PASSWORD": "secret",
        "HRA_REDIS_HOST": "cache.internal",
        "HRA_REDIS_PORT": "6380",
        "HRA_ACTIONS_PORT": "5055",
        "HRA_REDIS_USER": "hra",
        "HRA_REDIS_PASSWORD": "a password",
    }.items():
        monkeypatch.setenv(name, value)
    endpoints = AvailableEndpoints.read_endpoints(str(DEPLOY / "endpoints.production.yml"))
    tracker, lock = endpoints.tracker_store, endpoints.lock_store
    assert class_from_module_path(tracker.type).__name__ == "ResilientSQLTrackerStore"
    assert class_from_module_path(lock.type).__name__ == "AtomicRedisLockStore"
    assert (tracker.url, str(tracker.kwargs["port"]), tracker.kwargs["dialect"]) == (
        "db.internal",
        "5433",
        "postgresql",
    )
    assert (lock.url, str(lock.kwargs["port"])) == ("cache.internal", "6380")
    assert (lock.kwargs["username"], lock.kwargs["password"]) == ("hra", "a password")
    assert endpoints.action.url.startswith("http://127.0.0.1:")


def test_the_action_url_rasa_calls_follows_hra_actions_port(monkeypatch):
    monkeypatch.setenv("HRA_ACTIONS_PORT", "6123")
    for name, value in {"HRA_PG_PORT": "5432", "HRA_REDIS_PORT": "6379"}.items():
        monkeypatch.setenv(name, value)
    for key in ("HOST", "DB", "USER", "PASSWORD"):
        monkeypatch.setenv(f"HRA_PG_{key}", "x")
        monkeypatch.setenv(f"HRA_REDIS_{key}", "x")
    for endpoints in (ROOT / "endpoints.yml", DEPLOY / "endpoints.production.yml"):
        action = AvailableEndpoints.read_endpoints(str(endpoints)).action
        assert action.url == "http://127.0.0.1:6123/webhook", endpoints


def test_one_setting_places_the_action_server_and_tells_rasa_where_it_is():
    # scripts/run.sh: exported (endpoints.yml reads it) and the action server's --port.
    assert 'export HRA_ACTIONS_PORT="${HRA_ACTIONS_PORT:-5055}"' in RUN_SH
    assert 'ACTIONS_PORT="$HRA_ACTIONS_PORT"' in RUN_SH and '--port "$ACTIONS_PORT"' in RUN_SH
    # systemd: both units have the same default, hra.env may override it for both.
    for unit in UNITS.values():
        default = unit.index("Environment=HRA_ACTIONS_PORT=5055")
        assert default < unit.index("EnvironmentFile=/etc/harm-reduction-assistant/hra.env")
    assert "--port ${HRA_ACTIONS_PORT}" in UNITS["hra-actions.service"]
    assert "--endpoints deploy/endpoints.production.yml" in UNITS["rasa@.service"]
    assert "\nHRA_ACTIONS_PORT=5055\n" in (DEPLOY / "hra.env.example").read_text()


def test_what_the_servers_write_is_for_their_user_only():
    for name, unit in UNITS.items():
        assert "\nUMask=0077\n" in unit, name
    lines = RUN_SH.splitlines()
    assert lines.index("umask 077") < lines.index("mkdir -p var") < lines.index("chmod 0700 var")
    first_start = next(
        n for n, line in enumerate(lines) if line.startswith(("SANIC_HOST", ".venv"))
    )
    assert lines.index("chmod 0700 var") < first_start


def test_the_units_keep_servers_on_loopback_and_the_api_off():
    rasa = (DEPLOY / "rasa@.service").read_text()
    assert "--interface 127.0.0.1" in rasa and "--enable-api" not in rasa
    assert "SANIC_HOST=127.0.0.1" in (DEPLOY / "hra-actions.service").read_text()
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert "ip_hash" in nginx and "location /conversations" not in nginx


def nginx_blocks(text: str) -> list[tuple[list[str], list]]:
    """deploy/nginx.conf as (directive words, children) pairs; children is [] for `a b;`."""
    tokens = re.findall(r'"[^"]*"|\'[^\']*\'|[{};]|[^\s{};]+', re.sub(r"#[^\n]*", "", text))
    stack: list[list] = [[]]
    words: list[str] = []
    for token in tokens:
        if token == "{":
            block: list = []
            stack[-1].append((words, block))
            stack.append(block)
            words = []
        elif token == "}":
            stack.pop()
        elif token == ";":
            stack[-1].append((words, []))
            words = []
        else:
            words.append(token[1:-1] if token[0] in "\"'" else token)
    assert len(stack) == 1 and not words, "unbalanced nginx.conf"
    return stack[0]


def directives(block: list, name: str) -> list[list[str]]:
    return [words[1:] for words, children in block if words[0] == name and not children]


def children(block: list, name: str) -> dict[str, list]:
    return {" ".join(words[1:]): inner for words, inner in block if words[0] == name and inner}


NGINX = nginx_blocks((DEPLOY / "nginx.conf").read_text())
SERVERS = [inner for words, inner in NGINX if words == ["server"]]
HTTPS = next(s for s in SERVERS if any("ssl" in w for w in directives(s, "listen")))
PLAIN = next(s for s in SERVERS if s is not HTTPS)
LOCATIONS = children(HTTPS, "location")
PUBLIC = {"/webhooks/web/", "/socket.io/", "/webhooks/telegram/", "/webhooks/helpline/",
          "= /webhooks/helpline/login"}  # fmt: skip


def test_nginx_publishes_the_channels_and_nothing_else_of_rasas():
    proxied = {where for where, inner in LOCATIONS.items() if directives(inner, "proxy_pass")}
    assert proxied == PUBLIC  # not /webhooks/rest/, which lets anyone speak as anyone
    assert directives(LOCATIONS["/"], "return") == [["404"]]
    assert not any("rest" in where for where in LOCATIONS)


def test_nginx_limits_requests_per_client_address_with_a_stricter_one_for_signing_in():
    zones = {}
    for words in directives(NGINX, "limit_req_zone"):
        key, zone, rate = words
        assert key == "$binary_remote_addr"
        name = zone.removeprefix("zone=").split(":")[0]
        amount, unit = re.fullmatch(r"rate=(\d+)r/([sm])", rate).groups()
        zones[name] = int(amount) / (1 if unit == "s" else 60)
    for where in PUBLIC:
        [[zone, burst, *_]] = directives(LOCATIONS[where], "limit_req")
        assert zone.removeprefix("zone=") in zones and int(burst.removeprefix("burst=")) > 0
    login = directives(LOCATIONS["= /webhooks/helpline/login"], "limit_req")[0][0][5:]
    chat = directives(LOCATIONS["/webhooks/web/"], "limit_req")[0][0][5:]
    assert zones[login] * 60 <= 10 < zones[chat] * 60
    assert directives(NGINX, "limit_req_status") == [["429"]]


def test_nginx_sends_hsts_everywhere_and_passes_who_the_client_is():
    def headers(block):
        return {words[0] for words in directives(block, "add_header")}

    assert "Strict-Transport-Security" in headers(HTTPS)
    for where, inner in LOCATIONS.items():  # a location's own add_header drops the server's
        if headers(inner):
            assert headers(HTTPS) <= headers(inner), where
    web = LOCATIONS["/webhooks/web/"]
    assert ["Content-Security-Policy", "frame-ancestors 'none'", "always"] in directives(
        web, "add_header"
    )
    passed = {"X-Real-IP": "$remote_addr", "X-Forwarded-For": "$remote_addr",
              "X-Forwarded-Proto": "$scheme", "Host": "$host"}  # fmt: skip
    own = [inner for inner in LOCATIONS.values() if directives(inner, "proxy_set_header")]
    for block in [HTTPS, *own]:  # own proxy_set_header lines drop the server's too
        assert passed.items() <= dict(directives(block, "proxy_set_header")).items()


def test_plain_http_redirects_to_https():
    [[status, target]] = directives(children(PLAIN, "location")["/"], "return")
    assert status == "301" and target.startswith("https://") and target.endswith("$request_uri")


def test_sanic_under_rasa_run_trusts_nginx_as_hra_env_says(monkeypatch):
    from rasa.core.run import configure_app
    from sanic import Sanic
    from sanic.compat import Header
    from sanic.headers import parse_xforwarded

    lines = (DEPLOY / "hra.env.example").read_text().splitlines()
    proxy = dict(line.split("=", 1) for line in lines if line.startswith("SANIC_"))
    assert proxy == {"SANIC_PROXIES_COUNT": "1", "SANIC_REAL_IP_HEADER": "X-Real-IP"}
    for name, value in proxy.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(Sanic, "test_mode", True)  # another app of the same name is fine here
    app = configure_app(input_channels=[], enable_api=False)  # as `rasa run` builds its app
    assert (app.config.PROXIES_COUNT, app.config.REAL_IP_HEADER) == (1, "X-Real-IP")
    from_nginx = Header({"X-Real-IP": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert parse_xforwarded(from_nginx, app.config) == {"for": "203.0.113.9", "proto": "https"}


def test_var_is_made_private_wherever_it_is_made(tmp_path):
    import stat

    from bot import signing
    from bot.handoff import HandoffStore

    HandoffStore(f"sqlite:///{tmp_path / 'var' / 'handoff.db'}")
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
    signing._key_file(tmp_path / "keys" / "secret.key")
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
