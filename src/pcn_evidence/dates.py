"""Dates known to the year, the month or the day, and words for them at their own precision.

The timeline stores ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; a month is the whole
month, never its first day, so two events in the same month are not put in order.

>>> parse_partial_date("2019-12").last
datetime.date(2019, 12, 31)
>>> describe_date("2019-12"), describe_date("2020-10-08", short=True), describe_date("2020")
('December 2019', '8 Oct 2020', '2020')
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

__all__ = ["PartialDate", "parse_partial_date", "describe_date", "describe_span", "months_between", "source_dates"]


@dataclass(frozen=True)
class PartialDate:
    """A date known to the year, the month or the day: the span of days it could be."""

    text: str
    first: date
    last: date
    precision: str  # "year", "month" or "day"


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_partial_date(text: str) -> PartialDate:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` into the span of days it covers.

    >>> parse_partial_date("2020").first, parse_partial_date("2020").precision
    (datetime.date(2020, 1, 1), 'year')
    """
    match = _DATE.match(str(text).strip())
    if not match:
        raise ValueError(f"not a YYYY, YYYY-MM or YYYY-MM-DD date: {text!r}")
    year = int(match.group(1))
    if match.group(2) is None:
        return PartialDate(text, date(year, 1, 1), date(year, 12, 31), "year")
    month = int(match.group(2))
    if match.group(3) is None:
        return PartialDate(text, date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), "month")
    day = date(year, month, int(match.group(3)))
    return PartialDate(text, day, day, "day")


def describe_date(text: str, short: bool = False) -> str:
    """Words for a partial date at its own precision: ``'December 2019'``, ``'8 October 2020'``, ``'2020'``."""
    when = parse_partial_date(text)
    names = calendar.month_abbr if short else calendar.month_name
    if when.precision == "year":
        return f"{when.first.year}"
    if when.precision == "month":
        return f"{names[when.first.month]} {when.first.year}"
    return f"{when.first.day} {names[when.first.month]} {when.first.year}"


def describe_span(start: str, end: str | None = None, short: bool = False, year_once: bool = False) -> str:
    """``'August 2019 to December 2019'`` for a period, or the single date.

    With ``year_once``, a year both ends share is said once, as a briefing reads it.

    >>> describe_span("2019-08", "2019-12")
    'August 2019 to December 2019'
    >>> describe_span("2019-08", "2019-12", year_once=True), describe_span("2019-12", "2020-03", year_once=True)
    ('August to December 2019', 'December 2019 to March 2020')
    """
    if end is None or pd.isna(end) or end == start:
        return describe_date(start, short)
    first, last = describe_date(start, short), describe_date(end, short)
    same_year = parse_partial_date(start).first.year == parse_partial_date(end).first.year
    if year_once and same_year and " " in first:
        first = first.rsplit(" ", 1)[0]
    return f"{first} to {last}"


def months_between(earlier: str, later: str) -> int:
    """Whole calendar months from one month to another.

    >>> months_between("2019-12", "2021-04")
    16
    """
    a, b = parse_partial_date(earlier), parse_partial_date(later)
    return (b.first.year - a.first.year) * 12 + (b.first.month - a.first.month)


def source_dates(sources: pd.DataFrame) -> dict[str, str]:
    """Each dated source's date in words, by source id (``sources.csv``); undated sources are left out.

    >>> source_dates(pd.DataFrame({"id": ["a", "b"], "date": ["2021-06-29", None]}))
    {'a': '29 June 2021'}
    """
    dated = sources[sources["date"].notna()]
    return {str(source): describe_date(str(when)) for source, when in zip(dated["id"], dated["date"])}
