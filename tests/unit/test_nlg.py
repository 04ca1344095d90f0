"""The response generator: the emergency number follows the region, and a second need is
offered as a button under the first answer."""

from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlg import RegionalResponseGenerator
from bot.referrals import directory


@pytest.fixture(scope="module")
def rasa_domain(domain) -> Domain:
    return Domain.from_dict(domain)


@pytest.fixture(scope="module")
def generator(rasa_domain) -> RegionalResponseGenerator:
    found = RegionalResponseGenerator(domain=rasa_domain)
    found.slots = rasa_domain.slots  # for the trackers these tests build
    return found


def tracker_with(generator, region=None, parse_data=None) -> DialogueStateTracker:
    events = []
    if parse_data:
        events.append(
            UserUttered(
                parse_data["text"],
                intent=parse_data["intent"],
                entities=parse_data["entities"],
                parse_data=parse_data,
            )
        )
    if region:
        events.append(SlotSet("region", region))
    return DialogueStateTracker.from_events("nlg-test", events, slots=generator.slots)


def say(generator, action, tracker, channel="rest"):
    return asyncio.run(generator.generate(action, tracker, channel))


@pytest.mark.parametrize(
    ("region", "number"),
    [("united_states", "911"), ("australia", "000"), ("ireland", "112"), ("england", "999")],
)
def test_the_number_in_an_answer_is_the_regions_own(generator, region, number):
    expected = directory().region(region).emergency_number
    assert expected == number or number in directory().region(region).emergency_numbers
    text = say(generator, "utter_out_of_scope", tracker_with(generator, region))["text"]
    assert f"call {expected}" in text


def test_an_unknown_or_forged_region_gets_the_default_number(generator):
    default = directory().region(None).emergency_number
    text = say(generator, "utter_out_of_scope", tracker_with(generator, "atlantis"))["text"]
    assert f"call {default}" in text


def test_a_second_need_is_offered_as_a_button_under_the_first_answer(generator):
    parsed = {
        "text": "how long does withdrawal last and can i drink on methadone",
        "intent": {"name": "withdrawal_timeline", "confidence": 0.4},
        "second_need": {"name": "safer_use_mixing"},
        "entities": [],
    }
    reply = say(generator, "utter_withdrawal_timeline", tracker_with(generator, None, parsed))
    assert reply["buttons"][0]["payload"] == "/safer_use_mixing"
    assert reply["buttons"][0]["title"].startswith("Also: ")
    other = say(generator, "utter_out_of_scope", tracker_with(generator, None, parsed))
    assert all(b["payload"] != "/safer_use_mixing" for b in other["buttons"])


def test_the_widget_is_told_the_number_of_a_region_named_in_passing(generator):
    parsed = {
        "text": "how do i get naloxone in ohio",
        "intent": {"name": "naloxone_where_to_get", "confidence": 0.9},
        "entities": [
            {"entity": "region", "value": "united_states", "extractor": "PlaceDetectorComponent"}
        ],
    }
    tracker = tracker_with(generator, "united_states", parsed)
    web = say(generator, "utter_naloxone_where_to_get", tracker, "socketio")
    assert web["custom"] == {"emergency_number": "911"}
    assert "custom" not in say(generator, "utter_naloxone_where_to_get", tracker, "telegram")


def message(text: str, intent: str) -> dict:
    return {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}


@pytest.mark.parametrize("region", [None, "england", "united_states"])
def test_someone_worried_about_a_family_members_drinking_gets_the_familys_answer(generator, region):
    worried = message("my husband drinks too much, what can i do", "drugs_alcohol_cut_down")
    text = say(generator, "utter_drugs_alcohol_cut_down", tracker_with(generator, region, worried))
    assert text["text"].startswith("When someone you love drinks too much")
    own = message("i drink too much, how do i cut down", "drugs_alcohol_cut_down")
    text = say(generator, "utter_drugs_alcohol_cut_down", tracker_with(generator, region, own))
    assert not text["text"].startswith("When someone you love")
    if region == "england":
        assert "14 units" in text["text"]  # the region's own variant still comes for the person
