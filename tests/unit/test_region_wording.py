"""Answers fit the person's own region: Rasa picks the variant for the `region` slot, and a
person in the US is never told about the NHS, a GP or FRANK."""

from __future__ import annotations

import asyncio
from functools import cache

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlg import RegionalResponseGenerator
from bot.referrals import directory
from bot.topics import topic_of

UK = {"england", "scotland", "wales", "northern_ireland"}
# Words that are wrong outside the places they belong to (the answer's body, not its sources).
ONLY_IN = {
    "NHS": UK,
    "FRANK": UK,
    "A&E": UK,
    "GP": UK | {"ireland", "australia"},
    "999": UK | {"ireland"},
    "911": {"united_states", "canada"},
    "Medicaid": {"united_states"},
}
# What the region's own answer must say, for the answers that differ most by place.
MUST_SAY = {
    "utter_naloxone_legal_carry": {
        "england": "no law protecting people who call 999",
        "scotland": "police don't attend an overdose call",
        "wales": "since 2005",
        "northern_ireland": "since 2005",
        "ireland": "prescription-only",
        "united_states": "Every state now has a Good Samaritan",
        "canada": "Good Samaritan Drug Overdose Act",
        "australia": "In the ACT",
        None: "Tell me where you are",
    },
    "utter_naloxone_where_to_get": {
        "england": "Drug services and needle exchanges",
        "scotland": "Drug services and needle exchanges",
        "wales": "Drug services and needle exchanges",
        "northern_ireland": "Drug services and needle exchanges",
        "ireland": "HSE",
        "united_states": "over the counter",
        "canada": "provinces and territories",
        "australia": "participating pharmacies",
        None: "Tell me where you are",
    },
    "utter_treatment_how_to_start": {
        "england": "NHS drug treatment is free",
        "scotland": "NHS treatment is free",
        "wales": "NHS drug treatment is free",
        "northern_ireland": "Health and Social Care Trust",
        "ireland": "HSE drug and alcohol services",
        "united_states": "FindTreatment.gov",
        "canada": "province",
        "australia": "PBS",
        None: "Tell me where you are",
    },
    "utter_safer_use_fentanyl": {
        "england": "WEDINOS",
        "united_states": "harm-reduction programs",
        "canada": "overdose prevention",
        "australia": "CanTEST",
        "ireland": "HSE",
        None: "ask a local drug service",
    },
    "utter_treatment_cost": {
        "england": "free",
        "united_states": "Medicaid",
        "australia": "PBS",
        None: "Tell me where",
    },
}


@pytest.fixture(scope="module")
def rasa_domain(domain) -> Domain:
    return Domain.from_dict(domain)


def answer_for(rasa_domain: Domain, response: str, region: str | None) -> str:
    # The production generator (bot/nlg.py) fills the number from the region alone.
    events = [SlotSet("region", region)] if region else []
    tracker = DialogueStateTracker.from_events("region-test", events, slots=rasa_domain.slots)
    message = asyncio.run(generator_for(rasa_domain).generate(response, tracker, "rest"))
    body = message["text"].splitlines()[:-1]  # the last line names the sources
    return "\n".join(body)


@cache
def generator_for(rasa_domain: Domain) -> RegionalResponseGenerator:
    return RegionalResponseGenerator(domain=rasa_domain)


REGIONS = sorted(UK | {"ireland", "united_states", "canada", "australia"})


def number_of(region: str) -> str:
    return directory().region(region).emergency_number


def regions() -> list[str | None]:
    return [*REGIONS, None]  # None: the person has not said where they are


def test_every_region_of_the_directory_is_covered_here():
    assert set(directory().regions) == set(REGIONS)


@pytest.mark.parametrize("region", regions(), ids=str)
def test_no_answer_uses_another_countrys_services_or_numbers(rasa_domain, region):
    wrong = []
    for response in rasa_domain.responses:
        if not topic_of(response.removeprefix("utter_")):
            continue
        body = answer_for(rasa_domain, response, region)
        for word, places in ONLY_IN.items():
            if region is None and word.isdigit():
                continue  # unknown region: the default region's number, by design
            if region not in places and f" {word}" in f" {body}".replace("(", " "):
                wrong.append(f"{response}: {word!r}")
    assert not wrong, f"{region}: " + ", ".join(wrong)


@pytest.mark.parametrize(
    ("response", "region"),
    [(response, region) for response, by_region in MUST_SAY.items() for region in by_region],
    ids=lambda value: str(value).removeprefix("utter_"),
)
def test_the_answer_says_what_holds_in_the_persons_region(rasa_domain, response, region):
    assert MUST_SAY[response][region] in answer_for(rasa_domain, response, region)


def test_an_unknown_region_gets_a_way_to_say_where_they_are(domain):
    for response in ("utter_naloxone_legal_carry", "utter_naloxone_where_to_get"):
        default = [v for v in domain["responses"][response] if not v.get("condition")]
        assert len(default) == 1, response
        assert "/referral_set_region" in [b["payload"] for b in default[0]["buttons"]]
