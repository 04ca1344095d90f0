"""The sources registry: every answer names where its facts come from.

Sources live in bot/content/sources/*.yml (one file per topic). An id must be
unique across the files; a public-guidance source needs a URL, one of the
project's seed documents names its file instead. A source with `never_shown` (a seed
document by a commercial rehab provider, a defunct agency, a news report standing in for
the statistics) stays in the registry as the basis of what an answer says or as a check,
but is never printed as an answer's source.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, HttpUrl, root_validator, validator

from bot.content.loading import ContentError, parse_entries, read_yaml, section
from bot.settings import get_settings


class Source(BaseModel):
    id: str
    short: str
    title: str
    publisher: str
    url: HttpUrl | None = None
    document: str | None = None
    reviewed: date
    checked: str
    never_shown: str | None = None  # why a person is never shown this as a source

    @validator("id")
    def id_is_a_slug(cls, value: str) -> str:  # noqa: N805 (pydantic validator)
        if not value.replace("_", "").isalnum() or value.lower() != value:
            raise ValueError("must be lower-case letters, digits and underscores")
        return value

    @root_validator(skip_on_failure=True)
    def has_a_location(cls, values: dict) -> dict:  # noqa: N805
        if not values.get("url") and not values.get("document"):
            raise ValueError("needs a 'url' (or 'document' for a seed document)")
        return values


def load_sources(directory: Path) -> dict[str, Source]:
    registry: dict[str, Source] = {}
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise ContentError(f"{directory}: no source files (*.yml)")
    for path in files:
        for source in parse_entries(Source, section(path, read_yaml(path), "sources"), path):
            if source.id in registry:
                raise ContentError(f"{path}: entry '{source.id}': field 'id': defined twice")
            registry[source.id] = source
    return registry


@lru_cache(maxsize=1)
def sources() -> dict[str, Source]:
    return load_sources(get_settings().content_dir / "sources")


def citation_line(source_ids: list[str]) -> str:
    """The line every answer ends with, e.g. 'Source: NHS: Naloxone'."""
    registry = sources()
    missing = [source_id for source_id in source_ids if source_id not in registry]
    if missing:
        raise ContentError(f"unknown source id(s): {', '.join(missing)}")
    hidden = [source_id for source_id in source_ids if not shown_to_people(registry[source_id])]
    if hidden:
        raise ContentError(f"never shown as a source: {', '.join(hidden)}")
    return "Source: " + " · ".join(registry[source_id].short for source_id in source_ids)


def shown_to_people(source: Source) -> bool:
    """Public guidance may be printed under an answer; seed documents and sources marked
    `never_shown` only back it."""
    return source.never_shown is None and source.document is None
