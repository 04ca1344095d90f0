"""Keeping only what must be kept: contact details masked before a message is stored, one
person's conversation deleted on request, and everything older than the retention period
purged (`make purge`).

Phone numbers (7 or more digits, so "999", "111" and "116 123" stay readable) and email
addresses in what a person types are replaced by "[phone number]" / "[email address]" before
Rasa sees or stores the message, unless the person is giving them for a call-back: in a chat
with a helpline worker, or in a message left for the team. The masking itself, in linear time,
and what it cannot catch: bot/masking.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from bot import clock
from bot.masking import has_contact_details, mask_contact_details

logger = logging.getLogger(__name__)

__all__ = [  # masking is bot/masking.py's; the channels' guard imports it from here
    "Purged",
    "cutoff_for",
    "delete_conversation",
    "has_contact_details",
    "mask_contact_details",
    "purge",
    "purge_conversations",
    "purge_tickets",
    "unwrapped",
]


# ---- deleting


def unwrapped(tracker_store: Any) -> Any:
    """The store itself: Rasa wraps custom and some built-in stores in AwaitableTrackerStore."""
    return getattr(tracker_store, "_tracker_store", tracker_store)


def delete_conversation(tracker_store: Any, sender_id: str) -> bool:
    """Removes every stored event of one conversation. Rasa 3.6's tracker stores have no
    delete, so this knows the two this project configures: SQL and in-memory."""
    tracker_store = unwrapped(tracker_store)
    events = getattr(tracker_store, "SQLEvent", None)
    if events is not None:
        with tracker_store.session_scope() as session:
            session.query(events).filter(events.sender_id == sender_id).delete()
            session.commit()
        return True
    store = getattr(tracker_store, "store", None)
    if isinstance(store, dict):
        store.pop(sender_id, None)
        return True
    logger.error("cannot delete a conversation from %s", type(tracker_store).__name__)
    return False


@dataclass(frozen=True)
class Purged:
    conversations: int
    events: int
    tickets: int


def cutoff_for(days: int, now: datetime | None = None) -> datetime:
    return (now or clock.utc_now()) - timedelta(days=days)


def purge_conversations(engine: sa.engine.Engine, cutoff: datetime) -> tuple[int, int]:
    """Deletes every event older than `cutoff` from Rasa's SQL tracker store, whatever the
    conversation's later events: someone who writes once a month keeps only the last period.
    Returns (conversations left with no event, events deleted)."""
    if not sa.inspect(engine).has_table("events"):
        return 0, 0
    table = sa.Table("events", sa.MetaData(), autoload_with=engine)
    old = table.c.timestamp < cutoff.timestamp()
    with engine.begin() as connection:
        emptied = connection.execute(
            sa.select(sa.func.count()).select_from(
                sa.select(table.c.sender_id)
                .group_by(table.c.sender_id)
                .having(sa.func.max(table.c.timestamp) < cutoff.timestamp())
                .subquery()
            )
        ).scalar_one()
        deleted = connection.execute(table.delete().where(old)).rowcount
    return emptied, deleted


def purge_tickets(engine: sa.engine.Engine, cutoff: datetime) -> int:
    """Deletes helpline tickets last touched before `cutoff` (agents' accounts stay)."""
    if not sa.inspect(engine).has_table("handoff_tickets"):
        return 0
    table = sa.Table("handoff_tickets", sa.MetaData(), autoload_with=engine)
    touched = sa.func.coalesce(table.c.closed_at, table.c.claimed_at, table.c.opened_at)
    naive = cutoff.astimezone(timezone.utc).replace(tzinfo=None)  # the store keeps naive UTC
    with engine.begin() as connection:
        return connection.execute(table.delete().where(touched < naive)).rowcount


def purge(tracker: sa.engine.Engine | None, handoff: sa.engine.Engine, cutoff: datetime) -> Purged:
    conversations, events = purge_conversations(tracker, cutoff) if tracker else (0, 0)
    return Purged(conversations, events, purge_tickets(handoff, cutoff))
