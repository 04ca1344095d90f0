"""Conversations through the trained model and the real action server, read as a person would."""

import re

import pytest

SOURCE_LINE = re.compile(r"\nSource: .+$")


def texts(replies):
    return [reply.get("text", "") for reply in replies]


async def test_greeting_says_what_it_is_and_is_not(chat):
    replies = await chat("hi")
    greeting = texts(replies)[0]
    assert "not a doctor" in greeting and "999" in greeting
    assert {"Naloxone", "Someone needs help now"} <= {b["title"] for b in replies[0]["buttons"]}


async def test_questions_in_their_own_words_get_sourced_answers(chat):
    for question in (
        "how do i use narcan",
        "rattling day 2 cant sleep",
        "is subutex better than methadone",
        "can u get naloxone free",
    ):
        answer = texts(await chat(question))
        assert answer and SOURCE_LINE.search(answer[0]), (question, answer)


async def test_an_emergency_gets_the_number_first(chat):
    replies = texts(await chat("my mate wont wake up and his lips are blue"))
    assert replies[0].startswith("Call 999 now")


@pytest.mark.parametrize(
    ("said", "number", "first_aid"),
    [
        ("i took too much and i feel like im going under", "999", "Unlock or open the door"),
        ("can you call an ambulance for me he isnt breathing", "999", "I can't make calls"),
        ("my mate is overheating on mdma and talking nonsense", "999", "small sips"),
        ("my toddler drank some of my methadone", "999", "Naloxone is safe for children"),
        ("he got stabbed in the leg and its pouring", "999", "Press hard on the wound"),
        ("my brother is rattling and hasnt peed all day", "999", "alcohol or benzos can kill"),
        ("i think my flatmate has alcohol poisoning", "999", "sleep it off"),
        ("he has a knife and he is screaming about demons", "999", "Your safety comes first"),
        ("is it 000 here? my mate wont wake up", "000", "Call 000 now"),
        ("the pipe blew up and the skin on his hand is peeling off", "999", "running water"),
        ("stopped her diazepam all at once, now confused and twitching", "999", "can kill"),
        ("no credit and my mates not breathing", "999", "I can't make calls"),
    ],
)
async def test_each_kind_of_emergency_gets_its_own_first_aid_and_the_number_first(
    chat, said, number, first_aid
):
    first = texts(await chat(said))[0]
    assert first_aid in first and number in first.split("\n")[0], first


async def test_emergency_interrupts_the_fallback(chat):
    first = await chat("/nlu_fallback")
    assert first[0]["text"].startswith("I'm not sure I understood")
    assert first[0]["buttons"][-1]["payload"] == "/emergency"
    replies = texts(await chat("she's not breathing"))
    assert replies[0].startswith("Call 999 now")


async def test_fallback_offers_questions_then_rephrase_then_help(chat):
    first = await chat("/nlu_fallback")
    assert first[0]["text"].startswith("I'm not sure I understood")
    second = texts(await chat("/out_of_scope"))
    assert "say it another way" in second[0] and "999" in second[0]
    await chat("/nlu_fallback")
    last = await chat("/out_of_scope")
    assert "couldn't understand" in last[0]["text"] and "999" in last[0]["text"]
    assert "/human_handoff" in [button["payload"] for button in last[0]["buttons"]]


async def test_not_understood_twice_in_a_row_offers_help(chat):
    await chat("/nlu_fallback")
    last = await chat("/nlu_fallback")
    assert "couldn't understand" in last[0]["text"]


async def test_gibberish_is_out_of_scope_or_fallback_and_offers_help(chat):
    reply = (await chat("blorp fizzwig"))[0]
    assert "999" in reply["text"]
    assert reply["buttons"][-1]["payload"] == "/emergency"


async def test_choosing_a_suggested_question_answers_it(chat):
    await chat("/nlu_fallback")
    answer = texts(await chat("/naloxone_how_to_use"))
    assert SOURCE_LINE.search(answer[0])


async def test_topic_menu_from_a_button(chat):
    replies = await chat('/chat_menu{"topic":"withdrawal"}')
    payloads = [button["payload"] for button in replies[0]["buttons"]]
    assert "/withdrawal_symptoms" in payloads


async def test_messages_without_words_get_help_not_an_error(chat):
    for text in ("???", "...", "?!"):
        reply = (await chat(text))[0]
        assert "999" in reply["text"], (text, reply)
        assert reply["buttons"][-1]["payload"] == "/emergency"


async def test_a_question_about_overdose_gets_the_answer_and_a_happening_now_button(chat):
    replies = await chat("what are the signs of an overdose")
    assert "call 999 now" in replies[0]["text"] and SOURCE_LINE.search(replies[0]["text"])
    assert replies[0]["buttons"][0] == {"title": "It's happening now", "payload": "/emergency"}


async def test_injecting_and_pregnancy_emergencies_get_their_own_first_aid(chat):
    artery = texts(await chat("i think i hit an artery blood is pulsing out"))[0]
    assert artery.startswith("Call 999 now") and "press hard" in artery
    pregnant = texts(await chat("im 30 weeks and been using, bad cramps and bleeding"))[0]
    assert pregnant.startswith("Call 999 now") and "maternity unit" in pregnant


async def test_asking_for_a_person_when_nobody_is_online_offers_a_message(chat):
    # The shared action server's handoff store has no workers online.
    offer = await chat("can i talk to someone real")
    assert "nobody from our helpline is free" in offer[0]["text"]
    assert "Samaritans" in offer[0]["text"] and "call 999 now" in offer[0]["text"]
    assert offer[0]["buttons"][0]["payload"] == "/helpline_leave_message"
    assert "Type your message" in texts(await chat("/helpline_leave_message"))[0]
    left = texts(await chat("my dad drinks and takes pills, how do i talk to him about it"))
    assert left[0].startswith("Thank you. Your message is with the team")
    # The form is over: the assistant answers questions again.
    assert SOURCE_LINE.search(texts(await chat("what is naloxone"))[0])


async def test_a_crisis_typed_instead_of_the_message_gets_the_emergency_reply(chat):
    await chat("talk to a human")
    await chat("/helpline_leave_message")
    assert texts(await chat("he is not breathing"))[0].startswith("Call 999 now")
    assert texts(await chat("/emergency_called"))[0].startswith("Well done")


async def test_no_leaves_no_message(chat):
    await chat("talk to a human")
    await chat("/helpline_leave_message")
    assert texts(await chat("no"))[0].startswith("Okay, no message left")
