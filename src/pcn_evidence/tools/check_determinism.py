"""Prove that the published site, and the release archive, are functions of the tree (`make check-determinism`).

Two throwaway copies at different paths (so an absolute path leaking into a page would show
up). The first is built clean, then edited (a chapter's text and a data value) and built
again, incrementally, as a contributor does; the second gets the same edits and is built
once, from clean. Every file of the two _build/html folders must be byte-identical: two
clean builds agree, and an incremental build is the clean build of the same tree, search
index and downloads included, with nothing stale left over. Then the first copy's edits are
committed and `make dist` archives that commit: it builds from clean in an export of the
commit, and the archive's html/ must be byte-identical to both builds too. ALLOWED_TO_DIFFER
lists files that may differ, each with the reason; it is empty, and the check fails on any
difference. (tests/test_dist.py proves on a small book that two `make dist` runs of one
commit, with an edit built and reverted between them, give the same archive.)
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import os
import sys
import tempfile
from pathlib import Path

from .paths import run_or_exit, tool, working_copy
from .site import read_release_archive, write_tree

# path relative to _build/html -> why it may differ. Keep this empty unless a difference is unavoidable.
ALLOWED_TO_DIFFER: dict[str, str] = {}

# The edits a contributor makes between builds: a sentence of a chapter's text, and a data value.
EDITS = (("chapters/sources.md", "**The question.**", "**The question (asked again).**"),
         ("data/coreq.csv", "Says the interviews were conducted", "Says that the interviews were conducted"))
# A throwaway repository's identity (the copies are committed so that `make dist` can archive them)
GIT_ENV = {"GIT_AUTHOR_NAME": "Determinism check", "GIT_AUTHOR_EMAIL": "check@example.invalid",
           "GIT_COMMITTER_NAME": "Determinism check", "GIT_COMMITTER_EMAIL": "check@example.invalid",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _build(work: Path, env: dict[str, str]) -> None:
    run_or_exit(tool("book", "build"), work, env)


def edit_tree(work: Path, edits: tuple[tuple[str, str, str], ...] = EDITS) -> None:
    """Make ``edits`` (path from the book's root, old text, new text) in the book at ``work``."""
    for name, old, new in edits:
        path = work / name
        text = path.read_bytes().decode("utf-8")  # bytes: the file's line endings stay as they are
        if old not in text:
            sys.exit(f"{name}: the text to edit, {old!r}, is not there any more; update EDITS in {__file__}")
        path.write_bytes(text.replace(old, new, 1).encode("utf-8"))


def build_copy(parent: Path, name: str, incremental: bool) -> tuple[Path, dict[str, str]]:
    """Build a copy of the book with the edits: after a first clean build (``incremental``), or from clean.

    Returns the copy (a git repository whose one commit is the unedited book) and its environment.
    """
    work, env = working_copy(parent / name)
    env = env | GIT_ENV
    run_or_exit(["git", "init", "--quiet"], work, env)
    run_or_exit(["git", "add", "-A"], work, env)
    run_or_exit(["git", "commit", "--quiet", "-m", "the book as it was"], work, env)
    if incremental:
        _build(work, env)
    edit_tree(work)
    _build(work, env)
    return work, env


def tree(directory: Path) -> dict[str, str]:
    """Every file under ``directory`` (path from it) with its SHA-256."""
    return {p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def differences(first: Path, second: Path, allowed: dict[str, str] = ALLOWED_TO_DIFFER) -> tuple[int, list[str]]:
    """Compare two built sites: the number of files compared, and one line (and a short diff) per difference.

    A difference in ``allowed`` is reported as allowed and not counted as unexpected.
    """
    a, b = tree(first), tree(second)
    only = sorted(set(a) ^ set(b))
    differ = sorted(p for p in set(a) & set(b) if a[p] != b[p])
    report = []
    for path in differ:
        report.append(f"differs: {path}" + (f" (allowed: {allowed[path]})" if path in allowed else ""))
        if path not in allowed and path.endswith((".html", ".js", ".svg", ".txt", ".css")):
            lines = difflib.unified_diff((first / path).read_text().splitlines(), (second / path).read_text().splitlines(),
                                         lineterm="", n=0)
            report += [line[:300] for line in list(lines)[:12]]
    report += [f"only in {first if path in a else second}: {path}" for path in only]
    unexpected = [p for p in only + differ if p not in allowed]
    report.append(f"{len(set(a) | set(b))} files compared; {len(differ)} differ, {len(only)} in one only; "
                  f"{len(unexpected)} unexpected")
    return len(unexpected), report


def archive_html(archive: Path, destination: Path) -> Path:
    """Unpack the html/ folder of a release archive into ``destination``; returns it."""
    write_tree(destination, read_release_archive(archive)[2])
    return destination


def main() -> int:
    # no options; still a parser, so that --help (or a mistyped option) does not start two builds
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    with tempfile.TemporaryDirectory(prefix="pcn-determinism-") as tmp:
        first, env = build_copy(Path(tmp), "one", incremental=True)
        second, _ = build_copy(Path(tmp), "second-copy", incremental=False)
        print("An incremental build against a clean build of the same tree, in another folder:")
        unexpected, report = differences(first / "_build" / "html", second / "_build" / "html")
        print("\n".join(report))
        run_or_exit(["git", "commit", "--quiet", "-am", "the edits"], first, env)
        run_or_exit(tool("release", "dist"), first, env)
        archive = next((first / "dist").glob("*.zip"))
        html = archive_html(archive, Path(tmp) / "archive-html")
        print(f"\n`make dist` of the edited commit ({archive.name}, built from clean) against the incremental build:")
        more, report = differences(first / "_build" / "html", html)
        print("\n".join(report))
        return 1 if unexpected or more else 0


if __name__ == "__main__":
    sys.exit(main())
