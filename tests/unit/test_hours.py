"""Opening hours with a fixed clock: time zones, overnight spans and daylight-saving changes."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.hours import OpeningHours

UTC = ZoneInfo("UTC")
DUBLIN_WEEKDAYS = {"timezone": "Europe/Dublin", "mon-fri": "09:30-17:30"}


def at(text: str, zone: str = "UTC") -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def test_24_7_is_always_open_and_never_opens_next():
    hours = OpeningHours.parse("24/7", "Europe/London")
    assert hours.is_open(at("2026-12-25T03:00"))
    assert hours.next_opening(at("2026-12-25T03:00")) is None
    assert hours.describe() == "24/7"


@pytest.mark.parametrize(
    ("moment", "open_now"),
    [
        ("2026-12-01T09:29", False),  # Tuesday, winter: Dublin = UTC
        ("2026-12-01T09:30", True),
        ("2026-12-01T17:29", True),
        ("2026-12-01T17:30", False),
        ("2026-07-07T08:45", True),  # summer: 09:45 in Dublin (UTC+1)
        ("2026-07-07T16:45", False),  # 17:45 in Dublin
        ("2026-12-05T12:00", False),  # Saturday
    ],
)
def test_weekday_hours_are_read_in_the_services_own_zone(moment, open_now):
    assert OpeningHours.parse(DUBLIN_WEEKDAYS, "Europe/London").is_open(at(moment)) is open_now


def test_the_same_instant_is_open_in_one_zone_and_closed_in_another():
    moment = at("2026-12-01T15:00")  # 15:00 in London, 10:00 in New York, 02:00 in Sydney
    office = {"mon-fri": "09:00-17:00"}
    assert OpeningHours.parse(office, "Europe/London").is_open(moment)
    assert OpeningHours.parse(office, "America/New_York").is_open(moment)
    assert not OpeningHours.parse(office, "Australia/Sydney").is_open(moment)


def test_daylight_saving_change_keeps_wall_clock_hours():
    hours = OpeningHours.parse({"sun": "09:00-12:00"}, "Europe/London")
    # Clocks go forward on Sunday 29 March 2026 at 01:00 UTC: 09:00 local is 08:00 UTC.
    assert hours.is_open(at("2026-03-29T08:30"))
    assert not hours.is_open(at("2026-03-22T08:30"))  # a week earlier 08:30 UTC is 08:30 local
    # Clocks go back on Sunday 25 October 2026: 09:00 local is 09:00 UTC again.
    assert not hours.is_open(at("2026-10-25T08:30"))
    assert hours.is_open(at("2026-10-25T09:30"))


def test_overnight_spans_run_into_the_next_day():
    hours = OpeningHours.parse({"mon-thu": "18:00-02:00"}, "Europe/London")
    assert hours.is_open(at("2026-12-03T23:00"))  # Thursday night
    assert hours.is_open(at("2026-12-04T01:30"))  # Friday early morning, Thursday's span
    assert not hours.is_open(at("2026-12-04T02:00"))
    assert not hours.is_open(at("2026-12-04T23:00"))  # Friday night is not listed


def test_next_opening_when_closed_over_a_weekend():
    hours = OpeningHours.parse(DUBLIN_WEEKDAYS, "Europe/London")
    opens = hours.next_opening(at("2026-12-04T18:00"))  # Friday evening
    assert opens == at("2026-12-07T09:30", "Europe/Dublin")  # Monday morning


def test_next_opening_later_the_same_day():
    hours = OpeningHours.parse({"mon-sun": "09:00-21:00"}, "Europe/London")
    assert hours.next_opening(at("2026-12-01T06:00")) == at("2026-12-01T09:00", "Europe/London")


def test_describe_groups_days_with_the_same_times():
    hours = OpeningHours.parse({"mon-fri": "09:30-17:30", "sat": "10:00-13:00"}, "UTC")
    assert hours.describe() == "Mon–Fri 09:30–17:30, Sat 10:00–13:00"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"mon-fry": "09:00-17:00"}, "unknown day"),
        ({"mon": "9am-5pm"}, "HH:MM-HH:MM"),
        ({"mon": "25:00-26:00"}, "not a time of day"),
        ({"timezone": "Mars/Olympus", "mon": "09:00-17:00"}, "unknown time zone"),
        ({"timezone": "UTC"}, "no opening times"),
        ("always", "must be"),
    ],
)
def test_bad_hours_say_what_is_wrong(raw, problem):
    with pytest.raises(ValueError, match=problem):
        OpeningHours.parse(raw, "Europe/London")
