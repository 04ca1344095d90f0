"""What our rule-based pipeline components share: no training, data loaded at start-up, and
setting a message's intent."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


class RuleComponent(GraphComponent):
    """A component with nothing to train. Subclasses register themselves with the recipe."""

    @staticmethod
    def warm_up() -> None:
        """Loads the component's data at start-up, not on the first (maybe urgent) message."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        cls.warm_up()
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


def force_intent(message: Message, name: str, confidence: float = 1.0) -> None:
    """`name` becomes the intent, first in the ranking (shown by /model/parse)."""
    chosen = {"name": name, "confidence": confidence}
    others = [e for e in message.get(INTENT_RANKING_KEY) or [] if e.get("name") != name]
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen, *others], add_to_output=True)
