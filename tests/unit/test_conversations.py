"""Conversation ids carry their channel, and typed text is never taken for a button."""

from __future__ import annotations

import pytest
from rasa.shared.core.events import BotUttered, UserUttered

from bot.channels.guard import as_typed, offered_payloads
from bot.conversations import channel_of, conversation_id, native_id


def test_an_id_is_the_channel_and_the_channels_own_id():
    assert conversation_id("telegram", "42") == "telegram:42"
    assert channel_of("telegram:42") == "telegram" and native_id("telegram:42", "telegram") == "42"
    assert conversation_id("rest", "telegram:42") == "rest:telegram:42"  # still REST's own
    assert channel_of("rest:telegram:42") == "rest"
    assert native_id("rest:telegram:42", "telegram") is None


@pytest.mark.parametrize("stored", ["42", "default", "web", "web:", "sms:42", ""])
def test_a_bare_or_unknown_id_belongs_to_no_channel(stored):
    assert channel_of(stored) is None
    assert all(native_id(stored, channel) is None for channel in ("web", "telegram", "rest"))


@pytest.mark.parametrize("channel, own", [("sms", "1"), ("web", ""), ("rest", "x" * 201)])
def test_an_id_cannot_be_made_for_an_unknown_channel_or_an_empty_or_huge_id(channel, own):
    with pytest.raises(ValueError):
        conversation_id(channel, own)


def test_the_payloads_offered_are_those_of_the_assistants_buttons():
    events = [
        UserUttered("please delete our conversation"),
        BotUttered("Sure?", data={"buttons": [{"title": "Yes", "payload": "/privacy_delete"}]}),
        BotUttered("hi", data={"buttons": [{"title": "x", "payload": {"not": "a string"}}]}),
        BotUttered(data={"custom": {"handoff": "waiting"}}),
    ]
    assert offered_payloads(events) == {"/privacy_delete"}


@pytest.mark.parametrize(
    "typed, read_as",
    [
        ("/privacy_delete_confirmed", "privacy_delete_confirmed"),
        (
            '  /referral_set_region{"region":"australia"}',
            'referral_set_region{"region":"australia"}',
        ),
        ("//restart", "restart"),
        ("/ my mate wont wake up", "my mate wont wake up"),
        ("/", "?"),
        ("what is /naloxone", "what is /naloxone"),
    ],
)
def test_typed_text_that_looks_like_a_payload_is_read_as_words(typed, read_as):
    assert as_typed(typed) == read_as
