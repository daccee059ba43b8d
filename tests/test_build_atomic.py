"""A failed build never replaces the last complete book, and records nothing."""

from __future__ import annotations

import pytest

from smallbook import build, small_book  # noqa: F401 (small_book is a fixture)

pytestmark = pytest.mark.build


def test_a_failed_build_keeps_the_previous_complete_book(small_book):
    assert build(small_book).returncode == 0
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
