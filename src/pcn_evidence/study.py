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
]

BJGP = "Warwick-Giles et al. (2021), BJGP"

# --- small helpers ------------------------------------------------------------------------


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

    >>> short_label("Social prescribers on schemes (quotation IDNS1.19), who had to be redeployed", limit=50, min_length=10)
    'Social prescribers on schemes'
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


def compare_events(timeline: pd.DataFrame, first_id: str, second_id: str) -> EventComparison:
    """Does the first event end before the second starts? Only if the data's precision says so.

    Month-precision dates are whole months: an interview period ending in
    December 2019 and a publication dated December 2019 *overlap*, and the data
    cannot order them.
    """
    rows = timeline_rows(timeline, [first_id, second_id]).set_index("id")
    a, b = rows.loc[first_id], rows.loc[second_id]
    a_when = describe_span(a["start"], a["end"])
    b_when = describe_span(b["start"], b["end"])
    if a["last"] < b["first"]:
        relation, overlap = "before", None
        sentence = f"The first ({a_when}) ends before the second ({b_when}) begins."
    elif a["first"] > b["last"]:
        relation, overlap = "after", None
        sentence = f"The first ({a_when}) begins after the second ({b_when}) ends."
    else:
        lo, hi = max(a["first"], b["first"]), min(a["last"], b["last"])
        same_month = (lo.year, lo.month) == (hi.year, hi.month)
        overlap = (describe_date(f"{lo:%Y-%m}") if same_month
                   else f"{describe_date(f'{lo:%Y-%m}')} to {describe_date(f'{hi:%Y-%m}')}")
        relation = "overlap"
        sentence = (f"The first ({a_when}) and the second ({b_when}) share {overlap}; "
                    f"at the precision of the dates the data cannot say which came first.")
    return EventComparison(first_id, second_id, a_when, b_when, relation, overlap, sentence)


def comparison_table(timeline: pd.DataFrame, ids: Sequence[str], caption: str, table_id: str) -> DisplayTable:
    """The events being compared, with each date's precision and basis spelled out."""
    rows = timeline_rows(timeline, ids)
    frame = pd.DataFrame({
        "Event": rows["event"],
        "Date as coded": [s if e is None or pd.isna(e) else f"{s} to {e}" for s, e in zip(rows["start"], rows["end"])],
        "In words": [describe_span(s, e) for s, e in zip(rows["start"], rows["end"])],
        "Known to the": rows["precision"],
        "Date stated or inferred": rows["date_basis"],
        "Verbatim quote": rows["quote"],
        "Source, where": rows["source_id"] + ", " + rows["locator"],
        "Fact id": rows["id"],
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
        "Verbatim quote": rows["quote"],
        "Where in the study": rows["locator"],
        "Fact id": rows["id"],
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
    fig = new_figure(width, 0.5 * n + 2.4)
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
        on_right = right_drawn + 0.02 * span + 0.3 * span < x_max
        ax.text(right_drawn + 0.012 * span if on_right else left - 0.012 * span, y, when,
                ha="left" if on_right else "right", va="center", fontsize=9, zorder=4,
                bbox=dict(facecolor="white", edgecolor="none", pad=0.5, alpha=0.8))
        if cut:
            ax.plot([x_max], [y], marker=">", color=colour, markersize=7, clip_on=False, zorder=3)
        labels.append(_wrap(f"{row['category'].capitalize()}: {short_label(row['event'], limit=75)}", 40))
        described.append(f"{short_label(row['event'], limit=75)} ({describe_span(row['start'], row['end'])}"
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
    handles = [
        Line2D([], [], marker="D", linestyle="none", markerfacecolor=grey, markeredgecolor=grey, label="date known to the day"),
        Line2D([], [], marker="s", linestyle="none", markerfacecolor=grey, markeredgecolor=grey,
               label="known to the month (box = the month)"),
        Line2D([], [], marker="o", linestyle="none", markerfacecolor=grey, markeredgecolor=grey,
               label="known to the year (box = the year)"),
        Patch(facecolor=grey, alpha=0.55, edgecolor=grey, label="period, start month to end month"),
        Line2D([], [], marker="s", linestyle="none", markerfacecolor=grey, markeredgecolor=grey, label="filled: date stated"),
        Line2D([], [], marker="s", linestyle="none", markerfacecolor="white", markeredgecolor=grey,
               label="hollow, dashed: date inferred"),
    ]
    categories = [c for c in _CATEGORY_COLOUR if c in set(rows["category"])]
    handles += [Patch(facecolor=_CATEGORY_COLOUR[c], alpha=0.55, edgecolor=_CATEGORY_COLOUR[c], label=f"{c} (colour)")
                for c in categories]
    fig.legend(handles=handles, loc="outside lower center", ncol=2, fontsize=9, frameon=False)
    fig.supxlabel("Source: data/timeline.csv (quotes and date notes in the data). Shaded: interview fieldwork.",
                  fontsize=9, x=0.0, ha="left", color="#333333")

    n_inferred = int((rows["date_basis"] == "inferred").sum())
    alt = (f"{finding} Timeline of {n} dated events ({n_inferred} with an inferred date), in order: "
           + "; ".join(described) + ".")
    return render(fig, name=name, alt=alt)


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
        "Verbatim quote": rows["quote"],
        "Where in the article": rows["locator"],
        "Fact id": rows["id"],
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
        f"Question positions in {box}": [f"{a}" if a == b else f"{a}–{b}" for a, b in zip(sections["first"], sections["last"])],
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
    return render(fig, name=name, alt=alt)


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
        "Count": rows["count"],
        "Unit counted": rows["unit"],
        "Count with unit": rows["count_label"],
        "Share of denominator": rows["share"],
        "Denominator basis": rows["denominator_note"],
        "Verbatim quote": rows["quote"],
        "Where in the article": rows["locator"],
        "Fact id": rows["id"],
    })
    return DisplayTable(frame, caption="Every count the study reports, by meta-theme, with the unit it counts",
                        source=f"{BJGP}, Results; data/theme_counts.csv", table_id="tbl-theme-counts")


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
    fig = new_figure(width, 0.48 * sum(sizes) + 0.75 * len(units) + 1.3)
    axes = fig.subplots(len(units), 1, sharex=True, gridspec_kw={"height_ratios": [s + 0.9 for s in sizes]})
    axes = [axes] if len(units) == 1 else list(axes)
    x_max = float(rows["count"].max()) * 1.75
    alt_parts = []
    for ax, unit in zip(axes, units):
        part = rows[rows["unit"] == unit].assign(_row=lambda f: range(len(f)))
        part = part.sort_values(["theme_number", "count", "_row"], ascending=[True, False, True], kind="mergesort")
        colour, hatch = UNIT_STYLE.get(unit, ("#555555", "++"))
        y = list(range(len(part) - 1, -1, -1))
        ax.barh(y, part["count"], height=0.62, color=colour, alpha=0.75, hatch=hatch, edgecolor="#222222", linewidth=0.6)
        for yi, (_, r) in zip(y, part.iterrows()):
            label = r["count_label"] + (f" · {r['share_pct']:.0f}% of {int(r['denominator'])} interviewees"
                                        if pd.notna(r["share_pct"]) else "")
            ax.text(r["count"] + x_max * 0.01, yi, label, va="center", fontsize=9)
        ax.set_yticks(y, [_wrap(f"Theme {t}: {short_label(f, limit=90)}", 44)
                          for t, f in zip(part["theme_number"], part["finding"])], fontsize=9)
        ax.set_ylim(-0.6, len(part) - 0.4)
        ax.tick_params(axis="y", length=0)
        ax.tick_params(axis="x", labelsize=9, labelbottom=True)
        with_den = part["denominator"].notna()
        basis = (f"share of {int(part['denominator'].iloc[0])} interviewees shown" if with_den.all()
                 else "no denominator" if not with_den.any() else "denominator where given")
        ax.set_title(f"Unit counted: {unit} ({basis})", loc="left", fontsize=10, fontweight="bold")
        ax.set_xlabel(f"Number of {unit}", fontsize=9)
        ax.set_xlim(0, x_max)
        alt_parts.append(f"{unit}: " + ", ".join(
            f"{int(r['count'])}" + (f" ({r['share_pct']:.0f}% of {int(r['denominator'])} interviewees)"
                                    if pd.notna(r["share_pct"]) else "")
            for _, r in part.iterrows()))
    fig.legend(handles=[Patch(facecolor=UNIT_STYLE.get(u, ("#555555", "++"))[0], alpha=0.75,
                              hatch=UNIT_STYLE.get(u, ("#555555", "++"))[1], edgecolor="#222222", label=u) for u in units],
               loc="outside lower center", ncol=min(len(units), 3), fontsize=9, frameon=False, title="Unit counted",
               title_fontsize=9)
    fig.supxlabel("Each panel counts a different unit: compare bars only within a panel, never across panels.\n"
                  "Source: Warwick-Giles et al. (2021), Results; data/theme_counts.csv",
                  fontsize=9, x=0.0, ha="left", color="#333333")
    n_themes = rows["theme_number"].nunique()
    alt = (f"{len(rows)} counts from {n_themes} meta-themes, in {len(units)} different units that are not added up "
           f"or compared across units. " + "; ".join(alt_parts)
           + ". Shares of the interviewees are given only where the count is of interviewed staff.")
    return render(fig, name=name, alt=alt)


# --- coverage -----------------------------------------------------------------------------


def coverage_table(coverage: pd.DataFrame) -> DisplayTable:
    """What the source says about geographical coverage (rows it makes available)."""
    rows = coverage[coverage["available"].fillna(False).astype(bool)]
    frame = pd.DataFrame({
        "What the source says": rows["statement"],
        "Number": [format_number(v, missing="") for v in rows["number"]],
        "Unit": rows["unit"].fillna(""),
        "Verbatim quote": rows["quote"],
        "Where in the article": rows["locator"],
        "Fact id": rows["id"],
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
                        ids: Sequence[str] = ("pf-hl-ccgs-135-before-april-mergers", "pf-hl-ccgs-106-after-april-mergers",
                                              "pf-hl-nine-ccg-mergers-april"),
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
        "Verbatim quote": facts["quote"],
        "Source, where": facts["source_id"] + ", " + facts["locator"],
        "Fact id": facts["id"],
    })
    return DisplayTable(frame, caption="The number of CCGs in England around the April mergers, as reported",
                        source="Hacker (2021), Healthcare Leader; data/press_findings.csv and data/timeline.csv",
                        table_id="tbl-ccg-landscape", numeric_columns=("Number",))
