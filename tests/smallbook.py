"""A small copy of the book (the landing page and two chapters) to build in tests.

Each copy has its own chapters/inputs.yml and data, so a test can change them freely.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from pcn_evidence.tools.paths import tool

ROOT = Path(__file__).resolve().parents[1]

SECOND = """from pcn_evidence import Chapter
from pcn_evidence.release import read_citation

chapter = Chapter("second")
units = chapter.table("units")
print(", ".join(units["singular"]), "| version", read_citation()["version"])"""


@pytest.fixture
def small_book(tmp_path: Path) -> Path:
    """A fresh, unbuilt small book of this test's own, to change and build."""
    return make_small_book(tmp_path / "book")


def make_small_book(book: Path) -> Path:
    """Write a small copy of the book (the landing page, the sources chapter, a second chapter) at ``book``."""
    book.mkdir(parents=True)
    for name in ("_config.yml", "references.bib", "references-standards.bib", "references-context.bib", "requirements.txt",
                 "CITATION.cff", "glossary.md"):
        shutil.copy(ROOT / name, book / name)
    (book / "intro.md").write_text("# A small copy of the book\n\nSee {ref}`chapter-sources`.\n")
    for folder in ("data", "_static", "_ext"):
        shutil.copytree(ROOT / folder, book / folder)
    shutil.copytree(ROOT / "src" / "pcn_evidence", book / "src" / "pcn_evidence",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (book / "chapters").mkdir()
    shutil.copy(ROOT / "chapters" / "sources.ipynb", book / "chapters" / "sources.ipynb")
    second = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                               "language": "python"}})
    second.cells = [nbformat.v4.new_markdown_cell("(chapter-second)=\n# Second"), nbformat.v4.new_code_cell(SECOND)]
    nbformat.write(second, book / "chapters" / "second.ipynb")
    (book / "chapters" / "inputs.yml").write_text(
        "sources:\n  tables: [sources, source_kinds, studies]\nsecond:\n  tables: [units]\n  files: [CITATION.cff]\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n"
                                   "  - file: chapters/sources\n  - file: chapters/second\n  - file: glossary\n")
    return book


# Planted in the shared build (below) for the tests that read it: markup in a bibliography and in the
# configuration, which every page must show as text (tests/test_build_inputs.py)...
MARKUP = '<img src=x onerror="alert(1)">'

# ...and the second chapter as an edited text twin that saves a download while it executes: the build runs it
# from its .md first, and what it saves must be published (tests/test_build.py).
SAVES_A_DOWNLOAD = '''---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

(chapter-second)=
# Second

```{code-cell}
from pcn_evidence import Chapter
from pcn_evidence.downloads import downloads_dir

chapter = Chapter("second")
(downloads_dir() / "second-marker.txt").write_text("saved while executing")
```

```{code-cell}
from IPython.display import HTML

HTML('<a href="../downloads/second-marker.txt" download>the marker</a>')  # offered: a download no page links is pruned
```
'''


@dataclass(frozen=True)
class BuiltBook:
    """The small book built once for the whole test session, and what its build printed.

    Read it, never change it (other tests, perhaps in another worker, read it at the same time): copy it with
    :func:`copy_built` to change or rebuild it.
    """

    root: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def html(self) -> Path:
        return self.root / "_build" / "html"

    def ok(self) -> BuiltBook:
        """This book, once its build is known to have succeeded (else the build's output, as :func:`ok` shows it)."""
        assert self.returncode == 0, self.stdout[-3000:] + self.stderr[-3000:]
        return self


def plant_shared(book: Path) -> None:
    """What the shared build holds besides the small book: see MARKUP and SAVES_A_DOWNLOAD."""
    edit(book / "references.bib", "title   = {{PCN} focus on",
         "title   = {" + MARKUP.replace('"', "") + " {PCN} focus on")
    config = book / "_config.yml"
    edit(config, 'title: "Primary care networks', 'title: "' + MARKUP.replace('"', "") + " Primary care networks")
    edit(config, 'author: "PCN evidence book contributors"', 'author: "<script>alert(2)</script> contributors"')
    (book / "chapters" / "second.md").write_text(SAVES_A_DOWNLOAD, encoding="utf-8")


@pytest.fixture(scope="session")
def shared_build(tmp_path_factory: pytest.TempPathFactory) -> BuiltBook:
    """One small book built once per test session, without the reference texts, for every test that only reads it.

    Building is most of what the build tests cost, so the tests that read a build share this one (all in
    `make test-slow`, like the tests that prove what happens from one build to the next, with books of their own).
    Under xdist the workers share it: the first to need it builds it, under a lock, and the others wait.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = shared / "shared-build"
    record = folder / "build.json"
    with (shared / "shared-build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a worker that died half-way left a partial copy
            book = make_small_book(folder / "book")
            plant_shared(book)
            # no reference texts: the build must say, in its last line, that its quotes were not checked
            result = book_command(book, "build", PCN_SOURCES_DIR=str(folder / "no-sources"))
            record.write_text(json.dumps({"returncode": result.returncode, "stdout": result.stdout,
                                          "stderr": result.stderr}), encoding="utf-8")
    return BuiltBook(folder / "book", **json.loads(record.read_text(encoding="utf-8")))


def copy_built(built: BuiltBook, destination: Path) -> Path:
    """A copy of the shared built book (its _build too) to change or rebuild; ``destination``."""
    shutil.copytree(built.ok().root, destination, symlinks=True)
    return destination


BOOK_TOOL = tool("book")  # `python -m pcn_evidence.tools.book`: with book_env, the small book's own


def book_env(book: Path, **env_vars: str) -> dict[str, str]:
    """The environment `make` runs the small book's tools in: its own ``src`` first on the path, so that its tools
    build it and its chapters import its package (with ``env_vars`` set, less the data and book the build sets)."""
    env = {k: v for k, v in os.environ.items() if k not in {"PCN_EVIDENCE_DATA", "PCN_BOOK_ROOT"}}
    return env | {"PYTHONPATH": str(book / "src")} | env_vars


def book_command(book: Path, *args: str, **env_vars: str) -> subprocess.CompletedProcess:
    """``python -m pcn_evidence.tools.book ARGS`` in the small book, as `make` runs it there (with ``env_vars``)."""
    return subprocess.run([*BOOK_TOOL, *args], cwd=book, env=book_env(book, **env_vars), capture_output=True,
                          text=True, timeout=600)


def build(book: Path) -> subprocess.CompletedProcess:
    return book_command(book, "build")


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


# A throwaway repository's identity, so that a small book can be committed (`make dist` archives a commit).
GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.invalid", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}


def git(book: Path, *args: str) -> str:
    """``git ARGS`` in the small book, with a throwaway identity; its output."""
    return subprocess.run(["git", *args], cwd=book, check=True, capture_output=True, text=True,
                          env=os.environ | GIT_ENV).stdout


def commit(book: Path, message: str) -> None:
    """Commit everything in the small book (a repository from the first call on), with what a release archive holds."""
    if not (book / ".git").exists():
        for name in ("CHANGELOG.md", "LICENSE", "LICENSE-CONTENT", ".gitignore"):
            shutil.copy(ROOT / name, book / name)
        git(book, "init", "--quiet")
    git(book, "add", "-A")
    git(book, "commit", "--quiet", "--allow-empty", "-m", message)
