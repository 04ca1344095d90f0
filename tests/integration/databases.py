"""PostgreSQL and Redis from Debian's packages, started on loopback for one test module (Redis with
deploy/redis.conf: a password, no anonymous user).

PostgreSQL refuses to run as root, so as root its processes run as the `postgres` user the
package creates (runuser); its data directory is a fresh one under /tmp, deleted afterwards."""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tests.harness import ROOT, free_port, without_faketime

REDIS = "/usr/bin/redis-server"
DEPLOY_REDIS = ROOT / "deploy" / "redis.conf"
REDIS_PLACEHOLDER = "change-me-to-a-long-random-password"


def postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise FileNotFoundError(f"PostgreSQL's {name} is missing: run `make install-databases`")
    return found[-1]


def real_clock() -> dict[str, str]:
    """The databases are not ours to test against a moved clock: under `faketime ... make
    test` redis-cli and redis-server wait for ever."""
    return without_faketime(os.environ)


def as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass(frozen=True)
class Redis:
    port: int
    user: str
    password: str

    def url(self, db: int) -> str:
        return (
            f"redis://{quote(self.user)}:{quote(self.password, safe='')}@127.0.0.1:{self.port}/{db}"
        )


@contextmanager
def redis_server(workdir: Path):
    """Yields a Redis on loopback configured as deploy/redis.conf says (its own port and a
    random password), with persistence off."""
    port, password = free_port(), secrets.token_urlsafe(24)
    conf = DEPLOY_REDIS.read_text()
    assert REDIS_PLACEHOLDER in conf and "\nport 6379\n" in conf
    conf = conf.replace(REDIS_PLACEHOLDER, password).replace("\nport 6379\n", f"\nport {port}\n")
    (workdir / "redis.conf").write_text(conf)
    process = subprocess.Popen(
        [REDIS, str(workdir / "redis.conf"), "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=real_clock(),
    )  # fmt: skip
    ping = ["redis-cli", "-p", str(port), "--user", "hra", "--pass", password, "--no-auth-warning"]
    try:
        deadline = time.monotonic() + 20
        while (
            subprocess.run(
                [*ping, "ping"], capture_output=True, env=real_clock(), text=True, timeout=5
            ).stdout.strip()
            != "PONG"
        ):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.1)
        yield Redis(port, "hra", password)
    finally:
        process.terminate()
        process.wait(timeout=10)


class Postgres:
    """One cluster; `stop()` and `start()` restart it on the same port and data."""

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="hra-pg-"))
        self.data = self.directory / "data"
        self.process: subprocess.Popen | None = None

    def url(self, database: str) -> str:
        return f"postgresql://rasa@127.0.0.1:{self.port}/{database}"

    def init(self, databases: list[str]) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        subprocess.run(
            as_postgres([postgres_bin("initdb"), "-D", str(self.data), "-U", "rasa",
                         "--auth=trust", "-E", "UTF8"]),
            check=True, capture_output=True, env=real_clock(),
        )  # fmt: skip
        self.start()
        for database in databases:
            subprocess.run(
                [postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "rasa",
                 database],
                check=True, capture_output=True, env=real_clock(),
            )  # fmt: skip

    def start(self) -> None:
        self.process = subprocess.Popen(
            as_postgres([postgres_bin("postgres"), "-D", str(self.data), "-p", str(self.port),
                         "-k", str(self.directory), "-c", "listen_addresses=127.0.0.1",
                         "-c", "fsync=off"]),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=real_clock(),
        )  # fmt: skip
        deadline = time.monotonic() + 30
        ready = [postgres_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)]
        while subprocess.run(ready, capture_output=True, env=real_clock()).returncode != 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None:
            # A fast shutdown, as a restart does (runuser does not pass signals on).
            subprocess.run(
                as_postgres([postgres_bin("pg_ctl"), "-D", str(self.data), "stop", "-m", "fast"]),
                check=True, capture_output=True, env=real_clock(),
            )  # fmt: skip
            self.process.wait(timeout=30)
            self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@contextmanager
def postgres_server(databases: list[str]):
    cluster = Postgres()
    try:
        cluster.init(databases)
        yield cluster
    finally:
        cluster.remove()
