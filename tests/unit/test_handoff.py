"""The handoff store on SQLite: tickets, the queue's order, claims, and agents' sign-in (one scrypt
per attempt, no lock-out)."""

import hashlib
from datetime import timedelta

import pytest

from bot.handoff import (
    CLAIMED,
    CLOSED,
    DUMMY_HASH,
    HandoffError,
    HandoffStore,
    TicketLimit,
    check_password,
    hash_password,
    utcnow,
)
from bot.settings import get_settings


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


@pytest.fixture
def scrypt_calls(monkeypatch):
    """Counts scrypt computations (the real ones still run)."""
    calls = []
    real = hashlib.scrypt

    def counted(*args, **kwargs):
        calls.append(kwargs.get("salt"))
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    return calls


def test_no_number_of_wrong_passwords_locks_the_agent_out(store):
    store.add_agent("sam", "a long enough secret")
    for _ in range(20):  # an attacker guessing at sam's name
        assert not store.sign_in("sam", "guess")
    assert store.sign_in("sam", "a long enough secret")  # sam still gets in


@pytest.mark.parametrize(
    ("username", "password", "refused"),
    [
        ("nobody", "whatever", False),  # unknown name
        ("sam", "a guess", False),  # wrong password
        ("sam", "a long enough secret", True),  # right, but backed off: checked as wrong
        ("sam", "a long enough secret", False),  # right
    ],
)
def test_every_sign_in_costs_exactly_one_scrypt(store, scrypt_calls, username, password, refused):
    """The attack: telling real names (or backed-off ones) from others by how fast a wrong
    password is refused. Every kind of attempt must do the same work."""
    store.add_agent("sam", "a long enough secret")
    scrypt_calls.clear()
    signed_in = store.sign_in(username, password, refused=refused)
    assert len(scrypt_calls) == 1
    assert signed_in == (username == "sam" and password == "a long enough secret" and not refused)


def test_the_dummy_hash_is_checked_but_never_matches(store, scrypt_calls):
    assert not check_password("", DUMMY_HASH) and len(scrypt_calls) == 1


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


def test_the_cli_reads_a_password_from_stdin_for_provisioning(tmp_path, monkeypatch):
    import io

    from bot import handoff_cli
    from bot.settings import get_settings

    url = f"sqlite:///{tmp_path / 'handoff.db'}"
    monkeypatch.setenv("HRA_HANDOFF_DB", url)
    monkeypatch.setattr("sys.stdin", io.StringIO("piped in, long enough\n"))
    get_settings.cache_clear()
    try:
        assert handoff_cli.main(["add-agent", "kim", "--password-stdin"]) == 0
        assert handoff_cli.main(["add-agent", "kim", "--password"]) == 2
    finally:
        get_settings.cache_clear()
    assert HandoffStore(url).sign_in("kim", "piped in, long enough")


def test_a_left_message_is_kept_and_a_live_chat_asked_for_later_keeps_it(store):
    left = store.open_ticket("tg-1", "telegram", "ireland", "asked", kind="message", note="hi")
    assert (left.kind, left.note) == ("message", "hi")
    chat = store.open_ticket("tg-1", "telegram", "ireland", "asked")
    assert chat.id == left.id and (chat.kind, chat.note) == ("chat", "hi")


def test_claiming_a_left_message_makes_it_a_conversation_with_the_agent(store):
    left = store.open_ticket("tg-1", "telegram", None, "asked", kind="message", note="call me")
    assert store.claim(left.id, "sam").kind == "chat"


def test_unknown_kinds_and_reasons_are_refused(store):
    with pytest.raises(HandoffError, match="unknown kind"):
        store.open_ticket("a", "socketio", None, "asked", kind="email")
    with pytest.raises(HandoffError, match="unknown reason"):
        store.open_ticket("a", "socketio", None, "bored")


def test_position_counts_only_waiting_tickets_most_urgent_first(store):
    first = store.open_ticket("a", "socketio", None, "asked")
    second = store.open_ticket("b", "socketio", None, "asked")
    urgent = store.open_ticket("c", "socketio", None, "emergency")
    assert [store.position(t.id) for t in (urgent, first, second)] == [1, 2, 3]
    store.claim(urgent.id, "sam")
    assert (store.position(urgent.id), store.position(first.id)) == (0, 1)


def test_a_crisis_flag_puts_a_ticket_first(store):
    store.open_ticket("a", "socketio", None, "asked")
    later = store.open_ticket("b", "socketio", None, "fallback")
    flagged = store.flag_crisis(later.id)
    assert flagged.reason == "emergency" and flagged.crisis_at is not None
    assert store.queue()[0].id == later.id


def test_closing_records_how_it_ended(store):
    ticket = store.open_ticket("a", "socketio", None, "asked")
    store.claim(ticket.id, "sam")
    assert store.close(ticket.id, "sam", "handed_back").outcome == "handed_back"


def test_an_agent_is_online_only_while_available_and_recently_seen(store):
    store.add_agent("sam", "a long enough secret")
    start = utcnow()
    window = timedelta(minutes=2)
    assert store.agents_online(window, start) == 0  # a new account is not available
    store.set_available("sam", True, start)
    assert store.agents_online(window, start + timedelta(minutes=1)) == 1
    assert store.agents_online(window, start + timedelta(minutes=3)) == 0  # console closed
    assert store.seen("sam", start + timedelta(minutes=3)) is True
    assert store.agents_online(window, start + timedelta(minutes=4)) == 1
    store.set_available("sam", False, start + timedelta(minutes=4))
    assert store.agents_online(window, start + timedelta(minutes=4)) == 0


def test_a_store_made_by_the_previous_version_gains_the_new_columns(tmp_path):
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE handoff_tickets (id INTEGER PRIMARY KEY, conversation_id VARCHAR,"
                " channel VARCHAR NOT NULL, region VARCHAR, reason VARCHAR NOT NULL,"
                " status VARCHAR NOT NULL, agent VARCHAR, opened_at DATETIME NOT NULL,"
                " claimed_at DATETIME, closed_at DATETIME)"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO handoff_tickets (conversation_id, channel, reason, status, opened_at)"
                " VALUES ('old', 'socketio', 'asked', 'waiting', '2026-11-30 10:00:00')"
            )
        )
    store = HandoffStore(url)
    kept = store.open_for("old")
    assert kept is not None and kept.kind == "chat" and kept.crisis_at is None
    assert store.flag_crisis(kept.id).crisis_at is not None


def test_people_waiting_to_chat_are_not_behind_left_messages(store):
    store.open_ticket("a", "telegram", None, "asked", kind="message", note="hello")
    chat = store.open_ticket("b", "socketio", None, "asked")
    assert store.position(chat.id) == 1


def test_a_waiting_chat_nobody_can_take_stays_as_a_left_message(store):
    ticket = store.open_ticket("a", "socketio", None, "asked")
    assert store.leave_for_later(ticket.id).kind == "message"
    claimed = store.open_ticket("b", "socketio", None, "asked")
    store.claim(claimed.id, "sam")
    assert store.leave_for_later(claimed.id).kind == "chat"  # someone has it: unchanged


def test_a_conversation_cannot_open_ticket_after_ticket(store, monkeypatch, fixed_clock):
    monkeypatch.setenv("HRA_TICKETS_PER_CONVERSATION", "2")
    get_settings.cache_clear()
    for _ in range(2):
        ticket = store.open_ticket("rest:flood", "rest", None, "asked")
        store.close(store.claim(ticket.id, "sam").id, "sam")
    with pytest.raises(TicketLimit):
        store.open_ticket("rest:flood", "rest", None, "asked")
    assert store.open_ticket("web:someone-else", "socketio", None, "asked").status == "waiting"
    fixed_clock.advance(days=1, minutes=1)
    assert store.open_ticket("rest:flood", "rest", None, "asked").status == "waiting"


def test_many_conversations_cannot_bury_the_queue(store, monkeypatch, fixed_clock):
    monkeypatch.setenv("HRA_TICKETS_PER_HOUR", "3")
    get_settings.cache_clear()
    for number in range(3):
        store.open_ticket(f"rest:bot-{number}", "rest", None, "asked")
    with pytest.raises(TicketLimit):
        store.open_ticket("rest:bot-4", "rest", None, "asked")
    assert store.open_ticket("rest:bot-0", "rest", None, "emergency").reason == "emergency"
    fixed_clock.advance(hours=1, minutes=1)
    assert store.open_ticket("rest:bot-4", "rest", None, "asked").status == "waiting"
