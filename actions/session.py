"""action_session_start: every conversation starts knowing its emergency number, and one
handed to a helpline worker stays with them (a new session would otherwise unpause it)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from bot.handoff import CHAT, handoff_store
from bot.referrals import directory

logger = logging.getLogger(__name__)


def with_a_worker(sender_id: str) -> bool:
    try:
        ticket = handoff_store().open_for(sender_id)
    except SQLAlchemyError as error:
        logger.error("handoff store unavailable: %s", type(error).__name__)
        return False  # the assistant answers: never silence
    return ticket is not None and ticket.kind == CHAT


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # A region the person chose earlier is kept across sessions. Until they say where they
        # are it stays unknown (referrals ask), and the emergency number is the deployment
        # default region's.
        known = tracker.get_slot("region")
        region = directory().region(known)
        return [
            SessionStarted(),
            SlotSet("region", region.id if known in directory().regions else None),
            SlotSet("emergency_number", region.emergency_number),
            *([ConversationPaused()] if with_a_worker(tracker.sender_id) else []),
            ActionExecuted("action_listen"),
        ]
