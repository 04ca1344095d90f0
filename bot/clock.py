"""The one place the assistant reads the wall clock, so that tests can set it.

Opening hours, "online in the last two minutes", ticket times, retention cut-offs and console
session lifetimes all depend on the moment. Everything in bot/ and actions/ asks this module
(or takes `now` as an argument and falls back to it), never `datetime.now()` or `time.time()`
directly; tests/unit/test_clock.py checks that. The tests' autouse fixture replaces the source
with a fixed clock, so the suite gives the same answer at 03:00 on a Saturday as at noon.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

_source: Callable[[], float] = time.time  # seconds since the epoch


def utc_now() -> datetime:
    """Now, aware, in UTC."""
    return datetime.fromtimestamp(_source(), timezone.utc)


def naive_utc_now() -> datetime:
    """Now in UTC without a zone: how the handoff store's columns keep times."""
    return utc_now().replace(tzinfo=None)


def epoch_seconds() -> float:
    return _source()


class FixedClock:
    """A clock that stands still until moved: `set(moment)` or `advance(seconds=...)`."""

    def __init__(self, moment: datetime) -> None:
        self.set(moment)

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a fixed clock needs an aware datetime")
        self.seconds = moment.timestamp()

    def advance(self, **delta: float) -> None:
        self.seconds += timedelta(**delta).total_seconds()

    def __call__(self) -> float:
        return self.seconds


def use(source: Callable[[], float]) -> Callable[[], float]:
    """Replaces the clock (tests); returns the previous one so it can be put back."""
    global _source
    previous, _source = _source, source
    return previous
