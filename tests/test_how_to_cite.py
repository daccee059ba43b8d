"""The How-to-cite page, executed on planted copies of CITATION.cff: markup is shown as text, a DOI only when there is one."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from pcn_evidence.tools.notebooks import execute, notebook_from_text

ROOT = Path(__file__).resolve().parents[1]

PLANTED = '<img src=x onerror="alert(1)">'


def _shown(notebook: nbformat.NotebookNode) -> str:
    return "".join(str(v) for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.outputs for v in output.get("data", {}).values())


def _execute_with(folder: Path, edit) -> str:
    """Execute the How-to-cite chapter against an edited copy of CITATION.cff in ``folder``; what its outputs show."""
    (folder / "chapters").mkdir()
    shutil.copy(ROOT / "chapters" / "inputs.yml", folder / "chapters" / "inputs.yml")
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    (folder / "CITATION.cff").write_text(edit(text), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PCN_BOOK_ROOT", str(folder))
        patch.setenv("PCN_EVIDENCE_DATA", str(ROOT / "data"))
        notebook = execute(folder / "chapters" / "how_to_cite.ipynb",
                           notebook=notebook_from_text(ROOT / "chapters" / "how_to_cite.md"))
    return _shown(notebook)


def _plant(text: str) -> str:
    """Markup in the title, and a DOI (the page is executed once, a kernel for both checks)."""
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    return text.replace(title, f"title: '{PLANTED} {title[7:]}'") + "doi: 10.5281/zenodo.1234\n"


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> str:
    """What the page shows when executed against a CITATION.cff with markup in its title and a DOI."""
    return _execute_with(tmp_path_factory.mktemp("how-to-cite"), _plant)


def test_markup_planted_in_citation_cff_is_escaped_on_the_page(planted):
    assert "&lt;img src=x onerror=" in planted, "the planted title should be on the page, as text"
    assert "<img" not in planted, "markup from CITATION.cff must never reach the page unescaped"


def test_a_doi_is_shown_once_configured_and_never_before(planted):
    stored = _shown(nbformat.read(ROOT / "chapters" / "how_to_cite.ipynb", as_version=4))
    assert "doi" not in stored.lower().replace("no doi has been minted", ""), "a DOI shown, but none is configured"
    assert "https://doi.org/10.5281/zenodo.1234" in planted  # in every plain citation
    assert "doi     = {10.5281/zenodo.1234}" in planted  # in the BibTeX
    assert "its DOI is 10.5281/zenodo.1234" in planted
