"""The REST channel (/webhooks/rest/webhook, used by `make chat` and the tests), in Rasa's
request and reply format: POST {"sender": "...", "message": "..."} -> [{"recipient_id",
"text", "buttons", "custom"}, ...]. credentials.yml names it bot.channels.rest.RestInput.
The conversation is `rest:<sender>` (bot/conversations.py): a REST caller can never write into a
Telegram or web conversation, whatever sender it names. deploy/nginx.conf does not publish it.

Our own rather than Rasa's RestInput: Rasa's answers 500 to a body that is not a message and
logs the message text at ERROR when a request is cancelled or fails; this one answers a clear
400 and logs no text. Every message goes through bot/channels/guard.py like the others'."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.addresses import client_address
from bot.channels.guard import MessageGuard
from bot.conversations import MAX_NATIVE_ID, REST, conversation_id

MAX_BODY = 200_000  # bytes: far above the message length cap, which answers politely


def read_body(raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """The message body, or None and what is wrong with it."""
    if len(raw) > MAX_BODY:
        return None, f"the body is over {MAX_BODY:,} bytes"
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None, "the body is not JSON"
    if not isinstance(body, dict):
        return None, 'the body must be a JSON object: {"sender": "...", "message": "..."}'
    if not isinstance(body.get("message"), str):
        return None, '"message" must be a string'
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_NATIVE_ID:
        return None, f'"sender" must be a string of 1 to {MAX_NATIVE_ID} characters'
    return body, None


class RestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        rest = Blueprint("rest_webhook", __name__)
        guarded = MessageGuard(on_new_message)
        guarded.attach(rest)

        @rest.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body, problem = read_body(request.body or b"")
            if body is None:
                return response.json({"error": problem}, status=400)
            collector = CollectingOutputChannel()
            sender = body["sender"]
            conversation = conversation_id(REST, sender)  # never another channel's
            message = UserMessage(body["message"], collector, conversation, input_channel="rest")
            await guarded(message, client=client_address(request))
            return response.json([{**sent, "recipient_id": sender} for sent in collector.messages])

        return rest
