"""Prove that two clean builds of the same commit give byte-identical HTML (`make check-determinism`).

Builds twice from clean, in two throwaway copies at different paths (so an
absolute path leaking into a page would show up), then compares every file of
_build/html. ALLOWED_TO_DIFFER lists files that may differ, each with the reason;
it is empty, and the check fails on any difference.
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


def build_copy(parent: Path, name: str) -> Path:
    work, env = book.working_copy(parent / name)
    result = subprocess.run([sys.executable, "tools/book.py", "build"], cwd=work, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"build in {work} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return work / "_build" / "html"


def tree(directory: Path) -> dict[str, str]:
    return {p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="pcn-determinism-") as tmp:
        first, second = build_copy(Path(tmp), "one"), build_copy(Path(tmp), "second-copy")
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
                print("\n".join(list(lines)[:12]))
        for path in only:
            print(f"only in one build: {path}")
        print(f"{len(a)} files compared; {len(differ)} differ, {len(only)} in one build only; "
              f"{len(unexpected)} unexpected")
        return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
