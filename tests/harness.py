"""Start the real action server and load the trained model: shared by model tests and benchmarks."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "assistant.tar.gz"


def always_open_helpline(workdir: Path) -> Path:
    """A copy of the helpline's configuration open around the clock, so tests of handing over
    depend on whether a worker is online, not on the time they run."""
    return helpline_with_hours(workdir, "  default: 24/7\n")


def helpline_with_hours(workdir: Path, hours: str) -> Path:
    """A copy of the helpline's configuration with other opening hours (YAML lines)."""
    original = (ROOT / "bot" / "content" / "helpline.yml").read_text()
    hours_start, hours_end = original.index("\nhours:\n"), original.index("\ntemplates:\n")
    path = workdir / "helpline.yml"
    path.write_text(original[:hours_start] + f"\nhours:\n{hours}" + original[hours_end:])
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float, what: str) -> None:
    """Polls `url` until it answers; fails at once if the process dies, or after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError as error:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start: {error}") from error
            time.sleep(0.3)


def without_faketime(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment minus a faketime the whole suite may run under (`faketime ... make
    test`): a faketime started inside it would compute its offset from the outer fake clock
    and share the outer one's memory, and the server would not read the moment it was given."""
    return {
        name: value
        for name, value in environ.items()
        if not name.startswith("FAKETIME") and not (name == "LD_PRELOAD" and "faketime" in value)
    }


@contextmanager
def action_server(
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
    port: int = 0,
    moment: str | None = None,
):
    """Runs `python -m rasa_sdk` on loopback (a free port unless given); yields its webhook URL.

    `moment` ("2026-12-05 03:00:00", UTC) starts its clock there, with Debian's faketime, so a
    test can say when the server thinks it is."""
    port = port or free_port()
    clock = ["faketime", moment] if moment else []
    process = subprocess.Popen(
        [*clock, sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # faketime runs the server as its child: stop them both
        env={
            **(without_faketime(os.environ) if moment else os.environ),
            "RASA_TELEMETRY_ENABLED": "false",
            "SANIC_HOST": "127.0.0.1",
            **({"TZ": "UTC"} if moment else {}),
            **(env or {}),
        },
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", process, timeout, "the action server")
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def load_agent(action_url: str):
    return load_agent_from(MODEL, action_url)


def load_agent_from(model: Path, action_url: str = "http://127.0.0.1:9/webhook"):
    """A trained model in this process (parsing needs no action server)."""
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig
    from rasa.utils.log_utils import configure_structlog
    from rasa.utils.tensorflow.environment import setup_tf_environment

    if not model.exists():
        raise FileNotFoundError(f"{model} is missing: run `make train` first")
    from bot import speedups

    configure_structlog(logging.WARNING)
    setup_tf_environment()
    speedups.install()  # as our server does at start (bot/channels/housekeeping.py)
    return Agent.load(
        str(model),
        action_endpoint=EndpointConfig(action_url),
        generator=EndpointConfig(type="bot.nlg.RegionalResponseGenerator"),  # as endpoints.yml
    )


# Every test client is 127.0.0.1: one address sending far more than a person would, so the
# per-address limits are tested only where a test sets them (tests/model/test_attacks.py).
TEST_SERVER_ENV = {
    "HRA_SECRET_KEY": "the test servers' key",  # not var/secret.key of the checkout
    "HRA_ADDRESS_MESSAGES_PER_MINUTE": "100000",
    "HRA_ADDRESS_MESSAGE_BURST": "10000",
    "HRA_ADDRESS_SESSIONS_PER_MINUTE": "100000",
}


@contextmanager
def rasa_server(
    action_url: str,
    env: dict[str, str],
    workdir: Path,
    port: int | None = None,
    log: Path | None = None,
    stores: str | None = None,
    model: Path = MODEL,
):
    """Runs `rasa run --enable-api` with the trained model on loopback; yields its base URL.

    A SQLite tracker store (and, unless `env` names another, handoff store) in `workdir`, so a
    restart (start it again with the same `workdir` and port) keeps the conversations. `log`
    keeps what the server prints (at Rasa's default level, INFO). `stores`: endpoints.yml
    lines for other tracker and lock stores."""
    port = port or free_port()
    endpoints = workdir / "endpoints.yml"
    sqlite = (
        "tracker_store:\n  type: bot.stores.sql_tracker.ResilientSQLTrackerStore\n"
        f'  dialect: sqlite\n  db: "{workdir / "tracker.db"}"\n'
    )
    nlg = "nlg:\n  type: bot.nlg.RegionalResponseGenerator\n"  # as endpoints.yml
    endpoints.write_text(f'action_endpoint:\n  url: "{action_url}"\n' + nlg + (stores or sqlite))
    rasa = Path(sys.executable).with_name("rasa")
    output = log.open("ab") if log else subprocess.DEVNULL
    process = subprocess.Popen(
        [str(rasa), "run", "--enable-api", "--model", str(model), "--port", str(port),
         "--interface", "127.0.0.1", "--credentials", "credentials.yml",
         "--endpoints", str(endpoints)],
        cwd=ROOT,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false",
             "HRA_HANDOFF_DB": f"sqlite:///{workdir / 'handoff.db'}", **TEST_SERVER_ENV, **env},
        stdout=output, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/webhooks/rest/", process, 300, "the Rasa server")  # a busy CI
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        if log:
            output.close()
