"""Recognising a crisis happening now: overdose, self-harm, seizures, chest pain, needle injuries.

Token patterns from bot/content/crisis.yml run through spaCy's Matcher on the lower-cased,
spelling-fixed text. A match is a crisis unless the message is a general question with no
urgency in it, the event is plainly over, or (for categories where it matters) the words are
negated ("I'm not suicidal"). When in doubt the answer is "crisis": a false alarm costs seconds.

Each assessment has a level, recall first: `now` (call the emergency number now), `possible`
(a strong sign, such as not breathing, turning blue or fitting, that a question, a hedge, a
negation or the past calmed: the answer comes with the safety line first) or `none`. Calming
cues can lower a strong sign to `possible`, never to `none`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.matcher import Matcher
from spacy.tokens import Doc

from bot.content.loading import ContentError, read_yaml, section
from bot.crisis_classifier import Opinion, crisis_classifier
from bot.language import english
from bot.settings import get_settings

CRISIS = "crisis"
NOW, POSSIBLE = "now", "possible"  # levels; NONE is the third
GENERAL = "general"  # the first reply when no pattern says what kind of crisis it is
CLASSIFIER_SIGNAL = "classifier"
# The classifiers' mean probability that raises `none` to `possible` (docs/real-messages.md).
CLASSIFIER_POSSIBLE = 0.35
# Crisis words, but not a crisis happening now: a general question, a past event, a joke,
# a figure of speech or a negation ("I'm not suicidal").
NOT_NOW = "not_now"
NONE = "none"
END_OF_MESSAGE = "zzend"
WHO = ("self", "other")  # a category's `self_reply` and `other_reply` in crisis.yml
# Who a sign is about when the words name them in or right after the match.
OBJECTS = frozenset({"him", "her", "them"})
SUBJECTS = frozenset({"he", "she", "hes", "shes", "they", "theyre"})
PRESENT_PERSON = frozenset({"hes", "shes", "theyre"})
PRESENT_VERBS = frozenset({"is", "s", "are", "wo", "ca", "isnt", "keeps", "looks", "cant", "wont"})
REFLEXIVE = {
    "myself": "self",
    "meself": "self",
    "himself": "other",
    "herself": "other",
    "themselves": "other",
    "themself": "other",
}
# Phrase groups in crisis.yml that frame a message rather than name a crisis.
FRAMES = ("question_frames", "urgency", "past", "benign", "not_literal", "joking", "resolved")
# The frames that make crisis words "not now" unless the message is urgent.
CALMING = ("question_frames", "past", "joking", "benign")
SENTENCE_END = re.compile(r"[.!?]+")
Span = tuple[int, int]  # token offsets of a match
# A negation does not reach past these: "won't feed and just had a fit".
LONG_STORY_TOKENS = 60  # a forum post, not a message typed in a hurry
CLAUSE_BREAKS = {"and", "but", "so", "then", ",", ".", ";", "!", "?"}


@dataclass(frozen=True)
class Assessment:
    kind: str  # CRISIS, NOT_NOW or NONE
    category: str | None = None  # the first reply it calls for (emergency.yml)
    matched: str | None = None
    strong: bool = False  # a strong sign among the crisis words, whatever calmed them
    signals: tuple[str, ...] = ()  # the categories of crisis.yml that matched

    @property
    def is_crisis(self) -> bool:
        return self.kind == CRISIS

    @property
    def level(self) -> str:
        if self.kind == CRISIS:
            return NOW
        return POSSIBLE if self.strong else NONE

    def as_output(self) -> dict[str, Any]:
        """What the parse result shows under `crisis` (and what the channels read)."""
        return {
            "level": self.level,
            "kind": self.category if self.level != NONE else None,
            "signals": list(self.signals),
            "category": self.category,
        }


class CrisisDetector:
    def __init__(
        self,
        rules: dict[str, Any],
        source: str = "crisis rules",
        classifier: Opinion | None = None,
    ) -> None:
        self._classifier = classifier  # a second opinion that may raise the level
        self._nlp = english()
        self._spelling = self._compile_spelling(section(source, rules, "spelling"))
        self._negators = set(section(source, rules, "negators"))
        self._question_starts = set(section(source, rules, "question_starts"))
        self._specific = set(section(source, rules, "specific_people"))
        self._writer = set(section(source, rules, "the_writer"))
        self._others = set(section(source, rules, "someone_else"))
        self._about: dict[str, dict[str, str]] = {}  # category -> {"self"|"other": reply}
        self._negatable: set[str] = set()
        self._reply: dict[str, str] = {}
        self._priority: dict[str, int] = {}  # the file's order: the more specific first
        self._matcher = Matcher(self._nlp.vocab, validate=True)
        self._frames = Matcher(self._nlp.vocab, validate=True)
        self._question_proof: set[str] = set()
        self._strong: set[str] = set()  # calming cues lower these to `possible` only
        self._joke_proof: set[str] = set()  # "lol im gonna end it tonight" is no joke
        self._short_only: set[str] = set()  # signs in a short message, everyday words in a story
        self._at_least_possible: set[str] = set()  # calmed, never below `possible`
        # category -> the broader categories whose first reply it takes over when both match
        # ("coming off G ... hes burning hot": withdrawal, not overheating).
        self._replaces: dict[str, set[str]] = {}
        self._kind_only: set[str] = set()  # chooses the reply for a crisis, is not one alone
        for name in FRAMES:
            self._add(self._frames, name, section(source, rules, name), source)
        for category, spec in section(source, rules, "categories").items():
            if spec.get("negatable"):
                self._negatable.add(category)
            if spec.get("even_in_questions"):
                self._question_proof.add(category)
            if spec.get("even_in_jokes"):
                self._joke_proof.add(category)
            if spec.get("strong"):
                self._strong.add(category)
            if spec.get("short_only"):
                self._short_only.add(category)
            if spec.get("at_least_possible"):
                self._at_least_possible.add(category)
            self._reply[category] = spec.get("reply", category)
            self._replaces[category] = set(spec.get("replaces", ()))
            if spec.get("kind_only"):
                self._kind_only.add(category)
            variants = {who: spec[f"{who}_reply"] for who in WHO if f"{who}_reply" in spec}
            if variants:
                self._about[category] = variants
            self._priority[category] = len(self._priority)
            self._add(self._matcher, category, spec.get("patterns"), source)

    @staticmethod
    def _compile_spelling(spelling: dict[str, str]) -> tuple[re.Pattern, dict[str, str]]:
        words = sorted(spelling, key=len, reverse=True)
        pattern = re.compile(
            r"(?<![\w'.])(" + "|".join(re.escape(word) for word in words) + r")(?![\w'])"
        )
        return pattern, spelling

    @staticmethod
    def _add(matcher: Matcher, name: str, patterns: Any, source: str) -> None:
        if not patterns:
            raise ContentError(f"{source}: entry '{name}': field 'patterns': empty")
        try:
            matcher.add(name, patterns)
        except (ValueError, KeyError) as error:
            raise ContentError(f"{source}: entry '{name}': field 'patterns': {error}") from error

    def normalise(self, text: str) -> str:
        text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
        pattern, spelling = self._spelling
        text = pattern.sub(lambda match: spelling[match.group(1)], text)
        # Apostrophes carry no meaning here once od'd is rewritten: "won't" -> "wont" -> wo|n't.
        text = re.sub(r"(\w)'(\w)", r"\1\2", text)
        # spaCy splits "hes" into he|s; spelling it out lets patterns say he|she + is.
        text = re.sub(r"\b(he|she)s\b", r"\1 is", text)
        text = re.sub(r"([a-z])\1{2,}", r"\1\1", text)  # "pleeeease" -> "pleease"
        # An end marker lets a pattern match a whole short message ("help", "hes going").
        return f"{text} {END_OF_MESSAGE}"

    def doc(self, text: str) -> Doc:
        return self._nlp(self.normalise(text))

    def assess(self, text: str) -> Assessment:
        """The message's assessment; the same text twice (the channel's guard, then Rasa's
        pipeline) is read once."""
        return self._remembered(text)

    @lru_cache(maxsize=256)  # noqa: B019 - one detector per process, kept for its life
    def _remembered(self, text: str) -> Assessment:
        found = self._patterns(text)
        if self._classifier is None or found.level == NOW:
            return found
        return raised(found, self._classifier.probability(text))

    def _patterns(self, text: str) -> Assessment:
        doc = self.doc(text)
        frames: dict[str, list[tuple[int, int]]] = {}
        for match_id, start, end in self._frames(doc):
            frames.setdefault(self._nlp.vocab.strings[match_id], []).append((start, end))
        figurative = frames.get("not_literal", [])
        story = len(doc) >= LONG_STORY_TOKENS
        matches = [
            (self._nlp.vocab.strings[match_id], start, end)
            for match_id, start, end in self._matcher(doc)
        ]
        if story:
            matches = [match for match in matches if match[0] not in self._short_only]
        kinds = [match for match in matches if match[0] in self._kind_only]
        matches = [match for match in matches if match[0] not in self._kind_only]
        literal = [match for match in matches if not self._overlaps(*match[1:], figurative)]
        crises = [match for match in literal if not self._negated(doc, *match)]
        strong = [match for match in literal if match[0] in self._strong]
        signals = tuple(sorted({match[0] for match in crises} | {match[0] for match in strong}))
        strongest = min(strong, key=lambda match: self._priority[match[0]], default=None)
        past = frames.get("past", [])
        sentence = self._sentence_numbers(doc)
        urgency = frames.get("urgency", [])
        if story:
            # In a story "now", "please" and "help" are everywhere ("i'm living in my car right
            # now"): they speak only for crisis words in their own sentence.
            told = {sentence[start] for _, start, _ in crises}
            urgency = [span for span in urgency if sentence[span[0]] in told]
        urgent = self._urgent(urgency, past, crises)
        calming = [(name, span) for name in CALMING for span in frames.get(name, [])]
        general = self._generic_question(doc)
        if not crises:
            # No crisis words at all. NOT_NOW (rather than NONE) lets the pipeline overrule the
            # classifier's own guess of `emergency` when the message says it is over, not
            # literal, a general question or negated ("nobody is sick").
            calm = matches or figurative or "resolved" in frames or calming or general
            settled = past + frames.get("resolved", [])  # "hes up now": not urgency
            urgent = any(not self._overlaps(*span, settled) for span in frames.get("urgency", []))
            if strongest is not None:  # a negated strong sign: "i dont know if hes breathing"
                name, start, end = strongest
                reply = self._reply_for(name, doc, start, end)
                return Assessment(NOT_NOW, reply, doc[start:end].text, True, signals)
            return Assessment(NOT_NOW if calm and not urgent else NONE)
        # A calming phrase speaks for its own sentence and the ones before it ("I overdosed.
        # That was years ago."), not for what comes after: "thanks for the info last week.
        # ... tonight is the night" is a crisis now.

        def calmed(category: str, start: int) -> bool:
            """A later question does not calm a strong sign told before it: "his lips look
            grey and hes snoring. anyway what i wanted to ask was how to get on methadone"."""
            return general or any(
                (sentence[span[0]] == sentence[start] and not asked_about_now(name, span, category))
                or (sentence[span[0]] > sentence[start] and not later_question(name, category))
                for name, span in calming
                if not (name == "joking" and category in self._joke_proof)
            )

        def later_question(name: str, category: str) -> bool:
            return name == "question_frames" and category in self._strong

        def asked_about_now(name: str, span: Span, category: str) -> bool:
            """ "is it normal hes gurgling and wont wake": asking about a strong sign in someone
            there now is not asking in general."""
            return (
                name == "question_frames"
                and category in self._strong
                and doc[span[0]].lower_ == "is"
                and self._someone_now(doc, sentence, sentence[span[0]])
            )

        live = [
            match
            for match in crises
            if urgent or match[0] in self._question_proof or not calmed(match[0], match[1])
        ]
        category, start, end = min(
            live or crises,
            key=lambda match: (match[0] not in self._question_proof, self._priority[match[0]]),
        )
        if not live and strongest is not None:
            category, start, end = strongest  # calmed: the strong sign is what it may be
        category, start, end = self._more_specific(
            (category, start, end), [*(live or crises), *kinds]
        )
        reply, matched = self._reply_for(category, doc, start, end), doc[start:end].text
        if live and not urgent and strongest is None and story:
            # A long post whose only crisis words are weak ones, with nothing saying "now":
            # people telling their story ("i was so scared he'd overdose") far more often
            # than an emergency. The safety line comes first, then the answer.
            return Assessment(NOT_NOW, reply, matched, True, signals)
        # Words of suicide or self-harm, calmed by a question or the past ("i attempted
        # suicide three years ago, is it normal to still think about it"), keep the crisis line.
        floored = any(match[0] in self._at_least_possible for match in crises)
        return Assessment(
            CRISIS if live else NOT_NOW, reply, matched, strongest is not None or floored, signals
        )

    def _more_specific(
        self, chosen: tuple[str, int, int], matches: list[tuple[str, int, int]]
    ) -> tuple[str, int, int]:
        """The match whose first reply fits better than the chosen one's: "took all my mums
        tablets to end it" is a suicide attempt before it is an overdose."""
        better = [match for match in matches if chosen[0] in self._replaces[match[0]]]
        return min(better, key=lambda match: self._priority[match[0]], default=chosen)

    def _reply_for(self, category: str, doc: Doc, start: int, end: int) -> str:
        """The first reply for a match, told apart by who it is about where that changes the
        advice: "i took too much" (unlock the door, tell someone) is not "he took too much"."""
        default = self._reply[category]
        variants = self._about.get(category)
        if not variants:
            return default
        who = self._who(doc, start, end)
        return variants.get(who, default) if who else default

    def _who(self, doc: Doc, start: int, end: int) -> str | None:
        """ "self" or "other". A reflexive word in the match decides ("kill herself"); else the
        person named nearest before the match ("my mate took too much", "i think im
        overdosing", "my daughter texted me goodbye"), then in it; else who the message names
        at all, someone else first ("dont know what to do, hes gone blue")."""
        for token in doc[start:end]:
            if token.lower_ in REFLEXIVE:
                return REFLEXIVE[token.lower_]
        # Who the match itself names, then who comes just after it, speaks before the writer
        # named before it: "i dont think hes breathing", "i cant wake him", "... im done".
        for token in doc[start:end]:
            if token.lower_ in SUBJECTS:
                return "other"
            if token.lower_ in self._writer:
                return "self"
        if any(
            token.lower_ in OBJECTS or token.lower_ in self._others for token in doc[end : end + 2]
        ):
            return "other"
        for token in [*reversed(doc[max(0, start - 6) : start]), *doc[start:end]]:
            if token.lower_ in self._others:
                return "other"
            if token.lower_ in self._writer:
                return "self"
        words = {token.lower_ for token in doc}
        if words & self._others:
            return "other"
        return "self" if words & self._writer else None

    @staticmethod
    def _someone_now(doc: Doc, sentence: list[int], number: int) -> bool:
        """Whether the sentence speaks of a person there now: "hes", "she is", "they wont"."""
        words = [token.lower_ for token in doc if sentence[token.i] == number]
        return any(word in PRESENT_PERSON for word in words) or any(
            word in SUBJECTS and following in PRESENT_VERBS
            for word, following in zip(words, words[1:], strict=False)
        )

    @staticmethod
    def _urgent(urgency: list[Span], past: list[Span], crises: list[tuple[str, int, int]]) -> bool:
        """Whether an urgency word speaks for the crisis words. Not inside a past-event phrase
        ("hes fine now"), and not when the story has moved on from a past event to today with
        the crisis words left behind in the past part ("i overdosed in my twenties and now i
        volunteer", "she went blue in 2019 and it still gives me nightmares")."""
        for start, end in urgency:
            if CrisisDetector._overlaps(start, end, past):
                continue
            before = [crisis_start for _, crisis_start, _ in crises if crisis_start < start]
            if len(before) < len(crises) or not before:
                return True  # crisis words after it, or none at all: it speaks for them
            moved_on = any(max(before) < past_start < start for past_start, _ in past)
            # "the time i had a fit ...  now im tapering": the crisis words inside a past phrase.
            told_as_past = all(any(s <= crisis < e for s, e in past) for crisis in before)
            if not moved_on and not told_as_past:
                return True
        return False

    @staticmethod
    def _sentence_numbers(doc: Doc) -> list[int]:
        """Each token's sentence, counted at full stops, question and exclamation marks."""
        numbers, current = [], 0
        for token in doc:
            numbers.append(current)
            current += bool(SENTENCE_END.fullmatch(token.text))
        return numbers

    def _generic_question(self, doc: Doc) -> bool:
        """Starts like a question and names nobody in particular: "why do lips go blue"."""
        if not len(doc) or doc[0].lower_ not in self._question_starts:
            return False
        if len(doc) > 1 and doc[1].lemma_ == "not":
            return False  # "dont want to be here": a statement, not a question
        return not any(token.lower_ in self._specific for token in doc)

    @staticmethod
    def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
        return any(start < other_end and other_start < end for other_start, other_end in spans)

    def _negated(self, doc: Doc, category: str, start: int, end: int) -> bool:
        """A negator inside a match of a negatable category, or in the four tokens before it
        within the same clause: "won't feed and just had a fit" is not negated."""
        if category not in self._negatable:
            return False
        if any(self._is_negator(token) for token in doc[start:end]):
            return True
        for token in reversed(doc[max(0, start - 4) : start]):
            if token.lower_ in CLAUSE_BREAKS:
                return False
            if self._is_negator(token):
                return True
        return False

    def _is_negator(self, token) -> bool:
        return token.lemma_ in self._negators or token.lower_ in self._negators


def raised(found: Assessment, probability: float) -> Assessment:
    """The patterns' assessment, raised by the classifier's probability to `possible` at most
    (the safety line, then the answer), never lowered. Alone, the classifier takes everyday
    words for a crisis ("hes going to the shop", 0.97) and overrules plain negations ("he is
    not having a fit"), so it may not sound the alarm by itself. With no kind from the
    patterns, the "It's happening now" button leads to the general first reply, not the
    overdose script."""
    if found.level == NONE and probability >= CLASSIFIER_POSSIBLE:
        signals = (*found.signals, CLASSIFIER_SIGNAL)
        return Assessment(NOT_NOW, found.category or GENERAL, found.matched, True, signals)
    return found


@lru_cache(maxsize=1)
def crisis_detector() -> CrisisDetector:
    path = get_settings().content_dir / "crisis.yml"
    return CrisisDetector(read_yaml(path), source=str(path), classifier=crisis_classifier())
