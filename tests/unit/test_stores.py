"""bot/stores/sql_tracker.py reads conversations back as Rasa's SQL store does, and
bot/speedups.py judges the action server's replies as Rasa does."""

import json

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
    deserialise_events,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import speedups
from bot.stores.sql_tracker import ResilientSQLTrackerStore, events_from_json

DOMAIN = Domain.from_yaml(
    """
intents: [greet, emergency]
slots:
  region: {type: text, influence_conversation: false, mappings: [{type: custom}]}
responses:
  utter_greet: [{text: hi}]
"""
)


def conversation() -> list:
    intent = {"name": "emergency", "confidence": 0.97}
    parse = {"intent": intent, "entities": [], "intent_ranking": [intent], "text": "help"}
    return [
        ActionExecuted("action_session_start", timestamp=1.0),
        SessionStarted(timestamp=2.0),
        ActionExecuted("action_listen", timestamp=3.0),
        UserUttered(
            "help", parse["intent"], [], parse, timestamp=4.0, input_channel="web", message_id="m1"
        ),
        SlotSet("region", "uk-ireland", timestamp=5.0),
        ActiveLoop("helpline_message_form", timestamp=6.0),
        LoopInterrupted(True, timestamp=7.0),
        FollowupAction("action_listen", timestamp=8.0),
        BotUttered(
            "Call 999 now.", {"buttons": [{"title": "x", "payload": "/emergency"}]}, timestamp=9.0
        ),
        ConversationPaused(timestamp=10.0),
        ConversationResumed(timestamp=11.0),
        Restarted(timestamp=12.0),
    ]


def test_stored_events_read_back_as_rasa_reads_them():
    stored = [json.dumps(event.as_dict()) for event in conversation()]
    ours = events_from_json(stored)
    assert ours == deserialise_events([json.loads(data) for data in stored])
    assert [type(event) for event in ours] == [type(event) for event in conversation()]
    assert ours[3].parse_data["intent"]["name"] == "emergency"


def test_an_unknown_event_is_refused_as_rasa_refuses_it():
    with pytest.raises(ValueError, match="Unknown event name"):
        events_from_json(['{"event": "no_such_event", "timestamp": 1}'])
    assert events_from_json(['{"timestamp": 1}']) == []


async def test_the_store_gives_back_the_latest_session_with_its_slots(tmp_path):
    store = ResilientSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    earlier = [ActionExecuted("action_session_start", timestamp=0.1), SessionStarted(timestamp=0.2),
               SlotSet("region", "us", timestamp=0.3)]  # fmt: skip
    await store.save(DialogueStateTracker.from_events("someone", earlier + conversation()[:5]))
    tracker = await store.retrieve("someone")
    # From the latest session start on (its action_session_start is older, as in Rasa's store).
    assert list(tracker.events) == conversation()[1:5]
    assert tracker.get_slot("region") == "uk-ireland"
    assert len((await store.retrieve_full_tracker("someone")).events) == 8
    assert await store.retrieve("nobody") is None


REPLY = {"events": [{"event": "slot", "name": "region", "value": "us"}],
         "responses": [{"text": "Call 911 now."}]}  # fmt: skip


@pytest.mark.parametrize(
    "reply",
    [
        REPLY,
        {"events": []},
        {"events": "not a list"},
        {"responses": [{"text": 5}]},
        {"events": [{"event": 3}]},
        {},
    ],  # fmt: skip
)
def test_replies_are_judged_as_rasa_judges_them(reply):
    schema = RemoteAction.action_response_format_spec()
    try:
        jsonschema.validate(reply, schema)
        expected = None
    except jsonschema.ValidationError as error:
        expected = error.message
    action = RemoteAction("action_emergency_advice", None)
    if expected is None:
        assert speedups._validate_action_result(action, reply) is True
    else:
        with pytest.raises(jsonschema.ValidationError) as raised:
            speedups._validate_action_result(action, reply)
        assert raised.value.message.startswith(expected)
        assert "Failed to validate Action server response" in raised.value.message


def test_install_replaces_rasas_check(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", lambda *_: "rasa's")
    speedups.install()
    assert RemoteAction("x", None)._validate_action_result({"events": []}) is True
