"""The tools' one CSV reader and writer (pcn_evidence.tools.rows): rows round-trip, an appended row keeps the
file's line ending."""

from __future__ import annotations

from pathlib import Path

import pytest

from pcn_evidence.tools.rows import append_row, read_rows, write_rows


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_rows_round_trip_and_an_appended_row_keeps_the_files_line_ending(tmp_path: Path, ending: str) -> None:
    table = tmp_path / "t.csv"
    write_rows(table, ["id", "quote"], [{"id": "a", "quote": 'He said "yes", twice'}], ending)
    append_row(table, {"id": "b"})  # a column the row lacks is written empty
    assert table.read_bytes() == f'id,quote{ending}a,"He said ""yes"", twice"{ending}b,{ending}'.encode()
    assert read_rows(table) == (["id", "quote"], [{"id": "a", "quote": 'He said "yes", twice'},
                                                  {"id": "b", "quote": ""}])
