"""Provenance: every coded fact's quote is verbatim in its source.

The sources themselves are never shipped (the press articles are copyrighted);
where a reference copy is at hand, :func:`quote_problems` proves each quote is
in it, character for character up to typographic normalisation.
"""

from __future__ import annotations

import re
from pathlib import Path

from .datapackage import DataPackage
from .errors import Problem
from .load import validated_package

__all__ = ["normalise", "is_verbatim", "source_texts", "quote_problems"]

_TYPOGRAPHY = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
               "\u00a0": " ", "...": "\u2026"}


def normalise(text: str) -> str:
    """Fold curly quotes, dashes, no-break spaces, runs of white space and case."""
    for old, new in _TYPOGRAPHY.items():
        text = text.replace(old, new)
    return re.sub(r"\s+", " ", text).strip().lower()


def is_verbatim(quote: str, source_text: str) -> bool:
    """True if every piece of ``quote`` (pieces joined by '…') occurs in ``source_text``."""
    haystack = normalise(source_text)
    pieces = [p.strip(" '\"") for p in normalise(quote).split("\u2026")]
    return all(p in haystack for p in pieces if p)


def _quote_columns(fields: list[dict]) -> list[str]:
    return [f["name"] for f in fields if f.get("pcn:verbatim")]


def source_texts(package: DataPackage, sources_dir: Path | str) -> dict[str, str]:
    """The reference text of each source (``sources.csv``'s ``source_file``) found in ``sources_dir``, by source id."""
    sources_dir = Path(sources_dir)
    return {row["id"]: (sources_dir / row["source_file"]).read_text(encoding="utf-8")
            for row in package.tables["sources"].rows if (sources_dir / row["source_file"]).is_file()}


def quote_problems(sources_dir: Path | str, data_dir: Path | str | None = None) -> list[Problem]:
    """Every quote that is not verbatim in the source its row names."""
    package = validated_package(data_dir)
    files = {row["id"]: row["source_file"] for row in package.tables["sources"].rows}
    texts = source_texts(package, sources_dir)
    problems = []
    for table in package.tables.values():
        for column in _quote_columns(table.fields):
            for index, row in enumerate(table.rows):
                quote, source_id = row[column], row.get("source_id", "")
                if not quote.strip():
                    continue
                if source_id not in texts:
                    problems.append(Problem(table.label, f"no reference text for source {source_id!r} to check the quote against",
                                            row=index + 1, line=table.lines[index], column=column, value=quote[:60]))
                elif not is_verbatim(quote, texts[source_id]):
                    problems.append(Problem(table.label, f"the quote is not verbatim in {files[source_id]}",
                                            row=index + 1, line=table.lines[index], column=column, value=quote[:80]))
    return problems
