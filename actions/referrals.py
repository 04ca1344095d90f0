"""Referral contacts for the person's region and need, and finding out which region that is."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.places import gazetteer
from bot.referrals import NEEDS, detect_need, directory, referral_message
from bot.settings import get_settings
from bot.topics import conversation_text

# Channels whose clients render Markdown, so a phone number can be a tap-to-call link.
LINK_CHANNELS = {"socketio"}


def need_of(tracker: Tracker) -> str:
    """The need named by a button (entity), else read from the person's words."""
    named = next(tracker.get_latest_entity_values("need"), None)
    if named in NEEDS:
        return named
    return detect_need(typed_text(tracker))


def typed_text(tracker: Tracker) -> str:
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text  # a button payload is not the person's words


def region_events(region_id: str) -> list[dict[str, Any]]:
    region = directory().region(region_id)
    return [SlotSet("region", region.id), SlotSet("emergency_number", region.emergency_number)]


def region_buttons(choices: list[str] | None = None) -> list[dict[str, str]]:
    """One button per region, the deployment's default first."""
    found = directory()
    default = get_settings().default_region
    ids = choices or sorted(found.regions, key=lambda region: region != default)
    return [
        {
            "title": found.regions[region].name,
            "payload": "/referral_set_region" + json.dumps({"region": region}),
        }
        for region in ids
    ]


def after_contacts_buttons() -> list[dict[str, str]]:
    text = conversation_text()
    return [
        {"title": text.change_region_button, "payload": "/referral_set_region"},
        {"title": text.emergency_button, "payload": "/emergency"},
    ]


def send_contacts(dispatcher: CollectingDispatcher, tracker: Tracker, region: str, need: str):
    links = tracker.get_latest_input_channel() in LINK_CHANNELS
    dispatcher.utter_message(
        text=referral_message(region, need, links=links), buttons=after_contacts_buttons()
    )


class ActionReferralContacts(Action):
    """Contacts for a need; asks where the person is first when that is not known yet."""

    def name(self) -> str:
        return "action_referral_contacts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        need = need_of(tracker)
        events: list[dict[str, Any]] = [SlotSet("need", need)]
        place = gazetteer().find(typed_text(tracker))
        region = tracker.get_slot("region")
        if place and place.region:
            region = place.region
            events += region_events(region)
        if region is None or (place and place.ambiguous):
            dispatcher.utter_message(
                text=directory().templates.ask_region,
                buttons=region_buttons(list(place.regions) if place else None),
            )
            return [*events, SlotSet("awaiting_region", True)]
        send_contacts(dispatcher, tracker, region, need)
        return events


class ActionSetRegion(Action):
    """Sets the region from a button or a place name; then gives the contacts it was asked for."""

    def name(self) -> str:
        return "action_set_region"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        found = directory()
        named = next(tracker.get_latest_entity_values("region"), None)
        place = gazetteer().find(typed_text(tracker))
        if named in found.regions:
            region = named
        elif place and place.region:
            region = place.region
        else:
            unclear = typed_text(tracker) and not place
            template = found.templates.region_unclear if unclear else found.templates.ask_region
            choices = list(place.regions) if place else None
            dispatcher.utter_message(text=template, buttons=region_buttons(choices))
            return [SlotSet("awaiting_region", True)]
        chosen = found.regions[region]
        text = conversation_text()
        waiting = tracker.get_slot("awaiting_region")
        dispatcher.utter_message(
            text=found.templates.region_set.format(
                region=chosen.name, emergency_number=chosen.emergency_number
            ),
            buttons=[]
            if waiting
            else [
                {"title": text.contacts_button, "payload": "/referral_contacts"},
                {"title": text.topics_button, "payload": "/chat_menu"},
            ],
        )
        events = [*region_events(region), SlotSet("awaiting_region", False)]
        if waiting:
            send_contacts(dispatcher, tracker, region, tracker.get_slot("need") or "general")
        # The web widget shows the emergency number all the time: tell it the new one.
        dispatcher.utter_message(json_message={"emergency_number": chosen.emergency_number})
        return events
