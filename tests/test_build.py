"""The build never shows stale numbers, and a failing chapter fails it loudly.

These build a small copy of the book (the landing page and one chapter) in a
temporary folder, with PCN_EVIDENCE_DATA pointing the chapters at its data.
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
pytestmark = pytest.mark.build


@pytest.fixture
def small_book(tmp_path: Path) -> Path:
    book = tmp_path / "book"
    book.mkdir()
    for name in ("_config.yml", "references.bib", "references-standards.bib", "requirements.txt"):
        shutil.copy(ROOT / name, book / name)
    # the real landing page links every chapter; this book has one
    (book / "intro.md").write_text("# A small copy of the book\n\nSee {ref}`chapter-sources`.\n")
    for folder in ("data", "tools", "_static", "_ext"):
        shutil.copytree(ROOT / folder, book / folder)
    # The digest covers src/; a copy keeps the real package importable from the venv.
    shutil.copytree(ROOT / "src" / "pcn_evidence", book / "src" / "pcn_evidence",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (book / "chapters").mkdir()
    shutil.copy(ROOT / "chapters" / "sources.ipynb", book / "chapters" / "sources.ipynb")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: chapters/sources\n")
    return book


def build(book: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PCN_EVIDENCE_DATA=str(book / "data"))
    return subprocess.run([sys.executable, str(book / "tools" / "book.py"), "build"], cwd=book, env=env,
                          capture_output=True, text=True, timeout=600)


def test_a_changed_data_value_reaches_the_html(small_book):
    first = build(small_book)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    page = small_book / "_build" / "html" / "chapters" / "sources.html"
    assert "Healthcare Leader" in page.read_text()
    # A build date in the footer would make tomorrow's build differ from today's.
    assert "Last updated" not in page.read_text()

    sources = small_book / "data" / "sources.csv"
    sources.write_text(sources.read_text(encoding="utf-8").replace(",Healthcare Leader,", ",Healthcare Leader Weekly,"),
                       encoding="utf-8")
    second = build(small_book)  # same _build/: the cache must not serve the old page
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "Inputs changed since the last build" in second.stdout
    assert "Healthcare Leader Weekly" in page.read_text()


def test_a_chapter_that_raises_fails_the_build_and_shows_the_cell(small_book):
    notebook = nbformat.read(small_book / "chapters" / "sources.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure for the test')"))
    nbformat.write(notebook, small_book / "chapters" / "sources.ipynb")
    result = build(small_book)
    assert result.returncode != 0
    assert "raise RuntimeError('deliberate failure for the test')" in result.stderr
    assert "RuntimeError: deliberate failure for the test" in result.stderr
    assert not (small_book / "_build" / "html" / "index.html").exists()
