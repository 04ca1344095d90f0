"""The web chat's socket.io manager reads what other servers publish on Redis as JSON, never
as pickle (CVE-2025-61765: python-socketio before 5.14 unpickled it, so whoever could publish
on that Redis ran code in every server). tests/integration/test_two_servers.py publishes the
same payload to real servers through a real Redis."""

from __future__ import annotations

import asyncio
import os
import pickle
from pathlib import Path

import socketio


class Plant:
    """Unpickling this creates the file `path`: the proof that pickle ran."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self):
        return (os.mkdir, (self.path,))


def planted(path: Path) -> bytes:
    return pickle.dumps({"method": "unknown", "payload": Plant(path)})


async def test_a_pickle_arriving_on_the_channel_is_not_unpickled(tmp_path):
    marker = tmp_path / "pickle-ran"
    manager = socketio.AsyncRedisManager("redis://127.0.0.1:1/0")  # never connects here
    consumed = asyncio.Event()

    async def listen():
        yield planted(marker)
        consumed.set()
        await asyncio.Event().wait()  # nothing more arrives

    manager._listen = listen
    listening = asyncio.get_running_loop().create_task(manager._thread())
    try:
        await asyncio.wait_for(consumed.wait(), 5)
        await asyncio.sleep(0.05)  # past the handling of the message
    finally:
        listening.cancel()
    assert not marker.exists()


def test_the_payload_does_run_when_unpickled(tmp_path):
    """The test above would notice: this payload does create its file when unpickled."""
    marker = tmp_path / "pickle-ran"
    pickle.loads(planted(marker))  # noqa: S301 - the point of the test
    assert marker.is_dir()
