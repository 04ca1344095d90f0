import pytest

from bot.content.loading import ContentError
from bot.crisis import CRISIS, NONE, NOT_NOW, NOW, POSSIBLE, CrisisDetector, crisis_detector


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("he wont wake up", "overdose"),
        ("her lips r blue", "overdose"),
        ("bf od'd", "overdose"),
        ("not breathing after a shot", "overdose"),
        ("foaming at the mouth", "overdose"),
        ("took too much perc", "overdose"),
        ("oxys xanax and vodka will i die", "self_overdose"),
        ("snoring weird cant wake him", "overdose"),
        ("shes having a fit", "seizure"),
        ("chest pain after coke", "chest_pain"),
        ("i want to kill myself", "self_harm_suicide"),
        ("stuck myself with a used needle", "needle_injury"),
        ("what do i do he's not breathing", "overdose"),
        ("can you help me my friend isnt breathing", "overdose"),
        ("HE WON’T WAKE UP", "overdose"),
        # The person writing is the one in danger: different first aid.
        ("i took too much", "self_overdose"),
        ("i think im overdosing", "self_overdose"),
        ("my mate took too much", "overdose"),
        ("do i call 999 for this, i think hes overdosing", "overdose"),  # the asker is fine
        ("i dont know what to do my friend isnt breathing", "overdose"),
        ("my daughter says she is going to kill herself", "self_harm_suicide_other"),
        # Each kind of emergency its own first aid.
        ("can you call 911 for me", "cannot_call"),
        ("hes not breathing can you call an ambulance", "cannot_call"),
        ("i cant talk he will hear me", "cannot_call"),
        ("my toddler drank some of my methadone", "child_ingestion"),
        ("hes overheating on mdma", "stimulant"),
        ("shes been rattling for 3 days and hasnt peed all day", "withdrawal"),
        ("i think he has alcohol poisoning", "alcohol_poisoning"),
        ("he got stabbed in the leg", "bleeding"),
        ("nosebleed wont stop", "bleeding"),
        ("he is beating her", "psychosis_violence"),
        # Naloxone given and no response: a second dose and CPR, not a leaflet on naloxone.
        ("i gave narcan and nothing happened what now", "naloxone_no_response"),
        ("we gave him 2 sprays and hes still blue", "naloxone_no_response"),
        ("the narcan did nothing", "naloxone_no_response"),
        ("gave her naloxone she hasnt woken up", "naloxone_no_response"),
        # A limb gone cold and a colour where someone injects: its blood supply may be cut.
        ("the arm I've been using is cold and a funny colour", "injecting_emergency"),
        ("my hand went white and numb after i shot up", "injecting_emergency"),
        # Who the sign is about: the person named in or just after it, not the writer before.
        ("i cant wake him up", "overdose"),
        ("i cant wake my flatmate", "overdose"),
        ("i dont think shes breathing right", "overdose"),
        ("found a lady in the stairwell, not breathing", "overdose"),
        # A burn that needs an ambulance: its own first aid.
        ("the pipe exploded and the skin on my hand is peeling off", "burns"),
        ("chemical burn on his face from the stuff we were cooking", "burns"),
        # The more specific kind takes the first reply from the broader one beside it.
        ("she stopped her valium suddenly and now shes confused and twitching", "withdrawal"),
        ("took all the tablets in the house to end it, feel sick now", "self_harm_suicide"),
        ("hes shaking and foaming at the mouth after coke", "seizure"),
        ("my friend collapsed at the festival, shes really hot and not sweating", "stimulant"),
        ("he shot up and now his whole hand is purple and swollen", "injecting_emergency"),
        # Why someone can't call, beside a crisis: the reply says nobody has been called.
        ("no credit on my phone and he wont wake up", "cannot_call"),
        ("im deaf, my partner is blue and snoring", "cannot_call"),
        ("cant ring an ambulance, got a warrant, hes barely breathing", "cannot_call"),
        # Signs that were everyday words to the patterns before.
        ("my 3 year old drank from my wine glass", "child_ingestion"),
        ("found my son chewing on my bupe strip", "child_ingestion"),
        ("used two narcans and hes still blue", "naloxone_no_response"),
        ("his neck is pouring blood", "bleeding"),
        ("im standing on the edge of the bridge", "self_harm_suicide"),
        ("if i dont reply its because it worked", "self_harm_suicide"),
        ("hes got a knife and says hell kill us", "psychosis_violence"),
    ],
)
def test_crises_are_recognised_with_their_category(text, category):
    assessment = crisis_detector().assess(text)
    assert assessment.kind == CRISIS and assessment.category == category, assessment


@pytest.mark.parametrize(
    "text",
    [
        "what do i do if someone stops breathing",
        "my friend overdosed last year and survived",
        "how do i know if someone is overdosing",
        "narcan didn't work on my friend last year and he died",
    ],
)
def test_general_questions_and_past_events_are_not_a_crisis_now(text):
    assert crisis_detector().assess(text).kind == NOT_NOW


@pytest.mark.parametrize(
    "text",
    [
        "can you call me back tomorrow",
        "i cant talk to my parents about my drug use",
        "weed makes me paranoid",
        "is it hot in here or is it just me",
        "my hands get cold when im rattling",
        "my toes turn white in the cold every winter",
    ],
)
def test_everyday_words_near_the_new_kinds_are_no_alarm(text):
    assert crisis_detector().assess(text).level != NOW


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # Small talk first, the crisis after: the earlier sentence's calm words do not count.
        ("thanks for the info last week. tonight is the night, my tablets are lined up", CRISIS),
        ("i read an article about it. my brother is blue and wont wake up", CRISIS),
        # The event first, then that it is over: the later sentence speaks for it.
        ("i overdosed. that was years ago and i survived", NOT_NOW),
        ("my friend overdosed last year and survived. how do i get a kit", NOT_NOW),
    ],
)
def test_calm_words_speak_for_their_own_sentence_and_those_before(text, kind):
    assert crisis_detector().assess(text).kind == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # The story moves from a past event to today: its "now" and "still" are not urgency.
        ("i overdosed twice in my twenties and now i volunteer at a needle exchange", NOT_NOW),
        ("she turned blue at a party in 2019 and it still gives me nightmares", NOT_NOW),
        # Unless the crisis words come after them, or after the past event.
        ("he overdosed last year and now he is not breathing again", CRISIS),
        ("stopped the benzos last week and just had a fit, now having another one", CRISIS),
    ],
)
def test_urgency_after_a_past_event_speaks_only_for_what_follows_it(text, kind):
    assert crisis_detector().assess(text).kind == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("is it normal that hes breathing like 4 times a minute", CRISIS),  # even asked
        ("fell out", CRISIS),  # US: collapsed
        ("my sister fell out with me over her using", NOT_NOW),  # an argument
        ("he came round with narcan but now hes nodding out again", CRISIS),
    ],
)
def test_slang_and_breathing_rates(text, kind):
    assert crisis_detector().assess(text).kind == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("lol im gonna end it tonight anyway so doesnt matter", CRISIS),  # intent behind a joke
        ("lol my mate overdosed on netflix again", NOT_NOW),
    ],
)
def test_a_joke_does_not_hide_suicidal_intent(text, kind):
    assert crisis_detector().assess(text).kind == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("he is not having a fit", NONE),
        # The "won't" belongs to another clause.
        ("my baby won't feed and just had a fit", CRISIS),
    ],
)
def test_a_negation_reaches_only_its_own_clause(text, kind):
    assert crisis_detector().assess(text).kind in ({NONE, NOT_NOW} if kind == NONE else {kind})


@pytest.mark.parametrize(
    "text",
    [
        "i'm not suicidal just tired",
        "no one is overdosing i just want to learn",
        "my battery is dying",
        "dying to know how naloxone works",
        "he's breathing fine now",
        "rattling day 2 cant sleep",
        "how do i use narcan",
        "does narcan wear off quickly",
        "can i get in trouble for carrying narcan",
        "should i use a fresh needle every hit",
        "help me write a cv",
        "i need a real person not automatic answers",
        "my fingers went a bit blue from the cold walking the dog",
        "what if my kid finds my methadone",
        "help menu",
        "help for homeless people who use drugs",
        "please put me through to a person",
        "hes going to the shop",
    ],
)
def test_negations_and_everyday_words_are_not_a_crisis(text):
    assert crisis_detector().assess(text).kind in {NONE, NOT_NOW}


@pytest.mark.parametrize(
    "text",
    [
        "sorry false alarm she was just asleep and woke up fine",
        "shes come round properly and is sipping water",
        "she threw a fit when i said no",
        "i want to cut down my dose",
        "he woke up on his own and is eating toast now",
        "she was fitting earlier but the hospital sent her home",
        "need to catch my breath after those stairs",
    ],
)
def test_all_clear_and_figures_of_speech_are_not_now_so_the_classifier_cannot_alarm(text):
    # NOT_NOW (not NONE) is what lets the pipeline component overrule a classifier `emergency`.
    assert crisis_detector().assess(text).kind == NOT_NOW


@pytest.mark.parametrize(
    "text",
    [
        "he woke up but now hes not breathing",
        "shes having a fit",
        "her breaths are really far apart",
        "my chest is really painful after smoking crack",
        "dont want to be here anymore",
        "hes not",
        "help",
        "pls help me!!",
        "where is the naloxone, hes going",
        "tight chest cant catch my breath after the pipe",
        "he woke up but now hes gone grey",
        "gave him naloxone 3 minutes ago still nothing should i give another",
        "shes out of it and i cant get her to open her eyes at all",
        "38 weeks and i cant feel the baby move since i used last night",
        "i took a load of tablets on purpose an hour ago",
        "my son is gasping for air",
        "red streak going up my arm from where i injected and i have a fever",
    ],
)
def test_an_all_clear_word_never_hides_a_crisis(text):
    assert crisis_detector().assess(text).kind == CRISIS


def test_urgency_overrides_a_question_frame():
    assert crisis_detector().assess("how do i help him hes not breathing now").kind == CRISIS


def test_a_bad_pattern_names_its_entry():
    frame = [[{"LOWER": "what"}]]
    rules = {
        "spelling": {},
        "negators": ["not"],
        "question_starts": ["what"],
        "specific_people": ["he"],
        "the_writer": ["i"],
        "someone_else": ["he"],
        "question_frames": frame,
        "urgency": frame,
        "past": frame,
        "not_literal": frame,
        "joking": frame,
        "resolved": frame,
        "benign": frame,
        "categories": {"broken": {"patterns": [[{"LOWER": {"IN": [1, 2]}}]]}},
    }
    with pytest.raises(ContentError, match="entry 'broken': field 'patterns'"):
        CrisisDetector(rules)


def test_asking_for_the_emergency_number_is_answered_at_once():
    assert crisis_detector().assess("whats the emergency number").kind == CRISIS


def test_numbers_are_not_squashed_by_the_repeated_letter_fix():
    assert crisis_detector().assess("ring 999 for me").kind == CRISIS


@pytest.mark.parametrize(
    "text",
    [
        "i dont know if hes breathing",  # a hedge before the sign
        "is it bad that shes not waking up",  # a question around it
        "what does it mean if someone isnt breathing after heroin",
        "why do lips go blue on opioids",
        "my mate had a fit last year when he came off benzos, could it happen again",
        "im not sure but i think shes turning blue?",  # a hedge and a question
    ],
)
def test_a_strong_sign_calmed_is_possible_never_none(text):
    assessment = crisis_detector().assess(text)
    assert assessment.level in (NOW, POSSIBLE), assessment
    assert assessment.as_output()["kind"] is not None


@pytest.mark.parametrize(
    "text",
    [
        "is it normal hes gurgling and wont wake",
        "is it bad that she wont wake up",
        "i gave her the narcan and hes still not breathing, is it an ambulance",
    ],
)
def test_a_question_about_someone_there_now_is_still_an_emergency(text):
    assert crisis_detector().assess(text).level == NOW


@pytest.mark.parametrize(
    "text",
    [
        "is it safe to call 911 if im undocumented",  # a reason alone is no crisis
        "no credit on my phone till friday",
        "does the good samaritan law cover me if i call 911 for a friend",
        "if i ever needed an ambulance could you call one for me",
        "why did you give me that long emergency message",
        "why do i feel so angry at him for dying",
        "my mum acts like im going to die every time i go out",
        "the time i had a fit coming off xans i was alone. now im tapering and its going ok",
        "i burned the toast",
        "my daughter has a fever of 102, does she need to go to the emergency room",
        "when it comes to a test i completely choke",
        "my unconscious wine drinking speed is fast",
        "is it normal for someone to stop breathing on fent",
    ],
)
def test_reasons_questions_and_memories_are_not_an_emergency_now(text):
    assert crisis_detector().assess(text).level != NOW


@pytest.mark.parametrize(
    "text",
    [
        "i overdosed years ago and now i volunteer",
        "how do i get naloxone",
        "this exam is killing me",
        "help me find a film i half remember",
    ],
)
def test_calm_messages_without_a_strong_sign_are_none(text):
    assert crisis_detector().assess(text).level == NONE


def test_the_same_text_is_read_once():
    detector = crisis_detector()
    first = detector.assess("my mate wont wake up")
    assert detector.assess("my mate wont wake up") is first


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("took 30 panadol to make it stop", "now"),
        ("swallowed a whole packet of paracetamol", "now"),
        ("took all my paracetamol", "now"),
        # Not an emergency: no paracetamol first aid. The classifiers may still put the safety
        # line first (a bare personal lethal-dose question is `possible` in the blind suites).
        ("i didnt take 20 paracetamol", "possible"),
        ("how many paracetamol is too many", "possible"),
    ],
)
def test_a_dangerous_amount_of_paracetamol_is_an_emergency_however_they_feel(text, level):
    assessment = crisis_detector().assess(text)
    if level == "now":
        assert assessment.level == NOW and assessment.category == "paracetamol", assessment
    else:
        assert assessment.level in (POSSIBLE, NONE) and assessment.category != "paracetamol"


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("hes been awake 4 days on meth and is waving a knife around", "now"),
        ("my brother has been up for days on meth and hes got a knife", "now"),
        ("son off his face on ice threatening to kill me", "now"),
        ("hes smashing up the flat screaming about demons", "now"),
        ("how do i get my knife sharpened", "none"),
    ],
)
def test_violence_or_psychosis_on_drugs_gets_its_own_first_reply(text, level):
    assessment = crisis_detector().assess(text)
    assert assessment.level == level, assessment
    if level == "now":
        assert assessment.category == "psychosis_violence"


def test_a_long_post_with_only_weak_crisis_words_gets_the_safety_line_not_the_script():
    """Forum posts told as a story ("every day I wait for the call that he has overdosed")
    tripped the emergency script; long, weak-worded and with nothing saying "now", they get
    `possible`: the safety line, then the answer. Two such posts of the corpus's train part."""
    import json

    from bot.crisis_classifier import CORPUS

    rows = {row["id"]: row for row in map(json.loads, CORPUS.read_text().splitlines())}
    for post in ("rmhd-4240-h_tes", "rmhd-7454-h_tes"):
        assert rows[post]["split"] == "train" and rows[post]["crisis"] == "none"
        assert crisis_detector().assess(rows[post]["text"]).level == "possible", post


def test_a_long_message_that_says_now_or_names_a_strong_sign_is_still_an_emergency():
    padding = "I have been reading about this for a while and I am not sure what to do here. " * 4
    for text in (
        padding + "my friend took too much and now he is not breathing and his lips are blue",
        padding + "right now he has taken too much again and i cant wake him",
    ):
        assert crisis_detector().assess(text).level == "now", text


def test_pleas_and_half_sentences_in_a_story_are_not_an_emergency():
    """Real posts of the corpus's train part that got the emergency script for words a story
    uses every day: "right now", "help please", "until i pass out", "cant stay", "shaking all
    day", "a good fit", "jerking off". In a long post these count only as the words of a
    story; what it tells (a strong sign, a crisis word beside "now") still counts."""
    import json

    from bot.crisis_classifier import CORPUS

    rows = {row["id"]: row for row in map(json.loads, CORPUS.read_text().splitlines())}
    for post in (
        "rmhd-5822-h_tra",
        "rmhd-3053-h_tra",
        "rmhd-1589-h_tes",
        "rmhd-5931-h_tra",
        "rmhd-7734-h_tra",
        "drd-35634",
        "rmhd-1270-h_tes",
    ):
        assert rows[post]["split"] == "train" and rows[post]["crisis"] == "none"
        assert crisis_detector().assess(rows[post]["text"]).level == "none", post


@pytest.mark.parametrize(
    "text",
    [
        "help now please",
        "he wont move",
        "she passed out and her lips are going purple",
        "my 14 year old is passed-out drunk at home right now",
        "how do i give narcan RIGHT NOW",
    ],
)
def test_the_same_words_in_a_short_message_are_still_an_emergency(text):
    assert crisis_detector().assess(text).level == NOW, text


def test_in_a_story_now_speaks_only_for_its_own_sentence():
    padding = "I have been reading about this for a while and I am not sure what to do here. " * 4
    calm = (
        padding + "I'm living in my car right now. Every day I wait for the call that says "
        "my brother has overdosed and I keep thinking about it."
    )
    assert crisis_detector().assess(calm).level == POSSIBLE
    urgent = padding + "I think he has overdosed right now, he is on the bathroom floor."
    assert crisis_detector().assess(urgent).level == NOW


def test_a_question_after_a_strong_sign_does_not_calm_it():
    text = (
        "hes been on the floor for 20 min and his lips look a bit grey and hes doing a sort of "
        "snore. anyway what i actually wanted to ask was how to get on the methadone programme"
    )
    assert crisis_detector().assess(text).level == NOW


@pytest.mark.parametrize(
    "text",
    [
        "i attempted suicide three years ago, is it normal to still think about it",
        "what do you do when you want to die",
        "i felt suicidal last year, how do i stop it coming back",
    ],
)
def test_words_of_suicide_are_calmed_to_possible_never_to_none(text):
    assert crisis_detector().assess(text).level == POSSIBLE, text


@pytest.mark.parametrize(
    "text",
    [
        "i could literally end myself right now",
        "im cutting again",
        "theres no way out except death",
        "er um i think im having a baby right now",
        "my brother took some street valium, hes no waking up",
        "her breathing is really weird",
        "gave him the injectable naloxone and hes still blue",
        "took like 10 of my tramadol and now im shaking",
        "my neck is swelling and its hard to breathe",
        "i have everything ready and im doing it tonight",
        "she says its the worst headache of her life after the coke",
        "my toddler ate one of my oxys",
        "hes locked in the bathroom and not answering when i knock",
        "is 20 paracetamol too much, already took them",
    ],
)
def test_more_ways_of_saying_it(text):
    assert crisis_detector().assess(text).level == NOW, text


@pytest.mark.parametrize(
    "text",
    [
        "i think the new clinic will be a good fit for me",
        "ive been shaking all day thinking about the interview",
        "im cutting down on the drinking",
        "cutting my hair tonight",
    ],
)
def test_everyday_words_that_look_like_signs_are_no_crisis_words(text):
    assessment = crisis_detector().assess(text)
    assert assessment.level != NOW and set(assessment.signals) <= {"classifier"}, assessment


@pytest.mark.parametrize(
    "text",
    [
        "my daughter is pregnant and on methadone, is that ok",
        "my husband drinks too much, what can i do",
        "if i call an ambulance for an overdose will the police come",
        "why did you give me the emergency number earlier, i only asked about my dose",
        "do i need to be clean before theyll help me",
        "my psychiatrist is not responding and my pills run out on friday",
        "i am very messed up emotionally since the divorce, can antidepressants help",
        "im afraid my dad will get a heart attack with all this stress, should he take aspirin",
        "a patient of mine had her dose doubled and died two weeks later, could that be why",
    ],
)
def test_calm_questions_with_alarming_words_get_no_emergency_script(text):
    assert crisis_detector().assess(text).level != NOW, text
