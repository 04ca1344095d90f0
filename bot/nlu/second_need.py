"""A Rasa graph component: a message with two needs gets the more urgent answered first.

"how long does withdrawal last and is it ok to drink on methadone": the classifier's ranking
puts both questions near the top. When the runner-up is a different topic question and close
enough, it is kept as `second_need` (shown by /model/parse), and the answer offers it as a
button (bot/nlg.py). When the runner-up is the more urgent one (bot/content/conversation.yml
`urgent_first`: thoughts of suicide, dangerous withdrawal, a child and medicines...), the two
swap: the urgent answer comes first and the other question becomes the button. It runs after
the fallback classifier and before the crisis detector, which still has the last word.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intents import RuleComponent
from bot.topics import conversation_text, topic_of

SECOND_NEED = "second_need"
# Close enough to be a second question, not noise: measured on two-question messages
# (tests/unit/test_second_need.py and docs/understanding.md).
MIN_CONFIDENCE = 0.12
MIN_SHARE_OF_FIRST = 0.35


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SecondNeedComponent(RuleComponent):
    @staticmethod
    def warm_up() -> None:
        conversation_text()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue
            first = message.get(INTENT) or {}
            ranking = [e for e in message.get(INTENT_RANKING_KEY) or [] if e.get("name")]
            second = second_need(first, ranking)
            if second is None:
                continue
            if more_urgent(second["name"], first["name"]):
                first, second = second, first
                others = [e for e in ranking if e["name"] != first["name"]]
                message.set(INTENT, first, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [first, *others], add_to_output=True)
            message.set(SECOND_NEED, {"name": second["name"]}, add_to_output=True)
        return messages


def second_need(first: dict, ranking: list[dict]) -> dict | None:
    """The runner-up, when both it and the first are topic questions of different kinds and
    the runner-up is close enough to be a question of its own."""
    name, confidence = first.get("name"), first.get("confidence") or 0.0
    if not name or topic_of(name) is None or len(ranking) < 2:
        return None
    runner_up = next((e for e in ranking if e["name"] != name), None)
    if runner_up is None or topic_of(runner_up["name"]) is None:
        return None
    close = runner_up.get("confidence", 0.0) >= max(MIN_CONFIDENCE, MIN_SHARE_OF_FIRST * confidence)
    return runner_up if close else None


def more_urgent(candidate: str, current: str) -> bool:
    order = conversation_text().urgent_first
    rank = {intent: position for position, intent in enumerate(order)}
    return rank.get(candidate, len(order)) < rank.get(current, len(order))
