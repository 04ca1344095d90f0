"""A conversation handed to a helpline worker and back, as the two people meet it.

One real `rasa run` (trained model, its own action server, SQLite tracker and handoff stores)
for the module. The person chats in the web widget in one Chromium context, or on Telegram
through the fake Bot API; the worker uses the console in another Chromium context. The
helpline is configured open around the clock here, so whether a person is put through
depends only on whether a worker is online, as it does in production within opening hours
(the hours themselves: tests/unit/test_helpline.py, tests/actions/test_handoff_actions.py).
"""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest

from bot.handoff import HandoffStore
from tests.browser import PHONE, ask, open_chat, said
from tests.harness import action_server, always_open_helpline, free_port, rasa_server

PASSWORD = "a long enough secret"
TELEGRAM = {"X-Telegram-Bot-Api-Secret-Token": "handoff-secret"}


@pytest.fixture(scope="module")
def server(tmp_path_factory, telegram):
    workdir = tmp_path_factory.mktemp("handoff")
    database = f"sqlite:///{workdir / 'handoff.db'}"
    store = HandoffStore(database)
    for agent in ("sam", "alex"):
        store.add_agent(agent, PASSWORD)
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    env = {
        "HRA_HANDOFF_DB": database,
        "HRA_HELPLINE_CONFIG": str(always_open_helpline(workdir)),
        "HRA_WEB_ALLOWED_ORIGINS": origin,
        "TELEGRAM_TOKEN": "123456:TEST-token",
        "TELEGRAM_SECRET_TOKEN": TELEGRAM["X-Telegram-Bot-Api-Secret-Token"],
        "TELEGRAM_API_URL": telegram.url,
    }
    with action_server(env) as actions, rasa_server(actions, env, workdir, port) as base:
        yield base, store


@pytest.fixture(autouse=True)
def nobody_signed_in(server):
    """Each test starts with no agent online and no open tickets."""
    _, store = server
    yield
    for ticket in store.queue():
        store.claim(ticket.id, ticket.agent or "sam")
        store.close(ticket.id, ticket.agent or "sam")
    for agent in ("sam", "alex"):
        store.set_available(agent, False)


async def new_page(browser, url, viewport=None):
    context = await browser.new_context(viewport=viewport or {"width": 1000, "height": 800})
    page = await context.new_page()
    await page.goto(url)
    return page


async def agent_signs_in(browser, base, name="sam"):
    page = await new_page(browser, f"{base}/webhooks/helpline/login")
    await page.fill("#username", name)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/webhooks/helpline/")
    return page


async def worker_messages(page) -> list[str]:
    return [
        said(text).removeprefix("Helpline worker: ")
        for text in await page.locator(".hra-worker").all_inner_texts()
    ]


async def say_to_worker(page, text):
    """The person types while handed over: the assistant stays quiet, so no answer is awaited."""
    await page.fill("#hra-input", text)
    await page.press("#hra-input", "Enter")


async def web_person_asks_for_a_person(browser, base):
    """A worker signed in, and a person on a phone who has asked for a person and is queued."""
    worker = await agent_signs_in(browser, base)
    person = await new_page(browser, f"{base}/webhooks/web/", PHONE)
    await open_chat(person)
    assert "in the queue" in await ask(person, "can i talk to a real person please")
    return worker, person


async def test_web_person_and_worker_talk_and_the_assistant_comes_back(browser, server):
    base, store = server
    worker, person = await web_person_asks_for_a_person(browser, base)
    assert "chatting with the helpline" in await person.locator(".hra-typing").inner_text()

    # The queue updates by itself: the worker claims without reloading.
    await worker.get_by_role("button", name="Claim").click(timeout=10_000)
    await worker.wait_for_url(re.compile(r".*/tickets/\d+$"))
    await person.get_by_text("A helpline worker has joined the chat").wait_for(timeout=10_000)

    await say_to_worker(person, "is anyone there? im scared for my brother")
    transcript = worker.locator("#transcript")
    await transcript.get_by_text("im scared for my brother").wait_for(timeout=10_000)
    await worker.fill("#reply", "I'm here. You did the right thing reaching out.")
    await worker.click("text=Send")
    await person.locator(".hra-worker").first.wait_for(timeout=10_000)
    assert await worker_messages(person) == ["I'm here. You did the right thing reaching out."]

    # A crisis while handed over: the emergency reply at once, and flagged to the worker.
    reply = await ask(person, "hes turning blue and wont wake up")
    assert reply.startswith("Call 999 now") and "flagged this to the helpline team" in reply
    await transcript.locator(".urgent", has_text="crisis").wait_for(timeout=10_000)
    assert store.queue()[0].crisis_at is not None

    await worker.click("text=Hand back to the assistant")
    await worker.wait_for_url(f"{base}/webhooks/helpline/")
    await person.get_by_text("handed you back to me").wait_for(timeout=10_000)
    answer = await ask(person, "what is naloxone")
    assert "Source:" in answer and "naloxone" in answer.lower()
    assert "I can't answer right now" not in await person.locator(".hra-log").inner_text()
    assert store.queue() == []
    for page in (person, worker):
        await page.context.close()


def telegram_update(update_id, chat_id, text):
    chat = {"id": chat_id, "type": "private"}
    return {
        "update_id": update_id,
        "message": {"message_id": update_id, "date": 0, "chat": chat, "text": text},
    }


async def from_telegram(client, base, update_id, chat_id, text):
    async with client.post(
        f"{base}/webhooks/telegram/webhook",
        json=telegram_update(update_id, chat_id, text),
        headers=TELEGRAM,
    ) as answer:
        assert answer.status == 200


async def texts_to(telegram, chat_id, count, timeout=10.0):
    for _ in range(int(timeout / 0.05)):
        sent = [body["text"] for body in telegram.sent() if body.get("chat_id") == str(chat_id)]
        if len(sent) >= count:
            return sent
        await asyncio.sleep(0.05)
    raise AssertionError(f"chat {chat_id} got {sent}, wanted {count} messages")


async def test_telegram_person_and_worker_talk_and_the_assistant_comes_back(
    browser, server, telegram
):
    base, store = server
    chat = 5550101
    worker = await agent_signs_in(browser, base)
    async with aiohttp.ClientSession() as client:
        await from_telegram(client, base, 7001, chat, "can i speak to a human")
        sent = await texts_to(telegram, chat, 1)
        assert "in the queue" in sent[-1]

        await worker.get_by_role("button", name="Claim").click(timeout=10_000)
        sent = await texts_to(telegram, chat, 2)
        assert sent[-1] == "A helpline worker has joined the chat. You can talk to them here."

        await from_telegram(client, base, 7002, chat, "my partner is withdrawing & being sick")
        await (
            worker.locator("#transcript")
            .get_by_text("withdrawing & being sick")
            .wait_for(timeout=10_000)
        )
        await asyncio.sleep(1)
        assert len(await texts_to(telegram, chat, 2)) == 2  # the assistant stayed quiet
        await worker.fill("#reply", "That sounds hard. Is your partner drinking water?")
        await worker.click("text=Send")
        sent = await texts_to(telegram, chat, 3)
        assert sent[-1] == "Helpline worker: That sounds hard. Is your partner drinking water?"

        await worker.click("text=Close")
        sent = await texts_to(telegram, chat, 4)
        assert sent[-1].startswith("The helpline worker has closed the chat")
        await from_telegram(client, base, 7003, chat, "how long does withdrawal last")
        sent = await texts_to(telegram, chat, 5)
        assert "Source:" in sent[-1]
    assert store.queue() == []
    await worker.context.close()


async def test_nobody_online_a_message_is_left_and_the_worker_sees_it_on_starting(browser, server):
    base, store = server
    person = await new_page(browser, f"{base}/webhooks/web/", PHONE)
    await open_chat(person)
    offline = await ask(person, "i want to talk to a person")
    assert "nobody from our helpline is free" in offline and "Samaritans" in offline
    assert "Type your message" in await ask(person, "Leave a message")  # the button's title
    assert "with the team" in await ask(person, "please can someone tell me about rehab for my son")
    assert "please can someone tell me about rehab" in store.queue()[0].note

    worker = await agent_signs_in(browser, base)
    row = worker.locator("#queue tr", has_text="message left")
    await row.get_by_role("button", name="Claim").click()
    await worker.get_by_text("please can someone tell me about rehab for my son").first.wait_for()
    assert await worker.locator(".note").inner_text() == (
        "please can someone tell me about rehab for my son"
    )
    await worker.fill("#reply", "Hi, I read your message. Are you still there?")
    await worker.click("text=Send")
    await person.locator(".hra-worker").first.wait_for(timeout=10_000)
    await worker.click("text=Hand back to the assistant")
    await person.get_by_text("handed you back to me").wait_for(timeout=10_000)
    for page in (person, worker):
        await page.context.close()


async def test_an_away_worker_is_not_offered_and_going_available_is(browser, server):
    base, _ = server
    worker = await agent_signs_in(browser, base)
    await worker.click("text=Go away")
    async with aiohttp.ClientSession() as client:
        reply = await rest(client, base, "away-test", "can i talk to a real person")
        assert "nobody from our helpline is free" in reply
        await worker.click("text=Become available")
        reply = await rest(client, base, "away-test-2", "can i talk to a real person")
        assert "in the queue" in reply
    await worker.context.close()


async def rest(client, base, sender, text) -> str:
    async with client.post(
        f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": text}
    ) as answer:
        return "\n".join(message.get("text") or "" for message in await answer.json())


async def test_a_person_waiting_when_the_last_worker_leaves_is_told_and_answered_again(
    browser, server
):
    base, store = server
    worker = await agent_signs_in(browser, base)
    async with aiohttp.ClientSession() as client:
        assert "in the queue" in await rest(client, base, "left-waiting", "talk to a human")
        assert await rest(client, base, "left-waiting", "hello?") == ""  # waiting quietly
        await worker.click("text=Sign out")
        told = await rest(client, base, "left-waiting", "is anyone there")
        assert told.startswith("Sorry, the helpline workers have had to go")
        assert "Samaritans" in told and "call 999 now" in told
        assert store.open_for("rest:left-waiting").kind == "message"  # the team sees it later
        assert "Source:" in await rest(client, base, "left-waiting", "what is naloxone")
    await worker.context.close()


async def test_a_worker_reply_sent_while_the_persons_page_was_away_is_not_lost(browser, server):
    base, _ = server
    worker, person = await web_person_asks_for_a_person(browser, base)
    await worker.get_by_role("button", name="Claim").click(timeout=10_000)
    await person.get_by_text("A helpline worker has joined the chat").wait_for(timeout=10_000)

    await person.goto("about:blank")  # the phone sleeps: the socket is gone
    await worker.fill("#reply", "Are you still there? Take your time.")
    await worker.click("text=Send")
    await person.goto(f"{base}/webhooks/web/")  # back in the same tab: same conversation
    await person.locator(".hra-worker").first.wait_for(timeout=10_000)
    assert await worker_messages(person) == ["Are you still there? Take your time."]
    assert await person.get_by_text("A helpline worker has joined the chat").count() == 1
    await worker.click("text=Hand back to the assistant")
    for page in (person, worker):
        await page.context.close()
