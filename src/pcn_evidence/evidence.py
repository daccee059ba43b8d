"""The evidence matrix and the GRADE-CERQual judgements as frames in the book's order.

A synthesis judges findings against sources: a recorded *stance* (supports, qualifies,
contradicts) with the ids of the coded facts it rests on. Silence is the default: a pair
with no judgement is silent, so a new source needs rows only where it says something. The
synthesis and confidence chapters both need the matrix filled out and in display order (findings by their ``order`` column, sources in
their table's row order), counts over a vocabulary with its zeros, and the independent
lines of evidence behind a finding. Nothing here names a finding, a source or a fact:
the chapters pass the tables in.

>>> findings = pd.DataFrame({"id": ["f-b", "f-a"], "order": [2, 1]})
>>> sources = pd.DataFrame({"id": ["study", "press"]})
>>> matrix = pd.DataFrame({"finding_id": ["f-a", "f-a", "f-b"],
...                        "source_id": ["press", "study", "study"],
...                        "stance": ["supports", "supports", "qualifies"],
...                        "evidence_ids": ["p-1", "s-1; s-2", "s-3"], "note": ["n1", "n2", "n3"]})
>>> cells = complete_matrix(findings, matrix, sources)
>>> cells[["finding_id", "source_id", "ids"]].values.tolist()
[['f-a', 'study', ['s-1', 's-2']], ['f-a', 'press', ['p-1']], ['f-b', 'study', ['s-3']], ['f-b', 'press', []]]
>>> tally(cells["stance"], ["supports", "qualifies", "contradicts", "silent"])
{'supports': 2, 'qualifies': 1, 'contradicts': 0, 'silent': 1}
>>> independent_streams(cells, "f-a", {"study": "the study", "press": "the study"})
['the study']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from .datapackage import split_tags

__all__ = ["SILENT", "ordered_findings", "matrix_problems", "complete_matrix", "in_finding_order", "tally",
           "independent_streams", "stream_problems", "finding_labels", "check_styles"]


def ordered_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings in display order (their ``order`` column, then id), index reset.

    >>> ordered_findings(pd.DataFrame({"id": ["f-b", "f-a"], "order": [2, 1]}))["id"].tolist()
    ['f-a', 'f-b']
    """
    return findings.sort_values(["order", "id"], kind="mergesort").reset_index(drop=True)


SILENT = "silent"


def matrix_problems(findings: pd.DataFrame, matrix: pd.DataFrame, sources: pd.DataFrame) -> list[str]:
    """Every finding no source speaks to, and every pair unexpected in or repeated in the matrix.

    >>> matrix_problems(pd.DataFrame({"id": ["f-a", "f-b"]}), pd.DataFrame({"finding_id": ["f-a", "f-a"],
    ...                 "source_id": ["s", "s"]}), pd.DataFrame({"id": ["s", "t"]}))
    ['unsupported: f-b (no source speaks to it)', 'duplicate: f-a x s']
    """
    expected = {(f, s) for f in findings["id"] for s in sources["id"]}
    present = list(zip(matrix["finding_id"], matrix["source_id"]))
    spoken = set(matrix["finding_id"])
    problems = [f"unsupported: {f} (no source speaks to it)" for f in findings["id"] if f not in spoken]
    problems += [f"unexpected: {f} x {s}" for f, s in sorted(set(present) - expected)]
    problems += [f"duplicate: {f} x {s}" for f, s in sorted({p for p in present if present.count(p) > 1})]
    return problems


def complete_matrix(findings: pd.DataFrame, matrix: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The matrix in display order, one row per finding x source, with the cited fact ids as lists (``ids``).

    A pair with no recorded judgement is silent (stance ``SILENT``, no facts, no note). Raises
    ``ValueError`` naming a finding no source speaks to, and any unexpected or repeated pair.
    """
    problems = matrix_problems(findings, matrix, sources)
    if problems:
        raise ValueError("the evidence matrix does not fit the findings and sources: " + "; ".join(problems))
    finding_rank = {f: i for i, f in enumerate(ordered_findings(findings)["id"])}
    source_rank = {s: i for i, s in enumerate(sources["id"])}
    recorded = set(zip(matrix["finding_id"], matrix["source_id"]))
    silences = pd.DataFrame([{"finding_id": f, "source_id": s, "stance": SILENT, "evidence_ids": "", "note": ""}
                             for f in findings["id"] for s in sources["id"] if (f, s) not in recorded],
                            columns=["finding_id", "source_id", "stance", "evidence_ids", "note"])
    matrix = pd.concat([matrix, silences], ignore_index=True) if len(silences) else matrix
    frame = matrix.assign(_f=matrix["finding_id"].map(finding_rank), _s=matrix["source_id"].map(source_rank),
                          ids=matrix["evidence_ids"].map(split_tags))
    return frame.sort_values(["_f", "_s"], kind="mergesort").drop(columns=["_f", "_s"]).reset_index(drop=True)


def in_finding_order(findings: pd.DataFrame, table: pd.DataFrame, key: str = "finding_id") -> pd.DataFrame:
    """The rows of ``table`` (one per finding, e.g. the CERQual assessments), indexed by finding, in display order.

    Raises ``ValueError`` naming any finding that has no row.

    >>> rows = pd.DataFrame({"finding_id": ["f-b", "f-a"], "confidence": ["low", "moderate"]})
    >>> in_finding_order(pd.DataFrame({"id": ["f-a", "f-b"], "order": [1, 2]}), rows)["confidence"].tolist()
    ['moderate', 'low']
    """
    missing = sorted(set(findings["id"]) - set(table[key]))
    if missing:
        raise ValueError(f"no row in the table for: {', '.join(missing)}")
    return table.set_index(key).loc[list(ordered_findings(findings)["id"])]


def tally(values: Iterable[str], vocabulary: Sequence[str]) -> dict[str, int]:
    """How many of ``values`` take each value of ``vocabulary``, in its order, zeros included.

    Raises ``ValueError`` for a value outside the vocabulary, so nothing is silently left out.

    >>> tally(["low", "low", "moderate"], ["high", "moderate", "low", "very low"])
    {'high': 0, 'moderate': 1, 'low': 2, 'very low': 0}
    """
    values = list(values)
    unknown = sorted(set(values) - set(vocabulary))
    if unknown:
        raise ValueError(f"not in the vocabulary {list(vocabulary)}: {', '.join(map(str, unknown))}")
    return {term: values.count(term) for term in vocabulary}


def independent_streams(cells: pd.DataFrame, finding_id: str, stream_of: Mapping[str, str],
                        fact_stream: Mapping[str, str] | None = None, silent: str = "silent") -> list[str]:
    """The independent lines of evidence not silent on a finding, each once: the sources' first, then others.

    A line of evidence belongs to each fact a judgement cites, not to the article it came in:
    ``fact_stream`` maps a fact id to its own line (reported_findings ``evidence_stream``, e.g.
    NHS England's figure in an article about another body's report), and any other fact
    takes its source's line from ``stream_of`` (sources.csv ``evidence_stream``). A source
    that restates another shares its line, so the two are counted once.

    >>> cells = pd.DataFrame({"finding_id": ["f-a", "f-a"], "source_id": ["study", "press"],
    ...                       "stance": ["supports", "supports"], "ids": [["s-1"], ["p-1", "p-2"]]})
    >>> independent_streams(cells, "f-a", {"study": "the study", "press": "the study"}, {"p-2": "the regulator"})
    ['the study', 'the regulator']
    """
    fact_stream = fact_stream or {}
    rows = cells[(cells["finding_id"] == finding_id) & (cells["stance"] != silent)]
    speaking: list[str] = []
    for source, ids in zip(rows["source_id"], rows["ids"]):
        speaking += [fact_stream.get(fact_id) or stream_of[source] for fact_id in ids] or [stream_of[source]]
    known = list(dict.fromkeys(stream_of.values()))
    return [s for s in known if s in speaking] + [s for s in dict.fromkeys(speaking) if s not in known]


def stream_problems(press: pd.DataFrame, sources: pd.DataFrame, own_reporting: str = "outlet reporting") -> list[str]:
    """Press facts filed under a report they are not part of: attribution is per fact, not per article.

    In an article that covers another's work (sources.csv ``covers`` is set), a fact the outlet
    reports of its own (``reports_on`` is ``own_reporting``: its background, an official figure,
    its own analysis) must name its own ``evidence_stream``, and that must differ from the
    article's, or it would be counted as the covered report's evidence.

    >>> sources = pd.DataFrame({"id": ["pulse"], "covers": ["a report"], "evidence_stream": ["the report"]})
    >>> press = pd.DataFrame({"id": ["pf-a", "pf-b"], "source_id": ["pulse", "pulse"],
    ...                       "reports_on": ["outlet reporting", "the report"], "evidence_stream": ["", ""]})
    >>> stream_problems(press, sources)
    ["pf-a: the outlet's own reporting in an article on a report, with no evidence_stream of its own"]
    """
    covering = sources[sources["covers"].fillna("").astype(str).str.strip() != ""]
    article_stream = dict(zip(covering["id"], covering["evidence_stream"]))
    problems = []
    for row in press.itertuples(index=False):
        if row.source_id not in article_stream or row.reports_on != own_reporting:
            continue
        own = row.evidence_stream if isinstance(row.evidence_stream, str) else ""
        if not own.strip():
            covered = covering.set_index("id").at[row.source_id, "covers"]
            problems.append(f"{row.id}: the outlet's own reporting in an article on {covered}, with no "
                            "evidence_stream of its own")
        elif own == article_stream[row.source_id]:
            problems.append(f"{row.id}: its evidence_stream is its article's ({own!r}), though the outlet reports it "
                            "of its own")
    return problems


def finding_labels(findings: pd.DataFrame) -> list[str]:
    """Figure row labels in display order: each finding's short label, which readers know it by (never its id).

    Raises ``ValueError`` if two findings share a label: their rows could not be told apart.

    >>> finding_labels(pd.DataFrame({"id": ["f-y", "f-x"], "order": [2, 1], "label": ["Pay (press)", "Costs (study)"]}))
    ['Costs (study)', 'Pay (press)']
    """
    ordered = ordered_findings(findings)
    shared = sorted(label for label, n in ordered["label"].value_counts().items() if n > 1)
    if shared:
        raise ValueError(f"findings share a label, so a figure could not tell them apart: {', '.join(shared)}")
    return list(ordered["label"])


def check_styles(styles: Mapping[str, object], vocabulary: Sequence[str]) -> None:
    """Raise ``KeyError`` if a value of the vocabulary has no style (a guard for a new schema value).

    >>> check_styles({"supports": "blue"}, ["supports", "silent"])
    Traceback (most recent call last):
    ...
    KeyError: 'no style for silent'
    """
    missing = [v for v in vocabulary if v not in styles]
    if missing:
        raise KeyError(f"no style for {', '.join(missing)}")
