"""The real Rasa server with our Telegram channel, pointed at the fake Bot API server.

One `rasa run` subprocess for the module (trained model, real action server, HTTP API on
loopback); updates are posted to its webhook as Telegram would post them."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from tests.harness import rasa_server

TOKEN = "123456:TEST-token"
SECRET = "e2e-secret"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


@pytest.fixture(scope="module")
def rasa_url(telegram, action_server_url, tmp_path_factory):
    env = {
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_SECRET_TOKEN": SECRET,
        "TELEGRAM_API_URL": telegram.url,
        "TELEGRAM_BOT_USERNAME": "hr_helper_bot",
    }
    with rasa_server(action_server_url, env, tmp_path_factory.mktemp("rasa")) as url:
        yield url


async def post(url: str, body, headers=HEADERS) -> int:
    data = body if isinstance(body, bytes | str) else None
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{url}/webhooks/telegram/webhook",
            data=data,
            json=None if data is not None else body,
            headers=headers,
        ) as response,
    ):
        return response.status


def update(update_id: int, chat_id: int, **message) -> dict:
    chat = {"id": chat_id, "type": "private"}
    return {
        "update_id": update_id,
        "message": {"message_id": 1, "date": 0, "chat": chat, **message},
    }


def replies_to(telegram, chat_id: int) -> list[dict]:
    return [body for body in telegram.sent() if body.get("chat_id") == str(chat_id)]


async def wait_for_reply(telegram, chat_id: int, count: int = 1) -> list[dict]:
    for _ in range(200):
        found = replies_to(telegram, chat_id)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"no reply to chat {chat_id}")


@pytest.mark.parametrize(
    "headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}], ids=["none", "wrong"]
)
async def test_a_post_without_the_secret_token_is_refused(rasa_url, telegram, headers):
    status = await post(rasa_url, update(1, 100, text="hi"), headers=headers)
    assert status == 403 and replies_to(telegram, 100) == []


async def test_a_body_that_is_not_json_is_a_clear_error(rasa_url):
    assert await post(rasa_url, b"\xff\xfe not json") == 400


async def test_a_crisis_gets_the_emergency_number_and_the_flow_buttons(rasa_url, telegram):
    assert await post(rasa_url, update(2, 201, text="my mate wont wake up")) == 200
    first = (await wait_for_reply(telegram, 201))[0]
    assert first["text"].startswith("Call 999 now")
    titles = [row[0]["text"] for row in first["reply_markup"]["inline_keyboard"]]
    assert "I have naloxone" in titles


async def test_a_voice_note_gets_a_reply_with_the_emergency_number(rasa_url, telegram):
    await post(rasa_url, update(3, 202, voice={"file_id": "x", "duration": 2}))
    reply = (await wait_for_reply(telegram, 202))[0]
    assert "voice notes" in reply["text"] and "call 999" in reply["text"]


async def test_start_gets_the_greeting(rasa_url, telegram):
    await post(rasa_url, update(4, 203, text="/start"))
    assert "not a doctor" in (await wait_for_reply(telegram, 203))[0]["text"]


async def test_a_button_press_is_answered_and_followed(rasa_url, telegram):
    # The flow's buttons are offered first, as they would be: an unoffered payload is words.
    await post(rasa_url, update(20, 204, text="my friend is not breathing"))
    before = len(await wait_for_reply(telegram, 204))
    chat = {"id": 204, "type": "private"}
    query = {
        "id": "cb-e2e",
        "from": {"id": 204},
        "message": {"message_id": 5, "date": 0, "chat": chat},
        "data": "/emergency_has_naloxone",
    }
    await post(rasa_url, {"update_id": 5, "callback_query": query})
    reply = (await wait_for_reply(telegram, 204, count=before + 1))[before]
    assert reply["text"].startswith("Give it now")
    assert {"callback_query_id": "cb-e2e"} in telegram.sent("answerCallbackQuery")


async def test_a_worker_reply_sent_later_reaches_the_person(rasa_url, telegram):
    await post(rasa_url, update(6, 205, text="hello"))
    await wait_for_reply(telegram, 205)
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{rasa_url}/conversations/telegram:205/tracker/events",
            params={"output_channel": "latest", "execute_side_effects": "true"},
            json=[{"event": "bot", "text": "Hi, this is Sam from the helpline."}],
        ) as response,
    ):
        assert response.status == 200
    texts = [body["text"] for body in await wait_for_reply(telegram, 205, count=2)]
    assert "Hi, this is Sam from the helpline." in texts


async def test_telegram_rate_limiting_delays_but_does_not_lose_the_reply(rasa_url, telegram):
    telegram.fail("sendMessage", 429, retry_after=1)
    await post(rasa_url, update(7, 206, text="what is naloxone"))
    reply = (await wait_for_reply(telegram, 206))[0]
    assert "Naloxone is a medicine" in reply["text"]
