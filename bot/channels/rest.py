"""Rasa's REST channel (/webhooks/rest/webhook, used by `make chat`), with what every channel
here does around Rasa (bot/channels/guard.py: limits, masking, never silence, handover), and a
clear 400 for a body that is not {"sender": "...", "message": "..."} (Rasa's own answers 500).
credentials.yml names it bot.channels.rest.RestInput."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import MessageGuard

MAX_BODY = 200_000  # bytes: far above the message length cap, which answers politely


def body_problem(raw: bytes) -> str | None:
    """What is wrong with a webhook body, or None if it is a message."""
    if len(raw) > MAX_BODY:
        return f"the body is over {MAX_BODY:,} bytes"
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return "the body is not JSON"
    if not isinstance(body, dict):
        return 'the body must be a JSON object: {"sender": "...", "message": "..."}'
    if not isinstance(body.get("message"), str):
        return '"message" must be a string'
    if not isinstance(body.get("sender", ""), str):
        return '"sender" must be a string'
    return None


class RestInput(RasaRestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        guarded = MessageGuard(on_new_message)
        rest = guarded.attach(super().blueprint(guarded))

        async def check_body(request: Request) -> HTTPResponse | None:
            if request.method != "POST":
                return None
            problem = body_problem(request.body or b"")
            return response.json({"error": problem}, status=400) if problem else None

        rest.middleware("request")(check_body)
        return rest
