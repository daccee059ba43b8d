"""Tests for pcn_evidence.synthesis: the evidence matrix, the CERQual tables and the key messages."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from pcn_evidence import load_table, numbers_in
from pcn_evidence import synthesis as S
from pcn_evidence.provenance import ledger

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"

#: The topics the book's brief requires a finding for.
REQUIRED_TOPICS = ("ccg-support", "expectations-workload", "national-vs-local", "relationships",
                   "system-engagement", "workforce-arrs", "covid-19", "ccg-mergers", "ccg-role-guidance")
CONFEDERATION_SOURCES = ("gponline-autonomy", "pulse-relationships")


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
def facts() -> pd.DataFrame:
    return ledger()


def _markdown(name: str) -> str:
    notebook = nbformat.read(CHAPTERS / name, as_version=4)
    return "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")


# --------------------------------------------------------------------------- the data

def test_matrix_has_every_finding_for_every_source_exactly_once(findings, matrix, sources):
    assert S.matrix_problems(findings, matrix, sources) == []
    assert len(matrix) == len(findings) * len(sources)


def test_matrix_problems_name_missing_and_duplicate_pairs(findings, matrix, sources):
    broken = pd.concat([matrix.iloc[1:], matrix.iloc[[5]]], ignore_index=True)
    problems = S.matrix_problems(findings, broken, sources)
    first = matrix.iloc[0]
    assert f"missing: {first['finding_id']} x {first['source_id']}" in problems
    assert any(p.startswith("duplicate:") for p in problems)
    with pytest.raises(ValueError, match="incomplete"):
        S.matrix_long(findings, broken, sources)


def test_every_evidence_id_resolves_to_a_ledger_fact_from_the_same_source(matrix, facts):
    assert S.unknown_evidence_ids(matrix, facts) == []
    cited = S.cited_ids(matrix)
    assert cited and set(cited) <= set(facts["id"].astype(str))


def test_unknown_evidence_ids_reports_wrong_source_and_missing_fact(matrix, facts):
    row = matrix[(matrix["source_id"] == "hl-2021-vacuum") & (matrix["stance"] != "silent")].iloc[[0]].copy()
    row["evidence_ids"] = "sf-guidance-vacuum-ccg-role;no-such-fact"
    problems = S.unknown_evidence_ids(row, facts)
    assert any("is from bjgp-2021" in p for p in problems)
    assert any("no-such-fact is not in the ledger" in p for p in problems)


def test_silent_cites_nothing_and_every_other_stance_cites_something(matrix):
    for row in matrix.itertuples(index=False):
        ids = S.split_ids(row.evidence_ids)
        assert (row.stance == "silent") == (not ids), (row.finding_id, row.source_id)


def test_findings_cover_the_required_topics_with_stable_topic_ids(findings):
    assert set(REQUIRED_TOPICS) <= set(findings["topic"])
    assert all(findings["id"] == "f-" + findings["topic"])
    assert sorted(findings["order"]) == list(range(1, len(findings) + 1))


def test_findings_and_titles_type_no_numbers(findings):
    for row in findings.itertuples(index=False):
        assert not numbers_in(row.title), row.id
        assert not numbers_in(row.finding), row.id


def test_each_note_is_one_sentence(matrix):
    for row in matrix.itertuples(index=False):
        assert row.note.endswith("."), row
        assert not re.search(r"[.!?] [A-Z]", row.note), (row.finding_id, row.source_id, row.note)


def test_cerqual_assesses_every_finding_once(findings, cerqual):
    assert sorted(cerqual["finding_id"]) == sorted(findings["id"])


def test_confidence_is_conservative(findings, matrix, cerqual):
    """Guards on the judgements: one study can never support 'high'; serious concerns or a silent study cap it."""
    by_id = cerqual.set_index("finding_id")
    assert (cerqual["confidence"] != "high").all()
    for fid in findings["id"]:
        row = by_id.loc[fid]
        rank = S.CONFIDENCE_LEVELS.index(row["confidence"])
        if any(row[c] == "serious concerns" for c, _ in S.COMPONENTS):
            assert rank >= S.CONFIDENCE_LEVELS.index("low"), fid
        study = matrix[(matrix["finding_id"] == fid) & (matrix["source_id"] == "bjgp-2021")]["stance"].iloc[0]
        if study == "silent":
            assert row["confidence"] == "very low", fid
        assert row["confidence_explanation"].startswith("Started at high"), fid


def test_explanations_say_what_the_press_is(findings, matrix, cerqual):
    """Healthcare Leader is named as not independent; the Confederation report as second-hand."""
    by_id = cerqual.set_index("finding_id")
    for fid in findings["id"]:
        speaking = set(matrix[(matrix["finding_id"] == fid) & (matrix["stance"] != "silent")]["source_id"])
        text = by_id.at[fid, "adequacy_explanation"] + " " + by_id.at[fid, "methodological_limitations_explanation"]
        if "hl-2021-vacuum" in speaking:
            assert "Healthcare Leader" in by_id.at[fid, "adequacy_explanation"], fid
            assert "not independent" in by_id.at[fid, "adequacy_explanation"], fid
        if speaking & set(CONFEDERATION_SOURCES):
            assert "second-hand" in text, fid


def test_healthcare_leader_notes_say_it_restates_the_study(matrix):
    rows = matrix[(matrix["source_id"] == "hl-2021-vacuum") & (matrix["stance"] != "silent")]
    assert not rows.empty
    assert rows["note"].str.contains("not independent").all()


def test_pulse_on_ccg_support_during_covid_qualifies_the_support_finding(matrix):
    row = matrix[(matrix["finding_id"] == "f-ccg-support") & (matrix["source_id"] == "pulse-relationships")].iloc[0]
    assert row["stance"] in {"qualifies", "contradicts"}
    assert "pf-pulse-ccg-covid-support-variable" in S.split_ids(row["evidence_ids"])


# --------------------------------------------------------------------------- matrix table and figure

def test_matrix_wide_shows_stance_and_ids_in_finding_order(findings, matrix, sources):
    wide = S.matrix_wide(findings, matrix, sources)
    assert list(wide["Finding id"]) == list(S.ordered_findings(findings)["id"])
    assert list(wide.columns[2:]) == [S.SOURCE_LABELS[s] for s in S.SOURCE_ORDER]
    for row in matrix.itertuples(index=False):
        cell = wide.loc[wide["Finding id"] == row.finding_id, S.SOURCE_LABELS[row.source_id]].iloc[0]
        assert cell.startswith(row.stance)
        for fact in S.split_ids(row.evidence_ids):
            assert fact in cell


def test_matrix_table_html_has_caption_source_and_id(findings, matrix, sources):
    html = S.matrix_table(findings, matrix, sources)._repr_html_()
    assert 'id="tbl-evidence-matrix"' in html and "<caption>" in html and "Source:" in html


def test_stance_counts_add_up(findings, matrix, sources):
    counts = S.stance_counts(matrix, sources)
    assert list(counts.columns) == list(S.STANCES)
    assert (counts.sum(axis=1) == len(findings)).all()


def test_heatmap_is_deterministic_and_changes_when_a_judgement_changes(findings, matrix, sources):
    first = S.matrix_figure(findings, matrix, sources)
    again = S.matrix_figure(findings, matrix, sources)
    assert first.svg == again.svg
    changed = matrix.copy()
    index = changed.index[(changed["finding_id"] == "f-ccg-support") & (changed["source_id"] == "pulse-relationships")][0]
    changed.loc[index, "stance"] = "contradicts"
    altered = S.matrix_figure(findings, changed, sources)
    assert altered.svg != first.svg
    assert altered.alt != first.alt and "contradiction" in altered.alt


def test_heatmap_writes_the_stance_in_every_cell_and_states_the_finding(findings, matrix, sources):
    figure = S.matrix_figure(findings, matrix, sources)
    words = re.findall(r">(Supports|Qualifies|Contradicts|Silent)<", figure.svg)
    # multi-line cells are split into several <text> elements by matplotlib, so count the words
    svg_text = " ".join(re.findall(r">([^<>]+)<", figure.svg))
    for stance in S.STANCES:
        expected = int((matrix["stance"] == stance).sum())
        word = S.STANCE_STYLE[stance][2]
        assert svg_text.count(word) >= expected, stance
    assert words or svg_text  # the text is real SVG text, not paths
    assert f"{len(findings)} synthesised findings" in figure.alt
    assert figure.alt == S.matrix_alt(findings, matrix, sources)


def test_heatmap_fits_a_phone_and_uses_readable_fonts(findings, matrix, sources):
    svg = S.matrix_figure(findings, matrix, sources).svg
    width = float(re.search(r'<svg[^>]* width="([\d.]+)pt"', svg).group(1))
    assert width <= 7 * 72 + 0.5
    sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", svg)]
    assert sizes and min(sizes) >= 9


def test_every_stance_has_an_okabe_ito_or_neutral_fill_and_a_word():
    for stance, (fill, colour, word) in S.STANCE_STYLE.items():
        assert word.lower() == stance
        assert fill.startswith("#") and colour.startswith("#")


# --------------------------------------------------------------------------- one finding

def test_finding_quotes_are_the_ledger_quotes_of_the_cited_facts(findings, matrix, sources, facts):
    quotes = S.finding_quotes("f-ccg-support", findings, matrix, sources, facts)
    cited = [i for cell in matrix[matrix["finding_id"] == "f-ccg-support"]["evidence_ids"] for i in S.split_ids(cell)]
    assert list(quotes["Fact id"]) == cited
    by_id = facts.set_index("id")
    for row in quotes.itertuples(index=False):
        assert row[4] == by_id.at[row[2], "quote"]


def test_finding_sources_table_lists_every_source(findings, matrix, sources):
    table = S.finding_sources_table("f-leadership", findings, matrix, sources)
    assert len(table.frame) == len(sources)
    assert "none (silent)" in set(table.frame["Coded facts cited (ids)"])
    with pytest.raises(KeyError):
        S.finding_sources_table("f-nothing", findings, matrix, sources)


def test_synthesis_glue_counts_and_texts(findings, matrix, sources, facts, cerqual):
    values = S.synthesis_glue(findings, matrix, sources, facts, cerqual)
    assert values["syn_n_findings"] == len(findings)
    assert values["syn_n_cells"] == len(findings) * len(sources)
    assert sum(values[f"syn_n_{s}"] for s in S.STANCES) == values["syn_n_cells"]
    assert values["syn_n_streams"] == 3  # study (+ its press report), GPonline's own reporting, the Confederation report
    for row in findings.itertuples(index=False):
        assert values[f"syn_text_{S.glue_key(row.id)}"] == row.finding


def test_independent_streams_count_restatements_once(matrix):
    streams = S.independent_streams(matrix, "f-ccg-mergers")
    assert streams == ["the BJGP study"]  # Healthcare Leader restates the study: still one stream


# --------------------------------------------------------------------------- CERQual tables

SOQF_COLUMNS = ["Finding id", "Summary of review finding", "Studies contributing to the finding",
                "CERQual assessment of confidence", "Explanation of CERQual assessment"]


def test_soqf_has_the_cerqual_columns_and_one_row_per_finding(findings, cerqual, matrix, sources):
    frame = S.soqf_frame(findings, cerqual, matrix, sources)
    assert list(frame.columns) == SOQF_COLUMNS
    assert list(frame["Finding id"]) == list(S.ordered_findings(findings)["id"])
    by_id = cerqual.set_index("finding_id")
    for row in frame.itertuples(index=False):
        assert row[3] == by_id.at[row[0], "confidence"]
        assert row[4] == by_id.at[row[0], "confidence_explanation"]


def test_soqf_contributing_sources_are_the_non_silent_rows_with_their_ids(findings, cerqual, matrix, sources):
    frame = S.soqf_frame(findings, cerqual, matrix, sources).set_index("Finding id")
    for row in matrix.itertuples(index=False):
        cell = frame.at[row.finding_id, "Studies contributing to the finding"]
        label = S.SOURCE_LABELS[row.source_id]
        if row.stance == "silent":
            assert label not in cell, (row.finding_id, row.source_id)
        else:
            assert f"{label} ({row.stance};" in cell
            assert all(fact in cell for fact in S.split_ids(row.evidence_ids))


def test_profile_shows_each_component_judgement_and_explanation(findings, cerqual, matrix, sources):
    frame = S.profile_frame(findings, cerqual, matrix, sources).set_index("Finding id")
    by_id = cerqual.set_index("finding_id")
    for column, label in S.COMPONENTS:
        for fid in findings["id"]:
            cell = frame.at[fid, label]
            judgement = by_id.at[fid, column]
            assert cell.lower().startswith(judgement + ".")
            assert cell.endswith(by_id.at[fid, f"{column}_explanation"])
    html = S.profile_table(findings, cerqual, matrix, sources)._repr_html_()
    assert 'id="tbl-cerqual-profile"' in html


def test_missing_cerqual_assessment_is_an_error(findings, cerqual, matrix, sources):
    with pytest.raises(ValueError, match="no CERQual assessment"):
        S.soqf_frame(findings, cerqual.iloc[1:], matrix, sources)


def test_confidence_counts_and_glue(findings, cerqual):
    counts = S.confidence_counts(cerqual)
    assert list(counts) == list(S.CONFIDENCE_LEVELS)
    assert sum(counts.values()) == len(findings)
    values = S.confidence_glue(findings, cerqual)
    assert values["cq_n_very_low"] == counts["very low"]
    for column, _ in S.COMPONENTS:
        assert sum(values[f"cq_n_{column}_{j.replace(' ', '_')}"] for j in S.JUDGEMENTS) == len(findings)


def test_components_figure_changes_with_a_judgement(findings, cerqual):
    first = S.components_figure(findings, cerqual)
    assert first.svg == S.components_figure(findings, cerqual).svg
    changed = cerqual.copy()
    changed.loc[0, "coherence"] = "serious concerns"
    assert S.components_figure(findings, changed).svg != first.svg


# --------------------------------------------------------------------------- key messages and chapters

def test_fact_number_reads_the_coded_number(facts):
    assert S.fact_number(facts, "tc-ccgs-allocated-staff-time") == 26
    assert S.fact_number(facts, "pf-hl-ccgs-135-before-april-mergers") == 135
    with pytest.raises(KeyError):
        S.fact_number(facts, "no-such-fact")
    with pytest.raises(ValueError):
        S.fact_number(facts, "sf-sustainability-concerns")


def test_key_message_values_come_from_the_data(findings, cerqual, facts, sources):
    values = S.key_message_values(facts, findings, cerqual, load_table("timeline"), sources)
    assert values["km_n_interviews"] == S.fact_number(facts, "sd-sample-size")
    assert values["km_fieldwork"] == "August to December 2019"
    assert values["km_hl_date"] == "29 June 2021"
    for row in cerqual.itertuples(index=False):
        assert values[f"km_conf_{S.glue_key(row.finding_id)}"] == row.confidence


def test_key_messages_are_few_anchored_cited_and_linked(findings, cerqual):
    blocks = S.key_message_blocks(CHAPTERS / "key_messages.ipynb")
    assert 5 <= len(blocks) <= 8
    assert blocks["id"].is_unique
    known = set(findings["id"])
    level = dict(zip(cerqual["finding_id"], cerqual["confidence"]))
    for block in blocks.itertuples(index=False):
        assert block.findings and set(block.findings) <= known, block.id
        assert "{cite:p}`" in block.sentence and "{glue:text}`" in block.sentence, block.id
        # one sentence: it ends once, and nothing but a citation follows a full stop inside it
        plain = re.sub(r"\{[a-z:]+\}`[^`]*`", "X", block.sentence)
        assert plain.endswith(".") and not re.search(r"[.!?] [A-Z]", plain), block.id
        # the confidence shown is that of the linked findings
        assert {k for k in block.confidence_keys} == {S.glue_key(f) for f in block.findings}, block.id
        # a low or very low finding says so inside the message itself
        weak = [f for f in block.findings if level[f] in {"low", "very low"}]
        assert {S.glue_key(f) for f in weak} <= set(block.sentence_confidence_keys), block.id


def test_synthesis_chapter_anchors_every_finding_under_its_title(findings):
    markdown = _markdown("synthesis.ipynb")
    for row in findings.itertuples(index=False):
        assert re.search(rf"^\({re.escape(row.id)}\)=\s*\n### {re.escape(row.title)}\s*$", markdown, flags=re.M), row.id
        assert f"syn_text_{S.glue_key(row.id)}" in markdown


@pytest.mark.parametrize("name,label", [("synthesis.ipynb", "chapter-synthesis"),
                                        ("confidence.ipynb", "chapter-confidence"),
                                        ("key_messages.ipynb", "chapter-key-messages"),
                                        ("appendix.ipynb", "chapter-appendix")])
def test_chapter_labels(name, label):
    assert _markdown(name).lstrip().startswith(f"({label})=")


def test_source_roles_table_characterises_every_source(sources):
    frame = S.source_roles_table(sources).frame
    assert list(frame["Source id"]) == list(S.SOURCE_ORDER)
    assert "not yet characterised" not in set(frame["What kind of evidence"])
    streams = dict(zip(frame["Source id"], frame["Independent line of evidence"]))
    assert streams["hl-2021-vacuum"] == streams["bjgp-2021"]
    assert streams["gponline-autonomy"] == streams["pulse-relationships"]
