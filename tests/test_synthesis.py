"""The synthesis data and pcn_evidence.evidence: the matrix, the CERQual judgements and their helpers.

The tables and the figure themselves are built on the synthesis and confidence pages
(nbval checks their outputs); here are the package helpers and guards on the judgements.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from helpers import IN_CI, ROOT, SOURCES

from pcn_evidence import load_table, numbers_in, split_tags, vocabulary
from pcn_evidence.evidence import (
    SILENT,
    check_styles,
    complete_matrix,
    finding_labels,
    in_finding_order,
    independent_streams,
    matrix_problems,
    ordered_findings,
    stream_problems,
    tally,
)
from pcn_evidence.sourcing import in_group

CHAPTERS = ROOT / "chapters"

#: The topics the book's brief requires a finding for.
REQUIRED_TOPICS = ("ccg-support", "expectations-workload", "national-vs-local", "relationships",
                   "system-engagement", "workforce-arrs", "covid-19", "ccg-mergers", "ccg-role-guidance")
CONFEDERATION_SOURCES = ("gponline-autonomy", "pulse-relationships")
COMPONENTS = ("methodological_limitations", "coherence", "adequacy", "relevance")


@pytest.fixture(scope="module")
def findings() -> pd.DataFrame:
    return load_table("synthesis_findings")


@pytest.fixture(scope="module")
def matrix() -> pd.DataFrame:
    return load_table("evidence_matrix")


@pytest.fixture(scope="module")
def sources() -> pd.DataFrame:
    return load_table("sources")


@pytest.fixture(scope="module")
def cerqual() -> pd.DataFrame:
    return load_table("cerqual")


@pytest.fixture(scope="module")
def cells(findings, matrix, sources) -> pd.DataFrame:
    return complete_matrix(findings, matrix, sources)


RESEARCH_SOURCES = set(load_table("sources").loc[in_group(load_table("sources"), load_table("source_kinds"), "research"), "id"])


def _markdown(name: str) -> str:
    """The chapter's text twin without its code cells."""
    text = (CHAPTERS / name).read_text(encoding="utf-8")
    return re.sub(r"^```\{code-cell\}.*?^```$", "", text, flags=re.S | re.M)


# --------------------------------------------------------------------------- pcn_evidence.evidence

def test_the_matrix_is_complete_and_in_display_order(findings, matrix, sources, cells):
    assert matrix_problems(findings, matrix, sources) == []
    assert len(cells) == len(findings) * len(sources)
    expected = [(f, s) for f in ordered_findings(findings)["id"] for s in sources["id"]]
    assert list(zip(cells["finding_id"], cells["source_id"])) == expected
    assert all(cells["ids"].map(len) == cells["evidence_ids"].map(lambda c: len(split_tags(c))))


def test_a_matrix_names_an_unsupported_finding_and_duplicate_pairs(findings, matrix, sources):
    first = matrix.iloc[0]
    broken = pd.concat([matrix[matrix["finding_id"] != first["finding_id"]], matrix.iloc[[5]]], ignore_index=True)
    problems = matrix_problems(findings, broken, sources)
    assert f"unsupported: {first['finding_id']} (no source speaks to it)" in problems
    assert any(p.startswith("duplicate:") for p in problems)
    with pytest.raises(ValueError, match="does not fit"):
        complete_matrix(findings, broken, sources)


def test_a_pair_with_no_judgement_is_silent():
    findings = pd.DataFrame({"id": ["f-a"], "order": [1]})
    sources = pd.DataFrame({"id": ["study", "new-source"]})
    matrix = pd.DataFrame({"finding_id": ["f-a"], "source_id": ["study"], "stance": ["supports"],
                           "evidence_ids": ["s-1"], "note": ["why"]})
    cells = complete_matrix(findings, matrix, sources)
    assert cells[["source_id", "stance"]].values.tolist() == [["study", "supports"], ["new-source", SILENT]]
    assert cells.iloc[1]["ids"] == []


def test_tally_keeps_the_vocabulary_order_and_its_zeros_and_refuses_unknown_values(cells):
    stances = [*vocabulary("evidence_matrix", "stance"), SILENT]
    counts = tally(cells["stance"], stances)
    assert list(counts) == stances and sum(counts.values()) == len(cells)
    assert counts["contradicts"] == 0  # a zero is still reported
    with pytest.raises(ValueError, match="not in the vocabulary"):
        tally(["supports", "agrees"], stances)


def _cells(rows: list[tuple[str, str, str, list[str]]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["finding_id", "source_id", "stance", "ids"])


def test_independent_streams_count_a_restatement_once():
    stream = {"study": "the study", "report-of-study": "the study", "press": "a body's report"}
    cells = _cells([("f-a", "study", "supports", ["s-1"]), ("f-a", "report-of-study", "supports", ["h-1"]),
                    ("f-a", "press", "silent", [])])
    assert independent_streams(cells, "f-a", stream) == ["the study"]


def test_a_fact_counts_under_its_own_line_not_its_articles():
    """Attribution is per fact: an official figure inside an article on a body's report is not the report's."""
    stream = {"study": "the study", "press": "a body's report"}
    cells = _cells([("f-a", "study", "qualifies", ["s-1"]), ("f-a", "press", "supports", ["p-figure"])])
    assert independent_streams(cells, "f-a", stream) == ["the study", "a body's report"]  # filed per article
    assert independent_streams(cells, "f-a", stream, {"p-figure": "the regulator's figures"}) == [
        "the study", "the regulator's figures"]


def test_every_press_fact_an_outlet_reports_of_its_own_has_its_own_line(sources):
    press = load_table("reported_findings")
    assert stream_problems(press, sources) == []


def test_own_reporting_filed_under_the_covered_report_is_caught(sources):
    press = load_table("reported_findings")
    covering = set(sources.loc[sources["covers"].fillna("") != "", "id"])
    row = press.index[press["source_id"].isin(covering) & (press["reports_on"] == "outlet reporting")][0]
    fact_id = press.at[row, "id"]
    blanked = press.copy()
    blanked.loc[row, "evidence_stream"] = ""
    assert [p.split(":")[0] for p in stream_problems(blanked, sources)] == [fact_id]
    article = sources.set_index("id").at[press.at[row, "source_id"], "evidence_stream"]
    same = press.copy()
    same.loc[row, "evidence_stream"] = article
    assert stream_problems(same, sources) == [f"{fact_id}: its evidence_stream is its article's ({article!r}), "
                                              "though the outlet reports it of its own"]


def test_in_finding_order_needs_one_row_per_finding(findings, cerqual):
    assessed = in_finding_order(findings, cerqual)
    assert list(assessed.index) == list(ordered_findings(findings)["id"])
    with pytest.raises(ValueError, match="no row in the table for"):
        in_finding_order(findings, cerqual.iloc[1:])


def test_finding_labels_name_each_finding_by_its_label_never_its_id(findings):
    labels = finding_labels(findings)
    assert labels == list(ordered_findings(findings)["label"])
    assert not {f for f in findings["id"] if any(f in label for label in labels)}


def test_finding_labels_refuse_two_findings_of_one_label(findings):
    twins = findings.copy()
    twins.loc[twins.index[1], "label"] = twins.loc[twins.index[0], "label"]
    with pytest.raises(ValueError, match="findings share a label"):
        finding_labels(twins)


def test_check_styles_names_an_unstyled_value():
    check_styles({"a": 1, "b": 2}, ["a", "b"])
    with pytest.raises(KeyError, match="no style for b"):
        check_styles({"a": 1}, ["a", "b"])


# --------------------------------------------------------------------------- the judgements (data)

def test_silent_cites_nothing_and_every_other_stance_cites_something(cells):
    for row in cells.itertuples(index=False):
        assert (row.stance == "silent") == (not row.ids), (row.finding_id, row.source_id)


def test_findings_cover_the_required_topics_with_stable_ids(findings):
    assert set(REQUIRED_TOPICS) <= set(findings["topic"])
    assert findings["id"].str.match(r"^f-[a-z0-9-]+$").all() and findings["id"].is_unique
    assert sorted(findings["order"]) == list(range(1, len(findings) + 1))


def test_findings_and_titles_type_no_numbers(findings):
    for row in findings.itertuples(index=False):
        assert not numbers_in(row.title), row.id
        assert not numbers_in(row.finding), row.id


def test_each_note_is_one_sentence(matrix):
    for row in matrix.itertuples(index=False):
        assert row.note.endswith("."), row
        assert not re.search(r"[.!?] [A-Z]", row.note), (row.finding_id, row.source_id, row.note)


def test_every_source_is_characterised_as_evidence(sources):
    for column in ("label", "short_label", "role", "evidence_stream"):
        assert sources[column].notna().all() and (sources[column].str.strip() != "").all(), column
    stream = dict(zip(sources["id"], sources["evidence_stream"]))
    assert stream["hl-2021-vacuum"] == stream["bjgp-2021"]
    assert stream["gponline-autonomy"] == stream["pulse-relationships"]


def test_cerqual_assesses_every_finding_once(findings, cerqual):
    assert sorted(cerqual["finding_id"]) == sorted(findings["id"])


def test_confidence_is_conservative(findings, cells, cerqual):
    """Guards on the judgements: nothing is 'high'; serious concerns, or no supporting research study, cap it at low."""
    levels = vocabulary("cerqual", "confidence")
    by_id = cerqual.set_index("finding_id")
    assert (cerqual["confidence"] != "high").all()
    for fid in findings["id"]:
        row = by_id.loc[fid]
        if any(row[c] == "serious concerns" for c in COMPONENTS):
            assert levels.index(row["confidence"]) >= levels.index("low"), fid
        supporting = set(cells[(cells["finding_id"] == fid) & (cells["stance"] == "supports")]["source_id"])
        if not supporting & RESEARCH_SOURCES:  # no research study supports it: at most low
            assert levels.index(row["confidence"]) >= levels.index("low"), fid
        assert row["confidence_explanation"].startswith("Started at high"), fid


def test_explanations_say_what_the_press_is(findings, matrix, cerqual):
    """Healthcare Leader is named as not independent; the Confederation report as second-hand."""
    by_id = cerqual.set_index("finding_id")
    for fid in findings["id"]:
        speaking = set(matrix[(matrix["finding_id"] == fid) & (matrix["stance"] != "silent")]["source_id"])
        if "hl-2021-vacuum" in speaking:
            assert "Healthcare Leader" in by_id.at[fid, "adequacy_explanation"], fid
            assert "not independent" in by_id.at[fid, "adequacy_explanation"], fid
        if speaking & set(CONFEDERATION_SOURCES):  # the press is named as what it is wherever it speaks
            everything = " ".join(by_id.at[fid, f"{c}_explanation"] for c in COMPONENTS)
            assert "second-hand" in everything or "reported" in everything, fid


def test_healthcare_leader_notes_say_it_restates_the_study(matrix):
    rows = matrix[(matrix["source_id"] == "hl-2021-vacuum") & (matrix["stance"] != "silent")]
    assert not rows.empty
    assert rows["note"].str.contains("not independent").all()


def test_pulse_on_ccg_support_during_covid_qualifies_the_support_finding(matrix):
    row = matrix[(matrix["finding_id"] == "f-ccg-support") & (matrix["source_id"] == "pulse-relationships")].iloc[0]
    assert row["stance"] in {"qualifies", "contradicts"}
    assert "pf-pulse-ccg-covid-support-variable" in split_tags(row["evidence_ids"])


# --------------------------------------------------------------------------- the chapters

def test_synthesis_chapter_anchors_every_finding_under_its_title(findings):
    markdown = _markdown("synthesis.md")
    for row in findings.itertuples(index=False):
        assert re.search(rf"^\({re.escape(row.id)}\)=\s*\n### {re.escape(row.title)}\s*$", markdown, flags=re.M), row.id
        assert f"syn_text_{row.id.replace('-', '_')}" in markdown


@pytest.mark.parametrize("name,label", [("synthesis.md", "chapter-synthesis"),
                                        ("confidence.md", "chapter-confidence"),
                                        ("key_messages.md", "chapter-key-messages"),
                                        ("how_to_cite.md", "chapter-how-to-cite")])
def test_chapter_labels(name, label):
    body = _markdown(name).split("---", 2)[2]  # after the jupytext header
    assert body.lstrip().startswith(f"({label})=")


# --------------------------------------------------------------------------- whose words: titles match the source

#: Job titles a note may give a speaker; each must be the cited source's own, so an actor is never promoted.
ROLE_TITLES = ("chief executive", "co-chair", "chair", "director", "president", "chief officer", "secretary")


def _source_text(sources: pd.DataFrame) -> dict[str, str]:
    if not SOURCES.is_dir():
        if IN_CI:
            pytest.fail(f"job titles cannot be checked in CI: no reference sources at {SOURCES}")
        pytest.skip(f"LOUD SKIP: job titles in the notes were not checked: no reference sources at {SOURCES}")
    return {row.id: (SOURCES / row.source_file).read_text(encoding="utf-8").lower()
            for row in sources.itertuples() if (SOURCES / row.source_file).is_file()}


def title_problems(matrix: pd.DataFrame, texts: dict[str, str]) -> list[str]:
    """Matrix notes that give someone a job title their source does not use."""
    problems = []
    for row in matrix.itertuples(index=False):
        note = row.note.lower()
        for title in ROLE_TITLES:
            if re.search(rf"\b{re.escape(title)}\b", note) and title not in texts.get(row.source_id, ""):
                problems.append(f"{row.finding_id} x {row.source_id}: {title!r} is not in the source")
                break
    return problems


def test_every_job_title_in_a_note_is_the_sources_own(matrix, sources):
    assert title_problems(matrix, _source_text(sources)) == []


def test_a_job_title_the_source_does_not_give_is_caught(matrix, sources):
    """The fault behind calling the PCN Network director a 'chief executive'."""
    texts = _source_text(sources)
    row = matrix.index[matrix["note"].str.contains("director", regex=False) & (matrix["source_id"] != "bjgp-2021")][0]
    planted = matrix.copy()
    planted.loc[row, "note"] = planted.at[row, "note"].replace("director", "chief executive", 1)
    assert title_problems(planted, texts) == [
        f"{matrix.at[row, 'finding_id']} x {matrix.at[row, 'source_id']}: 'chief executive' is not in the source"]
