"""The helpline console's HTTP side under attack, on a Sanic server in this process (no trained
model): sign-in bursts, guessing, cookies behind a proxy, form tokens, CSRF, stray headers
and escaping. tests/model/test_helpline_console.py runs it inside the real `rasa run`."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import re
import threading
from collections import deque
from types import SimpleNamespace

import aiohttp
import pytest
from sanic import Sanic

from bot import signing
from bot.channels import helpline_sign_in
from bot.channels.helpline import SECURITY_HEADERS, HelplineConsole
from bot.channels.helpline_sign_in import (
    ATTEMPT_BURST,
    FORM_COOKIE,
    FREE_FAILURES,
    HASHING_AT_ONCE,
)
from bot.settings import get_settings
from tests.harness import free_port

PASSWORD = "a long enough secret"
APP_NUMBERS = itertools.count()


class NoTrackers:
    async def retrieve(self, conversation_id):
        return None


@pytest.fixture(autouse=True)
def several_sanic_apps(monkeypatch):
    """Sanic 21.12 rewrites its own classes when an app starts; in test mode it keeps the
    originals, so that one process can start an app per test."""
    monkeypatch.setattr(Sanic, "test_mode", True)


@pytest.fixture(autouse=True)
def signing_key(monkeypatch):
    monkeypatch.setenv("HRA_SECRET_KEY", "test key for form tokens")
    get_settings.cache_clear()
    signing.secret_key.cache_clear()
    yield
    get_settings.cache_clear()
    signing.secret_key.cache_clear()


async def serve(proxies_count: int | None):
    """The console as Rasa mounts it, on loopback; `proxies_count` as SANIC_PROXIES_COUNT."""
    channel = HelplineConsole(get_settings().handoff_db)
    channel.store.add_agent("sam", PASSWORD)
    channel.store.add_agent("alex", PASSWORD)
    app = Sanic(f"console_test_{next(APP_NUMBERS)}")
    app.config.PROXIES_COUNT = proxies_count
    app.ctx.agent = SimpleNamespace(tracker_store=NoTrackers())

    async def on_new_message(message):
        raise AssertionError("the console sends nothing to the assistant")

    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/helpline")
    port = free_port()
    app.config.MOTD = False
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()  # create_server has started listening already
    return channel, server, f"http://127.0.0.1:{port}/webhooks/helpline"


@pytest.fixture
async def console():
    """The console behind one trusted proxy (nginx): X-Forwarded-For says who the client is."""
    channel, server, base = await serve(1)
    yield SimpleNamespace(channel=channel, store=channel.store, base=base)
    server.close()
    await server.wait_closed()


@pytest.fixture
async def direct():
    """A console with no proxy settings: forwarded headers must change nothing."""
    channel, server, base = await serve(None)
    yield SimpleNamespace(channel=channel, store=channel.store, base=base)
    server.close()
    await server.wait_closed()


def browser(address: str = "198.51.100.1", **headers: str) -> aiohttp.ClientSession:
    """A browser at `address` (as nginx reports it in X-Forwarded-For)."""
    return aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True), headers={"X-Forwarded-For": address, **headers}
    )


async def csrf_of(client: aiohttp.ClientSession, url: str) -> str:
    async with client.get(url) as page:
        return re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)


async def sign_in(client, base, agent="sam", password=PASSWORD) -> tuple[int, str]:
    token = await csrf_of(client, f"{base}/login")
    async with client.post(
        f"{base}/login",
        data={"csrf": token, "username": agent, "password": password},
        allow_redirects=False,
    ) as answer:
        return answer.status, await answer.text()


@pytest.fixture
def scrypt_calls(monkeypatch):
    calls = []
    real = hashlib.scrypt
    monkeypatch.setattr(hashlib, "scrypt", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


# ---- 1. a burst of sign-ins must not stall the server
async def test_pages_are_served_while_sign_in_hashes_run(console, monkeypatch):
    """The attack: many addresses sign in at once while someone else loads a page. With the
    hashes on the event loop the page waited for all of them; now it must not wait at all."""
    release, running = threading.Event(), []

    def slow_sign_in(username, password, refused=False):
        running.append(1)
        release.wait(timeout=3)  # stands in for scrypt's CPU time
        return False

    monkeypatch.setattr(console.store, "sign_in", slow_sign_in)
    attackers = [browser(f"203.0.113.{n}") for n in range(6)]
    try:
        burst = [asyncio.create_task(sign_in(a, console.base, "sam", "guess")) for a in attackers]
        for _ in range(500):
            if len(running) >= HASHING_AT_ONCE:
                break
            await asyncio.sleep(0.01)
        async with browser() as bystander:
            page = await asyncio.wait_for(bystander.get(f"{console.base}/login"), 2)
            assert page.status == 200  # answered while hashes are still running
        assert len(running) == HASHING_AT_ONCE  # the others wait their turn
        release.set()
        assert [status for status, _ in await asyncio.gather(*burst)] == [401] * 6
    finally:
        release.set()
        for attacker in attackers:
            await attacker.close()


async def test_a_burst_from_one_address_gets_429_and_costs_no_hashing(console, scrypt_calls):
    async with browser("203.0.113.9") as attacker, browser("198.51.100.2") as worker:
        answers = [await sign_in(attacker, console.base, f"guess{n}") for n in range(12)]
        assert [status for status, _ in answers] == [401] * ATTEMPT_BURST + [429, 429]
        assert len(scrypt_calls) == ATTEMPT_BURST
        limited = answers[-1][1]
        assert "Too many sign-in attempts" in limited and "<form" not in limited  # plain page
        assert (await sign_in(worker, console.base))[0] == 303  # another address gets in


# ---- 2. guessing at a name backs off that address only
async def test_guessing_at_a_name_cannot_keep_the_worker_out(console):
    async with browser("203.0.113.9") as attacker, browser("198.51.100.2") as worker:
        for _ in range(FREE_FAILURES):
            status, page = await sign_in(attacker, console.base, "sam", "guess")
            assert status == 401 and "Wrong name or password." in page
        status, page = await sign_in(attacker, console.base, "sam", PASSWORD)
        assert status == 429 and "wait 5 seconds" in page  # right, but that address waits
        assert (await sign_in(worker, console.base, "sam", PASSWORD))[0] == 303


async def test_unknown_and_real_names_are_answered_alike(console, scrypt_calls):
    """The attack: a locked account answered in 2 ms instead of 50, which told real names
    from made-up ones. Both now take one hash and get the same words."""
    async with browser("203.0.113.9") as attacker:
        pages = {}
        for name in ("sam", "nobody"):
            for _ in range(FREE_FAILURES + 2):
                pages[name] = await sign_in(attacker, console.base, name, "guess")
        assert len(scrypt_calls) == 2 * (FREE_FAILURES + 2)
        assert pages["sam"][0] == pages["nobody"][0] == 429
        assert pages["sam"][1].split("csrf")[0] == pages["nobody"][1].split("csrf")[0]


# ---- 3. the cookies are Secure when the client came over https
async def test_cookies_are_secure_behind_a_trusted_https_proxy(console):
    """The finding: behind nginx the session cookie was never Secure. (Test clients talk
    plain http, so the Secure form cookie is sent back by hand, as a browser on https would.)"""
    proxy = {"X-Forwarded-For": "198.51.100.1", "X-Forwarded-Proto": "https"}
    async with aiohttp.ClientSession(headers=proxy) as client:
        async with client.get(f"{console.base}/login") as page:
            assert "Secure" in page.headers["Set-Cookie"]
            nonce = page.cookies[FORM_COOKIE].value
            token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
        async with client.post(
            f"{console.base}/login",
            data={"csrf": token, "username": "sam", "password": PASSWORD},
            headers={"Cookie": f"{FORM_COOKIE}={nonce}"},
            allow_redirects=False,
        ) as signed_in:
            cookies = signed_in.headers.getall("Set-Cookie")
    session = next(c for c in cookies if c.startswith("hra_helpline="))
    assert signed_in.status == 303
    assert "Secure" in session and "HttpOnly" in session and "SameSite=Strict" in session


async def test_forwarded_headers_change_nothing_unless_the_proxy_is_trusted(
    direct, caplog, monkeypatch
):
    monkeypatch.setattr(helpline_sign_in, "_warned_untrusted_proxy", False)
    caplog.set_level(logging.WARNING, logger=helpline_sign_in.__name__)
    async with browser("203.0.113.50", **{"X-Forwarded-Proto": "https"}) as client:
        async with client.get(f"{direct.base}/login") as page:
            assert "Secure" not in page.headers["Set-Cookie"]  # a forged header is ignored
        assert (await sign_in(client, direct.base))[0] == 303
    assert caplog.text.count("SANIC_PROXIES_COUNT") == 1  # the operator is told, once


async def test_plain_http_gets_no_secure_flag_so_the_cookie_comes_back(console):
    async with browser() as client:
        async with client.get(f"{console.base}/login") as page:
            assert "Secure" not in page.headers["Set-Cookie"]
        assert (await sign_in(client, console.base))[0] == 303
        async with client.get(f"{console.base}/") as queue:
            assert "Signed in as sam" in await queue.text()


# ---- 4. the sign-in form keeps nothing on the server, and binds to its browser
def held_items(thing: object, depth: int = 4) -> int:
    """Entries in every container the console holds, and in those of the objects of ours it
    holds (its sign-in gate, the gate's limiters, ...)."""
    total = 0
    for value in vars(thing).values():
        if isinstance(value, (dict, list, set, deque)):
            total += len(value)
        elif type(value).__module__.startswith("bot.") and hasattr(value, "__dict__") and depth:
            total += held_items(value, depth - 1)
    return total


async def test_visits_of_the_sign_in_page_keep_nothing_in_memory(console):
    """The attack: 30,000 anonymous GET /login grew the server by 27 MB."""
    async with browser() as client:
        await client.get(f"{console.base}/login")
        before = held_items(console.channel)
        for _ in range(300):
            async with aiohttp.ClientSession() as visitor, visitor.get(f"{console.base}/login"):
                pass
        assert held_items(console.channel) == before


async def test_a_form_token_from_one_browser_is_refused_from_another(console):
    async with browser() as attacker, browser() as victim, aiohttp.ClientSession() as bare:
        stolen = await csrf_of(attacker, f"{console.base}/login")
        await victim.get(f"{console.base}/login")  # the victim has a nonce of its own
        for client, token in [
            (victim, stolen),  # another browser's token
            (victim, ""),
            (attacker, stolen + "x"),  # changed
            (bare, stolen),  # the token without its cookie
        ]:
            async with client.post(
                f"{console.base}/login",
                data={"csrf": token, "username": "sam", "password": PASSWORD},
                allow_redirects=False,
            ) as refused:
                assert refused.status == 403


async def test_signing_in_spends_the_form_cookie(console):
    async with browser() as client:
        token = await csrf_of(client, f"{console.base}/login")
        async with client.post(
            f"{console.base}/login",
            data={"csrf": token, "username": "sam", "password": PASSWORD},
            allow_redirects=False,
        ) as answer:
            form = next(c for c in answer.headers.getall("Set-Cookie") if FORM_COOKIE in c)
            assert "Max-Age=0" in form


# ---- CSRF and access on every state-changing request
STATE_CHANGING = ["/logout", "/availability", "/tickets/{id}/claim", "/tickets/{id}/reply",
                  "/tickets/{id}/handback", "/tickets/{id}/close"]  # fmt: skip


@pytest.mark.parametrize("path", STATE_CHANGING)
async def test_every_state_changing_request_needs_this_sessions_token(console, path):
    ticket = console.store.open_ticket("web-1", "rest", None, "asked")
    console.store.claim(ticket.id, "sam")
    url = console.base + path.format(id=ticket.id)
    async with browser() as sam, browser("198.51.100.3") as alex:
        await sign_in(sam, console.base)
        await sign_in(alex, console.base, "alex")
        alex_token = await csrf_of(alex, f"{console.base}/")
        for data in ({}, {"csrf": ""}, {"csrf": alex_token, "text": "hi", "available": "yes"}):
            async with sam.post(url, data=data, allow_redirects=False) as refused:
                assert refused.status == 403
        async with sam.get(f"{console.base}/") as queue:
            assert queue.status == 200  # still signed in: logout was refused too
    assert console.store.get(ticket.id).status == "claimed"


async def test_with_its_token_a_request_goes_through(console):
    async with browser() as sam:
        await sign_in(sam, console.base)
        token = await csrf_of(sam, f"{console.base}/")
        data = {"csrf": token, "available": "no"}
        async with sam.post(f"{console.base}/availability", data=data) as done:
            assert "away (no new chats offered)" in await done.text()
        async with sam.post(f"{console.base}/logout", data={"csrf": token}) as out:
            assert out.url.path.endswith("/login")
        async with sam.get(f"{console.base}/", allow_redirects=False) as after:
            assert after.status == 303  # the session is gone


async def test_nothing_but_sign_in_answers_without_a_session(console):
    async with browser() as nobody:
        async with nobody.get(f"{console.base}/", allow_redirects=False) as page:
            assert page.status == 303 and page.headers["Location"].endswith("/login")
        async with nobody.post(f"{console.base}/availability", allow_redirects=False) as post:
            assert post.status == 401


# ---- 5. a redirect leaves no Location on later pages
async def test_a_page_after_a_redirect_has_no_location_header(console):
    async with browser() as client:
        assert (await sign_in(client, console.base))[0] == 303
        async with client.get(f"{console.base}/", allow_redirects=False) as queue:
            assert queue.status == 200 and "Location" not in queue.headers
        async with client.get(f"{console.base}/queue/rows") as rows:
            assert "Location" not in rows.headers and rows.headers["X-Waiting"] == "0"
        async with client.get(f"{console.base}/login") as page:
            assert "Location" not in page.headers
            assert page.headers["X-Frame-Options"] == "DENY"  # the headers themselves remain
    with pytest.raises(TypeError):
        SECURITY_HEADERS["Location"] = "/elsewhere"  # type: ignore[index]


# ---- escaping
async def test_what_people_and_tickets_carry_is_escaped(console):
    script = "<script>alert(1)</script>"
    ticket = console.store.open_ticket("web-2", script, script, "asked", "message", script)
    console.store.claim(ticket.id, "sam")
    async with browser() as sam:
        await sign_in(sam, console.base)
        for url in (f"{console.base}/", f"{console.base}/tickets/{ticket.id}"):
            async with sam.get(url) as page:
                text = await page.text()
                assert script not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
