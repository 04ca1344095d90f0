"""A Rasa graph component that has the last word on the `emergency` intent.

It runs after the intent classifiers. A recognised crisis becomes `emergency` whatever they
said (confidence 1.0, first in the ranking). A message with crisis words that is plainly not a
crisis now (a general question, a past event, a negation: kind `not_now`) keeps the
classifier's next-best intent instead of `emergency`, so "what are the signs of an overdose"
gets its answer. `/model/parse` shows the assessment under the `crisis` key: its level (now,
possible, none), kind (the first reply it calls for), signals and category.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.crisis import NOT_NOW, crisis_detector
from bot.nlu.intents import RuleComponent, force_intent

EMERGENCY_INTENT = "emergency"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisDetectorComponent(RuleComponent):
    @staticmethod
    def warm_up() -> None:
        crisis_detector()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text.strip() or text.startswith("/"):
                continue  # button payloads already name their intent exactly
            assessment = crisis_detector().assess(text)
            message.set("crisis", assessment.as_output(), add_to_output=True)
            others = [
                entry
                for entry in message.get(INTENT_RANKING_KEY) or []
                if entry.get("name") != EMERGENCY_INTENT
            ]
            if assessment.is_crisis:
                force_intent(message, EMERGENCY_INTENT)
            elif assessment.kind == NOT_NOW and self._intent_name(message) == EMERGENCY_INTENT:
                best = next((e for e in others if e.get("name") != "nlu_fallback"), None)
                if best:
                    message.set(INTENT, best, add_to_output=True)
                    message.set(INTENT_RANKING_KEY, others, add_to_output=True)
        return messages

    @staticmethod
    def _intent_name(message: Message) -> str | None:
        return (message.get(INTENT) or {}).get("name")
