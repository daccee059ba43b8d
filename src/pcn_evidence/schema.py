"""Validate the coded evidence against its data package.

``data/datapackage.json`` lists the tables; each table's Table Schema
(``data/schemas/<table>.json``) is the single source of truth for its columns,
types, vocabularies, keys and the project's own checks. frictionless checks the
standard's rules (:mod:`pcn_evidence.descriptors` the descriptors,
:mod:`pcn_evidence.standard` the rows); this module adds the book's own, and
reports every problem once, in one list:

* a cell is written as the book writes cells: no spaces around it, no placeholder
  left by `make add-source`, one line, no formula, numbers as plain digits;

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

from pathlib import Path
from typing import Any

from .datapackage import DataPackage, Table, key_columns, parse_cell, read_package, split_tags
from .descriptors import package_descriptor_problems, schema_problems
from .errors import EvidenceError, Problem
from .numbers import states_number
from .standard import Found, standard_problems

__all__ = ["validate_package", "FORMULA_START"]


# --- cell checks -------------------------------------------------------------

#: What `make add-source` writes in a cell a contributor must fill in from the source.
PLACEHOLDER = "TODO:"

#: First characters that make spreadsheet software treat a CSV cell as a formula (OWASP, "CSV Injection").
#: Coded text may not begin with one; a verbatim quote that does is neutralised in the downloads instead.
FORMULA_START = ("=", "+", "-", "@")


def _cell_problem(field: dict[str, Any], text: str) -> str | None:
    """What is wrong with a non-empty cell as the book writes cells (the standard's rules are frictionless's)."""
    if text != text.strip():
        return "remove the spaces at the start or end of the cell"
    if text.startswith(PLACEHOLDER):  # left by `make add-source`: never published
        return (f"a placeholder from `make add-source` is still here: {text[:60]!r}; fill it in from the source (or "
                "leave it empty where the source does not say)")
    if ("\n" in text or "\r" in text) and not field.get("pcn:multiline"):
        return "has a line break: a cell is one line of text (a page would read the rest as a new paragraph or markup)"
    if field.get("type", "string") == "string" and not field.get("pcn:verbatim") and text[0] in FORMULA_START:
        return (f"begins with {text[0]!r}, which a spreadsheet would run as a formula when a reader opens the "
                "downloaded CSV; start the cell with a letter or digit")
    return None


def _written_problems(table: Table) -> list[tuple[int, str, Problem]]:
    """The cells the book refuses as written (spaces around the text, a placeholder, a line break, a formula),
    each with its row index and column."""
    problems = []
    for index, row in enumerate(table.rows):
        for field in table.fields:
            text = row.get(field["name"], "")
            message = _cell_problem(field, text) if text.strip() else None
            if message:
                value = text[:60] if message.startswith("has a line break") else text
                problems.append((index, field["name"], Problem(table.label, message, row=index + 1,
                                                               line=table.lines[index], column=field["name"],
                                                               value=value)))
    return problems


def _cells_problems(table: Table, written: list[tuple[int, str, Problem]], standard: list[Found]) -> list[Problem]:
    """Every cell's problems, row by row and column by column: as written, then by the standard's rules.

    A number frictionless reads must still be written as the book writes numbers (26, not 2.6e1, +26 or
    NaN): a cell that is not is reported for that alone, not for the bounds its value then fails.
    """
    order = {f["name"]: n for n, f in enumerate(table.fields)}
    located = [(index, order[column], problem) for index, column, problem in written]
    skipped = {(index, column) for index, column, _ in written}
    skipped.update(cell for found in standard if found.stage == "types" for cell in found.cells)
    misformed = set()
    for index, row in enumerate(table.rows):
        for field in table.fields:
            text = row.get(field["name"], "")
            if (index, field["name"]) in skipped or not text.strip():
                continue
            try:
                parse_cell(text, field.get("type", "string"))
            except ValueError as exc:
                located.append((index, order[field["name"]], Problem(
                    table.label, str(exc), row=index + 1, line=table.lines[index], column=field["name"], value=text)))
                misformed.add((index, field["name"]))
    for found in standard:
        if found.stage in {"types", "cells"} and not misformed.intersection(found.cells):
            index, column = found.cells[0] if found.cells else (-1, "")
            located.append((index, order.get(column, -1), found.problem))
    return [problem for *_, problem in sorted(located, key=lambda item: item[:2])]


def _table_problems(table: Table, written: list[tuple[int, str, Problem]], standard: list[Found]) -> list[Problem]:
    problems: list[Problem] = []
    least = table.schema.get("pcn:min_rows", 0)
    if len(table.rows) < least:
        problems.append(Problem(table.label, f"has {len(table.rows)} row(s); the chapters that read it need at "
                                             f"least {least} (pcn:min_rows in data/schemas/{table.name}.json)"))
    problems += [found.problem for found in standard if found.stage == "columns"]
    if len(set(table.header)) != len(table.header):
        problems.append(Problem(table.label, "the header repeats a column name"))
    present = [f for f in table.fields if f["name"] in table.header]
    problems += _cells_problems(table, written, standard)
    problems += [found.problem for found in standard if found.stage == "keys"]
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


def _foreign_key_problems(package: DataPackage, standard: list[Found]) -> list[Problem]:
    """Each foreign key's problems in the order the schemas list them: to a table or column that is not
    there (the book's to say, before frictionless can look), then the rows whose value the table lacks."""
    problems = []
    for table in package.tables.values():
        for fk in table.schema.get("foreignKeys", []):
            (field,), (target_field,) = key_columns(fk["fields"]), key_columns(fk["reference"]["fields"])
            target = package.tables.get(fk["reference"]["resource"])
            if fk["reference"]["resource"] in package.unreadable:
                continue  # that table's own problem is reported; its absence would only repeat it
            if target is None:
                problems.append(Problem(table.label, f"column '{field}' refers to the table "
                                                     f"{fk['reference']['resource']!r}, which the data package does "
                                                     "not list"))
            elif target_field not in target.header:
                problems.append(Problem(f"data/schemas/{table.name}.json", f"the foreign key on '{field}' refers to "
                                        f"the column {target_field!r}, which {target.label} does not have"))
            else:
                problems += [found.problem for found in standard if found.table == table.name
                             and found.stage == "references" and found.problem.column == field]
    return problems


def validate_package(data_dir: Path | str | None = None) -> DataPackage:
    """Read and validate the whole data package; raise :class:`EvidenceError` listing every problem, each once.

    >>> package = validate_package()
    >>> "theme_counts" in package.tables
    True
    """
    package, problems = read_package(data_dir)
    problems += package_descriptor_problems(f"{package.directory.name}/datapackage.json", package.descriptor,
                                            package.unreadable)
    schema_faults: list[Problem] = []
    for table in package.tables.values():
        label = f"data/schemas/{table.name}.json"
        schema_faults += schema_problems(label, table.schema)
    if schema_faults:  # rows cannot be checked against a schema that is itself wrong
        raise EvidenceError(problems + schema_faults)
    standard, kept = standard_problems(package), []
    for table in package.tables.values():
        written = _written_problems(table)
        # a cell refused as written is reported for that alone: what frictionless makes of it only repeats it
        refused = {(index, column) for index, column, _ in written}
        found = [found for found in standard if found.table == table.name and not refused.intersection(found.cells)]
        problems.extend(_table_problems(table, written, found))
        kept += found
    problems.extend(_foreign_key_problems(package, kept))
    problems.extend(_list_reference_problems(package))
    problems.extend(_evidence_id_problems(package))
    if problems:
        raise EvidenceError(list(dict.fromkeys(problems)))  # a fault two rules share (unique, primary key) once
    return package
