"""The helpline's configuration: hours per region, who counts as online, and what people are
told when nobody can take a chat."""

from datetime import datetime, timezone

import pytest

from bot.content.loading import ContentError
from bot.helpline import helpline, load_helpline
from bot.settings import CONTENT_DIR

WEEKDAY_NOON_LONDON = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)  # a Wednesday
SATURDAY_NIGHT = datetime(2026, 12, 5, 23, 30, tzinfo=timezone.utc)


def test_a_person_is_offered_only_when_open_and_someone_is_online():
    line = helpline()
    assert line.availability("england", 1, WEEKDAY_NOON_LONDON).can_connect
    assert not line.availability("england", 0, WEEKDAY_NOON_LONDON).can_connect
    assert not line.availability("england", 3, SATURDAY_NIGHT).can_connect


def test_hours_are_per_region_in_its_own_zone():
    line = helpline()
    # Noon in London is 07:00 in New York: the US hours have not started.
    assert not line.availability("united_states", 1, WEEKDAY_NOON_LONDON).hours_open
    assert line.opening("scotland") is line.opening(None)  # not listed: the default hours


def test_out_of_hours_says_when_it_opens_and_gives_the_regions_24_7_lines():
    line = helpline()
    availability = line.availability("ireland", 0, SATURDAY_NIGHT)
    text = line.unavailable("ireland", availability, SATURDAY_NIGHT, links=False)
    assert "closed now: it opens tomorrow at 10:00" in text
    assert "Samaritans: call 116 123. Open 24/7." in text
    assert "leave a message" in text and "call 112 now" in text


def test_nobody_free_in_hours_is_said_as_such():
    line = helpline()
    availability = line.availability("england", 0, WEEKDAY_NOON_LONDON)
    text = line.unavailable("england", availability, WEEKDAY_NOON_LONDON, links=True)
    assert text.startswith("Sorry, nobody from our helpline is free")
    assert "[111](tel:111)" in text


def test_connecting_names_the_queue_position_the_wait_and_the_emergency_number():
    text = helpline().connecting(3, "911")
    assert "number 3 in the queue" in text and "10 minutes" in text and "call 911 now" in text


def write(tmp_path, text):
    path = tmp_path / "helpline.yml"
    original = (CONTENT_DIR / "helpline.yml").read_text()
    path.write_text(original.split("hours:\n")[0] + text + original[original.index("templates:") :])
    return path


def test_a_region_that_does_not_exist_is_refused(tmp_path):
    path = write(tmp_path, "hours:\n  default: 24/7\n  atlantis: 24/7\n")
    with pytest.raises(ContentError, match="unknown region.*atlantis"):
        load_helpline(path)


def test_hours_without_a_default_or_with_bad_times_are_refused(tmp_path):
    with pytest.raises(ContentError, match="needs a 'default'"):
        load_helpline(write(tmp_path, "hours:\n  england: 24/7\n"))
    with pytest.raises(ContentError, match="hours.default"):
        load_helpline(write(tmp_path, 'hours:\n  default: {mon: "9-5"}\n'))
