"""One way to get a coded fact, and the ledger of them all."""

from __future__ import annotations

import pytest
from helpers import GOOD_COUNT_ROWS, THEME_COUNTS_HEADER, write_csv

from pcn_evidence import Chapter, fact
from pcn_evidence.facts import Fact, facts, ledger
from pcn_evidence.inputs import UndeclaredInputError


def test_a_fact_carries_its_value_unit_quote_and_locator():
    interviews = fact("sd-sample-size")
    assert (interviews.value, interviews.table, interviews.source_id) == (37, "study_design", "bjgp-2021")
    assert "37" in interviews.quote and interviews.locator


def test_a_whole_number_is_an_int_and_a_fraction_stays_a_float():
    assert isinstance(fact("tc-ccgs-allocated-staff-time").value, int)
    assert Fact("x", "t", "s", "l", "q", number=12.5).value == 12.5


def test_a_fact_without_a_number_gives_its_value_in_words():
    assert fact("sd-software-nvivo").value in {12, "NVivo (version 12)"} or fact("sd-software-nvivo").text


def test_a_fact_with_neither_number_nor_value_says_so():
    with pytest.raises(ValueError, match="states no number and no value"):
        _ = Fact("x", "t", "s", "l", "q").value


def test_an_unknown_fact_is_named():
    with pytest.raises(KeyError, match="no coded fact 'sd-no-such-fact'"):
        fact("sd-no-such-fact")


def test_facts_keyed_by_a_primary_key_other_than_id_are_found():
    assert fact("1").table == "coreq"  # COREQ items are keyed by their number


def test_the_ledger_has_every_fact_with_a_quote_once():
    frame = ledger()
    assert len(frame) > 0 and frame["id"].is_unique and (frame["quote"].str.len() > 0).all()
    assert set(frame["id"]) == set(facts())


def test_a_chapter_reaches_only_the_facts_of_its_declared_tables():
    chapter = Chapter("theme_counts")
    try:
        assert chapter.fact("tc-ccgs-allocated-staff-time").value == 26
        with pytest.raises(UndeclaredInputError, match="the table 'reported_findings'"):
            chapter.fact("pf-hl-ccgs-135-before-april-mergers")
        assert all(f.table in {"theme_counts", "study_design", "units"} for f in facts().values())
        with pytest.raises(UndeclaredInputError):
            ledger()  # the ledger reads every fact table
    finally:
        chapter.close()


def test_facts_come_from_the_data_folder_given(mini_package):
    rows = [list(r) for r in GOOD_COUNT_ROWS]
    rows[0][5], rows[0][-1] = "27", "Twenty-seven CCGs reported that they had allocated some of their staff time"
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER, rows)
    assert fact("tc-staff-time", mini_package).value == 27
