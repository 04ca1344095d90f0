"""The helpline console through the real Rasa server: sign-in, CSRF, back-off, the queue,
claims and transcripts, as an agent's browser meets them (cookies, forms, redirects), behind
a proxy as deployed: Sanic is told to trust one (SANIC_PROXIES_COUNT), and each browser here
says its address in X-Forwarded-For, as nginx would."""

from __future__ import annotations

import itertools
import re

import aiohttp
import pytest

from bot.channels.helpline_sign_in import FORM_COOKIE, FREE_FAILURES
from bot.handoff import HandoffStore
from tests.harness import rasa_server

PASSWORD = "a long enough secret"
ADDRESSES = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture(scope="module")
def console(action_server_url, tmp_path_factory, telegram):
    workdir = tmp_path_factory.mktemp("helpline")
    url = f"sqlite:///{workdir / 'handoff.db'}"
    store = HandoffStore(url)
    for agent in ("sam", "alex", "locky"):
        store.add_agent(agent, PASSWORD)
    env = {
        "HRA_HANDOFF_DB": url,
        "TELEGRAM_TOKEN": "123456:TEST-token",
        "TELEGRAM_SECRET_TOKEN": "console-secret",
        "TELEGRAM_API_URL": telegram.url,
        "SANIC_PROXIES_COUNT": "1",  # as deploy/hra.env.example: one nginx in front
    }
    with rasa_server(action_server_url, env, workdir) as base:
        yield base, store


def session(address: str | None = None) -> aiohttp.ClientSession:
    """A browser at an address of its own (or `address`), as nginx reports it."""
    return aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        headers={"X-Forwarded-For": address or next(ADDRESSES)},
    )


async def form_token(client: aiohttp.ClientSession, url: str) -> str:
    async with client.get(url) as page:
        return re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)


async def sign_in(client, base, agent, password=PASSWORD) -> aiohttp.ClientResponse:
    token = await form_token(client, f"{base}/webhooks/helpline/login")
    return await client.post(
        f"{base}/webhooks/helpline/login",
        data={"csrf": token, "username": agent, "password": password},
        allow_redirects=False,
    )


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/", 303),
        ("GET", "/queue/rows", 303),
        ("GET", "/console.js", 303),
        ("GET", "/tickets/1", 303),
        ("GET", "/tickets/1/transcript", 303),
        ("POST", "/tickets/1/claim", 401),
        ("POST", "/tickets/1/reply", 401),
        ("POST", "/tickets/1/handback", 401),
        ("POST", "/tickets/1/close", 401),
        ("POST", "/availability", 401),
        ("POST", "/logout", 401),
    ],
)
async def test_nothing_but_sign_in_answers_without_a_session(console, method, path, expected):
    base, _ = console
    async with (
        session() as client,
        client.request(method, f"{base}/webhooks/helpline{path}", allow_redirects=False) as answer,
    ):
        assert answer.status == expected
        if expected == 303:
            assert answer.headers["Location"].endswith("/webhooks/helpline/login")


async def test_signing_in_needs_the_forms_token(console):
    base, _ = console
    async with (
        session() as client,
        client.post(
            f"{base}/webhooks/helpline/login",
            data={"username": "sam", "password": PASSWORD},
            allow_redirects=False,
        ) as answer,
    ):
        assert answer.status == 403


async def test_a_session_cookie_that_scripts_cannot_read(console):
    base, _ = console
    async with session() as client:
        answer = await sign_in(client, base, "sam")
        assert answer.status == 303
        cookie = next(c for c in answer.headers.getall("Set-Cookie") if "hra_helpline=" in c)
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        async with client.get(f"{base}/webhooks/helpline/") as queue:
            assert queue.status == 200 and "Signed in as sam" in await queue.text()


async def test_guessing_at_a_name_makes_that_address_wait_not_the_worker(console):
    """The attack: wrong passwords locked the account, so anyone could keep a worker out."""
    base, _ = console
    async with session("203.0.113.66") as attacker, session() as worker:
        for _ in range(FREE_FAILURES):
            assert (await sign_in(attacker, base, "locky", "wrong guess")).status == 401
        held = await sign_in(attacker, base, "locky")  # right, but this address must wait
        assert held.status == 429 and int(held.headers["Retry-After"]) > 0
        assert (await sign_in(worker, base, "locky")).status == 303


async def test_rasa_run_trusts_the_proxy_named_in_its_environment(console):
    """`rasa run` builds its Sanic app with Sanic's own config, which reads SANIC_* variables:
    with SANIC_PROXIES_COUNT=1, X-Forwarded-Proto from nginx makes the cookies Secure. Sanic
    reads the proto only once it has found the client's address, so nginx must send
    X-Forwarded-For too."""
    base, _ = console
    login = f"{base}/webhooks/helpline/login"
    behind_https = {"X-Forwarded-For": "198.51.100.200", "X-Forwarded-Proto": "https"}
    async with aiohttp.ClientSession(headers=behind_https) as client:
        async with client.get(login) as page:
            assert "Secure" in page.headers["Set-Cookie"]
            nonce = page.cookies[FORM_COOKIE].value
            token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
        async with client.post(
            login,
            data={"csrf": token, "username": "sam", "password": PASSWORD},
            headers={"Cookie": f"{FORM_COOKIE}={nonce}"},  # a browser on https sends it back
            allow_redirects=False,
        ) as signed_in:
            cookie = next(c for c in signed_in.headers.getall("Set-Cookie") if "hra_helpline=" in c)
            assert signed_in.status == 303 and "Secure" in cookie and "HttpOnly" in cookie
    async with (
        aiohttp.ClientSession(headers={"X-Forwarded-Proto": "https"}) as no_address,
        no_address.get(login) as page,
    ):
        assert "Secure" not in page.headers["Set-Cookie"]


async def test_a_page_after_a_redirect_has_no_location_header(console):
    """The finding: a redirect wrote Location into the headers every page shared."""
    base, _ = console
    async with session() as client:
        assert (await sign_in(client, base, "sam")).status == 303
        for path in ("/", "/login", "/queue/rows"):
            async with client.get(f"{base}/webhooks/helpline{path}") as page:
                assert page.status == 200 and "Location" not in page.headers


async def test_claim_read_the_transcript_and_keep_others_out(console):
    base, store = console
    async with session() as person:
        await person.post(
            f"{base}/webhooks/rest/webhook",
            json={"sender": "web-person-1", "message": "can i talk to someone real"},
        )
    ticket = store.open_ticket("rest:web-person-1", "rest", "england", "asked")
    async with session() as sam, session() as alex:
        await sign_in(sam, base, "sam")
        await sign_in(alex, base, "alex")
        queue_url = f"{base}/webhooks/helpline/"
        csrf = await form_token(sam, queue_url)
        claim_url = f"{base}/webhooks/helpline/tickets/{ticket.id}/claim"
        async with sam.post(claim_url, allow_redirects=False) as no_token:
            assert no_token.status == 403  # CSRF
        async with sam.post(claim_url, data={"csrf": csrf}) as claimed:
            assert claimed.status == 200
            assert "can i talk to someone real" in await claimed.text()
        alex_csrf = await form_token(alex, queue_url)
        async with alex.post(claim_url, data={"csrf": alex_csrf}, allow_redirects=False) as taken:
            assert taken.status == 409
        async with alex.get(f"{base}/webhooks/helpline/tickets/{ticket.id}") as peek:
            assert peek.status == 403
        async with alex.get(queue_url) as alex_queue:
            assert f"tickets/{ticket.id}/claim" not in await alex_queue.text()


async def test_a_reply_reaches_a_telegram_user_and_the_transcript(console, telegram):
    base, store = console
    update = {
        "update_id": 901,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 777, "type": "private"},
            "text": "can i talk to someone real",
        },
    }
    async with session() as person:
        await person.post(
            f"{base}/webhooks/telegram/webhook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": "console-secret"},
        )
    ticket = store.open_ticket("telegram:777", "telegram", "england", "asked")
    async with session() as sam:
        await sign_in(sam, base, "sam")
        csrf = await form_token(sam, f"{base}/webhooks/helpline/")
        await sam.post(f"{base}/webhooks/helpline/tickets/{ticket.id}/claim", data={"csrf": csrf})
        async with sam.post(
            f"{base}/webhooks/helpline/tickets/{ticket.id}/reply",
            data={"csrf": csrf, "text": "Hi, this is Sam from the helpline <3"},
        ) as sent:
            assert sent.status == 200
            assert "Hi, this is Sam from the helpline &lt;3" in await sent.text()
    to_person = [body["text"] for body in telegram.sent() if body.get("chat_id") == "777"]
    assert to_person[-2:] == [
        "A helpline worker has joined the chat. You can talk to them here.",
        "Helpline worker: Hi, this is Sam from the helpline &lt;3",
    ]


async def test_an_agent_cannot_reply_into_another_agents_conversation(console):
    base, store = console
    ticket = store.open_ticket("web-person-2", "rest", None, "asked")
    store.claim(ticket.id, "sam")
    async with session() as alex:
        await sign_in(alex, base, "alex")
        csrf = await form_token(alex, f"{base}/webhooks/helpline/")
        async with alex.post(
            f"{base}/webhooks/helpline/tickets/{ticket.id}/reply",
            data={"csrf": csrf, "text": "hello"},
            allow_redirects=False,
        ) as refused:
            assert refused.status == 403


async def test_another_agent_can_neither_watch_hand_back_nor_close(console):
    base, store = console
    ticket = store.open_ticket("web-person-3", "rest", None, "asked")
    store.claim(ticket.id, "sam")
    ticket_url = f"{base}/webhooks/helpline/tickets/{ticket.id}"
    async with session() as alex, session() as sam:
        await sign_in(alex, base, "alex")
        await sign_in(sam, base, "sam")
        alex_csrf = await form_token(alex, f"{base}/webhooks/helpline/")
        async with alex.get(f"{ticket_url}/transcript") as watched:
            assert watched.status == 403
        for action in ("handback", "close"):
            async with alex.post(
                f"{ticket_url}/{action}", data={"csrf": alex_csrf}, allow_redirects=False
            ) as refused:
                assert refused.status == 403
        async with sam.post(f"{ticket_url}/handback", allow_redirects=False) as no_token:
            assert no_token.status == 403  # CSRF
        assert store.get(ticket.id).status == "claimed"
        csrf = await form_token(sam, f"{base}/webhooks/helpline/")
        async with sam.post(
            f"{ticket_url}/handback", data={"csrf": csrf}, allow_redirects=False
        ) as done:
            assert done.status == 303
    closed = store.get(ticket.id)
    assert (closed.status, closed.outcome) == ("closed", "handed_back")
