"""The referral directory: free public services by region and need.

The directory is data (bot/content/referrals.yml), schema-checked when loaded:
a mistake raises ContentError naming the file, the entry and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, HttpUrl, validator

from bot.content.loading import ContentError, parse_entries, read_yaml, section
from bot.settings import get_settings

Need = Literal[
    "emergency",
    "mental_health",
    "general",
    "treatment",
    "detox",
    "naloxone",
    "needle_exchange",
    "family",
]
NEEDS: tuple[str, ...] = Need.__args__  # type: ignore[attr-defined]


class Region(BaseModel):
    id: str
    name: str
    timezone: str
    emergency_number: str
    emergency_note: str
    police_note: str  # reassurance for people afraid to call, true for this region

    @validator("emergency_number")
    def is_a_short_number(cls, value: str) -> str:  # noqa: N805
        if not re.fullmatch(r"\d{3}", value):
            raise ValueError("must be a three-digit emergency number")
        return value


class Service(BaseModel):
    id: str
    name: str
    purpose: str
    regions: list[str]
    needs: list[Need]
    phone: str | None = None
    text: str | None = None
    web: HttpUrl
    hours: str
    cost: str
    confidential: bool
    source: HttpUrl
    verified: str
    checked: str

    @property
    def always_open(self) -> bool:
        return self.hours == "24/7"


class Templates(BaseModel):
    intro: str
    contact_line: str
    text_suffix: str
    closing: str
    no_contacts: str
    crisis_line: str


@dataclass(frozen=True)
class Directory:
    regions: dict[str, Region]
    services: list[Service]
    templates: Templates

    def region(self, region_id: str | None) -> Region:
        if region_id in self.regions:
            return self.regions[region_id]  # type: ignore[index]
        return self.regions[get_settings().default_region]

    def contacts(self, region_id: str, need: str) -> list[Service]:
        """Services for the need in the region; general helplines when none match."""
        in_region = [service for service in self.services if region_id in service.regions]
        matching = [service for service in in_region if need in service.needs]
        return matching or [service for service in in_region if "general" in service.needs]


def load_directory(path: Path) -> Directory:
    data = read_yaml(path)
    regions = {
        region.id: region for region in parse_entries(Region, section(path, data, "regions"), path)
    }
    services = parse_entries(Service, section(path, data, "services"), path)
    for service in services:
        unknown = [region for region in service.regions if region not in regions]
        if unknown:
            raise ContentError(
                f"{path}: entry '{service.id}': field 'regions': unknown region(s) {unknown}"
            )
    for region in regions.values():
        if not any(service.always_open for service in services if region.id in service.regions):
            raise ContentError(f"{path}: entry '{region.id}': no 24/7 service in this region")
    templates = Templates.parse_obj(section(path, data, "templates"))
    return Directory(regions=regions, services=services, templates=templates)


@lru_cache(maxsize=1)
def directory() -> Directory:
    loaded = load_directory(get_settings().content_dir / "referrals.yml")
    if get_settings().default_region not in loaded.regions:
        raise ContentError(
            f"HRA_DEFAULT_REGION={get_settings().default_region!r} is not a region in referrals.yml"
        )
    return loaded


# Words that tell which kind of help a person asks for, checked in this order.
_NEED_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "mental_health",
        (
            "suicid",
            "kill myself",
            "self harm",
            "self-harm",
            "end it",
            "mental",
            "depress",
            "crisis line",
            "anxiety",
            "panic attack",
        ),
    ),
    ("naloxone", ("naloxone", "narcan", "nalox", "nyxoid", "prenoxad", "kit to reverse")),
    ("needle_exchange", ("needle", "syringe", "exchange", "nsp", "clean works", "pins", "kit")),
    ("detox", ("detox", "withdraw", "rattl", "cluck", "dopesick", "come off", "get off")),
    (
        "family",
        (
            "son",
            "daughter",
            "mum",
            "mom",
            "dad",
            "father",
            "mother",
            "family",
            "partner",
            "husband",
            "wife",
            "brother",
            "sister",
            "parent",
            "loved one",
            "friend",
            "kid",
        ),
    ),
    (
        "treatment",
        (
            "treatment",
            "methadone",
            "subutex",
            "bupe",
            "buprenorphine",
            "rehab",
            "script",
            "drug service",
            "clinic",
            "counsel",
            "stop using",
            "quit",
        ),
    ),
)


def detect_need(text: str) -> str:
    """The need a message asks about, by keyword; 'general' when none is named."""
    words = " " + re.sub(r"[^a-z0-9\- ]", " ", text.lower()) + " "
    for need, stems in _NEED_WORDS:
        if any(f" {stem}" in words for stem in stems):
            return need
    return "general"


def format_contact(service: Service, templates: Templates) -> str:
    line = templates.contact_line.format(
        name=service.name,
        phone=service.phone or service.web,
        hours=service.hours,
        purpose=service.purpose,
    )
    if service.text:
        line += templates.text_suffix.format(text=service.text)
    return line


def referral_message(region_id: str | None, need: str) -> str:
    """The whole referral reply for a region and need, from the directory's templates."""
    found = directory()
    region = found.region(region_id)
    services = found.contacts(region.id, need)
    templates = found.templates
    if not services:
        return templates.no_contacts.format(
            region=region.name, emergency_number=region.emergency_number
        )
    lines = [templates.intro.format(region=region.name)]
    lines += [format_contact(service, templates) for service in services]
    lines.append(templates.closing.format(emergency_number=region.emergency_number))
    return "\n".join(lines)
