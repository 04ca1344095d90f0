"""Each custom action, run as the action server runs it: a tracker in, messages and events out."""

from actions.emergency import ActionEmergencyAdvice, ActionEmergencyStep
from actions.menus import ActionAskAffirmation, ActionAskRephrase, ActionGiveUp, ActionTopicMenu
from actions.referrals import ActionReferralContacts
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
    tracker.latest_message["crisis"] = {"kind": "crisis", "category": "self_harm_suicide"}
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


async def test_referral_contacts_read_the_need_from_words(make_tracker, dispatcher, domain):
    tracker = make_tracker("where can i get a narcan kit", intent="referral_contacts")
    await ActionReferralContacts().run(dispatcher, tracker, domain)
    text = dispatcher.messages[0]["text"]
    assert "FRANK" in text and "999" in text


async def test_session_start_sets_region_and_number(make_tracker, dispatcher, domain):
    events = await ActionSessionStart().run(dispatcher, make_tracker(), domain)
    slots = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    assert slots == {"region": "england", "emergency_number": "999"}
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
