"""Chapters as notebooks: their MyST text twins (what people edit), and executing them in parallel kernels.

A chapter is a pair: ``chapters/<name>.md``, a MyST text notebook, and ``chapters/<name>.ipynb``, the same
cells with their executed outputs (what nbval compares and the build caches).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat

from .paths import ROOT

__all__ = ["TEXT_FORMAT", "PAIRED", "text_twin", "notebook_from_text", "cells_for_comparison", "out_of_sync",
           "execute", "worker_pool", "execute_all"]


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
        return f"{md.name}, the text twin of {path.name}, is missing"
    if not path.exists():
        return f"{path.name} has not been made from {md.name} yet"
    try:
        stored = cells_for_comparison(nbformat.read(path, as_version=4))
    except Exception as exc:  # truncated or hand-damaged JSON: rebuilt from the text twin
        return f"{path.name} cannot be read as a notebook ({type(exc).__name__}); it is rebuilt from {md.name}"
    text = cells_for_comparison(notebook_from_text(md))
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
    import tempfile

    from nbclient import NotebookClient
    from traitlets.config import Config

    notebook = notebook if notebook is not None else nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="pcn-kernel-") as sockets:
        # IPC sockets in a private folder: no TCP port is opened, and the kernel says nothing about it
        ipc = Config({"KernelManager": {"transport": "ipc", "ip": str(Path(sockets) / "kernel")}})
        client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", config=ipc,
                                resources={"metadata": {"path": str(path.parent)}}, record_timing=False)
        client.execute()
    return notebook


def _quiet_worker(build: int) -> None:
    """Kernel workers leave Ctrl-C to the parent, which stops the pool and says so once, and die with it.

    A worker returns a failing cell's error to the parent, which prints it; what the worker and its
    kernel would write to stderr besides (a kernel's teardown noise when interrupted) goes nowhere.
    A worker shares the build's lock (it was forked holding it): were it to outlive a build stopped by a
    signal it cannot catch (``kill``, a CI job cancelled, ``timeout``), every later build would wait for
    it for ever, so on Linux the kernel stops it when the build's process (``build``, its id) ends, and it
    stops itself if that happened while it was starting.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stderr.fileno())
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != build:
            os._exit(1)


def worker_pool(jobs: int) -> ProcessPoolExecutor:
    """The processes the chapters execute in, ``jobs`` at a time: quiet, and stopped with the build on Linux."""
    # forked on Linux, whatever a later Python's default: _quiet_worker takes the build for its parent
    context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    return ProcessPoolExecutor(jobs, context, initializer=_quiet_worker, initargs=(os.getpid(),))


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
    with worker_pool(jobs) as pool:
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
