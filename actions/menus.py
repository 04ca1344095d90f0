"""action_topic_menu and the fallback's suggestions: buttons built from answer titles."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.topics import TOPICS, closest_questions, topic_questions


def buttons_for(questions: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"title": title, "payload": f"/{intent}"} for intent, title in questions]


class ActionTopicMenu(Action):
    """The main menu, or the questions of one topic when a topic is named."""

    def name(self) -> str:
        return "action_topic_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        topic = next(tracker.get_latest_entity_values("topic"), None)
        if topic not in TOPICS:
            dispatcher.utter_message(response="utter_menu")
            return []
        questions = topic_questions(topic, domain.get("responses", {}))
        dispatcher.utter_message(
            response="utter_topic_menu", topic=TOPICS[topic], buttons=buttons_for(questions)
        )
        return []


class ActionAskAffirmation(Action):
    """First stage of the two-stage fallback: offer the closest questions as buttons."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        questions = closest_questions(ranking, domain.get("responses", {}))
        buttons = buttons_for(questions) + [
            {"title": "Something else", "payload": "/out_of_scope"},
            {"title": "Someone needs help now", "payload": "/emergency"},
        ]
        dispatcher.utter_message(response="utter_ask_affirmation", buttons=buttons)
        return []
