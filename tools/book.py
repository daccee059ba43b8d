"""Build orchestration for the book: executed, never stale, strict, incremental.

    python tools/book.py build      # what `make book` runs
    python tools/book.py outputs    # re-execute chapters from their text twins (`make outputs`)

Why not a bare `jb build`: jupyter-cache keys a notebook on its code cells only,
so a changed CSV in data/ or module in src/ would be served from the cache and
the HTML would show old numbers. Here each chapter's key is its code plus a digest
of what it declares it reads (chapters/inputs.yml: its tables with their schemas,
and files such as CITATION.cff) plus src/pcn_evidence and requirements.txt. A chapter
whose digest changed is dropped from the cache, re-executed and re-read by Sphinx;
the others are served from the cache. A change to what every page depends on
(_config.yml, _toc.yml, _ext/, _static/, the bibliographies, the record of evidence
changes that every footer reads) makes Sphinx re-read every page. Chapters run in
parallel (one kernel per core) before Sphinx runs, since `jb build` executes one
notebook at a time.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
CACHE = BUILD / ".jupyter_cache"
DIGEST_FILE = BUILD / ".inputs-digests.json"  # written last, only when a build has succeeded
WORK = BUILD / "site"  # Sphinx's working area (doctrees and HTML), emptied before each build
PUBLISHED = BUILD / "html"  # the last complete book, replaced only by a complete new one
DOWNLOADS = BUILD / "extra" / "downloads"  # published at the site root by html_extra_path
EXECUTION_INPUTS = ("src/pcn_evidence", "requirements.txt")  # part of every chapter's key
SITE_INPUTS = ("_config.yml", "_toc.yml", "_ext", "_static", "references.bib", "references-standards.bib",
               "references-context.bib", "CITATION.cff",
               "requirements.txt")  # every page is re-read when one changes
# ...and when one of these, in the data folder, changes: every footer and citation says whether the
# book holds evidence changes made since its last release (_ext/pcn_cite.py)
SITE_DATA = ("evidence_changes.csv",)


# What a throwaway copy of the book leaves out: environments, build output, caches.
COPY_IGNORE = shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__", ".pytest_cache", ".hypothesis", "bench")


def working_copy(destination: Path) -> tuple[Path, dict[str, str]]:
    """Copy the book to ``destination`` (sharing this .venv) for builds that must not touch the tree.

    Returns the copy and an environment that points the chapters at the copy's data.
    copytree keeps mtimes, so the venv's install stamp stays valid for `make` in the copy.
    """
    shutil.copytree(ROOT, destination, ignore=COPY_IGNORE, dirs_exist_ok=True)
    (destination / ".venv").symlink_to(ROOT / ".venv")
    # PYTHONPATH: the copy's kernels import the copy's package, not the checkout's editable install
    return destination, dict(os.environ, PCN_EVIDENCE_DATA=str(destination / "data"), PCN_BOOK_ROOT=str(destination),
                             PYTHONPATH=str(destination / "src"))


def _digest(files: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for file in files:
        name = file.relative_to(root).as_posix() if file.is_relative_to(root) else str(file)
        digest.update(name.encode() + b"\0")
        digest.update((file.read_bytes() if file.exists() else b"<missing>") + b"\0")
    return digest.hexdigest()


def _expand(root: Path, names: tuple[str, ...] | list[str]) -> list[Path]:
    files: list[Path] = []
    for name in names:
        path = root / name
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        else:
            files.append(path)
    return files


def data_dir(root: Path = ROOT) -> Path:
    """The data folder the chapters read: ``PCN_EVIDENCE_DATA`` if set, else the book's ``data/``."""
    override = os.environ.get("PCN_EVIDENCE_DATA")
    return Path(override).resolve() if override else root / "data"


def chapter_inputs(chapter: str, root: Path = ROOT) -> list[Path]:
    """Every file chapter ``chapter`` depends on besides its own code (see the module docstring)."""
    declarations = yaml.safe_load((root / "chapters" / "inputs.yml").read_text(encoding="utf-8")) or {}
    if chapter not in declarations:
        sys.exit(f"chapters/inputs.yml declares no inputs for chapter {chapter!r}: add an entry listing the "
                 "tables (and files) it reads")
    entry = declarations[chapter] or {}
    data = data_dir(root)
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package.get("resources", [])}
    tables = list(resources) if entry.get("tables") == "*" else list(entry.get("tables", []))
    files = [data / "datapackage.json"]
    for table in tables:
        resource = resources.get(table, {})
        files.append(data / resource.get("path", f"{table}.csv"))
        if isinstance(resource.get("schema"), str):
            files.append(data / resource["schema"])
    files += [root / f for f in entry.get("files", [])]
    return _expand(root, EXECUTION_INPUTS) + files


def chapter_digest(path: Path, root: Path = ROOT) -> str:
    """The digest that decides whether a chapter re-executes: its declaration and every input it names."""
    declarations = yaml.safe_load((root / "chapters" / "inputs.yml").read_text(encoding="utf-8")) or {}
    own = json.dumps(declarations.get(path.stem), sort_keys=True).encode()
    return hashlib.sha256(own + _digest(chapter_inputs(path.stem, root), root).encode()).hexdigest()


def site_digest(root: Path = ROOT) -> str:
    """The digest of what every page depends on: a change makes Sphinx re-read the whole book."""
    return _digest(_expand(root, SITE_INPUTS) + [data_dir(root) / name for name in SITE_DATA], root)


def toc_files(root: Path = ROOT) -> list[str]:
    """Every document the table of contents lists (without suffix), in reading order."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            file = node.get("file") or node.get("root")
            if isinstance(file, str):
                found.append(file)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load((root / "_toc.yml").read_text()))
    return found


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """Every chapter notebook the table of contents lists, in reading order.

    A chapter is a notebook, or a text twin in chapters/ whose notebook `make outputs` will create.
    """
    return [root / f"{file}.ipynb" for file in toc_files(root)
            if (root / f"{file}.ipynb").exists() or (file.startswith("chapters/") and (root / f"{file}.md").exists())]


def pages_digest(root: Path = ROOT) -> str:
    """The digest of every page's source as Sphinx reads it (notebooks with their outputs, markdown pages)."""
    files = []
    for file in toc_files(root):
        notebook = root / f"{file}.ipynb"
        files.append(notebook if notebook.exists() else root / f"{file}.md")
    return _digest(files, root)


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


def _quiet_worker() -> None:
    """Kernel workers leave Ctrl-C to the parent, which stops the pool and says so once.

    A worker returns a failing cell's error to the parent, which prints it; what the worker and its
    kernel would write to stderr besides (a kernel's teardown noise when interrupted) goes nowhere.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stderr.fileno())


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
    with ProcessPoolExecutor(max_workers=jobs, initializer=_quiet_worker) as pool:
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


def sources_dir() -> Path:
    """The reference texts of the sources: PCN_SOURCES_DIR, else ../shared/sources beside the book."""
    return Path(os.environ.get("PCN_SOURCES_DIR", ROOT.parent / "shared" / "sources"))


def unchecked_quotes_note() -> str:
    """The closing line of a build made without the reference texts, so that nobody mistakes it for a checked one."""
    if sources_dir().is_dir():
        return ""
    return (f"NOT CHECKED: the quotes were not checked against the sources (no reference texts at {sources_dir()}; "
            "set PCN_SOURCES_DIR)")


# A table with more rows than this is far larger than the book's (the largest, the coding decisions, has a
# few hundred; bench-scale's 50 sources give a few thousand). Each row costs validation and loading time in
# every chapter that reads the table, so rows pasted twice or a table exported whole from elsewhere make the
# build crawl without being wrong: the build warns, naming the table, rather than refusing valid data.
LARGE_TABLE_ROWS = 20_000


def large_tables(package: Any) -> list[str]:
    """A warning for each table of a validated package (a ``DataPackage``) with more than LARGE_TABLE_ROWS rows."""
    return [f"WARNING: {table.label} has {len(table.rows):,} rows, far more than the book expects (at most "
            f"{LARGE_TABLE_ROWS:,}); every chapter that reads it is slowed in proportion. If the rows are not meant "
            "to be there (pasted twice, a whole export), remove them."
            for table in package.tables.values() if len(table.rows) > LARGE_TABLE_ROWS]


def _validate_data() -> list[str]:
    """Stop before any chapter runs if the coded evidence or CITATION.cff is invalid: one clear list of problems.

    Returns the warnings to repeat when the build ends (a table far larger than the book expects).
    """
    sys.path.insert(0, str(ROOT / "src"))
    from pcn_evidence.downloads import published_files
    from pcn_evidence.errors import EvidenceError
    from pcn_evidence.load import VALIDATED_ENV, data_digest
    from pcn_evidence.release import ReleaseError, read_release
    from pcn_evidence.schema import validate_package

    try:
        package = validate_package(data_dir())
        published_files(data_dir())  # a schema or descriptor that is a link is refused now, not after the chapters
    except (EvidenceError, ValueError) as error:
        sys.exit(f"{error}\n\nThe book was not built: fix the data above, then run `make book` again.")
    # the chapters' kernels read the data without validating them again (pcn_evidence.load)
    os.environ[VALIDATED_ENV] = data_digest(data_dir())
    warnings = large_tables(package)
    for warning in warnings:
        print(warning, flush=True)
    sources = sources_dir()
    if sources.is_dir():  # a quote that is not verbatim is never published
        from pcn_evidence.provenance import quote_problems

        problems = quote_problems(sources, data_dir())
        if problems:
            sys.exit(f"{EvidenceError(problems)}\n\nThe book was not built: every quote must be verbatim in its "
                     f"source ({sources}).")
    try:
        read_release(ROOT / "CITATION.cff")  # every page's footer and citation reads it
    except yaml.YAMLError as error:
        sys.exit(f"CITATION.cff is not valid YAML: {' '.join(str(error).split())}\n\nThe book was not built.")
    except ReleaseError as error:
        sys.exit(f"{error}\n\nThe book was not built: fix CITATION.cff, then run `make book` again.")
    return warnings


def start_downloads(recorded: dict) -> dict:
    """Point executing chapters at the downloads folder, first emptying the build if no complete build is recorded.

    Runs before any chapter executes, including one executed from its edited text twin, so that
    every executed chapter saves its figures and Word briefing, and no reset deletes them after.
    Returns the record to trust: {} after a reset.
    """
    sys.path.insert(0, str(ROOT / "src"))
    from pcn_evidence.downloads import DOWNLOADS_ENV

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

    sys.path.insert(0, str(ROOT / "src"))
    from pcn_evidence.downloads import write_data_downloads

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


# What the build writes under _build, and so must be able to write (the cffconvert venv, the coding worksheets
# and the Lighthouse install beside them are other tools' and left alone).
OUTPUT_FOLDERS = (CACHE, WORK, PUBLISHED, DOWNLOADS.parent, BUILD / ".html-new", BUILD / ".html-old")
OUTPUT_FILES = (BUILD / ".lock", DIGEST_FILE)


def _why_not_writable(path: Path) -> str:
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return "it is on a read-only file system"
    except OSError:
        pass
    return "its permissions do not let this user write to it"


def output_problem(building: bool = True) -> str | None:
    """Why the build (``building``; else `make outputs`, which writes only its lock there) could not write its
    output under _build: one line naming the path, or None when it can.

    Checked before anything runs, so that a read-only _build, or one of its folders, stops the build with
    a sentence rather than a traceback from wherever the first write happens to be, perhaps after minutes
    of executing chapters.
    """
    fix = f"make it writable (chmod -R u+w {BUILD}) or remove it (make clean), then run the command again"
    if BUILD.is_symlink() and not BUILD.exists():
        return f"Cannot build: {BUILD} is a link to a folder that does not exist; {fix}."
    if BUILD.exists() and not BUILD.is_dir():
        return f"Cannot build: {BUILD} is a file, not a folder: the build writes its output there; {fix}."
    if not BUILD.exists():
        if not os.access(ROOT, os.W_OK | os.X_OK):
            return f"Cannot build: {ROOT} is not writable ({_why_not_writable(ROOT)}), so {BUILD} cannot be made."
        return None
    tops = OUTPUT_FOLDERS if building else ()
    folders = [BUILD] + [d for top in tops if top.is_dir()
                         for d in [top, *(Path(p) for p, _, _ in os.walk(top) if Path(p) != top)]]
    for folder in folders:
        if not os.access(folder, os.W_OK | os.X_OK):
            return f"Cannot build: {folder} is not writable ({_why_not_writable(folder)}); {fix}."
    # files the build writes in place (elsewhere it only deletes, which the folder's permission decides)
    files = [f for f in OUTPUT_FILES if f.is_file()]
    files += [Path(p) / name for top in (CACHE, DOWNLOADS.parent) if building and top.is_dir()
              for p, _, names in os.walk(top) for name in names]
    for file in files:
        if not os.access(file, os.W_OK):
            return f"Cannot build: {file} is read-only ({_why_not_writable(file)}); {fix}."
    for top in tops:
        if top.exists() and not top.is_dir():
            return f"Cannot build: {top} is a file, not a folder: the build writes a folder there; {fix}."
    return None


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
    os.environ["PCN_BOOK_ROOT"] = str(ROOT)  # the chapters read this book's declarations and files
    warnings = _validate_data()
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
        os.environ["PCN_BOOK_ROOT"] = str(ROOT)
        _validate_data()  # invalid data is reported once, not once per chapter
        outputs(paths, jobs)


def outputs(paths: list[Path], jobs: int | None = None) -> dict[Path, nbformat.NotebookNode]:
    """Re-execute chapters from their text twins and store the outputs in the notebooks (what nbval compares)."""
    os.environ["PCN_BOOK_ROOT"] = str(ROOT)
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
