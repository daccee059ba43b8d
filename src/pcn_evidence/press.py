"""The trade press: who said what, the NHS Confederation report as the press reported it,
and the press account of the BJGP study checked against the study.

Two chapters use this module: ``chapters/confederation.ipynb`` (the NHS Confederation
"one year on" report, known only through GPonline and Pulse) and
``chapters/trade_press.ipynb`` (the four articles and their speakers). Every function
takes the validated tables from :func:`pcn_evidence.load_table` and returns a frame,
a :class:`~pcn_evidence.tabulate.DisplayTable`, an
:class:`~pcn_evidence.figures.SVGFigure` or a dict of values to glue. Nothing here
types a number: counts, lists and alt text are computed from the data.

>>> from pcn_evidence import load_table
>>> press, sources = load_table("press_findings"), load_table("sources")
>>> sorted(confederation_source_ids(sources))
['gponline-autonomy', 'pulse-relationships']
>>> join_words(["a", "b", "c"])
'a, b and c'
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from .prose import join_words
from .figures import PALETTE, SVGFigure, new_figure, render
from .load import split_tags
from .numbers import numbers_in
from .tabulate import DisplayTable

__all__ = [
    "ARTICLE_LABELS", "BODY_ORDER", "TOPIC_LABELS", "KEY_TERMS",
    "STUDY_MATCH_OVERRIDES", "NUMBER_QUALIFIERS", "SCOPE_QUALIFIERS", "ID_COLUMN",
    "join_words", "topic_label", "article_labels", "confederation_source_ids",
    "press_topics", "confederation_findings", "confederation_table", "confederation_dating_table",
    "topic_outlet_counts", "overlap_groups", "overlap_table", "overlap_figure",
    "term_outlet_counts", "term_table", "confederation_glue",
    "article_table", "body_article_counts", "body_article_table", "body_article_figure",
    "statements", "statements_table",
    "study_facts", "numbered_study_claims", "units_compatible", "match_candidates",
    "match_press_to_study", "number_as_written", "wording_differences",
    "study_comparison", "comparison_table", "trade_press_glue",
]

#: Column that carries the press_findings id in every table of findings this module makes.
ID_COLUMN = "Finding id"

#: Short reader-facing names of the four trade-press articles, by sources.csv id.
#: Each starts with the outlet's name as sources.csv spells it (a test checks this).
ARTICLE_LABELS: dict[str, str] = {
    "hl-2021-vacuum": "Healthcare Leader, on the BJGP study",
    "gponline-performance": "GPonline, on performance management",
    "gponline-autonomy": "GPonline, on local autonomy",
    "pulse-relationships": "Pulse, on relationships",
}

#: The bodies a press finding can speak for, in the order of the press_findings schema.
BODY_ORDER: tuple[str, ...] = (
    "BJGP study authors", "BJGP study interviewee", "NHS Confederation", "BMA",
    "NHS Clinical Commissioners", "PCN clinical director", "NHS England",
    "Department of Health and Social Care", "Outlet",
)
_BODY_LABELS = {"Outlet": "The outlet itself"}

#: Plain-English names for the topic tags (the tag itself is shown alongside).
TOPIC_LABELS: dict[str, str] = {
    "ccg-support": "CCG support for PCNs",
    "expectations-workload": "Expectations and workload",
    "national-vs-local": "National rules versus local flexibility",
    "relationships": "Relationships",
    "system-engagement": "Engagement with the wider system",
    "workforce-arrs": "Workforce and the ARRS",
    "covid-19": "COVID-19",
    "ccg-mergers": "CCG mergers",
    "ccg-role-guidance": "CCG role and guidance",
    "progress-variation": "Variation in progress",
    "leadership": "Leadership",
}

#: Words looked up literally in the quotes, to check topic-level overlap at the level of the text.
KEY_TERMS: tuple[str, ...] = ("burnout", "turnover", "relationships", "ARRS", "autonomy", "digital")

#: Press finding id -> study fact id, only where matching on number and unit is ambiguous
#: (several study facts share the number and unit) or fails. Every entry is checked to exist.
STUDY_MATCH_OVERRIDES: dict[str, str] = {
    # "four CCGs" matches three theme_counts rows (seconded staff; protect PCNs; different
    # commissioning decisions); the press sentence is about seconding staff.
    "pf-hl-four-ccgs-seconded-staff": "tc-ccgs-seconded-staff",
}

#: Phrases that, placed just before a number, change what the number claims.
NUMBER_QUALIFIERS: dict[str, str] = {
    "as many as": "presents the number as an upper bound",
    "up to": "presents the number as an upper bound",
    "at least": "presents the number as a lower bound",
    "more than": "presents the number as a lower bound",
    "over": "presents the number as a lower bound",
    "nearly": "presents the number as approximate",
    "almost": "presents the number as approximate",
    "around": "presents the number as approximate",
    "about": "presents the number as approximate",
    "approximately": "presents the number as approximate",
    "only": "presents the number as small",
}

#: Phrases anywhere in a sentence that limit the scope of what is counted.
SCOPE_QUALIFIERS: dict[str, str] = {
    "in the short term": "limits the arrangement in time",
    "in the long term": "limits the arrangement in time",
    "temporarily": "limits the arrangement in time",
    "initially": "limits the arrangement in time",
}

_CONFEDERATION = "NHS Confederation"
_MISSING_DATE = "not dated in the text"


# --------------------------------------------------------------------------- helpers

def topic_label(tag: str) -> str:
    """Reader-facing name of a topic tag, e.g. ``'national-vs-local'`` -> its plain-English name."""
    if tag not in TOPIC_LABELS:
        raise KeyError(f"no label for topic tag {tag!r}; add it to TOPIC_LABELS")
    return TOPIC_LABELS[tag]


def _prose_label(tag: str) -> str:
    """The topic's name inside a sentence: initial capital dropped unless it starts an acronym."""
    label = topic_label(tag)
    return label if len(label) > 1 and label[1].isupper() else label[0].lower() + label[1:]


def _body_label(body: str) -> str:
    return _BODY_LABELS.get(body, body)


def _outlets(sources: pd.DataFrame) -> dict[str, str]:
    return dict(zip(sources["id"], sources["outlet"]))


def _source_order(sources: pd.DataFrame) -> dict[str, int]:
    return {sid: i for i, sid in enumerate(sources["id"])}


def _in_source_order(frame: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Rows grouped by source in sources.csv order; within a source, the file's order."""
    order = frame["source_id"].map(_source_order(sources))
    if order.isna().any():
        missing = sorted(set(frame.loc[order.isna(), "source_id"]))
        raise KeyError(f"source ids not in sources.csv: {missing}")
    position = pd.Series(range(len(frame)), index=frame.index)
    keyed = frame.assign(_order=order.astype(int), _position=position)
    return keyed.sort_values(["_order", "_position"], kind="stable").drop(columns=["_order", "_position"])


def article_labels(sources: pd.DataFrame) -> dict[str, str]:
    """:data:`ARTICLE_LABELS` for the trade-press sources, in sources.csv order.

    Raises ``KeyError`` if a trade-press source has no label (a new article was added).
    """
    press_ids = list(sources.loc[sources["kind"] == "trade press", "id"])
    missing = [sid for sid in press_ids if sid not in ARTICLE_LABELS]
    if missing:
        raise KeyError(f"no ARTICLE_LABELS entry for trade-press sources {missing}")
    return {sid: ARTICLE_LABELS[sid] for sid in press_ids}


def _topics_text(cell: str) -> str:
    return "; ".join(topic_label(t) for t in split_tags(cell))


# --------------------------------------------------------------------------- Confederation

def confederation_source_ids(sources: pd.DataFrame) -> list[str]:
    """Sources that report the NHS Confederation report (their ``covers`` names it), in file order."""
    covers = sources["covers"].fillna("")
    return list(sources.loc[covers.str.contains(_CONFEDERATION, regex=False), "id"])


def press_topics(press: pd.DataFrame) -> list[str]:
    """Every topic tag used anywhere in the press findings, sorted."""
    return sorted({tag for cell in press["topics"] for tag in split_tags(cell)})


def confederation_findings(press: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The Confederation's findings as the press reported them, with its people's statements.

    Rows of the Confederation-covering sources whose ``reports_on`` is the report, plus
    statements (``interview or statement``) by people speaking for the NHS Confederation.
    The outlet's own context in the same articles is excluded. Ordered by source, then file order.
    """
    ids = confederation_source_ids(sources)
    in_source = press["source_id"].isin(ids)
    report = press["reports_on"] == "NHS Confederation report"
    statement = (press["reports_on"] == "interview or statement") & (press["body"] == _CONFEDERATION)
    return _in_source_order(press[in_source & (report | statement)], sources).reset_index(drop=True)


def _whose_words(row: pd.Series) -> str:
    """'The report' for a report finding; the named person for an interview or statement."""
    if row["reports_on"] == "NHS Confederation report":
        return "The report (as the article reports it)"
    return f"Interview or statement by {row['speaker']}"


def _quote_with_locator(frame: pd.DataFrame) -> list[str]:
    return [f"{quote} [{locator}]" for quote, locator in zip(frame["quote"], frame["locator"])]


def confederation_table(findings: pd.DataFrame, sources: pd.DataFrame) -> DisplayTable:
    """Every Confederation finding, labelled with the outlet that reported it and whose words it is."""
    outlets = _outlets(sources)
    reporting = join_words(dict.fromkeys(findings["source_id"].map(outlets)))
    frame = pd.DataFrame({
        ID_COLUMN: findings["id"],
        "As reported by": findings["source_id"].map(outlets),
        "Whose words": [_whose_words(row) for _, row in findings.iterrows()],
        "Topics": findings["topics"].map(_topics_text),
        "Quote, verbatim from the article [where in the article]": _quote_with_locator(findings),
    })
    return DisplayTable(
        frame,
        caption=f"The NHS Confederation report's findings and its people's statements, as reported by {reporting}",
        source="data/press_findings.csv (rows reporting the NHS Confederation report, and statements by people "
               "speaking for the NHS Confederation); quotes are from the articles, not from the report",
        table_id="tbl-confederation-findings",
    )


def confederation_dating_table(sources: pd.DataFrame, timeline: pd.DataFrame,
                               timeline_id: str = "tl-nhs-confederation-pcn-report") -> DisplayTable:
    """How far the two articles and the report can be dated: the texts' own dates, or why there are none."""
    ids = confederation_source_ids(sources)
    rows = []
    for _, source in sources.set_index("id").loc[ids].iterrows():
        date = source["date"]
        rows.append({
            "Item": f"{source['outlet']} article: {source['title']}",
            "Date (as precise as known)": _MISSING_DATE if pd.isna(date) else str(date),
            "Basis": "stated" if not pd.isna(date) else "no date given",
            "How it is known": source["date_note"],
        })
    event = timeline.set_index("id").loc[timeline_id]
    rows.append({
        "Item": f"{event['event']} (timeline row {timeline_id})",
        "Date (as precise as known)": str(event["start"]),
        "Basis": str(event["date_basis"]),
        "How it is known": event["date_note"],
    })
    return DisplayTable(
        pd.DataFrame(rows),
        caption="Dating the NHS Confederation report and the two articles that report it",
        source="data/sources.csv (date, date_note) and data/timeline.csv",
        table_id="tbl-confederation-dating",
    )


def topic_outlet_counts(findings: pd.DataFrame, sources: pd.DataFrame,
                        topics: Sequence[str] | None = None) -> pd.DataFrame:
    """Topic x outlet: how many of the findings each outlet reports carry each topic tag.

    ``topics`` is the universe of tags to show (default: every tag in ``findings``), so a
    tag no outlet uses appears with zeros. Columns: one per outlet (sources.csv order)
    and ``status``: ``'both'``, ``'<outlet> only'`` or ``'neither'``. Rows are ordered by
    status (shared first), then by total count (descending), then by tag.
    """
    outlets = _outlets(sources)
    source_ids = [sid for sid in sources["id"] if sid in set(findings["source_id"])]
    columns = [outlets[sid] for sid in source_ids]
    if len(set(columns)) != len(columns):
        raise ValueError(f"two sources share an outlet name: {columns}")
    pairs = [(tag, outlets[sid]) for sid, cell in zip(findings["source_id"], findings["topics"])
             for tag in split_tags(cell)]
    universe = sorted(set(topics) if topics is not None else {tag for tag, _ in pairs})
    counts = pd.DataFrame(0, index=pd.Index(universe, name="topic"), columns=columns, dtype="int64")
    for tag, outlet in pairs:
        if tag in counts.index:
            counts.loc[tag, outlet] += 1

    def status(row: pd.Series) -> str:
        present = [c for c in columns if row[c] > 0]
        if not present:
            return "neither"
        if len(present) == len(columns):
            return "both" if len(columns) == 2 else "all"
        return f"{join_words(present)} only"

    counts["status"] = counts.apply(status, axis=1) if len(counts) else pd.Series(dtype="string")
    rank = {"both": 0, "all": 0, "neither": 2}
    counts["_rank"] = counts["status"].map(lambda s: rank.get(s, 1))
    counts["_total"] = counts[columns].sum(axis=1)
    counts = counts.reset_index().sort_values(["_rank", "status", "_total", "topic"],
                                              ascending=[True, True, False, True], kind="stable")
    return counts.drop(columns=["_rank", "_total"]).set_index("topic")


def _status_label(status: str) -> str:
    return status[0].upper() + status[1:]


def overlap_groups(counts: pd.DataFrame) -> dict[str, list[str]]:
    """Tags by status (``'both'``, ``'GPonline only'``, …), each list in the table's order."""
    groups: dict[str, list[str]] = {}
    for tag, status in counts["status"].items():
        groups.setdefault(str(status), []).append(str(tag))
    return groups


def _outlet_columns(counts: pd.DataFrame) -> list[str]:
    return [c for c in counts.columns if c != "status"]


def overlap_table(counts: pd.DataFrame, findings_label: str = "Confederation findings") -> DisplayTable:
    """The topic x outlet counts as a table, with the shared-or-not status spelled out."""
    outlets = _outlet_columns(counts)
    frame = pd.DataFrame({"Topic": [topic_label(t) for t in counts.index], "Tag": list(counts.index)})
    for outlet in outlets:
        frame[f"{outlet} ({findings_label} with this tag)"] = counts[outlet].astype("Int64").to_numpy()
    frame["Reported by"] = [_status_label(s) for s in counts["status"]]
    return DisplayTable(
        frame,
        caption=f"Which topics each outlet reports: {findings_label} per topic tag and outlet",
        source="data/press_findings.csv (topics column; a finding can carry several tags)",
        table_id="tbl-confederation-topic-overlap",
    )


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False))


def _dot_matrix(counts: pd.DataFrame, row_labels: Sequence[str], column_labels: Sequence[str],
                name: str, alt: str, source: str, side_labels: Sequence[str] | None = None,
                side_title: str = "", width: float = 5.2) -> SVGFigure:
    """A labelled grid: one row per category, one column per group, the count printed in each cell.

    Counts are written as numbers (zero as a dash), so colour is never the only carrier;
    each column also has its own marker shape. ``side_labels`` adds a last column of text
    (headed ``side_title``), e.g. whether a topic is shared. ``source`` is the footnote.
    """
    values = counts.to_numpy(dtype=float)
    n_rows, n_cols = values.shape
    fig = new_figure(width, 0.45 * n_rows + 1.9)
    ax = fig.subplots()
    markers = ("o", "s", "h", "8", "p", "H")
    for j in range(n_cols):
        colour = PALETTE[j % len(PALETTE)]
        for i in range(n_rows):
            value = values[i, j]
            if value > 0:
                ax.scatter([j], [i], s=400, marker=markers[j % len(markers)], facecolor="white",
                           edgecolor=colour, linewidth=2.2, zorder=2)
                ax.text(j, i, f"{int(value)}", ha="center", va="center", fontsize=10,
                        fontweight="bold", color="#000000", zorder=3)
            else:
                ax.text(j, i, "\u2014", ha="center", va="center", fontsize=10, color="#767676")
    ticks, tick_labels = list(range(n_cols)), [_wrap(c, 12) for c in column_labels]
    right = n_cols - 0.4
    if side_labels is not None:
        ticks.append(n_cols + 0.2)
        tick_labels.append(_wrap(side_title, 12))
        for i, label in enumerate(side_labels):
            ax.text(n_cols + 0.2, i, _wrap(label, 12), ha="center", va="center", fontsize=9.5)
        right = n_cols + 0.9
    ax.set_xlim(-0.6, right)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.set_yticks(range(n_rows), [_wrap(r, 22) for r in row_labels], fontsize=9.5)
    ax.set_xticks(ticks, tick_labels, fontsize=9)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_axisbelow(True)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    fig.supxlabel(source, fontsize=9, x=0.01, ha="left", color="#444444")
    return render(fig, name=name, alt=alt)


def overlap_figure(counts: pd.DataFrame, name: str = "fig-confederation-topic-overlap") -> SVGFigure:
    """Dot grid of topic x outlet counts, with the status of each topic on the right; alt states the split.

    ``name`` becomes the HTML id of the SVG's container, so it must differ from the
    label of the numbered figure that wraps it (``fig-confederation-topic-overlap``).
    """
    outlets = _outlet_columns(counts)
    groups = overlap_groups(counts)
    parts = []
    for status in dict.fromkeys(counts["status"]):
        tags = groups[str(status)]
        names = join_words(_prose_label(t) for t in tags)
        noun = "topic" if len(tags) == 1 else "topics"
        parts.append(f"{len(tags)} {noun} reported by {status} ({names})")
    alt = (f"Of the {len(counts)} topic tags used in the press coverage, the NHS Confederation findings "
           f"as reported by {join_words(outlets)} cover: " + "; ".join(parts) + ".")
    return _dot_matrix(
        counts[outlets], [topic_label(t) for t in counts.index], outlets, name=name, alt=alt,
        source="Number of Confederation findings with the tag; \u2014 = none.\nSource: data/press_findings.csv",
        side_labels=[_status_label(s) for s in counts["status"]], side_title="Reported by",
    )


def term_outlet_counts(findings: pd.DataFrame, sources: pd.DataFrame,
                       terms: Sequence[str] = KEY_TERMS) -> pd.DataFrame:
    """Term x outlet: how many findings' verbatim quotes contain each term (whole word, any case)."""
    outlets = _outlets(sources)
    source_ids = [sid for sid in sources["id"] if sid in set(findings["source_id"])]
    rows = []
    for term in terms:
        pattern = re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.IGNORECASE)
        row: dict[str, object] = {"term": term}
        for sid in source_ids:
            quotes = findings.loc[findings["source_id"] == sid, "quote"]
            row[outlets[sid]] = int(sum(bool(pattern.search(q)) for q in quotes))
        rows.append(row)
    return pd.DataFrame(rows).set_index("term")


def term_table(terms: pd.DataFrame) -> DisplayTable:
    """The literal-term check as a table: quotes containing each word, per outlet."""
    frame = pd.DataFrame({"Word looked up in the quotes": list(terms.index)})
    for outlet in terms.columns:
        frame[f"{outlet} (Confederation quotes containing it)"] = terms[outlet].astype("Int64").to_numpy()
    return DisplayTable(
        frame,
        caption="A check on the topic tags in the articles' own words: Confederation quotes containing each word",
        source="data/press_findings.csv (quote column; whole-word match, any case)",
        table_id="tbl-confederation-terms",
    )


def confederation_glue(press: pd.DataFrame, sources: pd.DataFrame, timeline: pd.DataFrame,
                       timeline_id: str = "tl-nhs-confederation-pcn-report") -> dict[str, object]:
    """Values the Confederation chapter's prose cites (keys prefixed ``conf_``)."""
    findings = confederation_findings(press, sources)
    outlets = _outlets(sources)
    ids = confederation_source_ids(sources)
    counts = topic_outlet_counts(findings, sources, topics=press_topics(press))
    groups = overlap_groups(counts)
    terms = term_outlet_counts(findings, sources)
    gp, pulse = (outlets[sid] for sid in ids)

    def names(status: str) -> str:
        return join_words([_prose_label(t) for t in groups.get(status, [])])

    def outlets_with(term: str) -> str:
        return join_words([o for o in terms.columns if terms.loc[term, o] > 0], empty="neither outlet")

    event = timeline.set_index("id").loc[timeline_id]
    per_outlet = findings["source_id"].value_counts()
    values: dict[str, object] = {
        "conf_n_findings": len(findings),
        "conf_n_report": int((findings["reports_on"] == "NHS Confederation report").sum()),
        "conf_n_statements": int((findings["reports_on"] == "interview or statement").sum()),
        "conf_n_speakers": int(findings.loc[findings["reports_on"] == "interview or statement", "speaker"].nunique()),
        "conf_n_gponline": int(per_outlet.get(ids[0], 0)),
        "conf_n_pulse": int(per_outlet.get(ids[1], 0)),
        "conf_outlet_a": gp,
        "conf_outlet_b": pulse,
        "conf_n_articles": len(ids),
        "conf_n_undated": int(sources.set_index("id").loc[ids, "date"].isna().sum()),
        "conf_report_date": str(event["start"]),
        "conf_report_date_basis": str(event["date_basis"]),
        "conf_n_topics": len(counts),
        "conf_n_topics_both": len(groups.get("both", [])),
        "conf_topics_both": names("both"),
        "conf_n_topics_a_only": len(groups.get(f"{gp} only", [])),
        "conf_topics_a_only": names(f"{gp} only"),
        "conf_n_topics_b_only": len(groups.get(f"{pulse} only", [])),
        "conf_topics_b_only": names(f"{pulse} only"),
        "conf_topics_neither": names("neither"),
        "conf_n_press_outlet_context": int((press["source_id"].isin(ids) & ~press["id"].isin(findings["id"])).sum()),
    }
    for term in terms.index:
        key = re.sub(r"[^a-z0-9]+", "_", term.lower())
        values[f"conf_term_{key}_outlets"] = outlets_with(term)
    return values


# --------------------------------------------------------------------------- trade press

def article_table(sources: pd.DataFrame, press: pd.DataFrame) -> DisplayTable:
    """The four articles: outlet, title, date (or why undated), what they report on, findings coded."""
    labels = article_labels(sources)
    articles = sources.set_index("id").loc[list(labels)]
    coded = press["source_id"].value_counts()
    numbered = press.loc[press["number"].notna(), "source_id"].value_counts()
    frame = pd.DataFrame({
        "Article": list(labels.values()),
        "Title": list(articles["title"]),
        "Byline": [a if not pd.isna(a) else "none given" for a in articles["authors"]],
        "Date (ISO 8601)": [d if not pd.isna(d) else _MISSING_DATE for d in articles["date"]],
        "How the date is known": list(articles["date_note"]),
        "Findings coded (rows)": pd.array([int(coded.get(s, 0)) for s in labels], dtype="Int64"),
        "Of which carry a number (rows)": pd.array([int(numbered.get(s, 0)) for s in labels], dtype="Int64"),
    })
    return DisplayTable(frame, caption="The four trade-press articles, dated only where their text dates them",
                        source="data/sources.csv (titles, bylines, dates and date notes); data/press_findings.csv (rows)",
                        table_id="tbl-press-articles")


def body_article_counts(press: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Body x article: coded findings per body per article (zeros kept), bodies in schema order.

    Bodies that appear in no article are dropped; an unknown body raises ``ValueError``.
    """
    labels = article_labels(sources)
    unknown = sorted(set(press["body"]) - set(BODY_ORDER))
    if unknown:
        raise ValueError(f"bodies not in BODY_ORDER: {unknown}")
    counts = pd.crosstab(press["body"], press["source_id"])
    counts = counts.reindex(index=[b for b in BODY_ORDER if b in counts.index],
                            columns=list(labels), fill_value=0).astype("int64")
    counts.index.name, counts.columns.name = "body", "source_id"
    return counts


def body_article_table(counts: pd.DataFrame) -> DisplayTable:
    """The body x article counts as a table with row and column totals."""
    frame = pd.DataFrame({"Body (who the speaker speaks for)": [_body_label(b) for b in counts.index]})
    for sid in counts.columns:
        frame[f"{ARTICLE_LABELS[sid]} (findings)"] = counts[sid].astype("Int64").to_numpy()
    frame[f"All {counts.shape[1]} articles (findings)"] = counts.sum(axis=1).astype("Int64").to_numpy()
    total = {c: (frame[c].sum() if c != frame.columns[0] else "All bodies") for c in frame.columns}
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    for c in frame.columns[1:]:
        frame[c] = frame[c].astype("Int64")
    return DisplayTable(frame, caption="Who speaks in the trade press: coded findings per body and article",
                        source="data/press_findings.csv (body and source_id columns)",
                        table_id="tbl-press-speakers")


def body_article_figure(counts: pd.DataFrame, name: str = "fig-press-speakers") -> SVGFigure:
    """Dot grid of findings per body and article; the alt text names each article's main voices.

    ``name`` must differ from the wrapping figure's label (``fig-press-speakers``): both become HTML ids.
    """
    parts = []
    for sid in counts.columns:
        column = counts[sid][counts[sid] > 0].sort_values(ascending=False, kind="stable")
        voices = join_words(f"{_body_label(b).replace('The outlet itself', 'the outlet itself')} ({n})"
                            for b, n in column.items())
        parts.append(f"{ARTICLE_LABELS[sid]}, {int(column.sum())} findings: {voices}")
    alt = (f"Coded findings per body in each of the {counts.shape[1]} trade-press articles, "
           f"{int(counts.to_numpy().sum())} in all. " + ". ".join(parts) + ".")
    return _dot_matrix(
        counts, [_body_label(b) for b in counts.index], [ARTICLE_LABELS[s] for s in counts.columns],
        name=name, alt=alt, source="Number of coded findings; \u2014 = none.\nSource: data/press_findings.csv",
        width=5.8,
    )


def statements(press: pd.DataFrame, sources: pd.DataFrame, exclude: Iterable[str] = ()) -> pd.DataFrame:
    """Press findings in article order, without the ids in ``exclude`` (shown in another table)."""
    excluded = set(exclude)
    unknown = sorted(excluded - set(press["id"]))
    if unknown:
        raise KeyError(f"ids to exclude are not press findings: {unknown}")
    return _in_source_order(press[~press["id"].isin(excluded)], sources).reset_index(drop=True)


def statements_table(rows: pd.DataFrame, caption: str, table_id: str = "tbl-press-statements") -> DisplayTable:
    """Who said what: article, speaker, body, verbatim quote with locator, and any number with its unit."""
    frame = pd.DataFrame({
        ID_COLUMN: rows["id"],
        "Article": rows["source_id"].map(ARTICLE_LABELS),
        "Speaker (as the article names them)": rows["speaker"],
        "Body": rows["body"].map(_body_label),
        "Number stated": rows["number"],
        "Unit of the number": rows["unit"],
        "Quote, verbatim from the article [where in the article]": _quote_with_locator(rows),
    })
    return DisplayTable(frame, caption=caption,
                        source="data/press_findings.csv (speaker, body, quote, locator, number, unit)",
                        table_id=table_id)


# --------------------------------------------------------------------------- press vs study

def study_facts(theme_counts: pd.DataFrame, study_design: pd.DataFrame) -> pd.DataFrame:
    """The study's numbered facts in one frame: ``id, table, number, unit, quote, locator``."""
    parts = []
    for name, frame, column in (("theme_counts", theme_counts, "count"), ("study_design", study_design, "number")):
        rows = frame[frame[column].notna()]
        parts.append(pd.DataFrame({
            "id": rows["id"].astype(str), "table": name, "number": rows[column].astype(float),
            "unit": rows["unit"].astype(str), "quote": rows["quote"].astype(str),
            "locator": rows["locator"].astype(str),
        }))
    facts = pd.concat(parts, ignore_index=True)
    if facts["id"].duplicated().any():
        raise ValueError(f"duplicate study fact ids: {sorted(facts.loc[facts['id'].duplicated(), 'id'])}")
    return facts


def numbered_study_claims(press: pd.DataFrame) -> pd.DataFrame:
    """Press findings that report the BJGP study and carry a number, in file order."""
    return press[(press["reports_on"] == "BJGP study") & press["number"].notna()].reset_index(drop=True)


def _unit_words(unit: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9%]+", unit.lower()) if w}


def units_compatible(press_unit: str, study_unit: str) -> bool:
    """True if every word of the study's unit is in the press unit (``'CCG employees'`` in
    ``'CCG employees interviewed'``); ``'CCG staff'`` and ``'CCGs'`` are not compatible."""
    study_words = _unit_words(study_unit)
    return bool(study_words) and study_words <= _unit_words(press_unit)


def match_candidates(number: float, unit: str, facts: pd.DataFrame) -> list[str]:
    """Study fact ids with the same number and a compatible unit, in ``facts`` order.

    The same sentence coded more than once is one piece of evidence, not an
    ambiguity: candidates with an identical quote count once (the first id).
    """
    same = facts[(facts["number"] == float(number)) & facts["unit"].map(lambda u: units_compatible(unit, u))]
    if "quote" in same.columns:
        same = same.drop_duplicates(subset="quote", keep="first")
    return list(same["id"])


def match_press_to_study(claims: pd.DataFrame, facts: pd.DataFrame,
                         overrides: Mapping[str, str] = STUDY_MATCH_OVERRIDES) -> pd.DataFrame:
    """Pair each numbered press claim with the study fact it reports.

    A claim is matched on number and unit when exactly one study fact fits; otherwise
    ``overrides`` must name the fact (and is the only way to pair a claim whose number
    differs from the study's). Returns ``press_id, study_id, basis, n_candidates``.
    Raises ``KeyError`` for an override naming an unknown study fact or a press id that
    is not a numbered claim, and ``ValueError`` for an unmatched or ambiguous claim.
    """
    known = set(facts["id"])
    stale = sorted(set(overrides) - set(claims["id"]))
    if stale:
        raise KeyError(f"overrides for ids that are not numbered press claims about the study: {stale}")
    bad = sorted(v for v in overrides.values() if v not in known)
    if bad:
        raise KeyError(f"overrides name study facts that do not exist: {bad}")
    rows = []
    for claim in claims.itertuples(index=False):
        candidates = match_candidates(claim.number, str(claim.unit), facts)
        if claim.id in overrides:
            study_id = overrides[claim.id]
            basis = (f"explicit override ({len(candidates)} study facts share the number and unit)"
                     if len(candidates) != 1 else "explicit override (confirms the unique match)")
        elif len(candidates) == 1:
            study_id, basis = candidates[0], "unique match on number and unit"
        else:
            raise ValueError(f"{claim.id}: {len(candidates)} study facts match number {claim.number} "
                             f"and unit {claim.unit!r} ({candidates}); add one to STUDY_MATCH_OVERRIDES")
        rows.append({"press_id": claim.id, "study_id": study_id, "basis": basis, "n_candidates": len(candidates)})
    return pd.DataFrame(rows, columns=["press_id", "study_id", "basis", "n_candidates"])


_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?%?|[A-Za-z]+(?:-[A-Za-z]+)?")


def number_as_written(quote: str, value: float) -> tuple[str, str]:
    """How ``quote`` writes ``value``: ``(qualifier, token)``, e.g. ``('as many as', '26')``.

    The qualifier is one of :data:`NUMBER_QUALIFIERS` immediately before the number, or ``''``.
    Raises ``ValueError`` if the quote does not state the number.
    """
    for match in _TOKEN.finditer(quote):
        if numbers_in(match.group()) == {float(value)}:
            before = quote[:match.start()].rstrip().lower()
            qualifier = next((q for q in sorted(NUMBER_QUALIFIERS, key=len, reverse=True)
                              if re.search(rf"(?<![\w-]){re.escape(q)}$", before)), "")
            return qualifier, match.group()
    raise ValueError(f"the quote does not state {value:g}: {quote[:80]!r}")


def _has_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text, re.IGNORECASE) is not None


def wording_differences(press_quote: str, study_quote: str, number: float) -> list[str]:
    """Differences in framing between the press and study sentences, in words.

    Checks the qualifier just before the number (:data:`NUMBER_QUALIFIERS`) and scope
    phrases anywhere (:data:`SCOPE_QUALIFIERS`). Returns an empty list if none differ.
    """
    notes = []
    press_q, _ = number_as_written(press_quote, number)
    study_q, _ = number_as_written(study_quote, number)
    if press_q != study_q:
        if press_q:
            notes.append(f"The press writes '{press_q}', which {NUMBER_QUALIFIERS[press_q]}; "
                         + (f"the study writes '{study_q}'." if study_q else "the study states the number plainly."))
        else:
            notes.append(f"The study writes '{study_q}', which {NUMBER_QUALIFIERS[study_q]}; the press states the number plainly.")
    for phrase, meaning in SCOPE_QUALIFIERS.items():
        in_press, in_study = _has_phrase(press_quote, phrase), _has_phrase(study_quote, phrase)
        if in_study and not in_press:
            notes.append(f"The study says '{phrase}', which {meaning}; the press leaves it out.")
        elif in_press and not in_study:
            notes.append(f"The press adds '{phrase}', which {meaning}; the study does not say it.")
    return notes


def study_comparison(press: pd.DataFrame, theme_counts: pd.DataFrame, study_design: pd.DataFrame,
                     overrides: Mapping[str, str] = STUDY_MATCH_OVERRIDES) -> pd.DataFrame:
    """Each numbered press claim about the study beside the study fact it reports.

    Columns: press and study ids, numbers, units, quotes, locators, the qualifier before
    each number (``press_qualifier``, ``study_qualifier``; ``''`` if none), how each writes
    the number, the match basis, ``numbers_agree``, ``units_agree`` and ``wording_notes``.
    """
    claims = numbered_study_claims(press).set_index("id")
    facts = study_facts(theme_counts, study_design).set_index("id")
    matches = match_press_to_study(claims.reset_index(), facts.reset_index(), overrides)
    rows = []
    for match in matches.itertuples(index=False):
        claim, fact = claims.loc[match.press_id], facts.loc[match.study_id]
        press_number, study_number = float(claim["number"]), float(fact["number"])
        press_q, press_token = number_as_written(claim["quote"], press_number)
        study_q, study_token = number_as_written(fact["quote"], study_number)
        notes = (wording_differences(claim["quote"], fact["quote"], press_number)
                 if press_number == study_number else
                 [f"The numbers differ: the press gives {press_number:g}, the study {study_number:g}."])
        rows.append({
            "press_id": match.press_id, "study_id": match.study_id, "study_table": fact["table"],
            "press_number": press_number, "study_number": study_number,
            "press_unit": claim["unit"], "study_unit": fact["unit"],
            "press_qualifier": press_q, "study_qualifier": study_q,
            "press_written": f"{press_q} {press_token}".strip(), "study_written": f"{study_q} {study_token}".strip(),
            "press_quote": claim["quote"], "study_quote": fact["quote"],
            "press_locator": claim["locator"], "study_locator": fact["locator"],
            "basis": match.basis, "numbers_agree": press_number == study_number,
            "units_agree": units_compatible(str(claim["unit"]), str(fact["unit"])),
            "wording_notes": notes,
        })
    return pd.DataFrame(rows)


def _number_text(value: float) -> str:
    return f"{value:g}"


def comparison_table(comparison: pd.DataFrame) -> DisplayTable:
    """The press-versus-study comparison, press and study side by side, one row per aspect of each claim.

    For each claim: the ids (and how they were paired), the number (and whether it agrees),
    the unit, how each text writes the number, and the verbatim wording with locators
    (and any difference in framing).
    """
    rows = []
    for c in comparison.itertuples(index=False):
        claim = f"{_number_text(c.press_number)} {c.press_unit}"
        notes = " ".join(c.wording_notes) if c.wording_notes else \
            "None found (qualifiers before the number and scope phrases checked)"
        rows += [
            (claim, "Finding id", c.press_id, f"{c.study_id} ({c.study_table})", f"Paired by {c.basis}"),
            (claim, "Number", _number_text(c.press_number), _number_text(c.study_number),
             "Agree" if c.numbers_agree else "Differ"),
            (claim, "Unit", c.press_unit, c.study_unit, "Compatible" if c.units_agree else "Not compatible"),
            (claim, "Number as written", c.press_written, c.study_written, "\u2014"),
            (claim, "Wording, verbatim [where]", f"{c.press_quote} [{c.press_locator}]",
             f"{c.study_quote} [{c.study_locator}]", notes),
        ]
    frame = pd.DataFrame(rows, columns=["Press claim (number and unit)", "Aspect", "Press (Healthcare Leader)",
                                        "Study (BJGP)", "Check"])
    return DisplayTable(frame, caption="Healthcare Leader's numbers about the study, checked against the study",
                        source="data/press_findings.csv (press); data/theme_counts.csv and data/study_design.csv "
                               "(study); locators in square brackets",
                        table_id="tbl-press-vs-study")


def trade_press_glue(press: pd.DataFrame, sources: pd.DataFrame, theme_counts: pd.DataFrame,
                     study_design: pd.DataFrame) -> dict[str, object]:
    """Values the trade-press chapter's prose cites (keys prefixed ``tp_``)."""
    labels = article_labels(sources)
    articles = sources.set_index("id").loc[list(labels)]
    counts = body_article_counts(press, sources)
    conf_ids = set(confederation_findings(press, sources)["id"])
    comparison = study_comparison(press, theme_counts, study_design)
    hl = "hl-2021-vacuum"
    hl_rows = press[press["source_id"] == hl]
    hl_numbered = hl_rows[hl_rows["number"].notna()]
    by_id = press.set_index("id")

    def number(pid: str) -> int:
        return int(by_id.loc[pid, "number"])

    qualified = comparison[comparison["press_qualifier"] != comparison["study_qualifier"]]
    dated = articles["date"].notna()
    values: dict[str, object] = {
        "tp_n_articles": len(labels),
        "tp_n_findings": len(press),
        "tp_n_bodies": len(counts),
        "tp_n_dated": int(dated.sum()),
        "tp_n_undated": int((~dated).sum()),
        "tp_hl_date": str(articles.loc[hl, "date"]),
        "tp_n_numbered": int(press["number"].notna().sum()),
        "tp_n_statement_rows": len(press) - len(conf_ids),
        "tp_n_conf_rows": len(conf_ids),
        "tp_n_hl": len(hl_rows),
        "tp_n_hl_study": int((hl_rows["reports_on"] == "BJGP study").sum()),
        "tp_n_hl_numbered": len(hl_numbered),
        "tp_n_hl_numbered_study": int((hl_numbered["reports_on"] == "BJGP study").sum()),
        "tp_n_hl_numbered_context": int((hl_numbered["reports_on"] != "BJGP study").sum()),
        "tp_n_compared": len(comparison),
        "tp_n_agree": int(comparison["numbers_agree"].sum()),
        "tp_n_disagree": int((~comparison["numbers_agree"]).sum()),
        "tp_n_qualified": len(qualified),
        "tp_qualified_press": join_words(qualified["press_written"]),
        "tp_qualified_study": join_words(qualified["study_written"]),
        "tp_n_overrides": int(comparison["basis"].str.startswith("explicit override").sum()),
        "tp_n_ccgs_before": number("pf-hl-ccgs-135-before-april-mergers"),
        "tp_n_ccgs_after": number("pf-hl-ccgs-106-after-april-mergers"),
        "tp_n_mergers": number("pf-hl-nine-ccg-mergers-april"),
        "tp_nhse_signed_up_pct": number("pf-pulse-nhse-98-percent-signed-up"),
    }
    for sid in labels:
        key = re.sub(r"[^a-z0-9]+", "_", sid)
        values[f"tp_n_{key}"] = int(counts[sid].sum())
    for body in counts.index:
        key = re.sub(r"[^a-z0-9]+", "_", body.lower()).strip("_")
        values[f"tp_n_body_{key}"] = int(counts.loc[body].sum())
        values[f"tp_n_articles_body_{key}"] = int((counts.loc[body] > 0).sum())
    return values
