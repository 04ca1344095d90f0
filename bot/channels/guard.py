"""What every message goes through, on every channel, around Rasa's own handling.

Each of our input channels (web, Telegram, REST) wraps its message handler in `MessageGuard`:
- before Rasa: a message over the length cap gets a polite "send it in parts" (a crisis in it
  is cut to its sentence and handled); a conversation sending faster than the rate limit is
  asked to slow down (a crisis never is); phone numbers and email addresses are masked unless
  the person is giving them for a call-back (bot/privacy.py);
- after Rasa: a conversation handed to a helpline worker gets what bot/channels/handover.py
  does; any other message that got no answer at all (the action server down, an exception,
  the model still loading) gets the "something went wrong" reply with the emergency number:
  never silence; once the assistant has told the person their conversation is deleted (a
  reply carrying `{"forget": true}`), it is deleted, with its helpline tickets.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from bot.channels.handover import answer_while_handed_over
from bot.crisis import crisis_detector
from bot.handoff import CHAT, Ticket, handoff_store
from bot.limits import RateLimiter, crisis_excerpt
from bot.privacy import delete_conversation, has_contact_details, mask_contact_details
from bot.referrals import directory
from bot.settings import get_settings
from bot.topics import conversation_text

logger = logging.getLogger(__name__)

EMERGENCY_BUTTONS = "/emergency"  # payloads of the emergency flow: never rate-limited
MESSAGE_FORM = "helpline_message_form"  # a message left for the team may carry a call-back


class CountingOutput(OutputChannel):
    """Passes everything to the channel's own output, counting the messages sent and noting
    a reply that says the conversation is deleted."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner, self.sent, self.forget = inner, 0, False

    def name(self) -> str:  # type: ignore[override]
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        self.sent += 1
        custom = message.get("custom")
        self.forget = self.forget or (isinstance(custom, dict) and custom.get("forget") is True)
        await self.inner.send_response(recipient_id, message)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)


class MessageGuard:
    def __init__(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        self.on_new_message = on_new_message
        self.app: Any = None
        limits = get_settings().limits
        self.max_chars = limits.max_message_chars
        self.limiter = RateLimiter(limits.messages_per_minute, limits.burst)

    def attach(self, blueprint: Blueprint) -> Blueprint:
        """Registers a listener that remembers the app, whose ctx holds Rasa's agent."""

        async def remember(app: Any, _loop: Any) -> None:
            self.app = app

        blueprint.listener("before_server_start")(remember)
        return blueprint

    @property
    def agent(self) -> Any:
        return getattr(self.app.ctx, "agent", None) if self.app is not None else None

    async def __call__(self, message: UserMessage) -> None:
        text = message.text or ""
        typed = not text.startswith("/")  # button payloads are ours, not the person's words
        if not await self._admit(message, text):
            return
        ticket = self._open_ticket(message.sender_id)
        if typed and has_contact_details(text) and not await self._call_back(message, ticket):
            message.text = mask_contact_details(text)
        output = CountingOutput(message.output_channel)
        message.output_channel = output
        try:
            await self.on_new_message(message)
        except Exception:  # noqa: BLE001 - the person gets an answer whatever broke
            logger.exception("handling a %s message failed", message.input_channel)
        if ticket is not None and ticket.kind == CHAT and self.agent is not None:
            await answer_while_handed_over(self.agent, message, ticket)
        elif output.sent == 0:
            await self._say(message, directory().templates.failure)
        if output.forget:
            await self._delete(message.sender_id)

    async def _admit(self, message: UserMessage, text: str) -> bool:
        """Length cap and rate limit; a crisis is always let through."""
        too_long = len(text) > self.max_chars
        if not too_long and self.limiter.allow(message.sender_id):
            return True
        if not too_long and text.startswith(EMERGENCY_BUTTONS):
            return True  # the emergency flow's buttons, tapped in a hurry
        crisis = crisis_detector().assess(text)
        if crisis.is_crisis:
            message.text = crisis_excerpt(text, crisis.matched, self.max_chars)
            return True
        wording = conversation_text()
        template = wording.too_long if too_long else wording.too_fast
        await self._say(message, template.replace("{limit}", f"{self.max_chars:,}"))
        return False

    @staticmethod
    def _open_ticket(sender_id: str) -> Ticket | None:
        try:
            return handoff_store().open_for(sender_id)
        except SQLAlchemyError as error:
            logger.error("handoff store unavailable: %s", type(error).__name__)
            return None

    async def _call_back(self, message: UserMessage, ticket: Ticket | None) -> bool:
        """Contact details are the point in a chat with a worker or a message left for them."""
        if ticket is not None and ticket.kind == CHAT:
            return True
        tracker = await self._tracker(message.sender_id)
        return tracker is not None and tracker.active_loop_name == MESSAGE_FORM

    async def _tracker(self, sender_id: str) -> Any:
        if self.agent is None or self.agent.tracker_store is None:
            return None
        try:
            return await self.agent.tracker_store.retrieve(sender_id)
        except Exception:  # noqa: BLE001 - a store that is down: answer without it
            logger.error("tracker store unavailable")
            return None

    async def _say(self, message: UserMessage, template: str) -> None:
        """A reply outside Rasa, naming the emergency number of the person's region."""
        tracker = await self._tracker(message.sender_id)
        region = tracker.get_slot("region") if tracker is not None else None
        text = template.format(emergency_number=directory().region(region).emergency_number)
        try:
            await message.output_channel.send_response(message.sender_id, {"text": text})
        except Exception:  # noqa: BLE001 - nothing more can be done for this message
            logger.exception("could not send a reply on %s", message.input_channel)

    async def _delete(self, sender_id: str) -> None:
        agent = self.agent
        if agent is None:
            return
        async with agent.lock_store.lock(sender_id):
            delete_conversation(agent.tracker_store, sender_id)
        try:
            handoff_store().delete_for(sender_id)
        except SQLAlchemyError as error:
            logger.error("could not delete tickets: %s", type(error).__name__)
