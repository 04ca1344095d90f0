"""A person in a handed-over chat who sends crisis after crisis flags each on the ticket, but
the team's channel hears of it at most once in ten minutes per ticket (pen test: flooding)."""

from __future__ import annotations

from rasa.shared.core.events import UserUttered

from bot.channels import handover
from bot.handoff import HandoffStore


def test_crisis_notices_are_capped_per_ticket_but_every_crisis_is_flagged(
    tmp_path, monkeypatch, fixed_clock
):
    store = HandoffStore(f"sqlite:///{tmp_path / 'handoff.db'}")
    sent: list[tuple[str, int]] = []
    monkeypatch.setattr(handover, "handoff_store", lambda: store)
    monkeypatch.setattr(
        handover, "notify", lambda event, ticket, position=0: sent.append((event, ticket.id))
    )
    ticket = store.open_ticket("web:abc", "socketio", None, "asked")
    other = store.open_ticket("web:def", "socketio", None, "asked")

    def crisis_on(ticket_id: int) -> None:
        handover._flag(store.get(ticket_id))  # the ticket as it is when the message arrives

    for _ in range(20):  # a flood within a minute
        crisis_on(ticket.id)
        fixed_clock.advance(seconds=3)
    crisis_on(other.id)
    assert sent == [("ticket.crisis", ticket.id), ("ticket.crisis", other.id)]
    assert store.get(ticket.id).crisis_at is not None  # flagged, and still urgent in the queue

    fixed_clock.advance(minutes=10)
    crisis_on(ticket.id)
    assert sent[-1] == ("ticket.crisis", ticket.id) and len(sent) == 3


def test_a_crisis_in_a_handed_over_conversation_gets_the_number_of_the_place_it_names():
    said = UserUttered(
        "is it 000 here? he wont wake up",
        intent={"name": "emergency", "confidence": 1.0},
        parse_data={"crisis": {"level": "now", "category": "overdose"}},
    )
    assert handover.crisis_reply(said, "england").text.startswith("Call 000 now")
    kind = UserUttered(
        "hes overheating on mdma",
        intent={"name": "emergency", "confidence": 1.0},
        parse_data={"crisis": {"level": "now", "category": "stimulant"}},
    )
    assert "small sips" in handover.crisis_reply(kind, "england").text
