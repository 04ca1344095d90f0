"""Two needs in one message: the more urgent answered first, the other kept for a button."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from bot.nlu.second_need import SecondNeedComponent


def parsed(text: str, ranking: list[tuple[str, float]]) -> Message:
    entries = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message = Message(data={"text": text, "intent": entries[0], "intent_ranking": entries})
    SecondNeedComponent().process([message])
    return message


def test_a_close_second_question_is_kept_as_the_second_need():
    message = parsed(
        "how long does withdrawal last and can i drink on methadone",
        [("withdrawal_timeline", 0.40), ("treatment_ost_side_effects", 0.30), ("chat_greet", 0.1)],
    )
    assert message.get("intent")["name"] == "withdrawal_timeline"
    assert message.get("second_need") == {"name": "treatment_ost_side_effects"}


def test_the_more_urgent_need_is_answered_first():
    message = parsed(
        "im coming off methadone and i keep thinking id be better off dead",
        [("withdrawal_timeline", 0.35), ("support_suicidal_thoughts", 0.30)],
    )
    assert message.get("intent")["name"] == "support_suicidal_thoughts"
    assert message.get("intent_ranking")[0]["name"] == "support_suicidal_thoughts"
    assert message.get("second_need") == {"name": "withdrawal_timeline"}


def test_a_distant_runner_up_or_small_talk_is_no_second_need():
    far = parsed(
        "how long does rattling last", [("withdrawal_timeline", 0.8), ("safer_use_mixing", 0.1)]
    )
    chat = parsed(
        "thanks, how long does it last", [("withdrawal_timeline", 0.4), ("chat_thanks", 0.35)]
    )
    fallback = parsed("asdf", [("nlu_fallback", 0.5), ("withdrawal_timeline", 0.3)])
    button = Message(
        data={"text": "/withdrawal_timeline", "intent": {"name": "withdrawal_timeline"}}
    )
    SecondNeedComponent().process([button])
    assert [m.get("second_need") for m in (far, chat, fallback, button)] == [None] * 4
