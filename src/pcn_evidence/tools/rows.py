"""A CSV table of ``data/`` as plain rows, for the tools that edit one as a contributor would (and their tests).

The library reads the data validated and typed (:mod:`pcn_evidence.load`); these tools must read a table
that may not be valid yet (the coding decisions being replaced, a source being added) and write it back cell
for cell, so they read and write text rows. One reader and one writer, so that every tool writes a table with
the same line endings: a table of the book ends its lines with ``\\n``, and an appended row keeps the file's own.
"""

from __future__ import annotations

import csv
from pathlib import Path

__all__ = ["read_rows", "write_rows", "append_row"]


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A CSV file's header and its rows, each a dict of text cells."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]], lineterminator: str = "\n") -> None:
    """Write ``rows`` under ``header`` to ``path``, replacing it."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator=lineterminator)
        writer.writeheader()
        writer.writerows(rows)


def append_row(path: Path, row: dict[str, str]) -> None:
    """Add ``row`` at the end of ``path`` under its own header (a column it lacks is empty), in the file's line
    ending: a table saved from a spreadsheet with ``\\r\\n`` keeps them."""
    header, _ = read_rows(path)
    ending = "\r\n" if b"\r\n" in path.read_bytes() else "\n"
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, header, lineterminator=ending).writerow({c: row.get(c, "") for c in header})
