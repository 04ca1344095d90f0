"""python-socketio's client for tests, on a websocket as the widget's own client is.

python-engineio 4.13 and later (pinned for its security fixes) build the websocket's close
timeout as `aiohttp.ClientWSTimeout`, which aiohttp has from 3.11 on; rasa 3.6.21 pins aiohttp
below 3.10, whose `ws_connect` takes that timeout as a number of seconds. In the test process
only, a stand-in gives it the number. The servers do not use aiohttp for socket.io (Sanic)."""

from __future__ import annotations

from typing import Any

import aiohttp
import socketio


def _close_timeout(ws_close: float | None = None, ws_receive: float | None = None) -> float:
    return 10.0 if ws_close is None else ws_close


if not hasattr(aiohttp, "ClientWSTimeout"):
    aiohttp.ClientWSTimeout = _close_timeout  # type: ignore[attr-defined]


def client(**options: Any) -> socketio.AsyncClient:
    return socketio.AsyncClient(**options)
