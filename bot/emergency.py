"""The emergency flow: the first reply to a crisis and each step after it.

Content lives in bot/content/emergency.yml; numbers come from the person's region in the
referral directory, so there is one source of truth for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import BaseModel

from bot.content.loading import ContentError, parse_entry, read_yaml, section
from bot.referrals import Region, directory
from bot.settings import get_settings
from bot.sources import citation_line

OVERDOSE = "overdose"
# Crisis categories (bot/content/crisis.yml) answered with the overdose flow.
OVERDOSE_CATEGORIES = {
    "unresponsive",
    "breathing",
    "colour",
    "overdose_statement",
    "fear_of_dying",
    "other_urgent",
}


class Button(BaseModel):
    title: str
    payload: str


class Template(BaseModel):
    text: str
    sources: list[str]
    buttons: list[Button] = []


class EmergencyContent(BaseModel):
    flow_buttons: list[Button]
    first_replies: dict[str, Template]
    steps: dict[str, Template]


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
    }
    text = template.text.format(**values).replace("\n\n", "\n")
    return Message(
        text=f"{text}\n{citation_line(template.sources)}",
        buttons=[button.dict() for button in [*buttons, *template.buttons]],
    )


def first_reply(category: str | None, region_id: str | None) -> Message:
    """The first reply to a crisis: the emergency number, at once, fit for what is happening."""
    content = emergency_content()
    region = directory().region(region_id)
    key = category if category in content.first_replies else OVERDOSE
    flow = content.flow_buttons if key == OVERDOSE else []
    return _render(content.first_replies[key], region, flow)


def step(name: str, region_id: str | None) -> Message | None:
    """One step of the overdose flow (e.g. 'emergency_has_naloxone'), or None if unknown."""
    content = emergency_content()
    if name not in content.steps:
        return None
    region = directory().region(region_id)
    others = [button for button in content.flow_buttons if button.payload != f"/{name}"]
    return _render(content.steps[name], region, others)
