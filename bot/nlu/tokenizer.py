"""A Rasa tokenizer on spaCy's blank English pipeline, giving lower-case lemmas.

CountVectorsFeaturizer counts lemmas when a tokenizer provides them, so
"needles", "needle" and "Needle" count as one word.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.language import english


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class SpacyLemmaTokenizer(Tokenizer):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpacyLemmaTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        # Lower-casing keeps offsets for the text Rasa sees and matches the lookup tables.
        doc = english()(text.lower())
        tokens = [
            Token(token.text, token.idx, lemma=token.lemma_ or token.text)
            for token in doc
            if not token.is_space and not token.is_punct
        ]
        return self._apply_token_pattern(tokens)
