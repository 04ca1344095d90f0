"""A Rasa graph component: a message that is only a place name says where the person is.

"cork", "im in leeds", "bristol uk" carry no other words for the classifier to go on, and
unseen town names get guessed as anything ("cork" came out as chat_affirm). When every word
is a known place name or filler (bot/content/places.yml), the intent becomes
`referral_set_region` with confidence 1.0. The other way round, the classifier's
`referral_set_region` for a message that names no place and has no word about where someone
is ("im scared" looks like "im in leeds") becomes `nlu_fallback`, so a frightened person is
not told "I don't know that place". It runs before the crisis detector, which still has the
last word.

A place named in passing ("naloxone in ohio", "does medicaid cover it", "is it 000 here")
becomes a `region` entity, which fills the `region` slot before the answer is chosen, so the
answer, its contacts and its emergency number fit that place (bot/nlg.py). A name that could
be more than one region ("911": the US or Canada) sets nothing: the region-neutral answer
offers "Tell me where I am".
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intents import RuleComponent, force_intent
from bot.places import gazetteer

SET_REGION_INTENT = "referral_set_region"
FALLBACK_INTENT = "nlu_fallback"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class PlaceDetectorComponent(RuleComponent):
    @staticmethod
    def warm_up() -> None:
        gazetteer()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # a button says exactly what it means
            place = gazetteer().mentioned(text)
            if place and place.region:
                _add_region(message, text, place.name, place.region)
            if gazetteer().only_a_place(text):
                force_intent(message, SET_REGION_INTENT)
            elif self._place_without_a_place(message, text):
                confidence = (message.get(INTENT) or {}).get("confidence") or 0.0
                force_intent(message, FALLBACK_INTENT, confidence)
        return messages

    @staticmethod
    def _place_without_a_place(message: Message, text: str) -> bool:
        intent = (message.get(INTENT) or {}).get("name")
        named = any(entity.get("entity") == "region" for entity in message.get(ENTITIES) or [])
        return intent == SET_REGION_INTENT and not named and not gazetteer().about_a_place(text)


def _add_region(message: Message, text: str, name: str, region: str) -> None:
    start = max(text.lower().find(name), 0)
    entity = {
        "entity": "region",
        "value": region,
        "start": start,
        "end": start + len(name),
        "extractor": PlaceDetectorComponent.__name__,
    }
    others = [e for e in message.get(ENTITIES) or [] if e.get("entity") != "region"]
    message.set(ENTITIES, [*others, entity], add_to_output=True)
