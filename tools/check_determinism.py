"""Prove that the published site is a function of the tree (`make check-determinism`).

Two throwaway copies at different paths (so an absolute path leaking into a page would show
up). The first is built clean, then edited (a chapter's text and a data value) and built
again, incrementally, as a contributor does; the second gets the same edits and is built
once, from clean. Every file of the two _build/html folders must be byte-identical: two
clean builds agree, and an incremental build is the clean build of the same tree, search
index and downloads included, with nothing stale left over. ALLOWED_TO_DIFFER lists files
that may differ, each with the reason; it is empty, and the check fails on any difference.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import book  # noqa: E402

# path relative to _build/html -> why it may differ. Keep this empty unless a difference is unavoidable.
ALLOWED_TO_DIFFER: dict[str, str] = {}


def _build(work: Path, env: dict[str, str]) -> None:
    result = subprocess.run([sys.executable, "tools/book.py", "build"], cwd=work, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"build in {work} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def edit_tree(work: Path) -> None:
    """The edits a contributor makes between builds: a sentence of a chapter's text, and a data value."""
    chapter = work / "chapters" / "sources.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(
        "**The question.**", "**The question (asked again).**", 1), encoding="utf-8")
    coreq = work / "data" / "coreq.csv"
    text = coreq.read_text(encoding="utf-8")
    coreq.write_text(text.replace("Says the interviews were conducted", "Says that the interviews were conducted", 1),
                     encoding="utf-8")


def build_copy(parent: Path, name: str, incremental: bool) -> Path:
    """Build a copy of the book with the edits: after a first clean build (``incremental``), or from clean."""
    work, env = book.working_copy(parent / name)
    if incremental:
        _build(work, env)
    edit_tree(work)
    _build(work, env)
    return work / "_build" / "html"


def tree(directory: Path) -> dict[str, str]:
    return {p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="pcn-determinism-") as tmp:
        first = build_copy(Path(tmp), "one", incremental=True)
        second = build_copy(Path(tmp), "second-copy", incremental=False)
        a, b = tree(first), tree(second)
        only = sorted(set(a) ^ set(b))
        differ = sorted(p for p in set(a) & set(b) if a[p] != b[p])
        unexpected = [p for p in only + differ if p not in ALLOWED_TO_DIFFER]
        for path in differ:
            print(f"differs: {path}" + (f" (allowed: {ALLOWED_TO_DIFFER[path]})" if path in ALLOWED_TO_DIFFER else ""))
            if path not in ALLOWED_TO_DIFFER and path.endswith((".html", ".js", ".svg", ".txt", ".css")):
                import difflib
                lines = difflib.unified_diff((first / path).read_text().splitlines(), (second / path).read_text().splitlines(),
                                             lineterm="", n=0)
                print("\n".join(line[:300] for line in list(lines)[:12]))
        for path in only:
            print(f"only in one build: {path}")
        print(f"{len(a)} files compared; {len(differ)} differ, {len(only)} in one build only; "
              f"{len(unexpected)} unexpected")
        return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
