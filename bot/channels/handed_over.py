"""A conversation handed to a helpline worker still gets the emergency reply to a crisis.

While a conversation is paused (ConversationPaused) Rasa stores the person's messages and
runs NLU on them, but predicts nothing, so the crisis detector's verdict would reach nobody.
Each of our input channels wraps its message handler in `HandoverGuard`: after Rasa has
handled a message, if the conversation has an open live-chat ticket, is paused, and the
message was a crisis (or a step of the emergency flow), the person gets the emergency reply
at once on their channel, it is kept in the transcript, and the ticket is flagged to the
agent (top of the queue, marked urgent, webhook "ticket.crisis").

For every other conversation the cost is one indexed query on the handoff store.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from bot.emergency import Message, emergency_content, first_reply, step
from bot.handoff import CHAT, Ticket, handoff_store
from bot.helpline import helpline
from bot.notify import notify

logger = logging.getLogger(__name__)

HANDOFF_PAYLOAD = "/human_handoff"  # already with a person: not offered while paused


def crisis_reply(said: UserUttered, region: str | None) -> Message | None:
    """The emergency flow's reply to a message, or None if it is not part of that flow."""
    intent = said.intent_name or ""
    if intent in emergency_content().steps:
        return step(intent, region)
    if intent != "emergency":
        return None
    crisis: dict[str, Any] = said.parse_data.get("crisis") or {}  # type: ignore[assignment]
    return first_reply(crisis.get("category"), region)  # unknown categories: overdose


class HandoverGuard:
    """Wraps an input channel's `on_new_message` (see the module's docstring)."""

    def __init__(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        self.on_new_message = on_new_message
        self.app: Any = None

    def attach(self, blueprint: Blueprint) -> Blueprint:
        """Registers a listener that remembers the app, whose ctx holds Rasa's agent."""

        async def remember(app: Any, _loop: Any) -> None:
            self.app = app

        blueprint.listener("before_server_start")(remember)
        return blueprint

    async def __call__(self, message: UserMessage) -> None:
        await self.on_new_message(message)
        try:
            ticket = handoff_store().open_for(message.sender_id)
        except SQLAlchemyError as error:
            logger.error("handoff store unavailable: %s", type(error).__name__)
            return
        if ticket is None or ticket.kind != CHAT or self.app is None:
            return
        if await self._answer_crisis(message):
            self._flag(ticket)

    async def _answer_crisis(self, message: UserMessage) -> bool:
        agent = self.app.ctx.agent
        async with agent.lock_store.lock(message.sender_id):
            tracker = await agent.tracker_store.retrieve(message.sender_id)
            if tracker is None or not tracker.is_paused():
                return False
            said = next(
                (
                    event
                    for event in reversed(tracker.events)
                    if isinstance(event, UserUttered) and event.message_id == message.message_id
                ),
                None,
            )
            reply = crisis_reply(said, tracker.get_slot("region")) if said else None
            if reply is None:
                return False
            buttons = [b for b in reply.buttons if b["payload"] != HANDOFF_PAYLOAD]
            text = f"{reply.text}\n{helpline().templates.crisis_flagged}"
            event = BotUttered(text, data={"buttons": buttons} if buttons else {})
            tracker.update(event)
            await agent.tracker_store.save(tracker)
            await agent.processor.execute_side_effects([event], tracker, message.output_channel)
        return True

    @staticmethod
    def _flag(ticket: Ticket) -> None:
        try:
            store = handoff_store()
            flagged = store.flag_crisis(ticket.id)
            notify("ticket.crisis", flagged, store.position(flagged.id))
        except SQLAlchemyError as error:
            logger.error("could not flag a crisis on ticket: %s", type(error).__name__)
