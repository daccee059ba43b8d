"""Reading the data package (pcn_evidence.datapackage): rows and their lines exactly, and every way a file
cannot be read as one problem naming the file and, where there is one, the line and column."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest

from pcn_evidence import EvidenceError
from pcn_evidence.datapackage import CELL_LIMIT, default_data_dir, parse_cell, read_package, split_tags

SCHEMA = {"fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"},
                     {"name": "note", "type": "string"}]}
NOTES = {"name": "notes", "path": "notes.csv", "schema": "schemas/notes.json"}


def package(tmp_path: Path, content: bytes, schema: object = SCHEMA, resources: list | None = None) -> Path:
    """A one-table package in ``tmp_path/data``: notes.csv holds ``content``, its schema is schemas/notes.json."""
    directory = tmp_path / "data"
    (directory / "schemas").mkdir(parents=True, exist_ok=True)
    (directory / "schemas" / "notes.json").write_text(json.dumps(schema), encoding="utf-8")
    (directory / "notes.csv").write_bytes(content)
    (directory / "datapackage.json").write_text(json.dumps({"resources": resources or [NOTES]}), encoding="utf-8")
    return directory


def messages(directory: Path) -> list[str]:
    return [str(p) for p in read_package(directory)[1]]


def test_rows_are_read_with_the_line_each_ends_on(tmp_path):
    # a blank line is not a row, a quoted cell may span lines, and a short row's missing cells are empty
    content = b'id,n,note\na,1,x\n\n"b\nc",2,y\nd\ne,3,z\n'
    read, problems = read_package(package(tmp_path, content))
    table = read.tables["notes"]
    assert problems == []
    assert table.header == ["id", "n", "note"]
    assert table.rows == [{"id": "a", "n": "1", "note": "x"}, {"id": "b\nc", "n": "2", "note": "y"},
                          {"id": "d", "n": "", "note": ""}, {"id": "e", "n": "3", "note": "z"}]
    assert table.lines == [2, 5, 6, 7]
    assert table.label == "data/notes.csv" and table.fields == SCHEMA["fields"]


def test_a_short_row_of_any_length_is_filled_with_empty_cells(tmp_path):
    schema = {"fields": [{"name": name, "type": "string"} for name in "abcde"]}
    read, problems = read_package(package(tmp_path, b"a,b,c,d,e\n1\n1,2\n1,2,3\n1,2,3,4\n", schema=schema))
    assert problems == []
    assert [list(row.values()) for row in read.tables["notes"].rows] == [
        ["1", "", "", "", ""], ["1", "2", "", "", ""], ["1", "2", "3", "", ""], ["1", "2", "3", "4", ""]]


def test_a_byte_order_mark_is_not_part_of_the_first_column(tmp_path):
    read, problems = read_package(package(tmp_path, b"\xef\xbb\xbfid,n,note\na,1,x\n"))
    assert problems == [] and read.tables["notes"].header == ["id", "n", "note"]


@pytest.mark.parametrize("content, where", [
    (b"id,n,note\nab\xff,1,x\n", "byte 0xff at line 2, column 3"),
    (b"i\xe9d,n,note\n", "byte 0xe9 at line 1, column 2"),
])
def test_a_byte_that_is_not_utf8_is_located_exactly(tmp_path, content, where):
    assert messages(package(tmp_path, content)) == [
        f"data/notes.csv: is not UTF-8 text: {where}; save the file as UTF-8 (in Excel: CSV UTF-8)"]


@pytest.mark.parametrize("content, where", [
    (b"id,n,note\nab\x00,1,x\n", "line 2, column 3"),
    (b"\x00id,n,note\n", "line 1, column 1"),
    (b"\nid\x00,n,note\n", "line 2, column 3"),  # after a first line that is empty
])
def test_a_nul_character_is_located_exactly(tmp_path, content, where):
    assert messages(package(tmp_path, content)) == [
        f"data/notes.csv: contains a NUL character at {where}; remove it (it would silently disappear from the page)"]


@pytest.mark.parametrize("content, after, start", [
    (b'id,n,note\na,1,x\nb,2,y\n"c,3,z\nd,4,w\n', 3, 4),  # the quote opened on line 4 never closes
    (b'id,n,note\n"a,1,x\n', 1, 2),
    (b'id,n,note\na,1,x\n"b"c,2,y\n', 2, 3),  # text after a closing quote
])
def test_a_file_that_is_not_csv_is_located_by_line(tmp_path, content, after, start):
    (message,) = messages(package(tmp_path, content))
    assert message.startswith(f"data/notes.csv: cannot be read as CSV after line {after} (")
    assert f"a quoted cell that starts on line {start} or later is not closed" in message


def test_a_cell_longer_than_the_csv_reader_allows_is_located_by_line(tmp_path):
    huge = "x" * (CELL_LIMIT + 1)
    content = f'id,n,note\na,1,x\nb,2,y\nc,3,"{huge}"\n'.encode()
    assert messages(package(tmp_path, content)) == [
        f"data/notes.csv: a cell starting on line 4 or later is longer than {CELL_LIMIT:,} characters; "
        "store a short quote, never a passage"]


def test_the_readers_cell_limit_is_its_own_whatever_another_library_set(tmp_path):
    """frictionless raises the csv module's global limit to 2 GB when it loads; the reader keeps its own."""
    raised = csv.field_size_limit(2**31 - 2)
    try:
        content = f'id,n,note\na,1,"{"x" * (CELL_LIMIT + 1)}"\n'.encode()
        assert "is longer than 131,072 characters" in messages(package(tmp_path, content))[0]
        assert csv.field_size_limit() == 2**31 - 2, "the reader puts back the limit it found"
    finally:
        csv.field_size_limit(raised)


def test_a_row_with_more_cells_than_the_header_is_named_by_row_and_line(tmp_path):
    content = b"id,n,note\na,1,x\n\nb,2,y,extra\n"
    assert messages(package(tmp_path, content)) == [
        "data/notes.csv, row 2 (line 4): has 4 cells but the header has 3 columns"]


@pytest.mark.parametrize("resource, message", [
    ({"path": "notes.csv", "schema": "schemas/notes.json"}, "resource 'resource 1' has no name"),
    ({"name": "notes"}, "resource 'notes' has no path or schema"),
    ({"name": "notes", "schema": "schemas/notes.json"}, "resource 'notes' has no path"),
])
def test_a_resource_without_a_name_path_or_schema_is_named(tmp_path, resource, message):
    read, problems = read_package(package(tmp_path, b"id,n,note\n", resources=[resource]))
    assert [str(p) for p in problems] == [
        f"data/datapackage.json: {message}; each resource needs a name, a path to its CSV and a schema"]
    assert read.tables == {} and read.unreadable == {message.split("'")[1]}


def test_a_resource_that_cannot_be_read_does_not_stop_the_next(tmp_path):
    resources = [{"name": "bare"}, dict(NOTES, name="gone", path="gone.csv"), NOTES]
    read, problems = read_package(package(tmp_path, b"id,n,note\na,1,x\n", resources=resources))
    assert [str(p) for p in problems] == [
        "data/datapackage.json: resource 'bare' has no path or schema; each resource needs a name, a path to its CSV "
        "and a schema", "data/gone.csv: the table listed in datapackage.json is missing"]
    assert list(read.tables) == ["notes"] and read.unreadable == {"bare", "gone"}


def test_what_was_read_cannot_be_changed_by_accident(tmp_path):
    read, _ = read_package(package(tmp_path, b"id,n,note\na,1,x\n"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        read.tables = {}
    with pytest.raises(dataclasses.FrozenInstanceError):
        read.tables["notes"].rows = []


def test_the_second_nameless_resource_is_numbered_from_one(tmp_path):
    resources = [NOTES, {"path": "other.csv"}]
    assert "resource 'resource 2' has no name or schema" in messages(package(tmp_path, b"id,n,note\n",
                                                                            resources=resources))[0]


def test_a_schema_may_be_written_inline(tmp_path):
    read, problems = read_package(package(tmp_path, b"id,n,note\na,1,x\n", resources=[dict(NOTES, schema=SCHEMA)]))
    assert problems == [] and read.tables["notes"].schema == SCHEMA


@pytest.mark.parametrize("schema, why", [
    (None, "[Errno 2] No such file or directory"),  # the file is missing
    (b"{not json", "Expecting property name"),
    (b'{"fields": "caf\xe9"}', "'utf-8' codec can't decode byte 0xe9"),
    (b"[1]", "cannot convert dictionary update sequence element #0"),  # JSON, but not an object (TypeError)
    (b'"fields"', "dictionary update sequence element #0"),  # JSON, but not an object (ValueError)
])
def test_a_schema_that_cannot_be_read_is_one_problem(tmp_path, schema, why):
    directory = package(tmp_path, b"id,n,note\na,1,x\n")
    path = directory / "schemas" / "notes.json"
    path.unlink() if schema is None else path.write_bytes(schema)
    read, problems = read_package(directory)
    (message,) = map(str, problems)
    assert message.startswith(f"data/schemas/notes.json: cannot read the table schema ({why}"), message
    assert read.tables == {} and read.unreadable == {"notes"}


@pytest.mark.parametrize("content", [None, b"id,n\xff\n"])
def test_a_table_that_cannot_be_read_is_listed_as_unreadable(tmp_path, content):
    directory = package(tmp_path, content or b"")
    if content is None:
        (directory / "notes.csv").unlink()
    read, problems = read_package(directory)
    assert len(problems) == 1 and read.tables == {} and read.unreadable == {"notes"}


def test_a_missing_descriptor_is_named(tmp_path):
    with pytest.raises(EvidenceError, match="datapackage.json: the data package descriptor is missing"):
        read_package(tmp_path)


def test_the_data_folder_can_be_named_by_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PCN_EVIDENCE_DATA", str(tmp_path / "elsewhere"))
    assert default_data_dir() == (tmp_path / "elsewhere").resolve()
    monkeypatch.delenv("PCN_EVIDENCE_DATA")
    monkeypatch.setenv("PCN_BOOK_ROOT", str(tmp_path))
    assert default_data_dir() == tmp_path.resolve() / "data"


@pytest.mark.parametrize("text, kind, value", [
    ("-3", "integer", -3), ("26", "integer", 26), ("-0.5", "number", -0.5), ("12", "number", 12.0),
    ("true", "boolean", True), ("false", "boolean", False), ("=x", "string", "=x"),
    ("1", "any", "1"),  # a type the validator does not check (it refuses it by name) is not converted
])
def test_a_cell_is_converted_to_its_type(text, kind, value):
    kind = json.loads(json.dumps(kind))  # the type name as a schema file gives it, not a constant of this module
    converted = parse_cell(text, kind)
    assert converted == value and type(converted) is type(value)


@pytest.mark.parametrize("text, kind, message", [
    ("2.5", "integer", "expected a whole number (e.g. 26)"), ("1e3", "integer", "expected a whole number"),
    ("1e3", "number", "expected a number (e.g. 26 or 0.5)"), (".5", "number", "expected a number"),
    ("True", "boolean", "expected true or false"), ("yes", "boolean", "expected true or false"),
])
def test_a_cell_that_is_not_its_type_is_refused(text, kind, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_cell(text, kind)


@pytest.mark.parametrize("cell, items", [
    ("ccg-support; covid-19", ["ccg-support", "covid-19"]), (" ; ;", []), ("", []), (None, []),
    (float("nan"), []),  # a missing cell as pandas gives it
])
def test_a_list_cell_is_split_on_semicolons(cell, items):
    assert split_tags(cell) == items


@pytest.mark.parametrize("resources", [{}, 5, None])  # an empty object, and values that cannot be iterated
def test_resources_of_another_kind_are_one_named_problem(tmp_path, resources):
    directory = package(tmp_path, b"id,n,note\na,1,x\n")
    (directory / "datapackage.json").write_text(json.dumps({"resources": resources}), encoding="utf-8")
    with pytest.raises(EvidenceError, match="data/datapackage.json: 'resources' must be a list of objects"):
        read_package(directory)


def test_resources_that_are_not_a_list_are_one_named_problem(tmp_path):
    directory = package(tmp_path, b"id,n,note\na,1,x\n")
    (directory / "datapackage.json").write_text(json.dumps({"resources": {"notes": NOTES}}), encoding="utf-8")
    with pytest.raises(EvidenceError, match="data/datapackage.json: 'resources' must be a list of objects"):
        read_package(directory)


@pytest.mark.parametrize("key, value", [("path", "../README.md"), ("path", "/etc/hostname"),
                                        ("schema", "../../schemas/notes.json")])
def test_a_resource_outside_the_data_folder_is_refused(tmp_path, key, value):
    directory = package(tmp_path, b"id,n,note\na,1,x\n", resources=[dict(NOTES, **{key: value})])
    read, problems = read_package(directory)
    assert "notes" in read.unreadable
    assert [str(p) for p in problems] == ["data/datapackage.json: resource 'notes': its path and schema must be files "
                                          "inside the data folder, written relative to it"]


def test_a_table_that_is_a_symbolic_link_is_refused_when_read(tmp_path):
    """#23: a symlinked table was refused only after the chapters ran."""
    directory = package(tmp_path, b"id,n,note\na,1,x\n")
    elsewhere = tmp_path / "elsewhere.csv"
    (directory / "notes.csv").rename(elsewhere)
    (directory / "notes.csv").symlink_to(elsewhere)
    read, problems = read_package(directory)
    assert "notes" in read.unreadable
    assert [str(p) for p in problems] == ["data/notes.csv: is a symbolic link; a table must be a file in the data "
                                          "folder itself"]


def test_a_resource_outside_the_data_folder_does_not_stop_the_next(tmp_path):
    resources = [dict(NOTES, name="outside", path="../notes.csv"), NOTES]
    read, problems = read_package(package(tmp_path, b"id,n,note\na,1,x\n", resources=resources))
    assert [str(p) for p in problems] == ["data/datapackage.json: resource 'outside': its path and schema must be "
                                          "files inside the data folder, written relative to it"]
    assert list(read.tables) == ["notes"]


def test_a_boolean_cell_read_from_a_file_is_true_or_false():
    # Built at run time, as a cell read from a CSV is: not the interned literal an `is` comparison would match.
    written = "".join(["tr", "ue"])
    assert parse_cell(written, "boolean") is True
    assert parse_cell("".join(["fal", "se"]), "boolean") is False
