"""Load the coded evidence as typed pandas tables, validated first, and read its vocabularies.

>>> counts = load_table("theme_counts")
>>> str(counts["count"].dtype)
'Int64'
>>> vocabulary("cerqual", "confidence")
['high', 'moderate', 'low', 'very low']
>>> labels("topics")["ccg-mergers"]
'CCG mergers'
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import inputs
from .datapackage import DataPackage, default_data_dir, parse_cell, read_package, split_tags

__all__ = ["VALIDATED_ENV", "data_digest", "package_key", "validated_package", "load_package", "load_table", "table_names", "split_tags", "vocabulary",
           "labels"]

_PANDAS_TYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "string": "string"}


def _fingerprint(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """Cheap change detector: re-validate when any data file is edited."""
    return tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(directory.rglob("*")) if p.is_file() and p.suffix in {".csv", ".json"}
    )


def _directory(data_dir: Path | str | None) -> Path:
    return Path(data_dir).resolve() if data_dir is not None else default_data_dir()


def package_key(data_dir: Path | str | None = None) -> tuple[Path, tuple]:
    """The data folder and a fingerprint of its files: a cache key that changes when any data file does."""
    directory = _directory(data_dir)
    return directory, _fingerprint(directory)


#: Set by the build (pcn_evidence.tools.checks) to the :func:`data_digest` of the data it has just validated, so that
#: each chapter's kernel reads those data without validating them again: thirteen kernels each validating
#: every table made a large table cost thirteen times over (issue #23: 100,000 rows, a 20-fold slower page).
VALIDATED_ENV = "PCN_VALIDATED_DATA"


def data_digest(directory: Path | str) -> str:
    """SHA-256 of a data folder: its path, and the name and bytes of every CSV and JSON file in it.

    Content, not times: whatever changes a byte of the data changes the digest, so a kernel never takes
    edited data for the data the build validated.
    """
    directory = Path(directory).resolve()
    digest = hashlib.sha256(str(directory).encode() + b"\0")
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.suffix in {".csv", ".json"}:
            digest.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def validate_package(directory: Path) -> DataPackage:
    """:func:`pcn_evidence.schema.validate_package`, imported when data are first validated: a chapter's kernel
    reading the data the build has just validated never loads the validator (frictionless takes 0.2 s to import)."""
    from .schema import validate_package as validate

    return validate(directory)


@lru_cache(maxsize=4)
def _validated(directory: Path, fingerprint: tuple) -> DataPackage:
    if os.environ.get(VALIDATED_ENV) == data_digest(directory):  # validated by the build a moment ago
        package, problems = read_package(directory)
        if not problems:
            return package
    return validate_package(directory)


def validated_package(data_dir: Path | str | None = None) -> DataPackage:
    """The data package read and validated once per process, again only when a data file changes.

    Every reader of the evidence (tables, facts, the ledger, coding decisions, provenance)
    starts here, so a chapter validates the package once however many facts it quotes.
    Raises :class:`pcn_evidence.EvidenceError` listing every problem; a failure is not cached.
    """
    return _validated(*package_key(data_dir))


@lru_cache(maxsize=4)
def _load(directory: Path, fingerprint: tuple) -> dict[str, pd.DataFrame]:
    package = _validated(directory, fingerprint)
    return {name: _frame(package, name) for name in package.tables}


def _frame(package: DataPackage, name: str) -> pd.DataFrame:
    table = package.tables[name]
    columns: dict[str, pd.Series] = {}
    for field in table.fields:
        kind = field.get("type", "string")
        cells = [row[field["name"]] for row in table.rows]
        values = [parse_cell(c, kind) if c.strip() else None for c in cells]
        columns[field["name"]] = pd.Series(values, dtype=_PANDAS_TYPES[kind])
    return pd.DataFrame(columns)


def load_package(data_dir: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the data package, validated and typed, by name.

    Raises :class:`pcn_evidence.EvidenceError` listing every problem if the data
    do not match the schema. Returned frames are copies: callers may modify them.
    """
    frames = _load(*package_key(data_dir))
    return {name: frame.copy() for name, frame in frames.items()}


def load_table(name: str, data_dir: Path | str | None = None) -> pd.DataFrame:
    """One validated, typed table of the data package (e.g. ``"theme_counts"``).

    Within a chapter, the table must be one the chapter declares (``chapters/inputs.yml``).
    """
    inputs.check_table(name)
    package = load_package(data_dir)
    if name not in package:
        raise KeyError(f"no table {name!r} in the data package; tables are: {', '.join(sorted(package))}")
    return package[name]


def table_names(data_dir: Path | str | None = None) -> list[str]:
    """Names of the tables, in the order datapackage.json lists them."""
    return list(load_package(data_dir))



def vocabulary(table: str, field: str, data_dir: Path | str | None = None) -> list[str]:
    """The allowed values of a column, in the order the schema lists them (the book's display order)."""
    inputs.check_table(table)
    package = validated_package(data_dir)  # read once per process, not once per call
    for spec in package.tables[table].fields:
        if spec["name"] == field and "enum" in spec.get("constraints", {}):
            return list(spec["constraints"]["enum"])
    raise KeyError(f"column {field!r} of table {table!r} has no list of allowed values (enum) in its schema")


def labels(table: str, value: str = "label", data_dir: Path | str | None = None) -> dict[str, str]:
    """A vocabulary table as ``{id: value}`` in its row order, e.g. ``labels("topics")``."""
    frame = load_table(table, data_dir)
    return dict(zip(frame["id"].astype(str), frame[value].astype(str)))
