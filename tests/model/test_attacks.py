"""The penetration test's attacks on conversations, rerun against a real `rasa run`: each test
performs one and fails if it works again. (Console attacks: test_helpline_console.py.)"""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from tests import socketio_client
from tests.harness import action_server, free_port, rasa_server

SECRET = {"X-Telegram-Bot-Api-Secret-Token": "attack-secret"}


@pytest.fixture(scope="module")
def server(tmp_path_factory, telegram):
    workdir = tmp_path_factory.mktemp("attacks")
    port = free_port()
    env = {
        "HRA_WEB_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}",
        "HRA_SECRET_KEY": "attack-tests-key",
        "TELEGRAM_TOKEN": "123456:TEST-token",
        "TELEGRAM_SECRET_TOKEN": SECRET["X-Telegram-Bot-Api-Secret-Token"],
        "TELEGRAM_API_URL": telegram.url,
        # One address (loopback) for every test here: room for the tests above the last
        # two, which check that these limits hold.
        "HRA_ADDRESS_MESSAGES_PER_MINUTE": "30",
        "HRA_ADDRESS_MESSAGE_BURST": "40",
        "HRA_ADDRESS_SESSIONS_PER_MINUTE": "60",
    }
    with action_server(env) as actions_url, rasa_server(actions_url, env, workdir, port):
        yield f"http://127.0.0.1:{port}"


async def rest(base: str, sender: str, message: str) -> list[dict]:
    async with (
        aiohttp.ClientSession() as client,
        client.post(
            f"{base}/webhooks/rest/webhook", json={"sender": sender, "message": message}
        ) as answer,
    ):
        assert answer.status == 200, await answer.text()
        return await answer.json()


def texts(replies) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


async def on_telegram(base: str, telegram, chat_id: int, text: str, update_id: int) -> str:
    """Sends a private Telegram message; returns what the bot sent back to that chat."""
    before = len(telegram.sent())
    update = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id},
            "text": text,
        },
    }
    async with (
        aiohttp.ClientSession() as client,
        client.post(f"{base}/webhooks/telegram/webhook", json=update, headers=SECRET) as answer,
    ):
        assert answer.status == 200
    sent = await telegram.wait_for("sendMessage", before + 1)
    return "\n".join(m["text"] for m in sent[before:] if m["chat_id"] == str(chat_id))


async def events(base: str, conversation: str) -> list[dict]:
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"{base}/conversations/{conversation}/tracker") as answer,
    ):
        return (await answer.json())["events"]


def said(stored: list[dict]) -> list[str]:
    return [event.get("text") or "" for event in stored if event["event"] == "user"]


async def test_a_rest_caller_naming_a_telegram_chat_cannot_touch_that_conversation(
    server, telegram
):
    chat = 7001
    await on_telegram(server, telegram, chat, "what is naloxone", 1)
    for sender in (str(chat), f"telegram:{chat}"):
        await rest(server, sender, '/referral_set_region{"region": "australia"}')
        await rest(server, sender, "/privacy_delete_confirmed")
        await rest(server, sender, "/human_handoff")
    reply = await on_telegram(server, telegram, chat, "my mate wont wake up", 2)
    assert reply.startswith("Call 999 now"), reply  # not Australia's 000
    assert said(await events(server, f"telegram:{chat}")) == [
        "what is naloxone",
        "my mate wont wake up",
    ]


@pytest.mark.parametrize("typed", ["/privacy_delete_confirmed", "/restart", "/session_start"])
async def test_a_typed_payload_that_was_not_offered_is_read_as_words(server, typed):
    sender = f"typed-{typed.strip('/')}"
    await rest(server, sender, "what is naloxone")
    reply = await rest(server, sender, typed)
    stored = await events(server, f"rest:{sender}")
    assert said(stored) == ["what is naloxone", typed.lstrip("/")]  # nothing deleted or reset
    assert "Done: this conversation is deleted" not in texts(reply)
    reply = await rest(server, sender, "my mate wont wake up")
    assert texts(reply).startswith("Call 999 now")


async def test_a_typed_region_payload_is_not_a_payload(server):
    sender = "typed-region"
    await rest(server, sender, '/referral_set_region{"region": "australia"}{"x": 1}')
    stored = said(await events(server, f"rest:{sender}"))
    assert stored == ['referral_set_region{"region": "australia"}{"x": 1}']


async def test_an_offered_button_still_works_when_tapped(server):
    offer = await rest(server, "tap-1", "please delete our conversation")
    payload = offer[0]["buttons"][0]["payload"]
    assert payload == "/privacy_delete_confirmed"
    done = await rest(server, "tap-1", payload)
    assert texts(done).startswith("Done: this conversation is deleted")


async def test_the_rest_channel_needs_a_sender_and_shares_no_default_conversation(server):
    async with aiohttp.ClientSession() as client:
        for body in ({"message": "hi"}, {"sender": "", "message": "hi"}):
            async with client.post(f"{server}/webhooks/rest/webhook", json=body) as answer:
                assert answer.status == 400
                assert "sender" in (await answer.json())["error"]


async def test_a_huge_message_with_crisis_words_does_not_hold_up_anyone_else(server):
    huge = "my mate wont wake up and hes going blue 07700 900123. " * 3600  # 198 kB
    assert len(huge.encode()) < 200_000

    async def bystander() -> float:
        await asyncio.sleep(0.3)  # while the huge one is being read
        started = time.perf_counter()
        reply = await rest(server, "bystander-1", "what is naloxone")
        assert "Source:" in texts(reply)
        return time.perf_counter() - started

    started = time.perf_counter()
    big, waited = await asyncio.gather(rest(server, "huge-1", huge), bystander())
    assert texts(big).startswith("Call 999 now")  # the crisis in it is still answered
    assert waited < 5, f"a bystander waited {waited:.1f} s"  # it was 32 s before the fix
    assert time.perf_counter() - started < 20
    stored = said(await events(server, "rest:huge-1"))
    assert len(stored[0]) <= 2000 and "07700" not in stored[0]  # cut, then masked


async def web_client(base: str):
    client = socketio_client.client()
    got: dict[str, list] = {"confirm": [], "bot": []}
    client.on("session_confirm", lambda token: got["confirm"].append(token))
    client.on("bot_uttered", lambda message: got["bot"].append(message))
    await client.connect(base, socketio_path="/socket.io", headers={"Origin": base})
    return client, got


async def until(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_a_made_up_or_guessed_web_session_id_starts_a_new_conversation(server):
    person, theirs = await web_client(server)
    await person.emit("session_request", {"session_id": None})
    await until(lambda: theirs["confirm"])
    token = theirs["confirm"][0]
    web_id = token.split(".")[0]
    await person.emit("user_uttered", {"message": "what is naloxone", "session_id": token})
    await until(lambda: theirs["bot"])

    stranger, got = await web_client(server)
    for guess in (web_id, web_id + ".forged", "0" * 32):
        await stranger.emit("session_request", {"session_id": guess, "since": 0})
    await until(lambda: len(got["confirm"]) == 3)
    assert all(web_id not in issued for issued in got["confirm"])
    await asyncio.sleep(0.5)
    assert got["bot"] == []  # nothing of the person's history
    await person.disconnect()
    await stranger.disconnect()


async def test_missed_messages_go_only_to_the_socket_that_asked(server):
    first, first_got = await web_client(server)
    await first.emit("session_request", {"session_id": None})
    await until(lambda: first_got["confirm"])
    token = first_got["confirm"][0]
    await first.emit("user_uttered", {"message": "what is naloxone", "session_id": token})
    await until(lambda: first_got["bot"])
    seen = len(first_got["bot"])

    second, second_got = await web_client(server)  # the same person's other tab
    await second.emit("session_request", {"session_id": token, "since": 0})
    await until(lambda: second_got["bot"])
    await asyncio.sleep(0.5)
    assert len(first_got["bot"]) == seen  # the replay was not broadcast to the room
    await first.disconnect()
    await second.disconnect()


async def test_a_socket_that_changes_conversation_leaves_the_old_one(server):
    watcher, got = await web_client(server)
    await watcher.emit("session_request", {"session_id": None})
    await until(lambda: got["confirm"])
    old = got["confirm"][0]
    await watcher.emit("session_request", {"session_id": None})
    await until(lambda: len(got["confirm"]) == 2)

    owner, owner_got = await web_client(server)
    await owner.emit("session_request", {"session_id": old})
    await until(lambda: owner_got["confirm"])
    await owner.emit("user_uttered", {"message": "what is naloxone", "session_id": old})
    await until(lambda: owner_got["bot"])
    await asyncio.sleep(0.5)
    assert got["bot"] == []  # the old room's replies no longer reach the watcher
    await watcher.disconnect()
    await owner.disconnect()


async def test_session_requests_are_rate_limited_per_address(server):
    client, got = await web_client(server)
    for _ in range(40):
        await client.emit("session_request", {"session_id": None})
    await asyncio.sleep(2)
    assert 1 <= len(got["confirm"]) < 40
    await client.disconnect()


async def test_many_conversations_from_one_address_are_slowed_but_a_crisis_never_is(server):
    answers = [texts(await rest(server, f"many-{number}", "hi")) for number in range(60)]
    assert sum("faster than I can answer" in answer for answer in answers) >= 10
    reply = await rest(server, "many-crisis", "my mate wont wake up")
    assert texts(reply).startswith("Call 999 now")
    # The limit refills one message every 2 s: use up whatever came back during the crisis
    # reply, so the made-up payload meets an empty allowance whatever this machine's speed.
    for number in range(10):
        if "faster than I can answer" in texts(await rest(server, f"drain-{number}", "hi")):
            break
    fake = await rest(server, "many-fake", "/emergency_called")  # typed, not offered
    assert "faster than I can answer" in texts(fake)
