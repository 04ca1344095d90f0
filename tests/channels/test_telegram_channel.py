"""The Telegram channel against the fake Bot API server: every kind of update, the secret
token, retries, duplicates and failures. The assistant is replaced by an echo, so these run
without a trained model; tests/model/test_telegram_end_to_end.py runs the real one."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.channels.telegram import TelegramInput
from bot.settings import get_settings
from bot.telegram.api import BotApi, TelegramError
from tests.fakes.telegram_server import FakeTelegram

TOKEN = "123456:TEST-token"  # the shape Telegram uses
SECRET = "s3cret-token"
PRIVATE = {"id": 42, "type": "private"}


def message(**fields):
    return {"message_id": 1, "date": 0, "chat": PRIVATE, "from": {"id": 42}, **fields}


@pytest.fixture
async def telegram():
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def channel(telegram):
    settings = replace(
        get_settings().telegram,
        token=TOKEN,
        secret_token=SECRET,
        api_url=telegram.url,
        bot_username="hr_helper_bot",
    )
    return TelegramInput(settings)


@pytest.fixture
def assistant():
    """Stands in for Rasa: records what it was told and answers with buttons."""
    received = []

    async def on_new_message(user_message, made_by_channel=False):
        user_message.made_by_channel = made_by_channel  # what the guard is told
        received.append(user_message)
        await user_message.output_channel.send_text_with_buttons(
            user_message.sender_id,
            f"you said: {user_message.text} <b>&",
            [{"title": "Someone needs help now", "payload": "/emergency"}],
        )

    on_new_message.received = received
    return on_new_message


async def test_text_reaches_the_assistant_and_the_reply_is_escaped_with_a_keyboard(
    channel, assistant, telegram
):
    await channel.handle(
        {"update_id": 1, "message": message(text="how do i use narcan")}, assistant
    )
    assert [m.text for m in assistant.received] == ["how do i use narcan"]
    assert assistant.received[0].sender_id == "telegram:42"
    assert assistant.received[0].made_by_channel is False  # typed: the guard checks it
    sent = telegram.sent()[0]
    assert sent["chat_id"] == "42" and sent["parse_mode"] == "HTML"
    assert sent["text"] == "you said: how do i use narcan &lt;b&gt;&amp;"
    assert sent["reply_markup"] == {
        "inline_keyboard": [[{"text": "Someone needs help now", "callback_data": "/emergency"}]]
    }


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        ({"message": message(text="/start")}, "/chat_greet"),
        ({"edited_message": message(text="he wont wake up", edit_date=1)}, "he wont wake up"),
        ({"message": message(voice={"file_id": "v", "duration": 3})}, "/chat_media"),
        ({"message": message(video_note={"file_id": "v", "length": 1})}, "/chat_media"),
        ({"message": message(sticker={"file_id": "s", "type": "regular"})}, "/chat_media"),
        ({"message": message(photo=[{"file_id": "p", "width": 1, "height": 1}])}, "/chat_media"),
        ({"message": message(document={"file_id": "d"}, caption="look")}, "/chat_media"),
        (
            {"message": message(location={"latitude": 55.86, "longitude": -4.25})},
            '/referral_set_region{"region": "scotland"}',
        ),
        (
            {"message": message(location={"latitude": 0.0, "longitude": 0.0})},
            "/referral_set_region",
        ),
    ],
)
async def test_every_kind_of_message_gets_something_the_assistant_answers(
    channel, assistant, update, expected
):
    await channel.handle({"update_id": 7, **update}, assistant)
    assert [m.text for m in assistant.received] == [expected]


async def test_a_button_press_is_answered_so_it_stops_spinning(channel, assistant, telegram):
    query = {"id": "cb1", "from": {"id": 42}, "message": message(text="x"), "data": "/emergency"}
    await channel.handle({"update_id": 2, "callback_query": query}, assistant)
    assert telegram.sent("answerCallbackQuery") == [{"callback_query_id": "cb1"}]
    assert [m.text for m in assistant.received] == ["/emergency"]
    assert assistant.received[0].made_by_channel is False  # offered here? the guard checks


async def test_only_what_the_channel_makes_itself_is_trusted_as_a_payload(channel, assistant):
    await channel.handle({"update_id": 11, "message": message(text="/start")}, assistant)
    await channel.handle({"update_id": 12, "message": message(text="/restart")}, assistant)
    await channel.handle({"update_id": 13, "message": message(photo=[{"file_id": "x"}])}, assistant)
    made = [(m.text, m.made_by_channel) for m in assistant.received]
    assert made == [("/chat_greet", True), ("/restart", False), ("/chat_media", True)]


@pytest.mark.parametrize("recipient", ["42", "web:42", "rest:42", "telegram:"])
async def test_the_output_sends_nothing_to_a_conversation_that_is_not_a_telegram_chat(
    channel, telegram, recipient
):
    output = channel.get_output_channel()
    await output.send_text_message(recipient, "a worker's reply")
    await output.send_image_url(recipient, "https://example.org/x.png")
    assert telegram.calls == []


async def test_long_button_payloads_survive_the_64_byte_limit(channel, assistant, telegram):
    long_payload = '/referral_contacts{"need": "needle_exchange", "note": "' + "x" * 60 + '"}'

    async def with_long_button(user_message, made_by_channel=False):
        await user_message.output_channel.send_text_with_buttons(
            "telegram:42", "pick", [{"title": "More", "payload": long_payload}]
        )

    await channel.handle({"update_id": 3, "message": message(text="hi")}, with_long_button)
    data = telegram.sent()[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert len(data.encode()) <= 64
    query = {"id": "cb2", "from": {"id": 42}, "message": message(text="x"), "data": data}
    await channel.handle({"update_id": 4, "callback_query": query}, assistant)
    assert assistant.received[-1].text == long_payload


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 5, "channel_post": {"chat": {"id": -100, "type": "channel"}, "text": "x"}},
        {"update_id": 5, "my_chat_member": {"chat": PRIVATE}},
        {"update_id": 5, "poll": {"id": "p"}},
        {"update_id": 5, "message": {"text": "no chat"}},
        {"update_id": 5, "message": message(new_chat_members=[{"id": 1}])},
        {"update_id": 5, "message": message(chat={"id": -5, "type": "group"}, text="hello all")},
        {"update_id": 5},
        ["not", "an", "update"],
    ],
)
async def test_updates_with_nothing_to_answer_are_ignored(channel, assistant, telegram, update):
    await channel.handle(update, assistant)
    assert assistant.received == [] and telegram.calls == []


async def test_in_a_group_it_answers_only_when_addressed(channel, assistant):
    group = {"id": -5, "type": "supergroup"}
    await channel.handle(
        {"update_id": 6, "message": message(chat=group, text="@hr_helper_bot naloxone?")},
        assistant,
    )
    assert [m.text for m in assistant.received] == ["/chat_group"]


async def test_a_repeated_update_is_handled_once(channel, assistant):
    update = {"update_id": 9, "message": message(text="hello")}
    await channel.handle(update, assistant)
    await channel.handle(update, assistant)
    assert len(assistant.received) == 1


async def test_a_failure_inside_an_update_still_gives_the_emergency_number(channel, telegram):
    async def broken(user_message, made_by_channel=False):
        raise RuntimeError("the assistant fell over")

    await channel.handle({"update_id": 10, "message": message(text="help")}, broken)
    assert "call 999 now" in telegram.sent()[0]["text"]


async def test_long_replies_are_split_under_telegrams_limit(channel, telegram):
    async def long_answer(user_message, made_by_channel=False):
        await user_message.output_channel.send_text_message("telegram:42", "line of text\n" * 800)

    await channel.handle({"update_id": 11, "message": message(text="hi")}, long_answer)
    texts = [body["text"] for body in telegram.sent()]
    assert len(texts) == 3 and all(len(text) <= 4096 for text in texts)


async def test_429_waits_retry_after_then_succeeds(telegram):
    telegram.fail("sendMessage", 429, retry_after=1)
    api = BotApi(TOKEN, telegram.url, backoff=0.01)
    await api.call("sendMessage", chat_id=1, text="hi")
    assert len(telegram.sent()) == 2
    await api.close()


async def test_5xx_backs_off_and_gives_up_with_a_clear_error(telegram):
    telegram.fail("sendMessage", 502, times=5)
    api = BotApi(TOKEN, telegram.url, attempts=3, backoff=0.01)
    with pytest.raises(TelegramError, match="sendMessage: 502"):
        await api.call("sendMessage", chat_id=1, text="hi")
    assert len(telegram.sent()) == 3
    await api.close()


async def test_a_4xx_is_not_retried(telegram):
    telegram.fail("sendMessage", 400)
    api = BotApi(TOKEN, telegram.url, backoff=0.01)
    with pytest.raises(TelegramError, match="400"):
        await api.call("sendMessage", chat_id=1, text="hi")
    assert len(telegram.sent()) == 1
    await api.close()


async def test_an_unreachable_server_is_a_clear_error():
    api = BotApi(TOKEN, "http://127.0.0.1:9", attempts=2, backoff=0.01, timeout=1)
    with pytest.raises(TelegramError, match="no response"):
        await api.call("getMe")
    await api.close()


def test_webhook_bodies_are_json_updates():
    # The documented shape of a text update, as Telegram posts it.
    update = json.loads(
        '{"update_id": 1, "message": {"message_id": 1, "date": 0, '
        '"chat": {"id": 42, "type": "private"}, "text": "hi"}}'
    )
    from bot.telegram.updates import read_update

    incoming = read_update(update, "hr_helper_bot")
    assert incoming is not None and (incoming.chat_id, incoming.text) == ("42", "hi")


async def test_the_webhook_is_set_only_by_the_command_with_the_secret(telegram, monkeypatch):
    from bot.channels import telegram_webhook

    settings = replace(
        get_settings().telegram,
        token=TOKEN,
        secret_token=SECRET,
        api_url=telegram.url,
        webhook_url="https://chat.example.org/webhooks/telegram/webhook",
    )
    monkeypatch.setattr(
        telegram_webhook, "get_settings", lambda: replace(get_settings(), telegram=settings)
    )
    await telegram_webhook.run("set")
    sent = telegram.sent("setWebhook")[0]
    assert sent["url"] == "https://chat.example.org/webhooks/telegram/webhook"
    assert sent["secret_token"] == SECRET
    assert sent["allowed_updates"] == ["message", "edited_message", "callback_query"]
    info = await telegram_webhook.run("info")
    assert info == {"pending_update_count": 0, "url_set": True}  # the URL itself is not printed
