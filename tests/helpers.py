"""Constants and small builders shared by the unit tests (import from here, not from conftest)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from pcn_evidence.tools import versions

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SOURCES = ROOT.parent / "shared" / "sources"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def reference_texts(what: str) -> dict[str, str]:
    """Each source's reference text by source id, or a loud skip naming ``what`` is not checked (in CI, a failure)."""
    from pcn_evidence.load import validated_package
    from pcn_evidence.provenance import source_texts

    directory = Path(os.environ.get("PCN_SOURCES_DIR", SOURCES))
    if not directory.is_dir():
        reason = f"reference sources not found at {directory} (set PCN_SOURCES_DIR)"
        if IN_CI:
            pytest.fail(f"{what} cannot be checked in CI: {reason}")
        pytest.skip(f"LOUD SKIP: {what} were not checked against the sources: {reason}")
    return source_texts(validated_package(), directory)

THEME_COUNTS_HEADER = ["id", "meta_theme", "theme_number", "sub_theme", "finding", "count", "unit",
                       "denominator", "denominator_note", "source_id", "locator", "quote"]
GOOD_COUNT_ROWS = [
    ["tc-staff-time", "The multifaceted role of the primary care commissioner", "1", "Support and protection",
     "CCGs allocated staff time", "26", "CCGs", "", "number of CCGs not stated", "bjgp-2021",
     "Results > Theme 1", "Twenty-six CCGs reported that they had allocated some of their staff time"],
    ["tc-nirvana", "The multifaceted role of the primary care commissioner", "1", "Support and protection",
     "Staff described PCNs as nirvana", "9", "CCG staff", "37", "37 interviewees", "bjgp-2021",
     "Results > Theme 1", "Nine CCG staff described PCNs as being seen as the ‘nirvana’ or ‘cavalry’"],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


# --- versions relative to the book's last release ---------------------------------------------------------
# A release test names the book's last release as LAST (read from a copy's CITATION.cff) and every other version
# relative to it, never as today's literal: releasing the book must not break a test that was right.

def next_minor(version: str) -> str:
    """The next minor release after ``version``: the one `make release` would normally make next.

    >>> next_minor("0.1.0"), next_minor("0.9.3"), next_minor("1.10.2")
    ('0.2.0', '0.10.0', '1.11.0')
    """
    major, minor, _ = versions.parse_version(version)
    return f"{major}.{minor + 1}.0"


def lower_version(version: str) -> str:
    """A well-formed version just below ``version`` (below its minor series when its patch is 0).

    >>> lower_version("0.1.0"), lower_version("0.2.3"), lower_version("1.0.0")
    ('0.0.9', '0.2.2', '0.9.9')
    """
    major, minor, patch = versions.parse_version(version)
    if patch:
        return f"{major}.{minor}.{patch - 1}"
    if minor:
        return f"{major}.{minor - 1}.9"
    if major:
        return f"{major - 1}.9.9"
    raise ValueError("no version is lower than 0.0.0")


def field_codes(paragraph) -> list[str]:
    """The instructions of the Word fields in a python-docx ``paragraph``, in order (``["PAGE", "NUMPAGES"]``)."""
    return [" ".join(text.split()) for text in paragraph._p.xpath("./w:r/w:instrText/text()")]
