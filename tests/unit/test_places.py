"""Place names to regions: spelling mistakes, ambiguity, and words that are not places."""

from pathlib import Path

import pytest
import yaml

from bot.content.loading import ContentError
from bot.places import gazetteer, load_gazetteer
from bot.settings import get_settings


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("I'm in Leeds", "england"),
        ("glasgow", "scotland"),
        ("glasow", "scotland"),
        ("edinbrugh", "scotland"),
        ("ohio", "united_states"),
        ("Dublin", "ireland"),
        ("BC", "canada"),
        ("i live in cardiff", "wales"),
        ("im from derry", "northern_ireland"),
        ("im in manchestr", "england"),
        ("melborne", "australia"),
        ("needle exchange in glasgow?", "scotland"),
        ("victoria bc", "canada"),
        ("new south wales", "australia"),  # the longer name wins over "wales"
    ],
)
def test_places_are_found_with_small_misspellings(text, region):
    place = gazetteer().find(text)
    assert place is not None and place.regions == (region,), (text, place)


@pytest.mark.parametrize("text", ["im in the uk", "perth", "newcastle"])
def test_ambiguous_places_name_several_regions(text):
    place = gazetteer().find(text)
    assert place is not None and place.ambiguous


@pytest.mark.parametrize(
    "text",
    [
        "can you help us",
        "please act fast",
        "explain it in simple words",
        "hes fitting on the kitchen floor",
        "in plain english please",
        "where can i get naloxone",
        "my son needs help",
        "im indian",
        "let it settle",
        "mi niño no respira",
    ],
)
def test_everyday_words_are_not_places(text):
    assert gazetteer().find(text) is None


def test_a_name_listed_twice_is_refused(tmp_path: Path):
    broken = tmp_path / "places.yml"
    broken.write_text("regions:\n  england: [leeds]\n  scotland: [leeds]\nambiguous: {}\n")
    with pytest.raises(ContentError, match="'leeds' is listed twice"):
        load_gazetteer(broken, {"england", "scotland"})


def test_an_unknown_region_is_refused(tmp_path: Path):
    broken = tmp_path / "places.yml"
    broken.write_text("regions:\n  narnia: [cair paravel]\nambiguous: {}\n")
    with pytest.raises(ContentError, match="unknown region"):
        load_gazetteer(broken, {"england"})


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("cork", "cork"),
        ("im in leeds", "leeds"),
        ("bristol uk", "bristol"),
        ("i live in the us", "the us"),
        ("perth wa", "perth wa"),
        ("near glasow now", "glasgow"),
    ],
)
def test_a_message_that_is_only_a_place(text, name):
    place = gazetteer().only_a_place(text)
    assert place is not None and place.name == name


@pytest.mark.parametrize(
    "text", ["needle exchange in glasgow", "my son lives in cork", "im in narnia", "in", "ok"]
)
def test_a_message_with_more_than_a_place_is_not_only_a_place(text):
    assert gazetteer().only_a_place(text) is None


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("how do i get naloxone in ohio", ("united_states",)),
        ("does medicaid cover suboxone", ("united_states",)),
        ("is it 000 here", ("australia",)),
        ("we live in victoria, where are needle exchanges", ("australia",)),
        ("im in TX can i buy narcan", ("united_states",)),
        ("methadone clinics toronto", ("canada",)),
        (
            "can i self refer to the nhs drug service",
            ("england", "scotland", "wales", "northern_ireland"),
        ),
        ("do i call 911", ("united_states", "canada")),
        ("my dad lives in hull and drinks", ("england",)),
    ],
)
def test_a_place_named_in_passing_is_found(text, regions):
    place = gazetteer().mentioned(text)
    assert place is not None and place.regions == regions, (text, place)


@pytest.mark.parametrize(
    "text",
    [
        "my friend victoria took too much",  # a first name
        "georgia says she is fine",
        "it cost me $1,000 for rehab",  # a sum, not Australia's number
        "la la la",  # a two-letter code without "in"
        "the hull of a boat",  # a word before it is a place
        "cork",  # place-only messages are the place detector's (only_a_place)
        "where can i get naloxone",
    ],
)
def test_words_and_names_are_not_places_named_in_passing(text):
    assert gazetteer().mentioned(text) is None, text


def test_every_place_that_is_also_an_english_word_needs_a_cue():
    import gzip
    import json

    import spacy_lookups_data

    lookup = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
    table = json.loads(gzip.decompress(lookup.read_bytes()))
    words = set(table) | set(table.values())
    data = yaml.safe_load((get_settings().content_dir / "places.yml").read_text())
    names = [str(n) for names in data["regions"].values() for n in names] + list(data["ambiguous"])
    cue = set(data["needs_a_cue"])
    single = [name for name in names if " " not in name and len(name) > 2 and name in words]
    assert single and not [name for name in single if name not in cue]
