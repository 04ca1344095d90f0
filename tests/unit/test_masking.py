"""Contact details masked in linear time (pen test: one 100 kB message froze the server for
33 s), more of them caught, and the numbers people write about doses and times left alone."""

from __future__ import annotations

import multiprocessing
import random
import re
import time
from collections.abc import Callable
from typing import Any

import pytest

from bot.masking import EMAIL_MASK, PHONE_MASK, mask_contact_details

E, P = EMAIL_MASK, PHONE_MASK


def repeat(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def seeded(alphabet: str, size: int) -> str:
    chooser = random.Random(size)
    return "".join(chooser.choice(alphabet) for _ in range(size))


# The worst inputs for the old patterns and for these, each with what masking must make of
# it. `size` characters; the REST channel accepts bodies up to 200,000 bytes.
WORST: dict[str, tuple[Callable[[int], str], Callable[[str], str]]] = {
    "digits and spaces, a letter at the end": (
        lambda size: repeat("1 ", size - 1) + "a",
        lambda text: text,  # a list of ones, not a phone number
    ),
    "digits with dots, dashes, slashes and brackets": (
        lambda size: repeat("1.2-3(4)5/6 ", size),
        lambda text: text,
    ),
    "digits, dots and dashes (the old email pattern: 100 kB took 65 s)": (
        lambda size: repeat("1.2-3.", size),
        lambda text: text,
    ),
    "digits only": (lambda size: "7" * size, lambda text: P),
    "brackets and separators only": (lambda size: repeat("(-. )/", size), lambda text: text),
    "one long number in groups": (
        lambda size: repeat("07700 900123 ", size),
        lambda text: P + text[len(text.rstrip(" ")) :],
    ),
    "seven-digit numbers between letters": (
        lambda size: repeat("1234567x", size),
        lambda text: text.replace("1234567", P),
    ),
    "six digits at a time": (lambda size: repeat("1 2 3 4 5 6x", size), lambda text: text),
    "letter o and spaces": (lambda size: repeat("o ", size), lambda text: text),
    "dates": (
        lambda size: repeat("01/12/2026 ", size),
        lambda text: P + text[len(text.rstrip(" /")) :],  # one run of numbers: too long for dates
    ),
    "random digits and separators": (
        lambda size: seeded("0123456789 .-()/", size),
        None,  # checked by what is left (below)
    ),
    "word characters": (lambda size: "a" * size, lambda text: text),
    "at signs": (lambda size: "@" * size, lambda text: text),
    "at signs between letters": (lambda size: repeat("a@", size), lambda text: text),
    "words around at signs, no dot": (lambda size: repeat("aaaa@aaaa", size), lambda text: text),
    "dots and letters, then an at sign": (
        lambda size: repeat("a.", size - 1) + "@",
        lambda text: text,
    ),
    "a dot a dot a, no at": (lambda size: repeat("a dot ", size), lambda text: text),
    "x at a dot a dot a, no known ending": (
        lambda size: "x at " + repeat("a dot ", size - 5),
        lambda text: text,
    ),
    "written-out at and dot in brackets": (
        lambda size: repeat("a (at) b (dot) ", size),
        lambda text: text,
    ),
    "email addresses": (
        lambda size: repeat("sam@example.com ", size),
        lambda text: text.replace("sam@example.com", E),
    ),
}
WORST_SIZE = 200_000


def _answer(pipe: Any, function: Callable[..., Any], arguments: tuple[Any, ...]) -> None:
    pipe.send(function(*arguments))


def bounded(seconds: float, function: Callable[..., Any], *arguments: Any) -> Any:
    """`function(*arguments)` in a forked child, killed after `seconds`: a quadratic regression
    then fails at once instead of holding the suite for minutes (a regular expression running
    in C cannot be interrupted in the process itself)."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_answer, args=(sender, function, arguments))
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise AssertionError(f"masking took over {seconds:g} s: it is no longer linear")
        return receiver.recv()
    finally:
        child.kill()
        child.join()


def cpu_seconds(text: str) -> float:
    """The least CPU time of a few runs: what the work costs, whatever else the machine does."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        mask_contact_details(text)
        best = min(best, time.process_time() - start)
    return max(best, 1e-6)


@pytest.mark.parametrize("name", WORST)
def test_the_worst_inputs_are_masked_correctly(name):
    make, expected = WORST[name]
    text = make(WORST_SIZE)
    masked = bounded(20, mask_contact_details, text)
    if expected is not None:
        assert masked == expected(text)
    else:  # random: no seven digits in a row are left but decimals, masking again does nothing
        seven = r"(?<![0-9])(?<![0-9]\.)[0-9]{7}"
        assert re.search(seven, text) and not re.search(seven, masked)
        assert mask_contact_details(masked) == masked


@pytest.mark.parametrize("name", WORST)
def test_eight_times_the_input_is_about_eight_times_the_work(name):
    """Linear: 8x the input costs about 8x (the old patterns: 64x). The bound is loose (24x)
    so that a busy machine cannot fail it, and tight enough that quadratic work cannot pass."""
    make, _ = WORST[name]
    small, large = make(WORST_SIZE // 8), make(WORST_SIZE)
    ratio = bounded(60, lambda: cpu_seconds(large) / cpu_seconds(small))
    assert ratio < 24, f"{name}: 8x the input took {ratio:.0f}x the time"


def test_a_64_kb_message_of_mixed_worst_cases_is_masked_once_each():
    parts = ["1 " * 2000, "@" * 8000, "a" * 8000, "a dot " * 1000, " call 07700 900123 ", "x"]
    text = "".join(parts)
    text += "y" * (64_000 - len(text))
    masked = bounded(10, mask_contact_details, text)
    assert masked.count(P) == 1 and masked.replace(" call " + P + " ", "") == text.replace(
        " call 07700 900123 ", ""
    )


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("call me on 07700 900123 please", f"call me on {P} please"),
        ("my number is +44 7700 900 123", f"my number is {P}"),
        ("+44 (0)7700 900123", P),
        ("(+44) 7700 900123", P),
        ("(555) 123-4567 is my cell", f"{P} is my cell"),
        ("call (07700 900123)", f"call ({P})"),
        ("07700900123pls", f"{P}pls"),  # glued to a word
        ("tel07700900123", f"tel{P}"),
        ("photo07700900123", f"photo{P}"),  # the o ends the word, it is not a zero
        ("07700900123oops", f"{P}oops"),
        ("07700_900_123", P),
        ("07700.900.123", P),
        ("0770-090-0123", P),
        ("o7700 9oo123", P),  # the letter o for zero
        ("O77OO 9OO123", P),
        ("06 12 34 56 78", P),  # in pairs, starting like a phone number
        ("07.70.09.00.12", P),
        ("on 01/12/2026 07700900123", f"on 01/12/2026 {P}"),
        ("9.30 07700 900123", f"9.30 {P}"),
        ("4111 1111 1111 1111", P),  # other long numbers too
    ],
)
def test_phone_numbers_are_masked_however_they_are_written(typed, kept):
    assert mask_contact_details(typed) == kept


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("email me at sam.j+x@example.co.uk", f"email me at {E}"),
        ("sam.o'brien@example.ie", E),
        ("sam @ example.com", E),
        ("name at example dot com", E),
        ("name (at) example (dot) co (dot) uk", E),
        ("name [at] example [dot] org", E),
        ("name[at]example[dot]org", E),
        ("name AT example DOT com", E),
        ("name at example.co.uk", E),
        ("name@example dot com", E),
        ("sam dot jones at example dot com", E),
        ("write to sam at gmail please", f"write to {E} please"),
        ("sam@hotmail", E),
    ],
)
def test_email_addresses_are_masked_written_out_too(typed, kept):
    assert mask_contact_details(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "I called 999 and 111",
        "the number is 000 in Australia",
        "ring 116 123",
        "text 82111",
        "i took 100mg at 10:30 on 2026-12-01",
        "8mg",
        "2 x 0.4mg",
        "0.4 mg every 2-3 minutes, up to 5 doses",
        "took 1 2 3 4 5 6 7 pills",  # a list, not a number
        "10 20 30 40",
        "at 09:00 and 21:30",
        "open 9.30-17.00",
        "09.00-17.00",
        "on 01/12/2026 and 12/01/2026, 1.12.26",
        "2026-12-01",
        "in 2019, 2020 and 2021",
        "from 1998-2005 and 2019 - 2021",
        "open 24/7",
        "a confidence of 0.4840911750369781",
        "SW1A 1AA, EH1 1YZ",
        "meet me at the park",
        "look at this dot thing",
        "I'm at home, dot",
        "hi @ everyone",
        "a@b",
    ],
)
def test_doses_times_dates_and_emergency_numbers_stay_readable(typed):
    assert mask_contact_details(typed) == typed


def test_masking_is_idempotent():
    once = mask_contact_details("ring 07700 900123 or mail sam at example dot com")
    assert mask_contact_details(once) == once == f"ring {P} or mail {E}"
