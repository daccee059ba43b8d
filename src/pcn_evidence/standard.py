"""The standard Table Schema rules, checked by frictionless: columns, types, constraints, primary and foreign keys.

:mod:`pcn_evidence.datapackage` reads the tables (locating each row by the line it ends on); frictionless,
the reference implementation of the standard, validates them as they were read, all in one call; and each
error it reports comes back as a :class:`~pcn_evidence.errors.Problem` in the book's words: the file, row,
line and column, the cell as written and what was expected.

The package frictionless is given is the book's, with three choices written out: tables are matched to
their schemas by column name (``fieldsMatch: equal``, Table Schema v2, as are the exclusive bounds), a
boolean is written ``true`` or ``false``, and a cell of spaces is empty. The book's own ``pcn:`` keys are
left out: :mod:`pcn_evidence.schema` checks them.

What frictionless finds in a table depends only on that table and the tables its foreign keys refer to, so
it is remembered, per process, by a digest of their contents: a table validated before, in this folder or a
copy, is not validated again (the tests validate hundreds of small copies of the data, each with one table
changed, and a mutation run does so once per mutant).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import frictionless

from .datapackage import TYPE_MESSAGES, DataPackage, Table, key_columns
from .errors import Problem

__all__ = ["Found", "standard_problems"]

_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"


@dataclass(frozen=True)
class Found:
    """A problem frictionless found, and which of the book's checks it stands for (the order they are listed)."""

    table: str
    stage: str  # "columns", "types", "cells" (constraints), "keys" (unique, primary key), "references" (foreign)
    problem: Problem
    cells: tuple[tuple[int, str], ...] = ()  # (row index, column) of each cell it is about


def _references(package: DataPackage, table: Table) -> list[dict[str, Any]]:
    """The foreign keys frictionless can check: to a table that was read, by a column it has.

    A key to a table the package does not list, or to a column its table lacks, is the book's to report
    (:mod:`pcn_evidence.schema`); to a table that could not be read, that table's own
    problem is reported already.
    """
    usable = []
    for fk in table.schema.get("foreignKeys", []):
        target = package.tables.get(fk["reference"]["resource"])
        if target is not None and key_columns(fk["reference"]["fields"])[0] in target.header:
            usable.append(fk)
    return usable


def _resource(package: DataPackage, table: Table) -> dict[str, Any]:
    """One table as frictionless validates it: its cells as read, its schema without the book's own keys."""
    fields = []
    for field in table.fields:
        field = {key: value for key, value in field.items() if not key.startswith("pcn:")}
        if field.get("type") == "boolean":
            field.update(trueValues=["true"], falseValues=["false"])
        fields.append(field)
    schema = {"fields": fields, "fieldsMatch": "equal", "foreignKeys": _references(package, table)}
    if "primaryKey" in table.schema:
        schema["primaryKey"] = table.schema["primaryKey"]
    header = list(dict.fromkeys(table.header))  # a repeated column is the book's to report (and read once)
    data = [header] + [[row[column] if row[column].strip() else "" for column in header] for row in table.rows]
    return {"name": table.name, "type": "table", "data": data, "schema": schema}


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _cache_keys(package: DataPackage) -> dict[str, str]:
    """Each table's cache key: everything its problems are made from (its name, file, schema, cells as read and
    their lines) and the same of every table its foreign keys refer to."""
    own = {name: _digest(t.name, t.label, t.schema, t.header, t.rows, t.lines) for name, t in package.tables.items()}
    keys = {}
    for name, table in package.tables.items():
        targets = sorted({fk["reference"]["resource"] for fk in table.schema.get("foreignKeys", [])} & own.keys())
        keys[name] = _digest(own[name], [own[target] for target in targets])
    return keys


#: What frictionless found in each table, by :func:`_cache_keys`' key; the oldest go first beyond the limit.
_FOUND: dict[str, list[Found]] = {}
_FOUND_LIMIT = 1024


def standard_problems(package: DataPackage) -> list[Found]:
    """Validate every table of ``package`` with frictionless; its errors in the book's words.

    Only the tables not validated before (see the module's docstring) are handed to frictionless, with the
    tables their foreign keys refer to, which frictionless reads to look the keys up.
    """
    resources = {name: _resource(package, table) for name, table in package.tables.items()}
    keys = _cache_keys(package)
    found = {name: _FOUND[keys[name]] for name in resources if keys[name] in _FOUND}
    stale = [name for name in resources if name not in found]
    if stale:
        targets = {fk["reference"]["resource"] for name in stale for fk in resources[name]["schema"]["foreignKeys"]}
        # a table only looked up in is read, not validated: frictionless does not follow its own foreign keys
        given = [resources[name] for name in resources if name in stale or name in targets]
        validating = frictionless.Package.from_descriptor({"$schema": _V2, "resources": given})
        for name in stale:
            (task,) = validating.get_resource(name).validate().tasks
            found[name] = _FOUND[keys[name]] = _task_problems(package, package.tables[name], task)
        while len(_FOUND) > _FOUND_LIMIT:
            del _FOUND[next(iter(_FOUND))]
    return [problem for name in resources for problem in found[name]]


def _task_problems(package: DataPackage, table: Table, task: Any) -> list[Found]:
    """What frictionless reported on one table (a report's task), in the book's words."""
    found: list[Found] = []
    missing = [e.field_name for e in task.errors if isinstance(e, frictionless.errors.MissingLabelError)]
    extra = [e.label for e in task.errors if isinstance(e, frictionless.errors.LabelError)
             and not isinstance(e, frictionless.errors.MissingLabelError)]
    schema_label = f"data/schemas/{table.name}.json"
    if missing:
        found.append(Found(table.name, "columns", Problem(table.label, f"missing column(s) "
                     f"{', '.join(map(repr, missing))} (the schema expects "
                     f"{', '.join(f['name'] for f in table.fields)})")))
    if extra:
        found.append(Found(table.name, "columns", Problem(table.label, f"unexpected column(s) "
                     f"{', '.join(map(repr, extra))}; the schema {schema_label} does not define them")))
    for error in task.errors:
        if isinstance(error, frictionless.errors.RowError):
            found.append(_row_problem(package, table, error))
        elif not isinstance(error, frictionless.errors.LabelError):
            found.append(Found(table.name, "columns", Problem(table.label, error.message)))
    return found


# frictionless words a failed constraint as 'constraint "<name>" is "<value>"', and the row an earlier
# duplicate is in as 'the same as in the row at position <n>' (the header is row 1)
_CONSTRAINT = re.compile(r'^constraint "(?P<name>\w+)"')
_EARLIER = re.compile(r"the same as in the row at position (?P<row>\d+)")
_BOUNDS = {"minimum": "of at least", "maximum": "of at most", "exclusiveMinimum": "greater than",
           "exclusiveMaximum": "less than"}


def _expected(constraint: str, bound: Any, text: str) -> tuple[str, str]:
    """What a cell that fails ``constraint`` should have been, and how to show the cell."""
    if constraint == "required":
        return "a value is required here but the cell is empty", text
    if constraint == "enum":
        return f"expected one of {', '.join(repr(v) for v in bound)}", text
    if constraint in _BOUNDS:
        return f"expected a value {_BOUNDS[constraint]} {bound}", text
    if constraint == "minLength":
        return f"is {len(text)} characters; at least {bound} are required", text
    if constraint == "maxLength":
        return f"is {len(text)} characters; at most {bound} are allowed (store a short quote, never a passage)", \
            text[:60] + "…"
    return f"does not match the pattern {bound}", text


def _row_problem(package: DataPackage, table: Table, error: Any) -> Found:
    index = error.row_number - 2  # frictionless counts the header as row 1
    row = table.rows[index]
    where = dict(row=index + 1, line=table.lines[index])
    if isinstance(error, (frictionless.errors.TypeError, frictionless.errors.ConstraintError)):
        column = error.field_name
        field = next(f for f in table.fields if f["name"] == column)
        if isinstance(error, frictionless.errors.TypeError):
            return Found(table.name, "types", Problem(table.label, TYPE_MESSAGES[field["type"]], column=column,
                                                      value=row[column], **where), ((index, column),))
        constraint = _CONSTRAINT.match(error.note)["name"]  # type: ignore[index]
        message, value = _expected(constraint, field["constraints"][constraint], row[column])
        return Found(table.name, "cells", Problem(table.label, message, column=column, value=value, **where),
                     ((index, column),))
    if isinstance(error, frictionless.errors.ForeignKeyError):
        (column,), (target_column,) = error.field_names, error.reference_field_names
        target = package.tables[error.reference_name]
        known = {r[target_column] for r in target.rows}
        return Found(table.name, "references", Problem(
            table.label, f"unknown {column}; expected one of the ids in {target.label}: {', '.join(sorted(known))}",
            column=column, value=row[column], **where), ((index, column),))
    if isinstance(error, (frictionless.errors.UniqueError, frictionless.errors.PrimaryKeyError)):
        key = [error.field_name] if isinstance(error, frictionless.errors.UniqueError) \
            else key_columns(table.schema["primaryKey"])
        cells = tuple((index, column) for column in key)
        shown = dict(column=", ".join(key), value=" + ".join(row[column] for column in key), **where)
        earlier = _EARLIER.search(error.note)
        if earlier is None:  # every cell of the primary key is empty: each is required
            return Found(table.name, "keys", Problem(table.label, "a value is required here but the cell is "
                                                                  "empty", **shown), cells)
        return Found(table.name, "keys", Problem(table.label, f"duplicate {' + '.join(key)}: it is already used in "
                                                              f"row {int(earlier['row']) - 1}; ids must be unique",
                                                 **shown), cells)
    return Found(table.name, "cells", Problem(table.label, error.message, **where))
