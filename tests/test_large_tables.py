"""A table far larger than the book expects is named before the chapters run (issue #23: 100,000 unused rows made
the synthesis chapter about 20 times slower, with no word why), and the chapters' kernels do not validate again
the data the build has just validated, which is what made every row cost thirteen times over."""

from __future__ import annotations

import csv
import os
import shutil

import pytest
from helpers import DATA

from pcn_evidence import load
from pcn_evidence.datapackage import read_package
from pcn_evidence.tools import book, checks


def _with_units(tmp_path, extra: int):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    with (data / "units.csv").open("a", newline="", encoding="utf-8") as units:
        writer = csv.writer(units, lineterminator="\n")
        writer.writerows([f"unit-{n}", f"unit {n}"] for n in range(extra))
    return data


def test_a_table_over_the_limit_is_named_once_and_repeated_at_the_end(tmp_path, monkeypatch, capsys):
    data = _with_units(tmp_path, 1000)
    monkeypatch.setattr(checks, "LARGE_TABLE_ROWS", 1000)  # the book's own tables stay under; units has 1,000 more
    monkeypatch.setenv("PCN_EVIDENCE_DATA", str(data))
    monkeypatch.setenv("PCN_SOURCES_DIR", str(tmp_path / "no-sources"))
    monkeypatch.setenv(load.VALIDATED_ENV, "")  # validate_data sets it: put back as it was when the test ends
    warnings = checks.validate_data()
    rows = len(read_package(data)[0].tables["units"].rows)
    expected = (f"WARNING: data/units.csv has {rows:,} rows, far more than the book expects (at most 1,000); every chapter "
                "that reads it is slowed in proportion. If the rows are not meant to be there (pasted twice, a whole "
                "export), remove them.")
    assert warnings == [expected]
    assert capsys.readouterr().out.splitlines() == [expected]
    book._closing_notes(warnings)
    assert capsys.readouterr().out.splitlines()[0] == expected  # the build's last lines say it again
    assert load.VALIDATED_ENV in os.environ, "the chapters are told the data are validated"


def test_the_books_own_tables_are_far_under_the_limit():
    package, problems = read_package(DATA)
    assert not problems
    largest = max(len(table.rows) for table in package.tables.values())
    assert checks.large_tables(package) == [] and largest * 10 < checks.LARGE_TABLE_ROWS


def test_a_kernel_reads_without_validating_the_data_the_build_validated(tmp_path, monkeypatch):
    data = _with_units(tmp_path, 1)
    calls = []
    monkeypatch.setattr(load, "validate_package", lambda directory: calls.append(directory) or read_package(directory)[0])
    load._validated.cache_clear()
    monkeypatch.setenv(load.VALIDATED_ENV, load.data_digest(data))
    load.validated_package(data)
    assert calls == [], "the data the build validated were validated again"
    # an edit after the build validated: the digest no longer matches, and the data are validated
    with (data / "units.csv").open("a", encoding="utf-8") as units:
        units.write("unit-late,unit late\n")
    load.validated_package(data)
    assert calls == [data.resolve()]
    load._validated.cache_clear()


def test_the_digest_is_of_content_and_place(tmp_path):
    data = _with_units(tmp_path, 1)
    digest = load.data_digest(data)
    assert load.data_digest(data) == digest
    copy = tmp_path / "copy"
    shutil.copytree(data, copy)
    assert load.data_digest(copy) != digest, "another folder with the same files is another package"
    schema = data / "schemas" / "units.json"
    schema.write_bytes(schema.read_bytes().replace(b"{", b"{ ", 1))
    assert load.data_digest(data) != digest


@pytest.mark.parametrize("env", [None, "not-the-digest"])
def test_without_the_builds_digest_a_kernel_validates(tmp_path, monkeypatch, env):
    data = _with_units(tmp_path, 1)
    calls = []
    monkeypatch.setattr(load, "validate_package", lambda directory: calls.append(directory) or read_package(directory)[0])
    load._validated.cache_clear()
    if env is None:
        monkeypatch.delenv(load.VALIDATED_ENV, raising=False)
    else:
        monkeypatch.setenv(load.VALIDATED_ENV, env)
    load.validated_package(data)
    assert calls == [data.resolve()]
    load._validated.cache_clear()
