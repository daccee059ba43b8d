"""Declared inputs: a chapter reads only what chapters/inputs.yml declares for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pcn_evidence import Chapter, inputs, load_table, vocabulary
from pcn_evidence.figures import new_figure, render
from pcn_evidence.inputs import UndeclaredInputError, declaration, declarations
from pcn_evidence.release import read_citation


@pytest.fixture
def opened():
    opened: list[Chapter] = []
    yield lambda name: opened.append(Chapter(name)) or opened[-1]
    inputs.deactivate()


def test_every_declared_table_exists():
    tables = set(__import__("pcn_evidence").table_names())
    for chapter in declarations().values():
        if not chapter.all_tables:
            assert set(chapter.tables) <= tables, f"{chapter.chapter}: {set(chapter.tables) - tables}"


def test_an_undeclared_table_is_refused_with_what_to_do(opened):
    opened("sources")
    with pytest.raises(UndeclaredInputError, match=r"chapter 'sources' read the table 'theme_counts'.*add it there"):
        load_table("theme_counts")
    with pytest.raises(UndeclaredInputError):
        vocabulary("cerqual", "confidence")


def test_an_undeclared_file_is_refused(opened):
    opened("sources")
    with pytest.raises(UndeclaredInputError, match="the file 'CITATION.cff'"):
        read_citation()


def test_a_declared_file_is_read(opened):
    chapter = opened("how_to_cite")
    assert read_citation()["cff-version"]
    assert chapter.file("CITATION.cff").name == "CITATION.cff"


def test_all_tables_declared_with_a_star(opened):
    chapter = opened("appendix")
    assert chapter.tables == __import__("pcn_evidence").table_names()
    load_table("cerqual")


def test_outside_a_chapter_nothing_is_checked():
    inputs.deactivate()
    load_table("cerqual")
    read_citation()


def test_a_chapter_without_a_declaration_is_named():
    with pytest.raises(KeyError, match="chapter 'no_such_chapter' declares no inputs in chapters/inputs.yml"):
        declaration("no_such_chapter")


def test_the_downloads_panel_lists_declared_tables_and_drawn_figures(opened):
    chapter = opened("theme_counts")
    fig = new_figure(2, 1)
    fig.subplots().bar(["a"], [1])
    render(fig, name="fig-test-panel", alt="One bar.")
    panel = chapter.downloads()
    assert panel.tables == ("theme_counts", "study_design", "units")
    assert panel.figures == ("fig-test-panel",)
    assert 'href="../downloads/data/units.csv"' in panel._repr_html_()


def test_declarations_read_from_another_book(tmp_path: Path, monkeypatch):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "inputs.yml").write_text("only:\n  tables: [sources]\n  files: [NOTES.txt]\n")
    monkeypatch.setenv("PCN_BOOK_ROOT", str(tmp_path))
    assert declarations() == {"only": inputs.Declaration("only", ("sources",), ("NOTES.txt",))}
