"""Cross-source synthesis and GRADE-CERQual confidence: the evidence matrix, its heat-map,
the Summary of Qualitative Findings, the Evidence Profile and the key messages' numbers.

Three chapters use this module: ``chapters/synthesis.ipynb`` (findings x sources),
``chapters/confidence.ipynb`` (CERQual tables) and ``chapters/key_messages.ipynb``.
Every function takes validated tables from :func:`pcn_evidence.load_table` (and, where
quotes are needed, :func:`pcn_evidence.provenance.ledger`) and returns a frame, a
:class:`~pcn_evidence.tabulate.DisplayTable`, an :class:`~pcn_evidence.figures.SVGFigure`
or a dict of values to glue. Nothing here types a number that a reader sees.

A finding is cited by its stable id (``f-ccg-support``), never by its position, so a
briefing still points at the right finding after the findings are reordered.

>>> split_ids("sf-a; tc-b;")
['sf-a', 'tc-b']
>>> glue_key("f-covid-19")
'f_covid_19'
>>> join_words(["a", "b", "c"])
'a, b and c'
"""

from __future__ import annotations

import re
import textwrap
from datetime import date
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd
from matplotlib.patches import Rectangle

from .prose import join_words
from .figures import PALETTE, SVGFigure, new_figure, render
from .tabulate import DisplayTable

__all__ = [
    "SOURCE_ORDER", "SOURCE_LABELS", "SOURCE_SHORT", "SOURCE_ROLES", "EVIDENCE_STREAMS",
    "STANCES", "STANCE_STYLE", "CONFIDENCE_LEVELS", "JUDGEMENTS", "COMPONENTS", "TOPIC_SHORT",
    "split_ids", "glue_key", "join_words", "ordered_findings", "matrix_problems", "matrix_long",
    "cited_ids", "unknown_evidence_ids", "stance_counts", "matrix_wide", "matrix_table",
    "matrix_alt", "matrix_figure", "source_roles_table", "finding_sources_table", "finding_quotes", "finding_quotes_table",
    "independent_streams", "synthesis_glue", "contributing_sources", "soqf_frame", "soqf_table",
    "profile_frame", "profile_table", "confidence_counts", "components_figure", "confidence_glue",
    "fact_number", "key_message_values", "key_message_blocks",
]

# --------------------------------------------------------------------------- vocabularies

#: The sources in the order the book shows them: the study first, then its press report,
#: then the independent press, then the two accounts of the NHS Confederation report.
SOURCE_ORDER: tuple[str, ...] = (
    "bjgp-2021", "hl-2021-vacuum", "gponline-performance", "gponline-autonomy", "pulse-relationships",
)

#: Reader-facing names of the sources, by sources.csv id.
SOURCE_LABELS: dict[str, str] = {
    "bjgp-2021": "BJGP study (Warwick-Giles et al.)",
    "hl-2021-vacuum": "Healthcare Leader, on the study",
    "gponline-performance": "GPonline, on performance management",
    "gponline-autonomy": "GPonline, on local autonomy",
    "pulse-relationships": "Pulse, on relationships",
}

#: Column heads for the heat-map (short enough for a phone-width figure).
SOURCE_SHORT: dict[str, str] = {
    "bjgp-2021": "BJGP study",
    "hl-2021-vacuum": "Healthcare Leader",
    "gponline-performance": "GPonline performance",
    "gponline-autonomy": "GPonline autonomy",
    "pulse-relationships": "Pulse relationships",
}

#: What kind of evidence each source is: the role it plays in a CERQual judgement.
SOURCE_ROLES: dict[str, str] = {
    "bjgp-2021": "the only research study: qualitative interviews with CCG staff",
    "hl-2021-vacuum": "trade-press report of the study: restates it, so it is not independent evidence",
    "gponline-performance": "trade press, independent of the study: a PCN clinical director, the BMA and "
                            "NHS Clinical Commissioners",
    "gponline-autonomy": "trade press: a second-hand account of the NHS Confederation report (not itself a source)",
    "pulse-relationships": "trade press: a second-hand account of the same NHS Confederation report",
}

#: Independent lines of evidence. Healthcare Leader restates the study, and GPonline (autonomy)
#: and Pulse report the same NHS Confederation report, so five sources make three streams.
EVIDENCE_STREAMS: dict[str, str] = {
    "bjgp-2021": "the BJGP study",
    "hl-2021-vacuum": "the BJGP study",
    "gponline-performance": "GPonline's own reporting on performance management",
    "gponline-autonomy": "the NHS Confederation report",
    "pulse-relationships": "the NHS Confederation report",
}

#: Stances in the order of the evidence_matrix schema.
STANCES: tuple[str, ...] = ("supports", "qualifies", "contradicts", "silent")

#: Heat-map style per stance: (fill, text colour, word printed in the cell). Okabe-Ito fills;
#: the word is always printed, so colour is never the only carrier of the stance.
STANCE_STYLE: dict[str, tuple[str, str, str]] = {
    "supports": (PALETTE[0], "#FFFFFF", "Supports"),
    "qualifies": (PALETTE[1], "#000000", "Qualifies"),
    "contradicts": (PALETTE[5], "#000000", "Contradicts"),
    "silent": ("#FFFFFF", "#595959", "Silent"),
}

#: CERQual overall confidence levels, highest first, and the component judgements, best first.
CONFIDENCE_LEVELS: tuple[str, ...] = ("high", "moderate", "low", "very low")
JUDGEMENTS: tuple[str, ...] = ("no or very minor concerns", "minor concerns", "moderate concerns", "serious concerns")

#: The four CERQual components: cerqual.csv column -> reader-facing name.
COMPONENTS: tuple[tuple[str, str], ...] = (
    ("methodological_limitations", "Methodological limitations"),
    ("coherence", "Coherence"),
    ("adequacy", "Adequacy of data"),
    ("relevance", "Relevance"),
)

#: Short names of the synthesis topics, for figure rows.
TOPIC_SHORT: dict[str, str] = {
    "ccg-support": "CCG support",
    "ccg-role-guidance": "CCG role and guidance",
    "expectations-workload": "Expectations and workload",
    "national-vs-local": "National contract and local schemes",
    "workforce-arrs": "Workforce and the ARRS",
    "system-engagement": "System engagement",
    "relationships": "Relationships",
    "progress-variation": "Uneven progress",
    "leadership": "Clinical leadership",
    "covid-19": "COVID-19",
    "ccg-mergers": "CCG mergers",
}

_JUDGEMENT_STYLE: dict[str, tuple[str, str, str]] = {  # fill, text colour, word(s) printed
    "no or very minor concerns": ("#FFFFFF", "#000000", "No or very\nminor"),
    "minor concerns": (PALETTE[4], "#000000", "Minor"),
    "moderate concerns": (PALETTE[1], "#000000", "Moderate"),
    "serious concerns": (PALETTE[5], "#000000", "Serious"),
}
_CONFIDENCE_STYLE: dict[str, tuple[str, str, str]] = {
    "high": (PALETTE[2], "#000000", "HIGH"),
    "moderate": (PALETTE[0], "#FFFFFF", "MODERATE"),
    "low": (PALETTE[1], "#000000", "LOW"),
    "very low": (PALETTE[5], "#000000", "VERY LOW"),
}

_COMPONENT_HEADS = {"Methodological limitations": "Methodo-\nlogical\nlimitations"}  # fits a narrow column

_MATRIX_SOURCE = "data/evidence_matrix.csv and data/synthesis_findings.csv"
_CERQUAL_SOURCE = "data/cerqual.csv, data/evidence_matrix.csv and data/synthesis_findings.csv"


# --------------------------------------------------------------------------- helpers

def split_ids(cell: object) -> list[str]:
    """Split a semicolon-separated id cell into ids; an empty or missing cell gives ``[]``."""
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return []
    return [part.strip() for part in str(cell).split(";") if part.strip()]


def glue_key(finding_id: str) -> str:
    """The part of a glue key that names a finding: ``'f-covid-19'`` -> ``'f_covid_19'``."""
    return finding_id.replace("-", "_")


def _wrap(text: str, width: int) -> str:
    """Wrap each line of ``text`` to ``width`` characters, never inside a word or an id."""
    return "\n".join("\n".join(textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False))
                     for line in text.split("\n"))


def _source_ids(sources: pd.DataFrame) -> list[str]:
    """Source ids in the book's order; a source the book does not know yet goes last, by id."""
    known = [s for s in SOURCE_ORDER if s in set(sources["id"])]
    extra = sorted(set(sources["id"]) - set(SOURCE_ORDER))
    return known + extra


def _label(source_id: str) -> str:
    return SOURCE_LABELS.get(source_id, source_id)


def ordered_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """The synthesised findings in display order (the ``order`` column), index reset."""
    return findings.sort_values(["order", "id"], kind="mergesort").reset_index(drop=True)


# --------------------------------------------------------------------------- the matrix

def matrix_problems(findings: pd.DataFrame, matrix: pd.DataFrame, sources: pd.DataFrame) -> list[str]:
    """Every finding x source pair missing from (or unexpected in) the evidence matrix."""
    expected = {(f, s) for f in findings["id"] for s in sources["id"]}
    present = list(zip(matrix["finding_id"], matrix["source_id"]))
    problems = [f"missing: {f} x {s}" for f, s in sorted(expected - set(present))]
    problems += [f"unexpected: {f} x {s}" for f, s in sorted(set(present) - expected)]
    problems += [f"duplicate: {f} x {s}" for f, s in sorted({p for p in present if present.count(p) > 1})]
    return problems


def matrix_long(findings: pd.DataFrame, matrix: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The matrix as one row per finding x source, in display order, with ``ids`` as lists.

    Raises ``ValueError`` if any finding x source pair is missing: an empty cell would
    read as silence, which is a judgement nobody made.
    """
    problems = matrix_problems(findings, matrix, sources)
    if problems:
        raise ValueError("the evidence matrix is incomplete: " + "; ".join(problems))
    order = {fid: i for i, fid in enumerate(ordered_findings(findings)["id"])}
    source_rank = {sid: i for i, sid in enumerate(_source_ids(sources))}
    frame = matrix.copy()
    frame["finding_rank"] = frame["finding_id"].map(order)
    frame["source_rank"] = frame["source_id"].map(source_rank)
    frame["ids"] = frame["evidence_ids"].map(split_ids)
    frame = frame.sort_values(["finding_rank", "source_rank"], kind="mergesort").reset_index(drop=True)
    return frame.drop(columns=["finding_rank", "source_rank"])


def cited_ids(matrix: pd.DataFrame) -> list[str]:
    """Every distinct coded-fact id the matrix cites, sorted."""
    return sorted({i for cell in matrix["evidence_ids"] for i in split_ids(cell)})


def unknown_evidence_ids(matrix: pd.DataFrame, ledger: pd.DataFrame) -> list[str]:
    """Cited ids that are not facts in the provenance ledger, or not from the row's source."""
    facts = dict(zip(ledger["id"].astype(str), ledger["source_id"]))
    problems = []
    for row in matrix.itertuples(index=False):
        for fact in split_ids(row.evidence_ids):
            if fact not in facts:
                problems.append(f"{row.finding_id} x {row.source_id}: {fact} is not in the ledger")
            elif facts[fact] != row.source_id:
                problems.append(f"{row.finding_id} x {row.source_id}: {fact} is from {facts[fact]}")
    return problems


def stance_counts(matrix: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Findings per source and stance: one row per source (book order), one column per stance."""
    counts = pd.crosstab(matrix["source_id"], matrix["stance"])
    counts = counts.reindex(index=_source_ids(sources), columns=list(STANCES), fill_value=0)
    return counts.fillna(0).astype(int)


def _cell_text(stance: str, ids: Sequence[str]) -> str:
    return stance if not ids else f"{stance}: {', '.join(ids)}"


def matrix_wide(findings: pd.DataFrame, matrix: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Findings x sources, each cell the stance and the coded facts it rests on."""
    long = matrix_long(findings, matrix, sources)
    ordered = ordered_findings(findings)
    frame = pd.DataFrame({"Finding": ordered["title"], "Finding id": ordered["id"]})
    for sid in _source_ids(sources):
        part = long[long["source_id"] == sid].set_index("finding_id")
        frame[_label(sid)] = [_cell_text(part.at[f, "stance"], part.at[f, "ids"]) for f in ordered["id"]]
    return frame


def matrix_table(findings: pd.DataFrame, matrix: pd.DataFrame, sources: pd.DataFrame) -> DisplayTable:
    """The evidence coverage matrix as the book shows it."""
    return DisplayTable(
        matrix_wide(findings, matrix, sources),
        caption="Evidence coverage: what each source does to each synthesised finding, "
                "and the coded facts each judgement rests on",
        source=f"{_MATRIX_SOURCE}; the fact ids resolve to quotes in the appendix's provenance ledger",
        table_id="tbl-evidence-matrix",
    )


def independent_streams(matrix: pd.DataFrame, finding_id: str) -> list[str]:
    """The independent lines of evidence (see :data:`EVIDENCE_STREAMS`) that are not silent on a finding."""
    rows = matrix[(matrix["finding_id"] == finding_id) & (matrix["stance"] != "silent")]
    streams = {EVIDENCE_STREAMS.get(s, s) for s in rows["source_id"]}
    ordered = list(dict.fromkeys(EVIDENCE_STREAMS.get(s, s) for s in SOURCE_ORDER))
    return [s for s in ordered if s in streams] + sorted(streams - set(ordered))


def matrix_alt(findings: pd.DataFrame, matrix: pd.DataFrame, sources: pd.DataFrame) -> str:
    """Alt text that states what the matrix shows, computed from the data."""
    counts = stance_counts(matrix, sources)
    n_findings = len(findings)
    parts = []
    for sid in counts.index:
        row = counts.loc[sid]
        said = [f"{row[s]} {s}" for s in STANCES if s != "silent" and row[s] > 0]
        parts.append(f"{SOURCE_SHORT.get(sid, sid)}: {join_words(said, 'nothing')}, silent on {row['silent']}")
    contradictions = int(counts["contradicts"].sum())
    multi = sum(len(independent_streams(matrix, f)) > 1 for f in findings["id"])
    return (
        f"Heat-map of {n_findings} synthesised findings by {len(counts)} sources, with the stance written in "
        f"each cell. {'. '.join(parts)}. "
        f"{'No source contradicts any finding' if contradictions == 0 else f'{contradictions} cells are contradictions'}; "
        f"{multi} of {n_findings} findings draw on more than one independent line of evidence."
    )


def _grid(fig_width: float, row_labels: Sequence[str], column_labels: Sequence[str],
          cells: Sequence[Sequence[tuple[str, str, str]]], source: str, label_width: float = 2.2,
          cell_height: float = 0.5, header_height: float = 0.75, footer_height: float = 0.35,
          label_chars: int = 26) -> tuple:
    """A labelled table-like grid: each cell filled and carrying its own text (never colour alone).

    Positions are computed, not solved, so the SVG bytes are stable across runs.
    """
    n_rows, n_cols = len(row_labels), len(column_labels)
    height = header_height + n_rows * cell_height + footer_height
    fig = new_figure(fig_width, height)
    fig.set_layout_engine("none")
    left = round(label_width / fig_width, 4)
    bottom = round(footer_height / height, 4)
    ax = fig.add_axes((left, bottom, round(1 - left - 0.01, 4), round(n_rows * cell_height / height, 4)))
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    for i, row in enumerate(cells):
        for j, (fill, colour, text) in enumerate(row):
            ax.add_patch(Rectangle((j + 0.03, i + 0.05), 0.94, 0.9, facecolor=fill, edgecolor="#767676",
                                   linewidth=0.8))
            ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=9, color=colour,
                    linespacing=1.1)
    ax.set_yticks([i + 0.5 for i in range(n_rows)], [_wrap(r, label_chars) for r in row_labels], fontsize=9)
    ax.set_xticks([j + 0.5 for j in range(n_cols)], [_wrap(c, 11) for c in column_labels], fontsize=9)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    fig.text(0.01, round(footer_height / height / 3, 4), source, fontsize=9, color="#444444", ha="left")
    return fig, ax


def matrix_figure(findings: pd.DataFrame, matrix: pd.DataFrame, sources: pd.DataFrame,
                  name: str = "fig-evidence-matrix") -> SVGFigure:
    """Heat-map of the evidence matrix: rows findings, columns sources, the stance word and fact count in each cell."""
    long = matrix_long(findings, matrix, sources)
    ordered = ordered_findings(findings)
    source_ids = _source_ids(sources)
    cells = []
    for fid in ordered["id"]:
        part = long[long["finding_id"] == fid].set_index("source_id")
        row = []
        for sid in source_ids:
            fill, colour, word = STANCE_STYLE[part.at[sid, "stance"]]
            n_ids = len(part.at[sid, "ids"])
            row.append((fill, colour, word if n_ids == 0 else f"{word}\n{n_ids} fact{'s' if n_ids != 1 else ''}"))
        cells.append(row)
    labels = [f"{TOPIC_SHORT.get(t, t)}\n({fid})" for fid, t in zip(ordered["id"], ordered["topic"])]
    fig, _ = _grid(6.0, labels, [SOURCE_SHORT.get(s, s) for s in source_ids], cells,
                   source="Source: data/evidence_matrix.csv. Facts: coded facts cited.",
                   label_width=1.85, cell_height=0.52, label_chars=24)
    return render(fig, name=name, alt=matrix_alt(findings, matrix, sources))


def source_roles_table(sources: pd.DataFrame) -> DisplayTable:
    """The sources as evidence: what kind each is and which independent line of evidence it belongs to."""
    ids = _source_ids(sources)
    frame = pd.DataFrame({
        "Source": [_label(s) for s in ids],
        "Source id": ids,
        "What kind of evidence": [SOURCE_ROLES.get(s, "not yet characterised") for s in ids],
        "Independent line of evidence": [EVIDENCE_STREAMS.get(s, s) for s in ids],
    })
    return DisplayTable(frame, caption="The sources as evidence: what each is, and which independent line of evidence it belongs to",
                        source="data/sources.csv; the characterisation is the book's (pcn_evidence.synthesis)",
                        table_id="tbl-synthesis-sources")


# --------------------------------------------------------------------------- one finding's evidence

def finding_sources_table(finding_id: str, findings: pd.DataFrame, matrix: pd.DataFrame,
                          sources: pd.DataFrame) -> DisplayTable:
    """What each source does to one finding: stance, why, and the facts cited."""
    long = matrix_long(findings, matrix, sources)
    rows = long[long["finding_id"] == finding_id]
    if rows.empty:
        raise KeyError(f"no finding {finding_id!r} in the evidence matrix")
    frame = pd.DataFrame({
        "Source": [_label(s) for s in rows["source_id"]],
        "Stance": rows["stance"].to_numpy(),
        "How the source bears on the finding": rows["note"].to_numpy(),
        "Coded facts cited (ids)": [", ".join(ids) if ids else "none (silent)" for ids in rows["ids"]],
    })
    return DisplayTable(frame, caption=f"Sources for finding {finding_id}: stance and evidence",
                        source="data/evidence_matrix.csv", table_id=f"tbl-{finding_id}-sources")


def finding_quotes(finding_id: str, findings: pd.DataFrame, matrix: pd.DataFrame, sources: pd.DataFrame,
                   ledger: pd.DataFrame) -> pd.DataFrame:
    """Every coded fact cited for one finding, with its source, stance, locator and verbatim quote."""
    long = matrix_long(findings, matrix, sources)
    facts = ledger.assign(id=ledger["id"].astype(str)).drop_duplicates("id").set_index("id")
    records = []
    for row in long[long["finding_id"] == finding_id].itertuples(index=False):
        for fact in row.ids:
            if fact not in facts.index:
                raise KeyError(f"{finding_id}: evidence id {fact!r} is not a fact in the provenance ledger")
            records.append({"Source": _label(row.source_id), "Stance": row.stance, "Fact id": fact,
                            "Locator": facts.at[fact, "locator"], "Quote (verbatim)": facts.at[fact, "quote"]})
    return pd.DataFrame(records, columns=["Source", "Stance", "Fact id", "Locator", "Quote (verbatim)"])


def finding_quotes_table(finding_id: str, findings: pd.DataFrame, matrix: pd.DataFrame, sources: pd.DataFrame,
                         ledger: pd.DataFrame) -> DisplayTable:
    """The quoted evidence behind one finding."""
    return DisplayTable(finding_quotes(finding_id, findings, matrix, sources, ledger),
                        caption=f"The quoted evidence for finding {finding_id}",
                        source="the coded facts in data/ (provenance ledger): short verbatim quotes with locators",
                        table_id=f"tbl-{finding_id}-quotes")


def synthesis_glue(findings: pd.DataFrame, matrix: pd.DataFrame, sources: pd.DataFrame,
                   ledger: pd.DataFrame, cerqual: pd.DataFrame) -> dict[str, object]:
    """Values for the synthesis chapter's prose: counts, stances and each finding's text and confidence."""
    long = matrix_long(findings, matrix, sources)
    counts = stance_counts(matrix, sources)
    values: dict[str, object] = {
        "syn_n_sources": len(sources),
        "syn_n_studies": int((sources["kind"] == "peer-reviewed study").sum()),
        "syn_n_press": int((sources["kind"] == "trade press").sum()),
        "syn_n_facts": len(ledger),
        "syn_n_findings": len(findings),
        "syn_n_cells": len(long),
        "syn_n_cited": len(cited_ids(matrix)),
        "syn_n_streams": len(set(EVIDENCE_STREAMS[s] for s in _source_ids(sources) if s in EVIDENCE_STREAMS)),
        "syn_n_multi_stream": sum(len(independent_streams(matrix, f)) > 1 for f in findings["id"]),
    }
    for stance in STANCES:
        values[f"syn_n_{stance}"] = int(counts[stance].sum())
    for sid in _source_ids(sources):
        key = sid.replace("-", "_")
        values[f"syn_n_nonsilent_{key}"] = int(len(findings) - counts.at[sid, "silent"])
        values[f"syn_n_silent_{key}"] = int(counts.at[sid, "silent"])
    confidence = dict(zip(cerqual["finding_id"], cerqual["confidence"]))
    for row in ordered_findings(findings).itertuples(index=False):
        key = glue_key(row.id)
        values[f"syn_text_{key}"] = row.finding
        values[f"syn_conf_{key}"] = confidence.get(row.id, "not assessed")
        values[f"syn_streams_{key}"] = join_words(independent_streams(matrix, row.id))
    return values


# --------------------------------------------------------------------------- CERQual tables

def contributing_sources(finding_id: str, matrix: pd.DataFrame, sources: pd.DataFrame,
                         with_ids: bool = True) -> str:
    """The sources that are not silent on a finding, each with its stance (and cited fact ids)."""
    rows = matrix[(matrix["finding_id"] == finding_id) & (matrix["stance"] != "silent")]
    rank = {sid: i for i, sid in enumerate(_source_ids(sources))}
    rows = rows.assign(rank=rows["source_id"].map(rank)).sort_values("rank", kind="mergesort")
    parts = []
    for row in rows.itertuples(index=False):
        ids = split_ids(row.evidence_ids)
        text = f"{_label(row.source_id)} ({row.stance}"
        text += f"; {', '.join(ids)})" if with_ids else f"; {len(ids)} fact{'s' if len(ids) != 1 else ''})"
        parts.append(text)
    return ". ".join(parts) + "." if parts else "none"


def _cerqual_rows(findings: pd.DataFrame, cerqual: pd.DataFrame) -> pd.DataFrame:
    missing = sorted(set(findings["id"]) - set(cerqual["finding_id"]))
    if missing:
        raise ValueError(f"no CERQual assessment for: {', '.join(missing)}")
    assessed = cerqual.set_index("finding_id")
    return assessed.loc[list(ordered_findings(findings)["id"])]


def soqf_frame(findings: pd.DataFrame, cerqual: pd.DataFrame, matrix: pd.DataFrame,
               sources: pd.DataFrame) -> pd.DataFrame:
    """GRADE-CERQual Summary of Qualitative Findings, with the stable finding id first."""
    ordered = ordered_findings(findings)
    assessed = _cerqual_rows(findings, cerqual)
    return pd.DataFrame({
        "Finding id": ordered["id"].to_numpy(),
        "Summary of review finding": ordered["finding"].to_numpy(),
        "Studies contributing to the finding": [contributing_sources(f, matrix, sources) for f in ordered["id"]],
        "CERQual assessment of confidence": assessed["confidence"].to_numpy(),
        "Explanation of CERQual assessment": assessed["confidence_explanation"].to_numpy(),
    })


def soqf_table(findings: pd.DataFrame, cerqual: pd.DataFrame, matrix: pd.DataFrame,
               sources: pd.DataFrame) -> DisplayTable:
    """The Summary of Qualitative Findings table as the book shows it."""
    return DisplayTable(soqf_frame(findings, cerqual, matrix, sources),
                        caption="Summary of Qualitative Findings (GRADE-CERQual)",
                        source=_CERQUAL_SOURCE + "; contributing sources are those not silent on the finding",
                        table_id="tbl-cerqual-soqf")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def profile_frame(findings: pd.DataFrame, cerqual: pd.DataFrame, matrix: pd.DataFrame,
                  sources: pd.DataFrame) -> pd.DataFrame:
    """GRADE-CERQual Evidence Profile: each component's judgement and its explanation."""
    ordered = ordered_findings(findings)
    assessed = _cerqual_rows(findings, cerqual)
    frame = pd.DataFrame({
        "Finding id": ordered["id"].to_numpy(),
        "Summary of review finding": ordered["title"].to_numpy(),
        "Studies contributing": [contributing_sources(f, matrix, sources, with_ids=False) for f in ordered["id"]],
    })
    for column, label in COMPONENTS:
        frame[label] = [f"{_capitalised(j)}. {e}" for j, e in
                        zip(assessed[column], assessed[f"{column}_explanation"])]
    frame["CERQual assessment of confidence"] = assessed["confidence"].to_numpy()
    frame["Explanation of CERQual assessment"] = assessed["confidence_explanation"].to_numpy()
    return frame


def profile_table(findings: pd.DataFrame, cerqual: pd.DataFrame, matrix: pd.DataFrame,
                  sources: pd.DataFrame) -> DisplayTable:
    """The Evidence Profile table as the book shows it."""
    return DisplayTable(profile_frame(findings, cerqual, matrix, sources),
                        caption="Evidence Profile (GRADE-CERQual): the four components behind each assessment",
                        source=_CERQUAL_SOURCE, table_id="tbl-cerqual-profile")


def confidence_counts(cerqual: pd.DataFrame) -> dict[str, int]:
    """Findings per overall confidence level, highest level first, zeros included."""
    return {level: int((cerqual["confidence"] == level).sum()) for level in CONFIDENCE_LEVELS}


def _components_alt(findings: pd.DataFrame, cerqual: pd.DataFrame) -> str:
    assessed = _cerqual_rows(findings, cerqual)
    counts = confidence_counts(cerqual)
    levels = join_words([f"{n} {level}" for level, n in counts.items() if n])
    serious = [label.lower() for column, label in COMPONENTS if (assessed[column] == "serious concerns").any()]
    worst = {label: int((assessed[column].isin(JUDGEMENTS[2:])).sum()) for column, label in COMPONENTS}
    biggest = max(worst, key=lambda k: (worst[k], -list(worst).index(k)))
    return (
        f"GRADE-CERQual judgements for {len(assessed)} findings, with each judgement written in its cell. "
        f"Overall confidence: {levels}. Moderate or serious concerns are most frequent for "
        f"{biggest.lower()} ({worst[biggest]} findings); serious concerns appear for "
        f"{join_words(serious)}."
    )


def components_figure(findings: pd.DataFrame, cerqual: pd.DataFrame,
                      name: str = "fig-cerqual-components") -> SVGFigure:
    """Grid of the four component judgements and the overall confidence for each finding."""
    ordered = ordered_findings(findings)
    assessed = _cerqual_rows(findings, cerqual)
    cells = []
    for fid in ordered["id"]:
        row = [_JUDGEMENT_STYLE[assessed.at[fid, column]] for column, _ in COMPONENTS]
        row.append(_CONFIDENCE_STYLE[assessed.at[fid, "confidence"]])
        cells.append(row)
    labels = [f"{TOPIC_SHORT.get(t, t)}\n({fid})" for fid, t in zip(ordered["id"], ordered["topic"])]
    columns = [_COMPONENT_HEADS.get(label, label) for _, label in COMPONENTS] + ["Overall confidence"]
    fig, _ = _grid(6.0, labels, columns, cells, source="Source: data/cerqual.csv. Components: level of concern.",
                   label_width=1.85, cell_height=0.52, label_chars=24)
    return render(fig, name=name, alt=_components_alt(findings, cerqual))


def confidence_glue(findings: pd.DataFrame, cerqual: pd.DataFrame) -> dict[str, object]:
    """Values for the confidence chapter: counts per level and the findings at each level."""
    counts = confidence_counts(cerqual)
    ordered = ordered_findings(findings)
    level = dict(zip(cerqual["finding_id"], cerqual["confidence"]))
    values: dict[str, object] = {"cq_n_findings": len(findings)}
    for name, n in counts.items():
        key = name.replace(" ", "_")
        values[f"cq_n_{key}"] = n
        titles = [t for f, t in zip(ordered["id"], ordered["title"]) if level.get(f) == name]
        values[f"cq_list_{key}"] = "; ".join(titles) if titles else "none"
    for column, label in COMPONENTS:
        for judgement in JUDGEMENTS:
            jkey = judgement.replace(" ", "_")
            values[f"cq_n_{column}_{jkey}"] = int((cerqual[column] == judgement).sum())
    values["cq_n_low_or_very_low"] = counts["low"] + counts["very low"]
    return values


# --------------------------------------------------------------------------- key messages

def fact_number(ledger: pd.DataFrame, fact_id: str) -> int:
    """The whole number a coded fact states (its count or number column), e.g. 26 for tc-ccgs-allocated-staff-time."""
    rows = ledger[ledger["id"].astype(str) == fact_id]
    if rows.empty:
        raise KeyError(f"no coded fact {fact_id!r}")
    text = str(rows.iloc[0]["number"]).strip()
    if not text:
        raise ValueError(f"coded fact {fact_id!r} states no number")
    value = float(text)
    if not value.is_integer():
        raise ValueError(f"coded fact {fact_id!r} states {value}, not a whole number")
    return int(value)


#: Glue key (after ``km_``) -> the coded fact whose number it carries.
KEY_MESSAGE_FACTS: dict[str, str] = {
    "n_interviews": "sd-sample-size",
    "n_ccgs_staff_time": "tc-ccgs-allocated-staff-time",
    "n_ccgs_seconded": "tc-ccgs-seconded-staff",
    "n_nirvana": "tc-ccg-staff-nirvana-cavalry",
    "n_ccgs_protect": "tc-ccgs-protect-pcns-from-pressures",
    "n_coordination": "tc-commissioners-coordination-complexities",
    "n_ccgs_different_decisions": "tc-ccgs-different-commissioning-decisions",
    "n_ccgs_liaise": "tc-ccgs-liaise-pcns-wider-system",
    "n_social_prescribers": "tc-social-prescribers-recurrent-schemes",
    "n_ccgs_before": "pf-hl-ccgs-135-before-april-mergers",
    "n_ccgs_after": "pf-hl-ccgs-106-after-april-mergers",
}

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def _month(text: str) -> str:
    year, month = str(text).split("-")[:2]
    return f"{_MONTHS[int(month) - 1]} {year}"


def key_message_values(ledger: pd.DataFrame, findings: pd.DataFrame, cerqual: pd.DataFrame,
                       timeline: pd.DataFrame, sources: pd.DataFrame) -> dict[str, object]:
    """Every number and label the key messages paste in, computed from the coded facts."""
    values: dict[str, object] = {f"km_{key}": fact_number(ledger, fact) for key, fact in KEY_MESSAGE_FACTS.items()}
    fieldwork = timeline.set_index("id").loc["tl-ccg-staff-interviews"]
    start, end = _month(fieldwork["start"]), _month(fieldwork["end"])
    if start.split()[1] == end.split()[1]:
        start = start.split()[0]
    values["km_fieldwork"] = f"{start} to {end}"
    hl = date.fromisoformat(str(sources.set_index("id").loc["hl-2021-vacuum", "date"])[:10])
    values["km_hl_date"] = f"{hl.day} {_MONTHS[hl.month - 1]} {hl.year}"
    level = dict(zip(cerqual["finding_id"], cerqual["confidence"]))
    for fid in ordered_findings(findings)["id"]:
        values[f"km_conf_{glue_key(fid)}"] = level[fid]
    counts = confidence_counts(cerqual)
    values["km_n_findings"] = len(findings)
    for name, n in counts.items():
        values[f"km_n_{name.replace(' ', '_')}"] = n
    return values


_KM_BLOCK = re.compile(
    r"^\((?P<anchor>km-[a-z0-9-]+)\)=\s*\n#{3} (?P<title>[^\n]+)\n+(?P<sentence>[^\n]+)\n+(?P<meta>\*Confidence[^\n]*)",
    flags=re.M,
)


def key_message_blocks(notebook: Path | str) -> pd.DataFrame:
    """Each key message in a notebook: anchor, title, the sentence, and the findings and confidence keys it cites.

    A message is a label line ``(km-…)=``, a ``###`` title, one paragraph (the sentence) and
    a line starting ``*Confidence`` that links its findings with ``{ref}`f-…```.
    """
    import nbformat  # imported late: only the key-messages tests and the citation page need it

    cells = nbformat.read(str(notebook), as_version=4).cells
    text = "\n\n".join(c.source for c in cells if c.cell_type == "markdown")
    records = []
    for match in _KM_BLOCK.finditer(text):
        block = match.group("sentence") + "\n" + match.group("meta")
        records.append({
            "id": match.group("anchor"),
            "title": match.group("title").strip(),
            "sentence": match.group("sentence").strip(),
            "findings": re.findall(r"\{ref\}`(f-[a-z0-9-]+)`", match.group("meta")),
            "confidence_keys": re.findall(r"km_conf_([a-z0-9_]+)", block),
            "sentence_confidence_keys": re.findall(r"km_conf_([a-z0-9_]+)", match.group("sentence")),
        })
    return pd.DataFrame(records, columns=["id", "title", "sentence", "findings", "confidence_keys",
                                          "sentence_confidence_keys"])


def _check_styles(styles: Mapping[str, tuple[str, str, str]], vocabulary: Sequence[str]) -> None:
    """Every value in a vocabulary has a style (a guard for new schema values)."""
    missing = [v for v in vocabulary if v not in styles]
    if missing:
        raise KeyError(f"no style for {', '.join(missing)}")


_check_styles(STANCE_STYLE, STANCES)
_check_styles(_JUDGEMENT_STYLE, JUDGEMENTS)
_check_styles(_CONFIDENCE_STYLE, CONFIDENCE_LEVELS)
