"""A small Telegram Bot API client: timeouts, retries with backoff, explicit errors.

Why not aiogram (which Rasa pins): its Bot keeps an aiohttp session bound to the event loop it
was first used in, which is what breaks Rasa's own channel (STACK-NOTES), and it does not retry.
Here the session is made lazily inside the running loop, 429 waits `retry_after` and 5xx backs
off, each wait an `asyncio.sleep`, so one slow chat never blocks another. The token and message
text never reach the logs.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

TELEGRAM_API = "https://api.telegram.org"


class TelegramError(RuntimeError):
    """Telegram refused a call, or could not be reached after the retries."""

    def __init__(self, method: str, status: int | None, description: str) -> None:
        super().__init__(f"Telegram {method}: {status or 'no response'}: {description}")
        self.method, self.status, self.description = method, status, description


class BotApi:
    def __init__(
        self,
        token: str,
        base_url: str = TELEGRAM_API,
        timeout: float = 10.0,
        attempts: int = 4,
        backoff: float = 0.5,
        max_wait: float = 30.0,
    ) -> None:
        self._url = f"{base_url.rstrip('/')}/bot{token}/"
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._attempts, self._backoff, self._max_wait = attempts, backoff, max_wait
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def call(self, method: str, **payload: Any) -> Any:
        """Calls a Bot API method; returns its `result` or raises TelegramError."""
        body = {key: value for key, value in payload.items() if value is not None}
        status, description = None, ""
        for attempt in range(self._attempts):
            wait = self._backoff * 2**attempt
            try:
                async with self._client().post(self._url + method, json=body) as response:
                    status = response.status
                    data = await response.json(content_type=None)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
                status, description = None, type(error).__name__
            else:
                if isinstance(data, dict) and data.get("ok"):
                    return data.get("result")
                data = data if isinstance(data, dict) else {}
                description = str(data.get("description", ""))[:200]
                if status == 429:
                    wait = float((data.get("parameters") or {}).get("retry_after", wait))
                elif status is not None and status < 500:
                    raise TelegramError(method, status, description)
            if attempt + 1 < self._attempts:
                logger.warning(
                    "telegram %s: %s, retry %d in %.1f s", method, status, attempt + 1, wait
                )
                await asyncio.sleep(min(wait, self._max_wait))
        raise TelegramError(method, status, description or "gave up after retries")

    def _client(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session, self._loop = aiohttp.ClientSession(timeout=self._timeout), loop
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
