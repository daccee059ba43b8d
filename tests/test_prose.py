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


def test_one_formatter_for_each_kind_of_thing():
    from pcn_evidence import prose
    assert prose.format_number(30000.0) == "30,000" and prose.format_number(None, missing="") == ""
    assert prose.count_with_unit(2, "CCG areas", "CCG area") == "2 CCG areas"
    assert prose.count_with_unit(1, "CCG areas", "CCG area") == "1 CCG area"
    assert prose.count_with_unit(1, "CCG staff") == "1 CCG staff"  # no singular given: the unit is kept
    assert prose.share_text(9, 37) == "24% (9 of 37 interviewees)"
    assert prose.wrap("a well-known id f-ccg-support", 8) == "a\nwell-known\nid\nf-ccg-support"
    assert prose.capitalise("minor concerns") == "Minor concerns"
    assert prose.lower_first("CCG mergers") == "CCG mergers"


def test_quotes_are_curled_as_the_pages_show_them():
    from pcn_evidence.prose import curly_quotes
    assert curly_quotes("PCNs' role was the 'nirvana'") == "PCNs’ role was the ‘nirvana’"
    assert curly_quotes('"CCG staff reported..."') == "“CCG staff reported…”"
    assert curly_quotes("'This year' as the predicted year") == "‘This year’ as the predicted year"
    assert curly_quotes("already ‘curly’, left alone") == "already ‘curly’, left alone"
