"""The handoff store on SQLite: tickets, the queue's order, claims, and agents' sign-in."""

from datetime import timedelta

import pytest

from bot.handoff import (
    CLAIMED,
    CLOSED,
    LOCK_AFTER,
    HandoffError,
    HandoffStore,
    check_password,
    hash_password,
    utcnow,
)


@pytest.fixture
def store(tmp_path):
    return HandoffStore(f"sqlite:///{tmp_path / 'handoff.db'}")


def test_one_open_ticket_per_conversation(store):
    first = store.open_ticket("web-1", "socketio", "england", "asked")
    again = store.open_ticket("web-1", "socketio", "england", "fallback")
    assert again.id == first.id and again.reason == "asked"


def test_an_emergency_makes_a_waiting_ticket_urgent(store):
    store.open_ticket("web-1", "socketio", "england", "asked")
    assert store.open_ticket("web-1", "socketio", "england", "emergency").reason == "emergency"


def test_the_queue_puts_emergencies_first_then_the_longest_waiting(store):
    store.open_ticket("a", "socketio", None, "asked")
    store.open_ticket("b", "telegram", None, "fallback")
    store.open_ticket("c", "socketio", None, "emergency")
    store.open_ticket("d", "socketio", None, "asked")
    assert [ticket.conversation_id for ticket in store.queue()] == ["c", "a", "d", "b"]


def test_an_agent_cannot_take_a_ticket_another_agent_has(store):
    ticket = store.open_ticket("a", "socketio", None, "asked")
    assert store.claim(ticket.id, "sam").status == CLAIMED
    with pytest.raises(HandoffError, match="claimed by another agent"):
        store.claim(ticket.id, "alex")
    assert store.may_reply(ticket.id, "sam") and not store.may_reply(ticket.id, "alex")
    with pytest.raises(HandoffError, match="claimed by another agent"):
        store.close(ticket.id, "alex")


def test_a_closed_ticket_leaves_the_queue_and_a_new_one_can_open(store):
    ticket = store.open_ticket("a", "socketio", None, "asked")
    store.claim(ticket.id, "sam")
    assert store.close(ticket.id, "sam").status == CLOSED
    assert store.queue() == [] and store.open_for("a") is None
    assert store.open_ticket("a", "socketio", None, "asked").id != ticket.id


def test_unknown_reasons_and_tickets_are_refused(store):
    with pytest.raises(HandoffError, match="unknown reason"):
        store.open_ticket("a", "socketio", None, "bored")
    with pytest.raises(HandoffError, match="no ticket 99"):
        store.get(99)


def test_passwords_are_stored_as_salted_scrypt_hashes():
    stored = hash_password("correct horse battery")
    assert stored.startswith("scrypt$") and "correct" not in stored
    assert stored != hash_password("correct horse battery")  # a new salt each time
    assert check_password("correct horse battery", stored)
    assert not check_password("wrong", stored) and not check_password("x", "plain")


def test_sign_in_locks_the_account_after_repeated_failures(store):
    store.add_agent("sam", "a long enough secret")
    now = utcnow()
    for _ in range(LOCK_AFTER):
        assert not store.sign_in("sam", "guess", now)
    assert not store.sign_in("sam", "a long enough secret", now)  # locked, even when right
    assert store.sign_in("sam", "a long enough secret", now + timedelta(minutes=16))


def test_short_passwords_and_duplicate_agents_are_refused(store):
    with pytest.raises(HandoffError, match="12 characters"):
        store.add_agent("sam", "short")
    store.add_agent("sam", "a long enough secret")
    with pytest.raises(HandoffError, match="already exists"):
        store.add_agent("sam", "another long secret")
    assert not store.sign_in("nobody", "whatever")


def test_the_cli_adds_an_agent_who_can_sign_in(tmp_path, monkeypatch):
    from bot import handoff_cli
    from bot.settings import get_settings

    url = f"sqlite:///{tmp_path / 'var' / 'handoff.db'}"
    monkeypatch.setenv("HRA_HANDOFF_DB", url)
    monkeypatch.setattr(handoff_cli.getpass, "getpass", lambda prompt: "a long enough secret")
    get_settings.cache_clear()
    try:
        assert handoff_cli.main(["add-agent", "sam"]) == 0
        assert handoff_cli.main(["add-agent", "sam"]) == 1  # already there
        assert handoff_cli.main(["remove", "sam"]) == 2
    finally:
        get_settings.cache_clear()
    assert HandoffStore(url).sign_in("sam", "a long enough secret")
