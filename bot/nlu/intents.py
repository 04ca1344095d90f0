"""Setting a message's intent from one of our rule-based components."""

from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


def force_intent(message: Message, name: str) -> None:
    """`name` becomes the intent at confidence 1.0, first in the ranking (shown by /model/parse)."""
    chosen = {"name": name, "confidence": 1.0}
    others = [e for e in message.get(INTENT_RANKING_KEY) or [] if e.get("name") != name]
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [chosen, *others], add_to_output=True)
