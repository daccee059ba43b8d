"""What is checked before a build or `make outputs` runs anything: the data, CITATION.cff, the quotes against
their sources, and that the build can write its output; and what its last lines must say.

Each problem is one clear message, before any chapter runs, rather than a traceback from wherever the first
failure happens to be, perhaps after minutes of executing chapters.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import yaml

from .paths import BUILD, CACHE, DOWNLOADS, OUTPUT_FILES, OUTPUT_FOLDERS, ROOT, data_dir, sources_dir

__all__ = ["unchecked_quotes_note", "LARGE_TABLE_ROWS", "large_tables", "validate_data", "output_problem"]


def unchecked_quotes_note() -> str:
    """The closing line of a build made without the reference texts, so that nobody mistakes it for a checked one."""
    if sources_dir().is_dir():
        return ""
    return (f"NOT CHECKED: the quotes were not checked against the sources (no reference texts at {sources_dir()}; "
            "set PCN_SOURCES_DIR)")


# A table with more rows than this is far larger than the book's (the largest, the coding decisions, has a
# few hundred; bench-scale's 50 sources give a few thousand). Each row costs validation and loading time in
# every chapter that reads the table, so rows pasted twice or a table exported whole from elsewhere make the
# build crawl without being wrong: the build warns, naming the table, rather than refusing valid data.
LARGE_TABLE_ROWS = 20_000


def large_tables(package: Any) -> list[str]:
    """A warning for each table of a validated package (a ``DataPackage``) with more than LARGE_TABLE_ROWS rows."""
    return [f"WARNING: {table.label} has {len(table.rows):,} rows, far more than the book expects (at most "
            f"{LARGE_TABLE_ROWS:,}); every chapter that reads it is slowed in proportion. If the rows are not meant "
            "to be there (pasted twice, a whole export), remove them."
            for table in package.tables.values() if len(table.rows) > LARGE_TABLE_ROWS]


def validate_data() -> list[str]:
    """Stop before any chapter runs if the coded evidence or CITATION.cff is invalid: one clear list of problems.

    Returns the warnings to repeat when the build ends (a table far larger than the book expects).
    """
    # the library (pandas, frictionless) is imported here, not with the module: a build refused before the data
    # are checked (a read-only _build, an unknown chapter) answers at once
    from ..bottom_line import lifted_quote_problems
    from ..downloads import published_files
    from ..errors import EvidenceError
    from ..facts import facts
    from ..load import VALIDATED_ENV, data_digest, load_table
    from ..provenance import quote_problems, source_texts
    from ..release import ReleaseError, read_release
    from ..schema import validate_package

    try:
        package = validate_package(data_dir())
        published_files(data_dir())  # a schema or descriptor that is a link is refused now, not after the chapters
    except (EvidenceError, ValueError) as error:
        sys.exit(f"{error}\n\nThe book was not built: fix the data above, then run `make book` again.")
    # the chapters' kernels read the data without validating them again (pcn_evidence.load)
    os.environ[VALIDATED_ENV] = data_digest(data_dir())
    warnings = large_tables(package)
    for warning in warnings:
        print(warning, flush=True)
    sources = sources_dir()
    if sources.is_dir():  # a quote that is not verbatim is never published
        problems = quote_problems(sources, data_dir())
        if problems:
            sys.exit(f"{EvidenceError(problems)}\n\nThe book was not built: every quote must be verbatim in its "
                     f"source ({sources}).")
        lifted = lifted_quote_problems(lambda name: load_table(name, data_dir()), facts(data_dir()),
                                       source_texts(package, sources))
        if lifted:
            sys.exit("\n".join(lifted) + "\n\nThe book was not built: every word a key message or the bottom line "
                     f"quotes must be verbatim in a source it draws on ({sources}).")
    try:
        read_release(ROOT / "CITATION.cff")  # every page's footer and citation reads it
    except yaml.YAMLError as error:
        sys.exit(f"CITATION.cff is not valid YAML: {' '.join(str(error).split())}\n\nThe book was not built.")
    except ReleaseError as error:
        sys.exit(f"{error}\n\nThe book was not built: fix CITATION.cff, then run `make book` again.")
    return warnings


def _why_not_writable(path: Path) -> str:
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return "it is on a read-only file system"
    except OSError:
        pass
    return "its permissions do not let this user write to it"


def output_problem(building: bool = True) -> str | None:
    """Why the build (``building``; else `make outputs`, which writes only its lock there) could not write its
    output under _build: one line naming the path, or None when it can.

    Checked before anything runs, so that a read-only _build, or one of its folders, stops the build with
    a sentence rather than a traceback from wherever the first write happens to be, perhaps after minutes
    of executing chapters.
    """
    fix = f"make it writable (chmod -R u+w {BUILD}) or remove it (make clean), then run the command again"
    if BUILD.is_symlink() and not BUILD.exists():
        return f"Cannot build: {BUILD} is a link to a folder that does not exist; {fix}."
    if BUILD.exists() and not BUILD.is_dir():
        return f"Cannot build: {BUILD} is a file, not a folder: the build writes its output there; {fix}."
    if not BUILD.exists():
        if not os.access(ROOT, os.W_OK | os.X_OK):
            return f"Cannot build: {ROOT} is not writable ({_why_not_writable(ROOT)}), so {BUILD} cannot be made."
        return None
    tops = OUTPUT_FOLDERS if building else ()
    folders = [BUILD] + [d for top in tops if top.is_dir()
                         for d in [top, *(Path(p) for p, _, _ in os.walk(top) if Path(p) != top)]]
    for folder in folders:
        if not os.access(folder, os.W_OK | os.X_OK):
            return f"Cannot build: {folder} is not writable ({_why_not_writable(folder)}); {fix}."
    # files the build writes in place (elsewhere it only deletes, which the folder's permission decides)
    files = [f for f in OUTPUT_FILES if f.is_file()]
    files += [Path(p) / name for top in (CACHE, DOWNLOADS.parent) if building and top.is_dir()
              for p, _, names in os.walk(top) for name in names]
    for file in files:
        if not os.access(file, os.W_OK):
            return f"Cannot build: {file} is read-only ({_why_not_writable(file)}); {fix}."
    for top in tops:
        if top.exists() and not top.is_dir():
            return f"Cannot build: {top} is a file, not a folder: the build writes a folder there; {fix}."
    return None

