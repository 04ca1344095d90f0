"""A conversation handed to a helpline worker: what reaches the person, and that they are never
left with nobody answering.

`deliver` sends a worker's words (or the assistant's, on claiming and handing back) to the
person on their own channel and keeps them in the transcript.

While a conversation is paused (ConversationPaused) Rasa stores the person's messages and
runs NLU on them, but predicts nothing, so the crisis detector's verdict would reach nobody.
After Rasa has handled a message for a paused conversation with an open live-chat ticket
(bot/channels/guard.py calls `answer_while_handed_over`):
- a crisis (or a step of the emergency flow) gets the emergency reply at once on the person's
  channel, kept in the transcript, and the ticket is flagged to the agent (top of the queue,
  marked urgent, webhook "ticket.crisis");
- if the ticket is still waiting and no worker is online any more (the last one signed out or
  closed the console), the person is told so honestly with the 24/7 lines, the assistant
  resumes, and the ticket stays in the queue as a left message for when a worker is back.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    UserUttered,
)
from sqlalchemy.exc import SQLAlchemyError

from bot import clock
from bot.conversations import TELEGRAM, WEB, channel_of
from bot.emergency import Message, emergency_content, step
from bot.emergency import crisis_reply as first_crisis_reply
from bot.handoff import HANDED_BACK, WAITING, Ticket, handoff_store
from bot.helpline import helpline
from bot.notify import notify
from bot.referrals import directory

logger = logging.getLogger(__name__)

HANDOFF_PAYLOAD = "/human_handoff"  # already with a person: not offered while paused
# The input channel that serves each kind of conversation id (bot/conversations.py); REST
# has no way to reach a person later, and a bare id from before channels belongs to none.
INPUT_CHANNELS = {WEB: "socketio", TELEGRAM: "telegram"}
CRISIS_NOTICE_EVERY = timedelta(minutes=10)


def crisis_reply(said: UserUttered, region: str | None) -> Message | None:
    """The emergency flow's reply to a message, or None if it is not part of that flow."""
    intent = said.intent_name or ""
    if intent in emergency_content().steps:
        return step(intent, region)
    if intent != "emergency":
        return None
    # As on the assistant's own path: a place or number in the message ("is it 000 here?")
    # gives that region's number, and a step asked for is answered.
    message, _ = first_crisis_reply(said.parse_data, said.text or "", region)  # type: ignore[arg-type]
    return message


def resume_events(text: str) -> list[Event]:
    """Resume the assistant and tell the person, and let the web widget know."""
    return [
        ConversationResumed(),
        BotUttered(text),
        BotUttered(data={"custom": {"handoff": "ended"}}),
        # Rasa stops mid-turn when an action pauses; listening again makes the person's next
        # message a new turn, so the assistant's rules apply to it as usual.
        ActionExecuted(ACTION_LISTEN_NAME),
    ]


async def answer_while_handed_over(agent: Any, message: UserMessage, ticket: Ticket) -> None:
    answered = await _answer(agent, message, ticket)
    if answered == "crisis":
        _flag(ticket)
    elif answered == "nobody":
        _requeue(ticket)


async def _answer(agent: Any, message: UserMessage, ticket: Ticket) -> str | None:
    """'crisis' or 'nobody' when the person was answered for that reason, else None."""
    async with agent.lock_store.lock(message.sender_id):
        tracker = await agent.tracker_store.retrieve(message.sender_id)
        if tracker is None or not tracker.is_paused():
            return None
        said = next(
            (
                event
                for event in reversed(tracker.events)
                if isinstance(event, UserUttered) and event.message_id == message.message_id
            ),
            None,
        )
        region = tracker.get_slot("region")
        reply = crisis_reply(said, region) if said else None
        if reply is not None:
            buttons = [b for b in reply.buttons if b["payload"] != HANDOFF_PAYLOAD]
            text = f"{reply.text}\n{helpline().templates.crisis_flagged}"
            events: list[Event] = [BotUttered(text, data={"buttons": buttons} if buttons else {})]
            reason = "crisis"
        elif ticket.status == WAITING and not _anyone_online():
            links = message.input_channel == "socketio"  # tap-to-call links
            text = helpline().nobody_left(region, clock.utc_now(), links)
            events, reason = resume_events(text), "nobody"
        else:
            return None
        for event in events:
            tracker.update(event)
        await agent.tracker_store.save(tracker)
        await agent.processor.execute_side_effects(events, tracker, message.output_channel)
    return reason


async def replay(agent: Any, conversation_id: str, since: float, output: Any, sid: str) -> int:
    """Sends again the bot's messages after `since` (a timestamp the client got last), e.g. a
    worker's reply that came while the person's phone was asleep, to socket `sid` alone."""
    tracker = await agent.tracker_store.retrieve(conversation_id)
    missed = [
        event
        for event in (tracker.events if tracker else [])
        if isinstance(event, BotUttered) and event.timestamp > since
    ]
    for event in missed:
        await output.send_to_socket(sid, event.message())
    return len(missed)


def _anyone_online() -> bool:
    try:
        return handoff_store().agents_online(helpline().online_window) > 0
    except SQLAlchemyError:
        return True  # unknown: keep waiting rather than tell the person something untrue


def _flag(ticket: Ticket) -> None:
    """Flags every crisis message on the ticket, but notifies the team at most once in
    CRISIS_NOTICE_EVERY per ticket: someone can't flood the team's channel from one chat."""
    try:
        store = handoff_store()
        flagged = store.flag_crisis(ticket.id)
        last = ticket.crisis_at  # as it was when this message arrived
        if last is None or clock.naive_utc_now() - last >= CRISIS_NOTICE_EVERY:
            notify("ticket.crisis", flagged, store.position(flagged.id))
    except SQLAlchemyError as error:
        logger.error("could not flag a crisis on ticket: %s", type(error).__name__)


def _requeue(ticket: Ticket) -> None:
    try:
        handoff_store().leave_for_later(ticket.id)
    except SQLAlchemyError as error:
        logger.error("could not requeue a ticket: %s", type(error).__name__)


def back_to_assistant(ticket: Ticket, outcome: str) -> list[Event]:
    """Resume, telling the person in the words for how it ended."""
    templates = helpline().templates
    template = templates.handed_back if outcome == HANDED_BACK else templates.ended
    number = directory().region(ticket.region).emergency_number
    return resume_events(template.format(emergency_number=number))


async def deliver(
    app: Any,
    conversation_id: str,
    events: list[Event],
    pause: bool = False,
    must_reach: bool = False,
) -> bool:
    """Keeps events in the conversation's transcript and sends its bot messages to the person
    on their own channel: what Rasa's `POST /conversations/{id}/tracker/events
    ?execute_side_effects=true&output_channel=latest` does, done in-process so that API can
    stay off the public side. `pause` first pauses an assistant still answering; with
    `must_reach` nothing is kept when the person's channel cannot be reached."""
    agent = app.ctx.agent
    async with agent.lock_store.lock(conversation_id):
        tracker = await agent.tracker_store.retrieve(conversation_id)
        if tracker is None:
            return False
        # The conversation's own channel, from its id: never another channel's output.
        own = INPUT_CHANNELS.get(channel_of(conversation_id) or "")
        channels = getattr(app.ctx, "input_channels", None) or []
        channel = next((c for c in channels if own and c.name() == own), None)
        output = channel.get_output_channel() if channel else None
        if output is None and must_reach:
            return False
        if pause and not tracker.is_paused():
            events = [ConversationPaused(), *events]
        for event in events:
            tracker.update(event)
        await agent.tracker_store.save(tracker)
        if output is not None:
            await agent.processor.execute_side_effects(events, tracker, output)
    return output is not None
