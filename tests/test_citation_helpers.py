"""pcn_evidence.citation: the book's citations come from CITATION.cff, and a chapter must declare it."""

import pytest

from pcn_evidence import Chapter
from pcn_evidence.citation import bibtex, plain_citation, read_citation
from pcn_evidence.inputs import UndeclaredInputError


def test_bibtex_and_plain_text_come_from_citation_cff():
    cff = read_citation()
    entry = bibtex(cff)
    assert entry.startswith("@software{pcnevidencebook,")
    assert f"version = {{{cff['version']}}}" in entry
    text = plain_citation(cff, "f-ccg-support", "chapters/synthesis.html")
    assert f"Version {cff['version']}." in text
    assert text.endswith("Finding f-ccg-support (chapters/synthesis.html#f-ccg-support).")
    assert plain_citation(cff, "km-ccg-support").endswith("Key message km-ccg-support.")


def test_a_doi_is_cited_when_there_is_one():
    cff = {"title": "T", "version": "1", "date-released": "2026-01-01", "authors": [{"name": "A"}], "doi": "10.1/x"}
    assert "doi     = {10.1/x}" in bibtex(cff)


def test_a_chapter_reads_citation_cff_only_if_it_declares_it():
    chapter = Chapter("how_to_cite")
    try:
        assert read_citation(chapter.file("CITATION.cff"))["version"]
    finally:
        chapter.close()
    chapter = Chapter("synthesis")
    try:
        with pytest.raises(UndeclaredInputError):
            read_citation()
    finally:
        chapter.close()
