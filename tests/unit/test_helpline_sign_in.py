"""Signing in to the helpline console under attack: bursts, guessing at a name, telling names
apart by timing, and form tokens used by another browser. The gate runs against a real
handoff store on SQLite and the fixed clock; the console's HTTP side is in
tests/channels/test_helpline_console.py."""

from __future__ import annotations

import asyncio
import hashlib
import threading

import pytest

from bot import signing
from bot.channels.helpline_sign_in import (
    ATTEMPT_BURST,
    FIRST_WAIT,
    FORM_COOKIE,
    FORM_SECONDS,
    FREE_FAILURES,
    HASHING_AT_ONCE,
    Backoff,
    Outcome,
    SignInGate,
    address_key,
    form_nonce,
    form_token,
    form_token_ok,
)
from bot.handoff import HandoffStore
from bot.settings import get_settings

PASSWORD = "a long enough secret"


@pytest.fixture(autouse=True)
def signing_key(monkeypatch):
    monkeypatch.setenv("HRA_SECRET_KEY", "test key for form tokens")
    get_settings.cache_clear()
    signing.secret_key.cache_clear()
    yield
    get_settings.cache_clear()
    signing.secret_key.cache_clear()


@pytest.fixture
def store(tmp_path):
    made = HandoffStore(f"sqlite:///{tmp_path / 'handoff.db'}")
    made.add_agent("sam", PASSWORD)
    return made


@pytest.fixture
def gate(store):
    return SignInGate(lambda: store)


@pytest.fixture
def scrypt_calls(monkeypatch):
    """Counts scrypt computations; the real ones still run."""
    calls = []
    real = hashlib.scrypt

    def counted(*args, **kwargs):
        calls.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    return calls


# ---- bursts: rate limit per address, hashing off the loop
async def test_a_burst_from_one_address_is_refused_without_hashing(gate, scrypt_calls, fixed_clock):
    outcomes = [(await gate.attempt(f"guess{n}", "x", "203.0.113.7")).outcome for n in range(12)]
    assert outcomes == [Outcome.WRONG] * ATTEMPT_BURST + [Outcome.LIMITED] * 2
    assert len(scrypt_calls) == ATTEMPT_BURST  # a limited attempt costs no hash
    assert (await gate.attempt("sam", PASSWORD, "198.51.100.1")).outcome is Outcome.SIGNED_IN
    fixed_clock.advance(seconds=10)  # six a minute: one more after ten seconds
    assert (await gate.attempt("guess", "x", "203.0.113.7")).outcome is Outcome.WRONG
    assert (await gate.attempt("guess", "x", "203.0.113.7")).outcome is Outcome.LIMITED


async def test_hashing_runs_off_the_event_loop_a_few_at_a_time(gate, store, monkeypatch):
    """The attack: many addresses sign in at once. While their hashes run, the event loop
    (here, this test) must keep running, and only HASHING_AT_ONCE hashes may run together."""
    release, running, most, threads = threading.Event(), [0], [0], set()
    lock = threading.Lock()

    def slow_sign_in(username, password, refused=False):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
            threads.add(threading.get_ident())
        release.wait(timeout=3)  # stands in for scrypt's 50 ms of CPU
        with lock:
            running[0] -= 1
        return False

    monkeypatch.setattr(store, "sign_in", slow_sign_in)
    attempts = [
        asyncio.create_task(gate.attempt("sam", "guess", f"198.51.100.{n}")) for n in range(6)
    ]
    for _ in range(200):  # the loop runs on while two hashes are in progress
        if running[0] == HASHING_AT_ONCE:
            break
        await asyncio.sleep(0.01)
    assert running[0] == HASHING_AT_ONCE
    release.set()
    outcomes = await asyncio.wait_for(asyncio.gather(*attempts), 10)
    assert [verdict.outcome for verdict in outcomes] == [Outcome.WRONG] * 6
    assert most[0] == HASHING_AT_ONCE
    assert threading.get_ident() not in threads


# ---- guessing at a name: back-off per (name, address), no lock-out, the same work every time
async def test_guessing_from_one_address_backs_off_there_only(gate, fixed_clock):
    attacker, worker = "203.0.113.7", "198.51.100.20"
    for _ in range(FREE_FAILURES):
        assert (await gate.attempt("sam", "guess", attacker)).outcome is Outcome.WRONG
    held = await gate.attempt("sam", PASSWORD, attacker)  # even the right password waits
    assert (held.outcome, held.retry_after) == (Outcome.BACKED_OFF, FIRST_WAIT)
    assert (await gate.attempt("sam", PASSWORD, worker)).outcome is Outcome.SIGNED_IN
    assert (await gate.attempt("alex", "guess", attacker)).outcome is Outcome.WRONG  # other names

    fixed_clock.advance(seconds=FIRST_WAIT)
    assert (await gate.attempt("sam", "guess", attacker)).outcome is Outcome.WRONG
    longer = await gate.attempt("sam", "guess", attacker)
    assert (longer.outcome, longer.retry_after) == (Outcome.BACKED_OFF, 2 * FIRST_WAIT)
    fixed_clock.advance(seconds=2 * FIRST_WAIT)
    assert (await gate.attempt("sam", PASSWORD, attacker)).outcome is Outcome.SIGNED_IN
    assert (await gate.attempt("sam", "guess", attacker)).outcome is Outcome.WRONG  # reset


async def test_guesses_sent_together_cannot_all_slip_past_the_back_off(gate):
    guesses = [gate.attempt("sam", f"guess {n}", "203.0.113.7") for n in range(ATTEMPT_BURST)]
    outcomes = [verdict.outcome for verdict in await asyncio.gather(*guesses)]
    assert outcomes.count(Outcome.WRONG) == FREE_FAILURES
    assert outcomes.count(Outcome.BACKED_OFF) == ATTEMPT_BURST - FREE_FAILURES


async def test_unknown_backed_off_and_wrong_attempts_each_cost_one_hash(gate, scrypt_calls):
    """The attack: telling real names from others (or a backed-off name) by how fast the
    refusal comes. Each kind of attempt must do the same work: one scrypt."""
    for username in ("nobody", "sam"):
        for _ in range(FREE_FAILURES):
            assert (await gate.attempt(username, "guess", "203.0.113.7")).outcome is Outcome.WRONG
    assert len(scrypt_calls) == 2 * FREE_FAILURES
    scrypt_calls.clear()
    unknown_backed_off = await gate.attempt("nobody", "guess", "203.0.113.7")
    real_backed_off = await gate.attempt("sam", "guess", "203.0.113.7")
    assert unknown_backed_off.outcome is real_backed_off.outcome is Outcome.BACKED_OFF
    assert len(scrypt_calls) == 2


def test_the_back_off_grows_to_a_ceiling_and_forgets_quiet_failures(fixed_clock):
    backoff = Backoff(free=2, first_wait=5, longest_wait=60, now=fixed_clock)
    for expected in (0, 5, 10, 20, 40, 60, 60):
        backoff.failed("key")
        assert backoff.wait("key") == expected
    fixed_clock.advance(hours=1, seconds=1)
    assert backoff.wait("key") == 0
    backoff.failed("key")
    assert backoff.wait("key") == 0  # counting again from the start


def test_the_back_off_keeps_a_bounded_number_of_keys(fixed_clock):
    backoff = Backoff(free=0, now=fixed_clock, max_keys=100)
    for n in range(1000):
        backoff.failed(n)
    assert backoff.wait(900) > 0 and backoff.wait(899) == 0  # the oldest went first


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("[2001:db8:1:2:aaaa::1]", "2001:db8:1:2::/64"),  # Sanic brackets forwarded IPv6
        ("2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:db8:1:2::/64"),  # same household
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("unknown", "unknown"),
    ],
)
def test_an_ipv6_address_counts_by_its_64(address, key):
    assert address_key(address) == key


# ---- the stateless form token
def test_a_form_token_works_only_with_its_own_browsers_cookie(fixed_clock):
    mine, theirs = form_nonce({}), form_nonce({})
    assert mine != theirs
    token = form_token(mine)
    assert form_token_ok({FORM_COOKIE: mine}, token)
    assert not form_token_ok({FORM_COOKIE: theirs}, token)  # fetched by another browser
    assert not form_token_ok({}, token)  # no cookie
    assert not form_token_ok({FORM_COOKIE: mine}, token[:-2] + "xx")  # changed
    assert not form_token_ok({FORM_COOKIE: mine}, signing.sign_timed("web-session", mine))
    assert not form_token_ok({FORM_COOKIE: ""}, form_token(""))  # an empty nonce never
    fixed_clock.advance(seconds=FORM_SECONDS + 1)
    assert not form_token_ok({FORM_COOKIE: mine}, token)  # expired


def test_a_browser_keeps_its_nonce_and_odd_cookies_are_replaced():
    nonce = form_nonce({})
    assert form_nonce({FORM_COOKIE: nonce}) == nonce  # several tabs share one nonce
    assert form_nonce({FORM_COOKIE: "short"}) != "short"
    assert form_nonce({FORM_COOKIE: "x" * 22 + ";evil"}) != "x" * 22 + ";evil"
