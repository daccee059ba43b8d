"""Shared fixtures, and the rule that a test run must test something."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SOURCES = ROOT.parent / "shared" / "sources"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(session, config, items):
    # nbval passes vacuously if no notebook is collected: never let that look green.
    if config.getoption("--nbval", default=False) and not any(i.nodeid.endswith(".ipynb") or ".ipynb::" in i.nodeid for i in items):
        raise pytest.UsageError("--nbval was given but no chapter notebook was collected")


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
    import csv
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def mini_package(tmp_path: Path) -> Path:
    """A small valid data package (real schemas, two tables) to break in tests."""
    directory = tmp_path / "data"
    shutil.copytree(DATA / "schemas", directory / "schemas")
    shutil.copy(DATA / "sources.csv", directory / "sources.csv")
    descriptor = json.loads((DATA / "datapackage.json").read_text())
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] in {"sources", "theme_counts"}]
    (directory / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    write_csv(directory / "theme_counts.csv", THEME_COUNTS_HEADER, [list(r) for r in GOOD_COUNT_ROWS])
    return directory
