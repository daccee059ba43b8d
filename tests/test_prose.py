"""Glued strings must paste exactly as computed (myst-nb literal-evaluates the stored repr)."""

import pytest

pytest.importorskip("myst_nb")
from myst_nb.core.variables import format_plain_text  # noqa: E402


@pytest.mark.parametrize("value", ["30,000", "2021-06-29", "1, 2", "as many as 26", "'quoted'", "Box 1"])
def test_a_glued_string_pastes_as_itself(value):
    # what glue stores as text/plain for a str is its repr; the role evaluates it back
    assert format_plain_text(repr(str(value)), "") == value


def test_numbers_paste_with_a_format_spec():
    assert format_plain_text(repr(30000), ",d") == "30,000"


def test_join_words_for_prose():
    from pcn_evidence.prose import join_words
    assert join_words(["a", "b", "c"]) == "a, b and c"
    assert join_words(["a"]) == "a"
    assert join_words([], empty="no topic") == "no topic"
