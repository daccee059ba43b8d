"""What ships depends only on the commit (issue #23): nothing stale or undeclared survives in _build/html or in
the `make dist` archive, and two `make dist` runs of one commit give the same archive whatever was built between.

Each test builds a small copy of the book several times, so they run in `make test-slow`, not `make test`.
"""

from __future__ import annotations

import hashlib
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pcn_publish
import pytest
from smallbook import book_env, build, commit, edit, git, ok, small_book  # noqa: F401 (small_book is a fixture)

from pcn_evidence.tools import check_determinism
from pcn_evidence.tools.paths import tool

pytestmark = [pytest.mark.build, pytest.mark.slow]

FIGURE_CHAPTER = '''from pcn_evidence import Chapter
from pcn_evidence.figures import new_figure, render

chapter = Chapter("second")
figure = new_figure(3, 2)
figure.subplots().bar(["a"], [1])
render(figure, name="{name}", alt="One bar of height 1.")'''

NOTE_LINK = "\n\nThe build's own note: {download}`a note <note.txt>`.\n"


def _second_draws(book: Path, figure: str) -> None:
    """The small book's second chapter draws one figure, ``figure``, and offers it for download."""
    path = book / "chapters" / "second.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[1:] = [nbformat.v4.new_code_cell(FIGURE_CHAPTER.format(name=figure)),
                          nbformat.v4.new_code_cell("chapter.downloads()")]
    nbformat.write(notebook, path)


def _dist(book: Path) -> Path:
    """`make dist` in the small book, from the command line; the archive it wrote."""
    result = subprocess.run(tool("release", "dist"), cwd=book, env=book_env(book), capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (archive,) = (book / "dist").glob("*.zip")
    return archive


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_a_renamed_figure_or_a_dropped_download_leaves_nothing_behind(small_book, tmp_path):
    book = small_book
    html = book / "_build" / "html"
    _second_draws(book, "fig-old")
    (book / "note.txt").write_text("A file a page offered once.\n")
    (book / "intro.md").write_text((book / "intro.md").read_text() + NOTE_LINK)
    ok(build(book))
    assert {"downloads/figures/fig-old.svg", "downloads/figures/fig-old.png"} <= _files(html)
    assert any(name.endswith("/note.txt") for name in _files(html / "_downloads"))

    # the figure is renamed and the page no longer offers the note: an incremental build, as a contributor makes
    _second_draws(book, "fig-new")
    edit(book / "intro.md", NOTE_LINK, "\n")
    ok(build(book))
    published = _files(html)
    assert {"downloads/figures/fig-new.svg", "downloads/figures/fig-new.png"} <= published
    assert not [name for name in published if "fig-old" in name or name.endswith("note.txt")], published
    assert not [name for name in _files(book / "_build" / "extra") if "fig-old" in name], \
        "the old figure is kept nowhere from which it could be published later"
    assert pcn_publish.site_problems(html) == []

    commit(book, "a small book whose figure was renamed")
    with zipfile.ZipFile(_dist(book)) as archive:
        names = archive.namelist()
    assert any(name.endswith("/html/downloads/figures/fig-new.svg") for name in names)
    assert any(name.endswith("/downloads/figures/fig-new.png") for name in names)
    assert not [name for name in names if "fig-old" in name or name.endswith("note.txt")], names


def test_two_dists_of_one_commit_are_identical_whatever_was_built_between(small_book, tmp_path):
    book = small_book
    commit(book, "a small book")
    first = tmp_path / "first.zip"
    first.write_bytes(_dist(book).read_bytes())

    # the checkout is built, edited (text and data), built again incrementally, reverted and built again
    edits = (("intro.md", "A small copy of the book", "A small copy of the book, edited"),
             ("data/units.csv", "CCG areas,CCG area", "CCG areas,CCG area (edited)"))
    ok(build(book))
    check_determinism.edit_tree(book, edits)
    ok(build(book))
    assert "CCG area (edited)" in (book / "_build" / "html" / "chapters" / "second.html").read_text(encoding="utf-8")
    git(book, "checkout", "--", ".")
    ok(build(book))

    second = _dist(book)
    assert hashlib.sha256(first.read_bytes()).hexdigest() == hashlib.sha256(second.read_bytes()).hexdigest()
    # and what the archive holds is what the checkout's incremental build published
    unexpected, report = check_determinism.differences(
        book / "_build" / "html", check_determinism.archive_html(second, tmp_path / "archive-html"))
    assert unexpected == 0, "\n".join(report)
