"""Menus and the two-stage fallback: buttons built from answer titles, wording from bot/."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from bot.referrals import directory
from bot.topics import closest_questions, conversation_text, topic_questions


def buttons_for(questions: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"title": title, "payload": f"/{intent}"} for intent, title in questions]


def emergency_number(tracker: Tracker) -> str:
    return directory().region(tracker.get_slot("region")).emergency_number


def help_buttons(*extra: dict[str, str]) -> list[dict[str, str]]:
    text = conversation_text()
    return [*extra, {"title": text.emergency_button, "payload": "/emergency"}]


class ActionTopicMenu(Action):
    """The main menu, or the questions of one topic when a topic is named."""

    def name(self) -> str:
        return "action_topic_menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = conversation_text()
        topic = next(tracker.get_latest_entity_values("topic"), None)
        if topic in text.topics:
            questions = topic_questions(topic, domain.get("responses", {}))
            dispatcher.utter_message(
                text=text.topic_menu.format(topic=text.topics[topic]),
                buttons=help_buttons(*buttons_for(questions)),
            )
            return []
        topic_buttons = [
            {"title": title, "payload": "/chat_menu" + json.dumps({"topic": topic})}
            for topic, title in text.topics.items()
        ]
        dispatcher.utter_message(
            text=text.menu.format(emergency_number=emergency_number(tracker)),
            buttons=help_buttons(
                *topic_buttons, {"title": text.contacts_button, "payload": "/referral_contacts"}
            ),
        )
        return []


class ActionAskAffirmation(Action):
    """First stage of the two-stage fallback: offer the closest questions as buttons."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = conversation_text()
        ranking = tracker.latest_message.get("intent_ranking") or []
        questions = closest_questions(ranking, domain.get("responses", {}))
        something_else = {"title": text.something_else_button, "payload": "/out_of_scope"}
        dispatcher.utter_message(
            text=text.ask_affirmation.format(emergency_number=emergency_number(tracker)),
            buttons=help_buttons(*buttons_for(questions), something_else),
        )
        return []


class ActionAskRephrase(Action):
    """Second stage: ask for other words, with the emergency number."""

    def name(self) -> str:
        return "action_default_ask_rephrase"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = conversation_text()
        dispatcher.utter_message(
            text=text.ask_rephrase.format(emergency_number=emergency_number(tracker)),
            buttons=help_buttons(),
        )
        return []


class ActionGiveUp(Action):
    """Last stage (and Rasa's core fallback): topics, a person, and emergency help."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = conversation_text()
        dispatcher.utter_message(
            text=text.give_up.format(emergency_number=emergency_number(tracker)),
            buttons=help_buttons(
                {"title": text.topics_button, "payload": "/chat_menu"},
                {"title": text.person_button, "payload": "/human_handoff"},
            ),
        )
        # As Rasa's own default fallback: the message not understood does not steer what follows.
        return [UserUtteranceReverted()]
