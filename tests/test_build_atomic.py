"""A failed build never replaces the last complete book, and records nothing."""

from __future__ import annotations

import pytest
from smallbook import BOOK_TOOL, book_env, build, copy_built, edit, shared_build  # noqa: F401 (shared_build is a fixture)

pytestmark = pytest.mark.build


@pytest.mark.slow  # Sphinx runs the whole small book, and fails
def test_a_failed_build_keeps_the_previous_complete_book(shared_build, tmp_path):
    small_book = copy_built(shared_build, tmp_path / "book")  # the previous complete book
    published = small_book / "_build" / "html"
    before = {p.relative_to(published): p.read_bytes() for p in published.rglob("*") if p.is_file()}
    intro = small_book / "intro.md"
    intro.write_text(intro.read_text() + "\nA link to {ref}`no-such-label`.\n")  # a warning: -W fails the build
    failed = build(small_book)
    assert failed.returncode != 0
    assert "The previous book is unchanged at" in failed.stderr
    after = {p.relative_to(published): p.read_bytes() for p in published.rglob("*") if p.is_file()}
    assert after == before, "the published book must be the last complete one, untouched"
    assert not (small_book / "_build" / ".inputs-digests.json").exists(), "a failed build records nothing"


@pytest.mark.slow  # a build interrupted, then one that repairs it
def test_a_build_killed_while_sphinx_writes_leaves_the_previous_book_and_the_next_build_repairs_it(shared_build,
                                                                                                  tmp_path):
    import os
    import signal
    import subprocess
    import time

    small_book = copy_built(shared_build, tmp_path / "book")  # the previous complete book
    published = small_book / "_build" / "html"
    before = {p.relative_to(published): p.read_bytes() for p in published.rglob("*") if p.is_file()}
    edit(small_book / "data" / "sources.csv", ",Healthcare Leader,", ",Healthcare Leader Weekly,")
    running = subprocess.Popen([*BOOK_TOOL, "build"], cwd=small_book, env=book_env(small_book),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    sphinx_output = small_book / "_build" / "site" / "_build" / "html"
    deadline = time.monotonic() + 300
    started = time.time()
    # Each build empties Sphinx's working folder and writes it afresh: wait until this build writes a page
    # (the folder may vanish under the glob while it is emptied)
    def written() -> bool:
        try:
            return any(page.stat().st_mtime > started for page in sphinx_output.glob("**/*.html"))
        except FileNotFoundError:
            return False

    while not written():
        assert running.poll() is None, "the build finished before it could be interrupted"
        assert time.monotonic() < deadline, "Sphinx never started writing"
        time.sleep(0.02)
    os.killpg(running.pid, signal.SIGKILL)
    running.wait()

    after = {p.relative_to(published): p.read_bytes() for p in published.rglob("*") if p.is_file()}
    assert after == before, "an interrupted build must leave the last complete book untouched"
    assert not (small_book / "_build" / ".inputs-digests.json").exists(), "an interrupted build records nothing"

    repaired = build(small_book)
    assert repaired.returncode == 0, repaired.stdout[-3000:] + repaired.stderr[-3000:]
    assert "Nothing changed" not in repaired.stdout
    assert "Healthcare Leader Weekly" in (published / "chapters" / "sources.html").read_text()
    search_index = (published / "searchindex.js").read_text()
    assert "chapters/sources" in search_index and "chapters/second" in search_index
