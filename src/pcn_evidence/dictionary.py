"""A data dictionary and an overview of the tables, generated from the schemas, and the
library versions the book was built with.

Everything is read from ``data/datapackage.json`` and ``data/schemas/*.json`` (through
:func:`pcn_evidence.datapackage.read_package`), so the dictionary cannot drift from the
validator: a column the schema gains appears here on the next build.

>>> frame = data_dictionary()
>>> {"Table", "Column", "Type", "Required", "Allowed values and checks", "Description"} <= set(frame.columns)
True
>>> python_version((3, 11, 7))
'3.11'
"""

from __future__ import annotations

import importlib.metadata
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .datapackage import DataPackage, key_columns, read_package
from .ids import is_internal_id

__all__ = ["LIBRARIES", "key_values", "field_checks", "data_dictionary", "tables_overview", "python_version", "library_versions"]

#: The libraries whose versions the appendix reports (distribution names, reading order).
LIBRARIES: tuple[str, ...] = ("jupyter-book", "sphinx", "myst-nb", "pandas", "matplotlib", "numpy",
                              "nbclient", "nbval")


def _package(data_dir: Path | str | None) -> DataPackage:
    package, problems = read_package(data_dir)
    if problems:
        from .errors import EvidenceError
        raise EvidenceError(problems)
    return package


def _foreign_keys(schema: dict[str, Any]) -> dict[str, str]:
    """Column -> the ``table.column`` it must match, from the schema's foreign keys."""
    links = {}
    for fk in schema.get("foreignKeys", []):
        fields = fk["fields"] if isinstance(fk["fields"], str) else ", ".join(fk["fields"])
        target = fk["reference"]["fields"]
        target = target if isinstance(target, str) else ", ".join(target)
        links[fields] = f"{fk['reference']['resource']}.{target}"
    return links


def key_values(package: DataPackage) -> dict[str, str]:
    """Every value of every one-column primary key, with the file and column that hold it."""
    found: dict[str, str] = {}
    for table in package.tables.values():
        key = key_columns(table.schema.get("primaryKey"))
        if len(key) == 1:
            for row in table.rows:
                found.setdefault(row[key[0]], f"{table.label}, column {key[0]}")
    return found


def _allowed(values: Sequence[object], keys: Mapping[str, str]) -> str:
    """An enum in words. Where it lists a table's internal ids, which readers are never shown, it names the
    table instead, and how many of the table's keys it allows.

    >>> keys = {"cut-off": "data/reasons.csv, column id", "heading": "data/reasons.csv, column id"}
    >>> _allowed(["coded", "cut-off", "heading"], keys)
    'one of: coded; a key in data/reasons.csv, column id (any of its 2)'
    >>> _allowed(["supports", "qualifies"], keys)
    'one of: supports; qualifies'
    """
    texts = [str(v) for v in values]
    named = dict.fromkeys(keys[v] for v in texts if v in keys and is_internal_id(v))
    parts = [v for v in texts if keys.get(v) not in named]
    for where in named:
        total = sum(w == where for w in keys.values())
        allowed = sum(keys.get(v) == where for v in texts)
        parts.append(f"a key in {where} ({'any' if allowed == total else allowed} of its {total})")
    return "one of: " + "; ".join(parts)


def field_checks(field: dict[str, Any], schema: dict[str, Any], keys: Mapping[str, str] | None = None) -> str:
    """Everything the validator enforces on one column, in words (empty constraints give '—').

    ``keys`` (from :func:`key_values`) lets an allowed list of a table's ids name that table instead.
    """
    constraints = field.get("constraints", {})
    name = field["name"]
    parts: list[str] = []
    if "enum" in constraints:
        parts.append(_allowed(constraints["enum"], keys or {}))
    if "pcn:list_reference" in field:
        ref = field["pcn:list_reference"]
        parts.append(f"semicolon-separated list of {ref['resource']}.{ref['field']} values")
    if "pattern" in constraints:
        parts.append(f"matches the pattern {constraints['pattern']}")
    for bound, words in (("minimum", "at least"), ("maximum", "at most"), ("exclusiveMinimum", "greater than"),
                         ("exclusiveMaximum", "less than")):
        if bound in constraints:
            parts.append(f"{words} {constraints[bound]}")
    if "minLength" in constraints:
        parts.append(f"at least {constraints['minLength']} characters")
    if "maxLength" in constraints:
        parts.append(f"at most {constraints['maxLength']} characters")
    if constraints.get("unique"):
        parts.append("unique in the table")
    key = key_columns(schema.get("primaryKey"))
    if name in key:
        parts.append("primary key" if len(key) == 1 else f"part of the primary key ({', '.join(key)})")
    link = _foreign_keys(schema).get(name)
    if link:
        parts.append(f"must match {link}")
    if field.get("pcn:verbatim"):
        parts.append("verbatim quote, checked against the source text")
    if field.get("pcn:number_in"):
        parts.append(f"the number must be stated in the {field['pcn:number_in']} column")
    if field.get("pcn:evidence_ids"):
        parts.append("semicolon-separated ids of coded facts from the row's source")
    for check in schema.get("pcn:checks", []):
        if check.get("check") == "not_greater" and check.get("field") == name:
            parts.append(f"not greater than {check['than']}")
        if check.get("check") == "evidence_for_stance" and check.get("field") == name:
            parts.append(f"empty only when {check['stance']} is '{check['silent']}'")
    return "; ".join(parts) if parts else "—"


def data_dictionary(data_dir: Path | str | None = None) -> pd.DataFrame:
    """One row per column of every table, in datapackage.json order and schema order."""
    package = _package(data_dir)
    keys = key_values(package)
    records = []
    for name, table in package.tables.items():
        for field in table.fields:
            records.append({
                "Table": name,
                "Column": field["name"],
                "Type": field.get("type", "string"),
                "Required": "yes" if field.get("constraints", {}).get("required") else "no",
                "Allowed values and checks": field_checks(field, table.schema, keys),
                "Description": field.get("description", ""),
            })
    return pd.DataFrame(records, columns=["Table", "Column", "Type", "Required", "Allowed values and checks",
                                          "Description"])


def tables_overview(data_dir: Path | str | None = None) -> pd.DataFrame:
    """One row per table: file, rows, columns, primary key and the tables it links to."""
    package = _package(data_dir)
    records = []
    for name, table in package.tables.items():
        links = sorted(set(v.split(".")[0] for v in _foreign_keys(table.schema).values()))
        records.append({
            "Table": name,
            "File": table.label,
            "Rows (count)": len(table.rows),
            "Columns (count)": len(table.fields),
            "Primary key": ", ".join(key_columns(table.schema.get("primaryKey"))) or "—",
            "Links to": ", ".join(links) or "—",
        })
    return pd.DataFrame(records, columns=["Table", "File", "Rows (count)", "Columns (count)", "Primary key",
                                          "Links to"])


def python_version(info: Sequence[int] | None = None) -> str:
    """Python's major.minor version (patch level left out: it varies between machines)."""
    major, minor = (info or sys.version_info)[:2]
    return f"{major}.{minor}"


def library_versions(libraries: Sequence[str] = LIBRARIES) -> pd.DataFrame:
    """The installed version of each library (exact pins from requirements.txt), then Python."""
    rows = []
    for name in libraries:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "not installed"
        rows.append({"Component": name, "Version": version})
    rows.append({"Component": "Python", "Version": python_version()})
    return pd.DataFrame(rows, columns=["Component", "Version"])
