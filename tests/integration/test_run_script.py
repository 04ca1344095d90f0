"""`make run` (scripts/run.sh) as a second instance on one machine would run it: on ports of its
own, HRA_PORT and HRA_ACTIONS_PORT. Its Rasa server calls the action server on HRA_ACTIONS_PORT
(endpoints.yml reads the same setting), not 5055's; and what it keeps under var/ is readable
by its user only.

The script runs in a copy of the project's top level (links to .venv, models, actions), so its
var/ is the test's own."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.harness import ROOT, free_port, wait_until_up


def rest(base: str, sender: str, message: str) -> str:
    request = urllib.request.Request(
        f"{base}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return "\n".join(reply.get("text") or "" for reply in json.loads(answer.read()))


def processes_of(session: int) -> dict[int, list[str]]:
    """The command lines of the processes in a session (the script and what it started)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) == session:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().decode().split("\0")
        except (OSError, ProcessLookupError):
            continue
    return found


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    home = tmp_path_factory.mktemp("instance")
    (home / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "run.sh", home / "scripts" / "run.sh")
    for name in (".venv", "models", "actions", "bot", "node_modules"):
        (home / name).symlink_to(ROOT / name)
    for name in ("endpoints.yml", "credentials.yml"):
        shutil.copy2(ROOT / name, home / name)
    (home / "var").mkdir(mode=0o755)  # made before, open to all: the script closes it
    (home / "var").chmod(0o755)
    port, actions_port = free_port(), free_port()
    assert actions_port != 5055
    env = {
        **os.environ,
        "HRA_PORT": str(port),
        "HRA_ACTIONS_PORT": str(actions_port),
        "HRA_HANDOFF_DB": f"sqlite:///{home / 'var' / 'handoff.db'}",
        "HRA_KEY_FILE": str(home / "var" / "secret.key"),
        "HRA_WEB_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}",
    }
    script = subprocess.Popen(
        ["bash", str(home / "scripts" / "run.sh")],
        cwd=home, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/webhooks/rest/", script, 300, "scripts/run.sh")
        yield base, actions_port, script.pid, home
    finally:
        os.killpg(script.pid, signal.SIGTERM)  # the script's own session: it and its servers
        script.wait(timeout=60)


def test_rasa_calls_the_action_server_on_hra_actions_port(instance):
    base, actions_port, session, _ = instance
    assert "Where are you?" in rest(base, "port-1", "who can i ring for drugs advice")
    region = '/referral_set_region{"region":"scotland"}'
    assert "Free, confidential contacts for Scotland" in rest(base, "port-1", region)
    [actions] = [
        pid
        for pid, command in processes_of(session).items()
        if "actions" in command and str(actions_port) in command
    ]
    os.kill(actions, signal.SIGTERM)  # the action server on HRA_ACTIONS_PORT, and only it
    for _ in range(100):  # until nothing listens on the port any more
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", actions_port)) != 0:
                break
        time.sleep(0.1)
    # Had Rasa been calling another port (5055, another instance's), this would still work.
    assert rest(base, "port-1", region).startswith("Sorry, something went wrong on my side")


def test_what_it_keeps_under_var_is_readable_by_its_user_only(instance):
    *_, home = instance
    var = home / "var"
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    kept = sorted(path.name for path in var.iterdir())
    assert {"tracker.db", "actions.log"} <= set(kept), kept
    for path in var.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, (path.name, oct(path.stat().st_mode))
