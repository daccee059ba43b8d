"""Constants and small builders shared by the unit tests (import from here, not from conftest)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SOURCES = ROOT.parent / "shared" / "sources"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

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
