"""action_referral_contacts: free public contacts for the person's region and need."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.referrals import NEEDS, detect_need, referral_message


def need_of(tracker: Tracker) -> str:
    """The need named by a button (entity), else read from the person's words."""
    named = next(tracker.get_latest_entity_values("need"), None)
    if named in NEEDS:
        return named
    return detect_need(tracker.latest_message.get("text") or "")


class ActionReferralContacts(Action):
    def name(self) -> str:
        return "action_referral_contacts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        need = need_of(tracker)
        dispatcher.utter_message(text=referral_message(tracker.get_slot("region"), need))
        return [SlotSet("need", need)]
