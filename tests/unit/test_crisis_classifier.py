"""The second crisis detector: what it learns from, and how far it may raise a level."""

from __future__ import annotations

import json

from bot.crisis import (
    CLASSIFIER_SIGNAL,
    CRISIS,
    GENERAL,
    NONE,
    NOT_NOW,
    Assessment,
    crisis_detector,
    raised,
)
from bot.crisis_classifier import CORPUS, _corpus_messages


def test_it_never_learns_from_the_real_messages_kept_to_measure():
    texts = set(_corpus_messages()[0])
    rows = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    unseen = [row["text"] for row in rows if row["split"] in ("dev", "crisis_test")]
    assert unseen and not texts.intersection(unseen)


def test_it_raises_nothing_to_more_than_possible_with_the_general_reply():
    got = raised(Assessment(NONE), 0.99)
    assert (got.level, got.category, got.signals) == ("possible", GENERAL, (CLASSIFIER_SIGNAL,))
    assert raised(Assessment(NONE), 0.1).level == "none"


def test_it_never_lowers_nor_overrules_the_patterns():
    now = Assessment(CRISIS, "overdose", "wont wake", True, ("unresponsive",))
    assert raised(now, 0.0) is now
    negated = Assessment(NOT_NOW, "seizure", "having a fit", False, ("seizure",))
    assert raised(negated, 0.99).kind == NOT_NOW  # "he is not having a fit": possible at most
    calmed = Assessment(NOT_NOW, "overdose", "not breathing", True, ("breathing",))
    assert raised(calmed, 0.99) is calmed


def test_a_crisis_of_a_kind_the_patterns_do_not_know_gets_the_safety_line():
    # No pattern catches these (checked); the classifier lifts them to possible.
    for text in (
        "took 30 panadol to make it stop",
        "hes been awake 4 days on meth and is waving a knife around",
    ):
        assert crisis_detector().assess(text).level in ("possible", "now"), text
