"""Full references from the data: what a reference list prints for each source and outside-context document."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import ROOT

from pcn_evidence import load_table
from pcn_evidence.inputs import Declaration, UndeclaredInputError, activate, deactivate
from pcn_evidence.references import NO_BYLINE, UNDATED, Reference, read_references, sentences, source_references

COLUMNS = ["id", "label", "authors", "date", "date_note", "title", "outlet", "doi", "web"]


def _sources(*rows: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(COLUMNS, row)) for row in rows])


def test_a_source_with_a_doi_is_linked_by_it():
    rows = _sources(["s", "A study (Smith et al.)", "Smith A, Jones B", "2021", "Year from the citation.",
                     "A study", "A Journal 2021; 1(2): 3–4", "10.1000/x.1", "https://doi.org/10.1000/x.1"])
    assert source_references(rows) == {"s": Reference(
        "Smith A, Jones B (2021). A study. A Journal 2021; 1(2): 3–4.", "https://doi.org/10.1000/x.1",
        "A study (Smith et al.)")}


def test_a_dated_article_gives_its_day_and_its_site_as_text_never_a_guessed_link():
    rows = _sources(["a", "A site, on x", "Ann Writer", "2021-06-29", "Byline date in the text.", "News, report says",
                     "A site", None, "asite.example"])
    reference = source_references(rows)["a"]
    assert reference.text == "Ann Writer (29 June 2021). News, report says. A site. asite.example."
    assert reference.url is None  # a site's name is not an address
    assert "Byline date" not in reference.text  # the note is printed only where there is no date


def test_an_undated_unsigned_source_says_so_and_how_its_date_is_known():
    rows = _sources(["u", "A site, on y", None, None, "Undated in the text ('a report published yesterday').",
                     "A title?", "A site", None, "https://asite.example/a/1"])
    reference = source_references(rows)["u"]
    assert reference.text == (f"{NO_BYLINE} ({UNDATED}). A title? A site. "
                              "Undated in the text ('a report published yesterday').")
    assert reference.url == "https://asite.example/a/1"


def test_every_source_of_the_book_has_a_full_reference():
    sources = load_table("sources")
    references = source_references(sources)
    assert list(references) == list(sources["id"])
    for row in sources.itertuples():
        reference = references[row.id]
        assert reference.name == row.label and row.title in reference.text and row.outlet in reference.text
        assert (UNDATED in reference.text) == (not isinstance(row.date, str))
        if isinstance(row.doi, str):
            assert reference.url == f"https://doi.org/{row.doi}"
    assert references["bjgp-2021"].url == "https://doi.org/10.3399/BJGP.2020.0917"  # the core study's DOI


def test_sentences_end_once():
    assert sentences(["Smith (2020)", " A title. ", "", "Venue!"]) == "Smith (2020). A title. Venue!"


def test_a_reference_reads_as_author_year_title_and_address(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@misc{a, author = {Smith, Ann and {The Health Body}}, title = {Guidance for {PCN} leads},\n"
                   "  howpublished = {A website}, url = {https://example.org/a}}\n"
                   "@misc{b, author = {{The Health Body}}, title = {Undated}, howpublished = {The Health Body}}\n"
                   "@misc{c, title = {Anonymous}, year = {2020}}\n",
                   encoding="utf-8")
    assert read_references(bib) == {
        "a": Reference("Smith, Ann; The Health Body (n.d.). Guidance for PCN leads. A website.",
                       "https://example.org/a", "Smith, Ann; The Health Body, n.d."),
        "b": Reference("The Health Body (n.d.). Undated.", None, "The Health Body, n.d."),
        "c": Reference(f"{NO_BYLINE} (2020). Anonymous.", None, f"{NO_BYLINE}, 2020")}


def test_the_outside_context_references_read_as_text_not_bibtex():
    references = read_references()
    assert "Health and Care Act 2022" in references["healthcareact2022"].text
    for reference in references.values():
        assert "{" not in reference.text + reference.name and "}" not in reference.text + reference.name
        assert reference.url and reference.url.startswith("https://")


def test_a_chapter_must_declare_the_references_it_reads():
    activate(Declaration("key_messages", ("key_messages",)))
    try:
        with pytest.raises(UndeclaredInputError, match="references-context.bib"):
            read_references()
        activate(Declaration("key_messages", ("key_messages",), ("references-context.bib",)))
        assert read_references(ROOT / "references-context.bib")
    finally:
        deactivate()
