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
from bot.crisis_classifier import (
    CORPUS,
    CombinedCrisisClassifier,
    EmbeddingCrisisClassifier,
    _corpus_messages,
    embedding_classifier,
    fingerprint,
)
from bot.sentence_embeddings import sentence_encoder
from bot.settings import get_settings


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


def test_embedding_weights_are_plain_numbers_kept_only_for_the_messages_they_came_from():
    texts = ["he isnt breathing", "she wont wake up", "whats the weather", "book a table"]
    labels = [1, 1, 0, 0]
    encoder = sentence_encoder()
    learnt = EmbeddingCrisisClassifier.trained(encoder, texts, labels)
    stored = learnt.to_json(fingerprint(texts, labels))
    again = EmbeddingCrisisClassifier.from_json(encoder, stored, fingerprint(texts, labels))
    assert again is not None
    assert again.probability("my mate is not breathing") == learnt.probability(
        "my mate is not breathing"
    )
    assert learnt.probability("hes not breathing") > learnt.probability("book me a table")
    # New training messages: the stored weights are not used.
    assert (
        EmbeddingCrisisClassifier.from_json(encoder, stored, fingerprint(texts, [1, 0, 0, 0]))
        is None
    )


def test_missing_weights_are_learnt_and_stored(tmp_path, monkeypatch):
    path = tmp_path / "weights.json"
    monkeypatch.setenv("HRA_CRISIS_WEIGHTS", str(path))
    get_settings.cache_clear()
    try:
        texts, labels = ["she is blue", "i like cake"], [1, 0]
        embedding_classifier(texts, labels)
        assert json.loads(path.read_text())["fingerprint"] == fingerprint(texts, labels)
    finally:
        get_settings.cache_clear()


def test_the_two_opinions_are_averaged():
    class Fixed:
        def __init__(self, value: float) -> None:
            self.value = value

        def probability(self, text: str) -> float:
            return self.value

    assert CombinedCrisisClassifier(Fixed(0.2), Fixed(0.6)).probability("x") == 0.4


def test_meaning_without_a_pattern_gets_the_safety_line():
    # Blueberry lips are blue lips; no pattern says so (checked: the patterns alone say none).
    text = "his lips look like hes been eating blueberries"
    assert crisis_detector().assess(text).level == "possible"
