"""Every answer is sourced, short enough for a phone, and free of numbers it should not carry."""

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.referrals import directory
from bot.settings import get_settings
from bot.sources import citation_line, shown_to_people, sources
from bot.topics import conversation_text, topic_of

ROOT = Path(__file__).resolve().parents[2]
MAX_ANSWER_CHARS = 700  # about one phone screen at a readable size
# Commercial providers' numbers printed in the seed documents: advertising, never offered.
ADVERTISED_NUMBERS = ("01908 489 421", "390-5070", "866")
PHONE_NUMBER = re.compile(r"\d{3}[\s-]?\d{3}[\s-]?\d{3,4}")


def answer_responses(domain):
    return {
        name: variants
        for name, variants in domain["responses"].items()
        if topic_of(name.removeprefix("utter_"))
    }


def training_examples():
    counts: dict[str, int] = {}
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            if "intent" in block:
                examples = [line for line in block["examples"].splitlines() if line.strip()]
                counts[block["intent"]] = counts.get(block["intent"], 0) + len(examples)
    return counts


def test_there_are_at_least_40_topic_questions_each_with_an_answer(domain):
    questions = [intent for intent in domain["intents"] if topic_of(_name(intent))]
    assert len(questions) >= 40
    for intent in questions:
        assert f"utter_{_name(intent)}" in domain["responses"], intent


def test_every_intent_has_at_least_12_training_examples(domain):
    counts = training_examples()
    for intent in domain["intents"]:
        name = _name(intent)
        if name == "start":  # Telegram's /start arrives as a shortcut, never as text
            continue
        assert counts.get(name, 0) >= 12, f"{name} has {counts.get(name, 0)} examples"


def test_every_topic_has_questions(domain):
    for topic in conversation_text().topics:
        assert any(topic_of(name.removeprefix("utter_")) == topic for name in domain["responses"])


@pytest.fixture(scope="module")
def answers(domain):
    return answer_responses(domain)


def test_every_answer_names_resolving_sources_on_its_last_line(answers):
    registry = sources()
    for name, variants in answers.items():
        for variant in variants:
            ids = (variant.get("metadata") or {}).get("sources") or []
            assert ids, f"{name} has no sources in its metadata"
            unknown = [source_id for source_id in ids if source_id not in registry]
            assert not unknown, f"{name} cites unknown source ids {unknown}"
            last_line = variant["text"].strip().splitlines()[-1]
            assert last_line == citation_line(ids), f"{name}: last line {last_line!r}"


def test_answers_show_one_or_two_sources_and_never_a_commercial_provider(answers):
    """A phone screen has room for the sources that carry the answer; the seed documents by
    rehab providers (and defunct or stand-in sources) back answers but are never shown."""
    registry = sources()
    for name, variants in answers.items():
        for variant in variants:
            shown = variant["metadata"]["sources"]
            assert 1 <= len(shown) <= 2, f"{name} shows {len(shown)} sources"
            hidden = [source_id for source_id in shown if not shown_to_people(registry[source_id])]
            assert not hidden, f"{name} shows {hidden}"


def test_every_answer_names_the_guidance_it_was_checked_against_and_when(answers):
    registry = sources()
    for name, variants in answers.items():
        for variant in variants:
            metadata = variant["metadata"]
            guidance = metadata["sources"] + (metadata.get("checked_against") or [])
            assert all(shown_to_people(registry[source_id]) for source_id in guidance), name
            assert all(registry[source_id].url for source_id in guidance), name
            assert date.fromisoformat(metadata["checked"]), name
            basis = metadata.get("basis") or []
            assert all(registry[source_id].document for source_id in basis), (name, basis)


def test_no_answer_opens_with_a_bare_verdict(answers):
    """'No.' or 'Yes.' as the first word presumes the question; a misread one then reads
    as a medical verdict on something else."""
    for name, variants in answers.items():
        for variant in variants:
            assert not re.match(r"(No|Yes)\b[.!,]", variant["text"]), name


def test_every_answer_is_non_empty_and_fits_a_phone_screen(answers):
    for name, variants in answers.items():
        for variant in variants:
            body = variant["text"].strip().splitlines()[:-1]
            assert "".join(body).strip(), f"{name} says nothing but its source"
            assert len(variant["text"]) <= MAX_ANSWER_CHARS, (
                f"{name} is {len(variant['text'])} characters"
            )


def test_every_answer_has_a_button_title(answers):
    for name, variants in answers.items():
        title = (variants[0].get("metadata") or {}).get("title")
        assert title and len(title) <= 40, name


def test_answers_carry_no_phone_numbers_and_no_advertising(domain):
    for name, variants in domain["responses"].items():
        for variant in variants:
            text = variant.get("text", "")
            assert not PHONE_NUMBER.search(text), (
                f"{name} has a phone number: numbers come from the directory"
            )
            for advert in ADVERTISED_NUMBERS:
                assert advert not in text, name


def test_placeholders_are_only_slots_that_exist(domain):
    slots = set(domain["slots"])
    for name, variants in domain["responses"].items():
        for variant in variants:
            for placeholder in re.findall(r"{(\w+)}", variant.get("text", "")):
                assert placeholder in slots, (name, placeholder)


def test_button_payloads_name_intents_that_exist(domain):
    intents = {_name(intent) for intent in domain["intents"]}
    for name, variants in domain["responses"].items():
        for variant in variants:
            for button in variant.get("buttons", []):
                intent = re.match(r"/(\w+)", button["payload"]).group(1)
                assert intent in intents, f"{name}: button to unknown intent {intent}"


def test_button_payloads_survive_rasas_slot_filling(domain):
    """Rasa fills {slot} in buttons too: an entity payload must be written with doubled braces,
    or every use logs an interpolation error (and a typo'd one would reach the person)."""
    import json

    from rasa.core.nlg.interpolator import interpolate_text

    slots = {"emergency_number": "999", "region": "england"}
    for name, variants in domain["responses"].items():
        for variant in variants:
            for button in variant.get("buttons", []):
                filled = interpolate_text(button["payload"], slots)
                match = re.fullmatch(r"/(\w+)(\{.*\})?", filled)
                assert match, (name, button["payload"], filled)
                if match.group(2):
                    assert isinstance(json.loads(match.group(2)), dict), (name, filled)
                    assert "{{" in button["payload"], (name, "write entity payloads with {{ }}")


def test_the_domains_fallback_number_is_the_default_regions(domain):
    default = directory().region(get_settings().default_region)
    assert domain["slots"]["emergency_number"]["initial_value"] == default.emergency_number


def _name(intent):
    return intent if isinstance(intent, str) else next(iter(intent))
