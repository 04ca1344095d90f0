"""Each Telegram update is handled once: remembered for two days, in Redis when one is set (every
server and every restart shares it), in the process otherwise or while Redis is away.
tests/integration/test_two_servers.py runs the Redis memory against a real Redis."""

from __future__ import annotations

import logging

from bot.settings import get_settings
from bot.telegram.seen import KEEP_SECONDS, LocalMemory, RedisMemory, update_memory


async def test_an_update_is_new_once_and_forgotten_after_two_days(fixed_clock):
    memory = LocalMemory()
    assert await memory.first_time(41)
    assert not await memory.first_time(41)  # Telegram's resend
    assert await memory.first_time(42)
    fixed_clock.advance(seconds=KEEP_SECONDS - 1)
    assert not await memory.first_time(41)
    fixed_clock.advance(seconds=2)
    assert await memory.first_time(41)  # long gone from Telegram too: a new update


async def test_one_process_remembers_a_bounded_number(fixed_clock):
    memory = LocalMemory(limit=3)
    for update_id in (1, 2, 3, 4):
        assert await memory.first_time(update_id)
    assert await memory.first_time(1)  # the oldest was let go
    assert not await memory.first_time(4)


def test_the_memory_is_shared_through_redis_when_one_is_configured(monkeypatch):
    monkeypatch.setenv("TELEGRAM_TOKEN", "123456:secret-part")
    monkeypatch.delenv("HRA_TELEGRAM_REDIS_URL", raising=False)
    monkeypatch.delenv("HRA_SOCKETIO_REDIS_URL", raising=False)
    get_settings.cache_clear()
    assert isinstance(update_memory(get_settings().telegram), LocalMemory)
    monkeypatch.setenv("HRA_SOCKETIO_REDIS_URL", "redis://hra:pw@127.0.0.1:6379/1")
    get_settings.cache_clear()
    shared = update_memory(get_settings().telegram)
    assert isinstance(shared, RedisMemory)
    assert shared.prefix == "hra:telegram:update:123456:"  # the bot's number, not its secret
    assert shared.red.connection_pool.connection_kwargs["db"] == 1
    monkeypatch.setenv("HRA_TELEGRAM_REDIS_URL", "redis://hra:pw@127.0.0.1:6379/2")
    get_settings.cache_clear()
    dedicated = update_memory(get_settings().telegram)
    assert dedicated.red.connection_pool.connection_kwargs["db"] == 2
    get_settings.cache_clear()


async def test_with_redis_away_the_process_remembers_for_itself(caplog):
    memory = RedisMemory("redis://127.0.0.1:1/0", "123456")  # nothing listens on port 1
    with caplog.at_level(logging.WARNING, logger="bot.telegram.seen"):
        assert await memory.first_time(7)  # handled: better a rare duplicate than a lost message
        assert not await memory.first_time(7)
        assert await memory.first_time(8)
    warnings = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(warnings) == 1  # said once, not per update
