"""Opening hours: "24/7", or weekly times in a time zone, and whether a line is open now.

The referral directory writes hours as
    hours: "24/7"
or
    hours: {timezone: Europe/Dublin, mon-fri: "09:30-17:30", sat: "10:00-13:00"}
Day keys are mon..sun or ranges (mon-fri, fri-sun); values are "HH:MM-HH:MM", several
separated by commas; an end before the start runs past midnight ("18:00-02:00"). Days not
listed are closed. Times are wall-clock times in the service's zone, so daylight-saving
changes are zoneinfo's business, not ours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ALWAYS = "24/7"
_SPAN = re.compile(r"^\s*(\d{2}):(\d{2})\s*-\s*(\d{2}):(\d{2})\s*$")


@dataclass(frozen=True)
class Span:
    start: time
    end: time  # before start: runs into the next day

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    def text(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


@dataclass(frozen=True)
class OpeningHours:
    always: bool
    zone: ZoneInfo
    weekly: tuple[tuple[Span, ...], ...] = ((),) * 7  # Monday first

    @classmethod
    def parse(cls, raw: Any, default_zone: str) -> OpeningHours:
        """Reads the directory's notation; ValueError says what is wrong."""
        if raw == ALWAYS:
            return cls(always=True, zone=_zone(default_zone))
        if not isinstance(raw, dict):
            raise ValueError(f'must be "{ALWAYS}" or a mapping of days to times, not {raw!r}')
        raw = dict(raw)
        zone = _zone(raw.pop("timezone", default_zone))
        weekly: list[list[Span]] = [[] for _ in DAYS]
        for key, value in raw.items():
            for day in _days(str(key)):
                weekly[day].extend(_spans(str(value), str(key)))
        if not any(weekly):
            raise ValueError("no opening times")
        return cls(always=False, zone=zone, weekly=tuple(tuple(day) for day in weekly))

    def is_open(self, now: datetime) -> bool:
        if self.always:
            return True
        local = now.astimezone(self.zone)
        today, clock = local.weekday(), local.time()
        for span in self.weekly[today]:
            if span.start <= clock and (span.overnight or clock < span.end):
                return True
        return any(span.overnight and clock < span.end for span in self.weekly[(today - 1) % 7])

    def next_opening(self, now: datetime) -> datetime | None:
        """When it next opens after `now` (in the service's zone); None if always open."""
        if self.always:
            return None
        local = now.astimezone(self.zone)
        for ahead in range(8):
            date = (local + timedelta(days=ahead)).date()
            starts = [
                datetime.combine(date, span.start, tzinfo=self.zone)
                for span in self.weekly[date.weekday()]
            ]
            upcoming = [start for start in sorted(starts) if start > local]
            if upcoming:
                return upcoming[0]
        return None  # unreachable: parse() refuses hours with no opening times

    def describe(self) -> str:
        """ "24/7" or e.g. "Mon–Fri 09:30–17:30, Sat 10:00–13:00" (days with the same times
        grouped)."""
        if self.always:
            return ALWAYS
        parts: list[str] = []
        day = 0
        while day < 7:
            spans = self.weekly[day]
            last = day
            while last + 1 < 7 and self.weekly[last + 1] == spans:
                last += 1
            if spans:
                days = DAY_NAMES[day] if last == day else f"{DAY_NAMES[day]}–{DAY_NAMES[last]}"
                days = "every day" if (day, last) == (0, 6) else days
                parts.append(f"{days} {', '.join(span.text() for span in spans)}")
            day = last + 1
        return ", ".join(parts)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def _days(key: str) -> list[int]:
    names = key.lower().split("-")
    if any(name not in DAYS for name in names) or len(names) > 2:
        raise ValueError(f"unknown day or day range {key!r} (use mon..sun or e.g. mon-fri)")
    first, last = DAYS.index(names[0]), DAYS.index(names[-1])
    return [(first + offset) % 7 for offset in range((last - first) % 7 + 1)]


def _spans(value: str, key: str) -> list[Span]:
    spans = []
    for part in value.split(","):
        match = _SPAN.match(part)
        if not match:
            raise ValueError(f"{key}: {part.strip()!r} is not HH:MM-HH:MM")
        hour1, minute1, hour2, minute2 = (int(group) for group in match.groups())
        if hour1 > 23 or hour2 > 24 or minute1 > 59 or minute2 > 59:
            raise ValueError(f"{key}: {part.strip()!r} is not a time of day")
        end = time(0, 0) if hour2 == 24 else time(hour2, minute2)
        spans.append(Span(time(hour1, minute1), end))
    return spans
