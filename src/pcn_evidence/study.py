"""Tables and figures for the study chapters: policy context, study design, theme counts, coverage.

Every function takes tables as :func:`pcn_evidence.load_table` returns them and
gives back something a chapter shows (a :class:`~pcn_evidence.tabulate.DisplayTable`
or an :class:`~pcn_evidence.figures.SVGFigure`) or values it glues into prose.
Nothing here types a number: counts, dates and shares all come from the data.

Two rules run through the module:

* **Dates keep their precision.** The timeline stores ``YYYY``, ``YYYY-MM`` or
  ``YYYY-MM-DD``; a month is treated as the whole month, never as its first day,
  so two events in the same month are *not* put in order (:func:`compare_events`).
* **Units stay apart.** The study counts CCGs, CCG staff, commissioners, CCG
  areas and social prescribers; they are never summed or drawn on one scale
  without saying so, and a share is given only where a row has a denominator.

>>> parse_partial_date("2019-12").last
datetime.date(2019, 12, 31)
>>> count_with_unit(1, "CCG areas")
'1 CCG area'
"""

from __future__ import annotations

import calendar
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .figures import PALETTE, SVGFigure, new_figure, render
from .tabulate import DisplayTable, format_cell

__all__ = [
    "PartialDate", "EventComparison", "CCGLandscape",
    "parse_partial_date", "describe_date", "describe_span", "months_between", "short_label",
    "format_number", "count_with_unit", "share_text",
    "policy_context_table", "timeline_rows", "compare_events", "comparison_table", "timeline_figure",
    "design_table", "design_value", "topic_guide_sections", "topic_guide_table", "topic_guide_figure",
    "coreq_counts", "coreq_tally_table", "coreq_table",
    "theme_counts_frame", "theme_counts_table", "theme_counts_figure", "theme_summary",
    "coverage_table", "coverage_gaps_table", "table1_placeholder", "ccg_landscape", "ccg_landscape_table",
    "ordering_reading", "policy_context_values", "study_design_values", "theme_count_values", "coverage_values",
]

BJGP = "Warwick-Giles et al. (2021), BJGP"

# --- small helpers ------------------------------------------------------------------------


def _provenance(rows: pd.DataFrame, where: str, with_source: bool = False) -> dict[str, pd.Series]:
    """The columns every fact table ends with: verbatim quote, where it is, and the fact's id."""
    location = rows["source_id"] + ", " + rows["locator"] if with_source else rows["locator"]
    return {"Verbatim quote": rows["quote"], where: location, "Fact id": rows["id"]}


def format_number(value: float | int | None, missing: str = "—") -> str:
    """A number as a policy reader writes it: ``30000`` -> ``'30,000'``, ``12.5`` stays ``'12.5'``.

    >>> format_number(30000.0), format_number(None)
    ('30,000', '—')
    """
    if value is None or pd.isna(value):
        return missing
    value = float(value)
    return f"{int(value):,}" if value.is_integer() else f"{value:,}"


_SINGULAR = {"CCGs": "CCG", "CCG areas": "CCG area", "commissioners": "commissioner",
             "social prescribers": "social prescriber", "CCG staff": "CCG staff member"}


def count_with_unit(count: int, unit: str) -> str:
    """``'26 CCGs'``; a count of one takes the singular (``'1 CCG area'``). The unit is never dropped."""
    return f"{count} {_SINGULAR.get(unit, unit) if count == 1 else unit}"


def share_text(count: int, denominator: int | None, of: str = "interviewees") -> str:
    """``'24% (9 of 37 interviewees)'``, or a plain statement that there is no denominator.

    >>> share_text(9, 37)
    '24% (9 of 37 interviewees)'
    >>> share_text(26, None)
    'no denominator'
    """
    if denominator is None or pd.isna(denominator):
        return "no denominator"
    return f"{100 * count / denominator:.0f}% ({count} of {denominator} {of})"


def short_label(text: str, limit: int = 100, min_length: int = 40) -> str:
    """A figure label from a long description: brackets dropped, cut at a clause or word boundary.

    The full wording stays in the chapter's table; the label only has to identify the row.

    >>> short_label("Social prescribers (quotation IDNS1.19), who had to be redeployed", limit=40, min_length=10)
    'Social prescribers'
    """
    text = re.sub(r"\s*\([^()]*\)", "", text).split(";")[0].strip()
    if len(text) <= limit:
        return text
    cuts = [m.start() for m in re.finditer(r", ", text) if min_length <= m.start() <= limit]
    if cuts:
        return text[:cuts[-1]]
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False))


def _ordered(frame: pd.DataFrame, column: str, order: Sequence[str], then: Sequence[str] = ()) -> pd.DataFrame:
    """Sort by ``column`` in the given order (unknown values last, in order of appearance), stably."""
    known = list(order) + [v for v in dict.fromkeys(frame[column].dropna()) if v not in order]
    rank = frame[column].map({v: i for i, v in enumerate(known)}).fillna(len(known))
    out = frame.assign(_rank=rank.astype(float), _row=range(len(frame)))
    return out.sort_values(["_rank", *then, "_row"], kind="mergesort").drop(columns=["_rank", "_row"])


def _text(value: object, missing: str = "—") -> str:
    return format_cell(value, missing=missing)


def _render(fig: Figure, name: str, alt: str, digits: int = 4) -> SVGFigure:
    """Render with the constrained layout solved once and then frozen, rounded to ``digits``.

    The constrained-layout solver can differ in the last bits of a float from one
    run to the next; matplotlib hashes each axes' clip rectangle, at full precision,
    into an SVG id, so that noise alone would change the file's bytes. Rounding the
    solved positions (to 1/10,000 of the figure) keeps the layout and the bytes.
    """
    fig.draw_without_rendering()
    positions = [(ax, [round(v, digits) for v in ax.get_position().bounds]) for ax in fig.axes]
    fig.set_layout_engine("none")
    for ax, bounds in positions:
        ax.set_position(bounds)
    return render(fig, name=name, alt=alt)


# --- dates with their precision -----------------------------------------------------------


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
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is None:
        return PartialDate(text, date(year, 1, 1), date(year, 12, 31), "year")
    if day is None:
        return PartialDate(text, date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), "month")
    return PartialDate(text, date(year, month, day), date(year, month, day), "day")


def describe_date(text: str, short: bool = False) -> str:
    """Words for a partial date at its own precision: ``'December 2019'``, ``'8 October 2020'``, ``'2020'``.

    >>> describe_date("2019-12"), describe_date("2020-10-08", short=True)
    ('December 2019', '8 Oct 2020')
    """
    when = parse_partial_date(text)
    names = calendar.month_abbr if short else calendar.month_name
    if when.precision == "year":
        return f"{when.first.year}"
    if when.precision == "month":
        return f"{names[when.first.month]} {when.first.year}"
    return f"{when.first.day} {names[when.first.month]} {when.first.year}"


def describe_span(start: str, end: str | None = None, short: bool = False) -> str:
    """``'August 2019 to December 2019'`` for a period, or the single date."""
    if end is None or pd.isna(end) or end == start:
        return describe_date(start, short)
    return f"{describe_date(start, short)} to {describe_date(end, short)}"


def months_between(earlier: str, later: str) -> int:
    """Whole calendar months from one month to another (``'2019-12'`` to ``'2021-04'`` is 16)."""
    a, b = parse_partial_date(earlier), parse_partial_date(later)
    return (b.first.year - a.first.year) * 12 + (b.first.month - a.first.month)


def timeline_rows(timeline: pd.DataFrame, ids: Sequence[str] | None = None) -> pd.DataFrame:
    """The timeline in date order (earliest first; ties by end, then id), with parsed spans.

    Adds ``first`` and ``last`` (the days the event could cover, end included for
    periods), ``precision`` (of the start) and ``is_period``.
    """
    frame = timeline if ids is None else timeline[timeline["id"].isin(list(ids))]
    missing = sorted(set(ids or []) - set(frame["id"]))
    if missing:
        raise KeyError(f"no timeline rows with id {', '.join(missing)}")
    starts = [parse_partial_date(s) for s in frame["start"]]
    ends = [parse_partial_date(e) if pd.notna(e) else None for e in frame["end"]]
    out = frame.assign(
        first=[s.first for s in starts],
        last=[(e or s).last for s, e in zip(starts, ends)],
        precision=[s.precision for s in starts],
        is_period=[e is not None for e in ends],
    )
    return out.sort_values(["first", "last", "id"], kind="mergesort").reset_index(drop=True)


@dataclass(frozen=True)
class EventComparison:
    """How two dated events relate, at the precision the data give them."""

    first_id: str
    second_id: str
    first_when: str  # e.g. "August 2019 to December 2019"
    second_when: str
    relation: str  # "before", "after" or "overlap"
    overlap: str | None  # the shared span in words, e.g. "December 2019"
    sentence: str
    first_precision: str = "day"  # the coarser precision of the first event's dates
    second_precision: str = "day"


def compare_events(timeline: pd.DataFrame, first_id: str, second_id: str,
                   first: str = "first event", second: str = "second event") -> EventComparison:
    """Does the first event end before the second starts? Only if the data's precision says so.

    Month-precision dates are whole months: an interview period ending in
    December 2019 and a publication dated December 2019 *overlap*, and the data
    cannot order them. ``first`` and ``second`` name the events in the sentence.
    """
    rows = timeline_rows(timeline, [first_id, second_id]).set_index("id")
    a, b = rows.loc[first_id], rows.loc[second_id]
    a_when = describe_span(a["start"], a["end"])
    b_when = describe_span(b["start"], b["end"])
    if a["last"] < b["first"]:
        relation, overlap = "before", None
        sentence = f"The {first} ({a_when}) ended before the {second} ({b_when})."
    elif a["first"] > b["last"]:
        relation, overlap = "after", None
        sentence = f"The {first} ({a_when}) began after the {second} ({b_when})."
    else:
        lo, hi = max(a["first"], b["first"]), min(a["last"], b["last"])
        same_month = (lo.year, lo.month) == (hi.year, hi.month)
        overlap = (describe_date(f"{lo:%Y-%m}") if same_month
                   else f"{describe_date(f'{lo:%Y-%m}')} to {describe_date(f'{hi:%Y-%m}')}")
        relation = "overlap"
        sentence = (f"The {first} ({a_when}) and the {second} ({b_when}) share {overlap}; "
                    f"at the precision of the dates the data cannot say which came first.")
    coarse = ("day", "month", "year")
    return EventComparison(first_id, second_id, a_when, b_when, relation, overlap, sentence,
                           _coarsest(a, coarse), _coarsest(b, coarse))


def _coarsest(row: pd.Series, order: tuple[str, ...]) -> str:
    precisions = [parse_partial_date(row["start"]).precision]
    if pd.notna(row["end"]):
        precisions.append(parse_partial_date(row["end"]).precision)
    return max(precisions, key=order.index)


def comparison_table(timeline: pd.DataFrame, ids: Sequence[str], caption: str, table_id: str) -> DisplayTable:
    """The events being compared, with each date's precision and basis spelled out."""
    rows = timeline_rows(timeline, ids)
    frame = pd.DataFrame({
        "Event": rows["event"],
        "Date as coded": [s if e is None or pd.isna(e) else f"{s} to {e}" for s, e in zip(rows["start"], rows["end"])],
        "In words": [describe_span(s, e) for s, e in zip(rows["start"], rows["end"])],
        "Known to the": rows["precision"],
        "Date stated or inferred": rows["date_basis"],
        **_provenance(rows, "Source, where", with_source=True),
    })
    return DisplayTable(frame, caption=caption, source="data/timeline.csv", table_id=table_id)


# --- policy context ---------------------------------------------------------------------

POLICY_ASPECT_ORDER = ("purpose", "contract", "funding", "workforce", "approval", "governance", "size",
                       "service specifications", "timing")


def policy_context_table(policy: pd.DataFrame) -> DisplayTable:
    """The policy facts grouped by aspect (purpose first, timing last), each with its quote."""
    rows = _ordered(policy, "aspect", POLICY_ASPECT_ORDER)
    frame = pd.DataFrame({
        "Aspect": rows["aspect"].str.capitalize(),
        "Policy fact": rows["statement"],
        "Number": [format_number(v, missing="") for v in rows["number"]],
        "Unit": rows["unit"].fillna(""),
        **_provenance(rows, "Where in the study"),
    })
    return DisplayTable(frame, caption="What PCNs are: the policy facts the study's introduction sets out",
                        source=f"{BJGP}, Introduction; data/policy_context.csv", table_id="tbl-policy-context",
                        numeric_columns=("Number",))


# --- timeline figure ----------------------------------------------------------------------

_CATEGORY_COLOUR = {"policy": PALETTE[0], "study": PALETTE[1], "publication": PALETTE[2], "context": PALETTE[5]}
_MARKER = {"day": "D", "month": "s", "year": "o"}


def _x(day: date) -> float:
    return float(mdates.date2num(day))


def timeline_figure(timeline: pd.DataFrame, name: str, finding: str, ids: Sequence[str] | None = None,
                    band_id: str | None = "tl-ccg-staff-interviews", clip_months: int = 2,
                    width: float = 7.0) -> SVGFigure:
    """Events and periods on one time axis, drawn at the precision of their dates.

    * a day-precise date is a diamond; a month-precise date is a square on a box
      spanning the whole month; a year-only date is a circle on a box spanning the year;
    * a period (start and end) is a bar from the first day of its start to the last
      day of its end;
    * a **stated** date is filled, an **inferred** one hollow with a dashed edge and
      the word "inferred" beside it;
    * the ``band_id`` period (the interview fieldwork) is shaded across all rows.

    The axis ends ``clip_months`` after the last single event; a period running
    beyond is cut at the edge and its label says where it ends. ``finding`` (computed
    by the caller from the data) opens the alt text; the function adds the event list.
    """
    rows = timeline_rows(timeline, ids)
    singles = rows[~rows["is_period"]]
    lo = rows["first"].min()
    hi = (singles["last"].max() if len(singles) else rows["last"].max())
    x_min = _x(date(lo.year, lo.month, 1) - timedelta(days=45))
    x_max = _x(hi + timedelta(days=31 * clip_months))
    span = x_max - x_min

    n = len(rows)
    fig = new_figure(width, 0.52 * n + 2.6)
    ax = fig.subplots()
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(-0.7, n - 0.3)
    if band_id is not None and band_id in set(rows["id"]):
        band = rows.set_index("id").loc[band_id]
        ax.axvspan(_x(band["first"]), _x(band["last"] + timedelta(days=1)), color="#000000", alpha=0.08, lw=0, zorder=0)
        ax.text((_x(band["first"]) + _x(band["last"])) / 2, n - 0.35, "interviews", ha="center", va="bottom",
                fontsize=9, color="#333333")

    labels, described = [], []
    for i, row in rows.iterrows():
        y = n - 1 - i
        colour = _CATEGORY_COLOUR.get(row["category"], "#555555")
        inferred = row["date_basis"] == "inferred"
        face = "white" if inferred else colour
        style = "--" if inferred else "-"
        left, right = _x(row["first"]), _x(row["last"] + timedelta(days=1))
        cut = right > x_max
        right_drawn = min(right, x_max)
        if row["is_period"] or row["precision"] != "day":
            ax.barh(y, right_drawn - left, left=left, height=0.5, color=face, alpha=1.0 if inferred else 0.55,
                    edgecolor=colour, linestyle=style, linewidth=1.2, zorder=2)
        if not row["is_period"]:
            ax.plot([(left + right) / 2], [y], marker=_MARKER[row["precision"]], markersize=7, linestyle="none",
                    markerfacecolor=face, markeredgecolor=colour, markeredgewidth=1.5, zorder=3)
        when = describe_span(row["start"], row["end"], short=True)
        if row["precision"] == "year" and not row["is_period"]:
            when += " (year only)"
        if inferred:
            when += ", inferred"
        if cut:
            when += " (bar cut at the axis edge)"
        room = 0.32 * span  # about the width of the longest date label
        if right_drawn + room < x_max:  # beside the mark, to its right
            x_text, align = right_drawn + 0.012 * span, "left"
        elif left - room > x_min:  # to its left
            x_text, align = left - 0.012 * span, "right"
        else:  # a long bar: inside it, at its right end
            x_text, align = right_drawn - 0.02 * span, "right"
        ax.text(x_text, y, when, ha=align, va="center", fontsize=9, zorder=4,
                bbox=dict(facecolor="white", edgecolor="none", pad=0.5, alpha=0.8))
        if cut:
            ax.plot([x_max], [y], marker=">", color=colour, markersize=7, clip_on=False, zorder=3)
        labels.append(_wrap(f"{row['category'].capitalize()}: {short_label(row['event'], limit=110)}", 42))
        described.append(f"{short_label(row['event'], limit=110)} ({describe_span(row['start'], row['end'])}"
                         f"{', inferred' if inferred else ''})")

    ax.set_yticks([n - 1 - i for i in range(n)], labels, fontsize=9)
    ax.tick_params(axis="y", length=0)
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7)))
    ax.xaxis.set_minor_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.tick_params(axis="x", labelsize=9)
    ax.grid(axis="x", which="major", color="#dddddd", linewidth=0.6, zorder=0)
    ax.spines["left"].set_visible(False)

    grey = "#555555"
    singles = rows[~rows["is_period"]]
    present = {
        "day": (singles["precision"] == "day").any(), "month": (singles["precision"] == "month").any(),
        "year": (singles["precision"] == "year").any(), "period": rows["is_period"].any(),
        "stated": (rows["date_basis"] == "stated").any(), "inferred": (rows["date_basis"] == "inferred").any(),
    }
    keys = [
        ("day", Line2D([], [], marker="D", linestyle="none", markerfacecolor=grey, markeredgecolor=grey,
                       label="date known to the day")),
        ("month", Line2D([], [], marker="s", linestyle="none", markerfacecolor=grey, markeredgecolor=grey,
                         label="known to the month (box = the month)")),
        ("year", Line2D([], [], marker="o", linestyle="none", markerfacecolor=grey, markeredgecolor=grey,
                        label="known to the year (box = the year)")),
        ("period", Patch(facecolor=grey, alpha=0.55, edgecolor=grey, label="period, start month to end month")),
        ("stated", Line2D([], [], marker="s", linestyle="none", markerfacecolor=grey, markeredgecolor=grey,
                          label="filled: date stated")),
        ("inferred", Line2D([], [], marker="s", linestyle="none", markerfacecolor="white", markeredgecolor=grey,
                            label="hollow, dashed: date inferred")),
    ]
    handles = [handle for key, handle in keys if present[key]]
    categories = [c for c in _CATEGORY_COLOUR if c in set(rows["category"])]
    handles += [Patch(facecolor=_CATEGORY_COLOUR[c], alpha=0.55, edgecolor=_CATEGORY_COLOUR[c], label=f"{c} (colour)")
                for c in categories]
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=9, frameon=False)
    ax.set_xlabel("Date (labelled ticks: January and July; small ticks: months)\n"
                  "Source: data/timeline.csv (quotes; notes on inferred dates)",
                  fontsize=9, color="#333333")

    n_inferred = int((rows["date_basis"] == "inferred").sum())
    alt = (f"{finding} Timeline of {n} dated events ({n_inferred} with an inferred date), in order: "
           + "; ".join(described) + ".")
    return _render(fig, name=name, alt=alt)


# --- study design -------------------------------------------------------------------------

DESIGN_ASPECT_ORDER = ("aim", "project", "work package", "period", "mode", "sample", "roles", "sampling",
                       "coverage", "recruitment", "topic guide", "pilot", "interviewers", "duration", "recording",
                       "consent", "analysis", "software", "saturation", "limitation", "ethics", "funding",
                       "publication")


def design_value(study_design: pd.DataFrame, fact_id: str) -> float | str:
    """The number of a design fact where it has one (e.g. ``sd-sample-size`` -> 37), else its value."""
    row = study_design.set_index("id").loc[fact_id]
    if pd.notna(row["number"]):
        value = float(row["number"])
        return int(value) if value.is_integer() else value
    return str(row["value"])


def design_table(study_design: pd.DataFrame) -> DisplayTable:
    """Every design fact, grouped by aspect from aim to publication, with its quote."""
    rows = _ordered(study_design, "aspect", DESIGN_ASPECT_ORDER)
    values = []
    for value, number, unit in zip(rows["value"], rows["number"], rows["unit"]):
        plain = pd.notna(number) and pd.notna(unit) and str(value) == format_cell(float(number))
        values.append(f"{value} {unit}" if plain else _text(value))
    frame = pd.DataFrame({
        "Aspect": rows["aspect"].str.capitalize(),
        "Design fact": rows["item"],
        "Value (with unit)": values,
        **_provenance(rows, "Where in the article"),
    })
    return DisplayTable(frame, caption="How the study was designed and reported, as the article states it",
                        source=f"{BJGP}; data/study_design.csv", table_id="tbl-study-design")


def topic_guide_sections(topic_guide: pd.DataFrame) -> pd.DataFrame:
    """One row per topic-guide section in Box 1 order: number of questions and their positions."""
    rows = topic_guide.sort_values("order", kind="mergesort")
    grouped = rows.groupby("section", sort=False)["order"]
    out = pd.DataFrame({
        "section": list(grouped.groups),
        "questions": grouped.size().to_numpy(),
        "first": grouped.min().to_numpy(),
        "last": grouped.max().to_numpy(),
    })
    return out.sort_values("first", kind="mergesort").reset_index(drop=True)


def topic_guide_table(topic_guide: pd.DataFrame) -> DisplayTable:
    """The topic guide's sections in Box 1 order with the number of questions in each."""
    sections = topic_guide_sections(topic_guide)
    box = str(topic_guide["locator"].iloc[0]).split(" > ")[0]
    frame = pd.DataFrame({
        f"Section ({box} order)": sections["section"],
        "Questions (number)": sections["questions"],
        f"Question positions in {box}": [f"{a}" if a == b else f"{a}–{b}"
                                         for a, b in zip(sections["first"], sections["last"])],
    })
    return DisplayTable(frame, caption=f"Structure of the interview topic guide ({box})",
                        source=f"{BJGP}, {box}; data/topic_guide.csv", table_id="tbl-topic-guide")


def topic_guide_figure(topic_guide: pd.DataFrame, name: str = "fig-topic-guide") -> SVGFigure:
    """Horizontal bars: questions per topic-guide section, sections top to bottom in Box 1 order."""
    sections = topic_guide_sections(topic_guide)
    n = len(sections)
    fig = new_figure(6.5, 0.55 * n + 1.0)
    ax = fig.subplots()
    y = list(range(n - 1, -1, -1))
    ax.barh(y, sections["questions"], color=PALETTE[0], height=0.6)
    for yi, q in zip(y, sections["questions"]):
        ax.text(q + 0.15, yi, f"{q} question{'s' if q != 1 else ''}", va="center", fontsize=9)
    ax.set_yticks(y, [_wrap(s, 28) for s in sections["section"]], fontsize=9)
    ax.set_xlim(0, sections["questions"].max() * 1.35)
    ax.set_xlabel("Questions in the section (number)", fontsize=9)
    ax.tick_params(axis="x", labelsize=9)
    box = str(topic_guide["locator"].iloc[0]).split(" > ")[0]
    fig.supxlabel(f"Source: {box} of the study; data/topic_guide.csv", fontsize=9, x=0.0, ha="left", color="#333333")
    largest = sections.sort_values(["questions", "first"], ascending=[False, True], kind="mergesort").iloc[0]
    alt = (f"The topic guide has {int(sections['questions'].sum())} questions in {n} sections; the largest section, "
           f"{largest['section']}, has {int(largest['questions'])}. In order: "
           + "; ".join(f"{s}: {q}" for s, q in zip(sections["section"], sections["questions"])) + ".")
    return _render(fig, name=name, alt=alt)


COREQ_DOMAINS = ("Research team and reflexivity", "Study design", "Analysis and findings")
JUDGEMENTS = ("reported", "partly reported", "not reported")


def coreq_counts(coreq: pd.DataFrame) -> dict[str, int]:
    """Number of COREQ items per judgement, and the total (``{'reported': 14, …, 'total': 32}``)."""
    counts = {j: int((coreq["judgement"] == j).sum()) for j in JUDGEMENTS}
    counts["total"] = len(coreq)
    return counts


def coreq_tally_table(coreq: pd.DataFrame) -> DisplayTable:
    """Items per domain by judgement, with a total row. A judgement is about the article, not the study."""
    rows = []
    for domain in [d for d in COREQ_DOMAINS if d in set(coreq["domain"])]:
        part = coreq[coreq["domain"] == domain]
        rows.append([domain, *(int((part["judgement"] == j).sum()) for j in JUDGEMENTS), len(part)])
    total = coreq_counts(coreq)
    rows.append(["All domains", *(total[j] for j in JUDGEMENTS), total["total"]])
    frame = pd.DataFrame(rows, columns=["COREQ domain", "Reported (items)", "Partly reported (items)",
                                        "Not reported (items)", "Items (number)"])
    return DisplayTable(frame, caption="How completely the article reports the COREQ items, by domain",
                        source=f"book's assessment of {BJGP} against the COREQ checklist; data/coreq.csv",
                        table_id="tbl-coreq-tally")


def coreq_table(coreq: pd.DataFrame) -> DisplayTable:
    """All COREQ items by domain and item number; a missing quote reads 'not reported'."""
    rows = _ordered(coreq, "domain", COREQ_DOMAINS, then=["item"])
    frame = pd.DataFrame({
        "Item (COREQ number)": rows["item"],
        "Domain": rows["domain"],
        "Group": rows["group"],
        "Item": rows["name"],
        "Judgement about the article": rows["judgement"],
        "Why": rows["explanation"],
        "What the article says (verbatim)": rows["quote"].fillna("not reported"),
        "Where in the article": rows["locator"].fillna("—"),
    })
    return DisplayTable(frame, caption="Reporting completeness in the spirit of COREQ: every item, by domain",
                        source=f"book's assessment of {BJGP}; data/coreq.csv", table_id="tbl-coreq")


# --- theme counts -------------------------------------------------------------------------

UNIT_ORDER = ("CCGs", "CCG staff", "commissioners", "CCG areas", "social prescribers")
UNIT_STYLE = {  # colour and hatching: a unit is never told by colour alone
    "CCGs": (PALETTE[0], ""),
    "CCG staff": (PALETTE[1], "///"),
    "commissioners": (PALETTE[2], "\\\\\\"),
    "CCG areas": (PALETTE[3], "xxx"),
    "social prescribers": (PALETTE[5], "..."),
}


def _unit_style(unit: str) -> tuple[str, str]:
    """Colour and hatching of a unit; a unit the book does not know yet gets grey cross-hatching."""
    return UNIT_STYLE.get(unit, ("#555555", "++"))


def theme_counts_frame(counts: pd.DataFrame) -> pd.DataFrame:
    """The counts in reading order (theme, then order in the text) with ``share_pct`` and ``share``.

    ``share_pct`` is ``<NA>`` wherever the row has no denominator: a count of CCGs
    is never turned into a share of interviews.
    """
    rows = counts.assign(_row=range(len(counts))).sort_values(["theme_number", "_row"], kind="mergesort")
    share = (100 * rows["count"].astype("Float64") / rows["denominator"].astype("Float64"))
    return rows.drop(columns="_row").assign(
        share_pct=share.where(rows["denominator"].notna()),
        share=[share_text(int(c), None if pd.isna(d) else int(d)) for c, d in zip(rows["count"], rows["denominator"])],
        count_label=[count_with_unit(int(c), u) for c, u in zip(rows["count"], rows["unit"])],
    ).reset_index(drop=True)


def theme_counts_table(counts: pd.DataFrame) -> DisplayTable:
    """Every count with its unit, grouped by meta-theme; shares only where there is a denominator."""
    rows = theme_counts_frame(counts)
    theme = [f"{n}. {m}" + (f" — {s}" if pd.notna(s) else "")
             for n, m, s in zip(rows["theme_number"], rows["meta_theme"], rows["sub_theme"])]
    frame = pd.DataFrame({
        "Meta-theme (study's number) — sub-heading": theme,
        "What was counted": rows["finding"],
        "Count (with its unit)": rows["count_label"],
        "Unit counted": rows["unit"],
        "Share of the interviewees (only with a denominator)": rows["share"],
        "Denominator basis": rows["denominator_note"],
        **_provenance(rows, "Where in the article"),
    })
    return DisplayTable(frame, caption="Every count the study reports, by meta-theme, with the unit it counts",
                        source=f"{BJGP}, Results; data/theme_counts.csv", table_id="tbl-theme-counts",
                        numeric_columns=("Count (with its unit)",))


def theme_summary(counts: pd.DataFrame) -> pd.DataFrame:
    """Per meta-theme: its name, how many counts it reports and of which units (never a sum of counts)."""
    rows = theme_counts_frame(counts)
    out = []
    for number, part in rows.groupby("theme_number", sort=True):
        units = [u for u in UNIT_ORDER if u in set(part["unit"])] + sorted(set(part["unit"]) - set(UNIT_ORDER))
        mix = ", ".join(f"{u} ({int((part['unit'] == u).sum())} count{'s' if (part['unit'] == u).sum() != 1 else ''})"
                        for u in units)
        out.append({"theme_number": int(number), "meta_theme": part["meta_theme"].iloc[0],
                    "n_counts": len(part), "units": mix})
    return pd.DataFrame(out)


def theme_counts_figure(counts: pd.DataFrame, name: str = "fig-theme-counts", width: float = 7.0) -> SVGFigure:
    """Horizontal bars of every count, one panel per unit counted.

    Each panel is one unit (its own hatching and colour, the unit in every bar
    label and in the axis title); within a panel bars run by meta-theme, then
    largest count first. Panels share a numeric axis only so that values read the
    same way, and the figure says that bars in different panels are not comparable.
    """
    rows = theme_counts_frame(counts)
    units = [u for u in UNIT_ORDER if u in set(rows["unit"])] + sorted(set(rows["unit"]) - set(UNIT_ORDER))
    sizes = [int((rows["unit"] == u).sum()) for u in units]
    fig = new_figure(width, 0.56 * sum(sizes) + 0.8 * len(units) + 1.6)
    axes = fig.subplots(len(units), 1, sharex=True, gridspec_kw={"height_ratios": [s + 0.9 for s in sizes]})
    axes = [axes] if len(units) == 1 else list(axes)
    x_max = float(rows["count"].max()) * 1.75
    alt_parts = []
    for ax, unit in zip(axes, units):
        part = rows[rows["unit"] == unit].assign(_row=lambda f: range(len(f)))
        part = part.sort_values(["theme_number", "count", "_row"], ascending=[True, False, True], kind="mergesort")
        colour, hatch = _unit_style(unit)
        y = list(range(len(part) - 1, -1, -1))
        ax.barh(y, part["count"], height=0.62, color=colour, alpha=0.75, hatch=hatch, edgecolor="#222222",
                linewidth=0.6)
        for yi, (_, r) in zip(y, part.iterrows()):
            label = r["count_label"] + (f" · {r['share_pct']:.0f}% of {int(r['denominator'])} interviewees"
                                        if pd.notna(r["share_pct"]) else "")
            ax.text(r["count"] + x_max * 0.01, yi, label, va="center", fontsize=9)
        ax.set_yticks(y, [_wrap(f"Theme {t}: {short_label(f, limit=120)}", 46)
                          for t, f in zip(part["theme_number"], part["finding"])], fontsize=9)
        ax.set_ylim(-0.6, len(part) - 0.4)
        ax.tick_params(axis="y", length=0)
        ax.tick_params(axis="x", labelsize=9, labelbottom=True)
        with_den = part["denominator"].notna()
        basis = (f"% of {int(part['denominator'].iloc[0])} interviewees" if with_den.all()
                 else "no denominator" if not with_den.any() else "denominator where given")
        ax.set_title(f"{unit[:1].upper()}{unit[1:]}: {basis}", loc="left", fontsize=10, fontweight="bold")
        ax.set_xlabel(f"Number of {unit}", fontsize=9)
        ax.set_xlim(0, x_max)
        alt_parts.append(f"{unit}: " + ", ".join(
            f"{int(r['count'])}" + (f" ({r['share_pct']:.0f}% of {int(r['denominator'])} interviewees)"
                                    if pd.notna(r["share_pct"]) else "")
            for _, r in part.iterrows()))
    fig.legend(handles=[Patch(facecolor=_unit_style(u)[0], alpha=0.75, hatch=_unit_style(u)[1], edgecolor="#222222",
                              label=u) for u in units],
               loc="outside upper center", ncol=min(len(units), 3), fontsize=9, frameon=False,
               title="Unit counted (one panel per unit)",
               title_fontsize=9)
    fig.supxlabel("Each panel counts a different unit: compare bars only within a panel, never across panels.\n"
                  "Source: Warwick-Giles et al. (2021), Results; data/theme_counts.csv",
                  fontsize=9, x=0.0, ha="left", color="#333333")
    n_themes = rows["theme_number"].nunique()
    alt = (f"{len(rows)} counts from {n_themes} meta-themes, in {len(units)} different units that are not added up "
           f"or compared across units. " + "; ".join(alt_parts)
           + ". Shares of the interviewees are given only where the count is of interviewed staff.")
    return _render(fig, name=name, alt=alt)


# --- coverage -----------------------------------------------------------------------------


def coverage_table(coverage: pd.DataFrame) -> DisplayTable:
    """What the source says about geographical coverage (rows it makes available)."""
    rows = coverage[coverage["available"].fillna(False).astype(bool)]
    frame = pd.DataFrame({
        "What the source says": rows["statement"],
        "Number": [format_number(v, missing="") for v in rows["number"]],
        "Unit": rows["unit"].fillna(""),
        **_provenance(rows, "Where in the article"),
    })
    return DisplayTable(frame, caption="Geographical coverage as the study states it",
                        source=f"{BJGP}; data/coverage.csv", table_id="tbl-coverage",
                        numeric_columns=("Number",))


def coverage_gaps_table(coverage: pd.DataFrame) -> DisplayTable:
    """What the source names or implies but does not give (``available`` is false)."""
    rows = coverage[~coverage["available"].fillna(False).astype(bool)]
    frame = pd.DataFrame({
        "Not available in the source text": rows["statement"],
        "What the source does say (verbatim)": rows["quote"],
        "Where in the article": rows["locator"],
        "Fact id": rows["id"],
    })
    return DisplayTable(frame, caption="What the study's text does not give about coverage",
                        source=f"{BJGP}; data/coverage.csv", table_id="tbl-coverage-gaps")


def table1_placeholder(coverage: pd.DataFrame, fact_id: str = "cov-table-1-cells-missing") -> DisplayTable:
    """The study's coverage table as the source text has it: the caption, and no cells.

    Nothing is reconstructed: not the regions, not the counts, not even the
    column headings, since the source text gives none of them.
    """
    row = coverage.set_index("id").loc[fact_id]
    if bool(row["available"]):
        raise ValueError(f"{fact_id} is marked available; this placeholder is only for cells the source lacks")
    label = str(row["quote"]).split(".")[0]
    frame = pd.DataFrame({
        f"Cells of {label}": ["Not available in the source text: only the caption survives. The rows, columns "
                              "and values (including which regions are listed) are not given, and this book does "
                              "not reconstruct them."],
    })
    return DisplayTable(frame, caption=f"As captioned in the article: “{row['quote']}”",
                        source=f"{BJGP}, {row['locator']} (caption only); data/coverage.csv row {fact_id}",
                        table_id="tbl-coverage-table-1")


@dataclass(frozen=True)
class CCGLandscape:
    """The number of CCGs in England around the April mergers, as the press reported it."""

    before: int
    after: int
    mergers: int
    fewer: int
    when: str  # e.g. "April 2021"
    date_basis: str  # "stated" or "inferred"
    date_note: str
    quote: str
    source_id: str
    locator: str


def ccg_landscape(press: pd.DataFrame, timeline: pd.DataFrame,
                  before_id: str = "pf-hl-ccgs-135-before-april-mergers",
                  after_id: str = "pf-hl-ccgs-106-after-april-mergers",
                  mergers_id: str = "pf-hl-nine-ccg-mergers-april",
                  event_id: str = "tl-ccg-mergers-approved") -> CCGLandscape:
    """The CCG counts before and after the mergers, with the date and how it is known."""
    facts = press.set_index("id")
    event = timeline.set_index("id").loc[event_id]
    before, after = int(facts.loc[before_id, "number"]), int(facts.loc[after_id, "number"])
    return CCGLandscape(
        before=before, after=after, mergers=int(facts.loc[mergers_id, "number"]), fewer=before - after,
        when=describe_date(event["start"]), date_basis=str(event["date_basis"]),
        date_note="" if pd.isna(event["date_note"]) else str(event["date_note"]),
        quote=str(facts.loc[before_id, "quote"]), source_id=str(facts.loc[before_id, "source_id"]),
        locator=str(facts.loc[before_id, "locator"]),
    )


def ccg_landscape_table(press: pd.DataFrame, timeline: pd.DataFrame,
                        ids: Sequence[str] = ("pf-hl-ccgs-135-before-april-mergers",
                                              "pf-hl-ccgs-106-after-april-mergers", "pf-hl-nine-ccg-mergers-april"),
                        event_id: str = "tl-ccg-mergers-approved") -> DisplayTable:
    """The press figures on CCG numbers, each with its unit, date (and how the date is known) and quote."""
    facts = press.set_index("id").loc[list(ids)].reset_index()
    event = timeline.set_index("id").loc[event_id]
    when = describe_date(event["start"])
    if event["date_basis"] == "inferred":
        when += " (month stated; year inferred from the article's date)"
    frame = pd.DataFrame({
        "Fact": facts["finding"],
        "Number": [format_number(v) for v in facts["number"]],
        "Unit": facts["unit"],
        "When": [when] * len(facts),
        **_provenance(facts, "Source, where", with_source=True),
    })
    return DisplayTable(frame, caption="The number of CCGs in England around the April mergers, as reported",
                        source="Hacker (2021), Healthcare Leader; data/press_findings.csv and data/timeline.csv",
                        table_id="tbl-ccg-landscape", numeric_columns=("Number",))


# --- values the chapters glue into their prose ---------------------------------------------

INTERVIEWS_ID = "tl-ccg-staff-interviews"
DRAFT_SPECS_ID = "tl-draft-service-specifications-published"


def _number(frame: pd.DataFrame, fact_id: str, column: str = "number") -> int | float:
    value = float(frame.set_index("id").loc[fact_id, column])
    return int(value) if value.is_integer() else value


def _start(timeline: pd.DataFrame, event_id: str) -> str:
    return str(timeline.set_index("id").loc[event_id, "start"])


def ordering_reading(comparison: EventComparison, first: str, second: str) -> str:
    """One clause on what the dates alone can say about the order of two events, precision included."""
    if comparison.relation == "before":
        return f"the dates alone show that the {first} ended before the {second}"
    if comparison.relation == "after":
        return f"the dates alone show that the {first} began after the {second}"
    if comparison.first_precision == comparison.second_precision:
        known = f"both are dated only to the {comparison.first_precision}"
    else:
        known = (f"the {first} are dated to the {comparison.first_precision} and the {second} "
                 f"to the {comparison.second_precision}")
    return (f"{known}, and they share {comparison.overlap}, so the dates cannot say which came first: "
            f"the last of the {first} may fall before or after the {second}")


def policy_context_values(policy: pd.DataFrame, timeline: pd.DataFrame,
                          study_design: pd.DataFrame) -> dict[str, object]:
    """Everything the policy-context chapter glues, computed from the data."""
    comparison = compare_events(timeline, INTERVIEWS_ID, DRAFT_SPECS_ID)
    rows = timeline_rows(timeline)
    return {
        "n_policy_facts": len(policy),
        "n_policy_aspects": int(policy["aspect"].nunique()),
        "pop_min": _number(policy, "pc-size-usual-population-lower"),  # paste with :,d (a string "30,000"
        "pop_max": _number(policy, "pc-size-usual-population-upper"),  # would be read back as a tuple)
        "n_spec_areas": _number(policy, "pc-specs-five-areas-of-work"),
        "reimb_before": _number(policy, "pc-specs-reimbursement-before-70"),
        "reimb_after": _number(policy, "pc-specs-reimbursement-after-100"),
        "practices_joined": describe_date(_start(timeline, "tl-practices-join-pcns")),
        "specs_due": describe_date(_start(timeline, "tl-service-specifications-due")),
        "draft_specs": describe_date(_start(timeline, DRAFT_SPECS_ID)),
        "covid_delay": describe_date(_start(timeline, "tl-covid-19-delays-specifications")),
        "interviews_period": comparison.first_when,
        "interviews_end": describe_date(str(timeline.set_index("id").loc[INTERVIEWS_ID, "end"])),
        "interviews_draft_relation": comparison.relation,
        "interviews_draft_reading": ordering_reading(comparison, "interviews", "draft specifications"),
        "study_says_before": str(study_design.set_index("id").loc["sd-limitation-before-draft-specs", "quote"]),
        "n_timeline_events": len(rows),
        "n_timeline_inferred": int((rows["date_basis"] == "inferred").sum()),
        "n_timeline_day": int(((rows["precision"] == "day") & ~rows["is_period"]).sum()),
        "n_timeline_month": int(((rows["precision"] == "month") & ~rows["is_period"]).sum()),
        "n_timeline_year": int(((rows["precision"] == "year") & ~rows["is_period"]).sum()),
        "n_timeline_periods": int(rows["is_period"].sum()),
    }


def study_design_values(study_design: pd.DataFrame, topic_guide: pd.DataFrame,
                        coreq: pd.DataFrame) -> dict[str, object]:
    """Everything the study-design chapter glues, computed from the data."""
    sections = topic_guide_sections(topic_guide)
    largest = sections.sort_values(["questions", "first"], ascending=[False, True], kind="mergesort").iloc[0]
    counts = coreq_counts(coreq)
    not_reported = coreq[coreq["judgement"] == "not reported"]
    by_domain = [(d, int((not_reported["domain"] == d).sum()), int((coreq["domain"] == d).sum()))
                 for d in COREQ_DOMAINS if d in set(coreq["domain"])]
    worst = max(by_domain, key=lambda t: (t[1] / t[2], -COREQ_DOMAINS.index(t[0])))
    return {
        "n_interviews": design_value(study_design, "sd-sample-size"),
        "n_ccg_employees": design_value(study_design, "sd-sample-ccg-employees"),
        "interview_period": design_value(study_design, "sd-interview-period"),
        "duration_minutes": design_value(study_design, "sd-duration"),
        "n_interviewers": design_value(study_design, "sd-interviewers"),
        "n_pilot_sites": design_value(study_design, "sd-pilot"),
        "n_work_packages": design_value(study_design, "sd-work-packages"),
        "n_meta_themes": design_value(study_design, "sd-meta-themes-count"),
        "nvivo_version": design_value(study_design, "sd-software-nvivo"),
        "n_design_facts": len(study_design),
        "n_design_aspects": int(study_design["aspect"].nunique()),
        "n_limitations": int((study_design["aspect"] == "limitation").sum()),
        "topic_guide_box": str(topic_guide["locator"].iloc[0]).split(" > ")[0],
        "n_topic_questions": len(topic_guide),
        "n_topic_sections": len(sections),
        "largest_section": str(largest["section"]),
        "largest_section_n": int(largest["questions"]),
        "n_coreq_items": counts["total"],
        "n_coreq_reported": counts["reported"],
        "n_coreq_partly": counts["partly reported"],
        "n_coreq_not": counts["not reported"],
        "coreq_worst_domain": worst[0],
        "coreq_worst_not": worst[1],
        "coreq_worst_items": worst[2],
    }


def theme_count_values(counts: pd.DataFrame, study_design: pd.DataFrame) -> dict[str, object]:
    """Everything the theme-counts chapter glues: per-theme numbers of counts, units, shares."""
    rows = theme_counts_frame(counts)
    summary = theme_summary(counts)
    ccgs = rows[rows["unit"] == "CCGs"]
    top_ccg = ccgs.sort_values("count", ascending=False, kind="mergesort").iloc[0]
    shared = rows[rows["share_pct"].notna()]
    top_share = shared.sort_values("share_pct", ascending=False, kind="mergesort").iloc[0]
    values: dict[str, object] = {
        "n_counts": len(rows),
        "n_themes": len(summary),
        "n_units": int(rows["unit"].nunique()),
        "n_interviews": design_value(study_design, "sd-sample-size"),
        "n_with_denominator": len(shared),
        "n_without_denominator": len(rows) - len(shared),
        "n_ccg_counts": len(ccgs),
        "largest_ccg_count": int(top_ccg["count"]),
        "largest_ccg_finding": short_label(str(top_ccg["finding"]), limit=120),
        "largest_share_pct": float(top_share["share_pct"]),
        "largest_share_count": int(top_share["count"]),
        "largest_share_unit": str(top_share["unit"]),
        "largest_share_finding": short_label(str(top_share["finding"]), limit=120),
        "denominators": ", ".join(str(int(d)) for d in sorted(set(shared["denominator"]))),
    }
    for row in summary.itertuples():
        values[f"theme{row.theme_number}_name"] = row.meta_theme
        values[f"theme{row.theme_number}_n_counts"] = row.n_counts
        values[f"theme{row.theme_number}_units"] = row.units
    for unit in ("social prescribers", "CCG areas"):
        part = rows[rows["unit"] == unit]
        if len(part) != 1:
            # the chapter's prose describes this count as a single place: say so, don't drop the key
            raise ValueError(f"the theme-counts chapter describes exactly one count in {unit!r}; "
                             f"data/theme_counts.csv has {len(part)}: update the chapter's prose")
        values[f"{unit.replace(' ', '_').lower()}_count"] = int(part["count"].iloc[0])
    return values


def coverage_values(coverage: pd.DataFrame, study_design: pd.DataFrame, press: pd.DataFrame,
                    timeline: pd.DataFrame, study_findings: pd.DataFrame) -> dict[str, object]:
    """Everything the coverage chapter glues, with the merger date's basis kept beside it."""
    landscape = ccg_landscape(press, timeline)
    facts = coverage.set_index("id")
    mergers = timeline.set_index("id").loc["tl-ccg-mergers-approved"]
    article = timeline.set_index("id").loc["tl-healthcare-leader-article"]
    interviews = timeline.set_index("id").loc[INTERVIEWS_ID]
    available = coverage["available"].fillna(False).astype(bool)
    return {
        "n_interviews": design_value(study_design, "sd-sample-size"),
        "coverage_table_label": str(facts.loc["cov-table-1-cells-missing", "quote"]).split(".")[0],
        "n_coverage_available": int(available.sum()),
        "n_coverage_unavailable": int((~available).sum()),
        "london_quote": str(facts.loc["cov-london-recruitment-difficult", "quote"]),
        "purposive_quote": str(facts.loc["cov-purposive-geographical-selection", "quote"]),
        "n_case_study_areas": _number(coverage, "cov-case-studies-five-ccg-areas"),
        "ccgs_before": landscape.before,
        "ccgs_after": landscape.after,
        "ccgs_fewer": landscape.fewer,
        "n_ccg_mergers": landscape.mergers,
        "mergers_when": landscape.when,
        "mergers_month": calendar.month_name[parse_partial_date(str(mergers["start"])).first.month],
        "mergers_year": str(parse_partial_date(str(mergers["start"])).first.year),
        "mergers_basis": landscape.date_basis,
        "hl_date": describe_date(str(article["start"])),
        "interviews_period": describe_span(str(interviews["start"]), str(interviews["end"])),
        "months_interviews_to_mergers": months_between(str(interviews["end"]), str(mergers["start"])),
        "ics_takeover": describe_date(_start(timeline, "tl-icss-take-over-ccg-functions")),
        "mergers_quote": str(study_findings.set_index("id").loc["sf-local-role-at-risk-from-mergers", "quote"]),
    }
