"""What changed in the evidence since a release: `make evidence-diff FROM=v0.1.0`.

    python -m pcn_evidence.tools.evidence_diff v0.1.0                 # readable report: FROM -> the working tree
    python -m pcn_evidence.tools.evidence_diff v0.1.0 --format csv    # the machine form (data/evidence_changes.csv's columns)
    python -m pcn_evidence.tools.evidence_diff v0.1.0 --format json
    python -m pcn_evidence.tools.evidence_diff v0.1.0 --write         # record them as the unreleased changes in data/
    python -m pcn_evidence.tools.evidence_diff v0.1.0 --to v0.2.0     # between two versions

FROM and --to are anything git names (a tag, a commit); `v<version>` is that release's
commit, found from the history (:func:`pcn_evidence.tools.versions.release_commits`), so no tag is needed.
FROM defaults to the last release. Their data packages are read with `git archive` into a
temporary folder: the working tree is never touched. The version a ref stands for is the
one its CITATION.cff states. Where a version kept its key messages on the key-messages page
rather than in data/key_messages.csv (0.1.0 did), they are read from that page's notebook
as stored at the ref. The comparison itself is
pcn_evidence.changes, which the What's-new chapter also uses.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..changes import (
    CHANGE_ORDER,
    COLUMNS,
    UNRELEASED,
    Snapshot,
    compare,
    describe,
    label_release,
    merge,
    snapshot,
)
from .archive import export_commit
from .paths import ROOT
from .versions import ReleaseError, cff_field, git, release_commit

CHANGES_CSV = Path("data") / "evidence_changes.csv"
KEY_MESSAGES_PAGE = "chapters/key_messages.ipynb"  # where 0.1.0 kept its key messages
WORKTREE = "worktree"

# 0.1.0's key-messages page: an anchor `(km-…)=`, a `###` heading, then a line linking its findings after *Evidence:*
_MESSAGE = re.compile(r"^\((?P<id>km-[a-z0-9-]+)\)=\s*\n#{3} (?P<heading>[^\n]+)\n(?P<body>.*?)(?=^\(km-|\Z)",
                      flags=re.M | re.S)
_EVIDENCE = re.compile(r"\*Evidence:\*(?P<refs>[^\n]*)")
_REF = re.compile(r"\{ref\}`(f-[a-z0-9-]+)`")
_RELEASE = re.compile(r"v(\d+\.\d+\.\d+)")


class DiffError(ReleaseError):
    """A request that makes no sense, or data this tool cannot read; the message says what to do.

    A ref git cannot read is refused as a release would be (:class:`ReleaseError`, which this is a kind of).
    """


def legacy_key_messages(notebook: str) -> list[dict[str, str]]:
    """Key messages as a key-messages notebook of 0.1.0 stated them: id, heading, findings linked as evidence.

    >>> page = {"cells": [{"cell_type": "markdown", "source": "(km-a)=\\n### A heading\\n\\nText.\\n\\n"
    ...          "*Confidence:* x · *Evidence:* {ref}`f-a`, {ref}`f-b` · *Cite as:* `km-a`"}]}
    >>> legacy_key_messages(json.dumps(page))
    [{'id': 'km-a', 'heading': 'A heading', 'finding_ids': 'f-a; f-b'}]
    """
    cells = json.loads(notebook)["cells"]
    text = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    messages = []
    for match in _MESSAGE.finditer(text):
        evidence = _EVIDENCE.search(match.group("body"))
        refs = _REF.findall(evidence.group("refs").split(" · ")[0]) if evidence else []
        messages.append({"id": match.group("id"), "heading": match.group("heading").strip(),
                         "finding_ids": "; ".join(refs)})
    return messages


def version_at(ref: str, root: Path = ROOT) -> str:
    """The version the book states at ``ref`` (its CITATION.cff); the working tree's with ``worktree``."""
    text = (root / "CITATION.cff").read_text(encoding="utf-8") if ref == WORKTREE else git(
        root, "show", f"{ref}:CITATION.cff")
    return cff_field(text, "version")


def snapshot_at(ref: str, root: Path = ROOT) -> Snapshot:
    """The evidence at ``ref`` (a tag or commit), or in the working tree (``worktree``)."""
    if ref == WORKTREE:
        return _snapshot(root / "data", lambda: (root / KEY_MESSAGES_PAGE).read_text(encoding="utf-8"))
    git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    with tempfile.TemporaryDirectory(prefix="pcn-evidence-at-") as tmp:
        data = export_commit(root, Path(tmp), ref, "data") / "data"
        return _snapshot(data, lambda: git(root, "show", f"{ref}:{KEY_MESSAGES_PAGE}"))


# The data package's layout version ("pcn:layout" in datapackage.json; 0.1.0's states none, which is layout 1)
# and, for each older layout, the one migration that gives what today's comparison reads. A change of layout
# raises LAYOUT and adds its migration here; the comparison itself (pcn_evidence.changes) never special-cases a
# version.
LAYOUT = 2
LAYOUT_FIELD = "pcn:layout"


def _from_layout_1(page: Callable[[], str]) -> list[dict[str, str]] | None:
    """Layout 1 (0.1.0) kept the key messages on their page, not in data/: read them from its notebook."""
    try:
        return legacy_key_messages(page())
    except (OSError, ReleaseError):
        return None  # key messages unknown at this version: none is reported as changed


MIGRATIONS: dict[int, Callable[[Callable[[], str]], list[dict[str, str]] | None]] = {1: _from_layout_1}


def layout_of(descriptor: dict[str, object], where: str = "datapackage.json") -> int:
    """The layout version a data package states; refuses one this tool cannot read.

    >>> layout_of({}), layout_of({"pcn:layout": 2})
    (1, 2)
    """
    layout = descriptor.get(LAYOUT_FIELD, 1)
    if not isinstance(layout, int) or isinstance(layout, bool) or not (layout == LAYOUT or layout in MIGRATIONS):
        raise DiffError(f"{where}: {LAYOUT_FIELD} is {layout!r}; this tool reads layout {LAYOUT} and migrates "
                        f"{', '.join(map(str, sorted(MIGRATIONS)))}: compare with the tool of that version")
    return layout


def _snapshot(data: Path, page: Callable[[], str]) -> Snapshot:
    layout = layout_of(json.loads((data / "datapackage.json").read_text(encoding="utf-8")))
    if layout == LAYOUT:
        return snapshot(data)
    return snapshot(data, MIGRATIONS[layout](page))


def resolve(ref: str, root: Path = ROOT) -> str:
    """What git should read for ``ref``: a release ``v<version>`` is its commit; anything else stays as it is."""
    release = _RELEASE.fullmatch(ref)
    return ref if release is None else release_commit(root, release.group(1))


def changes_between(start: str, end: str = WORKTREE, root: Path = ROOT) -> pd.DataFrame:
    """The changes from ``start`` to ``end``; labelled unreleased when ``end`` is the working tree."""
    start, end = resolve(start, root), resolve(end, root)
    version = UNRELEASED if end == WORKTREE else version_at(end, root)
    return compare(snapshot_at(start, root), snapshot_at(end, root), version=version,
                   previous=version_at(start, root))


def read_changes(path: Path) -> pd.DataFrame:
    """The recorded changes (every column as text); none recorded yet gives an empty table."""
    if not path.exists():
        return pd.DataFrame(columns=COLUMNS, dtype=str)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def write_changes(path: Path, changes: pd.DataFrame) -> None:
    """Write the changes table as the validator and a diff reviewer want it: UTF-8, LF, stable order."""
    path.write_text(changes[COLUMNS].to_csv(index=False, lineterminator="\n"), encoding="utf-8")


def record_unreleased(start: str, root: Path = ROOT, release: str | None = None, date: str = "") -> pd.DataFrame:
    """Replace the unreleased rows of data/evidence_changes.csv with the changes from ``start`` to the working tree.

    With ``release`` (a version) and ``date``, record them as that release's changes instead (what a release does).
    """
    path = root / CHANGES_CSV
    changes = merge(read_changes(path), changes_between(start, WORKTREE, root))
    if release:
        changes = label_release(changes, release, date)
    write_changes(path, changes)
    return changes


def summary(changes: pd.DataFrame) -> str:
    """One line: how many changes of each kind (a change is the rows of one item and kind).

    >>> summary(pd.DataFrame({"item_id": ["f-a", "f-a", "f-b"], "change": ["reworded"] * 2 + ["added"]}))
    '2 changes: 1 added, 1 reworded'
    """
    counts = changes.drop_duplicates(["item_id", "change"])["change"].value_counts()
    parts = [f"{counts[kind]} {kind}" for kind in CHANGE_ORDER if kind in counts]
    return f"{int(counts.sum())} changes: {', '.join(parts)}" if parts else "no changes"


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    """The command line (see the module docstring), on the book in ``root``: 0, or 2 with the reason on stderr."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("start", metavar="FROM", nargs="?", default=None,
                        help="v<version>, tag or commit to compare from (default: v<version in CITATION.cff>, the last release)")
    parser.add_argument("--to", default=WORKTREE, help="tag or commit to compare to (default: the working tree)")
    parser.add_argument("--format", choices=["text", "csv", "json", "summary"], default="text",
                        help="summary: one line counting the changes of each kind")
    parser.add_argument("--write", action="store_true",
                        help=f"record the changes as the unreleased ones in {CHANGES_CSV} (working tree only)")
    parser.add_argument("--release", metavar="VERSION", help="with --write: record them as this release's changes")
    parser.add_argument("--date", default="", help="with --release: the release date (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    start = args.start or f"v{version_at(WORKTREE, root)}"
    try:
        if (args.release or args.date) and not (args.write and args.release and args.date):
            raise DiffError("--release and --date go together, with --write")
        if args.write and args.to != WORKTREE:
            raise DiffError("--write records the working tree's unreleased changes; it cannot be used with --to")
        if args.write:
            changes = record_unreleased(start, root, release=args.release, date=args.date)
            changes = changes[changes["version"] == (args.release or UNRELEASED)]
        else:
            changes = changes_between(start, args.to, root)
    except ReleaseError as error:
        print(f"evidence-diff: {error}", file=sys.stderr)
        return 2
    if args.format == "summary":
        print(summary(changes))
    elif args.format == "csv":
        sys.stdout.write(changes.to_csv(index=False, lineterminator="\n"))
    elif args.format == "json":
        print(json.dumps(changes.to_dict(orient="records"), indent=1, ensure_ascii=False))
    else:
        print(describe(changes, f"Evidence changes from {start} to {args.to}"), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
