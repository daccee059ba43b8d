"""A small copy of the book (the landing page and two chapters) to build in tests.

Each copy has its own chapters/inputs.yml and data, so a test can change them freely.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]

SECOND = """from pcn_evidence import Chapter
from pcn_evidence.release import read_citation

chapter = Chapter("second")
units = chapter.table("units")
print(", ".join(units["singular"]), "| version", read_citation()["version"])"""


@pytest.fixture
def small_book(tmp_path: Path) -> Path:
    book = tmp_path / "book"
    book.mkdir()
    for name in ("_config.yml", "references.bib", "references-standards.bib", "references-context.bib", "requirements.txt",
                 "CITATION.cff", "glossary.md"):
        shutil.copy(ROOT / name, book / name)
    (book / "intro.md").write_text("# A small copy of the book\n\nSee {ref}`chapter-sources`.\n")
    for folder in ("data", "tools", "_static", "_ext"):
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


def book_command(book: Path, *args: str, **env_vars: str) -> subprocess.CompletedProcess:
    """``tools/book.py ARGS`` in the small book, as `make` runs it there (with ``env_vars`` set)."""
    env = {k: v for k, v in os.environ.items() if k not in {"PCN_EVIDENCE_DATA", "PCN_BOOK_ROOT"}} | env_vars
    return subprocess.run([sys.executable, str(book / "tools" / "book.py"), *args], cwd=book, env=env,
                          capture_output=True, text=True, timeout=600)


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
