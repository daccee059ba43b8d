"""The data package's descriptors, checked before any row is read.

frictionless, the reference implementation of the Data Package standard, checks the standard part of
each table schema (a field's name, type and constraints, the keys) and of ``datapackage.json`` (the
resources' names, unique, and their paths). The book's profile, :data:`BOOK_PROFILE`, checks with
jsonschema what the standard leaves open: the book's own ``pcn:`` keys, bounds written as numbers (the
standard also takes the text ``"0"``) and a list of allowed values that is not empty. A schema whose
``pattern`` is a number, whose field has no name or whose constraints are a list cannot be used to check
rows; each fault is one :class:`~pcn_evidence.errors.Problem` naming the file, where in it and what was
expected, never a traceback.

>>> schema = {"fields": [{"name": "n", "type": "integer", "constraints": {"minimum": "0"}}]}
>>> [p.message for p in schema_shape_problems("data/schemas/t.json", schema)]
["at fields[0].constraints.minimum: '0' is not of type 'number' (field 'n')"]
>>> schema = {"fields": [{"name": "n", "type": "integer", "constraints": {"pattern": "[0-9]+"}}]}
>>> [p.message.split(";")[0] for p in schema_shape_problems("data/schemas/t.json", schema)]
["field 'n': unknown constraint 'pattern'"]
"""

from __future__ import annotations

import copy
import functools
import json
import re
from typing import Any

import frictionless
import jsonschema

from .errors import Problem

__all__ = ["BOOK_PROFILE", "FIELD_TYPES", "schema_problems", "schema_shape_problems", "schema_key_problems",
           "package_descriptor_problems"]

#: The Table Schema field types the book reads (pcn_evidence.load types its frames from them); any other is
#: refused by name. Dates are strings with a pattern.
FIELD_TYPES = ("string", "integer", "number", "boolean")

_COLUMN = {"type": "string", "minLength": 1}
_NUMBER = {"type": "number"}

#: What the book asks of a table schema beyond the standard, which frictionless checks. Only what is needed
#: to walk the schema safely (fields and foreign keys as objects) overlaps the standard, and frictionless is
#: asked about a schema's keys only once this profile holds.
BOOK_PROFILE: dict[str, Any] = {
    "type": "object",
    "required": ["fields"],
    "properties": {
        "pcn:min_rows": {"type": "integer", "minimum": 0},
        "pcn:checks": {"type": "array", "items": {"type": "object", "required": ["check"]}},
        "foreignKeys": {"type": "array", "items": {"type": "object", "properties": {"reference": {"type": "object"}}}},
        "fields": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "properties": {
                "pcn:verbatim": {"type": "boolean"},
                "pcn:multiline": {"type": "boolean"},
                "pcn:number_in": _COLUMN,
                "pcn:evidence_ids": {"type": "boolean"},
                "pcn:list_reference": {"type": "object", "required": ["resource", "field"],
                                       "properties": {"resource": _COLUMN, "field": _COLUMN}},
                "constraints": {"properties": {
                    "enum": {"minItems": 1},
                    "minimum": _NUMBER, "maximum": _NUMBER, "exclusiveMinimum": _NUMBER, "exclusiveMaximum": _NUMBER,
                }},
            }}},
    },
}

_VALIDATOR = jsonschema.Draft202012Validator(BOOK_PROFILE)
# frictionless words a fault of a descriptor as "<what> at property '<a/b/0>'", or as <what> alone
_UNSUPPORTED = re.compile(r'constraint "(?P<name>[^"]*)" is not supported by type')
_AT_PROPERTY = re.compile(r"^(?P<what>.*) at property '(?P<path>[^']*)'$", re.DOTALL)


def _where(path: Any) -> str:
    """``fields[0].constraints.minimum`` from a path of keys and indexes."""
    text = ""
    for part in path:
        index = part if isinstance(part, int) else int(part) if str(part).isdigit() else None
        text += f"[{index}]" if index is not None else (f".{part}" if text else str(part))
    return text or "the top level"


def _problem(label: str, schema: dict[str, Any], path: list[Any], what: str) -> Problem:
    """One fault at ``path``, naming the field it is in where that field has a name."""
    fields = schema.get("fields")
    name = None
    if len(path) > 1 and path[0] == "fields" and isinstance(fields, list) and isinstance(path[1], int):
        field = fields[path[1]]
        name = field.get("name") if isinstance(field, dict) else None
    return Problem(label, f"at {_where(path)}: {what}" + (f" (field {name!r})" if isinstance(name, str) else ""))


def _frictionless(label: str, schema: dict[str, Any], prefix: list[Any], errors: Any) -> list[Problem]:
    problems = []
    for error in errors:
        found = _AT_PROPERTY.match(error.note)
        path = prefix + (found["path"].split("/") if found else [])
        what = found["what"] if found else error.note
        problems.append(_problem(label, schema, path, what) if path else Problem(label, what))
    return problems


def schema_shape_problems(label: str, schema: dict[str, Any]) -> list[Problem]:
    """Every place where ``schema`` (read from ``label``) is not a table schema the book can check rows with.

    The book's profile, then each field as frictionless validates it: its name, its type (one of
    :data:`FIELD_TYPES`), its constraints and their values, and the constraints its type supports.
    """
    found = [(list(e.absolute_path), e.message) for e in _VALIDATOR.iter_errors(schema)]
    problems = [_problem(label, schema, path, what) for path, what in sorted(found, key=lambda f: str(f[0]))]
    for index, field in enumerate(schema["fields"] if isinstance(schema.get("fields"), list) else []):
        if not isinstance(field, dict):
            continue  # the book's profile names it
        kind = field.get("type", "string")
        if kind not in FIELD_TYPES:
            problems.append(Problem(label, f"field {field.get('name', index)!r} has type {kind!r}, which this "
                                           f"validator does not check; use one of {', '.join(FIELD_TYPES)} (dates "
                                           "are strings with a pattern)"))
            continue
        standalone = frictionless.Field.metadata_select_class(kind)
        for problem in _frictionless(label, schema, ["fields", index], standalone.metadata_validate(copy.deepcopy(field))):
            unsupported = _UNSUPPORTED.search(problem.message)
            if unsupported:  # said as the book says it, with what the type does support
                problem = Problem(label, f"field {field['name']!r}: unknown constraint {unsupported['name']!r}; a "
                                         f"field of type {kind!r} may use "
                                         f"{', '.join(sorted(standalone.supported_constraints + ['unique']))}")
            problems.append(problem)
    return problems


#: Every key a schema may use. A key outside these (a misspelling, a Table Schema feature the book does not
#: use) is refused by name: frictionless, like the standard, ignores a key it does not know, and a constraint
#: must never be silently skipped.
SCHEMA_KEYS = {"fields", "primaryKey", "foreignKeys", "description", "pcn:checks", "pcn:min_rows"}
FIELD_KEYS = {"name", "type", "description", "constraints", "pcn:verbatim", "pcn:number_in", "pcn:list_reference",
              "pcn:evidence_ids", "pcn:multiline"}
CHECKS = {"not_greater": {"check", "field", "than"}, "evidence_for_stance": {"check", "field", "stance", "silent"}}


def schema_key_problems(label: str, schema: dict[str, Any]) -> list[Problem]:
    """The book's own rules for a schema of the right shape: its keys, its row checks and its foreign keys.

    Then frictionless checks the schema's keys: the field names are unique, and the primary and foreign
    keys name fields the schema has.
    """
    problems = [Problem(label, f"unknown key {key!r}; a schema may use {', '.join(sorted(SCHEMA_KEYS))}")
                for key in schema if key not in SCHEMA_KEYS]
    for field in schema["fields"]:
        problems += [Problem(label, f"field '{field['name']}': unknown key {key!r}; a field may use "
                                    f"{', '.join(sorted(FIELD_KEYS))}") for key in field if key not in FIELD_KEYS]
        pattern = field.get("constraints", {}).get("pattern")
        try:
            re.compile(pattern) if pattern is not None else None
        except re.error as exc:
            problems.append(Problem(label, f"field '{field['name']}': the pattern {pattern!r} is not a valid "
                                           f"regular expression ({exc})"))
    for check in schema.get("pcn:checks", []):
        kind = check.get("check")
        if kind not in CHECKS or set(check) != CHECKS[kind]:
            problems.append(Problem(label, f"pcn:checks entry {check!r} is not one of: " + "; ".join(
                f"{k} with keys {', '.join(sorted(v))}" for k, v in CHECKS.items())))
    for fk in schema.get("foreignKeys", []):
        # frictionless takes keys of several columns, and a reference without a resource as one to the table
        # itself; the book's keys are single columns of another table (the pages and the dictionary read them so)
        reference = fk.get("reference", {})
        fields, target = fk.get("fields"), reference.get("fields")
        single = [fields] if isinstance(fields, str) else fields
        targets = [target] if isinstance(target, str) else target
        if not (isinstance(single, list) and len(single) == 1 and isinstance(targets, list) and len(targets) == 1
                and "resource" in reference):
            problems.append(Problem(label, f"foreign key {fk!r}: this validator checks single-column foreign keys, "
                                           "written {\"fields\": \"col\", \"reference\": {\"resource\": …, "
                                           "\"fields\": \"col\"}} (or with one-item lists)"))
    if problems:
        return problems
    keys = copy.deepcopy({key: value for key, value in schema.items() if key in {"primaryKey", "foreignKeys"}})
    # the fields as names alone: each field was validated above, with where it is in the file
    keys["fields"] = [{"name": field["name"]} for field in schema["fields"]]
    frictionless.Schema.metadata_transform(keys)  # the standard's shorthand: a key of one column as a string
    return _frictionless(label, schema, [], frictionless.Schema.metadata_validate(keys))


def schema_problems(label: str, schema: dict[str, Any]) -> list[Problem]:
    """Every fault of one table schema: its shape, and only once its shape is sound, its keys.

    Remembered by the schema's text: a process that validates many copies of the book (the tests, a mutant's
    run) checks each distinct schema once, as :mod:`pcn_evidence.standard` validates each distinct table once.
    """
    return list(_schema_problems(label, json.dumps(schema)))


@functools.cache
def _schema_problems(label: str, text: str) -> tuple[Problem, ...]:
    schema = json.loads(text)
    return tuple(schema_shape_problems(label, schema) or schema_key_problems(label, schema))


def package_descriptor_problems(label: str, descriptor: dict[str, Any], refused: frozenset[str]) -> list[Problem]:
    """What frictionless finds wrong with ``datapackage.json`` beyond what reading it refused.

    Reading refuses a resource without a name, path or schema, or with a path outside the data folder
    (:func:`pcn_evidence.datapackage.read_package`); frictionless checks the rest of the standard: the
    resources' names (lower case, unique), their other properties and the package's own.
    """
    resources = [resource for resource in descriptor.get("resources", []) if "name" in resource and resource["name"]
                 not in refused]
    problems = []
    for resource in resources:
        for error in frictionless.Resource.metadata_validate(copy.deepcopy(resource)):
            if isinstance(error, frictionless.errors.ResourceError):  # an inline schema is checked above
                problems.append(Problem(label, f"resource {resource['name']!r}: {error.note}"))
    package = copy.deepcopy(dict(descriptor, resources=resources))
    for error in frictionless.Package.metadata_validate(package):
        if isinstance(error, frictionless.errors.PackageError):  # a resource's own fault is named above
            problems.append(Problem(label, error.note))
    return problems
