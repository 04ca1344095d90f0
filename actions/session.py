"""action_session_start: every conversation starts knowing its emergency number."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.referrals import directory


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
            ActionExecuted("action_listen"),
        ]
