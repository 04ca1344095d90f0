"""Which region a person is in, from the place they name: "I'm in Leeds", "glasow", "BC".

Names are data (bot/content/places.yml): countries, UK nations, US states, Canadian
provinces, Australian states and big cities, each under its region id. A message is split
into runs of one to four words; a run that is a known name, or a long word within a typo or
two of one (rapidfuzz), names the region. Short names and codes must match exactly: "bc" is British
Columbia, but "bx" is nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.content.loading import ContentError, read_yaml, section
from bot.referrals import directory
from bot.settings import get_settings

# Only single words this long may be a little misspelt ("glasow", "edinbrugh", "melborne");
# shorter words and phrases must match exactly, so "words" is not Swords, nor "kitchen"
# Kitchener.
FUZZY_MIN_LENGTH = 6
FUZZY_SCORE = 88
# An emergency number on its own ("call 000", "is it 911 here"), not part of a sum ("$1,000").
EMERGENCY_NUMBER = re.compile(r"(?<![\d.,$£€/])\b(\d{3})\b(?![.,/]?\d)")


@dataclass(frozen=True)
class Place:
    name: str
    regions: tuple[str, ...]  # one region, or several when the name is ambiguous ("uk")

    @property
    def ambiguous(self) -> bool:
        return len(self.regions) > 1

    @property
    def region(self) -> str | None:
        """The region the name stands for, or None when it could be several ("uk")."""
        return None if self.ambiguous else self.regions[0]


class Gazetteer:
    def __init__(
        self,
        names: dict[str, tuple[str, ...]],
        not_places: set[str],
        filler: set[str] = frozenset(),  # type: ignore[assignment]
        location_words: set[str] = frozenset(),  # type: ignore[assignment]
        needs_a_cue: set[str] = frozenset(),  # type: ignore[assignment]
        implied_by: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self._names = names
        self._location_words = location_words
        self._needs_a_cue = needs_a_cue  # "cork", "victoria": a place only after "in", "from"
        self._implied_by = implied_by or {}  # "medicaid", "nhs", "000": say where, not name it
        self._not_places = not_places  # words never taken for a misspelt place
        self._filler = filler  # words around a place that say nothing else: "im in", "near"
        self.bounds: list[tuple[str, float, float, float, float]] = []
        self._fuzzy = [name for name in names if len(name) >= FUZZY_MIN_LENGTH]

    def find(self, text: str, fuzzy: bool = True) -> Place | None:
        """The place a message names, longest match first; None if it names none. Without
        `fuzzy`, only names spelt as the gazetteer has them (no guessing at typos)."""
        words = self._words(text)
        runs = [
            " ".join(words[start : start + size])
            for size in (4, 3, 2, 1)
            for start in range(len(words) - size + 1)
        ]
        for run in runs:
            if run in self._names:
                return Place(run, self._names[run])
        if not fuzzy:
            return None
        for word in words:
            place = self._misspelt(word)
            if place:
                return place
        return None

    def mentioned(self, text: str) -> Place | None:
        """The place a question or story names in passing ("does medicaid cover suboxone",
        "naloxone in ohio", "is it 000 here"), for the answer to fit where the person is.

        Stricter than `find`: names are spelt as listed, and a name that is also a word or a
        first name ("cork", "victoria"), or a two-letter code ("tx"), counts only after a
        word such as "in" or "from". Then words that imply a place: a service or a number.
        """
        words = self._words(text)
        for size in (4, 3, 2, 1):
            for start in range(len(words) - size + 1):
                run = " ".join(words[start : start + size])
                if run not in self._names:
                    continue
                cued = start > 0 and words[start - 1] in self._location_words | {"to"}
                if size == 1 and (len(run) <= 2 or run in self._needs_a_cue) and not cued:
                    continue
                return Place(run, self._names[run])
        for word in words:
            if word in self._implied_by and not word.isdigit():
                return Place(word, self._implied_by[word])
        for number in EMERGENCY_NUMBER.findall(text):
            if number in self._implied_by:
                return Place(number, self._implied_by[number])
        return None

    def about_a_place(self, text: str) -> bool:
        """Names a place, or says where someone is in words ("im in smalltown")."""
        return self.find(text) is not None or bool(self._location_words & set(self._words(text)))

    def only_a_place(self, text: str) -> Place | None:
        """The place, when the message says nothing else: "cork", "im in leeds", "bristol uk".

        Every word must be filler or part of a place name; the first place named wins."""
        words = self._words(text)
        first, position = None, 0
        while position < len(words):
            for size in (4, 3, 2, 1):
                run = " ".join(words[position : position + size])
                place = Place(run, self._names[run]) if run in self._names else None
                if place is None and size == 1 and run not in self._filler:
                    place = self._misspelt(run)
                if place:
                    first, position = first or place, position + size
                    break
            else:
                if words[position] not in self._filler:
                    return None  # a word that is neither filler nor a place
                position += 1
        return first

    def region_at(self, latitude: float, longitude: float) -> str | None:
        """The region a shared location falls in (coarse boxes), or None."""
        for region, south, north, west, east in self.bounds:
            if south <= latitude <= north and west <= longitude <= east:
                return region
        return None

    def _misspelt(self, word: str) -> Place | None:
        if len(word) < FUZZY_MIN_LENGTH or word in self._not_places:
            return None
        best = process.extractOne(word, self._fuzzy, scorer=fuzz.ratio)
        if best and best[1] >= FUZZY_SCORE:
            return Place(best[0], self._names[best[0]])
        return None

    @staticmethod
    def _words(text: str) -> list[str]:
        words = re.findall(r"[\w']+", text.lower().replace("\u2019", "'"))
        return [word.replace("'", "") for word in words]


def load_gazetteer(path: Path, region_ids: set[str]) -> Gazetteer:
    data = read_yaml(path)
    names: dict[str, tuple[str, ...]] = {}

    def add(name: str, regions: tuple[str, ...], entry: str) -> None:
        unknown = [region for region in regions if region not in region_ids]
        if unknown:
            raise ContentError(f"{path}: entry '{entry}': unknown region(s) {unknown}")
        key = str(name).lower().strip()
        if key in names:
            raise ContentError(f"{path}: entry '{entry}': '{key}' is listed twice")
        names[key] = regions

    for region, place_names in section(path, data, "regions").items():
        for name in place_names:
            add(name, (region,), region)
    for name, regions in (section(path, data, "ambiguous") or {}).items():
        add(name, tuple(regions), str(name))
    not_places = {str(word).lower() for word in data.get("not_places") or []}
    filler = {str(word).lower() for word in data.get("filler_words") or []}
    location_words = {str(word).lower() for word in data.get("location_words") or []}
    needs_a_cue = {str(word).lower() for word in data.get("needs_a_cue") or []}
    implied_by: dict[str, tuple[str, ...]] = {}
    for word, regions in (data.get("implied_by") or {}).items():
        unknown = [region for region in regions if region not in region_ids]
        if unknown:
            raise ContentError(f"{path}: entry 'implied_by': unknown region(s) {unknown}")
        implied_by[str(word).lower()] = tuple(regions)
    found = Gazetteer(names, not_places, filler, location_words, needs_a_cue, implied_by)
    for box in data.get("bounds") or []:
        if len(box) != 5 or box[0] not in region_ids:
            raise ContentError(f"{path}: entry 'bounds': {box!r} is not [region, S, N, W, E]")
        found.bounds.append((box[0], *(float(edge) for edge in box[1:])))
    return found


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return load_gazetteer(get_settings().content_dir / "places.yml", set(directory().regions))
