"""Asking for a person: put through when the helpline is open and someone is online, else
told honestly, given the 24/7 lines and offered to leave a message; webhooks told of both."""

import asyncio
import hashlib
import hmac
import json
from datetime import datetime, timezone

import pytest
from aiohttp import web
from rasa_sdk.events import ConversationPaused, SlotSet

import actions.handoff
from actions.handoff import (
    ActionHumanHandoff,
    ActionSubmitHelplineMessage,
    handoff_reason,
)
from actions.session import ActionSessionStart
from bot import notify
from bot.handoff import handoff_store
from bot.settings import get_settings

OPEN = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)  # Wednesday noon in London
CLOSED = datetime(2026, 12, 5, 23, 30, tzinfo=timezone.utc)  # Saturday night


@pytest.fixture
def at(monkeypatch):
    def set_clock(moment):
        monkeypatch.setattr(actions.handoff, "utc_now", lambda: moment)

    return set_clock


@pytest.fixture
def agent_online():
    store = handoff_store()
    store.add_agent("sam", "a long enough secret")
    store.set_available("sam", True)
    return store


def asked(make_tracker, **kwargs):
    return make_tracker("can i talk to a real person", intent="human_handoff", **kwargs)


async def test_open_and_online_the_person_is_put_through_and_the_assistant_pauses(
    make_tracker, dispatcher, domain, at, agent_online
):
    at(OPEN)
    tracker = asked(make_tracker, channel="socketio", slots={"region": "england"})
    events = await ActionHumanHandoff().run(dispatcher, tracker, domain)
    assert events == [ConversationPaused()]
    text = dispatcher.messages[0]["text"]
    assert "number 1 in the queue" in text and "call 999 now" in text
    assert dispatcher.messages[1]["custom"] == {"handoff": "waiting"}
    ticket = agent_online.open_for("test-user")
    assert (ticket.reason, ticket.channel, ticket.region, ticket.kind) == (
        "asked",
        "socketio",
        "england",
        "chat",
    )


async def test_asking_again_while_waiting_keeps_one_ticket(
    make_tracker, dispatcher, domain, at, agent_online
):
    at(OPEN)
    await ActionHumanHandoff().run(dispatcher, asked(make_tracker), domain)
    await ActionHumanHandoff().run(dispatcher, asked(make_tracker), domain)
    assert len(agent_online.queue()) == 1
    assert "already in the queue" in dispatcher.messages[-2]["text"]


async def test_out_of_hours_the_person_is_told_when_it_opens_and_given_24_7_lines(
    make_tracker, dispatcher, domain, at, agent_online
):
    at(CLOSED)
    tracker = asked(make_tracker, slots={"region": "ireland"})
    assert await ActionHumanHandoff().run(dispatcher, tracker, domain) == []
    reply = dispatcher.messages[0]
    assert "closed now: it opens tomorrow at 10:00 GMT" in reply["text"]
    assert "Samaritans: call 116 123. Open 24/7." in reply["text"]
    payloads = [button["payload"] for button in reply["buttons"]]
    assert payloads == ["/helpline_leave_message", "/chat_deny", "/emergency"]
    assert agent_online.queue() == []  # no ticket: nobody promised


async def test_in_hours_with_nobody_online_is_said_as_such(make_tracker, dispatcher, domain, at):
    at(OPEN)
    assert await ActionHumanHandoff().run(dispatcher, asked(make_tracker), domain) == []
    assert dispatcher.messages[0]["text"].startswith("Sorry, nobody from our helpline is free")


async def test_a_store_that_cannot_be_reached_gives_the_offline_reply(
    make_tracker, dispatcher, domain, at, monkeypatch
):
    at(OPEN)
    monkeypatch.setattr(actions.handoff, "handoff_store", broken_store)
    assert await ActionHumanHandoff().run(dispatcher, asked(make_tracker), domain) == []
    assert "call 999 now" in dispatcher.messages[0]["text"]


def broken_store():
    from sqlalchemy.exc import OperationalError

    class Broken:
        def agents_online(self, *_):
            raise OperationalError("select", {}, Exception("database is locked"))

    return Broken()


@pytest.mark.parametrize(
    ("actions_before", "reason"),
    [
        (["action_emergency_advice", "action_emergency_step"], "emergency"),
        (["action_default_ask_affirmation", "action_default_fallback"], "fallback"),
        (["utter_greet"], "asked"),
    ],
)
def test_the_reason_follows_what_came_before(make_tracker, actions_before, reason):
    events = [{"event": "action", "name": name} for name in actions_before]
    assert handoff_reason(asked(make_tracker, events=events)) == reason


async def test_a_left_message_becomes_a_ticket_and_leaves_the_slot(
    make_tracker, dispatcher, domain
):
    tracker = make_tracker(
        "my brother keeps using alone, what can we do",
        intent="nlu_fallback",
        channel="telegram",
        sender_id="4242",
        slots={"helpline_message": "my brother keeps using alone, what can we do"},
    )
    events = await ActionSubmitHelplineMessage().run(dispatcher, tracker, domain)
    assert events == [SlotSet("helpline_message", None)]
    ticket = handoff_store().open_for("4242")
    assert (ticket.kind, ticket.note, ticket.channel) == (
        "message",
        "my brother keeps using alone, what can we do",
        "telegram",
    )
    assert "Your message is with the team" in dispatcher.messages[0]["text"]


async def test_a_new_session_keeps_a_conversation_with_a_worker_paused(
    make_tracker, dispatcher, domain
):
    handoff_store().open_ticket("test-user", "socketio", None, "asked")
    events = await ActionSessionStart().run(dispatcher, make_tracker(), domain)
    assert ConversationPaused() in events
    handoff_store().open_ticket("someone-else", "socketio", None, "asked", kind="message")
    other = await ActionSessionStart().run(
        dispatcher, make_tracker(sender_id="someone-else"), domain
    )
    assert ConversationPaused() not in other


@pytest.fixture
async def webhook(monkeypatch):
    received = []

    async def receive(request):
        received.append((await request.read(), dict(request.headers)))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    monkeypatch.setenv("HRA_HELPLINE_WEBHOOK_URL", f"http://127.0.0.1:{port}/hook")
    monkeypatch.setenv("HRA_HELPLINE_WEBHOOK_SECRET", "shh")
    get_settings.cache_clear()
    yield received
    await runner.cleanup()


async def test_the_webhook_hears_of_a_new_ticket_signed_and_without_the_persons_words(
    make_tracker, dispatcher, domain, at, agent_online, webhook
):
    at(OPEN)
    await ActionHumanHandoff().run(dispatcher, asked(make_tracker, channel="telegram"), domain)
    await asyncio.gather(*notify._pending)
    [(body, headers)] = webhook
    sent = json.loads(body)
    assert sent["event"] == "ticket.opened" and sent["ticket"]["position"] == 1
    assert sent["ticket"]["channel"] == "telegram" and "console" in sent["text"]
    assert "real person" not in body.decode() and "test-user" not in body.decode()
    signed = headers["X-HRA-Timestamp"].encode() + b"." + body  # bot/notify.py: no replays
    expected = "sha256=" + hmac.new(b"shh", signed, hashlib.sha256).hexdigest()
    assert headers["X-HRA-Signature"] == expected


async def test_a_webhook_that_is_down_does_not_stop_the_handoff(
    make_tracker, dispatcher, domain, at, agent_online, monkeypatch
):
    at(OPEN)
    monkeypatch.setenv("HRA_HELPLINE_WEBHOOK_URL", "http://127.0.0.1:9/nothing-listens")
    get_settings.cache_clear()
    events = await ActionHumanHandoff().run(dispatcher, asked(make_tracker), domain)
    assert events == [ConversationPaused()]
    assert await asyncio.gather(*notify._pending) == [False]
