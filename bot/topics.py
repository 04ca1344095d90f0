"""Topics and their questions, read from the answers' own metadata.

Each answer response (`utter_<intent>`) carries `metadata.title`; menus and the
fallback's suggestions are built from those titles, so a question's name lives
in one place: beside its answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

TOPICS: dict[str, str] = {
    "naloxone": "Naloxone",
    "withdrawal": "Withdrawal",
    "safer_use": "Safer use",
    "treatment": "Treatment and support",
    "facts": "Facts and figures",
}

Responses = Mapping[str, list[Mapping[str, Any]]]


def topic_of(intent: str) -> str | None:
    return next((topic for topic in TOPICS if intent.startswith(f"{topic}_")), None)


def question_title(intent: str, responses: Responses) -> str | None:
    """The button title of a topic question, or None if the intent is not one."""
    if topic_of(intent) is None:
        return None
    variants = responses.get(f"utter_{intent}") or []
    metadata = (variants[0].get("metadata") or {}) if variants else {}
    return metadata.get("title")


def topic_questions(topic: str, responses: Responses) -> list[tuple[str, str]]:
    """(intent, title) of every question in a topic, in the order the answers are defined."""
    questions = []
    for name in responses:
        intent = name.removeprefix("utter_")
        if topic_of(intent) == topic and (title := question_title(intent, responses)):
            questions.append((intent, title))
    return questions


def closest_questions(
    ranking: Iterable[Mapping[str, Any]], responses: Responses, limit: int = 3
) -> list[tuple[str, str]]:
    """The best-ranked topic questions of an intent ranking, as (intent, title)."""
    found = []
    for entry in ranking:
        intent = entry.get("name") or ""
        title = question_title(intent, responses)
        if title:
            found.append((intent, title))
        if len(found) == limit:
            break
    return found
