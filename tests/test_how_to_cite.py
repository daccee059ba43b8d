"""The How-to-cite page, executed on planted copies of CITATION.cff: markup is shown as text, a DOI only when there is one."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import book  # noqa: E402

PLANTED = '<img src=x onerror="alert(1)">'


def _shown(notebook: nbformat.NotebookNode) -> str:
    return "".join(str(v) for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.outputs for v in output.get("data", {}).values())


def _execute_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit) -> str:
    """Execute the How-to-cite chapter against an edited copy of CITATION.cff; what its outputs show."""
    (tmp_path / "chapters").mkdir()
    shutil.copy(ROOT / "chapters" / "inputs.yml", tmp_path / "chapters" / "inputs.yml")
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    (tmp_path / "CITATION.cff").write_text(edit(text), encoding="utf-8")
    monkeypatch.setenv("PCN_BOOK_ROOT", str(tmp_path))
    monkeypatch.setenv("PCN_EVIDENCE_DATA", str(ROOT / "data"))
    notebook = book.execute(tmp_path / "chapters" / "how_to_cite.ipynb",
                            notebook=book.notebook_from_text(ROOT / "chapters" / "how_to_cite.md"))
    return _shown(notebook)


def test_markup_planted_in_citation_cff_is_escaped_on_the_page(tmp_path: Path, monkeypatch):
    def plant(text: str) -> str:
        title = next(line for line in text.splitlines() if line.startswith("title:"))
        return text.replace(title, f"title: '{PLANTED} {title[7:]}'")

    shown = _execute_with(tmp_path, monkeypatch, plant)
    assert "&lt;img src=x onerror=" in shown, "the planted title should be on the page, as text"
    assert "<img" not in shown, "markup from CITATION.cff must never reach the page unescaped"


def test_a_doi_is_shown_once_configured_and_never_before(tmp_path: Path, monkeypatch):
    stored = _shown(nbformat.read(ROOT / "chapters" / "how_to_cite.ipynb", as_version=4))
    assert "doi" not in stored.lower().replace("no doi has been minted", ""), "a DOI shown, but none is configured"
    shown = _execute_with(tmp_path, monkeypatch, lambda text: text + "doi: 10.5281/zenodo.1234\n")
    assert "https://doi.org/10.5281/zenodo.1234" in shown  # in every plain citation
    assert "doi     = {10.5281/zenodo.1234}" in shown  # in the BibTeX
    assert "its DOI is 10.5281/zenodo.1234" in shown
