"""The human helpline: whether a person can be put through now, and what they are told.

Configuration is bot/content/helpline.yml (HRA_HELPLINE_CONFIG): the team, opening hours per
region, how recently an agent must have been seen to count as online, and the wording. The
24/7 lines given when nobody can take a chat come from the referral directory, so numbers
have one source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bot.content.loading import ContentError, parse_entry, read_yaml
from bot.hours import OpeningHours
from bot.referrals import directory, format_contact, when
from bot.settings import get_settings


class HelplineTemplates(BaseModel):
    connecting: str
    already_waiting: str
    closed: str
    nobody_free: str
    lines: str
    offer_message: str
    ask_message: str
    message_left: str
    message_failed: str
    message_not_left: str
    crisis_flagged: str
    claimed: str
    handed_back: str
    ended: str
    nobody_left: str


class HelplineButtons(BaseModel):
    leave_message: str
    no_message: str


class HelplineFile(BaseModel):
    team: str
    usual_wait: str
    online_minutes: float
    hours: dict[str, Any]
    templates: HelplineTemplates
    buttons: HelplineButtons


@dataclass(frozen=True)
class Availability:
    hours_open: bool
    agents_online: int
    next_opening: datetime | None
    hours: str

    @property
    def can_connect(self) -> bool:
        return self.hours_open and self.agents_online > 0


@dataclass(frozen=True)
class Helpline:
    team: str
    usual_wait: str
    online_window: timedelta
    hours: dict[str, OpeningHours]  # by region id, "default" for the rest
    templates: HelplineTemplates
    buttons: HelplineButtons

    def opening(self, region_id: str | None) -> OpeningHours:
        return self.hours.get(region_id or "", self.hours["default"])

    def availability(
        self, region_id: str | None, agents_online: int, now: datetime
    ) -> Availability:
        opening = self.opening(region_id)
        return Availability(
            hours_open=opening.is_open(now),
            agents_online=agents_online,
            next_opening=opening.next_opening(now),
            hours=opening.describe(),
        )

    def connecting(self, position: int, emergency_number: str, again: bool = False) -> str:
        template = self.templates.already_waiting if again else self.templates.connecting
        return template.format(
            team=self.team,
            position=max(position, 1),
            usual_wait=self.usual_wait,
            emergency_number=emergency_number,
        )

    def always_open_lines(self, region_id: str | None, now: datetime, links: bool) -> str:
        """The region's 24/7 lines from the referral directory, one per line."""
        found = directory()
        services = found.always_open_lines(found.region(region_id).id)[:3]
        return "\n".join(format_contact(s, now, found.templates, links) for s in services)

    def nobody_left(self, region_id: str | None, now: datetime, links: bool) -> str:
        """A person still waiting when the last worker has gone."""
        return self.templates.nobody_left.format(
            lines=self.always_open_lines(region_id, now, links),
            emergency_number=directory().region(region_id).emergency_number,
        )

    def unavailable(
        self, region_id: str | None, availability: Availability, now: datetime, links: bool
    ) -> str:
        """The honest reply when nobody can take a chat: why, the 24/7 lines, a message offer."""
        found = directory()
        region = found.region(region_id)
        if availability.hours_open:
            why = self.templates.nobody_free
        else:
            why = self.templates.closed.format(
                opens=when(availability.next_opening, now), hours=availability.hours
            )
        return "\n".join(
            [
                why,
                self.templates.lines.format(lines=self.always_open_lines(region.id, now, links)),
                self.templates.offer_message.format(emergency_number=region.emergency_number),
            ]
        )


def load_helpline(path: Path) -> Helpline:
    raw = parse_entry(HelplineFile, read_yaml(path), path, "helpline")
    if "default" not in raw.hours:
        raise ContentError(f"{path}: field 'hours': needs a 'default' entry")
    unknown = set(raw.hours) - set(directory().regions) - {"default"}
    if unknown:
        raise ContentError(f"{path}: field 'hours': unknown region(s) {sorted(unknown)}")
    hours = {}
    for region_id, notation in raw.hours.items():
        zone = directory().region(region_id if region_id != "default" else None).timezone
        try:
            hours[region_id] = OpeningHours.parse(notation, zone)
        except ValueError as error:
            raise ContentError(f"{path}: field 'hours.{region_id}': {error}") from error
    if raw.online_minutes <= 0:
        raise ContentError(f"{path}: field 'online_minutes': must be more than 0")
    return Helpline(
        team=raw.team,
        usual_wait=raw.usual_wait,
        online_window=timedelta(minutes=raw.online_minutes),
        hours=hours,
        templates=raw.templates,
        buttons=raw.buttons,
    )


@lru_cache(maxsize=1)
def helpline() -> Helpline:
    return load_helpline(get_settings().helpline.config)
