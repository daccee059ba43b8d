"""frictionless validates a table once per process: what it found is remembered by the table's contents and those of
the tables it refers to (pcn_evidence.standard), and found again, never served stale, when any of them changes.

Each test plants one change the remembered result must notice, in a table or in one it refers to, and checks the
problems are those of the changed data.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import frictionless
import pytest

from pcn_evidence import standard
from pcn_evidence.datapackage import read_package
from pcn_evidence.standard import standard_problems


@pytest.fixture
def validated(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the tables frictionless is asked to validate, from an empty memory on."""
    monkeypatch.setattr(standard, "_FOUND", {})
    names: list[str] = []
    original = frictionless.Resource.validate

    def counting(resource, *args, **kwargs):
        names.append(resource.name)
        return original(resource, *args, **kwargs)

    monkeypatch.setattr(frictionless.Resource, "validate", counting)
    return names


def messages(directory: Path) -> list[str]:
    package, problems = read_package(directory)
    assert not problems
    return [str(found.problem) for found in standard_problems(package)]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def rename(directory: Path, table: str, new: str) -> None:
    """Move a table to another file, as datapackage.json lists it."""
    descriptor = json.loads((directory / "datapackage.json").read_text())
    (resource,) = [r for r in descriptor["resources"] if r["name"] == table]
    (directory / resource["path"]).rename(directory / new)
    resource["path"] = new
    (directory / "datapackage.json").write_text(json.dumps(descriptor, indent=2))


def test_a_table_validated_before_is_not_validated_again_in_this_folder_or_a_copy(mini_package, validated, tmp_path):
    assert messages(mini_package) == []
    assert sorted(validated) == ["source_kinds", "sources", "studies", "theme_counts", "units"]
    validated.clear()
    copy = shutil.copytree(mini_package, tmp_path / "copy" / "data")
    assert messages(copy) == [] and validated == []
    edit(copy / "theme_counts.csv", ",26,CCGs,", ",twenty-six,CCGs,")
    assert [m for m in messages(copy) if "twenty-six" in m] and validated == ["theme_counts"]


def test_a_fault_is_found_again_in_a_copy_and_gone_once_mended(mini_package, validated):
    edit(mini_package / "theme_counts.csv", ",26,CCGs,", ",-26,CCGs,")
    first = messages(mini_package)
    assert any("got '-26'" in m for m in first)
    assert messages(mini_package) == first  # remembered: the same problems, not none
    edit(mini_package / "theme_counts.csv", ",-26,CCGs,", ",26,CCGs,")
    assert messages(mini_package) == []


def test_a_change_to_a_table_it_refers_to_is_seen_though_the_table_is_unchanged(mini_package, validated):
    assert messages(mini_package) == []
    validated.clear()
    edit(mini_package / "units.csv", "\nCCGs,", "\nCCG bodies,")  # the unit the counts use is gone
    found = messages(mini_package)
    assert any("column 'unit': got 'CCGs'; unknown unit" in m for m in found), found
    assert sorted(validated) == ["theme_counts", "units"]


def test_a_table_it_refers_to_moved_to_another_file_is_named_by_its_new_file(mini_package, validated):
    edit(mini_package / "theme_counts.csv", ",26,CCGs,", ",26,GPs,")
    assert any("the ids in data/units.csv" in m for m in messages(mini_package))
    rename(mini_package, "units", "unit_list.csv")
    found = messages(mini_package)
    assert any("the ids in data/unit_list.csv" in m for m in found) and not any("data/units.csv" in m for m in found)


def test_the_same_fault_in_a_moved_file_is_named_by_its_new_file(mini_package, validated):
    edit(mini_package / "theme_counts.csv", ",26,CCGs,", ",-26,CCGs,")
    assert any(m.startswith("data/theme_counts.csv, row 1 (line 2)") for m in messages(mini_package))
    rename(mini_package, "theme_counts", "counts.csv")
    assert any(m.startswith("data/counts.csv, row 1 (line 2)") for m in messages(mini_package))


def test_the_same_rows_on_other_lines_are_located_on_their_lines(mini_package, validated):
    path = mini_package / "theme_counts.csv"
    edit(path, ",9,CCG staff,", ",-9,CCG staff,")
    assert any(m.startswith("data/theme_counts.csv, row 2 (line 3)") for m in messages(mini_package))
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:2] + ["\n"] + lines[2:]), encoding="utf-8")  # a blank line is not a row
    found = messages(mini_package)
    assert any(m.startswith("data/theme_counts.csv, row 2 (line 4)") for m in found), found


def test_a_changed_schema_is_validated_again(mini_package, validated):
    assert messages(mini_package) == []
    edit(mini_package / "schemas" / "theme_counts.json", '"minimum": 0', '"minimum": 30')
    assert any("column 'count': got '26'; expected a value of at least 30" in m for m in messages(mini_package))


def test_a_foreign_key_frictionless_can_now_check_is_checked(mini_package, validated):
    """The keys frictionless checks depend on the other tables (a key to a column its table lacks is the book's
    to report): a table whose key becomes checkable is validated again."""
    units = mini_package / "units.csv"
    edit(units, "id,", "unit_id,")
    edit(mini_package / "theme_counts.csv", ",26,CCGs,", ",26,GPs,")
    assert not any("unknown unit" in m for m in messages(mini_package))
    edit(units, "unit_id,", "id,")
    assert any("column 'unit': got 'GPs'; unknown unit" in m for m in messages(mini_package))


def test_the_memory_keeps_only_the_latest_tables_beyond_its_limit(mini_package, validated, monkeypatch):
    monkeypatch.setattr(standard, "_FOUND_LIMIT", 2)
    edit(mini_package / "theme_counts.csv", ",26,CCGs,", ",-26,CCGs,")
    found = messages(mini_package)  # every table's problems, though the memory holds two tables' only
    assert any("got '-26'" in m for m in found) and len(standard._FOUND) == 2
    validated.clear()
    assert messages(mini_package) == found and len(validated) == 3  # the three forgotten first, validated again


def test_a_table_listed_under_another_name_keeps_its_problems(mini_package, validated):
    """What frictionless found is filed under the table's name, which the book's checks look it up by."""
    edit(mini_package / "theme_counts.csv", ",26,CCGs,", ",-26,CCGs,")
    assert any("got '-26'" in m for m in messages(mini_package))
    descriptor = json.loads((mini_package / "datapackage.json").read_text())
    (resource,) = [r for r in descriptor["resources"] if r["name"] == "theme_counts"]
    resource["name"] = "counts"
    (mini_package / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    package, _ = read_package(mini_package)
    assert [found.table for found in standard_problems(package) if "got '-26'" in str(found.problem)] == ["counts"]


def test_a_table_only_looked_up_in_is_read_without_its_own_keys(mini_package, validated):
    # theme_counts changes; sources, which it refers to, is only read for its ids: its own key to source_kinds,
    # which is not handed to frictionless this time, must neither be followed nor stop the check
    assert messages(mini_package) == []
    validated.clear()
    edit(mini_package / "theme_counts.csv", ",9,CCG staff,", ",9,GPs,")
    assert [m for m in messages(mini_package) if "unknown unit" in m] and validated == ["theme_counts"]
