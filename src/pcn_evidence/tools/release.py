"""Versioned releases of the book: `make release VERSION=x.y.z`, `make dist`, and the published site's versions.

    python -m pcn_evidence.tools.release release 0.2.0   # what `make release VERSION=0.2.0` runs
    python -m pcn_evidence.tools.release dist            # rebuild the archive of the current commit (`make dist`)
    python -m pcn_evidence.tools.release zenodo          # rewrite .zenodo.json from CITATION.cff

(The published site of every release is assembled by :mod:`pcn_evidence.tools.site`.)

A release, in this order, stopping at the first problem and leaving the tree as it was:

1. refuses a tree with uncommitted or untracked changes, a version that is not MAJOR.MINOR.PATCH
   or not higher than the last (CITATION.cff and every release), an existing tag, a CHANGELOG.md
   without a `## x.y.z` heading (the author writes that entry; the release only dates its
   heading), and a clone that does not hold the last release's commit (the evidence diff
   starts there; see release_commits: releases are found from the history, not from tags);
2. takes the release date from SOURCE_DATE_EPOCH (else now), and writes the version and date
   into CITATION.cff (the one place for release facts) and its copies: pyproject.toml, the
   package's __version__, data/datapackage.json and .zenodo.json (generated from CITATION.cff);
3. records the evidence changes since the last release in data/evidence_changes.csv
   under this version and date (:mod:`pcn_evidence.tools.evidence_diff`), and re-executes the chapters that
   show the version or those changes, so that their stored outputs agree;
4. builds the book (:mod:`pcn_evidence.tools.book` build, warnings are errors);
5. commits ("Release x.y.z", the subject by which the history knows a release) and makes
   the annotated tag vX.Y.Z for GitHub's releases, both dated at the release date, so that
   rebuilding from the commit reproduces the date;
6. writes dist/<name>-x.y.z.zip (:mod:`pcn_evidence.tools.archive`). It never pushes: it prints the command.

The archive holds html/ (the built book), data/ (the data package as committed), downloads/
(what the book publishes for download: data zip, figures, briefing outputs), CITATION.cff,
zenodo.json, the changelog, the licences, a README.txt and SHA256SUMS. It is byte-identical
whenever it is made from the same commit: `dist` builds the book from clean in a throwaway
export of the commit (git archive), so nothing the checkout holds besides the commit (its
_build, its cache, an ignored file) can reach it; and the zip has its entries sorted, no
directory entries, every timestamp the commit's time (SOURCE_DATE_EPOCH), permissions 0644,
no comment or extra fields. The book's HTML is itself reproducible, and an incremental build
equals the clean one (`make check-determinism`, which also checks `dist`'s HTML against both).
"""


from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..inputs import DECLARATIONS, ROOT_ENV, declarations
from .archive import dist
from .digests import toc_notebooks
from .paths import DATA_ENV, ROOT, tool
from .versions import (
    ReleaseError,
    current_version,
    git,
    iso_date,
    release_epoch,
    release_fact_problems,
    release_problems,
    run,
    set_release_facts,
    uncommitted,
    write_zenodo,
)

__all__ = ["VERSIONED_FILES", "chapters_to_refresh", "release", "main"]

# files the release rewrites (paths from the book's root); a chapter's notebook is added when it is re-executed
VERSIONED_FILES = ("CITATION.cff", "pyproject.toml", "src/pcn_evidence/__init__.py", "data/datapackage.json",
                   ".zenodo.json", "CHANGELOG.md", "data/evidence_changes.csv")


def chapters_to_refresh(root: Path) -> list[Path]:
    """Chapters whose stored outputs can show the release facts or the recorded changes."""
    declared = declarations(root / DECLARATIONS)
    return [path for path in toc_notebooks(root) if path.stem in declared and (
        "CITATION.cff" in declared[path.stem].files or declared[path.stem].reads_table("evidence_changes"))]


def release(version: str, root: Path = ROOT, build: bool = True, refresh: bool = True) -> Path | None:
    """Release ``version`` of the book in ``root`` (see the module docstring); returns the archive's path.

    ``build=False`` and ``refresh=False`` (for tests) skip building the book and the archive, and
    re-executing the chapters.
    """
    epoch = release_epoch()
    problems = release_problems(root, version, epoch)
    if problems:
        raise ReleaseError("the release was refused:\n" + "\n".join(f"  - {p}" for p in problems))
    previous = current_version(root)
    date = iso_date(epoch)
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch), **{ROOT_ENV: str(root), DATA_ENV: str(root / "data"),
                                                            "PYTHONPATH": str(root / "src")})
    existed = {name: (root / name).exists() for name in VERSIONED_FILES}
    try:
        set_release_facts(root, version, date)
        disagree = release_fact_problems(root)  # a copy the writer missed is never committed
        if disagree:
            raise ReleaseError("the release facts it wrote disagree, so nothing was committed:\n"
                               + "\n".join(f"  - {p}" for p in disagree))
        run(root, tool("evidence_diff", f"v{previous}", "--write", "--release", version, "--date", date, "--format",
                       "summary"), "Evidence changes since the last release", env)
        refreshed = chapters_to_refresh(root) if refresh else []
        if refreshed:
            run(root, tool("book", "outputs", *map(str, refreshed)), "Re-executing the chapters that show the release",
                env)
        if build:
            run(root, tool("book", "build"), "Building the book", env)
    except BaseException:
        _restore(root, existed)
        raise
    changed = [name for name in VERSIONED_FILES if (root / name).exists()]
    changed += [str(p.relative_to(root)) for p in refreshed]
    git(root, "add", "--", *changed)
    stray = uncommitted(root)
    stray = [line for line in stray if not line.startswith(("M  ", "A  "))]
    if stray:
        _restore(root, existed)
        raise ReleaseError(f"the release changed files it does not commit ({'; '.join(stray)}); nothing was committed")
    stamp = dict(os.environ, GIT_AUTHOR_DATE=f"@{epoch} +0000", GIT_COMMITTER_DATE=f"@{epoch} +0000")
    git(root, "commit", "--quiet", "-m", f"Release {version}", "-m",
        f"Version and date ({date}) in CITATION.cff and its copies; the evidence changes since {previous} recorded "
        "for the What's-new page.", env=stamp)
    git(root, "tag", "-a", f"v{version}", "-m", f"Version {version} ({date})", env=stamp)
    archive = dist(root) if build else None  # built again, from clean, from the commit just made
    print(f"Released {version} ({date}): commit {git(root, 'rev-parse', '--short', 'HEAD').strip()}, tag v{version}"
          + (f", archive {archive.relative_to(root)}" if archive else "")
          + f".\nPublish it with: git push origin HEAD v{version}")
    return archive


def _restore(root: Path, existed: dict[str, bool]) -> None:
    """Put back every file the release may have changed (the tree was clean when it started)."""
    for name, was_there in existed.items():
        if not was_there:
            (root / name).unlink(missing_ok=True)
    git(root, "checkout", "--quiet", "HEAD", "--", *[name for name, was_there in existed.items() if was_there],
        "chapters")



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("release", help="release this commit as VERSION")
    make.add_argument("version")
    commands.add_parser("dist", help="write the release archive of the current commit")
    commands.add_parser("zenodo", help="rewrite .zenodo.json from CITATION.cff")
    args = parser.parse_args(argv)
    try:
        if args.command == "release":
            release(args.version)
        elif args.command == "dist":
            dist()
        else:
            print(f"Wrote {write_zenodo(ROOT).relative_to(ROOT)}")
    except ReleaseError as error:
        print(f"release: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
