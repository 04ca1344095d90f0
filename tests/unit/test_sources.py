from pathlib import Path

import pytest

from bot.content.loading import ContentError
from bot.sources import citation_line, load_sources, sources


def test_registry_loads_and_every_source_has_a_location():
    registry = sources()
    assert "doc_ukat_heroin" in registry
    for source in registry.values():
        assert source.url or source.document


def test_citation_line_joins_short_labels():
    line = citation_line(["naloxone_govuk_take_home", "naloxone_release_law"])
    assert line == "Source: GOV.UK: Take-home naloxone · Release: Naloxone and the law"


@pytest.mark.parametrize("source_id", ["doc_ukat_heroin", "treatment_nta_access"])
def test_a_seed_document_or_a_retired_source_is_never_printed(source_id):
    with pytest.raises(ContentError, match=f"never shown as a source: {source_id}"):
        citation_line([source_id])


def test_unknown_source_id_is_an_error():
    with pytest.raises(ContentError, match="no_such_source"):
        citation_line(["no_such_source"])


def test_duplicate_ids_across_files_are_refused(tmp_path: Path):
    entry = (
        "sources:\n- id: same\n  short: S\n  title: T\n  publisher: P\n"
        "  url: https://example.org\n  reviewed: '2026-11-22'\n  checked: c\n"
    )
    (tmp_path / "a.yml").write_text(entry)
    (tmp_path / "b.yml").write_text(entry)
    with pytest.raises(ContentError, match="b.yml: entry 'same': field 'id'"):
        load_sources(tmp_path)


def test_a_source_without_url_or_document_is_refused(tmp_path: Path):
    (tmp_path / "a.yml").write_text(
        "sources:\n- id: nowhere\n  short: S\n  title: T\n  publisher: P\n"
        "  reviewed: '2026-11-22'\n  checked: c\n"
    )
    with pytest.raises(ContentError, match="entry 'nowhere'.*url"):
        load_sources(tmp_path)
