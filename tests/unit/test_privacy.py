"""Contact details masked, a conversation deleted, and what is past retention purged."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.handoff import HandoffStore
from bot.privacy import cutoff_for, delete_conversation, mask_contact_details, purge

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("call me on 07700 900123 please", "call me on [phone number] please"),
        ("my number is +44 7700 900 123", "my number is [phone number]"),
        ("(555) 123-4567 is my cell", "[phone number] is my cell"),
        ("email me at sam.j+x@example.co.uk", "email me at [email address]"),
        ("I called 999 and 111", "I called 999 and 111"),  # short numbers stay readable
        ("ring 116 123", "ring 116 123"),
        ("i took 100mg at 10:30 on 2026-12-01", "i took 100mg at 10:30 on 2026-12-01"),
        ("text 82111", "text 82111"),
    ],
)
def test_phone_numbers_and_emails_are_masked_but_not_emergency_numbers_or_doses(typed, kept):
    assert mask_contact_details(typed) == kept


def tracker(sender, when, domain):
    events = [UserUttered("hello", timestamp=when.timestamp())]
    return DialogueStateTracker.from_events(sender, events, domain.slots)


async def test_deleting_a_conversation_removes_it_from_a_sql_store(tmp_path):
    domain = Domain.empty()
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    await store.save(tracker("me", NOW, domain))
    await store.save(tracker("someone else", NOW, domain))
    assert delete_conversation(store, "me")
    assert await store.retrieve("me") is None
    assert await store.retrieve("someone else") is not None


async def test_deleting_a_conversation_removes_it_from_memory():
    domain = Domain.empty()
    store = InMemoryTrackerStore(domain)
    await store.save(tracker("me", NOW, domain))
    assert delete_conversation(store, "me") and await store.retrieve("me") is None


async def test_purge_deletes_only_what_is_older_than_the_retention(tmp_path):
    domain = Domain.empty()
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    await store.save(tracker("old", NOW - timedelta(days=31), domain))
    await store.save(tracker("recent", NOW - timedelta(days=29), domain))
    handoff_url = f"sqlite:///{tmp_path / 'handoff.db'}"
    handoff = HandoffStore(handoff_url)
    old = handoff.open_ticket("old", "socketio", None, "asked")
    recent = handoff.open_ticket("recent", "socketio", None, "asked")
    with handoff.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE handoff_tickets SET opened_at = :when WHERE id = :id"),
            {"when": (NOW - timedelta(days=40)).replace(tzinfo=None), "id": old.id},
        )
    done = purge(store.engine, handoff.engine, cutoff_for(30, NOW))
    assert (done.conversations, done.tickets) == (1, 1)
    assert await store.retrieve("old") is None and await store.retrieve("recent") is not None
    assert [ticket.id for ticket in handoff.queue()] == [recent.id]


async def test_purge_deletes_old_events_of_a_conversation_that_goes_on(tmp_path):
    """Someone who writes once a month keeps only the last 30 days, not the whole history."""
    domain = Domain.empty()
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    events = [
        UserUttered(f"message {age} days ago", timestamp=(NOW - timedelta(days=age)).timestamp())
        for age in (95, 62, 31, 2)
    ]
    await store.save(DialogueStateTracker.from_events("monthly", events, domain.slots))
    handoff = HandoffStore(f"sqlite:///{tmp_path / 'handoff.db'}")
    done = purge(store.engine, handoff.engine, cutoff_for(30, NOW))
    assert (done.conversations, done.events) == (0, 3)
    kept = await store.retrieve_full_tracker("monthly")
    assert [event.text for event in kept.events] == ["message 2 days ago"]


def test_purge_with_empty_stores_deletes_nothing(tmp_path):
    tracker_engine = sa.create_engine(f"sqlite:///{tmp_path / 'none.db'}")
    handoff_engine = sa.create_engine(f"sqlite:///{tmp_path / 'handoff.db'}")
    assert purge(tracker_engine, handoff_engine, cutoff_for(30, NOW)).events == 0


async def test_the_servers_daily_housekeeping_purges_its_own_tracker_store(tmp_path, fixed_clock):
    from types import SimpleNamespace

    from bot.channels.housekeeping import Housekeeping

    domain = Domain.empty()
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    today = datetime.fromtimestamp(fixed_clock(), timezone.utc)
    await store.save(tracker("long ago", today - timedelta(days=45), domain))
    await store.save(tracker("today", today, domain))
    app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))
    Housekeeping.purge_once(app)
    assert await store.retrieve("long ago") is None
    assert await store.retrieve("today") is not None


def test_make_purge_finds_the_projects_own_sql_store(tmp_path):
    """endpoints.yml names bot.stores.sql_tracker.ResilientSQLTrackerStore; `make purge` took
    it for a store that is not SQL and purged nothing."""
    from bot.purge import tracker_engine

    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "tracker_store:\n  type: bot.stores.sql_tracker.ResilientSQLTrackerStore\n"
        f'  dialect: sqlite\n  db: "{tmp_path / "tracker.db"}"\n'
    )
    engine = tracker_engine(str(endpoints))
    assert engine is not None and str(engine.url).endswith("tracker.db")
    endpoints.write_text("tracker_store:\n  type: memory\n")
    assert tracker_engine(str(endpoints)) is None
