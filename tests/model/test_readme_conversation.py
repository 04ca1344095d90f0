"""README's sample conversation is what the assistant really says: each reply's first line."""

import re

from tests.unit.test_readme import README

BLOCK = README[README.index("<!-- sample-conversation") :].split("```text\n", 1)[1].split("```")[0]


def exchanges() -> list[tuple[str, str, list[str]]]:
    """(what the person sends, the first line of the reply, the button titles shown)."""
    found = []
    for turn in re.split(r"^you> ", BLOCK, flags=re.M)[1:]:
        said, reply = turn.split("\nbot> ", 1)
        first = reply.splitlines()[0]
        buttons = re.findall(r"\[([^\]]+)\]", reply.splitlines()[-1])
        found.append((said.strip(), first.strip(), buttons))
    return found


async def test_the_sample_conversation_is_what_the_assistant_says(chat):
    assert len(exchanges()) >= 4
    previous_buttons: list[dict] = []
    for said, first_line, buttons in exchanges():
        pressed = re.fullmatch(r"\[(.+)\]", said)
        if pressed:  # a button press sends the button's payload
            said = next(b["payload"] for b in previous_buttons if b["title"] == pressed.group(1))
        replies = await chat(said)
        actual = replies[0]["text"].splitlines()[0]
        if first_line.endswith("..."):  # README shortened the line
            assert actual.startswith(first_line[:-3].rstrip(" ,")), said
        else:
            assert actual == first_line, said
        previous_buttons = replies[-1].get("buttons") or []
        if buttons and "..." not in first_line:
            assert [b["title"] for b in previous_buttons][: len(buttons)] == buttons, said
