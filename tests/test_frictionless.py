"""The published data package, read from disk as its users' tools read it, is valid for frictionless.

The book's validator hands frictionless the tables its own reader read (pcn_evidence.standard); here
frictionless reads the files itself, with its own CSV reader and encoding detection, as anyone
downloading the package would. A fault of the standard kind planted in a copy is caught both ways, at
the same row and column.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import frictionless  # pinned in requirements.txt: a missing second opinion must fail, not skip
import pytest
from helpers import DATA

from pcn_evidence import EvidenceError
from pcn_evidence.schema import validate_package


def _frictionless_errors(directory: Path, table: str | None = None) -> list[str]:
    """What frictionless finds reading the package's files itself: in every table, or in ``table`` (read with the
    package, so its foreign keys are looked up in the other tables' files)."""
    package = str(directory / "datapackage.json")
    report = frictionless.validate(package) if table is None else frictionless.Package(package).validate(name=table)
    return [f"{task.name}: {error.type}" for task in report.tasks for error in task.errors]


def test_the_shipped_data_package_is_valid_for_frictionless():
    assert _frictionless_errors(DATA) == []


@pytest.mark.parametrize("table, column, value, kind", [
    ("theme_counts", "count", "twenty", "type-error"),
    ("theme_counts", "unit", "GPs", "foreign-key"),
    ("topics", "id", "ccg-support", "primary-key"),
    ("sources", "citation_key", "", "constraint-error"),
])
def test_a_standard_fault_is_caught_by_both_validators(tmp_path, table, column, value, kind):
    import csv
    import io

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / f"{table}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[2][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    found = _frictionless_errors(data, table)  # the planted table (every table: the test above)
    assert any(f"{table}: {kind}" in e for e in found), found
    with pytest.raises(EvidenceError, match=f"data/{table}.csv, row 2 \\(line 3\\), column '{column}'"):
        validate_package(data)
