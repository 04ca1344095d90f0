"""Our Rasa graph components, run on Rasa Message objects as the pipeline runs them."""

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.crisis_detector import CrisisDetectorComponent
from bot.nlu.tokenizer import SpacyLemmaTokenizer


def classified(text: str, intent: str, confidence: float) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}])
    return message


def test_a_crisis_becomes_emergency_whatever_the_classifier_said():
    message = classified("my mate wont wake up", "chat_greet", 0.99)
    CrisisDetectorComponent().process([message])
    assert message.get(INTENT) == {"name": "emergency", "confidence": 1.0}
    assert message.get(INTENT_RANKING_KEY)[0]["name"] == "emergency"
    assert message.get("crisis") == {
        "level": "now",
        "kind": "overdose",
        "signals": ["unresponsive"],
        "category": "overdose",
    }


def test_a_question_keeps_its_intent_and_is_marked():
    message = classified("what do i do if someone stops breathing", "naloxone_how_to_use", 0.8)
    CrisisDetectorComponent().process([message])
    assert message.get(INTENT)["name"] == "naloxone_how_to_use"
    # A strong sign in a question: the answer, with the safety line first.
    assert message.get("crisis")["level"] == "possible"
    assert message.get("crisis")["kind"] == "overdose"


def test_calm_crisis_words_are_marked_none():
    message = classified(
        "i overdosed years ago, how do i get naloxone", "naloxone_where_to_get", 0.8
    )
    CrisisDetectorComponent().process([message])
    assert message.get(INTENT)["name"] == "naloxone_where_to_get"
    assert message.get("crisis")["level"] == "none" and message.get("crisis")["kind"] is None


def test_button_payloads_are_left_alone():
    message = classified("/emergency_breathing", "emergency_breathing", 1.0)
    CrisisDetectorComponent().process([message])
    assert message.get(INTENT)["name"] == "emergency_breathing"
    assert message.get("crisis") is None


def test_the_tokenizer_gives_lower_case_lemmas():
    tokenizer = SpacyLemmaTokenizer(SpacyLemmaTokenizer.get_default_config())
    tokens = tokenizer.tokenize(Message(data={TEXT: "Needles and Withdrawals"}), TEXT)
    assert [token.lemma for token in tokens] == ["needle", "and", "withdrawal"]
    assert [token.start for token in tokens] == [0, 8, 12]


def test_the_classifiers_emergency_on_a_general_question_gives_way_to_the_answer():
    message = classified("what are the warning signs someone is suicidal", "emergency", 0.7)
    message.set(
        INTENT_RANKING_KEY,
        [
            {"name": "emergency", "confidence": 0.7},
            {"name": "referral_contacts", "confidence": 0.2},
        ],
    )
    CrisisDetectorComponent().process([message])
    assert message.get(INTENT)["name"] == "referral_contacts"


def test_a_message_that_is_only_a_place_says_where_the_person_is():
    from bot.nlu.place_detector import PlaceDetectorComponent

    component = PlaceDetectorComponent()
    messages = [
        Message(data={"text": text, "intent": {"name": "chat_affirm", "confidence": 0.4}})
        for text in ("cork", "im in leeds", "needle exchange in glasgow", "ok")
    ]
    component.process(messages)
    intents = [message.get("intent")["name"] for message in messages]
    assert intents == ["referral_set_region", "referral_set_region", "chat_affirm", "chat_affirm"]


def test_saying_where_i_am_without_a_place_is_not_about_a_place():
    from bot.nlu.place_detector import PlaceDetectorComponent

    messages = [
        Message(data={"text": text, "intent": {"name": "referral_set_region", "confidence": 0.6}})
        for text in (
            "im scared",
            "i'm so worried",
            "im in smalltownville",
            "uk",
            "we live near cork",
        )
    ]
    PlaceDetectorComponent().process(messages)
    intents = [message.get("intent")["name"] for message in messages]
    assert intents == [
        "nlu_fallback",
        "nlu_fallback",
        "referral_set_region",  # a place we don't know: the bot asks which region
        "referral_set_region",
        "referral_set_region",
    ]


def test_a_place_named_in_passing_becomes_the_region_entity():
    from bot.nlu.place_detector import PlaceDetectorComponent

    messages = [
        Message(data={"text": text, "intent": {"name": "naloxone_where_to_get", "confidence": 0.6}})
        for text in (
            "how do i get naloxone in ohio",
            "does medicaid cover it",
            "do i call 911",  # the US or Canada: sets nothing
            "my friend victoria needs naloxone",
        )
    ]
    PlaceDetectorComponent().process(messages)
    regions = [
        [e["value"] for e in message.get("entities") or [] if e["entity"] == "region"]
        for message in messages
    ]
    assert regions == [["united_states"], ["united_states"], [], []]
    assert [m.get("intent")["name"] for m in messages] == ["naloxone_where_to_get"] * 4


def test_an_emergency_now_does_not_wait_for_the_sentence_embedding():
    """Its intent is `emergency` whatever the features say; a calm message gets its meaning."""
    import numpy as np

    from bot.nlu.sentence_featurizer import SentenceEmbeddingFeaturizer

    featurizer = SentenceEmbeddingFeaturizer("sentence", {"scale": 2, "alias": "sentence"})
    now = Message(data={"text": "he wont wake up"})
    calm = Message(data={"text": "what is naloxone"})
    featurizer.process([now])
    featurizer.process([calm])
    dense = {
        name: message.get_dense_features("text")[1].features
        for name, message in (("now", now), ("calm", calm))
    }
    assert not np.any(dense["now"]) and np.any(dense["calm"])
