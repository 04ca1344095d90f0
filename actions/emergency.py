"""The emergency flow: action_emergency_advice (first reply) and action_emergency_step."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.referrals import region_events, typed_text
from bot.emergency import OVERDOSE, crisis_reply, first_reply, step


class ActionEmergencyAdvice(Action):
    def name(self) -> str:
        return "action_emergency_advice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        region = tracker.get_slot("region")
        message, named = crisis_reply(tracker.latest_message, typed_text(tracker), region)
        dispatcher.utter_message(text=message.text, buttons=message.buttons)
        return region_events(named) if named else []


class ActionEmergencyStep(Action):
    def name(self) -> str:
        return "action_emergency_step"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        message = step(intent, tracker.get_slot("region")) or first_reply(
            OVERDOSE, tracker.get_slot("region")
        )
        dispatcher.utter_message(text=message.text, buttons=message.buttons)
        return []
