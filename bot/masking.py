"""Phone numbers and email addresses in what a person types, replaced by "[phone number]" and
"[email address]" (bot/channels/guard.py decides when), in time proportional to the text.

Linear time on any input: the masking is safe to call on a text of any length. Python's `re`
backtracks, so every pattern here is written so that no character is scanned more than a fixed
number of times: a match may only start where a run of its characters starts (a look-behind
refuses the positions inside a run), the separators between digits are bounded ({0,3}), and a
number must hold seven digits before any Python code looks at it (a failed attempt is short).
tests/unit/test_masking.py attacks each pattern with the inputs that made the old ones
quadratic (100 kB took 33 s) and checks that four times the input is about four times the work.

Phone numbers: seven or more digits with the separators people type between them (spaces,
dots, dashes, slashes, brackets, underscores, a leading +), also glued to words
("07700900123pls", "tel07700900123") and with the letter o for a zero ("o7700 9oo123"). Kept
readable: fewer than seven digits ("999", "111", "116 123", "82111", doses like "2 x 0.4mg"),
times ("09:00", "9.30"), decimals ("0.4840911750"), dates ("01/12/2026", "2026-12-01"), year
ranges ("2019-2021"), and lists of one- and two-digit numbers that do not start like a phone
number ("1 2 3 4 5 6 7", "10 20 30 40").

Email addresses: name@domain.tld, also with spaces around the @ and written out:
"name at example dot com", "name (at) example (dot) co (dot) uk", "name[at]example[dot]org",
"sam dot jones at example dot com", and "name at gmail" for the best-known providers. A written
out address is masked only when it ends in a common top-level domain (com, org, uk, ...), so
"meet me at the park" and "look at this dot thing" stay.

What it cannot catch (so staff reading a transcript may still meet contact details):
- numbers spelt in words or mixed ("oh seven seven double oh", "seven7OO"), other look-alike
  letters (l or I for 1, S for 5), or digits other than 0-9 (full-width, Arabic-Indic);
- numbers split by more than three characters in a row, or by other characters ("0770:090:0123",
  "07700,900,123"), or spread over several messages;
- phone numbers of six digits or fewer (some short codes and extensions);
- a date written next to a phone number is masked with it; so are other long numbers (card,
  bank account and NHS numbers, "1 000 000") and number lists that start with 0;
- email addresses with unusual top-level domains when written out ("name at example dot
  xyz" is caught, "name at example dot pizza" is not), with the at or dot spelt another way
  ("name at sign", "name-at-example"), or only a provider's name not in the short list;
- names, street addresses, postcodes, social media handles and anything else that identifies
  a person: only phone numbers and email addresses are recognised.
"""

from __future__ import annotations

import re

PHONE_MASK, EMAIL_MASK = "[phone number]", "[email address]"
MIN_DIGITS = 7

# ---- email addresses
# `(?=(?P<x>[...]+))(?P=x)` takes a whole run at once and never gives part of it back (Python
# 3.10's `re` has no atomic groups): what follows a run can never start inside it, so
# backtracking into it could only repeat failures.

_NAME = r"[\w.+'-]"
_AT = r"""(?:
      \s{0,2}@\s{0,2}
    | \s{1,2}(?i:at)\s{1,2}
    | \s{0,2}[(\[{<]\s?(?i:at)\s?[)\]}>]\s{0,2}
)"""
_DOT = r"""(?:
      \.
    | \s\.\s
    | \s{1,2}(?i:dot)\s{1,2}
    | \s{0,2}[(\[{<]\s?(?i:dot)\s?[)\]}>]\s{0,2}
)"""
_LABEL = r"(?=(?P<{0}>[\w-]+))(?P={0})"
_TLD = (
    r"(?i:com|net|org|uk|co|io|info|biz|edu|gov|ac|ie|eu|de|fr|es|nl|ch|se|dk|fi|pl|pt|ca|au"
    r"|nz|app|dev|online|scot|wales|cymru|email|xyz)"
)
_PROVIDER = (
    r"(?i:gmail|googlemail|hotmail|outlook|yahoo|ymail|icloud|protonmail|proton|aol|btinternet"
    r"|virginmedia|talktalk)"
)
_NAME_START = (
    # The first character of a run of name characters, not just after " dot ": the only
    # place where the run could have started (a look-behind at the character before it).
    rf"{_NAME}(?<![\w.+'\u2019-].)(?<!\s(?i:dot)\s.)(?=(?P<name>{_NAME}*))(?P=name)"
    rf"(?:\s(?i:dot)\s(?=(?P<more>{_NAME}+))(?P=more))*"  # "sam dot jones"
)
EMAIL = re.compile(  # name@domain.anything, name@gmail
    rf"{_NAME_START}@(?:{_LABEL.format('label')}(?:\.{_LABEL.format('next')})+"
    rf"|{_PROVIDER}(?![\w-]))"
)
SPOKEN_EMAIL = re.compile(  # written out: only with a known ending, or a provider
    rf"""
    {_NAME_START}
    (?=\s{{0,2}}[@(\[{{<]|\s{{1,2}}[aA][tT]\s)    # quickly: an at follows
    {_AT}(?:
        {_LABEL.format("label")}(?=[.\s(\[{{<])(?:{_DOT}{_LABEL.format("next")})*?
        {_DOT}{_TLD}(?![\w-])(?:{_DOT}{_TLD}(?![\w-]))*
      | {_PROVIDER}(?![\w-])
    )
    """,
    re.VERBOSE,
)
_SPACED_AT = re.compile(r"\s@|@\s")


def _may_be_spoken(text: str) -> bool:
    lower = text.lower()
    return "at" in lower or "dot" in lower or _SPACED_AT.search(text) is not None


# ---- phone numbers

_DIGIT = r"[0-9oO]"  # the letter o is a zero when a real digit is beside it
_SEPARATORS = " \t\u00a0\u202f.-\u2010\u2011\u2012\u2013\u2014\u2015/()_"
_SEPARATOR = r"[ \t\u00a0\u202f.\-\u2010-\u2015/()_]"
# Seven or more digits with at most three separators between two of them, starting with a
# real digit after at most a +, a bracket or two o's. A run of fewer than seven digits is at
# most 6 + 5 * 3 characters long, so a failed attempt costs a bounded number of steps; the
# first item is a character class, so `re` skips to the next possible start in C.
PHONE_CANDIDATE = re.compile(
    rf"""
    [0-9+(oO]
    # Not within three separators of a digit: a run of numbers is tried from its start
    # only (from later in it there are fewer digits), so a failed attempt is never repeated.
    (?<![0-9].)(?<![0-9]{_SEPARATOR}.)(?<![0-9]{_SEPARATOR}{{2}}.)(?<![0-9]{_SEPARATOR}{{3}}.)
    (?: (?<=[0-9]) | (?<=[+(])[+(]?[oO]{{0,2}}[0-9] | (?<=[oO])[oO]?[0-9] )
    (?:{_SEPARATOR}{{0,3}}{_DIGIT}){{{MIN_DIGITS - 1},}}
    """,
    re.VERBOSE,
)
LONGEST_DATE_AND_NUMBER = 64  # longer candidates are not searched for dates and times
# Inside a candidate, what is not a phone number: dates (day and month either way round, or
# year first), times with a dot (09.30; a colon never joins digits into a candidate), decimals
# with one digit before the point, and ranges of years, each on its own, not part of
# a longer run of numbers.
_DAY, _MONTH, _YEAR = r"(?:0?[1-9]|[12]\d|3[01])", r"(?:0?[1-9]|1[0-2])", r"(?:\d{4}|\d{2})"
_DAY_MONTH = rf"(?:{_DAY}{{0}}{_MONTH}|{_MONTH}{{0}}{_DAY})"
_DATES = "|".join(
    f"{_DAY_MONTH.format(sep)}{sep}{_YEAR}|\\d{{4}}{sep}{_MONTH}{sep}{_DAY}"
    for sep in (r"\.", "/", "-")
)
NOT_A_PHONE = re.compile(
    rf"""(
      (?<![0-9oO])(?<![0-9oO][./-])(?:{_DATES})(?![0-9oO])(?![./-][0-9oO])
    | (?<![0-9oO])(?<![0-9oO]\.)(?:[01]?\d|2[0-3])\.[0-5]\d(?!\.?[0-9oO])
    | (?<![0-9oO])(?<![0-9oO][./-])\d\.\d+(?![0-9oO])(?![./-][0-9oO])  # 0.4840911750
    | (?<![0-9oO])(?<![0-9oO][./-])(?:19|20)\d\d\s?[-/\u2013\u2014]\s?(?:(?:19|20)\d\d|\d\d)
      (?![0-9oO])(?![./-][0-9oO])
    )""",
    re.VERBOSE,
)
_O_WORDS = re.compile(rf"(?:[oO]+{_SEPARATOR}+)*")  # groups of o's with no digit: words
_THREE_DIGITS = re.compile(rf"{_DIGIT}{{3}}")
_WITHOUT_DIGITS = str.maketrans("", "", "0123456789")


def _o_words(text: str) -> int:
    """How long the groups of o's with no digit are at the start of `text`."""
    words = _O_WORDS.match(text)
    return words.end() if words else 0


def _number_in(piece: str, letter_before: bool, letter_after: bool) -> tuple[int, int]:
    """Where the number in `piece` starts and ends: not the separators at its ends, nor groups
    of o's with no digit (words), nor o's that end a word just before it or start one just
    after it ("photo07700900123", "07700900123oops"); with a + or bracket just before it."""
    stripped = piece.lstrip(_SEPARATORS + "+")
    start = len(piece) - len(stripped)
    start += _o_words(stripped)
    if letter_before and start == 0:
        start = len(piece) - len(piece.lstrip("oO"))
    backwards = piece[start:][::-1].lstrip(_SEPARATORS)
    backwards = backwards[_o_words(backwards) :]
    if letter_after and len(backwards) == len(piece) - start:
        backwards = backwards.lstrip("oO")
    end = start + len(backwards)
    for _ in range(2):  # "+44 ...", "(555) 123-4567", "(+44) 7700 ...", not "call (07700 ...)"
        if start > 0 and (piece[start - 1] == "+" or piece[start - 1] == "(" and ")" in piece):
            start -= 1
    return start, end


def _is_phone(number: str) -> bool:
    digits = len(number) - len(number.translate(_WITHOUT_DIGITS))
    if digits == 0 or digits + number.count("o") + number.count("O") < MIN_DIGITS:
        return False
    if _THREE_DIGITS.search(number):
        return True
    # Only ones and twos: "06 12 34 56 78" is a number to call, "1 2 3 4 5 6 7" a list.
    return number.startswith("+") or number.lstrip("(+")[:1] in ("0", "o", "O")


def _masked_piece(piece: str, letter_before: bool, letter_after: bool) -> str:
    if len(piece) < MIN_DIGITS:
        return piece
    start, end = _number_in(piece, letter_before, letter_after)
    if start < end and _is_phone(piece[start:end]):
        return piece[:start] + PHONE_MASK + piece[end:]
    return piece


def _mask_candidate(match: re.Match[str]) -> str:
    found = match.group()
    if found.isdigit():
        return PHONE_MASK
    text = match.string
    letter_before = match.start() > 0 and text[match.start() - 1].isalpha()
    letter_after = match.end() < len(text) and text[match.end()].isalpha()
    whole = _masked_piece(found, letter_before, letter_after)
    if whole is found or len(found) > LONGEST_DATE_AND_NUMBER:
        return whole  # not a phone number even as a whole, or too long to be a date as well
    if not any(separator in found for separator in "./-\u2013\u2014"):
        return whole
    parts = NOT_A_PHONE.split(found)  # pieces, with what is not a phone number between them
    last = len(parts) - 1
    return "".join(
        part
        if index % 2
        else _masked_piece(part, letter_before and index == 0, letter_after and index == last)
        for index, part in enumerate(parts)
    )


def mask_contact_details(text: str) -> str:
    """`text` with phone numbers and email addresses masked; linear time, any length."""
    if "@" in text:
        text = EMAIL.sub(EMAIL_MASK, text)
    if _may_be_spoken(text):
        text = SPOKEN_EMAIL.sub(EMAIL_MASK, text)
    return PHONE_CANDIDATE.sub(_mask_candidate, text)


def has_contact_details(text: str) -> bool:
    return mask_contact_details(text) != text
