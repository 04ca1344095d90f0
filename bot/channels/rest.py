"""Rasa's REST channel (/webhooks/rest/webhook, used by `make chat`), with the same handling of
conversations handed to a helpline worker as the other channels (bot/channels/handed_over.py).
credentials.yml names it bot.channels.rest.RestInput."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint

from bot.channels.handed_over import HandoverGuard


class RestInput(RasaRestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        guarded = HandoverGuard(on_new_message)
        return guarded.attach(super().blueprint(guarded))
