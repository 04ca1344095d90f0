"""The referral directory: free public services by region and need, and whether they are open.

The directory is data (bot/content/referrals.yml), schema-checked when loaded: a mistake
raises ContentError naming the file, the entry and the field. Every region must have an
emergency number and at least one phone or text line open 24/7.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, HttpUrl, PrivateAttr, root_validator, validator

from bot import clock
from bot.content.loading import ContentError, parse_entries, parse_entry, read_yaml, section
from bot.hours import OpeningHours
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
    "overdose_line",
    "poisons",
]
NEEDS: tuple[str, ...] = Need.__args__  # type: ignore[attr-defined]


class Region(BaseModel):
    id: str
    name: str
    timezone: str
    emergency_numbers: list[str]
    emergency_note: str
    police_note: str  # reassurance for people afraid to call, true for this region
    silent_note: str  # how to get help without speaking, only what exists in this region
    silent_source: str  # the source registry's id for silent_note

    @validator("emergency_numbers")
    def are_short_numbers(cls, value: list[str]) -> list[str]:  # noqa: N805
        if not value or not all(re.fullmatch(r"\d{3}", number) for number in value):
            raise ValueError("must list the three-digit emergency number(s), the main one first")
        return value

    @property
    def emergency_number(self) -> str:
        return self.emergency_numbers[0]


class Service(BaseModel):
    id: str
    name: str
    purpose: str
    regions: list[str]
    needs: list[Need]
    phone: str | None = None
    text: str | None = None
    web: HttpUrl | None = None
    chat: HttpUrl | None = None
    hours: Any
    cost: str
    confidential: bool
    source: HttpUrl
    verified: str
    checked: str
    _opening: OpeningHours = PrivateAttr()

    @validator("verified")
    def is_a_date(cls, value: str) -> str:  # noqa: N805
        datetime.strptime(value, "%Y-%m-%d")
        return value

    @validator("phone")
    def is_dialable(cls, value: str | None) -> str | None:  # noqa: N805
        if value is not None and not re.fullmatch(r"[\d -]{3,20}", value):
            raise ValueError("digits, spaces and dashes only, as people dial it")
        return value

    @root_validator(skip_on_failure=True)
    def can_be_reached(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        if not any(values.get(way) for way in ("phone", "text", "web", "chat")):
            raise ValueError("needs at least one of phone, text, web, chat")
        return values

    @property
    def opening(self) -> OpeningHours:
        return self._opening

    @property
    def is_line(self) -> bool:
        """A phone or text line someone answers, not just a website."""
        return bool(self.phone or self.text)

    @property
    def always_open(self) -> bool:
        return self._opening.always

    def is_open(self, now: datetime) -> bool:
        return self._opening.is_open(now)


class Templates(BaseModel):
    intro: str
    contact_line: str
    phone: str
    text: str
    web: str
    chat: str
    open_now: str
    always_open: str
    closed: str
    website: str
    alternative: str
    closing: str
    no_contacts: str
    crisis_line: str
    ask_region: str
    region_set: str
    region_unclear: str
    failure: str  # a channel's last resort when something broke


@dataclass(frozen=True)
class Directory:
    regions: dict[str, Region]
    services: list[Service]
    templates: Templates
    need_words: dict[str, list[str]]

    def region(self, region_id: str | None) -> Region:
        if region_id in self.regions:
            return self.regions[region_id]  # type: ignore[index]
        return self.regions[get_settings().default_region]

    def in_region(self, region_id: str) -> list[Service]:
        return [service for service in self.services if region_id in service.regions]

    def contacts(self, region_id: str, need: str) -> list[Service]:
        """Services for the need in the region; general helplines when none match."""
        in_region = self.in_region(region_id)
        matching = [service for service in in_region if need in service.needs]
        return matching or [service for service in in_region if "general" in service.needs]

    def always_open_lines(self, region_id: str) -> list[Service]:
        """The region's 24/7 phone and text lines: phone lines before text-only ones, then
        the region's own before shared ones."""
        lines = [s for s in self.in_region(region_id) if s.is_line and s.always_open]
        return sorted(lines, key=lambda service: (service.phone is None, len(service.regions)))

    def always_open_line(self, region_id: str, need: str) -> Service | None:
        """The best 24/7 phone or text line for a need: for it, else general, else any."""
        lines = self.always_open_lines(region_id)
        for wanted in (need, "general", "mental_health"):
            for service in lines:
                if wanted in service.needs:
                    return service
        return lines[0] if lines else None


def load_directory(path: Path) -> Directory:
    data = read_yaml(path)
    regions = {
        region.id: region for region in parse_entries(Region, section(path, data, "regions"), path)
    }
    services = parse_entries(Service, section(path, data, "services"), path)
    for service in services:
        unknown = [region for region in service.regions if region not in regions]
        if unknown or not service.regions:
            raise ContentError(
                f"{path}: entry '{service.id}': field 'regions': unknown or none {unknown}"
            )
        try:
            zone = regions[service.regions[0]].timezone
            service._opening = OpeningHours.parse(service.hours, zone)
        except ValueError as error:
            raise ContentError(f"{path}: entry '{service.id}': field 'hours': {error}") from error
    banned = {_digits(number) for number in section(path, data, "never_list")}
    for service in services:
        if _digits(service.phone or "") in banned or _digits(service.text or "") in banned:
            raise ContentError(f"{path}: entry '{service.id}': field 'phone': on the never_list")
    for region in regions.values():
        lines = [s for s in services if region.id in s.regions and s.is_line and s.always_open]
        if not lines:
            raise ContentError(f"{path}: entry '{region.id}': no 24/7 phone or text line")
    templates = parse_entry(Templates, section(path, data, "templates"), path, "templates")
    need_words = section(path, data, "need_words")
    unknown_needs = set(need_words) - set(NEEDS)
    if unknown_needs:
        raise ContentError(f"{path}: entry 'need_words': unknown need(s) {sorted(unknown_needs)}")
    return Directory(regions, services, templates, need_words)


def _digits(number: str) -> str:
    return re.sub(r"[^0-9]", "", number)


@lru_cache(maxsize=1)
def directory() -> Directory:
    loaded = load_directory(get_settings().content_dir / "referrals.yml")
    if get_settings().default_region not in loaded.regions:
        raise ContentError(
            f"HRA_DEFAULT_REGION={get_settings().default_region!r} is not a region in referrals.yml"
        )
    return loaded


def detect_need(text: str) -> str:
    """The need a message asks about, by the directory's need words; 'general' if none."""
    words = " " + re.sub(r"[^a-z0-9\- ]", " ", text.lower()) + " "
    for need, stems in directory().need_words.items():
        if any(f" {stem}" in words for stem in stems):
            return need
    return "general"


def tel_link(phone: str) -> str:
    """A Markdown link that dials the number when tapped on a phone."""
    return f"[{phone}](tel:{_digits(phone)})"


def opening_text(service: Service, now: datetime, templates: Templates) -> str:
    if not service.is_line:
        return templates.website
    if service.always_open:
        return templates.always_open
    hours = service.opening.describe()
    if service.is_open(now):
        return templates.open_now.format(hours=hours)
    return templates.closed.format(opens=when(service.opening.next_opening(now), now), hours=hours)


def when(moment: datetime | None, now: datetime) -> str:
    """ "today at 09:30 GMT", "tomorrow at 18:00 BST", "Mon at 09:30 IST"."""
    if moment is None:
        return "now"
    local_now = now.astimezone(moment.tzinfo)
    days = (moment.date() - local_now.date()).days
    day = "today" if days == 0 else "tomorrow" if days == 1 else moment.strftime("%a")
    return f"{day} at {moment:%H:%M %Z}"


def format_contact(service: Service, now: datetime, templates: Templates, links: bool) -> str:
    ways = []
    if service.phone:
        phone = tel_link(service.phone) if links else service.phone
        ways.append(templates.phone.format(phone=phone))
    if service.text:
        ways.append(templates.text.format(text=service.text[0].lower() + service.text[1:]))
    if service.chat and service.chat != service.web:
        ways.append(templates.chat.format(chat=service.chat))
    if service.web and not service.is_line:
        ways.append(templates.web.format(web=service.web))
    return templates.contact_line.format(
        name=service.name,
        how=", ".join(ways) or str(service.web),
        status=opening_text(service, now, templates),
        purpose=service.purpose,
    )


def referral_message(
    region_id: str | None, need: str, now: datetime | None = None, links: bool = False
) -> str:
    """The whole referral reply for a region and need, from the directory's templates.

    `now` is the moment to judge opening hours by (the clock by default); `links` makes
    phone numbers tappable on channels that render Markdown."""
    now = now or clock.utc_now()
    found = directory()
    region = found.region(region_id)
    services = found.contacts(region.id, need)
    templates = found.templates
    fallback = found.always_open_line(region.id, need)
    if not services:
        line = format_contact(fallback, now, templates, links) if fallback else region.name
        return templates.no_contacts.format(
            region=region.name, line=line, emergency_number=region.emergency_number
        )
    lines = [templates.intro.format(region=region.name)]
    lines += [format_contact(service, now, templates, links) for service in services]
    best = next((service for service in services if service.is_line), None)
    if fallback and fallback not in services:
        if best is None:  # only websites for this need: add someone to talk to
            lines.append(format_contact(fallback, now, templates, links))
        elif not best.is_open(now):
            phone = tel_link(fallback.phone) if links and fallback.phone else fallback.phone
            lines.append(
                templates.alternative.format(
                    name=best.name, line=f"{fallback.name}, {phone or fallback.text}"
                )
            )
    lines.append(templates.closing.format(emergency_number=region.emergency_number))
    return "\n".join(lines)
