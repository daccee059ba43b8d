"""Tests for pcn_evidence.dates: partial dates keep their precision, in parsing and in words."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from pcn_evidence.dates import describe_date, describe_span, months_between, parse_partial_date


def test_parse_partial_date_keeps_precision():
    year, month, day = parse_partial_date("2020"), parse_partial_date("2020-02"), parse_partial_date("2020-10-08")
    assert (year.first, year.last, year.precision) == (date(2020, 1, 1), date(2020, 12, 31), "year")
    assert (month.first, month.last, month.precision) == (date(2020, 2, 1), date(2020, 2, 29), "month")  # leap year
    assert (day.first, day.last, day.precision) == (date(2020, 10, 8), date(2020, 10, 8), "day")


@pytest.mark.parametrize("text", ["Dec 2019", "2019/12", "19-12", "2019-12-", ""])
def test_parse_partial_date_rejects_other_formats(text):
    with pytest.raises(ValueError, match="not a YYYY, YYYY-MM or YYYY-MM-DD date"):
        parse_partial_date(text)


def test_parse_partial_date_rejects_a_month_or_day_that_does_not_exist():
    with pytest.raises(ValueError):
        parse_partial_date("2019-13")
    with pytest.raises(ValueError):
        parse_partial_date("2021-02-29")


def test_describe_date_and_span_at_their_own_precision():
    assert describe_date("2019-12") == "December 2019"
    assert describe_date("2020") == "2020"
    assert describe_date("2021-03-02") == "2 March 2021"
    assert describe_date("2021-03-02", short=True) == "2 Mar 2021"
    assert describe_span("2019-08", "2019-12") == "August 2019 to December 2019"
    assert describe_span("2019-08", "2019-12", short=True) == "Aug 2019 to Dec 2019"
    assert describe_span("2019-08", pd.NA) == describe_span("2019-08", None) == "August 2019"
    assert describe_span("2019-08", "2019-08") == "August 2019"


def test_months_between_counts_calendar_months():
    assert months_between("2019-12", "2021-04") == 16
    assert months_between("2019-12", "2019-12") == 0
    assert months_between("2019-12-31", "2020-01-01") == 1  # calendar months, not elapsed time
