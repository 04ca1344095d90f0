"""What every message goes through, on every channel, around Rasa's own handling.

Each of our input channels (web, Telegram, REST) wraps its message handler in `MessageGuard`:
- before Rasa: text that starts with "/" is a button payload only if the assistant offered
  exactly that button in this conversation; otherwise it is the person's words, slashes
  dropped. A message over the length cap gets a polite "send it in parts" (a crisis in it is
  cut to its sentence and handled); a conversation, a network address or the whole server
  sending faster than its rate limit is asked to slow down (a crisis never is); phone numbers
  and email addresses are masked, after any cut, unless the person is giving them for a
  call-back (bot/privacy.py); a message whose crisis may be happening now (level `possible`)
  gets the safety line, "If this is happening now, call 999.", before its answer;
- after Rasa: a conversation handed to a helpline worker gets what bot/channels/handover.py
  does; any other message that got no answer at all (the action server down, an exception,
  the model still loading) gets the "something went wrong" reply with the emergency number:
  never silence; once the assistant has told the person their conversation is deleted (a
  reply carrying `{"forget": true}`), it is deleted, with its helpline tickets.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered
from sanic import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from bot import log_privacy
from bot.channels.handover import answer_while_handed_over
from bot.crisis import POSSIBLE, crisis_detector
from bot.emergency import happening_now_payloads, safety_line
from bot.handoff import CHAT, Ticket, handoff_store
from bot.limits import RateLimiter, crisis_excerpt
from bot.places import gazetteer
from bot.privacy import delete_conversation, has_contact_details, mask_contact_details
from bot.referrals import directory
from bot.settings import get_settings
from bot.topics import conversation_text

logger = logging.getLogger(__name__)

EMERGENCY_BUTTONS = "/emergency"  # payloads of the emergency flow: never rate-limited
INTENT_PREFIX = "/"  # what makes Rasa read a message as an intent rather than words
MAX_PAYLOAD = 500  # characters: ours are far shorter
RECENT_EVENTS = 400  # how far back a tapped button may have been offered
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


def offered_payloads(events: Any) -> set[str]:
    """Every button payload the assistant sent in the recent part of a conversation."""
    payloads: set[str] = set()
    for event in list(events)[-RECENT_EVENTS:]:
        if not isinstance(event, BotUttered):
            continue
        for button in (event.data or {}).get("buttons") or []:
            if isinstance(button, dict) and isinstance(button.get("payload"), str):
                payloads.add(button["payload"].strip())
    return payloads


def as_typed(text: str) -> str:
    """Typed words that look like a payload, as words: without the leading slashes, so the
    crisis detector, masking and the model read them like anything else the person wrote."""
    stripped = text.strip()
    if not stripped.startswith(INTENT_PREFIX):
        return text
    return stripped.lstrip(INTENT_PREFIX + " \t\n") or "?"


class MessageGuard:
    def __init__(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        self.on_new_message = on_new_message
        self.app: Any = None
        limits = get_settings().limits
        self.max_chars = limits.max_message_chars
        self.limiter = RateLimiter(limits.messages_per_minute, limits.burst)
        self.address_limiter = RateLimiter(limits.address_per_minute, limits.address_burst)
        self.server_limiter = RateLimiter(limits.server_per_minute, limits.server_burst)

    def attach(self, blueprint: Blueprint) -> Blueprint:
        """Registers a listener that remembers the app, whose ctx holds Rasa's agent."""

        async def remember(app: Any, _loop: Any) -> None:
            self.app = app
            log_privacy.install()  # after Rasa set its logging up; once per process

        blueprint.listener("before_server_start")(remember)
        return blueprint

    @property
    def agent(self) -> Any:
        return getattr(self.app.ctx, "agent", None) if self.app is not None else None

    async def __call__(
        self, message: UserMessage, client: str = "", made_by_channel: bool = False
    ) -> None:
        """`client`: the sender's network address, for the per-address limit (empty where the
        sender is already authenticated, as Telegram's are); `made_by_channel`: the channel
        made this payload itself (Telegram's /start, a shared location), nobody typed it."""
        with log_privacy.hidden(message.text) as hide:
            await self._handle(message, client, made_by_channel, hide)

    async def _handle(
        self,
        message: UserMessage,
        client: str,
        made_by_channel: bool,
        hide: Callable[[str | None], None],
    ) -> None:
        offered = made_by_channel or await self._offered(message)
        # "It's happening now" may be sent by anyone at any time (it only starts the emergency
        # flow in their own conversation), but only an offered button passes the rate limits.
        payload = offered or (message.text or "").strip() in happening_now_payloads()
        if not payload:
            message.text = as_typed(message.text or "")
        if not await self._admit(message, offered, client):
            return
        hide(message.text)
        text = message.text or ""  # cut to the crisis sentence if it was too long
        ticket = self._open_ticket(message.sender_id)
        if not payload and has_contact_details(text) and not await self._call_back(message, ticket):
            message.text = mask_contact_details(text)
            hide(message.text)
        if not payload:
            await self._safety_line_if_possible(message)
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

    async def _offered(self, message: UserMessage) -> bool:
        """A message is a button payload only if it is exactly one the assistant offered in
        this conversation: nobody can type `/privacy_delete_confirmed` or `/restart` to skip a
        step, or a made-up `/emergency...` to pass the rate limit."""
        text = (message.text or "").strip()
        if not text.startswith(INTENT_PREFIX) or len(text) > MAX_PAYLOAD:
            return False
        tracker = await self._tracker(message.sender_id)
        return tracker is not None and text in offered_payloads(tracker.events)

    async def _admit(self, message: UserMessage, payload: bool, client: str) -> bool:
        """Length cap and rate limits; a crisis is always let through."""
        text = message.text or ""
        too_long = len(text) > self.max_chars
        if not too_long and self._within_limits(message.sender_id, client):
            return True
        if not too_long and payload and text.startswith(EMERGENCY_BUTTONS):
            return True  # the emergency flow's buttons, tapped in a hurry
        # The detector's time grows with the text: read the start and the end of an
        # over-long message (where a crisis is said), off the event loop.
        part = text if not too_long else f"{text[: self.max_chars]}\n{text[-self.max_chars :]}"
        crisis = await asyncio.to_thread(crisis_detector().assess, part)
        if crisis.is_crisis:
            message.text = crisis_excerpt(part, crisis.matched, self.max_chars)
            return True
        wording = conversation_text()
        template = wording.too_long if too_long else wording.too_fast
        await self._say(message, template.replace("{limit}", f"{self.max_chars:,}"))
        return False

    async def _safety_line_if_possible(self, message: UserMessage) -> None:
        """A strong crisis sign that may not be happening now ("is it bad he won't wake up")
        gets "If this is happening now, call 999." and a button into the emergency flow
        before its answer, on every channel and in a chat with a worker too. Rasa's pipeline
        reads the same text next and finds it assessed already."""
        crisis = await asyncio.to_thread(crisis_detector().assess, message.text or "")
        if crisis.level != POSSIBLE:
            return
        region = named_region(message.text or "") or await self._region(message.sender_id)
        line = safety_line(crisis.category, region)
        try:
            await message.output_channel.send_response(
                message.sender_id, {"text": line.text, "buttons": line.buttons}
            )
        except Exception:  # noqa: BLE001 - the answer (with its emergency line) still follows
            logger.exception("could not send the safety line on %s", message.input_channel)

    def _within_limits(self, sender_id: str, client: str) -> bool:
        """Per conversation, per network address (many conversations from one place) and for
        the whole server (many places at once)."""
        return (
            self.limiter.allow(sender_id)
            and (not client or self.address_limiter.allow(client))
            and self.server_limiter.allow("all")
        )

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

    async def _region(self, sender_id: str) -> str | None:
        """The region the person chose, if the conversation can be read."""
        tracker = await self._tracker(sender_id)
        return tracker.get_slot("region") if tracker is not None else None

    async def _say(self, message: UserMessage, template: str) -> None:
        """A reply outside Rasa, naming the emergency number of the person's region."""
        named = named_region(message.text or "")
        region = directory().region(named or await self._region(message.sender_id))
        text = template.format(emergency_number=region.emergency_number)
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


def named_region(text: str) -> str | None:
    """The region a place named in this very message implies ("atlanta", "is it 000 here"),
    as the pipeline sets it for the answer: the line sent before the answer must give the
    same number the answer does."""
    place = gazetteer().mentioned(text)
    return place.region if place else None
