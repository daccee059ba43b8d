"""pcn_evidence.citation and .release: one plain-text and one BibTeX format, from CITATION.cff, that work when pasted."""

from __future__ import annotations

import dataclasses
import shutil

import pytest
from citation_checks import citation_problems
from pybtex.database import parse_string

from pcn_evidence import Chapter
from pcn_evidence.citation import bibtex, cited_item, item_kind, plain_citation
from pcn_evidence.inputs import UndeclaredInputError
from pcn_evidence.release import (
    PENDING,
    Release,
    ReleaseError,
    read_citation,
    read_release,
    release_from_cff,
    shown_release,
)

GROUP = "PCN evidence book contributors"
CFF = {"title": "Primary care networks: an evidence book", "version": "2.3.4", "date-released": "2027-03-05",
       "authors": [{"name": GROUP}], "url": "https://example.org/pcn-book"}  # no trailing slash, on purpose


def release(**changes: object) -> Release:
    return release_from_cff({**CFF, **changes})


def parsed(entry: str):
    """The one entry in ``entry`` as BibTeX software reads it."""
    entries = parse_string(entry, "bibtex").entries
    assert len(entries) == 1, entry
    return next(iter(entries.values()))


# --- The formats -------------------------------------------------------------------------------

def test_the_book_and_an_item_are_cited_with_version_date_and_absolute_url():
    facts = release()
    item = cited_item(facts, "km-ccg-support", "CCG staff: CCGs carried PCNs' early management")
    assert plain_citation(facts) == (f"{GROUP} (2027). Primary care networks: an evidence book. "
                                     "Version 2.3.4, released 2027-03-05. https://example.org/pcn-book/")
    assert plain_citation(facts, item) == (
        f"{GROUP} (2027). Primary care networks: an evidence book. Version 2.3.4, released 2027-03-05. "
        "Key message: \"CCG staff: CCGs carried PCNs' early management\". "
        "https://example.org/pcn-book/chapters/key_messages.html#km-ccg-support")
    entry = parsed(bibtex(facts, item))
    assert entry.type == "misc"
    assert entry.fields["version"] == "2.3.4"
    assert entry.fields["url"] == "https://example.org/pcn-book/chapters/key_messages.html#km-ccg-support"
    assert entry.fields["note"].startswith("Key message: \"CCG staff: CCGs carried PCNs' early management\".")
    assert "Version 2.3.4" in entry.fields["note"]
    assert "km-ccg-support" not in plain_citation(facts, item).rsplit(" ", 1)[0], "the id only in the address"
    assert "km-ccg-support" not in entry.fields["note"]
    assert citation_problems(facts, plain_citation(facts, item), bibtex(facts, item), item) == []
    assert citation_problems(facts, plain_citation(facts), bibtex(facts)) == []


def test_a_build_with_unreleased_changes_is_cited_as_not_being_the_release():
    pending = dataclasses.replace(release(), pending=True)
    item = cited_item(pending, "f-x", "A finding")
    text, entry = plain_citation(pending, item), bibtex(pending, item)
    assert f'Version 2.3.4, released 2027-03-05, {PENDING}. Finding: "A finding"' in text
    assert parsed(entry).fields["version"] == "2.3.4"  # the version it builds on; the note says what is added
    assert parsed(entry).fields["note"].endswith(f"Version 2.3.4, released 2027-03-05, {PENDING}")
    assert citation_problems(pending, text, entry, item) == []
    # the release's own citation, shown in a build that holds later changes, is caught twice over
    problems = citation_problems(pending, plain_citation(release(), item), bibtex(release(), item), item)
    assert any(p.startswith("plain citation: does not say that this build is not the release") for p in problems)
    assert any(p.startswith("BibTeX: the note does not say that this build is not the release") for p in problems)


def test_the_shown_release_is_pending_exactly_when_the_data_record_unreleased_changes(tmp_path):
    from helpers import DATA, ROOT

    from pcn_evidence.changes import has_unreleased, label_release
    from pcn_evidence.load import load_table

    recorded = load_table("evidence_changes")
    assert shown_release(ROOT / "CITATION.cff").pending == has_unreleased(recorded)
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    released = label_release(recorded.fillna("").astype(str), "9.9.9", "2027-01-01")
    released.to_csv(data / "evidence_changes.csv", index=False, lineterminator="\n")
    assert shown_release(ROOT / "CITATION.cff", data_dir=data).pending is False
    with_one = released.copy()
    with_one.loc[0, "version"] = "unreleased"
    with_one.to_csv(data / "evidence_changes.csv", index=False, lineterminator="\n")
    assert shown_release(ROOT / "CITATION.cff", data_dir=data).pending is True


def test_a_finding_links_to_its_anchor_on_the_synthesis_page():
    item = cited_item(release(), "f-des-sign-up", "As Pulse reported, nearly all practices stayed")
    assert (item.kind, item.url) == ("Finding", "https://example.org/pcn-book/chapters/synthesis.html#f-des-sign-up")
    assert plain_citation(release(), item).startswith(GROUP)


def test_the_group_author_stays_one_name_in_double_braces():
    entry = bibtex(release())
    assert f"author  = {{{{{GROUP}}}}}" in entry
    (author,) = parsed(entry).persons["author"]
    # one person whose only "last name" is the whole braced group: never first names "PCN evidence book"
    assert author.first_names == [] and author.last_names == [f"{{{GROUP}}}"]


def test_persons_stay_persons_beside_a_group():
    facts = release(authors=[{"family-names": "Smith", "given-names": "Ann"}, {"name": GROUP}])
    persons = parsed(bibtex(facts)).persons["author"]
    assert [p.last_names for p in persons] == [["Smith"], [f"{{{GROUP}}}"]]
    assert plain_citation(facts).startswith(f"Smith, Ann; {GROUP} (2027).")


def test_a_doi_appears_only_when_one_is_configured():
    item = cited_item(release(), "f-x", "A finding")
    for text in (plain_citation(release()), plain_citation(release(), item), bibtex(release()), bibtex(release(), item)):
        assert "doi" not in text.lower()
    minted = release(doi="10.5281/zenodo.123")
    assert "https://doi.org/10.5281/zenodo.123" in plain_citation(minted)
    assert parsed(bibtex(minted, item)).fields["doi"] == "10.5281/zenodo.123"
    assert citation_problems(minted, plain_citation(minted, item), bibtex(minted, item), item) == []


ODD = "Costs & 100% of {PCN} #1_a $5 ~ ^ back\\slash"


def test_odd_characters_in_a_title_or_heading_are_escaped_for_bibtex_and_kept_in_plain_text():
    facts = release(title=ODD)
    item = cited_item(facts, "km-odd", ODD + "\n   on two  lines")
    entry = parsed(bibtex(facts, item))  # parses as one entry: braces balanced, no field cut short
    title = entry.fields["title"]
    for escaped in (r"\&", r"100\%", r"\textbraceleft{}PCN\textbraceright{}", r"\#1\_a", r"\$5",
                    r"\textasciitilde{}", r"\textasciicircum{}", r"back\textbackslash{}slash"):
        assert escaped in title, escaped
    assert entry.fields["version"] == "2.3.4" and entry.fields["url"] == item.url
    assert ODD in plain_citation(facts, item) and "\n" not in plain_citation(facts, item)
    assert '"' + ODD + ' on two lines"' in plain_citation(facts, item)


def test_an_id_that_is_not_a_key_message_or_finding_is_refused():
    assert item_kind("km-x").page == "chapters/key_messages"
    with pytest.raises(ValueError, match="'tbl-x' is not the id of a citable statement"):
        cited_item(release(), "tbl-x", "A table")


# --- Planted faults: the check names each one ----------------------------------------------------

@pytest.fixture
def good():
    facts = release()
    item = cited_item(facts, "km-ccg-support", "A heading")
    return facts, item, plain_citation(facts, item), bibtex(facts, item)


def test_the_check_catches_a_relative_url(good):
    facts, item, text, entry = good
    relative = "chapters/key_messages.html#km-ccg-support"
    problems = citation_problems(facts, text.replace(item.url, relative), entry.replace(item.url, relative), item)
    assert any("absolute URL" in p for p in problems) and any("(absolute)" in p for p in problems)


def test_the_check_catches_a_missing_version(good):
    facts, item, text, entry = good
    entry = "\n".join(line for line in entry.splitlines() if "version =" not in line)
    problems = citation_problems(facts, text.replace("Version 2.3.4, ", ""), entry, item)
    assert any("no 'Version 2.3.4'" in p for p in problems) and any("no 'version = {2.3.4}'" in p for p in problems)


def test_the_check_catches_a_doi_when_none_is_configured(good):
    facts, item, text, entry = good
    invented = entry.replace("\n}", ",\n  doi     = {10.5281/zenodo.999}\n}")
    problems = citation_problems(facts, text.replace(". Key", ", https://doi.org/10.5281/zenodo.999. Key"),
                                 invented, item)
    assert any("shows a DOI" in p for p in problems) and any("has a doi field" in p for p in problems)


def test_the_check_catches_a_group_author_split_into_a_person(good):
    facts, item, text, entry = good
    split = entry.replace(f"{{{{{GROUP}}}}}", f"{{{GROUP}}}")
    assert parsed(split).persons["author"][0].last_names == ["contributors"]  # the fault, as BibTeX reads it
    assert any("not in double braces" in p for p in citation_problems(facts, entry=split, item=item))


def test_the_check_catches_a_citation_of_the_wrong_statement(good):
    facts, item, text, entry = good
    other = cited_item(facts, "km-other", "A heading")
    assert citation_problems(facts, plain_citation(facts, other), bibtex(facts, other), item)


def test_the_check_catches_a_note_that_names_the_statement_by_its_id_not_its_heading(good):
    facts, item, text, entry = good
    by_id = entry.replace('Key message: "A heading"', "Key message km-ccg-support")
    assert by_id != entry
    assert citation_problems(facts, entry=by_id, item=item) == [
        "BibTeX: the note does not name the key message by its heading"]


# --- CITATION.cff that cannot give a citable release --------------------------------------------

@pytest.mark.parametrize("change, field", [
    ({"url": "pcn-book/"}, "url"),
    ({"url": ""}, "url"),
    ({"url": "https://example.org/book with space/"}, "url"),
    ({"version": None}, "version"),
    ({"version": 1.0}, "version"),
    ({"date-released": "5 March 2027"}, "date-released"),
    ({"authors": []}, "authors"),
    ({"authors": [{"given-names": "Ann"}, "Smith"]}, "authors"),
    ({"doi": "https://doi.org/10.5281/zenodo.1"}, "doi"),
    ({"title": ""}, "title"),
])
def test_a_release_that_cannot_be_cited_is_refused_naming_the_field(change, field):
    with pytest.raises(ReleaseError, match=rf"in CITATION\.cff:\n  - field '{field}'"):
        release(**change)


def test_every_problem_is_listed_at_once():
    with pytest.raises(ReleaseError, match="2 problems") as error:
        release(url="book/", version=None)
    assert len(error.value.problems) == 2


def test_a_missing_version_is_refused():
    cff = {k: v for k, v in CFF.items() if k != "version"}
    with pytest.raises(ReleaseError, match="field 'version': got None"):
        release_from_cff(cff)


# --- Reading CITATION.cff ------------------------------------------------------------------------

def test_the_books_own_citation_cff_gives_a_citable_release():
    facts = read_release()
    cff = read_citation()
    assert (facts.version, facts.released.isoformat()) == (cff["version"], str(cff["date-released"]))
    assert facts.base_url.startswith("https://") and facts.base_url.endswith("/")
    assert facts.doi == cff.get("doi")
    assert citation_problems(release_from_cff(cff), plain_citation(cff), bibtex(cff)) == []  # a mapping, as read


def test_a_chapter_reads_citation_cff_only_if_it_declares_it():
    chapter = Chapter("how_to_cite")
    try:
        assert read_release(chapter.file("CITATION.cff")).version
    finally:
        chapter.close()
    chapter = Chapter("synthesis")
    try:
        with pytest.raises(UndeclaredInputError):
            read_citation()
    finally:
        chapter.close()
