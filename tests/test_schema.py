"""Bad input gets a clear error naming file, row, column, the bad value and what was expected."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import DATA, GOOD_COUNT_ROWS, THEME_COUNTS_HEADER, write_csv

from pcn_evidence import EvidenceError, load_table
from pcn_evidence.descriptors import schema_shape_problems
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
    import shutil

    from helpers import DATA
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
    import shutil

    from helpers import DATA
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
    import csv as csv_module
    import io
    out = io.StringIO()
    writer = csv_module.writer(out, lineterminator="\n")
    writer.writerow(THEME_COUNTS_HEADER)
    writer.writerows(GOOD_COUNT_ROWS)
    return out.getvalue().encode("utf-8")


def test_a_byte_order_mark_from_excel_is_accepted(mini_package):
    _write(mini_package, b"\xef\xbb\xbf" + _good_csv())
    validate_package(mini_package)


def test_text_that_is_not_utf8_is_located_by_line_and_column(mini_package):
    content = _good_csv().replace(b"Twenty-six", "Twenty\xadsix".encode("latin-1"))
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
    from pcn_evidence.datapackage import CELL_LIMIT
    huge = "x" * (CELL_LIMIT + 10)
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


# --- edges and orders: each check fails one past its limit, passes at it, and runs whatever came before ---

@pytest.mark.parametrize("constraint, good, bad, message", [
    ({"minimum": 2}, ("2", "3"), "1", "expected a value of at least 2"),
    ({"maximum": 2}, ("2", "1"), "3", "expected a value of at most 2"),
    ({"exclusiveMinimum": 2}, ("3", "4"), "1", "expected a value greater than 2"),
    ({"exclusiveMaximum": 2}, ("1", "1"), "3", "expected a value less than 2"),
])
def test_a_bound_allows_its_edge_and_refuses_beyond_it(mini_package, constraint, good, bad, message):
    _edit_schema(mini_package, lambda s, f: f["theme_number"]["constraints"].update(constraint))
    rows = [list(r) for r in GOOD_COUNT_ROWS]
    for row, value in zip(rows, good):
        row[COL["theme_number"]] = value
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER, rows)
    validate_package(mini_package)
    rows[0][COL["theme_number"]] = bad
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER, rows)
    assert f"row 1 (line 2), column 'theme_number': got '{bad}'; {message}" in problems(mini_package)


def test_a_minimum_length_allows_its_edge(mini_package):
    finding = GOOD_COUNT_ROWS[0][COL["finding"]]  # the second row's finding is longer
    _edit_schema(mini_package, lambda s, f: f["finding"]["constraints"].update({"minLength": len(finding)}))
    validate_package(mini_package)
    _edit_schema(mini_package, lambda s, f: f["finding"]["constraints"].update({"minLength": len(finding) + 1}))
    assert (f"row 1 (line 2), column 'finding': got '{finding}'; is {len(finding)} characters; at least "
            f"{len(finding) + 1} are required") in problems(mini_package)


def test_a_quote_of_the_maximum_length_is_allowed_and_one_longer_is_cut_short_in_the_message(mini_package):
    quote = (GOOD_COUNT_ROWS[0][COL["quote"]] + " and more" * 30)[:250]
    validate_package(with_counts(mini_package, {"quote": quote}))
    longer = quote + "s"
    assert (f"row 1 (line 2), column 'quote': got '{longer[:60]}…'; is 251 characters; at most 250 are allowed "
            "(store a short quote, never a passage)") in problems(with_counts(mini_package, {"quote": longer}))


def test_a_placeholder_left_by_add_source_is_refused_with_its_place(mini_package):
    assert ("row 1 (line 2), column 'finding': got 'TODO: the finding'; a placeholder from `make add-source` is still "
            "here") in problems(with_counts(mini_package, {"finding": "TODO: the finding"}))


def test_spaces_at_the_end_of_a_cell_are_refused_too(mini_package):
    assert "column 'finding': got 'padded '; remove the spaces at the start or end of the cell" \
        in problems(with_counts(mini_package, {"finding": "padded "}))


@pytest.mark.parametrize("change, message", [
    (lambda s, f: s["pcn:checks"][0].pop("than"), "pcn:checks entry {'check': 'not_greater', 'field': 'count'} is "
                                                  "not one of: not_greater with keys check, field, than; "),
    (lambda s, f: s["pcn:checks"][0].update({"or_equal": True}), "pcn:checks entry {'check': 'not_greater'"),
    (lambda s, f: s["foreignKeys"].append({"fields": ["unit", "count"], "reference": {"resource": "units",
                                                                                      "fields": ["id"]}}),
     "foreign key {'fields': ['unit', 'count'], 'reference': {'resource': 'units', 'fields': ['id']}}: this "
     "validator checks single-column foreign keys"),
    (lambda s, f: s["foreignKeys"].append({"fields": ["unit"], "reference": {"resource": "units",
                                                                             "fields": ["id", "singular"]}}),
     "foreign key {'fields': ['unit'], 'reference': {'resource': 'units', 'fields': ['id', 'singular']}}: this "
     "validator checks single-column foreign keys"),
    (lambda s, f: s["foreignKeys"].append({"fields": [], "reference": {"resource": "units", "fields": ["id"]}}),
     "foreign key {'fields': [], 'reference': {'resource': 'units', 'fields': ['id']}}: this validator checks"),
    (lambda s, f: s["foreignKeys"].append({"fields": ["unit"], "reference": {"resource": "units", "fields": []}}),
     "foreign key {'fields': ['unit'], 'reference': {'resource': 'units', 'fields': []}}: this validator checks"),
    (lambda s, f: s["foreignKeys"].append({"fields": "unit", "reference": {"fields": "id"}}),
     "foreign key {'fields': 'unit', 'reference': {'fields': 'id'}}: this validator checks single-column"),
])
def test_a_check_or_key_of_the_wrong_shape_is_refused(mini_package, change, message):
    _edit_schema(mini_package, change)
    assert "data/schemas/theme_counts.json: " + message in problems(mini_package)


def test_a_table_may_have_exactly_its_minimum_rows_and_without_a_minimum_none(mini_package):
    _edit_schema(mini_package, lambda s, f: s.update({"pcn:min_rows": 2}))
    validate_package(mini_package)
    _edit_schema(mini_package, lambda s, f: s.update({"pcn:min_rows": 3}))
    assert "data/theme_counts.csv: has 2 row(s); the chapters that read it need at least 3" in problems(mini_package)
    _edit_schema(mini_package, lambda s, f: s.pop("pcn:min_rows"))
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER, [])
    validate_package(mini_package)


def test_a_header_that_repeats_a_column_is_refused(mini_package):
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER + ["finding"],
              [list(r) + [r[COL["finding"]]] for r in GOOD_COUNT_ROWS])
    assert problems(mini_package) == ("1 problem in the coded evidence:\n"
                                      "  - data/theme_counts.csv: the header repeats a column name")


def test_a_wide_header_without_repeats_is_not_taken_for_one_with_repeats(mini_package):
    extra = [f"x{n}" for n in range(300)]  # over 256 columns: counts are compared by value, not identity
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER + extra, [list(r) + extra for r in GOOD_COUNT_ROWS])
    message = problems(mini_package)
    assert "data/theme_counts.csv: unexpected column(s) 'x0'" in message and "repeats" not in message


@pytest.mark.parametrize("primary, column, value", [
    ("id", "id", "tc-staff-time"),
    (["source_id", "id"], "source_id, id", "bjgp-2021 + tc-staff-time"),
])
def test_the_primary_key_is_unique_where_no_column_says_so(mini_package, primary, column, value):
    def primary_key_only(schema, fields):
        schema["primaryKey"] = primary
        del fields["id"]["constraints"]["unique"]
    _edit_schema(mini_package, primary_key_only)
    message = problems(with_counts(mini_package, {"id": "tc-staff-time"}, row=1))
    assert f"row 2 (line 3), column '{column}': got '{value}'; duplicate {column.replace(', ', ' + ')}: it is " \
           "already used in row 1; ids must be unique" in message


def test_missing_key_quote_and_limit_columns_are_reported_not_tripped_over(mini_package):
    gone = {"id", "denominator", "quote"}  # the primary key, count's pcn:number_in text and its not_greater limit
    write_csv(mini_package / "theme_counts.csv", [h for h in THEME_COUNTS_HEADER if h not in gone],
              [[v for h, v in zip(THEME_COUNTS_HEADER, r) if h not in gone] for r in GOOD_COUNT_ROWS])
    message = problems(mini_package)
    assert message.startswith("1 problem in the coded evidence:\n  - data/theme_counts.csv: missing column(s) "
                              "'id', 'denominator', 'quote' (the schema expects"), message


def _rows(*changes: dict[str, str]) -> list[list[str]]:
    """Theme-count rows: each a copy of the second good row with ``changes``."""
    rows = []
    for change in changes:
        row = list(GOOD_COUNT_ROWS[1])
        for column, value in change.items():
            row[COL[column]] = value
        rows.append(row)
    return rows


def test_an_empty_id_is_not_a_duplicate_and_a_later_duplicate_is_still_found(mini_package):
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER,
              _rows({"id": ""}, {"id": "tc-a"}, {"id": "tc-a"}, {"id": ""}))
    with pytest.raises(EvidenceError) as info:
        validate_package(mini_package)
    assert [str(p) for p in info.value.problems] == [
        "data/theme_counts.csv, row 1 (line 2), column 'id': got ''; a value is required here but the cell is empty",
        "data/theme_counts.csv, row 4 (line 5), column 'id': got ''; a value is required here but the cell is empty",
        "data/theme_counts.csv, row 3 (line 4), column 'id': got 'tc-a'; duplicate id: it is already used in row 2; "
        "ids must be unique",
    ]


def test_rows_after_a_cell_that_is_not_a_number_are_still_checked(mini_package):
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER, _rows(
        {"id": "tc-a", "count": "lots"}, {"id": "tc-b", "count": "8"},
        {"id": "tc-c", "count": "40", "quote": "40 CCG staff said so"}))
    message = problems(mini_package)
    assert "row 1 (line 2), column 'count': got 'lots'; expected a whole number" in message
    assert "row 2 (line 3), column 'count': got '8'; the number 8 does not appear in the row's quote" in message
    assert "row 3 (line 4), column 'count': got '40'; count 40 is greater than its denominator 37" in message


def test_a_number_not_in_its_quote_is_shown_as_written(mini_package):
    _edit_schema(mini_package, lambda s, f: f["count"].update({"type": "number"}))
    assert "column 'count': got '2.5'; the number 2.5 does not appear" \
        in problems(with_counts(mini_package, {"count": "2.5"}))
    assert "column 'count': got '25'; the number 25 does not appear" \
        in problems(with_counts(mini_package, {"count": "25"}))


def test_every_row_check_runs_whatever_comes_before_it(mini_package):
    def checks_first(schema, fields):  # two checks on columns this table does not have, before the real one
        schema["pcn:checks"][:0] = [
            {"check": "evidence_for_stance", "field": "evidence_ids", "stance": "stance", "silent": "silent"},
            {"check": "not_greater", "field": "count", "than": "total"}]
    _edit_schema(mini_package, checks_first)
    message = problems(with_counts(mini_package, {"count": "40", "quote": "40 CCG staff said so"}, row=1))
    assert "row 2 (line 3), column 'count': got '40'; count 40 is greater than its denominator 37" in message


def test_each_judgement_but_silence_must_cite_evidence(tmp_path):
    directory = _synthesis_package(tmp_path, [
        ["f-ccg-support", "bjgp-2021", "supports", "tc-ccgs-allocated-staff-time", "n"],
        ["f-ccg-support", "hl-2021-vacuum", "qualifies", "", "n"],
        ["f-ccg-support", "pulse-relationships", "contradicts", "", "n"],
    ])
    message = problems(directory)
    assert "data/evidence_matrix.csv, row 2 (line 3), column 'evidence_ids': got ''; a 'qualifies' judgement must " \
           "cite the coded facts it rests on" in message
    assert "row 3 (line 4), column 'evidence_ids': got ''; a 'contradicts' judgement must cite" in message


def test_a_matrix_without_its_evidence_column_is_reported_not_tripped_over(tmp_path):
    directory = _synthesis_package(tmp_path, [])
    write_csv(directory / "evidence_matrix.csv", ["finding_id", "source_id", "stance", "note"],
              [["f-ccg-support", "bjgp-2021", "supports", "n"]])
    assert "data/evidence_matrix.csv: missing column(s) 'evidence_ids'" in problems(directory)


def test_evidence_from_another_source_is_refused_whichever_source_sorts_first(tmp_path):
    directory = _synthesis_package(tmp_path, [["f-ccg-support", "bjgp-2021", "supports", "tc-nirvana", "n"]])
    rows = [list(r) for r in GOOD_COUNT_ROWS]
    rows[1][COL["source_id"]] = "pulse-relationships"  # sorts after the matrix row's source
    write_csv(directory / "theme_counts.csv", THEME_COUNTS_HEADER, rows)
    assert "row 1 (line 2), column 'evidence_ids': got 'tc-nirvana'; evidence id 'tc-nirvana' is from source " \
           "'pulse-relationships', not from this row's source 'bjgp-2021'" in problems(directory)


@pytest.mark.parametrize("breakage, expected", [
    ("unreadable", "data/sources.csv: the table listed in datapackage.json is missing"),
    ("unlisted", "data/theme_counts.csv: column 'source_id' refers to the table 'sources', which the data package "
                 "does not list"),
    ("no column", "data/theme_counts.csv: missing column(s) 'source_id'"),
])
def test_a_broken_foreign_key_does_not_stop_the_next_from_being_checked(mini_package, breakage, expected):
    # theme_counts lists its foreign key to sources before the one to units
    rows = [list(r) for r in GOOD_COUNT_ROWS]
    rows[1][COL["unit"]] = "GPs"
    header = list(THEME_COUNTS_HEADER)
    if breakage == "unreadable":
        (mini_package / "sources.csv").unlink()
    elif breakage == "unlisted":
        descriptor = json.loads((mini_package / "datapackage.json").read_text())
        descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "sources"]
        (mini_package / "datapackage.json").write_text(json.dumps(descriptor))
    else:
        header.remove("source_id")
        rows = [[v for h, v in zip(THEME_COUNTS_HEADER, r) if h != "source_id"] for r in rows]
    write_csv(mini_package / "theme_counts.csv", header, rows)
    message = problems(mini_package)
    assert expected in message
    assert "data/theme_counts.csv, row 2 (line 3), column 'unit': got 'GPs'; unknown unit" in message


@pytest.mark.parametrize("breakage, expected", [
    ("unlisted", "data/study_findings.csv: column 'section' refers to the table 'bodies', which the data package "
                 "does not list"),
    ("unreadable", "data/bodies.csv: the table listed in datapackage.json is missing"),
    ("no column", "data/schemas/study_findings.json: field 'section': its pcn:list_reference names the column "
                  "'nosuch', which data/bodies.csv does not have"),
])
def test_a_list_column_is_checked_whatever_the_one_before_it_refers_to(tmp_path, breakage, expected):
    import shutil

    from helpers import DATA
    directory = tmp_path / "data"
    shutil.copytree(DATA / "schemas", directory / "schemas")
    for name in ("sources", "topics") + (("bodies",) if breakage == "no column" else ()):
        shutil.copy(DATA / f"{name}.csv", directory / f"{name}.csv")
    keep = {"sources", "study_findings", "topics"} | ({"bodies"} if breakage != "unlisted" else set())
    descriptor = json.loads((DATA / "datapackage.json").read_text())
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] in keep]
    (directory / "datapackage.json").write_text(json.dumps(descriptor))
    path = directory / "schemas" / "study_findings.json"
    schema = json.loads(path.read_text())
    fields = [f["name"] for f in schema["fields"]]
    schema["fields"][fields.index("section")]["pcn:list_reference"] = {
        "resource": "bodies", "field": "nosuch" if breakage == "no column" else "id"}
    path.write_text(json.dumps(schema))
    rows = [{"id": f"sf-{n}", "section": "Results", "meta_theme": "", "finding": "f", "topics": topics,
             "source_id": "bjgp-2021", "locator": "Results", "quote": "q"}
            for n, topics in enumerate(["ccg-support", "money", "covid-19; money"])]
    write_csv(directory / "study_findings.csv", fields, [[row[f] for f in fields] for row in rows])
    message = problems(directory)
    assert expected in message
    assert "data/study_findings.csv, row 2 (line 3), column 'topics': got 'money'; unknown tag(s) 'money'" in message
    assert "data/study_findings.csv, row 3 (line 4), column 'topics': got 'covid-19; money'; unknown tag(s) 'money'" \
        in message


@pytest.mark.parametrize("cell, ends_on", [("Two\n```{literalinclude} /etc/hostname\n```", 4), ("Two\r\nlines", 3)])
def test_a_line_break_in_a_cell_is_refused(mini_package, cell, ends_on):
    """A multi-line cell could hold a directive a page would run: a cell is one line unless pcn:multiline allows."""
    message = problems(with_counts(mini_package, {"finding": cell}))
    assert f"data/theme_counts.csv, row 1 (line {ends_on}), column 'finding': got 'Two\\" in message
    assert "has a line break: a cell is one line of text" in message


def test_a_column_whose_schema_allows_line_breaks_takes_them(mini_package):
    schema_path = mini_package / "schemas" / "theme_counts.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    next(f for f in schema["fields"] if f["name"] == "finding")["pcn:multiline"] = True
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    validate_package(with_counts(mini_package, {"finding": "Two\nlines"}))


# --- a schema of the wrong shape is named, never a traceback (issue #23) --------------------------------------

@pytest.mark.parametrize("change, message", [
    (lambda s, f: f["id"]["constraints"].update({"pattern": 5}), "at fields[0].constraints.pattern: 5 is not of type 'string'"),
    (lambda s, f: f["count"]["constraints"].update({"minimum": "0"}), "constraints.minimum: '0' is not of type 'number'"),
    (lambda s, f: s.update({"pcn:min_rows": "1"}), "at pcn:min_rows: '1' is not of type 'integer'"),
    (lambda s, f: f["unit"].pop("name"), "'name' is a required property"),
    (lambda s, f: f["count"].update({"constraints": ["required"]}), "constraints: ['required'] is not of type 'object'"),
    (lambda s, f: s.update({"fields": "id"}), "at fields: 'id' is not of type 'array'"),
])
def test_a_malformed_schema_value_is_one_named_problem(mini_package, change, message):
    _edit_schema(mini_package, change)
    found = problems(mini_package)
    assert "data/schemas/theme_counts.json: " in found and message in found, found
    assert "Traceback" not in found
    assert found.startswith("1 problem in the coded evidence:"), found


def test_a_schema_broken_and_mended_after_a_validation_is_checked_as_it_now_is(mini_package):
    # the schema checks are remembered by the schema's text within a process: never a stale verdict
    validate_package(mini_package)
    _edit_schema(mini_package, lambda s, f: f["count"]["constraints"].update({"minimum": "0"}))
    assert "constraints.minimum: '0' is not of type 'number'" in problems(mini_package)
    _edit_schema(mini_package, lambda s, f: f["count"]["constraints"].update({"minimum": 0}))
    validate_package(mini_package)


def test_a_foreign_key_to_a_missing_column_is_named(mini_package):
    _edit_schema(mini_package, lambda s, f: s["foreignKeys"][0]["reference"].update({"fields": "nosuch"}))
    assert "data/schemas/theme_counts.json: the foreign key on" in problems(mini_package)
    assert "refers to the column 'nosuch', which data/" in problems(mini_package)


def test_a_list_reference_without_its_resource_or_to_a_missing_column_is_named(tmp_path):
    directory = tmp_path / "data"
    shutil.copytree(DATA, directory)
    path = directory / "schemas" / "key_messages.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    reference = next(f for f in schema["fields"] if "pcn:list_reference" in f)["pcn:list_reference"]
    reference.pop("resource")
    path.write_text(json.dumps(schema), encoding="utf-8")
    assert "pcn:list_reference: 'resource' is a required property" in problems(directory)
    reference.update({"resource": "synthesis_findings", "field": "nosuch"})
    path.write_text(json.dumps(schema), encoding="utf-8")
    assert "names the column 'nosuch', which data/synthesis_findings.csv does not have" in problems(directory)


def test_completeness_is_a_validation_rule(tmp_path):
    """Every finding has its appraisal and every table a page needs has rows: found here, not in a chapter."""
    directory = tmp_path / "data"
    shutil.copytree(DATA, directory)
    cerqual = directory / "cerqual.csv"
    lines = cerqual.read_text(encoding="utf-8").splitlines(keepends=True)
    missing = lines[1].split(",", 1)[0]
    cerqual.write_text("".join(lines[:1] + lines[2:]), encoding="utf-8")
    found = problems(directory)
    assert "data/synthesis_findings.csv, row" in found and f"column 'id': got '{missing}'; unknown id" in found
    assert "data/cerqual.csv" in found
    changes = directory / "evidence_changes.csv"
    changes.write_text(changes.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert "data/evidence_changes.csv: has 0 row(s); the chapters that read it need at least 1" in problems(directory)


# --- frictionless checks the standard's rules (issue #22): what it finds that the hand-written validator did not ---

@pytest.mark.parametrize("kind, value, expected", [
    ("integer", "+26", "expected a whole number (e.g. 26)"),
    ("integer", "2_6", "expected a whole number (e.g. 26)"),
    ("integer", "26.0", "expected a whole number (e.g. 26)"),
    ("number", "2.6e1", "expected a number (e.g. 26 or 0.5)"),
    ("number", ".5", "expected a number (e.g. 26 or 0.5)"),
    ("number", "NaN", "expected a number (e.g. 26 or 0.5)"),  # NaN also fails the minimum: one problem, its form
    ("number", "Infinity", "expected a number (e.g. 26 or 0.5)"),
])
def test_a_number_is_written_as_plain_digits_though_frictionless_reads_more(mini_package, kind, value, expected):
    _edit_schema(mini_package, lambda s, f: f["count"].update({"type": kind}))
    message = problems(with_counts(mini_package, {"count": value}))
    assert message == f"1 problem in the coded evidence:\n  - data/theme_counts.csv, row 1 (line 2), column 'count': " \
                      f"got '{value}'; {expected}"


@pytest.mark.parametrize("value", ["True", "1", "yes"])
def test_a_boolean_is_written_true_or_false(tmp_path, value):
    directory = tmp_path / "data"
    shutil.copytree(DATA, directory)
    path = directory / "source_kinds.csv"
    text = path.read_text(encoding="utf-8")
    header, first, rest = text.split("\n", 2)
    column = next(f["name"] for f in json.loads((directory / "schemas" / "source_kinds.json").read_text())["fields"]
                  if f.get("type") == "boolean")
    cells = first.split(",")  # the first row of the kinds has no quoted cell
    cells[header.split(",").index(column)] = value
    path.write_text("\n".join([header, ",".join(cells), rest]), encoding="utf-8")
    assert f"data/source_kinds.csv, row 1 (line 2), column '{column}': got '{value}'; expected true or false" \
        in problems(directory)


def test_a_primary_key_or_field_name_the_schema_does_not_have_is_named(mini_package):
    # the hand-written validator skipped a primary key on a column the table lacked
    _edit_schema(mini_package, lambda s, f: s.update({"primaryKey": "nosuch"}))
    assert problems(mini_package).startswith("1 problem in the coded evidence:\n  - data/schemas/theme_counts.json: "
                                             "primary key \"['nosuch']\" does not match the fields")
    _edit_schema(mini_package, lambda s, f: s.update({"primaryKey": "id", "fields": s["fields"] + [f["quote"]]}))
    assert "data/schemas/theme_counts.json: names of the fields are not unique" in problems(mini_package)


def test_a_constraint_its_type_does_not_support_is_refused_by_name(mini_package):
    # a pattern on a number was checked against the text before; the standard has no such constraint
    _edit_schema(mini_package, lambda s, f: f["count"]["constraints"].update({"pattern": "[0-9]+"}))
    assert "data/schemas/theme_counts.json: field 'count': unknown constraint 'pattern'; a field of type 'integer' " \
           "may use enum, exclusiveMaximum, exclusiveMinimum, maximum, minimum, required, unique" in problems(mini_package)


def test_an_empty_primary_key_is_required_even_where_its_columns_are_not(mini_package):
    def optional_pair(schema, fields):
        schema["primaryKey"] = ["denominator_note", "denominator"]
        del fields["id"]["constraints"]["unique"]
    _edit_schema(mini_package, optional_pair)
    validate_package(mini_package)  # the first row's denominator is empty, but its note is not
    message = problems(with_counts(mini_package, {"denominator_note": ""}))
    assert message == ("1 problem in the coded evidence:\n  - data/theme_counts.csv, row 1 (line 2), column "
                       "'denominator_note, denominator': got ' + '; a value is required here but the cell is empty")


def test_a_cell_refused_as_written_is_reported_for_that_alone(mini_package):
    message = problems(with_counts(mini_package, {"source_id": "bjgp-2021 ", "count": " 26"}))
    assert message == (
        "2 problems in the coded evidence:\n"
        "  - data/theme_counts.csv, row 1 (line 2), column 'count': got ' 26'; remove the spaces at the start or end "
        "of the cell\n"
        "  - data/theme_counts.csv, row 1 (line 2), column 'source_id': got 'bjgp-2021 '; remove the spaces at the "
        "start or end of the cell")


@pytest.mark.parametrize("change, message", [
    (lambda d: d["resources"].append(dict(d["resources"][0])), "data/datapackage.json: names of the resources are "
                                                                "not unique"),
    (lambda d: d["resources"][0].update({"name": "Sources"}), "data/datapackage.json: resource 'Sources': 'Sources' "
                                                              "does not match"),
])
def test_the_package_descriptor_is_checked_by_the_standard(mini_package, change, message):
    descriptor = json.loads((mini_package / "datapackage.json").read_text())
    change(descriptor)
    (mini_package / "datapackage.json").write_text(json.dumps(descriptor))
    assert message in problems(mini_package)


def test_a_field_without_a_type_is_text(mini_package):
    # The standard's default type; frictionless is shown it as a string field (and a formula start is refused).
    _edit_schema(mini_package, lambda s, f: f["sub_theme"].pop("type"))
    validate_package(mini_package)
    assert "begins with '='" in problems(with_counts(mini_package, {"sub_theme": "=SUM(A1)"}))


def shape_messages(schema: dict) -> list[str]:
    """What the book's schema-shape check says of ``schema``, as if read from data/schemas/t.json."""
    return [p.message for p in schema_shape_problems("data/schemas/t.json", schema)]


def test_a_schema_s_faults_are_listed_by_their_place_in_it_not_by_their_wording():
    # The second field's fault is worded so that it sorts first.
    schema = {"fields": [{"name": "a", "type": "string", "pcn:multiline": 1},
                         {"name": "b", "type": "string", "pcn:verbatim": "yes"}]}
    found = shape_messages(schema)
    assert [m[:len("at fields[0]")] for m in found] == ["at fields[0]", "at fields[1]"], found


def test_a_schema_fault_before_another_field_does_not_hide_that_field_s_faults():
    # The first field is not an object (the book's profile names it); the next field's type must still be checked.
    schema = {"fields": ["id", {"name": "when", "type": "date"}]}
    found = shape_messages(schema)
    assert found[0].startswith("at fields[0]: 'id' is not of type 'object'"), found
    assert any(m.startswith("field 'when' has type 'date', which this validator does not check") for m in found), found


def test_an_empty_list_of_allowed_values_is_refused():
    schema = {"fields": [{"name": "kind", "type": "string", "constraints": {"enum": []}}]}
    found = shape_messages(schema)
    assert len(found) == 1 and found[0].startswith("at fields[0].constraints.enum: [] "), found


def test_a_resource_without_a_name_is_one_named_problem_when_the_package_is_validated(mini_package):
    descriptor = json.loads((mini_package / "datapackage.json").read_text())
    descriptor["resources"].append({"path": "notes.csv", "schema": "schemas/notes.json"})
    (mini_package / "datapackage.json").write_text(json.dumps(descriptor))
    found = problems(mini_package)
    assert found.startswith("1 problem in the coded evidence:"), found
    assert "data/datapackage.json: resource 'resource 6' has no name" in found, found


def test_a_cell_refused_as_written_in_a_later_row_is_named_by_that_row(mini_package):
    # The second row: a row number computed wrongly from the row's index (index | 1, say) is still right for the first.
    found = problems(with_counts(mini_package, {"finding": " padded"}, row=1))
    assert "data/theme_counts.csv, row 2 (line 3), column 'finding': got ' padded'" in found, found


def test_a_source_silent_on_a_finding_cites_no_evidence_and_needs_none(tmp_path):
    directory = _synthesis_package(tmp_path, [
        ["f-ccg-support", "hl-2021-vacuum", "silent", "", "n"],
        ["f-ccg-support", "bjgp-2021", "supports", "", "n"],
    ])
    message = problems(directory)
    assert "row 2 (line 3), column 'evidence_ids': got ''; a 'supports' judgement must cite" in message  # checked
    assert "row 1 (line 2), column 'evidence_ids'" not in message, message


def test_a_list_of_one_allowed_value_is_a_list_of_allowed_values():
    schema = {"fields": [{"name": "kind", "type": "string", "constraints": {"enum": ["study"]}}]}
    assert shape_messages(schema) == []


def test_a_long_placeholder_is_shown_by_its_first_sixty_characters(mini_package):
    text = "TODO: " + "fill in the finding from the source " * 3 + "text"
    message = problems(with_counts(mini_package, {"finding": text}))
    assert f"a placeholder from `make add-source` is still here: {text[:60]!r}; fill it in" in message, message


def test_a_long_cell_refused_as_written_is_shown_whole_unless_it_breaks_a_line(mini_package):
    padded = "A finding written out at some length, longer than sixty characters in all "  # the space at the end
    message = problems(with_counts(mini_package, {"finding": padded}))
    assert f"column 'finding': got {padded!r}; remove the spaces" in message, message
    broken = "A finding written out at some length, longer than sixty\ncharacters in all"
    message = problems(with_counts(mini_package, {"finding": broken}))
    assert f"column 'finding': got {broken[:60]!r}; has a line break" in message, message


def test_foreign_key_problems_come_in_the_order_the_schema_lists_the_keys(mini_package):
    # unit's key listed first: its problem comes first though source_id sorts before unit and its row is earlier
    _edit_schema(mini_package, lambda s, f: s["foreignKeys"].reverse())
    rows = [list(r) for r in GOOD_COUNT_ROWS]
    rows[0][COL["source_id"]], rows[1][COL["unit"]] = "nosuch", "GPs"
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER, rows)
    message = problems(mini_package)
    assert 0 < message.index("unknown unit") < message.index("unknown source_id"), message


@pytest.mark.parametrize("schema, where", [
    ({}, "at the top level: "),  # no fields at all
    ({"fields": []}, "at fields: "),  # a table of no columns
    ({"fields": [{"name": "n", "type": "integer"}], "pcn:min_rows": -1}, "at pcn:min_rows: "),
    ({"fields": [{"name": "n", "type": "string", "pcn:number_in": ""}]}, "at fields[0].pcn:number_in: "),
])
def test_a_schema_value_outside_the_book_s_profile_is_refused_where_it_is(schema, where):
    found = shape_messages(schema)
    assert any(m.startswith(where) for m in found), found


def test_the_smallest_values_the_book_s_profile_allows_are_allowed():
    # no rows required, and a one-character column name
    schema = {"fields": [{"name": "c", "type": "string"}, {"name": "n", "type": "string", "pcn:number_in": "c"}],
              "pcn:min_rows": 0}
    assert shape_messages(schema) == []


def test_a_fault_outside_the_fields_is_not_put_on_a_field():
    # a foreign key's fault sits at foreignKeys[0], an index like a field's: it must not be named by field 0
    schema = {"fields": [{"name": "unit", "type": "string"}],
              "foreignKeys": [{"fields": ["unit"], "reference": "units"}]}
    found = shape_messages(schema)
    assert found and not any("(field 'unit')" in m for m in found), found


def test_a_field_s_fault_names_the_field_in_a_schema_read_from_its_file():
    # as validate_package reads it: json.loads makes new strings for the keys, so the field is found by value
    schema = json.loads('{"fields": [{"name": "n", "type": "string", "pcn:verbatim": "yes"}]}')
    found = shape_messages(schema)
    assert found == ["at fields[0].pcn:verbatim: 'yes' is not of type 'boolean' (field 'n')"], found


def test_a_field_of_a_type_the_book_does_not_check_does_not_hide_the_next_field_s_faults():
    schema = {"fields": [{"name": "when", "type": "date"}, {"name": "n", "type": "integer",
                                                            "constraints": {"maxLength": 3}}]}
    found = shape_messages(schema)
    assert [m.split(":")[0] for m in found] == ["field 'when' has type 'date', which this validator does not check; "
                                                "use one of string, integer, number, boolean (dates are strings with "
                                                "a pattern)", "field 'n'"], found


# --- the order problems are reported in, and rows counted from 1 (mutants the full mutation run left alive) ---

def _lines_of(message: str, *parts: str) -> list[int]:
    """Where in ``message`` each of ``parts`` is (each must be there)."""
    lines = message.splitlines()
    return [next(n for n, line in enumerate(lines) if part in line) for part in parts]


def test_cell_problems_are_listed_row_by_row_then_column_by_column_whatever_found_them(mini_package):
    rows = [list(r) for r in GOOD_COUNT_ROWS]
    rows[0][COL["quote"]] += " "  # row 1, last column: refused as written
    rows[1][COL["theme_number"]] = "0"  # row 2, third column: frictionless's constraint
    rows[1][COL["sub_theme"]] = ""  # an empty optional cell does not end the row's checks
    rows[1][COL["count"]] = "+26"  # row 2, after it: read by frictionless, refused by the book's reading
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER, rows)
    message = problems(mini_package)
    found = _lines_of(message, "row 1 (line 2), column 'quote'", "row 2 (line 3), column 'theme_number': got '0'",
                      "row 2 (line 3), column 'count': got '+26'; expected a whole number")
    assert found == sorted(found), message


def test_a_later_column_s_bad_cell_in_the_same_row_comes_after_an_earlier_one_s(mini_package):
    rows = [list(r) for r in GOOD_COUNT_ROWS]
    rows[0][COL["quote"]] += " "  # refused as written: found first, shown last in its row
    rows[0][COL["count"]] = "-3"  # frictionless's constraint: found last, shown first
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER, rows)
    message = problems(mini_package)
    found = _lines_of(message, "row 1 (line 2), column 'count': got '-3'", "row 1 (line 2), column 'quote'")
    assert found == sorted(found), message


def test_unknown_references_are_listed_key_by_key_then_row_by_row(mini_package):
    # theme_counts lists its key to sources before the one to units: every bad source_id, then every bad unit
    rows = [list(r) for r in GOOD_COUNT_ROWS] + [["tc-third"] + list(GOOD_COUNT_ROWS[1][1:])]
    rows[0][COL["source_id"]] = "nosuch-1"
    rows[1][COL["unit"]] = "GPs"
    rows[2][COL["source_id"]] = "nosuch-3"
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER, rows)
    message = problems(mini_package)
    found = _lines_of(message, "row 1 (line 2), column 'source_id': got 'nosuch-1'",
                      "row 3 (line 4), column 'source_id': got 'nosuch-3'", "row 2 (line 3), column 'unit': got 'GPs'")
    assert found == sorted(found), message


def test_each_table_s_unknown_references_are_its_own_whatever_the_tables_are_called(mini_package):
    # two more tables with a key of the same name, listed after theme_counts: one named to sort before it, one after
    descriptor = json.loads((mini_package / "datapackage.json").read_text())
    for name in ("alpha", "zulu"):
        schema = {"fields": [{"name": "id", "type": "string", "constraints": {"required": True}},
                             {"name": "source_id", "type": "string", "constraints": {"required": True}}],
                  "primaryKey": "id", "foreignKeys": [{"fields": "source_id",
                                                       "reference": {"resource": "sources", "fields": "id"}}]}
        (mini_package / "schemas" / f"{name}.json").write_text(json.dumps(schema))
        write_csv(mini_package / f"{name}.csv", ["id", "source_id"], [[f"{name}-1", f"nosuch-{name}"]])
        descriptor["resources"].append({"name": name, "path": f"{name}.csv", "schema": f"schemas/{name}.json"})
    (mini_package / "datapackage.json").write_text(json.dumps(descriptor))
    rows = [list(r) for r in GOOD_COUNT_ROWS]
    rows[0][COL["source_id"]] = "nosuch-tc"
    rows[1][COL["unit"]] = "GPs"
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER, rows)
    message = problems(mini_package)
    found = _lines_of(message, "data/theme_counts.csv, row 1 (line 2), column 'source_id'",
                      "data/theme_counts.csv, row 2 (line 3), column 'unit'", "data/alpha.csv, row 1 (line 2)",
                      "data/zulu.csv, row 1 (line 2)")
    assert found == sorted(found), message


def test_a_cell_that_breaks_two_constraints_is_named_for_each(mini_package):
    _edit_schema(mini_package, lambda s, f: f["id"]["constraints"].update({"maxLength": 14}))
    message = problems(with_counts(mini_package, {"id": "TC number one of two"}))
    assert message.startswith("2 problems"), message
    assert "row 1 (line 2), column 'id': got 'TC number one of two…'; is 20 characters; at most 14" in message
    assert "row 1 (line 2), column 'id': got 'TC number one of two'; does not match the pattern ^tc-" in message
