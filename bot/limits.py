"""How much one conversation may send: a length cap and a per-conversation rate limit.

Neither ever holds back a crisis: a message the crisis detector flags is let through whatever
its rate, and one that is too long is cut to the sentence that holds the crisis words.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from dataclasses import dataclass

SENTENCES = re.compile(r"(?<=[.!?\n])\s+")
MAX_SENDERS = 100_000  # buckets kept in memory; the oldest go first


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per conversation: `burst` messages at once, then `per_minute`."""

    def __init__(self, per_minute: float, burst: int, clock=time.monotonic) -> None:
        self.rate, self.burst, self.clock = per_minute / 60.0, burst, clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def allow(self, sender_id: str) -> bool:
        now = self.clock()
        bucket = self._buckets.pop(sender_id, None) or _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        self._buckets[sender_id] = bucket
        while len(self._buckets) > MAX_SENDERS:
            self._buckets.popitem(last=False)
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True


def crisis_excerpt(text: str, matched: str | None, limit: int) -> str:
    """The part of an over-long message that holds the crisis words, within `limit`."""
    if matched:
        for sentence in SENTENCES.split(text):
            if matched.lower() in sentence.lower():
                return sentence[:limit]
    return text[:limit]
