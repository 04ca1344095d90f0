"""Referrals through the trained model and the real action server, as a person has them."""

import pytest


def texts(replies):
    return [reply.get("text", "") for reply in replies]


async def test_asked_where_they_are_then_given_that_regions_contacts(chat):
    answer = await chat("can u get naloxone free")
    button = next(b for b in answer[0]["buttons"] if b["title"] == "Find a service near me")
    asked = await chat(button["payload"])
    assert asked[0]["text"].startswith("Where are you?")
    replies = texts(await chat("im in cardiff"))
    assert replies[0].startswith("Got it: Wales") and "DAN 24/7" in replies[1]
    assert "call 999 now" in replies[1]


@pytest.mark.parametrize(
    ("question", "expected", "number"),
    [
        ("needle exchange in glasgow?", "NHS inform", "999"),
        ("who can i ring in dublin about my drug use", "1800 459 459", "112"),
        ("number for never use alone in ohio", "Never Use Alone", "911"),
        ("whats the overdose response line number in toronto", "1-888-688-6677", "911"),
        ("phone number for family support in sydney", "Family Drug Support", "000"),
        ("mental health crisis line in belfast", "Lifeline", "999"),
    ],
)
async def test_a_question_naming_a_place_gets_that_places_contacts(
    chat, question, expected, number
):
    reply = texts(await chat(question))[0]
    assert expected in reply and f"call {number} now" in reply, (question, reply)


@pytest.mark.parametrize(("place", "region"), [("cork", "Ireland"), ("leeds", "England")])
async def test_a_bare_town_name_answers_where_are_you(chat, place, region):
    await chat("who can i call about drugs")
    replies = texts(await chat(place))
    assert replies[0].startswith(f"Got it: {region}"), replies


async def test_the_region_is_kept_and_can_be_changed(chat):
    await chat("im in edinburgh")
    first = texts(await chat("who can i call"))[0]
    assert "Scotland" in first
    await chat("change my location")
    changed = texts(await chat('/referral_set_region{"region":"australia"}'))
    assert changed[0].startswith("Got it: Australia") and "000" in changed[0]
    assert "Australia" in texts(await chat("who can i call"))[0]


async def test_emergency_wins_while_being_asked_where_they_are(chat):
    await chat("who can i call about my mates drug use")
    replies = texts(await chat("hes not breathing"))
    assert replies[0].startswith("Call 999 now")


async def test_the_emergency_flow_uses_the_chosen_regions_number(chat):
    await chat("im in melbourne")
    assert texts(await chat("he wont wake up"))[0].startswith("Call 000 now")
