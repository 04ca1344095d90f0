"""Whose drug or alcohol use a message is about, where the advice differs: the person who
drinks is told how to cut down, the wife of a man who drinks how to help him and herself.

`about_whom("my husband drinks too much, what can i do")` is "other"; "i drink too much and my
wife is upset" is "self" (the writer's own use wins); a question naming nobody is None.
Word lists in bot/content/people.yml.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.content.loading import read_yaml, section
from bot.settings import get_settings

SELF, OTHER = "self", "other"
OWNERS = {"my", "our", "his", "her", "me", "mi"}  # "my husband", "her boyfriend"
# Contractions spelt out, so "im drinking" and "i'm drinking" read alike.
CONTRACTIONS = {"im": ["i", "am"], "ive": ["i", "have"], "i've": ["i", "have"], "i'm": ["i", "am"]}


class People:
    def __init__(self, relations: list[str], own_use: list[list[str]]) -> None:
        self._relations = set(relations)
        self._own_use = [tuple(phrase) for phrase in own_use]

    def about_whom(self, text: str) -> str | None:
        words = _words(text)
        if any(_contains(words, phrase) for phrase in self._own_use):
            return SELF
        named = any(
            self._is_relation(word) and index > 0 and words[index - 1] in OWNERS
            for index, word in enumerate(words)
        )
        return OTHER if named else None

    def _is_relation(self, word: str) -> bool:
        """ "mum", and "mums" as in "my mums drinking" (the apostrophe dropped)."""
        return word in self._relations or (word.endswith("s") and word[:-1] in self._relations)


def _words(text: str) -> list[str]:
    words: list[str] = []
    for word in re.findall(r"[a-z']+", text.lower().replace("\u2019", "'")):
        if word.endswith("'s"):
            word = word[:-2]  # "my mum's drinking"
        words += CONTRACTIONS.get(word, [word.replace("'", "")])
    return words


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(words[i : i + size]) == phrase for i in range(len(words) - size + 1))


@lru_cache(maxsize=1)
def people() -> People:
    path = get_settings().content_dir / "people.yml"
    data = read_yaml(path)
    return People(section(path, data, "relations"), section(path, data, "own_use"))
