"""The build never shows stale pages, re-executes only what changed, and fails loudly.

These build a small copy of the book (the landing page and two chapters) in a
temporary folder; each copy has its own chapters/inputs.yml and data.
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

SECOND = """from pcn_evidence import Chapter
from pcn_evidence.citation import read_citation

chapter = Chapter("second")
units = chapter.table("units")
print(", ".join(units["singular"]), "| version", read_citation()["version"])"""


@pytest.fixture
def small_book(tmp_path: Path) -> Path:
    book = tmp_path / "book"
    book.mkdir()
    for name in ("_config.yml", "references.bib", "references-standards.bib", "requirements.txt", "CITATION.cff"):
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
        "sources:\n  tables: [sources]\nsecond:\n  tables: [units]\n  files: [CITATION.cff]\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n"
                                   "  - file: chapters/sources\n  - file: chapters/second\n")
    return book


def build(book: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"PCN_EVIDENCE_DATA", "PCN_BOOK_ROOT"}}
    return subprocess.run([sys.executable, str(book / "tools" / "book.py"), "build"], cwd=book, env=env,
                          capture_output=True, text=True, timeout=600)


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_each_change_re_executes_exactly_the_chapters_that_read_it(small_book):
    first = ok(build(small_book))
    assert "executed chapters/sources.ipynb" in first.stdout and "executed chapters/second.ipynb" in first.stdout
    assert "TCP" not in first.stdout + first.stderr, "kernels must not warn about TCP transport"
    sources_page = small_book / "_build" / "html" / "chapters" / "sources.html"
    second_page = small_book / "_build" / "html" / "chapters" / "second.html"
    assert "Last updated" not in sources_page.read_text()  # a build date would make builds differ

    unchanged = ok(build(small_book))
    assert "(0 executed, 2 from the cache)" in unchanged.stdout, "nothing changed, so nothing re-executes"

    edit(small_book / "data" / "sources.csv", ",Healthcare Leader,", ",Healthcare Leader Weekly,")
    after_data = ok(build(small_book))
    assert "executed chapters/sources.ipynb" in after_data.stdout
    assert "cached   chapters/second.ipynb" in after_data.stdout, "second does not read sources.csv"
    assert "Healthcare Leader Weekly" in sources_page.read_text()

    edit(small_book / "CITATION.cff", "version: ", "version: 9.9.9-test\nx-old-version: ")
    after_citation = ok(build(small_book))
    assert "executed chapters/second.ipynb" in after_citation.stdout
    assert "cached   chapters/sources.ipynb" in after_citation.stdout
    assert "version 9.9.9-test" in second_page.read_text()

    # _ext/ shapes every page: a change to it must reach pages whose chapters did not change
    edit(small_book / "_ext" / "pcn_html.py", "context[\"body\"] = body.replace(",
         "context[\"body\"] = \"<!-- ext-marker -->\" + body.replace(")
    ok(build(small_book))
    assert "ext-marker" in sources_page.read_text() and "ext-marker" in second_page.read_text()


def test_a_chapter_that_reads_an_undeclared_table_fails_the_build(small_book):
    edit(small_book / "chapters" / "inputs.yml", "second:\n  tables: [units]", "second:\n  tables: [bodies]")
    result = build(small_book)
    assert result.returncode != 0
    assert "chapter 'second' read the table 'units', which chapters/inputs.yml does not declare" in result.stderr


def test_a_chapter_that_raises_fails_the_build_and_shows_the_cell(small_book):
    notebook = nbformat.read(small_book / "chapters" / "sources.ipynb", as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure for the test')"))
    nbformat.write(notebook, small_book / "chapters" / "sources.ipynb")
    result = build(small_book)
    assert result.returncode != 0
    assert "raise RuntimeError('deliberate failure for the test')" in result.stderr
    assert "RuntimeError: deliberate failure for the test" in result.stderr
    assert not (small_book / "_build" / "html" / "index.html").exists()
