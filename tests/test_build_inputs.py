"""What the build reads from outside data/: another data folder, the bibliographies and _config.yml.

Both run in `make test-slow`: switching the data folder builds a small book of its own three times; the markup
is read from the session's shared build of a small book.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from smallbook import BOOK_TOOL, book_env, build, edit, ok, shared_build, small_book  # noqa: F401 (fixtures)

pytestmark = pytest.mark.build


@pytest.mark.slow  # three builds of a small book of its own
def test_switching_the_data_folder_re_executes_the_chapters_that_read_it(small_book, tmp_path):
    ok(build(small_book))
    other = tmp_path / "other-data"
    shutil.copytree(small_book / "data", other)
    edit(other / "units.csv", "CCG areas,CCG area", "CCG areas,CCG footprint")
    switched = subprocess.run([*BOOK_TOOL, "build"], cwd=small_book, env=book_env(small_book, PCN_EVIDENCE_DATA=str(other)),
                              capture_output=True, text=True, timeout=600)
    assert switched.returncode == 0, switched.stdout[-3000:] + switched.stderr[-3000:]
    assert "executed chapters/second.ipynb" in switched.stdout, "the data folder in use decides re-execution"
    assert "CCG footprint" in (small_book / "_build" / "html" / "chapters" / "second.html").read_text()

    back = ok(build(small_book))  # and back to the book's own data/: the page follows again
    assert "executed chapters/second.ipynb" in back.stdout
    assert "CCG footprint" not in (small_book / "_build" / "html" / "chapters" / "second.html").read_text()


@pytest.mark.slow  # reads the shared build of a small book (tests/smallbook.py): one build, about 10 s
def test_markup_in_a_bibliography_or_the_config_is_shown_as_text(shared_build):
    # the markup is planted in the shared build's references.bib and _config.yml (smallbook.plant_shared)
    pages = {p.name: p.read_text() for p in shared_build.ok().html.rglob("*.html")}
    for name, html in pages.items():
        assert "<img src=x" not in html and "<script>alert(2)" not in html, f"raw markup reached {name}"
        assert "&amp;lt;" not in html, f"{name} escapes a configured string twice"
    sources = pages["sources.html"]
    assert "&lt;img src=x onerror=alert(1)&gt; PCN focus on GP practices" in sources, "the bib title is escaped"
    assert "&lt;img src=x onerror=alert(1)&gt; Primary care networks" in pages["index.html"] + pages["intro.html"]
