"""Build orchestration for the book: executed, never stale, strict, incremental.

    python -m pcn_evidence.tools.book build      # what `make book` runs
    python -m pcn_evidence.tools.book outputs    # re-execute chapters from their text twins (`make outputs`)

Why not a bare `jb build`: jupyter-cache keys a notebook on its code cells only,
so a changed CSV in data/ or module in src/ would be served from the cache and
the HTML would show old numbers. Here each chapter's key is its code plus a digest
of what it declares it reads (chapters/inputs.yml: its tables with their schemas,
and files such as CITATION.cff) plus src/pcn_evidence and requirements.txt
(:mod:`pcn_evidence.tools.digests`). A chapter whose digest changed is dropped from
the cache, re-executed and re-read by Sphinx; the others are served from the cache.
A change to what every page depends on (_config.yml, _toc.yml, _ext/, _static/, the
bibliographies, the record of evidence changes that every footer reads) makes Sphinx
re-read every page. Chapters run in parallel (one kernel per core,
:mod:`pcn_evidence.tools.notebooks`) before Sphinx runs, since `jb build` executes one
notebook at a time. What is checked before anything runs is in :mod:`pcn_evidence.tools.checks`.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nbformat

from ..inputs import ROOT_ENV
from .checks import output_problem, unchecked_quotes_note, validate_data
from .digests import chapter_digest, pages_digest, site_digest, toc_notebooks
from .notebooks import execute_all, out_of_sync, text_twin
from .paths import BUILD, CACHE, DIGEST_FILE, DOWNLOADS, PUBLISHED, ROOT, WORK, data_dir

__all__ = ["start_downloads", "prepare_cache", "book_lock", "build", "publish", "forget_unpublished_downloads",
           "chapter_paths", "refresh_outputs", "outputs", "main"]


def start_downloads(recorded: dict) -> dict:
    """Point executing chapters at the downloads folder, first emptying the build if no complete build is recorded.

    Runs before any chapter executes, including one executed from its edited text twin, so that
    every executed chapter saves its figures and Word briefing, and no reset deletes them after.
    Returns the record to trust: {} after a reset.
    """
    from ..downloads import DOWNLOADS_ENV  # the library on first use (see validate_data)

    if not recorded or not DOWNLOADS.exists():
        # no record of a complete build: start from nothing
        # (figures are saved for download only when their chapter executes)
        for stale in (CACHE, WORK, DOWNLOADS, BUILD / ".doctrees", BUILD / "jupyter_execute"):
            shutil.rmtree(stale, ignore_errors=True)
        recorded = {}
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    os.environ[DOWNLOADS_ENV] = str(DOWNLOADS)  # executing chapters also save their figures there
    return recorded


def prepare_cache(paths: list[Path], jobs: int | None = None,
                  executed: dict[Path, nbformat.NotebookNode] | None = None,
                  recorded: dict | None = None) -> tuple[list[str], dict[str, object]]:
    """Re-execute into the cache every chapter whose code or declared inputs changed.

    ``executed`` are notebooks just executed from their text twins: they go into the cache as they are.
    ``recorded`` is what the last successful build recorded ({} when there is no such build).
    Returns the pages Sphinx must re-read and the digests to record once the build succeeds.
    """
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    from ..downloads import write_data_downloads

    recorded = recorded or {}
    site = site_digest()  # recorded so that a change every page depends on triggers a build
    BUILD.mkdir(exist_ok=True)
    cache = get_cache(str(CACHE))
    for path, notebook in (executed or {}).items():
        cache.cache_notebook_bundle(CacheBundleIn(notebook, str(path)), check_validity=False, overwrite=True)
    digests = {path.stem: chapter_digest(path) for path in paths}
    run: list[Path] = []
    for path in paths:
        try:
            record = cache.match_cache_notebook(nbformat.read(path, as_version=4))
        except KeyError:
            run.append(path)  # new or edited code
            continue
        if path in (executed or {}):
            continue  # executed from its text twin moments ago, on the current inputs
        if recorded.get("chapters", {}).get(path.stem) != digests[path.stem]:
            cache.remove_cache(record.pk)  # its inputs changed: the cached outputs may be stale
            run.append(path)
    for path in paths:
        if path not in run and path not in (executed or {}):
            print(f"  cached   {path.relative_to(ROOT)}", flush=True)
    for path, notebook in execute_all(run, jobs).items():
        cache.cache_notebook_bundle(CacheBundleIn(notebook, str(path)), check_validity=False, overwrite=True)
    write_data_downloads(DOWNLOADS, data_dir())
    reread = [*run, *(executed or {})]
    return [path.relative_to(ROOT).with_suffix("").as_posix() for path in reread], {"site": site, "chapters": digests}


@contextlib.contextmanager
def book_lock() -> Iterator[None]:
    """One build or `make outputs` at a time in this folder: a second one waits for the first."""
    import fcntl

    BUILD.mkdir(exist_ok=True)
    with (BUILD / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("Another build of this book is running: waiting for it to finish.", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def build(jobs: int | None = None, strict: bool = True) -> int:
    """Execute what is stale, then build the HTML; record the digests only when the build succeeds."""
    with book_lock():
        return _build(jobs, strict)


def _build(jobs: int | None, strict: bool) -> int:
    os.environ[ROOT_ENV] = str(ROOT)  # the chapters read this book's declarations and files
    warnings = validate_data()
    recorded = json.loads(DIGEST_FILE.read_text()) if DIGEST_FILE.exists() else {}
    # From here on the working area may change: until this build succeeds there is no record, so a
    # build that fails or is killed is never mistaken for a complete one.
    DIGEST_FILE.unlink(missing_ok=True)
    recorded = start_downloads(recorded)
    paths = toc_notebooks()
    edited = [path for path in paths if text_twin(path).exists() and out_of_sync(path)]
    if edited:
        # the .md is what people edit: bring its notebook up to date before building from it
        print(f"Text twin changed: executing {len(edited)} chapter(s) from their .md and storing the outputs in "
              "the .ipynb (commit both)", flush=True)
        executed = outputs(edited, jobs)
    else:
        executed = {}
    reread, digests = prepare_cache(paths, jobs, executed, recorded)
    digests["pages"] = pages_digest()
    if not reread and recorded == digests and (PUBLISHED / "index.html").exists():
        DIGEST_FILE.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
        print(f"Nothing changed since the last build: {PUBLISHED / 'index.html'}")
        _closing_notes(warnings)
        return 0
    # A fresh Sphinx environment every time, over the execution cache: Sphinx's own incremental build
    # kept stale pages and downloads and an index of only the re-read pages, so the site differed
    # from a clean build of the same tree (make check-determinism proves that it no longer does).
    shutil.rmtree(WORK, ignore_errors=True)
    command = [str(Path(sys.executable).with_name("jb")), "build", str(ROOT), "--builder", "html", "-q",
               "--path-output", str(WORK)]
    if strict:
        command += ["-W", "-n", "--keep-going"]
    # jupyter-book's banner goes to stdout: shown only when the build fails; warnings (stderr) always show
    # in a session of its own, Sphinx does not see the terminal's Ctrl-C: this process stops it and says so once
    result = subprocess.run(command, cwd=ROOT, env=dict(os.environ),
                            stdout=subprocess.PIPE, text=True, start_new_session=True)
    if result.returncode != 0:
        kept = f" The previous book is unchanged at {PUBLISHED}." if (PUBLISHED / "index.html").exists() else ""
        print(result.stdout, f"\nThe book was not built: see the errors above.{kept}", file=sys.stderr)
        return result.returncode
    publish(WORK / "_build" / "html")
    forget_unpublished_downloads()
    DIGEST_FILE.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    print(f"Built {len(paths)} chapters ({len(reread)} executed, {len(paths) - len(reread)} from the cache): "
          f"{PUBLISHED / 'index.html'}")
    _closing_notes(warnings)
    return 0


def _closing_notes(warnings: list[str]) -> None:
    """What the last lines of a build must say: warnings given before the chapters ran, and an unchecked build."""
    for line in [*warnings, unchecked_quotes_note()]:
        if line:
            print(line)


def publish(html: Path) -> None:
    """Replace the published book with a complete new one in one rename: never half of each."""
    staged, retired = BUILD / ".html-new", BUILD / ".html-old"
    for stale in (staged, retired):
        shutil.rmtree(stale, ignore_errors=True)
    shutil.copytree(html, staged)
    if PUBLISHED.exists():
        PUBLISHED.rename(retired)
    staged.rename(PUBLISHED)
    shutil.rmtree(retired, ignore_errors=True)


def forget_unpublished_downloads() -> list[Path]:
    """Delete from the downloads folder what the book just published does not hold; returns what went.

    Chapters save their figures there when they execute, and the folder outlives builds (a chapter served
    from the cache does not save them again), so a renamed figure's old file would stay in it for ever.
    The published book holds only what its pages link (``_ext/pcn_publish.py`` prunes the rest): this
    folder is made to match, so that nothing stale is left to publish later.
    """
    published = PUBLISHED / "downloads"
    gone = [path for path in sorted(DOWNLOADS.rglob("*"))
            if path.is_file() and not (published / path.relative_to(DOWNLOADS)).is_file()]
    for path in gone:
        path.unlink()
    return gone


def chapter_paths(names: list[Path]) -> list[Path]:
    """The notebooks named on the command line: a path, or a chapter's name (``key_messages``); all if none."""
    if not names:
        return toc_notebooks()
    found: list[Path] = []
    unknown: list[Path] = []
    for name in names:
        candidates = [name.resolve().with_suffix(".ipynb"), (ROOT / "chapters" / name.name).with_suffix(".ipynb")]
        path = next((c for c in candidates if c.exists()), None)
        (found if path else unknown).append(path or name)
    if unknown:
        chapters = ", ".join(p.stem for p in toc_notebooks())
        sys.exit(f"no chapter {', '.join(map(str, unknown))}: name a chapter ({chapters}) or its path")
    return found


def refresh_outputs(paths: list[Path], jobs: int | None = None) -> None:
    """`make outputs`: check the data once, then re-execute the chapters under the build lock."""
    with book_lock():
        os.environ[ROOT_ENV] = str(ROOT)
        validate_data()  # invalid data is reported once, not once per chapter
        outputs(paths, jobs)


def outputs(paths: list[Path], jobs: int | None = None) -> dict[Path, nbformat.NotebookNode]:
    """Re-execute chapters from their text twins and store the outputs in the notebooks (what nbval compares)."""
    os.environ[ROOT_ENV] = str(ROOT)
    executed = execute_all(paths, jobs, from_text=True)
    for path, notebook in executed.items():
        for cell in notebook.cells:
            cell.get("metadata", {}).pop("execution", None)
        nbformat.write(notebook, path)
    return executed


_ENVIRONMENT_ERRORS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR, errno.EISDIR}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["build", "outputs"])
    parser.add_argument("paths", nargs="*", type=Path, help="chapters (default: every chapter in _toc.yml)")
    parser.add_argument("-j", "--jobs", type=int, default=None, help="parallel kernels (default: cores)")
    args = parser.parse_args(argv)
    problem = output_problem(building=args.command == "build")
    if problem:
        print(problem, file=sys.stderr)
        return 1
    try:
        if args.command == "outputs":
            refresh_outputs(chapter_paths(args.paths), args.jobs)
            return 0
        return build(args.jobs)
    except OSError as error:
        if error.filename is None or error.errno not in _ENVIRONMENT_ERRORS:
            raise  # not the machine refusing a file: a fault to show in full
        # a write refused mid-build (the check above runs first, but the disk can fill or a folder change)
        print(f"Cannot build: {error.filename}: {error.strerror}. Nothing was published; the book at {PUBLISHED} "
              "is as it was.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        # the workers ignore Ctrl-C (see _quiet_worker): one line here, not a traceback from every process
        print(f"\nInterrupted: nothing was published; the book at {PUBLISHED} is as it was.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
