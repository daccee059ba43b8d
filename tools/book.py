"""Build orchestration for the book: executed, never stale, strict.

    python tools/book.py build      # what `make book` runs
    python tools/book.py outputs    # re-execute chapters in place (`make outputs`)
    python tools/book.py digest     # print the inputs digest

Why not a bare `jb build`: jupyter-cache keys a notebook on its code cells only,
so a changed CSV in data/ or module in src/ would be served from the cache and
the HTML would show old numbers. Here the cache and the Sphinx environment are
keyed on a digest of data/, src/ and requirements.txt and are dropped when it
changes. Chapters are executed in parallel (one kernel per core) into the
cache before Sphinx runs, since `jb build` executes one notebook at a time.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
CACHE = BUILD / ".jupyter_cache"
DIGEST_FILE = BUILD / ".inputs-digest"
DOWNLOADS = BUILD / "extra" / "downloads"  # published at the site root by html_extra_path
DOWNLOADS_DONE = BUILD / ".downloads-complete"
INPUTS = ("data", "src/pcn_evidence", "requirements.txt", "_config.yml")


# What a throwaway copy of the book leaves out: environments, build output, caches.
COPY_IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__", ".pytest_cache", ".hypothesis", "bench")


def working_copy(destination: Path) -> tuple[Path, dict[str, str]]:
    """Copy the book to ``destination`` (sharing this .venv) for builds that must not touch the tree.

    Returns the copy and an environment that points the chapters at the copy's data.
    copytree keeps mtimes, so the venv's install stamp stays valid for `make` in the copy.
    """
    shutil.copytree(ROOT, destination, ignore=COPY_IGNORE, dirs_exist_ok=True)
    (destination / ".venv").symlink_to(ROOT / ".venv")
    return destination, dict(os.environ, PCN_EVIDENCE_DATA=str(destination / "data"))


def inputs_digest(root: Path = ROOT) -> str:
    """sha256 over every file the chapters' outputs depend on besides their own code."""
    digest = hashlib.sha256()
    for name in INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts or not file.exists():
                continue
            digest.update(file.relative_to(root).as_posix().encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """Every notebook the table of contents lists, in reading order."""
    found: list[Path] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            file = node.get("file") or node.get("root")
            if isinstance(file, str) and (root / f"{file}.ipynb").exists():
                found.append(root / f"{file}.ipynb")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load((root / "_toc.yml").read_text()))
    return found


TEXT_FORMAT = "md:myst"
PAIRED = "ipynb," + TEXT_FORMAT


def text_twin(path: Path) -> Path:
    """The MyST markdown twin of a chapter notebook (what people edit and review)."""
    return path.with_suffix(".md")


def notebook_from_text(md: Path) -> nbformat.NotebookNode:
    """The notebook a text twin describes, without outputs; cell ids numbered so the file is reproducible."""
    import jupytext

    notebook = jupytext.read(md, fmt=TEXT_FORMAT)
    notebook.metadata.setdefault("jupytext", {})["formats"] = PAIRED
    notebook.metadata["jupytext"].pop("text_representation", None)
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:02d}"
    return notebook


def cells_for_comparison(notebook: nbformat.NotebookNode) -> list[tuple[str, str, dict]]:
    """What must agree between a notebook and its text twin: each cell's type, source and metadata."""
    ignore = {"execution", "jp-MarkdownHeadingCollapsed"}
    return [(c.cell_type, c.source.strip(), {k: v for k, v in c.metadata.items() if k not in ignore})
            for c in notebook.cells]


def out_of_sync(path: Path) -> str | None:
    """Why a chapter and its text twin disagree, or None when they are in sync."""
    md = text_twin(path)
    if not md.exists():
        return f"{md.relative_to(ROOT)} is missing (run `make outputs`)"
    stored, text = cells_for_comparison(nbformat.read(path, as_version=4)), cells_for_comparison(notebook_from_text(md))
    if stored == text:
        return None
    for index, (a, b) in enumerate(zip(stored, text)):
        if a != b:
            return (f"cell {index} differs between {path.name} and {md.name}; edit the .md and run `make outputs` "
                    f"(stored: {a[1][:60]!r}; text: {b[1][:60]!r})")
    return f"{path.name} has {len(stored)} cells, {md.name} has {len(text)}; edit the .md and run `make outputs`"


def execute(path: Path, timeout: int = 120, notebook: nbformat.NotebookNode | None = None) -> nbformat.NotebookNode:
    """Execute one notebook in its own folder, as the build and nbval do.

    Timing metadata is not recorded: jupyter-cache hashes cell metadata, and
    timestamps would make every run a cache miss and every commit a diff.
    """
    from nbclient import NotebookClient

    notebook = notebook if notebook is not None else nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}, record_timing=False)
    client.execute()
    return notebook


def _execute_worker(job: tuple[str, bool]) -> tuple[str, nbformat.NotebookNode | None, str, float]:
    from nbclient.exceptions import CellExecutionError

    path, from_text = job
    start = time.perf_counter()
    try:
        source = notebook_from_text(text_twin(Path(path))) if from_text else None
        return path, execute(Path(path), notebook=source), "", time.perf_counter() - start
    except CellExecutionError as exc:  # its text holds the failing cell's source and traceback
        return path, None, re.sub(r"\x1b\[[0-9;]*m", "", str(exc)), time.perf_counter() - start
    except Exception as exc:  # kernel died, timeout, unreadable notebook
        return path, None, f"{type(exc).__name__}: {exc}", time.perf_counter() - start


def execute_all(paths: list[Path], jobs: int | None = None,
                from_text: bool = False) -> dict[Path, nbformat.NotebookNode]:
    """Execute notebooks in parallel (``from_text``: as their text twins describe them); exit with every failing cell printed if any fails."""
    if not paths:
        return {}
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(paths)))
    results: dict[Path, nbformat.NotebookNode] = {}
    failures = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for path, notebook, error, seconds in pool.map(_execute_worker, [(str(p), from_text) for p in paths]):
            rel = Path(path).relative_to(ROOT)
            if notebook is None:
                failures.append((rel, error))
                print(f"  FAILED   {rel} ({seconds:.1f} s)", flush=True)
            else:
                results[Path(path)] = notebook
                print(f"  executed {rel} ({seconds:.1f} s)", flush=True)
    if failures:
        for rel, error in failures:
            print(f"\nError executing {rel}:\n{error}", file=sys.stderr)
        sys.exit(f"\n{len(failures)} chapter(s) failed to execute.")
    return results


def prepare_cache(paths: list[Path], jobs: int | None = None) -> None:
    """Drop stale state if inputs changed, then execute into the cache what it lacks."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    sys.path.insert(0, str(ROOT / "src"))
    from pcn_evidence.downloads import DOWNLOADS_ENV, write_data_downloads

    digest = inputs_digest()
    stale_inputs = not DIGEST_FILE.exists() or DIGEST_FILE.read_text().strip() != digest
    if stale_inputs or not DOWNLOADS_DONE.exists():
        # data/ or src/ changed: cached outputs and parsed pages may hold old numbers.
        # (Missing downloads also force it: figures are saved only when chapters execute.)
        for stale in (CACHE, BUILD / ".doctrees", BUILD / "jupyter_execute", DOWNLOADS):
            shutil.rmtree(stale, ignore_errors=True)
        DOWNLOADS_DONE.unlink(missing_ok=True)
        # the html dir would otherwise keep pages Sphinx no longer rebuilds
        shutil.rmtree(BUILD / "html", ignore_errors=True)
        if DIGEST_FILE.exists():
            print("Inputs changed since the last build: cache cleared, every chapter re-executes.")
    BUILD.mkdir(exist_ok=True)
    cache = get_cache(str(CACHE))
    missing = []
    for path in paths:
        try:
            cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            missing.append(path)
    if missing:
        print(f"Executing {len(missing)} of {len(paths)} chapter(s):", flush=True)
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    os.environ[DOWNLOADS_ENV] = str(DOWNLOADS)  # executing chapters also save their figures there
    for path, notebook in execute_all(missing, jobs).items():
        cache.cache_notebook_bundle(CacheBundleIn(notebook, str(path)), check_validity=False, overwrite=True)
    write_data_downloads(DOWNLOADS)
    DIGEST_FILE.write_text(digest + "\n")
    DOWNLOADS_DONE.touch()


def build(jobs: int | None = None, strict: bool = True) -> int:
    prepare_cache(toc_notebooks(), jobs)
    command = [str(Path(sys.executable).with_name("jb")), "build", str(ROOT), "--builder", "html"]
    if strict:
        command += ["-W", "-n", "--keep-going"]
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode == 0:
        print(f"\nThe book is at {BUILD / 'html' / 'index.html'}")
    return result.returncode


def outputs(paths: list[Path], jobs: int | None = None) -> None:
    """Re-execute chapters from their text twins and store the outputs in the notebooks (what nbval compares)."""
    for path, notebook in execute_all(paths, jobs, from_text=True).items():
        for cell in notebook.cells:
            cell.get("metadata", {}).pop("execution", None)
        nbformat.write(notebook, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["build", "outputs", "digest", "notebooks"])
    parser.add_argument("paths", nargs="*", type=Path, help="notebooks (default: every chapter in _toc.yml)")
    parser.add_argument("-j", "--jobs", type=int, default=None, help="parallel kernels (default: cores)")
    args = parser.parse_args(argv)
    if args.command == "digest":
        print(inputs_digest())
    elif args.command == "notebooks":
        print("\n".join(str(p.relative_to(ROOT)) for p in toc_notebooks()))
    elif args.command == "outputs":
        outputs([p.resolve() for p in args.paths] or toc_notebooks(), args.jobs)
    else:
        return build(args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
