"""The .md text twin is what people edit: `make book` builds from it, and stores its outputs in the .ipynb."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from smallbook import ROOT, build, edit, ok, small_book  # noqa: F401 (small_book is a fixture)

pytestmark = pytest.mark.build


@pytest.mark.slow  # three builds of a small book of its own
def test_an_edited_text_twin_reaches_the_page_and_a_truncated_notebook_is_rebuilt_from_it(small_book):
    shutil.copy(ROOT / "chapters" / "sources.md", small_book / "chapters" / "sources.md")
    ok(build(small_book))
    edit(small_book / "chapters" / "sources.md", "**In brief.**", "**In brief (edited as text).**")
    result = ok(build(small_book))
    assert "Text twin changed: executing 1 chapter(s)" in result.stdout
    page = small_book / "_build" / "html" / "chapters" / "sources.html"
    assert "In brief (edited as text)." in page.read_text()
    path = small_book / "chapters" / "sources.ipynb"
    notebook = nbformat.read(path, as_version=4)
    assert "In brief (edited as text)." in notebook.cells[0].source
    assert all(c.execution_count for c in notebook.cells if c.cell_type == "code"), "stored executed"

    path.write_bytes(path.read_bytes()[:500])  # as an interrupted save would leave it
    result = ok(build(small_book))
    assert "Text twin changed: executing 1 chapter(s)" in result.stdout
    nbformat.read(path, as_version=4)  # whole again
