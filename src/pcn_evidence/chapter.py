"""A chapter's view of the evidence: only what it declares, and a downloads panel made from that.

The first code cell of every chapter opens it::

    chapter = Chapter("theme_counts")        # declared in chapters/inputs.yml
    counts = chapter.table("theme_counts")   # any undeclared table or file raises

and the last one offers what the page rests on: ``chapter.downloads()``.

>>> chapter = Chapter("theme_counts")
>>> chapter.fact("tc-ccgs-allocated-staff-time").value
26
>>> chapter.table("cerqual")
Traceback (most recent call last):
...
pcn_evidence.inputs.UndeclaredInputError: chapter 'theme_counts' read the table 'cerqual', which chapters/inputs.yml does not declare for it; add it there so that the build re-executes the chapter when it changes
>>> chapter.close()
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import inputs
from .downloads import DownloadsPanel, downloads_panel
from .facts import Fact, fact
from .load import load_table, table_names

__all__ = ["Chapter"]


class Chapter:
    """Open chapter ``name`` (its notebook's file stem): from now on reads are checked against its declaration."""

    def __init__(self, name: str, data_dir: Path | str | None = None):
        self.name = name
        self.declaration = inputs.declaration(name)
        self.data_dir = data_dir
        inputs.activate(self.declaration)

    @property
    def tables(self) -> list[str]:
        """The tables this chapter declares, in the data package's order when it declares them all."""
        if self.declaration.all_tables:
            return table_names(self.data_dir)
        return list(self.declaration.tables)

    def table(self, name: str) -> pd.DataFrame:
        """One declared table, validated and typed (see :func:`pcn_evidence.load_table`)."""
        return load_table(name, self.data_dir)

    def fact(self, fact_id: str) -> Fact:
        """One coded fact from a declared table (see :func:`pcn_evidence.facts.fact`)."""
        return fact(fact_id, self.data_dir)

    def file(self, path: str) -> Path:
        """A declared file other than a table (e.g. ``CITATION.cff``), as a path from the book's root."""
        resolved = inputs.book_root() / path
        inputs.check_file(resolved)
        return resolved

    def downloads(self) -> DownloadsPanel:
        """Links to the CSVs this chapter declares and the figures it has drawn so far."""
        return downloads_panel(self.tables, inputs.figures_rendered())

    def close(self) -> None:
        """Stop checking reads (for tests; a chapter's kernel simply ends)."""
        inputs.deactivate()

    def __repr__(self) -> str:
        files = f"; files: {', '.join(self.declaration.files)}" if self.declaration.files else ""
        return f"Chapter {self.name!r} reads tables: {', '.join(self.tables)}{files}"
