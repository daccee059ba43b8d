"""The build never shows stale pages and re-executes exactly the chapters whose inputs changed.

Both run in `make test-slow`: the proof of re-execution builds a small book of its own five times; an edited text
twin's downloads are read from the session's shared build of a small book.
"""

from __future__ import annotations

import pytest
from smallbook import build, edit, ok, shared_build, small_book  # noqa: F401 (fixtures)

from pcn_evidence.release import PENDING
from pcn_evidence.tools.rows import read_rows, write_rows

pytestmark = pytest.mark.build


def _with_unreleased_changes(book):
    """The book's record of evidence changes with changes not yet released: its newest release's, if none are."""
    changes = book / "data" / "evidence_changes.csv"
    header, rows = read_rows(changes)
    if rows and not any(row["version"] == "unreleased" for row in rows):
        newest = rows[0]["version"]
        for row in rows:
            if row["version"] == newest:
                row.update(version="unreleased", date="")
        write_rows(changes, header, rows)


@pytest.mark.slow  # five builds of a small book of its own
def test_each_change_re_executes_exactly_the_chapters_that_read_it(small_book):
    _with_unreleased_changes(small_book)  # the footer's release state is proved both ways, whatever the live data's
    first = ok(build(small_book))
    assert "executed chapters/sources.ipynb" in first.stdout and "executed chapters/second.ipynb" in first.stdout
    assert "TCP" not in first.stdout + first.stderr, "kernels must not warn about TCP transport"
    sources_page = small_book / "_build" / "html" / "chapters" / "sources.html"
    second_page = small_book / "_build" / "html" / "chapters" / "second.html"
    assert "Last updated" not in sources_page.read_text()  # a build date would make builds differ

    unchanged = ok(build(small_book))
    assert "Nothing changed since the last build" in unchanged.stdout and "executed" not in unchanged.stdout

    edit(small_book / "data" / "sources.csv", ",Healthcare Leader,", ",Healthcare Leader Weekly,")
    after_data = ok(build(small_book))
    assert "executed chapters/sources.ipynb" in after_data.stdout
    assert "cached   chapters/second.ipynb" in after_data.stdout, "second does not read sources.csv"
    assert "Healthcare Leader Weekly" in sources_page.read_text()

    # CITATION.cff is read only by the second chapter; _ext/ shapes every page, so its change must
    # reach the first chapter's page too, although that chapter is served from the cache
    edit(small_book / "CITATION.cff", "version: ", "version: 9.9.9-test\nx-old-version: ")
    edit(small_book / "_ext" / "pcn_html.py", "context[\"body\"] = body.replace(",
         "context[\"body\"] = \"<!-- ext-marker -->\" + body.replace(")
    after = ok(build(small_book))
    assert "executed chapters/second.ipynb" in after.stdout
    assert "cached   chapters/sources.ipynb" in after.stdout
    assert "version 9.9.9-test" in second_page.read_text()
    assert "ext-marker" in sources_page.read_text() and "ext-marker" in second_page.read_text()

    # Every footer says whether the book holds unreleased evidence changes; neither chapter reads the record
    # of changes, so releasing them must still reach both pages
    assert PENDING in sources_page.read_text() and PENDING in second_page.read_text()
    changes = small_book / "data" / "evidence_changes.csv"
    changes.write_text(changes.read_text(encoding="utf-8").replace("\nunreleased,,", "\n9.9.9,2027-01-01,"),
                       encoding="utf-8")
    released = ok(build(small_book))
    assert "cached   chapters/sources.ipynb" in released.stdout and "cached   chapters/second.ipynb" in released.stdout
    assert PENDING not in sources_page.read_text() and PENDING not in second_page.read_text()


@pytest.mark.slow  # reads the shared build of a small book (tests/smallbook.py): one build, about 10 s
def test_a_chapter_run_from_its_edited_text_twin_saves_its_downloads(shared_build):
    # The build executes an edited text twin before anything else; that chapter must save its
    # figures and Word briefing like any other, and no first-build reset may delete them after.
    # (The shared build's second chapter is such a text twin: smallbook.SAVES_A_DOWNLOAD.)
    assert "Text twin changed" in shared_build.ok().stdout
    assert (shared_build.html / "downloads" / "second-marker.txt").exists(), shared_build.stdout
