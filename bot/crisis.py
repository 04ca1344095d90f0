"""Recognising a crisis happening now: overdose, self-harm, seizures, chest pain, needle injuries.

Token patterns from bot/content/crisis.yml run through spaCy's Matcher on the lower-cased,
spelling-fixed text. A match is a crisis unless the message is a general question with no
urgency in it, the event is plainly over, or (for categories where it matters) the words are
negated ("I'm not suicidal"). When in doubt the answer is "crisis": a false alarm costs seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.matcher import Matcher
from spacy.tokens import Doc

from bot.content.loading import ContentError, read_yaml, section
from bot.language import english
from bot.settings import get_settings

CRISIS = "crisis"
QUESTION = "question"  # crisis words in a general question: answer it, with the number
NONE = "none"


@dataclass(frozen=True)
class Assessment:
    kind: str  # CRISIS, QUESTION or NONE
    category: str | None = None
    matched: str | None = None

    @property
    def is_crisis(self) -> bool:
        return self.kind == CRISIS


class CrisisDetector:
    def __init__(self, rules: dict[str, Any], source: str = "crisis rules") -> None:
        self._nlp = english()
        self._spelling = self._compile_spelling(section(source, rules, "spelling"))
        self._negators = set(section(source, rules, "negators"))
        self._negatable: set[str] = set()
        self._matcher = Matcher(self._nlp.vocab, validate=True)
        self._frames = Matcher(self._nlp.vocab, validate=True)
        for name in ("question_frames", "urgency", "past"):
            self._add(self._frames, name, section(source, rules, name), source)
        for category, spec in section(source, rules, "categories").items():
            if spec.get("negatable"):
                self._negatable.add(category)
            self._add(self._matcher, category, spec.get("patterns"), source)

    @staticmethod
    def _compile_spelling(spelling: dict[str, str]) -> tuple[re.Pattern, dict[str, str]]:
        words = sorted(spelling, key=len, reverse=True)
        pattern = re.compile(
            r"(?<![\w'.])(" + "|".join(re.escape(word) for word in words) + r")(?![\w'])"
        )
        return pattern, spelling

    @staticmethod
    def _add(matcher: Matcher, name: str, patterns: Any, source: str) -> None:
        if not patterns:
            raise ContentError(f"{source}: entry '{name}': field 'patterns': empty")
        try:
            matcher.add(name, patterns)
        except (ValueError, KeyError) as error:
            raise ContentError(f"{source}: entry '{name}': field 'patterns': {error}") from error

    def normalise(self, text: str) -> str:
        text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
        pattern, spelling = self._spelling
        text = pattern.sub(lambda match: spelling[match.group(1)], text)
        # Apostrophes carry no meaning here once od'd is rewritten: "won't" -> "wont" -> wo|n't.
        text = re.sub(r"(\w)'(\w)", r"\1\2", text)
        return re.sub(r"(.)\1{2,}", r"\1\1", text)  # "pleeeease" -> "pleease"

    def doc(self, text: str) -> Doc:
        return self._nlp(self.normalise(text))

    def assess(self, text: str) -> Assessment:
        doc = self.doc(text)
        crises = [
            (self._nlp.vocab.strings[match_id], start, end)
            for match_id, start, end in self._matcher(doc)
        ]
        crises = [match for match in crises if not self._negated(doc, *match)]
        if not crises:
            return Assessment(NONE)
        category, start, end = crises[0]
        matched = doc[start:end].text
        frames = {self._nlp.vocab.strings[match_id] for match_id, _, _ in self._frames(doc)}
        urgent = "urgency" in frames
        if not urgent and ("question_frames" in frames or "past" in frames):
            return Assessment(QUESTION, category, matched)
        return Assessment(CRISIS, category, matched)

    def _negated(self, doc: Doc, category: str, start: int, end: int) -> bool:
        if category not in self._negatable:
            return False
        before = doc[max(0, start - 3) : start]
        return any(
            token.lemma_ in self._negators or token.lower_ in self._negators for token in before
        )


@lru_cache(maxsize=1)
def crisis_detector() -> CrisisDetector:
    path = get_settings().content_dir / "crisis.yml"
    return CrisisDetector(read_yaml(path), source=str(path))
