from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.content.loading import ContentError
from bot.referrals import detect_need, directory, load_directory, referral_message
from bot.settings import CONTENT_DIR
from bot.sources import sources

REGIONS = {
    "england",
    "scotland",
    "wales",
    "northern_ireland",
    "ireland",
    "united_states",
    "canada",
    "australia",
}
# Saturday 5 December 2026, 23:00 UTC: a weekday-only line is closed everywhere.
SATURDAY_NIGHT = datetime(2026, 12, 5, 23, 0, tzinfo=ZoneInfo("UTC"))
# Tuesday 1 December 2026, 11:00 UTC: 11:00 in Dublin.
TUESDAY_MORNING = datetime(2026, 12, 1, 11, 0, tzinfo=ZoneInfo("UTC"))


def test_the_directory_covers_every_region_the_service_promises():
    assert set(directory().regions) == REGIONS


def test_every_region_has_an_emergency_number_and_a_24_7_line():
    found = directory()
    for region in found.regions.values():
        assert region.emergency_number.isdigit() and len(region.emergency_number) == 3
        lines = [s for s in found.in_region(region.id) if s.is_line and s.always_open]
        assert lines, region.id


def test_every_entry_records_where_and_when_it_was_checked():
    for service in directory().services:
        assert service.source.startswith("https://") or service.source.startswith("http://")
        assert service.verified >= "2026-01-01" and service.checked.strip(), service.id


def test_the_advertised_commercial_numbers_are_refused(tmp_path: Path):
    def advertise(data):
        data["services"][1]["phone"] = "01908 489 421"  # printed in a seed document

    with pytest.raises(ContentError, match="entry 'frank': field 'phone': on the never_list"):
        load_directory(_broken_copy(tmp_path, advertise))


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("where can i get naloxone near me", "naloxone"),
        ("narcan kit pls", "naloxone"),
        ("needle exchange in glasgow?", "needle_exchange"),
        ("my son needs help, where do we start", "family"),
        ("i need a detox", "detox"),
        ("rattling and want to come off", "detox"),
        ("where can i get on methadone", "treatment"),
        ("i want to kill myself", "mental_health"),
        ("is there a line i can ring so i dont use alone", "overdose_line"),
        ("who can i call", "general"),
    ],
)
def test_need_is_read_from_the_persons_words(text, need):
    assert detect_need(text) == need


def test_referral_reply_names_real_contacts_and_the_emergency_number():
    reply = referral_message("england", "naloxone", SATURDAY_NIGHT)
    assert "FRANK" in reply and "0300 123 6600" in reply
    assert reply.strip().endswith("call 999 now.")
    us_reply = referral_message("united_states", "mental_health", SATURDAY_NIGHT)
    assert "988" in us_reply and "911" in us_reply


@pytest.mark.parametrize(
    ("region", "need", "expected"),
    [
        ("scotland", "needle_exchange", "NHS inform"),
        ("wales", "naloxone", "DAN 24/7"),
        ("northern_ireland", "mental_health", "Lifeline"),
        ("ireland", "treatment", "1800 459 459"),
        ("united_states", "overdose_line", "Never Use Alone"),
        ("canada", "overdose_line", "1-888-688-6677"),
        ("australia", "family", "Family Drug Support"),
    ],
)
def test_each_region_gets_its_own_contacts_for_a_need(region, need, expected):
    reply = referral_message(region, need, SATURDAY_NIGHT)
    assert expected in reply
    assert directory().regions[region].emergency_number in reply


def test_a_line_open_now_says_so():
    reply = referral_message("ireland", "treatment", TUESDAY_MORNING)
    assert "HSE Drugs and Alcohol Helpline: call 1800 459 459. Open now (Mon–Fri 09:30–17:30)" in (
        reply
    )
    assert "is closed now" not in reply


def test_a_closed_line_says_when_it_opens_and_offers_a_24_7_one():
    reply = referral_message("ireland", "treatment", SATURDAY_NIGHT)
    assert "Closed now: opens Mon at 09:30 GMT" in reply
    assert "HSE Drugs and Alcohol Helpline is closed now. Open 24/7: Samaritans, 116 123" in reply


def test_phone_numbers_become_tap_to_call_links_when_asked():
    reply = referral_message("england", "general", SATURDAY_NIGHT, links=True)
    assert "[0300 123 6600](tel:03001236600)" in reply


def test_an_unknown_region_falls_back_to_the_default():
    assert "England" in referral_message("atlantis", "general", SATURDAY_NIGHT)


def _broken_copy(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((CONTENT_DIR / "referrals.yml").read_text())
    change(data)
    broken = tmp_path / "referrals.yml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True))
    return broken


def test_a_mistake_in_the_directory_names_file_entry_and_field(tmp_path: Path):
    def bad_url(data):
        data["services"][1]["web"] = "not a url"

    broken = _broken_copy(tmp_path, bad_url)
    with pytest.raises(ContentError) as error:
        load_directory(broken)
    message = str(error.value)
    assert str(broken) in message and "'frank'" in message and "'web'" in message


def test_bad_opening_hours_name_the_entry(tmp_path: Path):
    def bad_hours(data):
        data["services"][1]["hours"] = {"mon-fry": "09:00-17:00"}

    with pytest.raises(ContentError, match="entry 'frank': field 'hours': unknown day"):
        load_directory(_broken_copy(tmp_path, bad_hours))


def test_a_region_without_a_24_7_line_is_refused(tmp_path: Path):
    def weekdays_only(data):
        for service in data["services"]:
            if "united_states" in service["regions"]:
                service["hours"] = {"mon-fri": "09:00-17:00"}

    with pytest.raises(ContentError, match="united_states.*no 24/7"):
        load_directory(_broken_copy(tmp_path, weekdays_only))


def test_a_region_without_an_emergency_number_is_refused(tmp_path: Path):
    def no_number(data):
        data["regions"][0]["emergency_numbers"] = []

    with pytest.raises(ContentError, match="entry 'england': field 'emergency_numbers'"):
        load_directory(_broken_copy(tmp_path, no_number))


def test_every_regions_silent_option_cites_a_known_source():
    for region in directory().regions.values():
        assert region.silent_source in sources(), region.id
        assert region.silent_note.startswith("Can't speak?"), region.id
