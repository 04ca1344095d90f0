"""Helpline notifications are signed over their time and body: a captured one cannot be replayed
later, nor re-dated, nor changed (bot/notify.py, docs/helpline.md "Helpline notifications")."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

import pytest
from aiohttp import web

from bot import notify
from bot.handoff import Ticket
from bot.settings import HelplineSettings
from tests.conftest import TEST_NOW

SECRET = "a webhook secret"


@pytest.fixture
async def receiver():
    """A webhook on loopback that keeps what it was sent; yields (settings, received)."""
    received: list[tuple[bytes, dict[str, str]]] = []

    async def receive(request: web.Request) -> web.Response:
        received.append((await request.read(), dict(request.headers)))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    settings = HelplineSettings(
        config=notify.get_settings().helpline.config,
        webhook_url=f"http://127.0.0.1:{port}/hook",
        webhook_secret=SECRET,
        console_url="https://chat.example.org/webhooks/helpline/",
    )
    yield settings, received
    await runner.cleanup()


def a_ticket() -> Ticket:
    return Ticket(
        id=7,
        conversation_id="web:secret-id",
        channel="socketio",
        region="england",
        reason="asked",
        status="waiting",
        agent=None,
        opened_at=datetime(2026, 12, 2, 11, 59),
    )


async def captured(receiver) -> tuple[bytes, dict[str, str]]:
    settings, received = receiver
    body = notify.payload("ticket.opened", a_ticket(), 1, settings.console_url)
    assert await notify.send(body, settings)
    [(raw, headers)] = received
    return raw, headers


async def test_the_signature_covers_the_sending_time_and_the_body(receiver):
    raw, headers = await captured(receiver)
    assert headers["X-HRA-Timestamp"] == str(int(TEST_NOW.timestamp()))
    signed = headers["X-HRA-Timestamp"].encode() + b"." + raw
    expected = "sha256=" + hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
    assert headers["X-HRA-Signature"] == expected
    assert json.loads(raw)["event"] == "ticket.opened"
    assert notify.verify(raw, headers["X-HRA-Timestamp"], headers["X-HRA-Signature"], SECRET)


async def test_a_captured_notification_replayed_later_is_refused(receiver, fixed_clock):
    raw, headers = await captured(receiver)
    stamp, sig = headers["X-HRA-Timestamp"], headers["X-HRA-Signature"]
    fixed_clock.advance(seconds=notify.REPLAY_WINDOW_SECONDS - 1)
    assert notify.verify(raw, stamp, sig, SECRET)  # a slow network is not an attack
    fixed_clock.advance(seconds=2)
    assert not notify.verify(raw, stamp, sig, SECRET)
    fixed_clock.advance(hours=24)
    assert not notify.verify(raw, stamp, sig, SECRET)


async def test_a_replay_with_a_fresh_timestamp_or_a_changed_body_is_refused(receiver, fixed_clock):
    raw, headers = await captured(receiver)
    stamp, sig = headers["X-HRA-Timestamp"], headers["X-HRA-Signature"]
    fixed_clock.advance(hours=1)
    now = str(int(fixed_clock()))
    assert not notify.verify(raw, now, sig, SECRET)  # re-dated: the signature no longer fits
    fixed_clock.advance(hours=-1)
    changed = raw.replace(b'"position": 1', b'"position": 9')
    assert changed != raw and not notify.verify(changed, stamp, sig, SECRET)
    assert not notify.verify(raw, stamp, sig, "another secret")
    for garbage in ("", "soon", "-1", "1e9", "\u00b2", stamp + " "):
        assert not notify.verify(raw, garbage, sig, SECRET)


async def test_without_a_secret_nothing_is_signed(receiver):
    settings, received = receiver
    unsigned = HelplineSettings(settings.config, settings.webhook_url, "", settings.console_url)
    assert await notify.send({"event": "ticket.opened"}, unsigned)
    [(_, headers)] = received
    assert "X-HRA-Signature" not in headers and "X-HRA-Timestamp" not in headers
