"""Which Telegram updates have been handled already, so each is answered once.

Telegram sends an update again when it thinks the first delivery was lost (a slow answer, a
restart). With several Rasa servers the resend may reach another server, and a server that
restarted has forgotten what it handled: so with a Redis configured (HRA_TELEGRAM_REDIS_URL, or
else HRA_SOCKETIO_REDIS_URL) the memory is shared there, one key per update that expires
after KEEP_SECONDS (SET NX EX: the first server to write it handles the update). Without one,
or while Redis cannot be reached, each process remembers for itself (logged once).

    memory = update_memory(get_settings().telegram)
    if await memory.first_time(update["update_id"]): ...
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Protocol

import redis.asyncio as aioredis  # type: ignore[import-untyped]
from redis.exceptions import RedisError  # type: ignore[import-untyped]

from bot import clock
from bot.settings import TelegramSettings

logger = logging.getLogger(__name__)

# Telegram keeps an undelivered update for 24 hours; twice that covers every resend.
KEEP_SECONDS = 2 * 24 * 3600
LOCAL_LIMIT = 10_000  # updates one process remembers at most (the oldest are forgotten)
KEY_PREFIX = "hra:telegram:update:"  # deploy/redis.conf lets the servers use hra:* only
TIMEOUT_SECONDS = 2


class UpdateMemory(Protocol):
    async def first_time(self, update_id: int) -> bool:
        """True the first time an update id is seen (handle it), False after."""
        ...


class LocalMemory:
    """One process's memory, each id kept for `keep` seconds of bot.clock."""

    def __init__(self, keep: float = KEEP_SECONDS, limit: int = LOCAL_LIMIT) -> None:
        self.keep, self.limit = keep, limit
        self._until: OrderedDict[int, float] = OrderedDict()  # id -> forgotten after

    async def first_time(self, update_id: int) -> bool:
        now = clock.epoch_seconds()
        while self._until and (next(iter(self._until.values())) <= now):
            self._until.popitem(last=False)
        if update_id in self._until:
            return False
        self._until[update_id] = now + self.keep
        while len(self._until) > self.limit:
            self._until.popitem(last=False)
        return True


class RedisMemory:
    """Shared by every server on one Redis; falls back to a LocalMemory when Redis fails."""

    def __init__(self, url: str, bot_id: str, keep: int = KEEP_SECONDS) -> None:
        self.red = aioredis.Redis.from_url(
            url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
        )
        self.prefix = f"{KEY_PREFIX}{bot_id}:"  # update ids count per bot
        self.keep = keep
        self.fallback = LocalMemory(keep)
        self._failing = False

    async def first_time(self, update_id: int) -> bool:
        try:
            written = await self.red.set(f"{self.prefix}{update_id}", 1, nx=True, ex=self.keep)
        except (RedisError, OSError) as error:
            if not self._failing:
                logger.warning(
                    "telegram: Redis unreachable for handled updates (%s); remembering them"
                    " in this process only until it is back",
                    type(error).__name__,
                )
            self._failing = True
            return await self.fallback.first_time(update_id)
        if self._failing:
            logger.warning("telegram: Redis reachable again for handled updates")
            self._failing = False
        return bool(written)


def update_memory(settings: TelegramSettings) -> UpdateMemory:
    """Shared through Redis when one is configured, else this process's own."""
    if settings.updates_redis_url:
        bot_id = settings.token.split(":", 1)[0] or "bot"  # the bot's number, not its secret
        return RedisMemory(settings.updates_redis_url, bot_id)
    return LocalMemory()
