"""The emergency flow: the first reply to a crisis and each step after it.

Content lives in bot/content/emergency.yml; numbers come from the person's region in the
referral directory, so there is one source of truth for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from bot.content.loading import ContentError, parse_entry, read_yaml, section
from bot.places import gazetteer
from bot.referrals import Region, directory
from bot.settings import get_settings
from bot.sources import citation_line

OVERDOSE = "overdose"


class Button(BaseModel):
    title: str
    payload: str


class Template(BaseModel):
    text: str
    sources: list[str]  # shown under the reply: the one or two that carry it
    checked_against: list[str] = []  # the other guidance it was checked against
    buttons: list[Button] = []
    flow: bool = False  # the overdose flow's buttons come first
    questions: bool = False  # a step asked for in the message answers it instead (`questions`)


class PossibleLine(BaseModel):
    text: str
    button: str


class EmergencyContent(BaseModel):
    flow_buttons: list[Button]
    possible_line: PossibleLine
    first_replies: dict[str, Template]
    steps: dict[str, Template]
    questions: dict[str, list[str]] = {}


@dataclass(frozen=True)
class Message:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)


@lru_cache(maxsize=1)
def emergency_content() -> EmergencyContent:
    path = get_settings().content_dir / "emergency.yml"
    data = read_yaml(path)
    content = parse_entry(EmergencyContent, data, path, "emergency flow")
    if OVERDOSE not in section(path, data, "first_replies"):
        raise ContentError(f"{path}: entry 'first_replies': field '{OVERDOSE}': missing")
    for name, patterns in content.questions.items():
        if name not in content.steps:
            raise ContentError(f"{path}: entry 'questions': field '{name}': not a step")
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ContentError(f"{path}: entry 'questions.{name}': {error}") from error
    for name, template in {**content.first_replies, **content.steps}.items():
        try:
            citation_line(template.sources)
        except ContentError as error:
            raise ContentError(f"{path}: entry '{name}': field 'sources': {error}") from error
    return content


def crisis_line(region: Region) -> str:
    """The region's first 24/7 mental-health line, worded by the directory's template."""
    found = directory()
    for service in found.contacts(region.id, "mental_health"):
        if service.always_open and "mental_health" in service.needs:
            return found.templates.crisis_line.format(
                name=service.name, phone=service.phone or service.web, hours=service.hours
            )
    return region.emergency_note


def _render(template: Template, region: Region, buttons: list[Button]) -> Message:
    values = {
        "emergency_number": region.emergency_number,
        "crisis_line": crisis_line(region),
        "police_note": region.police_note,
        "silent_note": region.silent_note,
    }
    text = template.text.format(**values).replace("\n\n", "\n")
    sources = list(template.sources)
    if "{silent_note}" in template.text:  # the region's own source for what it says
        sources.append(region.silent_source)
    return Message(
        text=f"{text}\n{citation_line(sources)}",
        buttons=[button.dict() for button in [*buttons, *template.buttons]],
    )


KIND_ENTITY = "crisis_kind"  # what the "It's happening now" button says the crisis is
EMERGENCY_PAYLOAD = "/emergency"


def reply_kind(parse_data: dict[str, Any]) -> str:
    """Which first reply a message calls for, in one place for the assistant and for a
    conversation handed to a worker: the crisis detector's choice for words, the button's
    entity for a tapped "It's happening now"; overdose by default and for unknown names."""
    crisis = parse_data.get("crisis") or {}
    tapped = next(
        (
            entity.get("value")
            for entity in parse_data.get("entities") or []
            if entity.get("entity") == KIND_ENTITY
        ),
        None,
    )
    kind = crisis.get("category") or tapped
    return kind if kind in emergency_content().first_replies else OVERDOSE


def happening_now_payload(kind: str | None) -> str:
    if not kind or kind == OVERDOSE or kind not in emergency_content().first_replies:
        return EMERGENCY_PAYLOAD
    return f'{EMERGENCY_PAYLOAD}{{"{KIND_ENTITY}":"{kind}"}}'


@lru_cache(maxsize=1)
def happening_now_payloads() -> frozenset[str]:
    """Every payload of the "It's happening now" button: anyone may send one (it only starts
    the emergency flow in their own conversation), so none needs to have been offered."""
    return frozenset(happening_now_payload(kind) for kind in emergency_content().first_replies)


def safety_line(kind: str | None, region_id: str | None) -> Message:
    """The line that comes before the answer to a message whose crisis may be happening now."""
    line = emergency_content().possible_line
    region = directory().region(region_id)
    return Message(
        text=line.text.format(emergency_number=region.emergency_number),
        buttons=[{"title": line.button, "payload": happening_now_payload(kind)}],
    )


_NUMBER = re.compile(r"(?<![\d+])(\d{3})(?!\d)")


def region_named(text: str, current: str | None) -> str | None:
    """The region a crisis message names or implies, when it is not the one known already:
    a place spelt as the gazetteer has it ("in sydney"), else an emergency number ("is it 000
    here?", "911"). The first reply then gives that region's number, and it is kept. Typos
    are not guessed at here: a wrong emergency number is worse than the default one."""
    place = gazetteer().find(text, fuzzy=False)
    if place is not None and place.region:
        return None if place.region == current else place.region
    named = set(_NUMBER.findall(text))
    regions = directory().regions
    with_number = [r for r in regions if regions[r].emergency_number in named]
    if not with_number or current in with_number:
        return None
    default = get_settings().default_region
    return default if default in with_number else with_number[0]


def first_reply(category: str | None, region_id: str | None) -> Message:
    """The first reply to a crisis: the emergency number, at once, fit for what is happening."""
    content = emergency_content()
    region = directory().region(region_id)
    key = category if category in content.first_replies else OVERDOSE
    template = content.first_replies[key]
    return _render(template, region, content.flow_buttons if template.flow else [])


@lru_cache(maxsize=1)
def _questions() -> list[tuple[str, re.Pattern[str]]]:
    return [
        (name, re.compile(pattern))
        for name, patterns in emergency_content().questions.items()
        for pattern in patterns
    ]


def step_asked(text: str) -> str | None:
    """The step of the flow a message asks for ("how do i do compressions"), if any."""
    lowered = text.lower()
    return next((name for name, pattern in _questions() if pattern.search(lowered)), None)


def crisis_reply(
    parse_data: dict[str, Any], text: str, region_id: str | None
) -> tuple[Message, str | None]:
    """The first reply to a crisis message, and the region its words name (to keep), in one
    place for the assistant and for a conversation handed to a worker: the kind's first aid
    in the region's words, or, where the message asks for a step itself ("hes not breathing
    how do i do cpr"), that step, which starts with the call line too."""
    named = region_named(text, region_id)
    region = named or region_id
    kind = reply_kind(parse_data)
    asked = step_asked(text) if emergency_content().first_replies[kind].questions else None
    message = step(asked, region) if asked else None
    return message or first_reply(kind, region), named


def step(name: str, region_id: str | None) -> Message | None:
    """One step of the overdose flow (e.g. 'emergency_has_naloxone'), or None if unknown."""
    content = emergency_content()
    if name not in content.steps:
        return None
    region = directory().region(region_id)
    others = [button for button in content.flow_buttons if button.payload != f"/{name}"]
    return _render(content.steps[name], region, others)
