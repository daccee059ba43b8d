"""Where the tools work: the book they belong to, its build folder, its data, the reference texts, and how a
copy of the book, or a tool in it, is run.

The tools build the book their code is part of (:func:`pcn_evidence.inputs.checkout_root`), whatever
``PCN_BOOK_ROOT`` says: that variable is how the build tells the chapters' kernels which book they are in.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..inputs import ROOT_ENV, checkout_root

__all__ = ["ROOT", "BUILD", "CACHE", "DIGEST_FILE", "WORK", "PUBLISHED", "DOWNLOADS", "OUTPUT_FOLDERS",
           "OUTPUT_FILES", "COPY_IGNORE", "DATA_ENV", "SOURCES_ENV", "data_dir", "sources_dir", "tool", "working_copy", "run_or_exit"]

ROOT = checkout_root()
BUILD = ROOT / "_build"
CACHE = BUILD / ".jupyter_cache"
DIGEST_FILE = BUILD / ".inputs-digests.json"  # written last, only when a build has succeeded
WORK = BUILD / "site"  # Sphinx's working area (doctrees and HTML), emptied before each build
PUBLISHED = BUILD / "html"  # the last complete book, replaced only by a complete new one
DOWNLOADS = BUILD / "extra" / "downloads"  # published at the site root by html_extra_path
# What the build writes under _build, and so must be able to write (the cffconvert venv, the coding worksheets
# and the Lighthouse install beside them are other tools' and left alone).
OUTPUT_FOLDERS = (CACHE, WORK, PUBLISHED, DOWNLOADS.parent, BUILD / ".html-new", BUILD / ".html-old")
OUTPUT_FILES = (BUILD / ".lock", DIGEST_FILE)

DATA_ENV = "PCN_EVIDENCE_DATA"  # another data folder for the chapters (pcn_evidence.datapackage reads it)
SOURCES_ENV = "PCN_SOURCES_DIR"  # the reference texts the quotes are checked against

# What a throwaway copy of the book leaves out: environments, build output, caches (mypy's alone is 35 MB), the
# browser tests' screenshots (33 MB) and every other folder git ignores.
COPY_IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__", ".pytest_cache", ".hypothesis", "bench",
                                     ".mypy_cache", ".ruff_cache", "node_modules", "dist", "artifacts", "*.egg-info",
                                     ".ipynb_checkpoints")


def data_dir(root: Path = ROOT) -> Path:
    """The data folder the chapters read: ``PCN_EVIDENCE_DATA`` if set, else the book's ``data/``."""
    override = os.environ.get(DATA_ENV)
    return Path(override).resolve() if override else root / "data"


def sources_dir(root: Path = ROOT) -> Path:
    """The reference texts of the sources: ``PCN_SOURCES_DIR``, else ``../shared/sources`` beside the book.

    Absolute, so that a build in a copy or an export of the book finds the same texts.
    """
    return Path(os.environ.get(SOURCES_ENV) or root.parent / "shared" / "sources").resolve()


def tool(name: str, *args: str) -> list[str]:
    """The command that runs tool ``name`` (a module of this package) with ``args``, in this Python.

    Run in a copy of the book with the copy's environment (:func:`working_copy`), it is the copy's tool.
    """
    return [sys.executable, "-m", f"{__package__}.{name}", *args]


def working_copy(destination: Path) -> tuple[Path, dict[str, str]]:
    """Copy the book to ``destination`` (sharing this .venv) for builds that must not touch the tree.

    Returns the copy and the environment to run it in: the chapters read the copy's data, and the copy's
    ``src`` comes first on ``PYTHONPATH``, so that its tools and its chapters' kernels import the copy's package,
    not the checkout's editable install. copytree keeps mtimes, so the venv's install stamp stays valid for
    `make` in the copy.
    """
    shutil.copytree(ROOT, destination, ignore=COPY_IGNORE, dirs_exist_ok=True)
    (destination / ".venv").symlink_to(ROOT / ".venv")
    return destination, dict(os.environ, **{DATA_ENV: str(destination / "data"), ROOT_ENV: str(destination),
                                            "PYTHONPATH": str(destination / "src")})


def run_or_exit(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    """Run ``command`` in ``cwd``, quietly; if it fails, exit naming it, with the end of what it printed."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} in {cwd} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
