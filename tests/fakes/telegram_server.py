"""An in-process fake Telegram Bot API server: records every call, answers like Telegram.

async with FakeTelegram() as telegram:          # listens on a free loopback port
    telegram.url                                 # give this as the Bot API base URL
    telegram.fail("sendMessage", 429, retry_after=1, times=1)
    telegram.calls                               # [(method, json body), ...]
"""

from __future__ import annotations

import asyncio
import socket
from collections import defaultdict
from typing import Any

from aiohttp import web


class FakeTelegram:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._failures: dict[str, list[tuple[int, dict]]] = defaultdict(list)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail(self, method: str, status: int, times: int = 1, retry_after: int | None = None):
        """The next `times` calls of `method` get this error, as Telegram sends it."""
        body = {"ok": False, "error_code": status, "description": f"fake error {status}"}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        self._failures[method] += [(status, body)] * times

    def sent(self, method: str = "sendMessage") -> list[dict[str, Any]]:
        return [body for name, body in self.calls if name == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[dict]:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.sent(method)) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{method} called {len(self.sent(method))}x, not {count}")
            await asyncio.sleep(0.05)
        return self.sent(method)

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            body = await request.json()
        except ValueError:
            body = {}
        self.calls.append((method, body))
        if self._failures[method]:
            status, error = self._failures[method].pop(0)
            return web.json_response(error, status=status)
        result: Any = True
        if method == "sendMessage":
            result = {"message_id": len(self.calls), "chat": {"id": body.get("chat_id")}}
        elif method == "getWebhookInfo":
            result = {"url": "https://example.org/hook", "pending_update_count": 0}
        return web.json_response({"ok": True, "result": result})

    async def __aenter__(self) -> FakeTelegram:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner:
            await self._runner.cleanup()
