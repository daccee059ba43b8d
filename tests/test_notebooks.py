"""nbval compares only cells that were run: prove every chapter is stored executed, in order."""

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from book import toc_notebooks  # noqa: E402

CHAPTERS = toc_notebooks(ROOT)


def test_every_chapter_notebook_is_in_the_toc():
    on_disk = {p.resolve() for p in (ROOT / "chapters").glob("*.ipynb")}
    assert on_disk == {p.resolve() for p in CHAPTERS}, "a chapter is missing from _toc.yml, or a listed one from chapters/"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_is_stored_executed_in_order_with_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code, f"{path.name} has no code cells"
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts}; run `make outputs` so every cell is stored executed, in order")
    for cell in code:
        assert not any(o.get("output_type") == "error" for o in cell.outputs), f"{path.name}: a stored output is an error"
        assert "execution" not in cell.metadata, f"{path.name}: timing metadata stored (it defeats the cache)"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_follows_the_skeleton(path):
    notebook = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert markdown.lstrip().startswith("(chapter-"), f"{path.name}: start with a (chapter-…)= label"
    for heading in ("**In this chapter**", "## Summary"):
        assert heading in markdown, f"{path.name}: missing {heading}"
