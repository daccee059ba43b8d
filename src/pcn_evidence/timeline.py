"""Dated events on one time axis, compared and drawn at the precision the data give them.

Two chapters use this module (the policy context and the study's coverage): both put
the study's fieldwork beside policy events, and both must say when the dates alone
cannot order two events.

>>> events = pd.DataFrame({"id": ["fieldwork", "drafts"], "start": ["2019-08", "2019-12"], "end": ["2019-12", None]})
>>> comparison = compare_events(events, "fieldwork", "drafts", "interviews", "draft specifications")
>>> comparison.relation, comparison.overlap
('overlap', 'December 2019')
>>> compare_events(events.assign(start=["2019-08", "2020-01-15"]), "fieldwork", "drafts").relation
'before'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .dates import describe_date, describe_span, parse_partial_date
from .figures import PALETTE, SVGFigure, new_figure, render
from .prose import short_label, wrap

__all__ = ["EventComparison", "timeline_rows", "compare_events", "timeline_figure"]


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


_CATEGORY_COLOUR = {"policy": PALETTE[0], "study": PALETTE[1], "publication": PALETTE[2], "context": PALETTE[5]}
_MARKER = {"day": "D", "month": "s", "year": "o"}


def _x(day: date) -> float:
    return float(mdates.date2num(day))


def timeline_figure(timeline: pd.DataFrame, name: str, finding: str, ids: Sequence[str] | None = None,
                    band_id: str | None = None, clip_months: int = 2, band_label: str = "interviews",
                    width: float = 7.0) -> SVGFigure:
    """Events and periods on one time axis, drawn at the precision of their dates.

    * a day-precise date is a diamond; a month-precise date is a square on a box
      spanning the whole month; a year-only date is a circle on a box spanning the year;
    * a period (start and end) is a bar from the first day of its start to the last
      day of its end;
    * a **stated** date is filled, an **inferred** one hollow with a dashed edge and
      the word "inferred" beside it;
    * the ``band_id`` period (e.g. the interview fieldwork), if given, is shaded across all rows and
      labelled ``band_label``.

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
        ax.text((_x(band["first"]) + _x(band["last"])) / 2, n - 0.35, band_label, ha="center", va="bottom",
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
        labels.append(wrap(f"{row['category'].capitalize()}: {short_label(row['event'], limit=110)}", 42))
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
    return render(fig, name=name, alt=alt, freeze_layout=True)
