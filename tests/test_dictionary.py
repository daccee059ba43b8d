"""Tests for pcn_evidence.dictionary: the data dictionary, the tables overview and the library versions."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pcn_evidence import dictionary as D
from pcn_evidence import load_table

DATA = Path(__file__).resolve().parents[1] / "data"


def _schemas() -> dict[str, dict]:
    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    return {r["name"]: json.loads((DATA / r["schema"]).read_text(encoding="utf-8")) for r in descriptor["resources"]}


def test_dictionary_covers_every_column_of_every_schema():
    frame = D.data_dictionary()
    expected = [(table, field["name"]) for table, schema in _schemas().items() for field in schema["fields"]]
    assert list(zip(frame["Table"], frame["Column"])) == expected


def test_every_schema_file_is_in_the_package():
    on_disk = {p.stem for p in (DATA / "schemas").glob("*.json")}
    assert on_disk == set(_schemas())


def test_dictionary_rows_carry_type_requirement_and_description():
    frame = D.data_dictionary().set_index(["Table", "Column"])
    for table, schema in _schemas().items():
        for field in schema["fields"]:
            row = frame.loc[(table, field["name"])]
            assert row["Type"] == field.get("type", "string")
            assert row["Required"] == ("yes" if field.get("constraints", {}).get("required") else "no")
            assert row["Description"] == field.get("description", "")


def test_allowed_values_list_every_enum_value_or_name_the_table_of_ids_it_lists():
    frame = D.data_dictionary().set_index(["Table", "Column"])
    from pcn_evidence.datapackage import read_package
    from pcn_evidence.ids import is_internal_id

    keys = D.key_values(read_package(DATA)[0])
    named = 0
    for table, schema in _schemas().items():
        for field in schema["fields"]:
            checks = frame.loc[(table, field["name"]), "Allowed values and checks"]
            enum = [str(v) for v in field.get("constraints", {}).get("enum", [])]
            of_ids = {keys[v] for v in enum if v in keys and is_internal_id(v)}
            for value in enum:
                if keys.get(value) in of_ids:  # a table's ids: the table is named, its ids are not shown
                    assert f"a key in {keys[value]} (" in checks and not re.search(rf"\b{value}\b", checks)
                    named += 1
                else:
                    assert value in checks, (table, field["name"], value)
            if "pcn:list_reference" in field:
                ref = field["pcn:list_reference"]
                assert f"list of {ref['resource']}.{ref['field']} values" in checks
    assert named, "the data hold an enum of ids (dual_coding's coders' decisions): the rule above is exercised"


def test_field_checks_describe_the_project_checks():
    schema = _schemas()["evidence_matrix"]
    fields = {f["name"]: f for f in schema["fields"]}
    stance = D.field_checks(fields["stance"], schema)
    assert stance.startswith("one of: supports; qualifies; contradicts")
    evidence = D.field_checks(fields["evidence_ids"], schema)
    assert "coded facts from the row's source" in evidence and "empty only when stance is 'silent'" in evidence
    assert "must match sources.id" in D.field_checks(fields["source_id"], schema)
    assert "part of the primary key" in D.field_checks(fields["finding_id"], schema)
    assert D.field_checks({"name": "x", "type": "string"}, {"fields": []}) == "—"


def test_dictionary_follows_a_schema_change(mini_package: Path):
    schema_path = mini_package / "schemas" / "theme_counts.json"
    schema = json.loads(schema_path.read_text())
    schema["fields"][0]["description"] = "A changed description."
    schema_path.write_text(json.dumps(schema))
    frame = D.data_dictionary(mini_package)
    assert set(frame["Table"]) == {"sources", "theme_counts", "units", "source_kinds", "studies"}
    assert frame.loc[(frame["Table"] == "theme_counts") & (frame["Column"] == "id"), "Description"].iloc[0] \
        == "A changed description."


def test_overview_counts_rows_and_columns():
    overview = D.tables_overview().set_index("Table")
    assert list(overview.index) == list(_schemas())
    for name in overview.index:
        assert overview.at[name, "Rows (count)"] == len(load_table(name))
        assert overview.at[name, "Columns (count)"] == len(_schemas()[name]["fields"])
    assert overview.at["evidence_matrix", "Links to"] == "sources, synthesis_findings"


def test_python_version_is_major_minor_only():
    assert D.python_version((3, 11, 7, "final", 0)) == "3.11"
    assert re.fullmatch(r"\d+\.\d+", D.python_version())


def test_library_versions_are_the_listed_libraries_then_python():
    frame = D.library_versions()
    assert list(frame["Component"]) == list(D.LIBRARIES) + ["Python"]
    assert (frame["Version"] != "not installed").all()
    assert frame.equals(D.library_versions())  # deterministic
    missing = D.library_versions(("no-such-distribution-xyz",))
    assert missing["Version"].iloc[0] == "not installed"
