"""The release facts of the book, read from the one place they are kept: CITATION.cff.

Version, release date, authors, the published book's base URL and an optional DOI
are written only in CITATION.cff; page footers, citations, BibTeX, the Word
briefing and the data package all read them through :func:`read_release`, so no
copy can drift.

>>> cff = {"title": "An evidence book", "version": "1.2.0", "date-released": "2026-01-31",
...        "authors": [{"name": "The book team"}], "url": "https://example.org/book"}
>>> release = release_from_cff(cff)
>>> release.version, release.released.isoformat(), release.doi
('1.2.0', '2026-01-31', None)
>>> release.page_url("chapters/key_messages", "km-x")
'https://example.org/book/chapters/key_messages.html#km-x'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Release", "read_release", "release_from_cff"]


@dataclass(frozen=True)
class Release:
    """What a citation of this version of the book needs."""

    title: str
    version: str
    released: dt.date
    authors: tuple[str, ...]
    base_url: str  # always ends with "/"
    repository: str
    doi: str | None = None

    def page_url(self, docname: str, anchor: str | None = None) -> str:
        """Absolute URL of a page (Sphinx docname, e.g. ``chapters/synthesis``) and optional anchor."""
        url = f"{self.base_url}{docname}.html"
        return f"{url}#{anchor}" if anchor else url


def _author(entry: dict[str, Any]) -> str:
    return str(entry.get("name") or f"{entry.get('family-names', '')}, {entry.get('given-names', '')}".strip(", "))


def release_from_cff(cff: dict[str, Any]) -> Release:
    """The release facts in a parsed CITATION.cff mapping."""
    released = cff["date-released"]
    if not isinstance(released, dt.date):
        released = dt.date.fromisoformat(str(released))
    base = str(cff.get("url") or "").rstrip("/") + "/"
    return Release(title=str(cff["title"]), version=str(cff["version"]), released=released,
                   authors=tuple(_author(a) for a in cff["authors"]), base_url=base,
                   repository=str(cff.get("repository-code", "")), doi=str(cff["doi"]) if cff.get("doi") else None)


def read_release(path: Path | str | None = None) -> Release:
    """The release facts in CITATION.cff (within a chapter, a file the chapter must declare)."""
    from .citation import read_citation  # citation reads the file; this module only interprets it

    return release_from_cff(read_citation(path))
