"""Deletes what is past the retention period once a day, inside the Rasa server, so the
privacy promise holds without a cron job (credentials.yml: bot.channels.housekeeping.Housekeeping;
`make purge` does the same by hand), and installs bot/speedups.py at server start. A Rasa input
channel only because that is how Rasa lets a project run code in its server: it has no routes
and receives no messages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint

from bot import speedups
from bot.privacy import cutoff_for, purge, unwrapped
from bot.settings import get_settings

logger = logging.getLogger(__name__)

EVERY_SECONDS = 24 * 3600


class Housekeeping(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "housekeeping"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        speedups.install()
        housekeeping = Blueprint("housekeeping", __name__)

        async def start(app: Any, _loop: Any) -> None:
            app.add_task(self.daily(app), name="housekeeping")

        async def stop(app: Any, _loop: Any) -> None:
            # Otherwise asyncio reports the sleeping task as destroyed at shutdown.
            await app.cancel_task("housekeeping", raise_exception=False)

        housekeeping.listener("after_server_start")(start)
        housekeeping.listener("before_server_stop")(stop)
        return housekeeping

    async def daily(self, app: Any) -> None:
        while True:
            await asyncio.to_thread(self.purge_once, app)
            await asyncio.sleep(EVERY_SECONDS)

    @staticmethod
    def purge_once(app: Any) -> None:
        settings = get_settings()
        agent = getattr(app.ctx, "agent", None)
        store = unwrapped(agent.tracker_store) if agent is not None else None
        tracker: sa.engine.Engine | None = getattr(store, "engine", None)
        handoff = sa.create_engine(settings.handoff_db, future=True)
        try:
            done = purge(tracker, handoff, cutoff_for(settings.retention_days))
            logger.info(
                "retention: deleted %s events (%s conversations wholly) and %s tickets older"
                " than %s days",
                done.events,
                done.conversations,
                done.tickets,
                settings.retention_days,
            )
        except sa.exc.SQLAlchemyError as error:
            logger.error("retention purge failed: %s", type(error).__name__)
        finally:
            handoff.dispose()
