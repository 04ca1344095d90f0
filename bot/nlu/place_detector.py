"""A Rasa graph component: a message that is only a place name says where the person is.

"cork", "im in leeds", "bristol uk" carry no other words for the classifier to go on, and
unseen town names get guessed as anything ("cork" came out as chat_affirm). When every word
is a known place name or filler (bot/content/places.yml), the intent becomes
`referral_set_region` with confidence 1.0. It runs before the crisis detector, which still has
the last word.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intents import RuleComponent, force_intent
from bot.places import gazetteer

SET_REGION_INTENT = "referral_set_region"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class PlaceDetectorComponent(RuleComponent):
    @staticmethod
    def warm_up() -> None:
        gazetteer()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/") or not gazetteer().only_a_place(text):
                continue
            force_intent(message, SET_REGION_INTENT)
        return messages
