"""Render tables for the book: caption, header cells with units, a source line, no index.

Every piece of text is HTML-escaped, because the cells come from data files
that anyone may edit.

>>> import pandas as pd
>>> table = DisplayTable(pd.DataFrame({"Count (CCGs)": [26]}), caption="A <b>test</b>", source="BJGP")
>>> "&lt;b&gt;test&lt;/b&gt;" in table._repr_html_()
True
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["DisplayTable", "PROSE_LENGTH", "format_cell", "ordered", "provenance_columns"]

#: A column with a cell longer than this many characters holds prose (a quote, a description): on paper,
#: its cells may break a long token (a pattern, a file name) anywhere, so that the table fits the page
#: without squeezing its short columns below their longest word.
PROSE_LENGTH = 60


def format_cell(value: object, missing: str = "") -> str:
    """Text for one cell: missing values become ``missing``; whole floats lose their ``.0``."""
    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return missing
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


@dataclass(frozen=True)
class DisplayTable:
    """A table as the book shows it.

    ``frame`` holds exactly the columns to show, named for the reader with units
    in the header (e.g. ``"Count"``, ``"Unit counted"``); its index is never shown.
    ``table_id`` becomes the HTML id, so a briefing can link to the table.
    """

    frame: pd.DataFrame
    caption: str
    source: str
    table_id: str | None = None
    missing: str = "—"
    numeric_columns: tuple[str, ...] = field(default=())

    def _repr_html_(self) -> str:
        esc = html.escape
        numeric = set(self.numeric_columns) | {
            c for c in self.frame.columns if pd.api.types.is_numeric_dtype(self.frame[c])
        }
        table_id = f' id="{esc(self.table_id)}"' if self.table_id else ""
        text = [[format_cell(v, self.missing) for v in row] for row in self.frame.itertuples(index=False)]
        prose = {c for i, c in enumerate(self.frame.columns)
                 if c not in numeric and any(len(row[i]) > PROSE_LENGTH for row in text)}
        num = ' class="pcn-num"'
        kind = {c: num if c in numeric else ' class="pcn-prose"' if c in prose else "" for c in self.frame.columns}
        head = "".join(
            f'<th scope="col"{num if c in numeric else ""}>{esc(str(c))}</th>' for c in self.frame.columns
        )
        body = []
        for row in text:
            cells = "".join(f"<td{kind[c]}>{esc(v)}</td>" for c, v in zip(self.frame.columns, row))
            body.append(f"<tr>{cells}</tr>")
        return (
            # a focusable, labelled region: wide tables scroll sideways, and keyboard users must reach them
            f'<div class="pcn-table-wrap" role="region" aria-label="{esc(self.caption)}" tabindex="0">'
            f'<table class="pcn-table"{table_id}>'
            f"<caption>{esc(self.caption)}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f'<p class="pcn-source">Source: {esc(self.source)}</p></div>'
        )

    def __repr__(self) -> str:
        return f"{self.caption} ({len(self.frame)} rows). Source: {self.source}"


def ordered(frame: pd.DataFrame, column: str, order: Sequence[str], then: Sequence[str] = ()) -> pd.DataFrame:
    """Sort by ``column`` in the given order (unknown values last, in order of appearance), stably.

    >>> ordered(pd.DataFrame({"aspect": ["b", "x", "a"]}), "aspect", ["a", "b"])["aspect"].tolist()
    ['a', 'b', 'x']
    """
    known = list(order) + [v for v in dict.fromkeys(frame[column].dropna()) if v not in order]
    rank = frame[column].map({v: i for i, v in enumerate(known)}).fillna(len(known))
    out = frame.assign(_rank=rank.astype(float), _row=range(len(frame)))
    return out.sort_values(["_rank", *then, "_row"], kind="mergesort").drop(columns=["_rank", "_row"])


def provenance_columns(rows: pd.DataFrame, where: str, sources: Mapping[str, str] | None = None) -> dict[str, pd.Series]:
    """The columns every fact table ends with: the verbatim quote, and where it is (headed ``where``).

    Where a table holds facts from more than one source, ``sources`` maps each source id to the name readers
    know it by (its ``short_label``), and ``where`` names the source before the locator. A fact's id is not
    shown: readers know a fact by its quote, source and locator; the table's source line names the CSV whose
    rows it shows, where the ids are. Spread the columns into a frame:
    ``pd.DataFrame({..., **provenance_columns(rows, "Where in the article")})``.

    >>> rows = pd.DataFrame({"id": ["tc-a"], "quote": ["q"], "locator": ["Results"], "source_id": ["bjgp-2021"]})
    >>> provenance_columns(rows, "Source, where", {"bjgp-2021": "BJGP study"})["Source, where"].tolist()
    ['BJGP study, Results']
    """
    location = rows["locator"]
    if sources is not None:  # a source with no name is an error, never a blank cell
        location = pd.Series([f"{sources[s]}, {loc}" for s, loc in zip(rows["source_id"], rows["locator"])],
                             index=rows.index)
    return {"Verbatim quote": rows["quote"], where: location}
