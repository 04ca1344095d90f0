"""Signing in to the helpline console, so that sign-in attempts cannot hurt anyone else.

- Attempts are rate-limited per client address (a token bucket): a burst from one address is
  answered 429 before any password is hashed.
- Wrong passwords back off per (name, address): after a few from one address, that address
  waits before it may try that name again, twice as long after each further failure. The
  worker at another address is not affected, and nothing locks an account, so nobody can keep
  the helpline signed out by guessing at a name.
- Every attempt that is not rate-limited costs exactly one scrypt verification
  (HandoffStore.sign_in), whether the name is unknown, backed off or the password wrong, so
  the time an answer takes says nothing about which.
- The hashing runs in a thread, on half the cores at most, so the event loop keeps answering
  chats.
- The sign-in form's token is stateless: signed (bot/signing.py) over a nonce that also sits
  in a short-lived cookie (double submit). The server keeps nothing per visitor of the sign-in
  page, and a token fetched by one browser is refused from another.

Limits live in this process's memory (as console sessions do); nginx's ip_hash sends one
address to one server.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
import os
import re
import secrets
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from bot import clock, signing
from bot.handoff import HandoffStore
from bot.limits import RateLimiter

log = logging.getLogger(__name__)

ATTEMPTS_PER_MINUTE = 6  # per address, after a burst of ATTEMPT_BURST
ATTEMPT_BURST = 10
FREE_FAILURES = 3  # wrong passwords for one name from one address before it must wait
FIRST_WAIT = 5.0  # seconds, doubled after each further failure ...
LONGEST_WAIT = 15 * 60.0  # ... up to this
FORGET_AFTER = 3600.0  # failures quiet for this long are forgotten (longer than any wait)
MAX_BACKOFF_KEYS = 20_000  # (name, address) pairs kept in memory; the oldest go first
# scrypt verifications running together (each 50-90 ms of one core): half the cores, so the
# event loop keeps one. On 2 cores, 2 at once let a chat message take 150 ms during a burst of
# sign-ins, 1 at once 60 ms (bench/console_sign_in.py).
HASHING_AT_ONCE = max(1, (os.cpu_count() or 2) // 2)

FORM_COOKIE = "hra_helpline_form"
FORM_PURPOSE = "helpline-sign-in-form"
FORM_SECONDS = 15 * 60
NONCE = re.compile(r"[A-Za-z0-9_-]{22,64}")


class Outcome(Enum):
    SIGNED_IN = "signed in"
    WRONG = "wrong name or password"
    BACKED_OFF = "this address must wait before trying this name again"
    LIMITED = "too many attempts from this address: nothing was checked"


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    retry_after: int = 0  # seconds, for BACKED_OFF and LIMITED


def address_key(address: str) -> str:
    """The unit a limit counts: an IPv4 address, or an IPv6 address's /64 (one household or
    one server holds a whole /64, and could otherwise change address at every attempt)."""
    try:
        parsed = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address[:64]  # a unix socket or a proxy's odd value: counted as it is
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


@dataclass
class _Failures:
    count: int
    last: float


class Backoff:
    """Failures per key. After `free` of them the key must wait `first_wait` seconds since its
    last failure, twice as long after each further one, at most `longest_wait`."""

    def __init__(
        self,
        free: int = FREE_FAILURES,
        first_wait: float = FIRST_WAIT,
        longest_wait: float = LONGEST_WAIT,
        now: Callable[[], float] = clock.epoch_seconds,
        max_keys: int = MAX_BACKOFF_KEYS,
    ) -> None:
        self.free, self.first_wait, self.longest_wait = free, first_wait, longest_wait
        self.now, self.max_keys = now, max_keys
        self._failures: OrderedDict[Any, _Failures] = OrderedDict()

    def wait(self, key: Any) -> float:
        """Seconds before `key` may try again (0: now)."""
        failures = self._failures.get(key)
        if failures is None:
            return 0.0
        if self.now() - failures.last > FORGET_AFTER:
            del self._failures[key]
            return 0.0
        return max(0.0, failures.last + self.delay(failures.count) - self.now())

    def delay(self, count: int) -> float:
        if count < self.free:
            return 0.0
        return min(self.longest_wait, self.first_wait * 2 ** (count - self.free))

    def failed(self, key: Any) -> None:
        failures = self._failures.pop(key, None) or _Failures(0, self.now())
        failures.count, failures.last = failures.count + 1, self.now()
        self._failures[key] = failures
        while len(self._failures) > self.max_keys:
            self._failures.popitem(last=False)

    def succeeded(self, key: Any) -> None:
        self._failures.pop(key, None)


class SignInGate:
    """Decides a sign-in attempt: rate limit, back-off, then the password, off the loop."""

    def __init__(self, store: Callable[[], HandoffStore]) -> None:
        self._store = store  # a factory: no I/O before the first attempt
        self._attempts = RateLimiter(ATTEMPTS_PER_MINUTE, ATTEMPT_BURST, clock=clock.epoch_seconds)
        self._backoff = Backoff()
        self._hashing = asyncio.Semaphore(HASHING_AT_ONCE)

    async def attempt(self, username: str, password: str, address: str) -> Verdict:
        where = address_key(address)
        if not self._attempts.allow(where):
            return Verdict(Outcome.LIMITED, math.ceil(60 / ATTEMPTS_PER_MINUTE))
        key = (username, where)
        wait = self._backoff.wait(key)
        if not wait:
            # Counted before the check, so attempts sent together cannot all slip in.
            self._backoff.failed(key)
        right = await self._check(username, password, refused=wait > 0)
        if wait:
            return Verdict(Outcome.BACKED_OFF, math.ceil(wait))
        if not right:
            return Verdict(Outcome.WRONG)
        self._backoff.succeeded(key)
        return Verdict(Outcome.SIGNED_IN)

    async def _check(self, username: str, password: str, refused: bool) -> bool:
        store = self._store()
        async with self._hashing:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(None, store.sign_in, username, password, refused)


# ---- the sign-in form's token (double submit)
def form_nonce(cookies: Any) -> str:
    """The browser's form nonce if it has a well-formed one (several tabs share it), else a
    new one."""
    held = str(cookies.get(FORM_COOKIE, ""))
    return held if NONCE.fullmatch(held) else secrets.token_urlsafe(24)


def form_token(nonce: str) -> str:
    return signing.sign_timed(FORM_PURPOSE, nonce)


def form_token_ok(cookies: Any, sent: object) -> bool:
    """The form's token was issued by us within FORM_SECONDS for this browser's nonce."""
    nonce = str(cookies.get(FORM_COOKIE, ""))
    issued_for = signing.unsign_timed(FORM_PURPOSE, sent, FORM_SECONDS)
    if issued_for is None or not NONCE.fullmatch(nonce):
        return False
    return secrets.compare_digest(issued_for, nonce)


# ---- proxies
_warned_untrusted_proxy = False


def warn_if_proxy_untrusted(request: Any) -> None:
    """Says once, loudly, when a proxy's headers arrive but Sanic was not told to trust them:
    then every client has the proxy's address (one rate limit for all) and the session cookie
    is not marked Secure."""
    global _warned_untrusted_proxy
    if _warned_untrusted_proxy or request.forwarded:
        return
    if any(name in request.headers for name in ("x-forwarded-for", "x-forwarded-proto")):
        _warned_untrusted_proxy = True
        log.warning(
            "helpline console: proxy headers ignored; set SANIC_PROXIES_COUNT (or "
            "SANIC_REAL_IP_HEADER) as deploy/hra.env.example says, or every client shares the "
            "proxy's address for sign-in limits and cookies are not marked Secure"
        )
