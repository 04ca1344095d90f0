"""A Rasa graph component: every message gets a sentence embedding as a dense feature.

all-MiniLM-L6-v2 (bot/sentence_embeddings.py) puts messages that mean the same thing near
each other even when they share no words ("my missus is drinking again" and "my wife's
alcohol use"), which the n-gram counts cannot. The logistic-regression classifier reads dense
and sparse sentence features side by side. `scale` weighs the embedding against the counts:
measured on the real dev part (docs/understanding.md). The encoder is the one the crisis
classifier uses, loaded once per process.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.crisis import NOW, crisis_detector
from bot.sentence_embeddings import EMBEDDING_SIZE, sentence_encoder


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "scale": 1.0}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if float(config.get("scale", 1.0)) <= 0:
            raise ValueError("SentenceEmbeddingFeaturizer: 'scale' must be positive")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        sentence_encoder()  # at start-up, not on the first (maybe urgent) message
        return cls(execution_context.node_name, config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize([m for m in training_data.training_examples if m.get(TEXT)])
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages, crises_skipped=True)
        return messages

    def _featurize(self, messages: list[Message], crises_skipped: bool = False) -> None:
        texts = [message.get(TEXT) or "" for message in messages]
        if not texts:
            return
        if crises_skipped and len(texts) == 1 and crisis_detector().assess(texts[0]).level == NOW:
            # An emergency now: its intent is `emergency` whatever the classifier says (the
            # crisis detector sets it), so its first reply does not wait ~13 ms for MiniLM.
            vectors = np.zeros((1, EMBEDDING_SIZE), dtype=np.float32)
        else:
            encoder = sentence_encoder()
            one = len(texts) == 1
            vectors = encoder.embed_one(texts[0])[None] if one else encoder.embed(texts)
        vectors = vectors * float(self._config["scale"])
        for message, vector in zip(messages, vectors, strict=True):
            message.add_features(
                Features(
                    np.asarray([vector], dtype=np.float32),
                    "sentence",
                    TEXT,
                    self._identifier,
                )
            )
