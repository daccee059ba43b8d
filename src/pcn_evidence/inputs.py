"""What each chapter reads: declared in ``chapters/inputs.yml``, enforced while the chapter runs.

The build re-executes a chapter only when its code, one of its declared inputs or
this package changes, so a chapter that quietly read something else could show a
stale number. While a chapter is active (see :class:`pcn_evidence.chapter.Chapter`),
every table and file read through this package is checked against its declaration,
and an undeclared read stops the chapter with a message saying what to declare.

>>> declaration("theme_counts").tables
('theme_counts', 'study_design', 'units')
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

__all__ = ["checkout_root", "book_root", "Declaration", "UndeclaredInputError", "declarations", "declaration", "activate",
           "deactivate", "active", "check_table", "check_file", "record_figure", "figures_rendered"]

ROOT_ENV = "PCN_BOOK_ROOT"
DECLARATIONS = Path("chapters") / "inputs.yml"  # relative to the book's root
ALL_TABLES = "*"


def checkout_root() -> Path:
    """The book this package is part of: the folder that holds its ``src/`` (a copy's, when the copy's is imported)."""
    return Path(__file__).resolve().parents[2]


def book_root() -> Path:
    """The book being built: ``PCN_BOOK_ROOT`` (set by the build for a copy), else this checkout."""
    override = os.environ.get(ROOT_ENV)
    return Path(override).resolve() if override else checkout_root()


class UndeclaredInputError(RuntimeError):
    """A chapter read a table or file that ``chapters/inputs.yml`` does not declare for it."""


@dataclass(frozen=True)
class Declaration:
    """One chapter's declared inputs: tables of the data package (``*`` for all) and other files."""

    chapter: str
    tables: tuple[str, ...]
    files: tuple[str, ...] = ()

    @property
    def all_tables(self) -> bool:
        return self.tables == (ALL_TABLES,)

    def reads_table(self, name: str) -> bool:
        return self.all_tables or name in self.tables

    def reads_file(self, path: str) -> bool:
        return path in self.files


def declarations(path: Path | str | None = None) -> dict[str, Declaration]:
    """Every chapter's declaration, by chapter name (the notebook's file stem)."""
    source = Path(path) if path is not None else book_root() / DECLARATIONS
    raw = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    result = {}
    for chapter, entry in raw.items():
        entry = entry or {}
        tables = entry.get("tables", [])
        tables = (ALL_TABLES,) if tables == ALL_TABLES else tuple(tables)
        result[chapter] = Declaration(chapter, tables, tuple(entry.get("files", [])))
    return result


def declaration(chapter: str, path: Path | str | None = None) -> Declaration:
    """One chapter's declaration; ``KeyError`` naming the file if it has none."""
    found = declarations(path)
    if chapter not in found:
        raise KeyError(f"chapter {chapter!r} declares no inputs in {DECLARATIONS.as_posix()}; add an entry "
                       f"listing the tables (and files) it reads")
    return found[chapter]


@dataclass
class _State:
    declaration: Declaration | None = None
    figures: list[str] = field(default_factory=list)


_STATE = _State()


def activate(chapter: Declaration) -> None:
    """From now on, reads are checked against ``chapter`` (one chapter per kernel)."""
    _STATE.declaration = chapter
    _STATE.figures = []


def deactivate() -> None:
    """Stop checking reads (tests and library use outside a chapter)."""
    _STATE.declaration = None
    _STATE.figures = []


def active() -> Declaration | None:
    """The declaration being enforced, or None outside a chapter."""
    return _STATE.declaration


def _refuse(what: str) -> None:
    chapter = _STATE.declaration
    assert chapter is not None
    raise UndeclaredInputError(
        f"chapter {chapter.chapter!r} read {what}, which {DECLARATIONS.as_posix()} does not declare for it; "
        f"add it there so that the build re-executes the chapter when it changes")


def check_table(name: str) -> None:
    """Raise :class:`UndeclaredInputError` if the active chapter does not declare table ``name``."""
    chapter = _STATE.declaration
    if chapter is not None and not chapter.reads_table(name):
        _refuse(f"the table {name!r}")


def check_file(path: Path | str) -> None:
    """Raise :class:`UndeclaredInputError` if the active chapter does not declare ``path`` (relative to the book)."""
    chapter = _STATE.declaration
    if chapter is None:
        return
    resolved, root = Path(path).resolve(), book_root()
    relative = resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(path)
    if not chapter.reads_file(relative):
        _refuse(f"the file {relative!r}")


def record_figure(name: str) -> None:
    """Note a figure rendered by the active chapter, for its downloads panel."""
    if _STATE.declaration is not None and name not in _STATE.figures:
        _STATE.figures.append(name)


def figures_rendered() -> list[str]:
    """Figures the active chapter has rendered so far, in order."""
    return list(_STATE.figures)
