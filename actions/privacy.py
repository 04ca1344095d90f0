"""action_privacy_info: what is kept, for how long, and how to delete it (bot/privacy.py)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.menus import help_buttons
from bot.settings import get_settings
from bot.topics import conversation_text


class ActionPrivacyInfo(Action):
    def name(self) -> str:
        return "action_privacy_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = conversation_text()
        dispatcher.utter_message(
            text=text.privacy_info.format(days=get_settings().retention_days),
            buttons=help_buttons({"title": text.delete_button, "payload": "/privacy_delete"}),
        )
        return []
