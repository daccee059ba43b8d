"""A chapter that fails, or reads what it does not declare, fails the build loudly."""

from __future__ import annotations

import nbformat
import pytest

from smallbook import build, edit, small_book  # noqa: F401 (small_book is a fixture)

pytestmark = pytest.mark.build


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
