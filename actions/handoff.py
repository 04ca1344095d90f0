"""Handing a conversation to a helpline worker, or leaving them a message (bot/helpline.py).

When the helpline is open and an agent is online, the person is told what happens next, a
ticket opens and the assistant pauses for this conversation (ConversationPaused) until the
worker hands back from the console. Otherwise they are told so honestly, given the 24/7 lines
and offered to leave a message. If the store cannot be reached the person gets the offline
reply: never a promise of a person who may not come.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.menus import emergency_number, help_buttons
from actions.referrals import LINK_CHANNELS
from bot import clock
from bot.handoff import CHAT, MESSAGE, TicketLimit, handoff_store
from bot.helpline import helpline
from bot.notify import notify

logger = logging.getLogger(__name__)

EMERGENCY_ACTIONS = {"action_emergency_advice", "action_emergency_step"}
FALLBACK_ACTIONS = {"action_default_fallback", "action_default_ask_rephrase"}
RECENT = 30  # events looked back at to tell why the person wants a person


def handoff_reason(tracker: Tracker) -> str:
    """'emergency' after the emergency flow, 'fallback' after the assistant failed to
    understand, else 'asked'."""
    recent = [
        event.get("name") for event in tracker.events[-RECENT:] if event.get("event") == "action"
    ]
    if EMERGENCY_ACTIONS.intersection(recent):
        return "emergency"
    if FALLBACK_ACTIONS.intersection(recent):
        return "fallback"
    return "asked"


def utc_now() -> datetime:
    return clock.utc_now()


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "unknown"


class ActionHumanHandoff(Action):
    def name(self) -> str:
        return "action_human_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        line = helpline()
        region = tracker.get_slot("region")
        number = emergency_number(tracker)
        now = utc_now()
        store = handoff_store()
        try:
            online = store.agents_online(line.online_window)
            availability = line.availability(region, online, now)
            if availability.can_connect:
                earlier = store.open_for(tracker.sender_id)
                ticket = store.open_ticket(
                    tracker.sender_id, channel_of(tracker), region, handoff_reason(tracker)
                )
                position = store.position(ticket.id)
        except TicketLimit:
            logger.warning("handoff: a new ticket was refused by the ticket limits")
            availability = line.availability(region, 0, now)  # nobody free: the honest reply
        except SQLAlchemyError as error:
            logger.error("handoff store unavailable: %s", type(error).__name__)
            availability = line.availability(region, 0, now)
        if availability.can_connect:
            again = earlier is not None and earlier.kind == CHAT
            dispatcher.utter_message(text=line.connecting(position, number, again=again))
            dispatcher.utter_message(json_message={"handoff": "waiting"})  # the widget waits
            if not again:
                notify("ticket.opened", ticket, position)
            return [ConversationPaused()]
        links = channel_of(tracker) in LINK_CHANNELS
        dispatcher.utter_message(
            text=line.unavailable(region, availability, now, links),
            buttons=help_buttons(
                {"title": line.buttons.leave_message, "payload": "/helpline_leave_message"},
                {"title": line.buttons.no_message, "payload": "/chat_deny"},
            ),
        )
        return []


class ActionAskHelplineMessage(Action):
    """The form's question (Rasa calls action_ask_<slot>): who reads it, no details needed."""

    def name(self) -> str:
        return "action_ask_helpline_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=helpline().templates.ask_message)
        return []


class ActionSubmitHelplineMessage(Action):
    """Keeps the message for the team as a ticket; agents see it when they start."""

    def name(self) -> str:
        return "action_submit_helpline_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        line, number = helpline(), emergency_number(tracker)
        text = (tracker.get_slot("helpline_message") or "").strip()
        store = handoff_store()
        try:
            ticket = store.open_ticket(
                tracker.sender_id,
                channel_of(tracker),
                tracker.get_slot("region"),
                handoff_reason(tracker),
                kind=MESSAGE,
                note=text,
            )
        except (SQLAlchemyError, TicketLimit) as error:
            logger.error("could not keep a left message: %s", type(error).__name__)
            dispatcher.utter_message(
                text=line.templates.message_failed.format(emergency_number=number),
                buttons=help_buttons(),
            )
            return [SlotSet("helpline_message", None)]
        notify("message.left", ticket, store.position(ticket.id))
        dispatcher.utter_message(text=line.templates.message_left.format(emergency_number=number))
        # The words are kept in the ticket for the team; the slot need not hold them too.
        return [SlotSet("helpline_message", None)]


class ActionHelplineMessageNotLeft(Action):
    def name(self) -> str:
        return "action_helpline_message_not_left"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = helpline().templates.message_not_left.format(
            emergency_number=emergency_number(tracker)
        )
        dispatcher.utter_message(text=text, buttons=help_buttons())
        return [SlotSet("helpline_message", None)]
