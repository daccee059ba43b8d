"""Read the data package as text: the descriptor, each table's schema and each CSV's rows.

Reading never guesses: every way a file cannot be read (missing, not UTF-8, a NUL
character, an unclosed quote, a cell too long for the CSV reader, a resource without
a path or schema) becomes one :class:`~pcn_evidence.errors.Problem` naming the file and,
where there is one, the line and column. :mod:`pcn_evidence.schema` then checks what was read.

>>> package, problems = read_package()
>>> problems, "theme_counts" in package.tables
([], True)
>>> split_tags("sf-a; tc-b;")
['sf-a', 'tc-b']
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import EvidenceError, Problem
from .inputs import book_root

__all__ = ["DataPackage", "Table", "default_data_dir", "read_package", "parse_cell", "split_tags", "TYPE_MESSAGES",
           "CELL_LIMIT"]


@dataclass(frozen=True)
class Table:
    """One resource of the data package: its raw rows and its schema."""

    name: str
    path: Path
    label: str  # how messages name the file, e.g. "data/theme_counts.csv"
    schema: dict[str, Any]
    header: list[str]
    rows: list[dict[str, str]]
    lines: list[int]  # file line on which each row ends

    @property
    def fields(self) -> list[dict[str, Any]]:
        return self.schema["fields"]


@dataclass(frozen=True)
class DataPackage:
    """The data package descriptor and every table it lists, read as text."""

    directory: Path
    descriptor: dict[str, Any]
    tables: dict[str, Table]
    unreadable: frozenset[str] = frozenset()  # listed tables that could not be read (already reported)


def key_columns(key: str | list[str] | None) -> list[str]:
    """The columns of a key, written as one column's name or a list of them (none written: none)."""
    if key is None:
        return []
    return [key] if isinstance(key, str) else list(key)


def default_data_dir() -> Path:
    """The book's ``data/`` folder, or the folder ``PCN_EVIDENCE_DATA`` names."""
    override = os.environ.get("PCN_EVIDENCE_DATA")
    return Path(override).resolve() if override else book_root() / "data"


def _label(directory: Path, path: Path) -> str:
    return f"{directory.name}/{path.relative_to(directory).as_posix()}"


def read_package(data_dir: Path | str | None = None) -> tuple[DataPackage, list[Problem]]:
    """Read ``datapackage.json``, each schema and each CSV, collecting read problems."""
    directory = Path(data_dir) if data_dir is not None else default_data_dir()
    descriptor_path = directory / "datapackage.json"
    problems: list[Problem] = []
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvidenceError([Problem(str(descriptor_path), "the data package descriptor is missing")]) from None
    except json.JSONDecodeError as exc:
        raise EvidenceError([Problem(str(descriptor_path), f"is not valid JSON ({exc})")]) from None

    tables: dict[str, Table] = {}
    unreadable: set[str] = set()
    resources = descriptor.get("resources", []) if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        raise EvidenceError([Problem(f"{directory.name}/datapackage.json", "'resources' must be a list of objects, "
                                     "each with a name, a path to its CSV and a schema")])
    for number, resource in enumerate(resources, start=1):
        name = resource.get("name", f"resource {number}")
        missing = [key for key in ("name", "path", "schema") if key not in resource]
        if missing:
            problems.append(Problem(f"{directory.name}/datapackage.json",
                                    f"resource {name!r} has no {' or '.join(missing)}; each resource needs a name, "
                                    "a path to its CSV and a schema"))
            unreadable.add(name)
            continue
        if not _inside(directory, resource["path"]) or not _inside(directory, resource["schema"]):
            problems.append(Problem(f"{directory.name}/datapackage.json", f"resource {name!r}: its path and schema "
                                    "must be files inside the data folder, written relative to it"))
            unreadable.add(name)
            continue
        path = directory / resource["path"]
        label = _label(directory, path)
        schema = _read_schema(directory, resource["schema"], problems)
        read = _read_csv(path, label, problems) if schema is not None else None
        if schema is None or read is None:
            unreadable.add(name)
            continue
        header, rows, lines = read
        tables[name] = Table(name, path, label, schema, header, rows, lines)
    return DataPackage(directory, descriptor, tables, frozenset(unreadable)), problems


def _inside(directory: Path, ref: Any) -> bool:
    """Whether ``ref`` (a path, or an inline schema) stays inside the data folder: no '..', no absolute path.

    Written paths are compared, not link targets: a table that is a symbolic link is refused by name when read.
    """
    if not isinstance(ref, str):
        return isinstance(ref, dict)
    return Path(os.path.normpath(directory / ref)).is_relative_to(os.path.normpath(directory))


def _read_schema(directory: Path, ref: Any, problems: list[Problem]) -> dict[str, Any] | None:
    if not isinstance(ref, str):
        return dict(ref)
    schema_path = directory / ref
    try:
        return dict(json.loads(schema_path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError, TypeError, ValueError) as exc:
        problems.append(Problem(_label(directory, schema_path), f"cannot read the table schema ({exc})"))
        return None


#: The longest cell the reader takes: Python's own default. The csv module's limit is global, and frictionless
#: raises it to 2 GB when it loads, so the reader sets its own for as long as it reads.
CELL_LIMIT = 131_072


def _position(content: bytes, offset: int) -> str:
    """'line L, column C' of a byte offset, as an editor counts them (from 1)."""
    line = content.count(b"\n", 0, offset) + 1
    column = offset - (content.rfind(b"\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _read_csv(path: Path, label: str, problems: list[Problem]
              ) -> tuple[list[str], list[dict[str, str]], list[int]] | None:
    """Header, rows and the line each row ends on; every way the file cannot be read becomes one problem."""
    if path.is_symlink():  # refused here, before any chapter runs, as the downloads would refuse it later
        problems.append(Problem(label, "is a symbolic link; a table must be a file in the data folder itself"))
        return None
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(label, "the table listed in datapackage.json is missing"))
        return None
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]  # Excel's "CSV UTF-8" starts with a byte-order mark: not part of the first column
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(label, f"is not UTF-8 text: byte {content[exc.start]:#04x} at "
                                       f"{_position(content, exc.start)}; save the file as UTF-8 (in Excel: "
                                       "CSV UTF-8)"))
        return None
    if "\x00" in text:
        where = _position(content, content.index(b"\x00"))
        problems.append(Problem(label, f"contains a NUL character at {where}; remove it (it would silently "
                                       "disappear from the page)"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] = []
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    previous = csv.field_size_limit(CELL_LIMIT)
    try:
        header = next(reader, [])
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue  # a blank line is not a row
            rows.append(dict(zip(header, record + [""] * (len(header) - len(record)))))
            lines.append(reader.line_num)
            if len(record) > len(header):
                problems.append(Problem(label, f"has {len(record)} cells but the header has {len(header)} columns",
                                        row=len(rows), line=reader.line_num))
    except csv.Error as exc:
        start = (lines[-1] if lines else 1) + 1
        if "field larger than field limit" in str(exc):
            problems.append(Problem(label, f"a cell starting on line {start} or later is longer than "
                                           f"{CELL_LIMIT:,} characters; store a short quote, never a passage"))
            return None
        problems.append(Problem(label, f"cannot be read as CSV after line {start - 1} ({exc}): a quoted cell that "
                                       f"starts on line {start} or later is not closed, or text follows a closing "
                                       "quote; every quote mark inside a cell must be doubled (\"\")"))
        return None
    finally:
        csv.field_size_limit(previous)
    return header, rows, lines


# --- cells -------------------------------------------------------------------

#: What a cell of each type must look like, as the book writes it: frictionless also takes "1e3", "NaN",
#: "+3" or "1_000" as numbers and "True" or "1" as true, which a page or a spreadsheet would show otherwise.
_WRITTEN = {"integer": re.compile(r"^-?\d+$"), "number": re.compile(r"^-?\d+(\.\d+)?$"),
            "boolean": re.compile(r"^(true|false)$")}
#: What was expected of a cell that is not of its type.
TYPE_MESSAGES = {"integer": "expected a whole number (e.g. 26)", "number": "expected a number (e.g. 26 or 0.5)",
                 "boolean": "expected true or false"}


def parse_cell(text: str, field_type: str) -> Any:
    """Convert one non-empty CSV cell to its Table Schema type; raise ValueError if it is not one."""
    if field_type not in _WRITTEN:
        return text
    if not _WRITTEN[field_type].match(text):
        raise ValueError(TYPE_MESSAGES[field_type])
    return int(text) if field_type == "integer" else float(text) if field_type == "number" else text == "true"


def split_tags(cell: object) -> list[str]:
    """Split a semicolon-separated list cell (``"ccg-support; covid-19"``) into its items.

    The one list splitter, for raw CSV text and typed frames alike: a missing cell (``None``,
    NaN, ``pd.NA``) has no items, and any other value is split as text.
    """
    if cell is None or (not isinstance(cell, str) and pd.isna(cell)):
        return []
    return [item.strip() for item in str(cell).split(";") if item.strip()]
