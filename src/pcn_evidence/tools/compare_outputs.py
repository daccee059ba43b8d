"""Compare the outputs of two versions of a chapter notebook, ignoring code (a refactoring check).

    python -m pcn_evidence.tools.compare_outputs OLD.ipynb NEW.ipynb

Prints every displayed output (HTML, text, SVG) and glued value that differs, or that
one version has and the other lacks; exit 1 if any differs, 2 if a notebook cannot be read.
"""

from __future__ import annotations

import argparse
import sys

import nbformat


def shown(path: str) -> tuple[list[str], dict[str, str]]:
    """The displayed outputs of the notebook at ``path``, in order, and its glued values by name."""
    try:
        notebook = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as exc:  # a notebook that is not JSON is a ValueError
        print(f"compare_outputs: cannot read {path}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None  # as diff does: 1 is for notebooks that differ
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
    """Print what the notebooks at ``old`` and ``new`` show differently; 1 if anything, else 0."""
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="the notebook as it was (.ipynb)")
    parser.add_argument("new", help="the notebook as it is (.ipynb)")
    arguments = parser.parse_args()
    sys.exit(main(arguments.old, arguments.new))
