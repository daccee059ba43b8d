"""The shape of the data package's descriptors, checked before any row is read.

A table schema whose ``minimum`` is the text ``"0"``, whose ``pattern`` is a number, whose field
has no name or whose constraints are a list cannot be used to check rows: each would otherwise
end in a bare traceback naming no file. :func:`schema_shape_problems` checks every schema against
:data:`TABLE_SCHEMA_SHAPE` with jsonschema (a well-kept implementation of JSON Schema) and says,
for each fault, the file, where in it, and what was expected.

>>> schema = {"fields": [{"name": "n", "type": "integer", "constraints": {"minimum": "0"}}]}
>>> [p.message for p in schema_shape_problems("data/schemas/t.json", schema)]
["at fields[0].constraints.minimum: '0' is not of type 'number'"]
"""

from __future__ import annotations

from typing import Any

import jsonschema

from .errors import Problem

__all__ = ["TABLE_SCHEMA_SHAPE", "schema_shape_problems"]

_COLUMN = {"type": "string", "minLength": 1}
# a key's columns (how many a key may have, and which, is checked by name in pcn_evidence.schema)
_KEY = {"oneOf": [_COLUMN, {"type": "array", "items": _COLUMN}]}
_NUMBER = {"type": "number"}
_COUNT = {"type": "integer", "minimum": 0}

#: What a table schema of this book may hold (the keys themselves are checked by name in
#: :mod:`pcn_evidence.schema`, which refuses any it does not implement).
TABLE_SCHEMA_SHAPE: dict[str, Any] = {
    "type": "object",
    "required": ["fields"],
    "properties": {
        "description": {"type": "string"},
        "primaryKey": _KEY,
        "pcn:min_rows": _COUNT,
        "pcn:checks": {"type": "array", "items": {"type": "object", "required": ["check"]}},
        "foreignKeys": {"type": "array", "items": {
            "type": "object", "required": ["fields", "reference"],
            "properties": {"fields": _KEY, "reference": {
                "type": "object", "required": ["fields"],
                "properties": {"resource": _COLUMN, "fields": _KEY}}}}},
        "fields": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["name"],
            "properties": {
                "name": _COLUMN,
                "type": {"type": "string"},
                "description": {"type": "string"},
                "pcn:verbatim": {"type": "boolean"},
                "pcn:multiline": {"type": "boolean"},
                "pcn:number_in": _COLUMN,
                "pcn:evidence_ids": {"type": "boolean"},
                "pcn:list_reference": {"type": "object", "required": ["resource", "field"],
                                       "properties": {"resource": _COLUMN, "field": _COLUMN}},
                "constraints": {"type": "object", "properties": {
                    "required": {"type": "boolean"}, "unique": {"type": "boolean"},
                    "enum": {"type": "array", "minItems": 1},
                    "pattern": {"type": "string"},
                    "minimum": _NUMBER, "maximum": _NUMBER, "exclusiveMinimum": _NUMBER, "exclusiveMaximum": _NUMBER,
                    "minLength": _COUNT, "maxLength": _COUNT}},
            }}},
    },
}

_VALIDATOR = jsonschema.Draft202012Validator(TABLE_SCHEMA_SHAPE)


def _where(path: Any) -> str:
    """``fields[0].constraints.minimum`` from jsonschema's path of keys and indexes."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the top level"


def schema_shape_problems(label: str, schema: object) -> list[Problem]:
    """Every place where ``schema`` (read from ``label``) does not have the shape a table schema must have."""
    errors = sorted(_VALIDATOR.iter_errors(schema), key=lambda e: [str(p) for p in e.absolute_path])
    return [Problem(label, f"at {_where(error.absolute_path)}: {error.message}") for error in errors]
