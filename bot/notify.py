"""Tells a webhook (Slack, Teams, a helpdesk) about helpline tickets, when one is configured.

The JSON payload (README, "Helpline notifications"):
    {"event": "ticket.opened" | "ticket.crisis" | "message.left",
     "text": "<one line for chat tools: Slack and Teams incoming webhooks show it>",
     "ticket": {"id", "reason", "kind", "channel", "region", "opened_at", "position"},
     "console_url": "<where agents sign in>"}
It never carries what the person wrote or who they are (no conversation id): agents read the
conversation in the console.

Signed with HRA_HELPLINE_WEBHOOK_SECRET: X-HRA-Timestamp is when it was sent (whole seconds
since the epoch, bot/clock.py) and X-HRA-Signature is "sha256=" + the hex HMAC-SHA256, keyed
with the secret, of f"{timestamp}.{body}". The receiver recomputes it over the raw body, compares
in constant time and refuses a timestamp more than REPLAY_WINDOW_SECONDS from its own clock, so
a captured notification cannot be replayed later (`verify` does all three; README "Helpline
notifications"). Sending happens in the background: a slow or failing webhook never delays a
person's reply.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
from typing import Any

import aiohttp

from bot import clock
from bot.handoff import Ticket
from bot.settings import HelplineSettings, get_settings

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5
REPLAY_WINDOW_SECONDS = 300  # how old (or how far ahead) a receiver should accept
TIMESTAMP_HEADER = "X-HRA-Timestamp"
SIGNATURE_HEADER = "X-HRA-Signature"
SUMMARIES = {
    "ticket.opened": "Helpline: someone is waiting to chat",
    "ticket.crisis": "Helpline: URGENT, a crisis message in a handed-over chat",
    "message.left": "Helpline: someone left a message",
}
_pending: set[asyncio.Task] = set()  # kept so running sends are not garbage-collected


def payload(event: str, ticket: Ticket, position: int, console_url: str) -> dict[str, Any]:
    if event not in SUMMARIES:
        raise ValueError(f"unknown event {event!r}, expected one of {sorted(SUMMARIES)}")
    details = f"{ticket.reason}, {ticket.channel}, {ticket.region or 'region unknown'}"
    return {
        "event": event,
        "text": f"{SUMMARIES[event]} ({details}). Open the console: {console_url}",
        "ticket": {
            "id": ticket.id,
            "reason": ticket.reason,
            "kind": ticket.kind,
            "channel": ticket.channel,
            "region": ticket.region,
            "opened_at": ticket.opened_at.isoformat() + "Z",
            "position": position,
        },
        "console_url": console_url,
    }


def signature(timestamp: int, body: bytes, secret: str) -> str:
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, secret: str) -> dict[str, str]:
    timestamp = int(clock.epoch_seconds())
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(timestamp, body, secret)}


def verify(
    body: bytes,
    timestamp: str,
    sent_signature: str,
    secret: str,
    window: float = REPLAY_WINDOW_SECONDS,
) -> bool:
    """What a receiver checks (a reference for its own code): the signature over this timestamp
    and this body, and a timestamp within `window` seconds of now."""
    if not re.fullmatch(r"[0-9]{1,12}", timestamp):
        return False
    if abs(clock.epoch_seconds() - int(timestamp)) > window:
        return False
    expected = signature(int(timestamp), body, secret)
    return hmac.compare_digest(expected.encode(), sent_signature.encode())


async def send(body: dict[str, Any], settings: HelplineSettings) -> bool:
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if settings.webhook_secret:
        headers.update(signed_headers(data, settings.webhook_secret))
    try:
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.post(settings.webhook_url, data=data, headers=headers) as reply,
        ):
            if reply.status >= 300:
                logger.warning("helpline webhook answered HTTP %s", reply.status)
                return False
            return True
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        logger.warning("helpline webhook unreachable: %s", type(error).__name__)
        return False


def notify(event: str, ticket: Ticket, position: int = 0) -> asyncio.Task | None:
    """Starts sending the notification in the background; None when no webhook is set."""
    settings = get_settings().helpline
    if not settings.webhook_url:
        return None
    body = payload(event, ticket, position, settings.console_url)
    task = asyncio.get_running_loop().create_task(send(body, settings))
    _pending.add(task)
    task.add_done_callback(_pending.discard)
    return task
