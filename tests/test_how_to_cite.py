"""Strings from CITATION.cff reach the How-to-cite page escaped: markup in the file is shown, never run."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import book  # noqa: E402

PLANTED = '<img src=x onerror="alert(1)">'


def test_markup_planted_in_citation_cff_is_escaped_on_the_page(tmp_path: Path, monkeypatch):
    (tmp_path / "chapters").mkdir()
    shutil.copy(ROOT / "chapters" / "inputs.yml", tmp_path / "chapters" / "inputs.yml")
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    (tmp_path / "CITATION.cff").write_text(text.replace(title, f"title: '{PLANTED} {title[7:]}'"), encoding="utf-8")
    monkeypatch.setenv("PCN_BOOK_ROOT", str(tmp_path))
    monkeypatch.setenv("PCN_EVIDENCE_DATA", str(ROOT / "data"))
    notebook = book.execute(tmp_path / "chapters" / "how_to_cite.ipynb",
                            notebook=book.notebook_from_text(ROOT / "chapters" / "how_to_cite.md"))
    shown = "".join(str(v) for cell in notebook.cells if cell.cell_type == "code"
                    for output in cell.outputs for v in output.get("data", {}).values())
    assert "&lt;img src=x onerror=" in shown, "the planted title should be on the page, as text"
    assert "<img" not in shown, "markup from CITATION.cff must never reach the page unescaped"
