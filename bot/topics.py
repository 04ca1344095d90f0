"""Topics, menus and fallback wording.

Each answer response (`utter_<intent>`) carries `metadata.title`; menus and the fallback's
suggestions are built from those titles, so a question's name lives beside its answer. The
rest of the wording is data in bot/content/conversation.yml.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from bot.content.loading import parse_entry, read_yaml
from bot.settings import get_settings

Responses = Mapping[str, list[Mapping[str, Any]]]


class ConversationText(BaseModel):
    topics: dict[str, str]
    menu: str
    topic_menu: str
    contacts_button: str
    change_region_button: str
    emergency_button: str
    person_button: str
    topics_button: str
    something_else_button: str
    ask_affirmation: str
    ask_rephrase: str
    give_up: str
    too_long: str
    too_fast: str
    privacy_info: str
    delete_button: str
    also_asked: str
    urgent_first: list[str]


@lru_cache(maxsize=1)
def conversation_text() -> ConversationText:
    path = get_settings().content_dir / "conversation.yml"
    return parse_entry(ConversationText, read_yaml(path), path, "conversation")


def topic_of(intent: str) -> str | None:
    return next(
        (topic for topic in conversation_text().topics if intent.startswith(f"{topic}_")), None
    )


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
