from pathlib import Path

import pytest
import yaml

from bot.content.loading import ContentError
from bot.emergency import crisis_reply, emergency_content, first_reply, step
from bot.referrals import directory
from bot.settings import CONTENT_DIR
from bot.sources import sources

FLOW = ["I've called", "I can't call", "I have naloxone", "They're breathing", "Not breathing"]


def test_the_first_reply_is_the_emergency_number_for_each_region():
    for region in directory().regions.values():
        reply = first_reply("breathing", region.id)
        assert reply.text.startswith(f"Call {region.emergency_number} now")
        assert [button["title"] for button in reply.buttons] == FLOW


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("self_harm_suicide", "116 123"),
        ("seizure", "Don't hold them down"),
        ("chest_pain", "heart attack"),
        ("needle_injury", "Let it bleed"),
        ("injecting_emergency", "press hard"),
        ("injecting_emergency", "cold, white, blue or black"),
        ("pregnancy", "heavy bleeding"),
        ("pregnancy", "maternity unit"),
        ("self_overdose", "Unlock or open the door"),
        ("stimulant", "small sips"),
        ("stimulant", "Don't hold them down"),
        ("chest_pain", "defibrillator"),
        ("seizure", "Note the time"),
        ("withdrawal", "alcohol or benzos can kill"),
        ("bleeding", "Press hard on the wound"),
        ("child_ingestion", "Naloxone is safe for children"),
        ("alcohol_poisoning", "Never leave them to sleep it off"),
        ("self_harm_suicide_other", "even if they say they feel fine"),
    ],
)
def test_other_crises_get_their_own_first_aid_and_the_number(category, expected):
    reply = first_reply(category, "england")
    assert expected in reply.text and "999" in reply.text


def test_every_crisis_category_names_a_first_reply_with_the_number():
    rules = yaml.safe_load((CONTENT_DIR / "crisis.yml").read_text())
    replies = emergency_content().first_replies
    for name, spec in rules["categories"].items():
        reply = spec.get("reply", name)
        assert reply in replies, name  # one place, crisis.yml, says which reply
        for region in directory().regions.values():
            assert region.emergency_number in first_reply(reply, region.id).text


def test_psychosis_and_violence_never_say_stay_with_them():
    for region in directory().regions.values():
        assert "stay with" not in first_reply("psychosis_violence", region.id).text.lower()


def test_no_first_reply_but_the_overdose_ones_tells_the_caller_to_say_not_breathing():
    for name in emergency_content().first_replies:
        assert "say the person is not breathing" not in first_reply(name, "england").text.lower()


@pytest.mark.parametrize(
    ("region", "option", "source"),
    [
        ("england", "press 55", "IOPC"),
        ("scotland", "press 55", "IOPC"),
        ("australia", "press 55", "ACMA"),
        ("united_states", "Text 911", "FCC"),
        ("ireland", "registered in advance for the 112 SMS", "HSE"),
        ("canada", "registered for Text with 9-1-1", "Text with 9-1-1"),
    ],
)
def test_someone_who_cannot_speak_is_told_the_assistant_cannot_call_and_what_exists_there(
    region, option, source
):
    reply = first_reply("cannot_call", region)
    number = directory().region(region).emergency_number
    assert reply.text.startswith(f"I can't make calls, but you can get help fast: call {number}")
    assert option in reply.text
    assert source in reply.text.splitlines()[-1]  # the region's own source is cited
    assert [button["title"] for button in reply.buttons] == FLOW


def test_no_region_is_told_to_press_55_where_it_does_not_exist():
    for region in ("ireland", "united_states", "canada"):
        assert "55" not in first_reply("cannot_call", region).text


def test_us_suicide_crisis_gets_988():
    assert "988" in first_reply("self_harm_suicide", "united_states").text


def test_every_step_names_the_number_cites_a_source_and_offers_the_other_steps():
    for region in directory().regions.values():
        for name in emergency_content().steps:
            message = step(name, region.id)
            assert region.emergency_number in message.text, (name, region.id)
            assert "\nSource: " in message.text
            # The other steps' buttons (all of them for a step asked in words, such as
            # "how do i do compressions"), then at most an offer to talk to a person.
            others = [b.title for b in emergency_content().flow_buttons if b.payload != f"/{name}"]
            titles = [button["title"] for button in message.buttons]
            assert titles[: len(others)] == others, name
            assert [b["payload"] for b in message.buttons[len(others) :]] in (
                [],
                ["/human_handoff"],
            )


def test_once_help_is_on_its_way_a_person_is_offered():
    for name in ("emergency_called", "emergency_breathing"):
        payloads = [button["payload"] for button in step(name, "england").buttons]
        assert payloads[-1] == "/human_handoff", name


def test_the_naloxone_step_covers_both_kits_and_the_second_dose():
    text = step("emergency_has_naloxone", "england").text
    for point in ("Nasal spray", "Injection", "2–3 minutes", "wears off"):
        assert point in text


def test_police_reassurance_is_region_specific():
    assert "Good Samaritan" in step("emergency_cannot_call", "united_states").text
    # England: only local, old protocols promised that police stay away, so it doesn't.
    england = step("emergency_cannot_call", "england").text
    assert "ambulance crews are there to treat" in england and "police" not in england.lower()
    assert "do not attend" in step("emergency_cannot_call", "scotland").text


def test_an_unknown_step_is_none():
    assert step("emergency_dance", "england") is None


def test_an_unknown_source_in_the_flow_is_named(tmp_path: Path, monkeypatch):
    data = yaml.safe_load((CONTENT_DIR / "emergency.yml").read_text())
    data["steps"]["emergency_called"]["sources"] = ["nowhere"]
    (tmp_path / "emergency.yml").write_text(yaml.safe_dump(data))
    (tmp_path / "sources").symlink_to(CONTENT_DIR / "sources")
    monkeypatch.setenv("HRA_CONTENT_DIR", str(tmp_path))
    from bot.settings import get_settings

    get_settings.cache_clear()
    emergency_content.cache_clear()
    try:
        with pytest.raises(ContentError, match="entry 'emergency_called': field 'sources'"):
            emergency_content()
    finally:
        get_settings.cache_clear()
        emergency_content.cache_clear()


def test_every_emergency_reply_shows_one_or_two_resolving_sources():
    content = emergency_content()
    registry = sources()
    for name, template in [*content.first_replies.items(), *content.steps.items()]:
        assert 1 <= len(template.sources) <= 2, name
        assert all(source_id in registry for source_id in template.checked_against), name


def test_the_overdose_flow_follows_named_guidance():
    """Resuscitation Council UK, the Prenoxad and Nyxoid leaflets, RCEM on needlesticks."""
    first = first_reply("overdose", "england").text
    assert "not breathing" not in first.split("\n")[0]  # never told to say what may be untrue
    not_breathing = step("emergency_not_breathing", "england").text
    assert "30 hard, fast pushes" in not_breathing and "2 breaths" in not_breathing
    assert "gasping" in not_breathing
    naloxone = step("emergency_has_naloxone", "england").text
    assert "first black line" in naloxone and "other nostril" in naloxone
    breathing = step("emergency_breathing", "england").text
    assert breathing.startswith("Breathing normally? Put them in the recovery position")
    assert "on their side first" in step("emergency_cannot_call", "england").text
    needle = first_reply("needle_injury", "england").text
    assert "A&E (the emergency department) now" in needle and "72 hours" in needle


@pytest.mark.parametrize(
    ("text", "current", "named"),
    [
        ("my mate odd in sydney and wont wake up", None, "australia"),
        ("is it 000 here? my friend is blue", "england", "australia"),
        ("he is on the floor in new york not breathing", None, "united_states"),
        ("911?? hes blue", None, "united_states"),
        ("911?? hes blue", "canada", None),  # Canada's number too: the region stays
        ("hes blue, im in glasgow", "scotland", None),  # already known
        ("he wont wake up", "australia", None),
        ("he took 100mg and wont wake up", None, None),  # a dose is not a number to call
        ("my mate is bule and wont wake", None, None),  # typos are not guessed at here
    ],
)
def test_a_crisis_message_that_names_its_place_gets_that_places_number(text, current, named):
    from bot.emergency import region_named

    assert region_named(text, current) == named


def test_paracetamol_gets_a_and_e_now_even_if_they_feel_fine():
    reply = first_reply("paracetamol", "australia").text
    assert reply.startswith("Go to A&E (the emergency department) now, even if they feel")
    assert "000" in reply and "Source:" in reply


def test_violence_puts_the_callers_safety_first_and_never_says_stay_with_them():
    reply = first_reply("psychosis_violence", "england").text
    assert reply.startswith("Your safety comes first") and "999" in reply
    assert "stay with them" not in reply.lower() and "hold them down" in reply


@pytest.mark.parametrize(
    ("text", "kind", "step_name"),
    [
        ("hes not breathing how do i do cpr", "overdose", "emergency_ask_cpr"),
        (
            "she wont wake up which side do i put her on",
            "overdose",
            "emergency_ask_recovery_position",
        ),
        ("hes blue how many sprays do i give", "overdose", "emergency_has_naloxone"),
        ("ambulance is coming what do i do till they get here", "general", "emergency_called"),
        (
            "gave narcan nothing happened, do i do compressions",
            "naloxone_no_response",
            "emergency_ask_cpr",
        ),
    ],
)
def test_a_step_asked_for_in_the_crisis_message_is_the_first_reply(text, kind, step_name):
    message, _ = crisis_reply({"crisis": {"category": kind}}, text, "australia")
    assert message.text == step(step_name, "australia").text
    assert "000" in message.text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("i cant talk he will hear me, how do i do cpr", "cannot_call"),  # first: nobody was called
        ("shes fitting which side do i put her on", "seizure"),  # its own first aid covers it
    ],
)
def test_other_kinds_keep_their_own_first_reply_when_a_step_is_asked(text, kind):
    message, _ = crisis_reply({"crisis": {"category": kind}}, text, "england")
    assert message.text == first_reply(kind, "england").text


def test_the_crisis_reply_uses_and_returns_the_region_the_message_names():
    message, named = crisis_reply({"crisis": {"category": "overdose"}}, "is it 911 here", "england")
    assert named == "united_states" and message.text.startswith("Call 911")


def test_naloxone_with_no_response_gets_another_dose_and_cpr():
    text = first_reply("naloxone_no_response", "ireland").text
    assert text.startswith("Call 112") or text.startswith("Call 999")
    assert "another" in text and "CPR" in text and "2–3 minutes" in text


def test_a_bad_question_pattern_names_its_entry(tmp_path: Path, monkeypatch):
    data = yaml.safe_load((CONTENT_DIR / "emergency.yml").read_text())
    data["questions"]["emergency_ask_cpr"] = ["(unclosed"]
    (tmp_path / "emergency.yml").write_text(yaml.safe_dump(data))
    (tmp_path / "sources").symlink_to(CONTENT_DIR / "sources")
    monkeypatch.setenv("HRA_CONTENT_DIR", str(tmp_path))
    from bot.settings import get_settings

    get_settings.cache_clear()
    emergency_content.cache_clear()
    try:
        with pytest.raises(ContentError, match="questions.emergency_ask_cpr"):
            emergency_content()
    finally:
        get_settings.cache_clear()
        emergency_content.cache_clear()
