from pathlib import Path

import pytest
import yaml

from bot.content.loading import ContentError
from bot.referrals import detect_need, directory, load_directory, referral_message
from bot.settings import CONTENT_DIR


def test_every_region_has_an_emergency_number_and_a_24_7_line():
    found = directory()
    for region in found.regions.values():
        assert region.emergency_number.isdigit()
        assert any(s.always_open for s in found.services if region.id in s.regions), region.id


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
        ("who can i call", "general"),
    ],
)
def test_need_is_read_from_the_persons_words(text, need):
    assert detect_need(text) == need


def test_referral_reply_names_real_contacts_and_the_emergency_number():
    reply = referral_message("england", "naloxone")
    assert "FRANK" in reply and "0300 123 6600" in reply
    assert reply.strip().endswith("call 999 now.")
    us_reply = referral_message("united_states", "mental_health")
    assert "988" in us_reply and "911" in us_reply


def test_an_unknown_region_falls_back_to_the_default():
    assert "England" in referral_message("atlantis", "general")


def test_a_mistake_in_the_directory_names_file_entry_and_field(tmp_path: Path):
    data = yaml.safe_load((CONTENT_DIR / "referrals.yml").read_text())
    data["services"][0]["web"] = "not a url"
    broken = tmp_path / "referrals.yml"
    broken.write_text(yaml.safe_dump(data))
    with pytest.raises(ContentError) as error:
        load_directory(broken)
    message = str(error.value)
    assert str(broken) in message and "'frank'" in message and "'web'" in message


def test_a_region_without_a_24_7_line_is_refused(tmp_path: Path):
    data = yaml.safe_load((CONTENT_DIR / "referrals.yml").read_text())
    for service in data["services"]:
        if "united_states" in service["regions"]:
            service["hours"] = "Mon-Fri 9:00-17:00"
    broken = tmp_path / "referrals.yml"
    broken.write_text(yaml.safe_dump(data))
    with pytest.raises(ContentError, match="united_states.*no 24/7"):
        load_directory(broken)
