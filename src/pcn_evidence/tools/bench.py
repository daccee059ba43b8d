"""Measure build and test times (`make bench`): medians of several runs, in a throwaway copy.

Scenarios: (a) clean build, (b) no-change rebuild, (c) rebuild after editing one
chapter's code (in its .md), (d) rebuild after changing one data value (the explanation of one
row of data/coreq.csv: only the chapters that declare coreq re-execute), (d0) the
same kind of change handled as the build did before declared inputs (every chapter
re-executes and every page is re-read), (g) rebuild after bumping the version in
CITATION.cff, (e) `make test`, and (f) the floor: every chapter executed once with
nbclient in parallel on all cores, plus a Sphinx build with execution off. Prints
each median and the ratios, and writes bench/results/latest.{json,md}.

    python -m pcn_evidence.tools.bench [--runs 3] [--scale 10] [--skip-test]
    python -m pcn_evidence.tools.bench --sources 50      clean builds of the real book and of a copy with 50 sources

--scale N builds against a synthetic data set N times larger (:mod:`pcn_evidence.tools.synthetic`),
generated in the throwaway copy only: it is never committed and never shown.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .digests import toc_notebooks
from .paths import ROOT, run_or_exit, tool, working_copy
from .rows import read_rows, write_rows


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    run_or_exit(command, cwd, env)
    return time.perf_counter() - start


def make_copy(scale: int) -> tuple[Path, dict[str, str]]:
    work, env = working_copy(Path(tempfile.mkdtemp(prefix="pcn-bench-")))
    if scale > 1:
        subprocess.run(tool("synthetic", str(work / "data"), "--scale", str(scale)), check=True)
    return work, env


def edit_first_code_cell(path: Path, marker: str) -> None:
    """Edit the chapter as people do: a comment in the first code cell of its .md text twin."""
    md = path.with_suffix(".md")
    text = md.read_text(encoding="utf-8")
    fence = "```{code-cell}\n:tags: [hide-input]\n\n"
    md.write_text(text.replace(fence, fence + f"# bench edit {marker}\n", 1), encoding="utf-8")


def edit_data_value(data: Path, marker: str) -> None:
    """Append a marker to the explanation of the first row of coreq.csv (a text cell, no number)."""
    header, rows = read_rows(data / "coreq.csv")
    rows[0]["explanation"] += f" ({marker})"
    write_rows(data / "coreq.csv", header, rows)


def bump_version(work: Path, marker: str) -> None:
    cff = work / "CITATION.cff"
    lines = [f"version: 0.0.{marker}" if line.startswith("version:") else line
             for line in cff.read_text(encoding="utf-8").splitlines()]
    cff.write_text("\n".join(lines) + "\n", encoding="utf-8")


def floor_once(work: Path, env: dict[str, str]) -> float:
    """Parallel nbclient execution of every chapter + Sphinx with execution off: the least a build can cost."""
    config = (work / "_config.yml").read_text().replace('execute_notebooks: "cache"', 'execute_notebooks: "off"')
    (work / "_config_floor.yml").write_text(config)
    out = work / "_floor"
    shutil.rmtree(out, ignore_errors=True)
    # execute in place (the copy is throwaway) so Sphinx renders what was just executed
    script = ("from pcn_evidence.tools import book, digests, paths; "
              "book.outputs(digests.toc_notebooks(paths.ROOT))")
    start = time.perf_counter()
    timed([sys.executable, "-c", script], work, env)
    timed([str(work / ".venv" / "bin" / "jb"), "build", ".", "--config", "_config_floor.yml",
           "--path-output", str(out), "-W", "-n", "--keep-going"], work, env)
    return time.perf_counter() - start


def measure(runs: int, scale: int, skip_test: bool) -> dict:
    work, env = make_copy(scale)
    build = tool("book", "build")
    chapters = toc_notebooks(work)
    times: dict[str, list[float]] = {k: [] for k in ("a", "b", "c", "d", "d0", "g", "e", "f")}
    try:
        for run in range(runs):
            shutil.copytree(ROOT / "chapters", work / "chapters", dirs_exist_ok=True)  # undo the last run's edits
            shutil.rmtree(work / "_build", ignore_errors=True)
            times["a"].append(timed(build, work, env))
            times["b"].append(timed(build, work, env))
            edit_first_code_cell(chapters[-1], f"{run}")
            times["c"].append(timed(build, work, env))
            edit_data_value(work / "data", f"bench {run}")
            times["d"].append(timed(build, work, env))
            edit_data_value(work / "data", f"bench {run} again")
            (work / "_build" / ".inputs-digests.json").unlink()  # no record: everything re-executes, as before
            times["d0"].append(timed(build, work, env))
            bump_version(work, f"{run}")
            times["g"].append(timed(build, work, env))
            times["f"].append(floor_once(work, env))
            print(f"run {run + 1}/{runs}: " + ", ".join(f"{k}={v[-1]:.1f}s" for k, v in times.items() if v), flush=True)
        if not skip_test and scale == 1:
            # in the checkout itself: the venv's editable install points at its src/, which the doctests import
            for _ in range(runs):
                times["e"].append(timed(["make", "test"], ROOT, dict(os.environ)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    medians = {k: round(statistics.median(v), 2) for k, v in times.items() if v}
    return {
        "runs": runs, "scale": scale, "chapters": len(chapters),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        "medians_s": medians,
        "ratios": {"a/f (clean build / floor)": round(medians["a"] / medians["f"], 2),
                   "b/a (no-change rebuild / clean build)": round(medians["b"] / medians["a"], 2),
                   "d/a (one data value / clean build)": round(medians["d"] / medians["a"], 2),
                   "d/d0 (one data value, declared inputs / as before)": round(medians["d"] / medians["d0"], 2)},
    }


LABELS = {"a": "clean build", "b": "no-change rebuild", "c": "rebuild after editing one chapter's code",
          "d": "rebuild after changing one data value (coreq explanation; declared inputs)",
          "d0": "the same change handled as before declared inputs (every chapter re-executes)",
          "g": "rebuild after bumping the version in CITATION.cff", "e": "make test (warm venv)",
          "f": "floor: parallel nbclient execution + Sphinx with execution off"}


def report(result: dict) -> str:
    lines = [f"# Build benchmark ({result['machine']}; {result['chapters']} chapters; data scale {result['scale']}x; "
             f"median of {result['runs']} runs)", "", "| scenario | median (s) |", "|---|---|"]
    lines += [f"| ({k}) {LABELS[k]} | {v:.2f} |" for k, v in result["medians_s"].items()]
    lines += ["", "| ratio | value |", "|---|---|"] + [f"| {k} | {v:.2f} |" for k, v in result["ratios"].items()]
    return "\n".join(lines) + "\n"


def scale_sources(total: int) -> str:
    """Clean-build the real book and a synthetic copy with ``total`` sources, in one run; the scale line."""
    built: dict[str, tuple[float, int]] = {}
    for name in ("real", "scaled"):
        work, env = working_copy(Path(tempfile.mkdtemp(prefix=f"pcn-scale-{name}-")))
        try:
            if name == "scaled":
                subprocess.run(tool("synthetic", str(work / "data"), "--sources", str(total)), check=True,
                               capture_output=True)
            shutil.rmtree(work / "_build", ignore_errors=True)
            seconds = timed(tool("book", "build"), work, env)
            largest = max(page.stat().st_size for page in (work / "_build" / "html").rglob("*.html"))
            built[name] = (seconds, largest)
            print(f"{name}: clean build {seconds:.1f} s, largest page {largest / 1e6:.2f} MB", flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    (real_s, _), (scaled_s, largest) = built["real"], built["scaled"]
    return (f"scale: {total} sources, clean build {scaled_s:.1f} s ({scaled_s / real_s:.2f}\u00d7 the real book), "
            f"largest page {largest / 1e6:.2f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--skip-test", action="store_true", help="do not time make test (e)")
    parser.add_argument("--sources", type=int, default=0, help="only the source-scale check (see above)")
    args = parser.parse_args()
    if args.sources:
        print(scale_sources(args.sources))
        return
    result = measure(args.runs, args.scale, args.skip_test)
    text = report(result)
    print("\n" + text)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.scale == 1 else f"-scale{args.scale}"
    (out / f"latest{suffix}.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / f"latest{suffix}.md").write_text(text)


if __name__ == "__main__":
    main()
