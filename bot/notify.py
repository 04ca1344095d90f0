"""Tells a webhook (Slack, Teams, a helpdesk) about helpline tickets, when one is configured.

The JSON payload (README, "Helpline notifications"):
    {"event": "ticket.opened" | "ticket.crisis" | "message.left",
     "text": "<one line for chat tools: Slack and Teams incoming webhooks show it>",
     "ticket": {"id", "reason", "kind", "channel", "region", "opened_at", "position"},
     "console_url": "<where agents sign in>"}
It never carries what the person wrote or who they are (no conversation id): agents read the
conversation in the console. With HRA_HELPLINE_WEBHOOK_SECRET set, the header
X-HRA-Signature is "sha256=" + the HMAC-SHA256 of the body, for the receiver to check.
Sending happens in the background: a slow or failing webhook never delays a person's reply.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from typing import Any

import aiohttp

from bot.handoff import Ticket
from bot.settings import HelplineSettings, get_settings

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5
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


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def send(body: dict[str, Any], settings: HelplineSettings) -> bool:
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if settings.webhook_secret:
        headers["X-HRA-Signature"] = signature(data, settings.webhook_secret)
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
