"""Bad input gets a clear error naming file, row, column, the bad value and what was expected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import GOOD_COUNT_ROWS, THEME_COUNTS_HEADER, write_csv
from pcn_evidence import EvidenceError, load_table
from pcn_evidence.schema import validate_package

COL = {name: i for i, name in enumerate(THEME_COUNTS_HEADER)}


def with_counts(directory: Path, changes: dict[str, str], row: int = 0, header=THEME_COUNTS_HEADER) -> Path:
    rows = [list(r) for r in GOOD_COUNT_ROWS]
    for column, value in changes.items():
        rows[row][COL[column]] = value
    write_csv(directory / "theme_counts.csv", header, rows)
    return directory


def problems(directory: Path) -> str:
    with pytest.raises(EvidenceError) as info:
        validate_package(directory)
    return str(info.value)


def test_the_mini_package_is_valid(mini_package):
    validate_package(mini_package)
    assert list(load_table("theme_counts", mini_package)["count"]) == [26, 9]


@pytest.mark.parametrize("column, value, expected", [
    ("count", "twenty", "column 'count': got 'twenty'; expected a whole number"),
    ("count", "-3", "column 'count': got '-3'; expected a value of at least 0"),
    ("count", "2.5", "column 'count': got '2.5'; expected a whole number"),
    ("unit", "practices", "column 'unit': got 'practices'; unknown unit; expected one of the ids in data/units.csv: CCG areas"),
    ("meta_theme", "Theme 1", "column 'meta_theme': got 'Theme 1'; expected one of"),
    ("quote", "", "column 'quote': got ''; a value is required here but the cell is empty"),
    ("quote", "   ", "column 'quote': got '   '; a value is required here but the cell is empty"),
    ("source_id", "bmj-2020", "column 'source_id': got 'bmj-2020'; unknown source_id; expected one of the ids in data/sources.csv"),
    ("id", "TC 1", "column 'id': got 'TC 1'; does not match the pattern ^tc-[a-z0-9-]+$"),
    ("id", "", "column 'id': got ''; a value is required here"),
    ("count", "25", "column 'count': got '25'; the number 25 does not appear in the row's quote"),
    ("theme_number", "0", "column 'theme_number': got '0'; expected a value of at least 1"),
    ("denominator", "thirty", "column 'denominator': got 'thirty'; expected a whole number"),
    ("finding", " padded", "column 'finding': got ' padded'; remove the spaces at the start or end"),
    ("quote", "x" * 251, "column 'quote': got 'xxxxxxxx"),
])
def test_bad_cell_is_named_precisely(mini_package, column, value, expected):
    message = problems(with_counts(mini_package, {column: value}))
    assert "data/theme_counts.csv, row 1 (line 2), " + expected in message


def test_count_greater_than_denominator(mini_package):
    message = problems(with_counts(mini_package, {"count": "40", "quote": "40 CCG staff said so"}, row=1))
    assert "data/theme_counts.csv, row 2 (line 3), column 'count': got '40'; count 40 is greater than its denominator 37" in message


def test_duplicate_id(mini_package):
    message = problems(with_counts(mini_package, {"id": "tc-staff-time"}, row=1))
    assert "row 2 (line 3), column 'id': got 'tc-staff-time'; duplicate id: it is already used in row 1" in message


def test_missing_column(mini_package):
    header = [h for h in THEME_COUNTS_HEADER if h != "unit"]
    rows = [[v for h, v in zip(THEME_COUNTS_HEADER, r) if h != "unit"] for r in GOOD_COUNT_ROWS]
    write_csv(mini_package / "theme_counts.csv", header, rows)
    assert "data/theme_counts.csv: missing column(s) 'unit'" in problems(mini_package)


def test_extra_column(mini_package):
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER + ["notes"],
              [list(r) + ["x"] for r in GOOD_COUNT_ROWS])
    assert "data/theme_counts.csv: unexpected column(s) 'notes'" in problems(mini_package)


def test_row_with_too_many_cells(mini_package):
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER, [list(GOOD_COUNT_ROWS[0]) + ["stray"]])
    assert "data/theme_counts.csv, row 1 (line 2): has 13 cells but the header has 12 columns" in problems(mini_package)


def test_missing_table_file(mini_package):
    (mini_package / "theme_counts.csv").unlink()
    assert "data/theme_counts.csv: the table listed in datapackage.json is missing" in problems(mini_package)


def test_bad_date_in_sources(mini_package):
    text = (mini_package / "sources.csv").read_text(encoding="utf-8").replace("2021-06-29", "29/06/2021")
    (mini_package / "sources.csv").write_text(text, encoding="utf-8")
    assert "data/sources.csv, row 2 (line 3), column 'date': got '29/06/2021'; does not match the pattern" in problems(mini_package)


def test_every_problem_is_listed_not_just_the_first(mini_package):
    with_counts(mini_package, {"count": "-1", "unit": "GPs", "quote": ""})
    with pytest.raises(EvidenceError) as info:
        validate_package(mini_package)
    assert len(info.value.problems) == 3
    assert str(info.value).startswith("3 problems in the coded evidence:")


def test_unknown_topic_tag(tmp_path):
    from helpers import DATA
    import shutil
    directory = tmp_path / "data"
    shutil.copytree(DATA / "schemas", directory / "schemas")
    shutil.copy(DATA / "sources.csv", directory / "sources.csv")
    descriptor = json.loads((DATA / "datapackage.json").read_text())
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] in {"sources", "study_findings", "topics"}]
    (directory / "datapackage.json").write_text(json.dumps(descriptor))
    shutil.copy(DATA / "topics.csv", directory / "topics.csv")
    header = [f["name"] for f in json.loads((DATA / "schemas" / "study_findings.json").read_text())["fields"]]
    row = {"id": "sf-x", "section": "Results", "meta_theme": "", "finding": "f", "topics": "ccg-support; money",
           "source_id": "bjgp-2021", "locator": "Results", "quote": "q"}
    write_csv(directory / "study_findings.csv", header, [[row[h] for h in header]])
    assert "column 'topics': got 'ccg-support; money'; unknown tag(s) 'money'; expected tags from data/topics.csv" \
        in problems(directory)
    # a list column whose vocabulary table is not in the package is named, not skipped
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "topics"]
    (directory / "datapackage.json").write_text(json.dumps(descriptor))
    assert "column 'topics' refers to the table 'topics', which the data package does not list" in problems(directory)


def test_invalid_descriptor(tmp_path):
    (tmp_path / "datapackage.json").write_text("{not json")
    with pytest.raises(EvidenceError, match="datapackage.json: is not valid JSON"):
        validate_package(tmp_path)


def test_loading_bad_data_raises_the_same_clear_error(mini_package):
    with_counts(mini_package, {"count": "lots"})
    with pytest.raises(EvidenceError, match=r"theme_counts.csv, row 1 \(line 2\), column 'count': got 'lots'"):
        load_table("theme_counts", mini_package)


def _synthesis_package(tmp_path, matrix_rows):
    from helpers import DATA
    import shutil
    directory = tmp_path / "data"
    shutil.copytree(DATA / "schemas", directory / "schemas")
    for name in ("sources", "theme_counts"):
        shutil.copy(DATA / f"{name}.csv", directory / f"{name}.csv")
    descriptor = json.loads((DATA / "datapackage.json").read_text())
    keep = {"sources", "theme_counts", "synthesis_findings", "evidence_matrix"}
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] in keep]
    (directory / "datapackage.json").write_text(json.dumps(descriptor))
    write_csv(directory / "synthesis_findings.csv", ["id", "order", "topic", "title", "finding"],
              [["f-ccg-support", "1", "ccg-support", "CCG support", "CCGs supported PCNs."]])
    write_csv(directory / "evidence_matrix.csv", ["finding_id", "source_id", "stance", "evidence_ids", "note"], matrix_rows)
    return directory


def test_evidence_ids_must_exist_and_match_the_source(tmp_path):
    directory = _synthesis_package(tmp_path, [
        ["f-ccg-support", "bjgp-2021", "supports", "tc-ccgs-allocated-staff-time; tc-made-up", "n"],
        ["f-ccg-support", "hl-2021-vacuum", "supports", "tc-ccgs-allocated-staff-time", "n"],
    ])
    message = problems(directory)
    assert "data/evidence_matrix.csv, row 1 (line 2), column 'evidence_ids': got 'tc-made-up'; unknown evidence id" in message
    assert ("row 2 (line 3), column 'evidence_ids': got 'tc-ccgs-allocated-staff-time'; evidence id "
            "'tc-ccgs-allocated-staff-time' is from source 'bjgp-2021', not from this row's source 'hl-2021-vacuum'") in message


def test_stance_and_evidence_must_agree(tmp_path):
    directory = _synthesis_package(tmp_path, [
        ["f-ccg-support", "bjgp-2021", "supports", "", "n"],
        ["f-ccg-support", "hl-2021-vacuum", "silent", "tc-ccgs-allocated-staff-time", "n"],
        ["f-made-up", "pulse-relationships", "silent", "", "n"],
    ])
    message = problems(directory)
    assert "row 1 (line 2), column 'evidence_ids': got ''; a 'supports' judgement must cite the coded facts" in message
    assert "row 2 (line 3), column 'evidence_ids': got 'tc-ccgs-allocated-staff-time'; the source is 'silent'" in message
    assert "row 3 (line 4), column 'finding_id': got 'f-made-up'; unknown finding_id" in message


def test_a_foreign_key_to_a_table_the_package_does_not_list_is_named(mini_package):
    descriptor = json.loads((mini_package / "datapackage.json").read_text())
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "units"]
    (mini_package / "datapackage.json").write_text(json.dumps(descriptor))
    assert "data/theme_counts.csv: column 'unit' refers to the table 'units', which the data package does not list" \
        in problems(mini_package)


def test_a_field_type_the_validator_does_not_check_is_refused_by_name(mini_package):
    schema_path = mini_package / "schemas" / "theme_counts.json"
    schema = json.loads(schema_path.read_text())
    schema["fields"][0]["type"] = "date"
    schema_path.write_text(json.dumps(schema))
    assert "data/schemas/theme_counts.json: field 'id' has type 'date', which this validator does not check" \
        in problems(mini_package)


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_label_that_a_spreadsheet_would_run_as_a_formula_is_refused(mini_package, start):
    with_counts(mini_package, {"finding": f'{start}HYPERLINK("http://x","y")'})
    assert f"column 'finding': got '{start}HYPERLINK(\"http://x\",\"y\")'; begins with '{start}', which a " \
           "spreadsheet would run as a formula" in problems(mini_package)


def test_a_verbatim_quote_may_begin_like_a_formula(mini_package):
    with_counts(mini_package, {"quote": "-26 CCGs reported that they had allocated some of their staff time"})
    validate_package(mini_package)  # kept verbatim; the downloads neutralise it (see test_downloads)


def _edit_schema(directory: Path, change) -> None:
    path = directory / "schemas" / "theme_counts.json"
    schema = json.loads(path.read_text())
    change(schema, {f["name"]: f for f in schema["fields"]})
    path.write_text(json.dumps(schema))


@pytest.mark.parametrize("change, message", [
    (lambda s, f: s.update({"primarykey": "id"}), "unknown key 'primarykey'; a schema may use"),
    (lambda s, f: f["count"].update({"constraint": {}}), "field 'count': unknown key 'constraint'"),
    (lambda s, f: f["count"]["constraints"].update({"minimun": 0}), "field 'count': unknown constraint 'minimun'"),
    (lambda s, f: f["id"]["constraints"].update({"pattern": "tc-("}), "field 'id': the pattern 'tc-(' is not a valid"),
    (lambda s, f: s["pcn:checks"].append({"check": "not_smaller", "field": "count", "than": "x"}),
     "pcn:checks entry"),
    (lambda s, f: s["foreignKeys"].append({"fields": ["unit", "count"], "reference": {"resource": "units",
                                                                                      "fields": ["id", "x"]}}),
     "this validator checks single-column foreign keys"),
])
def test_a_schema_key_the_validator_does_not_implement_is_refused_by_name(mini_package, change, message):
    _edit_schema(mini_package, change)
    assert message in problems(mini_package)


@pytest.mark.parametrize("constraint, value, message", [
    ({"maximum": 20}, "26", "expected a value of at most 20"),
    ({"exclusiveMinimum": 26}, "26", "expected a value greater than 26"),
    ({"exclusiveMaximum": 26}, "26", "expected a value less than 26"),
])
def test_numeric_bounds_are_enforced(mini_package, constraint, value, message):
    _edit_schema(mini_package, lambda s, f: f["count"]["constraints"].update(constraint))
    assert f"column 'count': got '{value}'; {message}" in problems(mini_package)


def test_min_length_is_enforced(mini_package):
    _edit_schema(mini_package, lambda s, f: f["finding"]["constraints"].update({"minLength": 500}))
    assert "column 'finding'" in problems(mini_package) and "at least 500 are required" in problems(mini_package)


def test_a_foreign_key_in_the_standard_list_form_is_checked(mini_package):
    def to_lists(schema, fields):
        for fk in schema["foreignKeys"]:
            fk["fields"], fk["reference"]["fields"] = [fk["fields"]], [fk["reference"]["fields"]]
    _edit_schema(mini_package, to_lists)
    validate_package(mini_package)
    with_counts(mini_package, {"unit": "GPs"})
    assert "column 'unit': got 'GPs'; unknown unit" in problems(mini_package)


# --- files that cannot be read: one clear problem each, by line and column where there is one ---

def _write(mini_package: Path, content: bytes) -> None:
    (mini_package / "theme_counts.csv").write_bytes(content)


def _good_csv() -> bytes:
    import io
    import csv as csv_module
    out = io.StringIO()
    writer = csv_module.writer(out, lineterminator="\n")
    writer.writerow(THEME_COUNTS_HEADER)
    writer.writerows(GOOD_COUNT_ROWS)
    return out.getvalue().encode("utf-8")


def test_a_byte_order_mark_from_excel_is_accepted(mini_package):
    _write(mini_package, b"\xef\xbb\xbf" + _good_csv())
    validate_package(mini_package)


def test_text_that_is_not_utf8_is_located_by_line_and_column(mini_package):
    content = _good_csv().replace("Twenty-six".encode(), "Twenty\xadsix".encode("latin-1"))
    _write(mini_package, content)
    message = problems(mini_package)
    assert "data/theme_counts.csv: is not UTF-8 text: byte 0xad at line 2, column" in message
    assert message.count("\n  - ") == 1, "one problem, with no knock-on errors"


def test_a_nul_character_is_located_not_dropped(mini_package):
    _write(mini_package, _good_csv().replace(b"Twenty-six", b"Twenty\x00six"))
    assert "data/theme_counts.csv: contains a NUL character at line 2, column" in problems(mini_package)


def test_an_unclosed_quote_is_reported_not_merged_into_the_next_rows(mini_package):
    lines = _good_csv().decode().splitlines(keepends=True)
    lines[1] = lines[1].replace("CCGs allocated staff time", '"CCGs allocated staff time')
    _write(mini_package, "".join(lines).encode())
    message = problems(mini_package)
    assert "data/theme_counts.csv: cannot be read as CSV" in message and "is not closed" in message
    assert "remove the spaces" not in message


def test_a_cell_over_the_csv_size_limit_is_named(mini_package):
    import csv as csv_module
    huge = "x" * (csv_module.field_size_limit() + 10)
    _write(mini_package, _good_csv() + f'tc-huge,a,1,,"{huge}",1,CCGs,,,bjgp-2021,R,q\n'.encode())
    assert "is longer than" in problems(mini_package) and "store a short quote" in problems(mini_package)


def test_a_resource_without_a_schema_or_path_is_named(mini_package):
    descriptor = json.loads((mini_package / "datapackage.json").read_text())
    del descriptor["resources"][-1]["schema"]
    (mini_package / "datapackage.json").write_text(json.dumps(descriptor))
    assert "resource 'units' has no schema; each resource needs a name, a path to its CSV and a schema" \
        in problems(mini_package)


def test_a_missing_table_is_one_problem_without_knock_on_errors(mini_package):
    (mini_package / "units.csv").unlink()
    message = problems(mini_package)
    assert "data/units.csv: the table listed in datapackage.json is missing" in message
    assert message.startswith("1 problem in the coded evidence"), message


def test_a_header_only_table_is_refused_before_a_chapter_needs_its_rows(mini_package):
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER, [])
    assert "data/theme_counts.csv: has 0 row(s); the chapters that read it need at least 1" in problems(mini_package)


def test_a_count_one_over_its_denominator_is_caught_and_one_equal_is_not(mini_package):
    # the boundary: count == denominator is allowed, count == denominator + 1 is not
    with_counts(mini_package, {"count": "37", "quote": "37 CCG staff said so"}, row=1)
    validate_package(mini_package)
    message = problems(with_counts(mini_package, {"count": "38", "quote": "38 CCG staff said so"}, row=1))
    assert "count 38 is greater than its denominator 37" in message
