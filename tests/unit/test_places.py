"""Place names to regions: spelling mistakes, ambiguity, and words that are not places."""

from pathlib import Path

import pytest

from bot.content.loading import ContentError
from bot.places import gazetteer, load_gazetteer


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
