"""Rasa's response generator with the emergency number taken from the region.

Answers say "call {emergency_number}". The number is a function of the region, so it is
filled from the `region` slot when the response is rendered, never from a slot of its own
that could lag behind: a region named in passing ("naloxone in ohio", bot/nlu/place_detector.py)
sets `region` through its entity, and the same reply already says 911. An unknown or forged
region gets the default region's number. endpoints.yml names this class under `nlg`.

The web widget shows the number all the time; when the message being answered named the
region, the reply tells the widget the new number (as action_set_region does).

A message with two needs (bot/nlu/second_need.py) gets its second question offered as a
button under the first answer: "Also: <that question's title>".

An answer whose advice differs for someone worried about a family member or friend has a
variant with the condition `about: other`; it is chosen when the message being answered is
about someone else's use (bot/people.py), whatever other variants (a region's) also fit.
"""

from __future__ import annotations

from typing import Any

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.trackers import DialogueStateTracker

from bot.people import OTHER, people
from bot.referrals import directory
from bot.topics import conversation_text, question_title

WEB_CHANNEL = "socketio"
PLACE_EXTRACTOR = "PlaceDetectorComponent"
ABOUT = "about"  # whose use the message is about: a value for response conditions, not a slot


class RegionalResponseGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: Any = None, domain: Any = None, **kwargs: Any) -> None:
        super().__init__(domain.responses if domain is not None else {})

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        text = (tracker.latest_message.text if tracker.latest_message else None) or ""
        filled = {**tracker.current_slot_values(), ABOUT: people().about_whom(text)}
        response = self.generate_from_slots(utter_action, filled, output_channel, **kwargs)
        if response is not None:
            response = self._offer_second_need(response, utter_action, tracker)
        if response is not None and output_channel == WEB_CHANNEL and _named_a_region(tracker):
            number = directory().region(tracker.get_slot("region")).emergency_number
            response = {**response, "custom": {"emergency_number": number}}
        return response

    def _offer_second_need(
        self, response: dict[str, Any], utter_action: str, tracker: DialogueStateTracker
    ) -> dict[str, Any]:
        parsed = tracker.latest_message.parse_data if tracker.latest_message else {}
        first = (parsed.get("intent") or {}).get("name")
        second = (parsed.get("second_need") or {}).get("name")
        title = question_title(second, self.responses) if second else None
        if utter_action != f"utter_{first}" or not title:
            return response
        button = {
            "title": conversation_text().also_asked.format(title=title),
            "payload": f"/{second}",
        }
        buttons = [b for b in response.get("buttons") or [] if b.get("payload") != f"/{second}"]
        return {**response, "buttons": [button, *buttons]}

    def _random_response_for(
        self, utter_action: str, output_channel: str, filled_slots: dict[str, Any]
    ) -> dict[str, Any] | None:
        if filled_slots.get(ABOUT) == OTHER:
            for variant in self.responses.get(utter_action) or []:
                if _for_someone_else(variant) and variant.get("channel") in (None, output_channel):
                    return variant
        return super()._random_response_for(utter_action, output_channel, filled_slots)

    def generate_from_slots(
        self,
        utter_action: str,
        filled_slots: dict[str, Any],
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        region = directory().region(filled_slots.get("region"))
        filled = {**filled_slots, "emergency_number": region.emergency_number}
        return super().generate_from_slots(utter_action, filled, output_channel, **kwargs)


def _named_a_region(tracker: DialogueStateTracker) -> bool:
    entities = (tracker.latest_message.entities if tracker.latest_message else None) or []
    return any(
        entity.get("entity") == "region" and entity.get("extractor") == PLACE_EXTRACTOR
        for entity in entities
    )


def _for_someone_else(variant: dict[str, Any]) -> bool:
    return any(
        condition.get("name") == ABOUT and condition.get("value") == OTHER
        for condition in variant.get("condition") or []
    )
