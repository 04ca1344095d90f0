"""Each custom action, run as the action server runs it: a tracker in, messages and events out."""

from actions.emergency import ActionEmergencyAdvice, ActionEmergencyStep
from actions.menus import ActionAskAffirmation, ActionAskRephrase, ActionGiveUp, ActionTopicMenu
from actions.referrals import ActionReferralContacts, ActionSetRegion
from actions.session import ActionSessionStart


async def test_emergency_advice_gives_the_number_first(make_tracker, dispatcher, domain):
    tracker = make_tracker("he wont wake up", intent="emergency", slots={"region": "england"})
    events = await ActionEmergencyAdvice().run(dispatcher, tracker, domain)
    assert events == []
    first = dispatcher.messages[0]
    assert first["text"].startswith("Call 999 now")
    assert "/emergency_has_naloxone" in [button["payload"] for button in first["buttons"]]


async def test_emergency_advice_follows_the_crisis_category(make_tracker, dispatcher, domain):
    tracker = make_tracker("i want to end it", intent="emergency")
    tracker.latest_message["crisis"] = {"level": "now", "category": "self_harm_suicide"}
    await ActionEmergencyAdvice().run(dispatcher, tracker, domain)
    assert "116 123" in dispatcher.messages[0]["text"]


async def test_emergency_step_answers_the_button(make_tracker, dispatcher, domain):
    tracker = make_tracker("/emergency_has_naloxone", intent="emergency_has_naloxone")
    await ActionEmergencyStep().run(dispatcher, tracker, domain)
    assert "Nasal spray" in dispatcher.messages[0]["text"]


async def test_emergency_advice_uses_the_regions_number(make_tracker, dispatcher, domain):
    tracker = make_tracker("not breathing", intent="emergency", slots={"region": "united_states"})
    await ActionEmergencyAdvice().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"].startswith("Call 911 now")


async def test_referral_contacts_follow_the_need_named_by_a_button(
    make_tracker, dispatcher, domain
):
    tracker = make_tracker(
        '/referral_contacts{"need":"mental_health"}',
        intent="referral_contacts",
        entities=[{"entity": "need", "value": "mental_health"}],
        slots={"region": "england"},
    )
    events = await ActionReferralContacts().run(dispatcher, tracker, domain)
    assert "Samaritans" in dispatcher.messages[0]["text"]
    assert {"event": "slot", "name": "need", "value": "mental_health", "timestamp": None} in events


def slots_set(events):
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


async def test_referral_contacts_read_the_need_from_words(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        "where can i get a narcan kit", intent="referral_contacts", slots={"region": "england"}
    )
    await ActionReferralContacts().run(dispatcher, tracker, domain)
    text = dispatcher.messages[0]["text"]
    assert "FRANK" in text and "999" in text


async def test_referral_contacts_ask_where_the_person_is_when_unknown(
    make_tracker, dispatcher, domain
):
    tracker = make_tracker("where can i get a narcan kit", intent="referral_contacts")
    events = await ActionReferralContacts().run(dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    assert message["text"].startswith("Where are you?")
    titles = [button["title"] for button in message["buttons"]]
    assert titles[0] == "England" and len(titles) == 8  # the deployment default first
    assert slots_set(events) == {"need": "naloxone", "awaiting_region": True}


async def test_a_place_in_the_question_sets_the_region(make_tracker, dispatcher, domain):
    tracker = make_tracker("needle exchange in glasgow?", intent="referral_contacts")
    events = await ActionReferralContacts().run(dispatcher, tracker, domain)
    assert "Scotland" in dispatcher.messages[0]["text"]
    assert slots_set(events)["region"] == "scotland"


async def test_choosing_a_region_gives_the_contacts_that_were_asked_for(
    make_tracker, dispatcher, domain
):
    tracker = make_tracker(
        '/referral_set_region{"region":"wales"}',
        intent="referral_set_region",
        entities=[{"entity": "region", "value": "wales"}],
        slots={"need": "naloxone", "awaiting_region": True},
    )
    events = await ActionSetRegion().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"].startswith("Got it: Wales")
    assert "DAN 24/7" in dispatcher.messages[1]["text"]
    assert slots_set(events) == {
        "region": "wales",
        "emergency_number": "999",
        "awaiting_region": False,
    }


async def test_a_misspelt_place_is_understood(make_tracker, dispatcher, domain):
    tracker = make_tracker("im in melborne", intent="referral_set_region")
    events = await ActionSetRegion().run(dispatcher, tracker, domain)
    assert slots_set(events)["emergency_number"] == "000"


async def test_an_unknown_place_asks_with_buttons(make_tracker, dispatcher, domain):
    tracker = make_tracker("im in narnia", intent="referral_set_region")
    events = await ActionSetRegion().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"].startswith("Sorry, I don't know that place")
    assert len(dispatcher.messages[0]["buttons"]) == 8
    assert slots_set(events) == {"awaiting_region": True}


async def test_an_ambiguous_place_asks_which(make_tracker, dispatcher, domain):
    tracker = make_tracker("im in the uk", intent="referral_set_region")
    await ActionSetRegion().run(dispatcher, tracker, domain)
    titles = [button["title"] for button in dispatcher.messages[0]["buttons"]]
    assert set(titles) == {"England", "Scotland", "Wales", "Northern Ireland"}


async def test_phone_numbers_are_tap_to_call_in_the_web_widget(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        "who can i call", intent="referral_contacts", slots={"region": "england"}
    )
    tracker.latest_message["input_channel"] = "socketio"
    tracker.events[0]["input_channel"] = "socketio"
    await ActionReferralContacts().run(dispatcher, tracker, domain)
    assert "(tel:03001236600)" in dispatcher.messages[0]["text"]


async def test_session_start_leaves_the_region_unknown_but_knows_the_number(
    make_tracker, dispatcher, domain
):
    events = await ActionSessionStart().run(dispatcher, make_tracker(), domain)
    slots = slots_set(events)
    assert slots == {"region": None, "emergency_number": "999"}
    assert events[0]["event"] == "session_started"
    assert events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"


async def test_session_start_keeps_a_chosen_region(make_tracker, dispatcher, domain):
    tracker = make_tracker(slots={"region": "united_states"})
    events = await ActionSessionStart().run(dispatcher, tracker, domain)
    slots = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    assert slots["emergency_number"] == "911"


async def test_topic_menu_lists_the_topics_questions(make_tracker, dispatcher, domain):
    tracker = make_tracker(
        '/chat_menu{"topic":"naloxone"}',
        intent="chat_menu",
        entities=[{"entity": "topic", "value": "naloxone"}],
    )
    await ActionTopicMenu().run(dispatcher, tracker, domain)
    message = dispatcher.messages[0]
    payloads = [button["payload"] for button in message["buttons"]]
    assert "/naloxone_how_to_use" in payloads
    assert all(payload.startswith("/naloxone_") for payload in payloads[:-1])
    assert payloads[-1] == "/emergency"
    assert message["text"].startswith("Naloxone:")


async def test_topic_menu_without_topic_shows_the_main_menu(make_tracker, dispatcher, domain):
    await ActionTopicMenu().run(dispatcher, make_tracker("menu", intent="chat_menu"), domain)
    message = dispatcher.messages[0]
    assert "999" in message["text"]
    payloads = [button["payload"] for button in message["buttons"]]
    assert '/chat_menu{"topic": "withdrawal"}' in payloads and payloads[-1] == "/emergency"


async def test_fallback_offers_the_closest_questions_and_help(make_tracker, dispatcher, domain):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.55},
        {"name": "naloxone_how_to_use", "confidence": 0.3},
        {"name": "chat_greet", "confidence": 0.1},
        {"name": "withdrawal_symptoms", "confidence": 0.05},
    ]
    tracker = make_tracker("nalxn hw", intent="nlu_fallback", ranking=ranking)
    await ActionAskAffirmation().run(dispatcher, tracker, domain)
    assert "call 999" in dispatcher.messages[0]["text"]
    payloads = [button["payload"] for button in dispatcher.messages[0]["buttons"]]
    assert payloads == [
        "/naloxone_how_to_use",
        "/withdrawal_symptoms",
        "/out_of_scope",
        "/emergency",
    ]


async def test_rephrase_and_give_up_keep_emergency_help_one_tap_away(
    make_tracker, dispatcher, domain
):
    tracker = make_tracker("zzz", intent="nlu_fallback", slots={"region": "united_states"})
    await ActionAskRephrase().run(dispatcher, tracker, domain)
    events = await ActionGiveUp().run(dispatcher, tracker, domain)
    for message in dispatcher.messages:
        assert "911" in message["text"]
        assert message["buttons"][-1]["payload"] == "/emergency"
    assert "/human_handoff" in [b["payload"] for b in dispatcher.messages[1]["buttons"]]
    assert events == [{"event": "rewind", "timestamp": None}]


async def test_a_crisis_naming_its_place_gets_that_number_and_keeps_the_region(
    make_tracker, dispatcher, domain
):
    tracker = make_tracker("is it 000 here? my friend is blue", intent="emergency")
    events = await ActionEmergencyAdvice().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"].startswith("Call 000 now")
    assert {"event": "slot", "name": "region", "value": "australia"} in [
        {key: event.get(key) for key in ("event", "name", "value")} for event in events
    ]
