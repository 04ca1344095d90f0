"""Whose use a message is about: the writer's own, or a family member's or friend's."""

import pytest

from bot.people import OTHER, SELF, people


@pytest.mark.parametrize(
    ("text", "whose"),
    [
        ("my husband drinks too much, what can i do", OTHER),
        ("Our son smokes weed every day and wont talk to us", OTHER),
        ("worried about my mum's drinking", OTHER),
        ("i drink too much and my wife is upset", SELF),
        ("I'm drinking every night since my dad died", SELF),
        ("how do i cut down on drinking", None),
        ("what is cannabis withdrawal like", None),
        ("my drinking is getting out of hand", SELF),
    ],
)
def test_whose_use_a_message_is_about(text, whose):
    assert people().about_whom(text) == whose
