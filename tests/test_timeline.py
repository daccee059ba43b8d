"""Tests for pcn_evidence.timeline: order, comparison and drawing at the precision of the dates."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from pcn_evidence import load_table
from pcn_evidence.figures import SVGFigure
from pcn_evidence.timeline import compare_events, timeline_figure, timeline_rows

INTERVIEWS = "tl-ccg-staff-interviews"
DRAFT_SPECS = "tl-draft-service-specifications-published"
MERGERS = "tl-ccg-mergers-approved"


@pytest.fixture(scope="module")
def timeline() -> pd.DataFrame:
    return load_table("timeline")


def moved(timeline: pd.DataFrame, event_id: str, start: str) -> pd.DataFrame:
    """A copy of the timeline with one event's start date changed."""
    out = timeline.copy()
    out.loc[out["id"] == event_id, "start"] = start
    return out


def svg_texts(figure: SVGFigure) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", figure.svg)


# --- order ------------------------------------------------------------------------------------

def test_timeline_rows_sorted_by_date_with_spans(timeline):
    rows = timeline_rows(timeline)
    assert list(rows["first"]) == sorted(rows["first"])
    interviews = rows.set_index("id").loc[INTERVIEWS]
    assert interviews["is_period"] and interviews["first"] == date(2019, 8, 1) and interviews["last"] == date(2019, 12, 31)
    assert rows.set_index("id").loc["tl-nhs-confederation-pcn-report", "precision"] == "year"
    assert list(timeline_rows(timeline.iloc[::-1])["id"]) == list(rows["id"])  # the file's row order does not matter


def test_timeline_rows_names_ids_it_cannot_find(timeline):
    with pytest.raises(KeyError, match="tl-does-not-exist"):
        timeline_rows(timeline, [INTERVIEWS, "tl-does-not-exist"])


def test_timeline_rows_rejects_a_badly_written_date(timeline):
    with pytest.raises(ValueError, match="Dec 2019"):
        timeline_rows(moved(timeline, DRAFT_SPECS, "Dec 2019"))


# --- comparison -------------------------------------------------------------------------------

def test_compare_events_same_month_is_not_ordered(timeline):
    comparison = compare_events(timeline, INTERVIEWS, DRAFT_SPECS, "interviews", "drafts")
    assert comparison.relation == "overlap" and comparison.overlap == "December 2019"
    assert comparison.first_precision == comparison.second_precision == "month"
    assert comparison.first_when == "August 2019 to December 2019"
    assert "cannot say which came first" in comparison.sentence and "interviews" in comparison.sentence


def test_compare_events_before_and_after(timeline):
    before = compare_events(timeline, INTERVIEWS, MERGERS)
    assert before.relation == "before" and before.overlap is None and "ended before" in before.sentence
    assert compare_events(timeline, MERGERS, INTERVIEWS).relation == "after"


def test_a_day_after_the_last_month_is_ordered_and_a_day_within_it_is_not(timeline):
    after = compare_events(moved(timeline, DRAFT_SPECS, "2020-01-15"), INTERVIEWS, DRAFT_SPECS)
    assert after.relation == "before" and after.second_precision == "day"
    within = compare_events(moved(timeline, DRAFT_SPECS, "2019-12-31"), INTERVIEWS, DRAFT_SPECS)
    assert within.relation == "overlap" and within.overlap == "December 2019"
    assert (within.first_precision, within.second_precision) == ("month", "day")


def test_an_overlap_of_several_months_is_given_as_a_span(timeline):
    comparison = compare_events(moved(timeline, DRAFT_SPECS, "2019"), INTERVIEWS, DRAFT_SPECS)
    assert comparison.overlap == "August 2019 to December 2019" and comparison.second_precision == "year"


# --- figure -----------------------------------------------------------------------------------

def test_timeline_figure_marks_inferred_dates_and_is_byte_identical(timeline):
    one = timeline_figure(timeline, name="fig-t", finding="Finding.", band_id=INTERVIEWS)
    assert len({timeline_figure(timeline, name="fig-t", finding="Finding.", band_id=INTERVIEWS).svg
                for _ in range(3)} | {one.svg}) == 1
    texts = svg_texts(one)
    assert "Apr 2021, inferred" in texts and "2020 (year only), inferred" in texts
    assert "Dec 2019" in texts and "Aug 2019 to Dec 2019" in texts
    assert any("bar cut at the axis edge" in t for t in texts)  # the project runs past the axis
    assert one.alt.startswith("Finding.") and "15 dated events (3 with an inferred date)" in one.alt
    assert "April 2021, inferred" in one.alt


def test_the_band_is_drawn_only_when_asked_for(timeline):
    assert "interviews" in svg_texts(timeline_figure(timeline, "f", "x", band_id=INTERVIEWS))
    assert "interviews" not in svg_texts(timeline_figure(timeline, "f", "x"))
    assert "fieldwork" in svg_texts(timeline_figure(timeline, "f", "x", band_id=INTERVIEWS, band_label="fieldwork"))


def test_timeline_figure_changes_when_a_date_changes(timeline):
    before = timeline_figure(timeline, "f", "x", band_id=INTERVIEWS)
    after = timeline_figure(moved(timeline, DRAFT_SPECS, "2020-01"), "f", "x", band_id=INTERVIEWS)
    assert before.svg != after.svg and "Jan 2020" in svg_texts(after)


def test_timeline_figure_subset_only_shows_its_events(timeline):
    figure = timeline_figure(timeline, "f", "x", ids=[INTERVIEWS, MERGERS])
    assert "2 dated events (1 with an inferred date)" in figure.alt
    texts = svg_texts(figure)
    assert "known to the year (box = the year)" not in texts  # the legend lists only what is drawn
    assert "hollow, dashed: date inferred" in texts
