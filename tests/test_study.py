"""Tests for pcn_evidence.study: the tables, figures and glued values of the study chapters."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from pcn_evidence import load_table
from pcn_evidence import study as S


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    names = ["policy_context", "timeline", "study_design", "topic_guide", "coreq", "theme_counts", "coverage",
             "press_findings", "study_findings"]
    return {name: load_table(name) for name in names}


def html(obj) -> str:
    return obj._repr_html_()


def svg_texts(figure: S.SVGFigure) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", figure.svg)


def with_row(frame: pd.DataFrame, **changes) -> pd.DataFrame:
    """A copy of ``frame`` whose first row has ``changes`` applied (dtypes kept)."""
    out = frame.copy()
    for column, value in changes.items():
        out.loc[out.index[0], column] = value
    return out


# --- small helpers ------------------------------------------------------------------------

def test_format_number_groups_thousands_and_handles_missing():
    assert S.format_number(30000.0) == "30,000"
    assert S.format_number(5) == "5"
    assert S.format_number(12.5) == "12.5"
    assert S.format_number(pd.NA) == "—" and S.format_number(None, missing="") == ""


def test_count_with_unit_never_drops_the_unit():
    assert S.count_with_unit(26, "CCGs") == "26 CCGs"
    assert S.count_with_unit(1, "CCG areas") == "1 CCG area"
    assert S.count_with_unit(1, "CCG staff") == "1 CCG staff member"
    assert S.count_with_unit(3, "widgets") == "3 widgets"


def test_share_text_only_with_a_denominator():
    assert S.share_text(13, 37) == "35% (13 of 37 interviewees)"
    assert S.share_text(4, None) == "no denominator"
    assert S.share_text(4, pd.NA) == "no denominator"


def test_short_label_drops_brackets_and_cuts_at_a_boundary():
    assert S.short_label("NHS Confederation (PCN Network) report on PCNs") == "NHS Confederation report on PCNs"
    assert S.short_label("Project; described as ongoing") == "Project"
    long = "CCGs whose staff suggested the PCN policy had caused local distraction, with primary care seen as separate"
    assert S.short_label(long, limit=80) == "CCGs whose staff suggested the PCN policy had caused local distraction"
    cut = S.short_label("word " * 40, limit=30)
    assert cut.endswith("…") and len(cut) <= 31


# --- dates --------------------------------------------------------------------------------

def test_parse_partial_date_keeps_precision():
    year, month, day = S.parse_partial_date("2020"), S.parse_partial_date("2020-02"), S.parse_partial_date("2020-10-08")
    assert (year.first, year.last, year.precision) == (date(2020, 1, 1), date(2020, 12, 31), "year")
    assert (month.first, month.last, month.precision) == (date(2020, 2, 1), date(2020, 2, 29), "month")
    assert (day.first, day.last, day.precision) == (date(2020, 10, 8), date(2020, 10, 8), "day")
    with pytest.raises(ValueError):
        S.parse_partial_date("Dec 2019")


def test_describe_date_and_span_at_their_own_precision():
    assert S.describe_date("2019-12") == "December 2019"
    assert S.describe_date("2020") == "2020"
    assert S.describe_date("2021-03-02") == "2 March 2021"
    assert S.describe_date("2021-03-02", short=True) == "2 Mar 2021"
    assert S.describe_span("2019-08", "2019-12") == "August 2019 to December 2019"
    assert S.describe_span("2019-08", pd.NA) == "August 2019"


def test_months_between_counts_calendar_months():
    assert S.months_between("2019-12", "2021-04") == 16
    assert S.months_between("2019-12", "2019-12") == 0


def test_timeline_rows_sorted_by_date_with_spans(tables):
    rows = S.timeline_rows(tables["timeline"])
    assert list(rows["first"]) == sorted(rows["first"])
    interviews = rows.set_index("id").loc["tl-ccg-staff-interviews"]
    assert interviews["is_period"] and interviews["last"] == date(2019, 12, 31)
    assert rows.set_index("id").loc["tl-nhs-confederation-pcn-report", "precision"] == "year"
    shuffled = tables["timeline"].iloc[::-1]
    assert list(S.timeline_rows(shuffled)["id"]) == list(rows["id"])
    with pytest.raises(KeyError):
        S.timeline_rows(tables["timeline"], ["tl-does-not-exist"])


def test_compare_events_same_month_is_not_ordered(tables):
    comparison = S.compare_events(tables["timeline"], S.INTERVIEWS_ID, S.DRAFT_SPECS_ID, "interviews", "drafts")
    assert comparison.relation == "overlap" and comparison.overlap == "December 2019"
    assert comparison.first_precision == comparison.second_precision == "month"
    assert "cannot say which came first" in comparison.sentence


def test_compare_events_before_and_after(tables):
    timeline = tables["timeline"]
    before = S.compare_events(timeline, S.INTERVIEWS_ID, "tl-ccg-mergers-approved")
    assert before.relation == "before" and before.overlap is None
    after = S.compare_events(timeline, "tl-ccg-mergers-approved", S.INTERVIEWS_ID)
    assert after.relation == "after"
    # a day-precise draft date after the interviews' last month would be ordered
    moved = timeline.copy()
    moved.loc[moved["id"] == S.DRAFT_SPECS_ID, "start"] = "2020-01-15"
    assert S.compare_events(moved, S.INTERVIEWS_ID, S.DRAFT_SPECS_ID).relation == "before"


def test_ordering_reading_states_what_the_dates_can_resolve(tables):
    timeline = tables["timeline"]
    same = S.compare_events(timeline, S.INTERVIEWS_ID, S.DRAFT_SPECS_ID)
    text = S.ordering_reading(same, "interviews", "draft specifications")
    assert "only to the month" in text and "December 2019" in text and "cannot say" in text
    before = S.compare_events(timeline, S.INTERVIEWS_ID, "tl-ccg-mergers-approved")
    assert S.ordering_reading(before, "interviews", "mergers").startswith("the dates alone show")


def test_comparison_table_shows_precision_and_basis(tables):
    out = html(S.comparison_table(tables["timeline"], [S.INTERVIEWS_ID, "tl-ccg-mergers-approved"],
                                  caption="c", table_id="tbl-x"))
    assert "2019-08 to 2019-12" in out and "month" in out and "inferred" in out and "stated" in out


def test_timeline_figure_marks_inferred_dates_and_is_deterministic(tables):
    timeline = tables["timeline"]
    one = S.timeline_figure(timeline, name="fig-t", finding="Finding.")
    two = S.timeline_figure(timeline, name="fig-t", finding="Finding.")
    assert one.svg == two.svg
    texts = svg_texts(one)
    assert "Apr 2021, inferred" in texts and "2020 (year only), inferred" in texts
    assert "Dec 2019" in texts and "Aug 2019 to Dec 2019" in texts
    assert any("bar cut at the axis edge" in t for t in texts)  # the project runs past the axis
    assert one.alt.startswith("Finding.") and "15 dated events (3 with an inferred date)" in one.alt
    assert "April 2021, inferred" in one.alt


def test_timeline_figure_changes_when_a_date_changes(tables):
    timeline = tables["timeline"]
    moved = timeline.copy()
    moved.loc[moved["id"] == S.DRAFT_SPECS_ID, "start"] = "2020-01"
    assert S.timeline_figure(timeline, "f", "x").svg != S.timeline_figure(moved, "f", "x").svg


def test_timeline_figure_subset_only_shows_its_events(tables):
    ids = [S.INTERVIEWS_ID, "tl-ccg-mergers-approved"]
    figure = S.timeline_figure(tables["timeline"], "f", "x", ids=ids)
    assert "2 dated events (1 with an inferred date)" in figure.alt
    assert "known to the year (box = the year)" not in svg_texts(figure)  # legend lists only what is drawn


# --- policy context -----------------------------------------------------------------------

def test_policy_context_table_groups_aspects_in_order_and_formats_numbers(tables):
    policy = tables["policy_context"]
    table = S.policy_context_table(policy)
    aspects = list(dict.fromkeys(table.frame["Aspect"].str.lower()))
    assert aspects == [a for a in S.POLICY_ASPECT_ORDER if a in set(policy["aspect"])]
    out = html(table)
    assert "30,000" in out and "50,000" in out and "areas of work" in out
    assert "% reimbursement (before the amendment)" in out


def test_policy_context_table_escapes_text(tables):
    policy = with_row(tables["policy_context"], statement="<script>x</script>")
    out = html(S.policy_context_table(policy))
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_policy_context_values(tables):
    values = S.policy_context_values(tables["policy_context"], tables["timeline"], tables["study_design"])
    assert (values["pop_min"], values["pop_max"], values["n_spec_areas"]) == (30000, 50000, 5)
    assert (values["reimb_before"], values["reimb_after"]) == (70, 100)
    assert values["draft_specs"] == values["interviews_end"] == "December 2019"
    assert values["interviews_draft_relation"] == "overlap"
    assert values["n_timeline_day"] + values["n_timeline_month"] + values["n_timeline_year"] \
        + values["n_timeline_periods"] == values["n_timeline_events"]


# --- study design ---------------------------------------------------------------------------

def test_design_value_gives_numbers_where_there_are_numbers(tables):
    design = tables["study_design"]
    assert S.design_value(design, "sd-sample-size") == 37
    assert S.design_value(design, "sd-interview-period") == "August to December 2019"


def test_design_table_orders_aspects_and_puts_unknown_aspects_last(tables):
    design = tables["study_design"]
    table = S.design_table(design)
    aspects = list(dict.fromkeys(table.frame["Aspect"].str.lower()))
    assert aspects == [a for a in S.DESIGN_ASPECT_ORDER if a in set(design["aspect"])]
    assert "37 interviews" in set(table.frame["Value (with unit)"])
    odd = design.copy()
    odd["aspect"] = odd["aspect"].astype(object)
    odd.loc[odd.index[0], "aspect"] = "zzz-new"
    assert S.design_table(odd).frame["Aspect"].iloc[-1] == "Zzz-new"


def test_topic_guide_sections_follow_box_order_even_if_rows_are_shuffled(tables):
    guide = tables["topic_guide"]
    sections = S.topic_guide_sections(guide.sample(frac=1, random_state=1))
    assert list(sections["section"]) == list(dict.fromkeys(guide.sort_values("order")["section"]))
    assert sections["questions"].sum() == len(guide)
    assert sections.set_index("section").loc["Local PCNs", "questions"] == 10


def test_topic_guide_table_and_figure(tables):
    guide = tables["topic_guide"]
    out = html(S.topic_guide_table(guide))
    assert "Section (Box 1 order)" in out and "2–11" in out
    figure = S.topic_guide_figure(guide)
    assert "24 questions in 5 sections" in figure.alt and "Local PCNs, has 10" in figure.alt
    assert "10 questions" in svg_texts(figure) and "1 question" in svg_texts(figure)


def test_coreq_counts_and_tally(tables):
    coreq = tables["coreq"]
    counts = S.coreq_counts(coreq)
    assert counts["reported"] + counts["partly reported"] + counts["not reported"] == counts["total"] == 32
    tally = S.coreq_tally_table(coreq).frame
    assert list(tally["COREQ domain"]) == [*S.COREQ_DOMAINS, "All domains"]
    assert tally["Items (number)"].iloc[:-1].sum() == tally["Items (number)"].iloc[-1] == 32


def test_coreq_table_marks_missing_quotes_not_reported(tables):
    coreq = tables["coreq"]
    frame = S.coreq_table(coreq.iloc[::-1]).frame
    assert list(frame["Item (COREQ number)"]) == sorted(coreq["item"])
    missing = frame[frame["Judgement about the article"] == "not reported"]
    assert set(missing["What the article says (verbatim)"]) == {"not reported"}
    assert "<td>not reported</td>" in html(S.coreq_table(coreq))


# --- theme counts ---------------------------------------------------------------------------

def test_theme_counts_frame_orders_by_theme_then_text(tables):
    counts = tables["theme_counts"]
    frame = S.theme_counts_frame(counts.iloc[::-1])
    assert list(frame["theme_number"]) == sorted(frame["theme_number"])
    theme1 = list(frame[frame["theme_number"] == 1]["id"])
    assert theme1 == list(counts[counts["theme_number"] == 1]["id"])[::-1]  # stable: input order kept


def test_shares_only_where_there_is_a_denominator(tables):
    frame = S.theme_counts_frame(tables["theme_counts"])
    assert frame["share_pct"].isna().equals(frame["denominator"].isna())
    ccgs = frame[frame["unit"] == "CCGs"]
    assert ccgs["share_pct"].isna().all() and set(ccgs["share"]) == {"no denominator"}
    staff = frame.set_index("id").loc["tc-ccg-staff-social-prescribing"]
    assert round(float(staff["share_pct"]), 1) == 35.1 and staff["share"] == "35% (13 of 37 interviewees)"


def test_theme_counts_table_shows_every_count_with_its_unit_and_escapes(tables):
    counts = tables["theme_counts"]
    out = html(S.theme_counts_table(counts))
    for count, unit in zip(counts["count"], counts["unit"]):
        assert S.count_with_unit(int(count), unit) in out
    assert "no denominator" in out and "24% (9 of 37 interviewees)" in out
    escaped = html(S.theme_counts_table(with_row(counts, finding="a <b>bold</b> claim")))
    assert "<b>" not in escaped and "&lt;b&gt;" in escaped


def test_theme_summary_counts_rows_never_sums_counts(tables):
    summary = S.theme_summary(tables["theme_counts"])
    assert list(summary["theme_number"]) == [1, 2, 3]
    assert summary["n_counts"].sum() == len(tables["theme_counts"])
    units = summary.set_index("theme_number").loc[1, "units"]
    assert units == "CCGs (4 counts), CCG staff (2 counts), commissioners (1 count)"


def test_theme_counts_figure_keeps_units_apart(tables):
    counts = tables["theme_counts"]
    figure = S.theme_counts_figure(counts)
    texts = svg_texts(figure)
    for unit in counts["unit"].unique():  # one panel per unit, with its own title and axis
        assert sum(t.startswith(unit[:1].upper() + unit[1:] + ":") for t in texts) == 1
        assert f"Number of {unit}" in texts
    bar_labels = [t for t in texts if re.match(r"^\d+ ", t)]
    assert len(bar_labels) == len(counts)
    assert all(any(u in label for u in S._SINGULAR.values()) or any(u in label for u in S.UNIT_ORDER)
               for label in bar_labels)
    assert "9 CCG staff · 24% of 37 interviewees" in texts and "26 CCGs" in texts  # no share for CCGs
    assert len(set(h for _, h in S.UNIT_STYLE.values())) == len(S.UNIT_STYLE)  # hatching differs by unit
    assert any("compare bars only within a panel" in t for t in texts)


def test_theme_counts_alt_text_states_every_count(tables):
    counts = tables["theme_counts"]
    alt = S.theme_counts_figure(counts).alt
    assert alt.startswith("15 counts from 3 meta-themes, in 5 different units")
    assert "CCGs: 26, 5, 4, 4, 4, 10, 10, 2, 2" in alt
    assert "13 (35% of 37 interviewees)" in alt and "social prescribers: 15" in alt


def test_changing_a_count_changes_the_figure(tables):
    counts = tables["theme_counts"]
    changed = counts.copy()
    changed.loc[changed["id"] == "tc-ccgs-allocated-staff-time", "count"] = 25
    one, two = S.theme_counts_figure(counts), S.theme_counts_figure(changed)
    assert one.svg != two.svg
    assert "25 CCGs" in svg_texts(two) and "25 CCGs" not in svg_texts(one)
    assert S.theme_counts_figure(counts).svg == one.svg  # and otherwise byte-identical


def test_figures_are_byte_identical_across_repeated_renders(tables):
    """The constrained layout is frozen at rounded positions, so solver noise cannot reach the SVG ids."""
    counts, guide = tables["theme_counts"], tables["topic_guide"]
    assert len({S.theme_counts_figure(counts).svg for _ in range(6)}) == 1
    assert len({S.topic_guide_figure(guide).svg for _ in range(3)}) == 1


def test_theme_count_values(tables):
    values = S.theme_count_values(tables["theme_counts"], tables["study_design"])
    assert (values["n_counts"], values["n_themes"], values["n_units"]) == (15, 3, 5)
    assert values["n_with_denominator"] + values["n_without_denominator"] == values["n_counts"]
    assert (values["largest_ccg_count"], values["largest_share_count"], values["n_interviews"]) == (26, 13, 37)
    assert values["theme1_n_counts"] + values["theme2_n_counts"] + values["theme3_n_counts"] == 15


# --- coverage -------------------------------------------------------------------------------

def test_coverage_tables_split_available_from_unavailable(tables):
    coverage = tables["coverage"]
    shown = S.coverage_table(coverage).frame
    gaps = S.coverage_gaps_table(coverage).frame
    assert len(shown) + len(gaps) == len(coverage)
    assert set(gaps["Fact id"]) == set(coverage[~coverage["available"].astype(bool)]["id"])
    assert "37" in set(shown["Number"])


def test_table1_placeholder_fills_no_cells(tables):
    coverage = tables["coverage"]
    table = S.table1_placeholder(coverage)
    assert table.frame.shape == (1, 1)
    out = html(table)
    assert "Not available in the source text" in out
    assert "Table 1. Geographical coverage of clinical commissioning groups (CCGs)" in out
    for region in ("North", "South", "Midlands", "East of England", "Yorkshire"):  # no invented regions
        assert region not in out
    with pytest.raises(ValueError):
        S.table1_placeholder(coverage, "cov-london-recruitment-difficult")


def test_ccg_landscape_keeps_the_date_basis(tables):
    landscape = S.ccg_landscape(tables["press_findings"], tables["timeline"])
    assert (landscape.before, landscape.after, landscape.mergers, landscape.fewer) == (135, 106, 9, 29)
    assert landscape.when == "April 2021" and landscape.date_basis == "inferred"
    out = html(S.ccg_landscape_table(tables["press_findings"], tables["timeline"]))
    assert "135" in out and "106" in out and "year inferred" in out and "CCGs in England" in out


def test_coverage_values(tables):
    values = S.coverage_values(tables["coverage"], tables["study_design"], tables["press_findings"],
                               tables["timeline"], tables["study_findings"])
    assert values["coverage_table_label"] == "Table 1"
    assert values["mergers_basis"] == "inferred" and values["months_interviews_to_mergers"] == 16
    assert values["interviews_period"] == "August 2019 to December 2019"


# --- glue safety ------------------------------------------------------------------------------

def test_glued_strings_paste_unchanged(tables):
    """Glued strings paste as computed: glue stores repr(value), which myst-nb literal-evaluates back."""
    from myst_nb.core.variables import format_plain_text

    every = {
        **S.policy_context_values(tables["policy_context"], tables["timeline"], tables["study_design"]),
        **S.study_design_values(tables["study_design"], tables["topic_guide"], tables["coreq"]),
        **S.theme_count_values(tables["theme_counts"], tables["study_design"]),
        **S.coverage_values(tables["coverage"], tables["study_design"], tables["press_findings"],
                            tables["timeline"], tables["study_findings"]),
    }
    for key, value in every.items():
        if isinstance(value, str):
            assert format_plain_text(repr(value), "s") == value, key
        else:
            assert isinstance(value, (int, float)) and not isinstance(value, bool), key


def test_study_design_values(tables):
    values = S.study_design_values(tables["study_design"], tables["topic_guide"], tables["coreq"])
    assert values["topic_guide_box"] == "Box 1"
    assert (values["n_topic_questions"], values["n_topic_sections"], values["largest_section_n"]) == (24, 5, 10)
    assert values["n_coreq_reported"] + values["n_coreq_partly"] + values["n_coreq_not"] == values["n_coreq_items"]
    assert values["coreq_worst_domain"] == "Research team and reflexivity"
