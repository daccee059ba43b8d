"""Compare the outputs of two versions of a chapter notebook, ignoring code (a refactoring check).

    python -m pcn_evidence.tools.compare_outputs OLD.ipynb NEW.ipynb

Prints every displayed output (HTML, text, SVG) and glued value that differs, or that
one version has and the other lacks; exit 1 if any differs.
"""

from __future__ import annotations

import sys

import nbformat


def shown(path: str) -> tuple[list[str], dict[str, str]]:
    notebook = nbformat.read(path, as_version=4)
    displays, glued = [], {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            key = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if key:
                glued[key] = next(iter(data.values()), "")
            elif data:
                displays.append(data.get("text/html") or data.get("image/svg+xml") or data.get("text/plain", ""))
            elif output.get("text"):
                displays.append(output["text"])
    return displays, glued


def main(old: str, new: str) -> int:
    (a_disp, a_glue), (b_disp, b_glue) = shown(old), shown(new)
    differ = 0
    for key in sorted(set(a_glue) | set(b_glue)):
        if a_glue.get(key) != b_glue.get(key):
            differ += 1
            print(f"glue {key}: {a_glue.get(key)!r} -> {b_glue.get(key)!r}")
    if len(a_disp) != len(b_disp):
        differ += 1
        print(f"{len(a_disp)} displayed outputs before, {len(b_disp)} after")
    for index, (x, y) in enumerate(zip(a_disp, b_disp)):
        if x != y:
            differ += 1
            at = next(i for i, (p, q) in enumerate(zip(x, y)) if p != q) if x[:len(y)] != y[:len(x)] else min(len(x), len(y))
            print(f"display {index} differs at character {at}:\n  before: {x[max(0, at - 80):at + 120]!r}\n  after:  {y[max(0, at - 80):at + 120]!r}")
    print(f"{differ} difference(s)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
