"""A second crisis detector that generalises where the patterns of bot/crisis.py do not.

Two opinions, averaged: character 2-5-grams and word 1-2-grams (TF-IDF) with logistic
regression, trained when first needed (about 4 s, no file to ship or unpickle); and logistic
regression over sentence embeddings (bot/sentence_embeddings.py), which knows that "his lips
look like hes been eating blueberries" is near "his lips are blue" without a pattern for it.
Its weights are plain numbers in a JSON file made by `make train` (about a minute: every
training message is embedded) and made again at start-up when the training messages changed.
Both learn from every crisis suite in tests/crisis/ (crisis messages against their near
misses), the NLU examples (`emergency` against every topic), the calm messages of the
real-message corpus's `train` part and 3,000 everyday assistant queries
(corpus/calm_everyday.jsonl). The result is the probability that a message is a crisis now;
bot/crisis.py lets it raise a level, never lower one.

Measured on messages they never saw (docs/real-messages.md): alone each finds fewer real
emergencies than the patterns, but with them fewer emergencies get nothing at all.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

from bot.content.loading import read_yaml
from bot.sentence_embeddings import MODEL_PACKAGE, SentenceEncoder, sentence_encoder
from bot.settings import get_settings

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
SUITES = ROOT / "tests" / "crisis"
NLU = ROOT / "data" / "nlu"
REAL_MESSAGES = "real_messages.yml"  # written from corpus/ by corpus/tools/to_nlu.py
CORPUS = ROOT / "corpus" / "messages.jsonl"
EVERYDAY = ROOT / "corpus" / "calm_everyday.jsonl"  # CLINC150 queries: everyday words, calm
# Asked as questions, yet a possible crisis (corpus/LABELLING.md: a lethal-dose question is a
# possible suicide risk): not examples of a calm message.
NOT_CALM = {"drugs_lethal_dose"}


# Rasa's inline annotations, "[London](place)" and '[x]{"entity": ...}': their words stay.
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def _suite_messages() -> tuple[list[str], list[int]]:
    texts, labels = [], []
    for path in sorted(SUITES.glob("*.yml")):
        crisis = 0 if "near_miss" in path.name else 1
        for message in read_yaml(path)["messages"]:
            texts.append(message["text"])
            labels.append(crisis)
    return texts, labels


def _nlu_messages() -> tuple[list[str], list[int]]:
    texts, labels = [], []
    # real_messages.yml is the corpus's train part and CLINC queries, read below as they are.
    for path in sorted(p for p in NLU.glob("*.yml") if p.name != REAL_MESSAGES):
        for item in read_yaml(path).get("nlu") or []:
            intent = item.get("intent")
            if not intent or intent.startswith("emergency_") or intent in NOT_CALM:
                continue  # inside the emergency flow (not words), or not calm
            for line in (item.get("examples") or "").splitlines():
                if line.startswith("- "):
                    texts.append(_ANNOTATION.sub(r"\1", line[2:].strip()))
                    labels.append(int(intent == "emergency"))
    return texts, labels


def _corpus_messages() -> tuple[list[str], list[int]]:
    """Only the `train` part: `dev` and `crisis_test` stay unseen, to measure."""
    rows = [json.loads(line) for line in CORPUS.read_text().splitlines() if line.strip()]
    train = [row for row in rows if row["split"] == "train"]
    return [row["text"] for row in train], [int(row["crisis"] == "now") for row in train]


def _everyday_messages() -> tuple[list[str], list[int]]:
    """What people ask an assistant every day ("hes going to the shop" is not "hes going
    under"): the suites alone taught the classifier that some everyday words are a crisis."""
    rows = [json.loads(line) for line in EVERYDAY.read_text().splitlines() if line.strip()]
    return [row["text"] for row in rows], [0] * len(rows)


def training_messages() -> tuple[list[str], list[int]]:
    texts, labels = [], []
    parts = (_suite_messages(), _nlu_messages(), _corpus_messages(), _everyday_messages())
    for more_texts, more_labels in parts:
        texts += more_texts
        labels += more_labels
    return texts, labels


class Opinion(Protocol):
    def probability(self, text: str) -> float: ...


class CrisisClassifier:
    """Character and word n-grams: spelling, slang and typos it has seen."""

    def __init__(self, texts: list[str], labels: list[int]) -> None:
        features = make_union(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
            TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
        )
        model = LogisticRegression(C=4, max_iter=2000, class_weight="balanced")
        self._pipeline: Pipeline = make_pipeline(features, model)
        self._pipeline.fit(texts, labels)

    def probability(self, text: str) -> float:
        """How likely `text` is a crisis happening now, from 0 to 1."""
        return float(self._pipeline.predict_proba([text])[0, 1])


EMBEDDING_C = 4  # measured: 1, 4 and 16 differ by a point or two on the unseen sets


def fingerprint(texts: list[str], labels: list[int]) -> str:
    """What the embedding weights were learnt from: new training messages, new weights."""
    data = json.dumps([MODEL_PACKAGE, EMBEDDING_C, texts, labels], ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


class EmbeddingCrisisClassifier:
    """Logistic regression over sentence embeddings: meaning it was never shown in words."""

    def __init__(self, encoder: SentenceEncoder, weights: np.ndarray, bias: float) -> None:
        self._encoder = encoder
        self._weights = weights
        self._bias = bias

    @classmethod
    def trained(
        cls, encoder: SentenceEncoder, texts: list[str], labels: list[int]
    ) -> EmbeddingCrisisClassifier:
        model = LogisticRegression(C=EMBEDDING_C, max_iter=3000, class_weight="balanced")
        model.fit(encoder.embed(texts), labels)
        return cls(encoder, model.coef_[0].astype("float64"), float(model.intercept_[0]))

    def probability(self, text: str) -> float:
        score = float(self._encoder.embed_one(text) @ self._weights) + self._bias
        return float(1.0 / (1.0 + np.exp(-score)))

    def to_json(self, fingerprint: str) -> str:
        return json.dumps(
            {"fingerprint": fingerprint, "bias": self._bias, "weights": self._weights.tolist()}
        )

    @classmethod
    def from_json(
        cls, encoder: SentenceEncoder, text: str, fingerprint: str
    ) -> EmbeddingCrisisClassifier | None:
        """The stored weights, or None when they were learnt from other messages."""
        data = json.loads(text)
        if data.get("fingerprint") != fingerprint:
            return None
        return cls(encoder, np.asarray(data["weights"], dtype="float64"), float(data["bias"]))


def embedding_classifier(texts: list[str], labels: list[int]) -> EmbeddingCrisisClassifier:
    """The stored weights if they fit these training messages, else learnt now and stored."""
    encoder = sentence_encoder()
    path = get_settings().crisis_weights
    expected = fingerprint(texts, labels)
    if path.exists():
        stored = EmbeddingCrisisClassifier.from_json(encoder, path.read_text(), expected)
        if stored is not None:
            return stored
    started = time.perf_counter()
    classifier = EmbeddingCrisisClassifier.trained(encoder, texts, labels)
    # At start-up this delays the first answer: `make train` makes them beforehand.
    logger.warning(
        "crisis embedding weights learnt in %.0f s, stored in %s",
        time.perf_counter() - started,
        path,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(classifier.to_json(expected))
    return classifier


class CombinedCrisisClassifier:
    """The mean of both opinions: either alone raised too many calm messages."""

    def __init__(self, *opinions: Opinion) -> None:
        self._opinions = opinions

    def probability(self, text: str) -> float:
        return sum(opinion.probability(text) for opinion in self._opinions) / len(self._opinions)


@lru_cache(maxsize=1)
def crisis_classifier() -> CombinedCrisisClassifier:
    texts, labels = training_messages()
    ngrams = CrisisClassifier(texts, labels)
    embeddings = embedding_classifier(texts, labels)
    logger.info("crisis classifier trained on %s messages (%s crises)", len(texts), sum(labels))
    return CombinedCrisisClassifier(ngrams, embeddings)


def main() -> None:
    """`python -m bot.crisis_classifier`: make the embedding weights now (`make train`)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    texts, labels = training_messages()
    embedding_classifier(texts, labels)
    print(f"crisis embedding weights: {get_settings().crisis_weights}", file=sys.stderr)


if __name__ == "__main__":
    main()
