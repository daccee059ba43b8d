"""Validate the coded evidence against its data package.

``data/datapackage.json`` lists the tables; each table's Table Schema
(``data/schemas/<table>.json``) is the single source of truth for its columns,
types, vocabularies, keys and the project's own checks:

* ``pcn:verbatim`` marks a quote column (checked against the sources in
  :mod:`pcn_evidence.provenance`, where the sources are available);
* ``pcn:number_in`` names the column whose text must state this column's number;
* ``pcn:list_reference`` (``{"resource": …, "field": …}``) makes each item of a
  semicolon-separated list column a foreign key into a vocabulary table;
* ``pcn:evidence_ids`` marks a semicolon-separated list of fact ids that must exist;
* ``pcn:multiline`` allows line breaks in a column (no column does: a cell is one line);
* ``pcn:min_rows`` is the fewest rows the chapters need (a header-only table is refused here,
  not found later as a crash in a chapter);
* ``pcn:checks`` holds row checks: ``not_greater`` (count <= denominator) and
  ``evidence_for_stance`` (evidence ids are given unless the source is silent).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .datapackage import DataPackage, Table, parse_cell, read_package, split_tags
from .descriptors import schema_shape_problems
from .errors import EvidenceError, Problem
from .numbers import states_number

__all__ = ["validate_package", "FORMULA_START", "FIELD_TYPES", "SCHEMA_KEYS", "FIELD_KEYS", "CONSTRAINT_KEYS"]


# --- cell checks -------------------------------------------------------------

#: What `make add-source` writes in a cell a contributor must fill in from the source.
PLACEHOLDER = "TODO:"


def _cell_problems(table: Table, index: int, field: dict[str, Any], text: str) -> list[Problem]:
    where = dict(file=table.label, row=index + 1, line=table.lines[index], column=field["name"])
    constraints = field.get("constraints", {})
    if text.strip() == "":
        if constraints.get("required"):
            return [Problem(message="a value is required here but the cell is empty", value=text, **where)]
        return []
    if text != text.strip():
        return [Problem(message="remove the spaces at the start or end of the cell", value=text, **where)]
    if text.startswith(PLACEHOLDER):  # left by `make add-source`: never published
        return [Problem(message=f"a placeholder from `make add-source` is still here: {text[:60]!r}; fill it in "
                                "from the source (or leave it empty where the source does not say)", value=text,
                        **where)]
    if ("\n" in text or "\r" in text) and not field.get("pcn:multiline"):
        return [Problem(message="has a line break: a cell is one line of text (a page would read the rest as "
                                "a new paragraph or markup)", value=text[:60], **where)]
    if field.get("type", "string") == "string" and not field.get("pcn:verbatim") and text[0] in FORMULA_START:
        return [Problem(message=f"begins with {text[0]!r}, which a spreadsheet would run as a formula when a reader "
                                "opens the downloaded CSV; start the cell with a letter or digit",
                        value=text, **where)]
    try:
        value = parse_cell(text, field.get("type", "string"))
    except ValueError as exc:
        return [Problem(message=str(exc), value=text, **where)]
    problems = []
    if "enum" in constraints and value not in constraints["enum"]:
        allowed = ", ".join(repr(v) for v in constraints["enum"])
        problems.append(Problem(message=f"expected one of {allowed}", value=text, **where))
    for key, fails, words in _BOUNDS:
        if key in constraints and fails(value, constraints[key]):
            problems.append(Problem(message=f"expected a value {words} {constraints[key]}", value=text, **where))
    if "minLength" in constraints and len(text) < constraints["minLength"]:
        problems.append(Problem(message=f"is {len(text)} characters; at least {constraints['minLength']} are "
                                        "required", value=text, **where))
    if "maxLength" in constraints and len(text) > constraints["maxLength"]:
        problems.append(Problem(message=f"is {len(text)} characters; at most {constraints['maxLength']} are allowed "
                                        "(store a short quote, never a passage)", value=text[:60] + "…", **where))
    if "pattern" in constraints and not re.fullmatch(constraints["pattern"], text):
        problems.append(Problem(message=f"does not match the pattern {constraints['pattern']}", value=text, **where))
    return problems


_BOUNDS = (
    ("minimum", lambda v, b: v < b, "of at least"),
    ("maximum", lambda v, b: v > b, "of at most"),
    ("exclusiveMinimum", lambda v, b: v <= b, "greater than"),
    ("exclusiveMaximum", lambda v, b: v >= b, "less than"),
)

#: Every key a schema may use. A key outside these (a misspelling, a Table Schema feature this
#: validator does not implement) is refused by name: a constraint must never be silently skipped.
SCHEMA_KEYS = {"fields", "primaryKey", "foreignKeys", "description", "pcn:checks", "pcn:min_rows"}
FIELD_KEYS = {"name", "type", "description", "constraints", "pcn:verbatim", "pcn:number_in", "pcn:list_reference",
              "pcn:evidence_ids", "pcn:multiline"}
CONSTRAINT_KEYS = {"required", "unique", "enum", "pattern", "minimum", "maximum", "exclusiveMinimum",
                   "exclusiveMaximum", "minLength", "maxLength"}
CHECKS = {"not_greater": {"check", "field", "than"}, "evidence_for_stance": {"check", "field", "stance", "silent"}}


def _schema_problems(table: Table) -> list[Problem]:
    """Keys this validator does not implement, malformed keys and invalid patterns, each by name."""
    where = f"data/schemas/{table.name}.json"
    shape = schema_shape_problems(where, table.schema)
    if shape:  # a schema of the wrong shape (a minimum written as text, a field with no name) is reported as such
        return shape
    problems = [Problem(where, f"unknown key {key!r}; a schema may use {', '.join(sorted(SCHEMA_KEYS))}")
                for key in table.schema if key not in SCHEMA_KEYS]
    for field in table.schema.get("fields", []):
        name = field.get("name", "?")
        problems += [Problem(where, f"field '{name}': unknown key {key!r}; a field may use "
                                    f"{', '.join(sorted(FIELD_KEYS))}") for key in field if key not in FIELD_KEYS]
        constraints = field.get("constraints", {})
        problems += [Problem(where, f"field '{name}': unknown constraint {key!r}; this validator checks "
                                    f"{', '.join(sorted(CONSTRAINT_KEYS))}") for key in constraints
                     if key not in CONSTRAINT_KEYS]
        if "pattern" in constraints:
            try:
                re.compile(constraints["pattern"])
            except re.error as exc:
                problems.append(Problem(where, f"field '{name}': the pattern {constraints['pattern']!r} is not a "
                                               f"valid regular expression ({exc})"))
    for check in table.schema.get("pcn:checks", []):
        kind = check.get("check")
        if kind not in CHECKS or set(check) != CHECKS[kind]:
            problems.append(Problem(where, f"pcn:checks entry {check!r} is not one of: " + "; ".join(
                f"{k} with keys {', '.join(sorted(v))}" for k, v in CHECKS.items())))
    for fk in table.schema.get("foreignKeys", []):
        fields, target = fk.get("fields"), fk.get("reference", {}).get("fields")
        single = [fields] if isinstance(fields, str) else fields
        targets = [target] if isinstance(target, str) else target
        if not (isinstance(single, list) and len(single) == 1 and isinstance(targets, list) and len(targets) == 1
                and "resource" in fk.get("reference", {})):
            problems.append(Problem(where, f"foreign key {fk!r}: this validator checks single-column foreign keys, "
                                           "written {\"fields\": \"col\", \"reference\": {\"resource\": …, "
                                           "\"fields\": \"col\"}} (or with one-item lists)"))
    return problems


#: First characters that make spreadsheet software treat a CSV cell as a formula (OWASP, "CSV Injection").
#: Coded text may not begin with one; a verbatim quote that does is neutralised in the downloads instead.
FORMULA_START = ("=", "+", "-", "@")

#: The Table Schema field types this validator checks; any other is refused by name, not skipped.
FIELD_TYPES = ("string", "integer", "number", "boolean")


def _table_problems(table: Table) -> list[Problem]:
    problems: list[Problem] = []
    unknown = [f for f in table.fields if f.get("type", "string") not in FIELD_TYPES]
    if unknown:
        return [Problem(f"data/schemas/{table.name}.json", f"field '{f['name']}' has type {f.get('type')!r}, which "
                                                           f"this validator does not check; use one of "
                                                           f"{', '.join(FIELD_TYPES)} (dates are strings with a "
                                                           "pattern)") for f in unknown]
    names = [f["name"] for f in table.fields]
    least = table.schema.get("pcn:min_rows", 0)
    if len(table.rows) < least:
        problems.append(Problem(table.label, f"has {len(table.rows)} row(s); the chapters that read it need at "
                                             f"least {least} (pcn:min_rows in data/schemas/{table.name}.json)"))
    missing = [n for n in names if n not in table.header]
    extra = [h for h in table.header if h not in names]
    if missing:
        problems.append(Problem(table.label, f"missing column(s) {', '.join(map(repr, missing))} (the schema "
                                             f"expects {', '.join(names)})"))
    if extra:
        problems.append(Problem(table.label, f"unexpected column(s) {', '.join(map(repr, extra))}; the schema "
                                             f"data/schemas/{table.name}.json does not define them"))
    if len(set(table.header)) != len(table.header):
        problems.append(Problem(table.label, "the header repeats a column name"))
    present = [f for f in table.fields if f["name"] in table.header]

    for index, row in enumerate(table.rows):
        for field in present:
            problems.extend(_cell_problems(table, index, field, row[field["name"]]))

    # Uniqueness: single fields flagged unique, and the primary key.
    keys = [[f["name"]] for f in present if f.get("constraints", {}).get("unique")]
    primary = table.schema.get("primaryKey")
    if primary:
        primary = [primary] if isinstance(primary, str) else list(primary)
        if primary not in keys and all(p in table.header for p in primary):
            keys.append(primary)
    for key in keys:
        seen: dict[tuple[str, ...], int] = {}
        for index, row in enumerate(table.rows):
            value = tuple(row[k] for k in key)
            if all(v == "" for v in value):
                continue
            if value in seen:
                problems.append(Problem(table.label, f"duplicate {' + '.join(key)}: it is already used in row "
                                                     f"{seen[value] + 1}; ids must be unique",
                                        row=index + 1, line=table.lines[index], column=", ".join(key),
                                        value=" + ".join(value)))
            else:
                seen[value] = index
    problems.extend(_number_in_text_problems(table, present))
    problems.extend(_row_check_problems(table))
    return problems


def _number_in_text_problems(table: Table, present: list[dict[str, Any]]) -> list[Problem]:
    problems = []
    for field in present:
        text_column = field.get("pcn:number_in")
        if not text_column or text_column not in table.header:
            continue
        for index, row in enumerate(table.rows):
            cell, text = row[field["name"]], row[text_column]
            try:
                value = parse_cell(cell, field["type"]) if cell.strip() else None
            except ValueError:
                continue  # already reported as a type problem
            if value is not None and text.strip() and not states_number(text, value):
                shown = int(value) if float(value).is_integer() else value
                problems.append(Problem(table.label, f"the number {shown} does not appear in the row's "
                                                     f"{text_column} (as digits or words); the quote must support "
                                                     f"the number", row=index + 1, line=table.lines[index],
                                        column=field["name"], value=cell))
    return problems


def _row_check_problems(table: Table) -> list[Problem]:
    problems = []
    types = {f["name"]: f.get("type", "string") for f in table.fields}
    for check in table.schema.get("pcn:checks", []):
        if check["check"] == "evidence_for_stance":
            problems.extend(_stance_problems(table, check))
            continue
        if check["check"] != "not_greater":
            raise ValueError(f"unknown check {check['check']!r} in the schema of {table.name}")
        field, other = check["field"], check["than"]
        if field not in table.header or other not in table.header:
            continue
        for index, row in enumerate(table.rows):
            try:
                value = parse_cell(row[field], types[field]) if row[field].strip() else None
                limit = parse_cell(row[other], types[other]) if row[other].strip() else None
            except ValueError:
                continue
            if value is not None and limit is not None and value > limit:
                problems.append(Problem(table.label, f"{field} {value} is greater than its {other} {limit}",
                                        row=index + 1, line=table.lines[index], column=field, value=row[field]))
    return problems


def _stance_problems(table: Table, check: dict[str, str]) -> list[Problem]:
    field, stance, silent = check["field"], check["stance"], check["silent"]
    problems: list[Problem] = []
    if field not in table.header or stance not in table.header:
        return problems
    for index, row in enumerate(table.rows):
        has_evidence = bool(row[field].strip())
        if row[stance] == silent and has_evidence:
            message = f"the source is '{silent}' on this finding, so it cannot cite evidence; leave {field} empty"
        elif row[stance] and row[stance] != silent and not has_evidence:
            message = f"a '{row[stance]}' judgement must cite the coded facts it rests on"
        else:
            continue
        problems.append(Problem(table.label, message, row=index + 1, line=table.lines[index], column=field,
                                value=row[field]))
    return problems


def _evidence_id_problems(package: DataPackage) -> list[Problem]:
    """Evidence ids must name coded facts that exist, from the source the row is about."""
    if package.unreadable:
        return []  # a table of facts may be among those not read: every id in it would look unknown
    facts: dict[str, str] = {}
    for table in package.tables.values():
        if "id" in table.header and "source_id" in table.header:
            facts.update({row["id"]: row["source_id"] for row in table.rows})
    problems = []
    for table in package.tables.values():
        for field in table.fields:
            if not field.get("pcn:evidence_ids") or field["name"] not in table.header:
                continue
            for index, row in enumerate(table.rows):
                for fact_id in split_tags(row[field["name"]]):
                    if fact_id not in facts:
                        message = "unknown evidence id; expected ids of coded facts (e.g. tc-…, pf-…, sf-…)"
                    elif "source_id" in row and facts[fact_id] != row["source_id"]:
                        message = (f"evidence id {fact_id!r} is from source {facts[fact_id]!r}, "
                                   f"not from this row's source {row['source_id']!r}")
                    else:
                        continue
                    problems.append(Problem(table.label, message, row=index + 1, line=table.lines[index],
                                            column=field["name"], value=fact_id))
    return problems


def _list_reference_problems(package: DataPackage) -> list[Problem]:
    """Each item of a ``pcn:list_reference`` list column must be a key of its vocabulary table."""
    problems = []
    for table in package.tables.values():
        for field in table.fields:
            reference = field.get("pcn:list_reference")
            if not reference or field["name"] not in table.header:
                continue
            target = package.tables.get(reference["resource"])
            if reference["resource"] in package.unreadable:
                continue
            if target is None:
                problems.append(Problem(table.label, f"column '{field['name']}' refers to the table "
                                                     f"{reference['resource']!r}, which the data package does not list"))
                continue
            if reference["field"] not in target.header:
                problems.append(Problem(f"data/schemas/{table.name}.json", f"field '{field['name']}': its "
                                        f"pcn:list_reference names the column {reference['field']!r}, which "
                                        f"{target.label} does not have"))
                continue
            vocabulary = [row[reference["field"]] for row in target.rows]
            for index, row in enumerate(table.rows):
                unknown = [tag for tag in split_tags(row[field["name"]]) if tag not in vocabulary]
                if unknown:
                    problems.append(Problem(table.label, f"unknown tag(s) {', '.join(map(repr, unknown))}; expected "
                                                         f"tags from {target.label} ({', '.join(vocabulary)}) "
                                                         "separated by ';'", row=index + 1, line=table.lines[index],
                                            column=field["name"], value=row[field["name"]]))
    return problems


def _one(fields: str | list[str]) -> str:
    """The column of a single-column key, written as a string or a one-item list."""
    return fields if isinstance(fields, str) else fields[0]


def _foreign_key_problems(package: DataPackage) -> list[Problem]:
    problems = []
    for table in package.tables.values():
        for fk in table.schema.get("foreignKeys", []):
            field = _one(fk["fields"])
            target_field = _one(fk["reference"]["fields"])
            target = package.tables.get(fk["reference"]["resource"])
            if fk["reference"]["resource"] in package.unreadable:
                continue  # that table's own problem is reported; its absence would only repeat it
            if target is None:
                problems.append(Problem(table.label, f"column '{field}' refers to the table "
                                                     f"{fk['reference']['resource']!r}, which the data package does "
                                                     "not list"))
                continue
            if target_field not in target.header:
                problems.append(Problem(f"data/schemas/{table.name}.json", f"the foreign key on '{field}' refers to "
                                        f"the column {target_field!r}, which {target.label} does not have"))
                continue
            if field not in table.header:
                continue
            known = {row[target_field] for row in target.rows}
            for index, row in enumerate(table.rows):
                if row[field] and row[field] not in known:
                    problems.append(Problem(table.label, f"unknown {field}; expected one of the ids in "
                                                         f"{target.label}: {', '.join(sorted(known))}",
                                            row=index + 1, line=table.lines[index], column=field, value=row[field]))
    return problems


def validate_package(data_dir: Path | str | None = None) -> DataPackage:
    """Read and validate the whole data package; raise :class:`EvidenceError` listing every problem.

    >>> package = validate_package()
    >>> "theme_counts" in package.tables
    True
    """
    package, problems = read_package(data_dir)
    schema_problems = [p for table in package.tables.values() for p in _schema_problems(table)]
    if schema_problems:  # rows cannot be checked against a schema that is itself wrong
        raise EvidenceError(problems + schema_problems)
    for table in package.tables.values():
        problems.extend(_table_problems(table))
    problems.extend(_foreign_key_problems(package))
    problems.extend(_list_reference_problems(package))
    problems.extend(_evidence_id_problems(package))
    if problems:
        raise EvidenceError(problems)
    return package
