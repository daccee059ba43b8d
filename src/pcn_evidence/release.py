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
>>> release.is_entity("The book team"), release.year, release.pending
(True, 2026, False)

A citation that points nowhere is worse than none, so a base URL that is not
absolute stops everything that reads the release, naming the file and field:

>>> release_from_cff({**cff, "url": "book/"})
Traceback (most recent call last):
...
pcn_evidence.release.ReleaseError: 1 problem in CITATION.cff:
  - field 'url': got 'book/'; the published book's base URL must be absolute (https://host/path/)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .changes import CHANGES_TABLE, has_unreleased
from .inputs import book_root, check_file
from .load import load_table

__all__ = ["PENDING", "Release", "ReleaseError", "read_citation", "read_release", "release_from_cff", "shown_release"]

#: What a citation and the footer add when the book holds evidence changes made after its last release.
PENDING = "with later changes not yet released"

#: x.y.z, optionally with a pre-release or build suffix (semantic versioning): what `make release` takes.
VERSION = re.compile(r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")
#: A bare DOI (10.prefix/suffix), as CFF's schema stores it: no resolver, no "doi:".
DOI = re.compile(r"^10\.\d{4,9}/\S+$")


class ReleaseError(ValueError):
    """CITATION.cff cannot give a citable release: every problem is listed, with its field."""

    def __init__(self, problems: list[str], file: str = "CITATION.cff"):
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in {file}:\n{lines}")


@dataclass(frozen=True)
class Release:
    """What a citation of this version of the book needs."""

    title: str
    version: str
    released: dt.date
    authors: tuple[str, ...]
    base_url: str  # absolute, always ends with "/"
    repository: str
    doi: str | None = None
    #: The authors that are groups or organisations (CFF ``name:``), not persons: BibTeX must
    #: brace them whole, or it reads "PCN evidence book contributors" as a person surnamed "contributors".
    entity_authors: frozenset[str] = field(default_factory=frozenset)
    #: True when this build holds evidence changes made since the release (data/evidence_changes.csv records
    #: them as unreleased): its text is then not the release's, and every citation and footer says so.
    pending: bool = False

    @property
    def pending_note(self) -> str:
        """What a version statement adds in a build with unreleased changes (``", with later changes not yet
        released"``); nothing in a release."""
        return f", {PENDING}" if self.pending else ""

    @property
    def year(self) -> int:
        """The year of release, as an author-year citation prints it."""
        return self.released.year

    def is_entity(self, author: str) -> bool:
        """Whether ``author`` is a group or organisation rather than a person."""
        return author in self.entity_authors

    def page_url(self, docname: str, anchor: str | None = None) -> str:
        """Absolute URL of a page (Sphinx docname, e.g. ``chapters/synthesis``) and optional anchor."""
        url = f"{self.base_url}{docname}.html"
        return f"{url}#{anchor}" if anchor else url


def _author(entry: Mapping[str, Any]) -> str:
    return str(entry.get("name") or f"{entry.get('family-names', '')}, {entry.get('given-names', '')}".strip(", "))


def _date(value: object, problems: list[str]) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"field 'date-released': got {value!r}; expected a date as YYYY-MM-DD")
        return dt.date.min


def _base_url(value: object, problems: list[str]) -> str:
    text = str(value or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment \
            or re.search(r"[\s{}\"<>]", text):
        problems.append(f"field 'url': got {value!r}; the published book's base URL must be absolute "
                        "(https://host/path/)")
    return text.rstrip("/") + "/"


def release_from_cff(cff: Mapping[str, Any], file: str = "CITATION.cff") -> Release:
    """The release facts in a parsed CITATION.cff mapping; :class:`ReleaseError` lists what is wrong."""
    problems: list[str] = []
    title = str(cff.get("title") or "").strip()
    if not title:
        problems.append("field 'title': missing; the book's title is part of every citation")
    version = cff.get("version")
    if not isinstance(version, str) or not VERSION.match(version):
        problems.append(f"field 'version': got {version!r}; expected a quoted or plain x.y.z version such as 0.1.0")
    released = _date(cff.get("date-released"), problems)
    entries = cff.get("authors") or []
    authors = tuple(_author(a) for a in entries if isinstance(a, Mapping))
    if not authors or not all(authors) or len(authors) != len(entries):
        problems.append(f"field 'authors': got {entries!r}; expected a list of persons (family-names, given-names) "
                        "or entities (name)")
    base_url = _base_url(cff.get("url"), problems)
    doi = cff.get("doi")
    if doi is not None and not (isinstance(doi, str) and DOI.match(doi)):
        problems.append(f"field 'doi': got {doi!r}; expected a bare DOI such as 10.5281/zenodo.123 (or no 'doi:' "
                        "until one is minted)")
    if problems:
        raise ReleaseError(problems, file)
    return Release(title=title, version=str(version), released=released, authors=authors, base_url=base_url,
                   repository=str(cff.get("repository-code", "")), doi=str(doi) if doi else None,
                   entity_authors=frozenset(str(a["name"]) for a in entries if a.get("name")))


def read_citation(path: Path | str | None = None) -> dict[str, Any]:
    """The parsed CITATION.cff (within a chapter, a file the chapter must declare)."""
    source = Path(path or book_root() / "CITATION.cff")
    check_file(source)
    return yaml.safe_load(source.read_text(encoding="utf-8"))


def read_release(path: Path | str | None = None) -> Release:
    """The release facts in CITATION.cff (within a chapter, a file the chapter must declare)."""

    return release_from_cff(read_citation(path), file=Path(path).name if path else "CITATION.cff")


def shown_release(path: Path | str | None = None, data_dir: Path | str | None = None) -> Release:
    """The release as the book shows and cites it: CITATION.cff's facts, ``pending`` when the recorded
    evidence changes (data/evidence_changes.csv) hold some made since that release.

    Within a chapter, CITATION.cff and the evidence_changes table must both be declared.
    """
    return replace(read_release(path), pending=has_unreleased(load_table(CHANGES_TABLE, data_dir)))
