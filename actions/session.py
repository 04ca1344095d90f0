"""action_session_start: every conversation starts knowing its region and emergency number."""

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
        # A region chosen earlier is kept across sessions; otherwise the deployment's default.
        region = directory().region(tracker.get_slot("region"))
        return [
            SessionStarted(),
            SlotSet("region", region.id),
            SlotSet("emergency_number", region.emergency_number),
            ActionExecuted("action_listen"),
        ]
