"""Tests for pcn_evidence.press: the trade-press and NHS Confederation chapters."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pcn_evidence import load_table, split_tags
from pcn_evidence import press as P

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schemas"


@pytest.fixture
def press() -> pd.DataFrame:
    return load_table("press_findings")


@pytest.fixture
def sources() -> pd.DataFrame:
    return load_table("sources")


@pytest.fixture
def timeline() -> pd.DataFrame:
    return load_table("timeline")


@pytest.fixture
def theme_counts() -> pd.DataFrame:
    return load_table("theme_counts")


@pytest.fixture
def study_design() -> pd.DataFrame:
    return load_table("study_design")


def _field(name: str) -> dict:
    fields = json.loads((SCHEMAS / "press_findings.json").read_text())["fields"]
    return next(f for f in fields if f["name"] == name)


def _row(**values: object) -> dict:
    base = {"id": "pf-x", "reports_on": "NHS Confederation report", "speaker": "s", "body": "NHS Confederation",
            "finding": "f", "number": pd.NA, "unit": pd.NA, "topics": "relationships",
            "source_id": "pulse-relationships", "locator": "paragraph 1", "quote": "q"}
    base.update(values)
    return base


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["number"] = frame["number"].astype("Float64")
    return frame


def _html(table) -> str:
    return table._repr_html_()


# --------------------------------------------------------------------------- constants and helpers

def test_join_words():
    assert P.join_words([]) == "none"
    assert P.join_words([], empty="nobody") == "nobody"
    assert P.join_words(["a"]) == "a"
    assert P.join_words(["a", "b"]) == "a and b"
    assert P.join_words(iter(["a", "b", "c"])) == "a, b and c"


def test_labels_cover_the_schema_enums():
    assert set(P.TOPIC_LABELS) == set(_field("topics")["pcn:list_enum"])
    assert list(P.BODY_ORDER) == _field("body")["constraints"]["enum"]


def test_topic_label(press):
    for cell in press["topics"]:
        for tag in split_tags(cell):
            assert P.topic_label(tag)
    assert P.topic_label("workforce-arrs") == "Workforce and the ARRS"
    with pytest.raises(KeyError, match="no label"):
        P.topic_label("not-a-tag")


def test_article_labels_name_every_press_article_and_start_with_its_outlet(sources):
    labels = P.article_labels(sources)
    assert list(labels) == list(sources.loc[sources["kind"] == "trade press", "id"])
    outlets = dict(zip(sources["id"], sources["outlet"]))
    assert all(label.startswith(outlets[sid]) for sid, label in labels.items())


def test_article_labels_refuse_an_unlabelled_article(sources):
    extra = pd.concat([sources, sources.iloc[[1]].assign(id="new-article")], ignore_index=True)
    with pytest.raises(KeyError, match="new-article"):
        P.article_labels(extra)


# --------------------------------------------------------------------------- Confederation

def test_confederation_sources_are_the_two_articles_covering_the_report(sources):
    assert P.confederation_source_ids(sources) == ["gponline-autonomy", "pulse-relationships"]


def test_confederation_findings_filter(press, sources):
    found = P.confederation_findings(press, sources)
    assert set(found["source_id"]) == {"gponline-autonomy", "pulse-relationships"}
    assert set(found["reports_on"]) == {"NHS Confederation report", "interview or statement"}
    statements = found[found["reports_on"] == "interview or statement"]
    assert (statements["body"] == "NHS Confederation").all()
    assert any("Mark Spencer" in s for s in statements["speaker"])
    assert any("Ruth Rankine" in s for s in statements["speaker"])
    # the outlets' own context in the same articles is not the report's
    for context in ("pf-gpa-february-pared-back-specs-workload", "pf-gpa-gps-feared-time-for-relationships",
                    "pf-pulse-nhse-98-percent-signed-up", "pf-pulse-analysis-more-opt-outs"):
        assert context not in set(found["id"])
    # every report row of the two articles is kept
    expected = press[press["source_id"].isin(["gponline-autonomy", "pulse-relationships"])
                     & (press["reports_on"] == "NHS Confederation report")]
    assert set(expected["id"]) <= set(found["id"])
    assert list(found.index) == list(range(len(found)))


def test_confederation_findings_exclude_other_sources_and_keep_source_order(sources):
    frame = _frame([
        _row(id="pf-b", source_id="pulse-relationships"),
        _row(id="pf-a", source_id="gponline-autonomy", reports_on="interview or statement"),
        _row(id="pf-c", source_id="gponline-performance", reports_on="interview or statement"),
        _row(id="pf-d", source_id="gponline-autonomy", reports_on="interview or statement", body="BMA"),
        _row(id="pf-e", source_id="gponline-autonomy", reports_on="outlet reporting"),
    ])
    assert list(P.confederation_findings(frame, sources)["id"]) == ["pf-a", "pf-b"]


def test_confederation_table_labels_every_row_with_its_outlet(press, sources):
    found = P.confederation_findings(press, sources)
    table = P.confederation_table(found, sources)
    assert set(table.frame["As reported by"]) == {"GPonline", "Pulse"}
    whose = dict(zip(table.frame[P.ID_COLUMN], table.frame["Whose words"]))
    assert whose["pf-gpa-arrs-remains-restrictive"] == "The report (as the article reports it)"
    assert whose["pf-gpa-spencer-freedom-to-innovate"].startswith("Interview or statement by Dr Mark Spencer")
    quotes = table.frame["Quote, verbatim from the article [where in the article]"]
    assert all(q.startswith(str(r.quote)) and q.endswith(f"[{r.locator}]") for q, r in zip(quotes, found.itertuples()))
    assert list(table.frame[P.ID_COLUMN]) == list(found["id"])
    html = _html(table)
    assert "as reported by GPonline and Pulse" in html and 'id="tbl-confederation-findings"' in html


def test_confederation_dating_table_is_honest_about_dates(sources, timeline):
    frame = P.confederation_dating_table(sources, timeline).frame
    assert list(frame["Date (as precise as known)"]) == ["not dated in the text", "not dated in the text", "2020"]
    assert list(frame["Basis"]) == ["no date given", "no date given", "inferred"]
    assert "July 2019" in frame["How it is known"].iloc[0]
    assert "tl-nhs-confederation-pcn-report" in frame["Item"].iloc[2]


def test_topic_outlet_counts_on_a_small_frame(sources):
    frame = _frame([
        _row(id="pf-1", source_id="gponline-autonomy", topics="leadership;national-vs-local"),
        _row(id="pf-2", source_id="pulse-relationships", topics="leadership"),
        _row(id="pf-3", source_id="pulse-relationships", topics="relationships;leadership"),
    ])
    counts = P.topic_outlet_counts(frame, sources, topics=["ccg-mergers", "leadership", "national-vs-local",
                                                           "relationships"])
    assert list(counts.columns) == ["GPonline", "Pulse", "status"]
    assert list(counts.index) == ["leadership", "national-vs-local", "relationships", "ccg-mergers"]
    assert counts.loc["leadership", "GPonline"] == 1 and counts.loc["leadership", "Pulse"] == 2
    assert dict(counts["status"]) == {"leadership": "both", "national-vs-local": "GPonline only",
                                      "relationships": "Pulse only", "ccg-mergers": "neither"}
    assert P.overlap_groups(counts) == {"both": ["leadership"], "GPonline only": ["national-vs-local"],
                                        "Pulse only": ["relationships"], "neither": ["ccg-mergers"]}


def test_press_topics(press):
    topics = P.press_topics(press)
    assert topics == sorted(set(topics)) and "national-vs-local" in topics
    assert set(topics) <= set(P.TOPIC_LABELS)
    assert P.press_topics(_frame([_row(topics="leadership; covid-19"), _row(topics="leadership")])) == [
        "covid-19", "leadership"]


def test_topic_outlet_counts_default_universe_is_the_tags_used(sources):
    frame = _frame([_row(topics="covid-19"), _row(id="pf-2", source_id="gponline-autonomy", topics="leadership")])
    assert sorted(P.topic_outlet_counts(frame, sources).index) == ["covid-19", "leadership"]


def test_overlap_on_the_real_data_matches_the_tags(press, sources):
    found = P.confederation_findings(press, sources)
    counts = P.topic_outlet_counts(found, sources)
    outlets = dict(zip(sources["id"], sources["outlet"]))
    for tag in counts.index:
        for sid in ("gponline-autonomy", "pulse-relationships"):
            expected = sum(tag in split_tags(t) for t in found.loc[found["source_id"] == sid, "topics"])
            assert counts.loc[tag, outlets[sid]] == expected
    assert counts.loc["national-vs-local", "status"] == "GPonline only"
    assert counts.loc["relationships", "status"] == "Pulse only"
    assert counts.loc["leadership", "status"] == "both"


def test_overlap_table_and_figure(press, sources):
    counts = P.topic_outlet_counts(P.confederation_findings(press, sources), sources)
    html = _html(P.overlap_table(counts))
    assert "GPonline only" in html and "Pulse only" in html and "Both" in html
    figure = P.overlap_figure(counts)
    again = P.overlap_figure(counts)
    assert figure.svg == again.svg and figure._repr_html_() == again._repr_html_()
    groups = P.overlap_groups(counts)
    assert f"{len(groups['both'])} topics reported by both" in figure.alt
    assert f"{len(counts)} topic tags" in figure.alt
    assert 'role="img"' in figure._repr_html_()


def test_term_outlet_counts_whole_words_any_case(sources):
    frame = _frame([
        _row(id="pf-1", source_id="gponline-autonomy", quote="The ARRS is restrictive; BARRS is not a word."),
        _row(id="pf-2", source_id="pulse-relationships", quote="Burnout and more BURNOUT; burnouts differ."),
    ])
    terms = P.term_outlet_counts(frame, sources, terms=("ARRS", "burnout"))
    assert terms.loc["ARRS", "GPonline"] == 1 and terms.loc["ARRS", "Pulse"] == 0
    assert terms.loc["burnout", "Pulse"] == 1 and terms.loc["burnout", "GPonline"] == 0


def test_terms_on_the_real_data_back_the_overlap_claims(press, sources):
    terms = P.term_outlet_counts(P.confederation_findings(press, sources), sources)
    assert (terms.loc[["burnout", "turnover"]] > 0).all().all()
    assert terms.loc["relationships", "GPonline"] == 0 and terms.loc["relationships", "Pulse"] > 0
    assert terms.loc["ARRS", "Pulse"] == 0 and terms.loc["ARRS", "GPonline"] > 0
    assert "Word looked up in the quotes" in _html(P.term_table(terms))


def test_confederation_glue(press, sources, timeline):
    values = P.confederation_glue(press, sources, timeline)
    found = P.confederation_findings(press, sources)
    assert values["conf_n_findings"] == len(found) == values["conf_n_report"] + values["conf_n_statements"]
    assert values["conf_n_gponline"] + values["conf_n_pulse"] == len(found)
    assert values["conf_n_undated"] == 2
    assert values["conf_report_date"] == "2020" and values["conf_report_date_basis"] == "inferred"
    assert values["conf_term_burnout_outlets"] == "GPonline and Pulse"
    assert values["conf_term_relationships_outlets"] == "Pulse"
    assert values["conf_term_arrs_outlets"] == "GPonline"
    assert values["conf_topics_a_only"] == "national rules versus local flexibility"
    assert "COVID-19" in values["conf_topics_both"]
    assert all(k.startswith("conf_") for k in values)


# --------------------------------------------------------------------------- trade press

def test_article_table_dates_only_what_the_text_dates(sources, press):
    frame = P.article_table(sources, press).frame
    assert list(frame["Date (ISO 8601)"]) == ["2021-06-29"] + ["not dated in the text"] * 3
    assert int(frame["Findings coded (rows)"].sum()) == len(press)
    assert int(frame["Of which carry a number (rows)"].sum()) == int(press["number"].notna().sum())


def test_body_article_counts(press, sources):
    counts = P.body_article_counts(press, sources)
    assert int(counts.to_numpy().sum()) == len(press)
    assert list(counts.columns) == list(P.ARTICLE_LABELS)
    assert list(counts.index) == [b for b in P.BODY_ORDER if b in set(press["body"])]
    assert counts.loc["BMA", "gponline-performance"] == len(press[(press["body"] == "BMA")])
    with pytest.raises(ValueError, match="not in BODY_ORDER"):
        P.body_article_counts(press.assign(body="Someone else"), sources)


def test_body_article_table_has_totals(press, sources):
    frame = P.body_article_table(P.body_article_counts(press, sources)).frame
    assert frame.iloc[-1, 0] == "All bodies"
    assert int(frame.iloc[-1, -1]) == len(press)
    assert "The outlet itself" in list(frame.iloc[:, 0])


def test_body_article_figure_is_deterministic_and_states_counts(press, sources):
    counts = P.body_article_counts(press, sources)
    one, two = P.body_article_figure(counts), P.body_article_figure(counts)
    assert one.svg == two.svg
    assert f"{len(press)} in all" in one.alt
    assert "BMA (" in one.alt


def test_statements_exclude_and_order(press, sources):
    rows = P.statements(press, sources, exclude=["pf-pulse-analysis-more-opt-outs"])
    assert len(rows) == len(press) - 1
    order = {sid: i for i, sid in enumerate(sources["id"])}
    assert list(rows["source_id"].map(order)) == sorted(rows["source_id"].map(order))
    with pytest.raises(KeyError, match="pf-nope"):
        P.statements(press, sources, exclude=["pf-nope"])


def test_tables_escape_their_cells(sources):
    frame = _frame([_row(quote="<script>alert(1)</script>", speaker="A & B", reports_on="interview or statement")])
    for table in (P.statements_table(frame, caption="c <b>"), P.confederation_table(frame, sources)):
        html = _html(table)
        assert "<script>" not in html and "&lt;script&gt;" in html and "A &amp; B" in html


def test_every_press_finding_and_number_is_shown_exactly_once(press, sources):
    """The two chapters together show every press_findings id, and every number beside its id."""
    conf = P.confederation_table(P.confederation_findings(press, sources), sources).frame
    conf_ids = list(conf[P.ID_COLUMN])
    rest = P.statements_table(P.statements(press, sources, exclude=conf_ids), caption="c").frame
    shown = conf_ids + list(rest[P.ID_COLUMN])
    assert sorted(shown) == sorted(press["id"]), "some press finding is in no chapter table, or in two"
    numbered = press[press["number"].notna()]
    assert set(numbered["id"]) <= set(rest[P.ID_COLUMN]), "a numbered row is missing from the statements table"
    by_id = rest.set_index(P.ID_COLUMN)
    for row in numbered.itertuples():
        assert float(by_id.loc[row.id, "Number stated"]) == float(row.number)
        assert by_id.loc[row.id, "Unit of the number"] == row.unit


# --------------------------------------------------------------------------- press versus study

def test_study_facts_pool_counts_and_design(theme_counts, study_design):
    facts = P.study_facts(theme_counts, study_design)
    assert {"tc-ccgs-allocated-staff-time", "tc-ccgs-seconded-staff", "sd-sample-ccg-employees"} <= set(facts["id"])
    assert set(facts["table"]) == {"theme_counts", "study_design"}
    assert facts["number"].notna().all()
    with pytest.raises(ValueError, match="duplicate"):
        P.study_facts(theme_counts, study_design.assign(id="tc-ccgs-seconded-staff"))


def test_numbered_study_claims(press):
    claims = P.numbered_study_claims(press)
    assert list(claims["id"]) == ["pf-hl-study-interviewed-37-ccg-employees", "pf-hl-26-ccgs-allocated-staff-time",
                                  "pf-hl-four-ccgs-seconded-staff"]


def test_units_compatible():
    assert P.units_compatible("CCGs", "CCGs")
    assert P.units_compatible("CCG employees interviewed", "CCG employees")
    assert not P.units_compatible("CCG employees interviewed", "interviews")
    assert not P.units_compatible("CCGs", "CCG staff")
    assert not P.units_compatible("CCGs", "")


def test_match_candidates(theme_counts, study_design):
    facts = P.study_facts(theme_counts, study_design)
    assert P.match_candidates(26, "CCGs", facts) == ["tc-ccgs-allocated-staff-time"]
    assert P.match_candidates(37, "CCG employees interviewed", facts) == ["sd-sample-ccg-employees"]
    assert len(P.match_candidates(4, "CCGs", facts)) == 3
    assert P.match_candidates(25, "CCGs", facts) == []


def test_every_override_names_existing_ids(press, theme_counts, study_design):
    facts = set(P.study_facts(theme_counts, study_design)["id"])
    claims = set(P.numbered_study_claims(press)["id"])
    for press_id, study_id in P.STUDY_MATCH_OVERRIDES.items():
        assert press_id in claims and study_id in facts


def test_match_press_to_study(press, theme_counts, study_design):
    claims, facts = P.numbered_study_claims(press), P.study_facts(theme_counts, study_design)
    matches = P.match_press_to_study(claims, facts)
    assert dict(zip(matches["press_id"], matches["study_id"])) == {
        "pf-hl-study-interviewed-37-ccg-employees": "sd-sample-ccg-employees",
        "pf-hl-26-ccgs-allocated-staff-time": "tc-ccgs-allocated-staff-time",
        "pf-hl-four-ccgs-seconded-staff": "tc-ccgs-seconded-staff",
    }
    assert matches.set_index("press_id").loc["pf-hl-four-ccgs-seconded-staff", "basis"].startswith("explicit override")
    with pytest.raises(ValueError, match="STUDY_MATCH_OVERRIDES"):
        P.match_press_to_study(claims, facts, overrides={})
    with pytest.raises(KeyError, match="do not exist"):
        P.match_press_to_study(claims, facts, overrides={"pf-hl-four-ccgs-seconded-staff": "tc-missing"})
    with pytest.raises(KeyError, match="not numbered press claims"):
        P.match_press_to_study(claims, facts, overrides={**P.STUDY_MATCH_OVERRIDES, "pf-other": "tc-ccgs-seconded-staff"})


def test_number_as_written():
    assert P.number_as_written("found that as many as 26 CCGs reported", 26) == ("as many as", "26")
    assert P.number_as_written("Twenty-six CCGs reported", 26) == ("", "Twenty-six")
    assert P.number_as_written("In the short term, four CCGs", 4) == ("", "four")
    assert P.number_as_written("up to 98% of practices", 98) == ("up to", "98%")
    with pytest.raises(ValueError, match="does not state"):
        P.number_as_written("no number here", 3)


def test_wording_differences():
    notes = P.wording_differences("as many as 26 CCGs", "Twenty-six CCGs", 26)
    assert len(notes) == 1 and "'as many as'" in notes[0] and "upper bound" in notes[0] and "plainly" in notes[0]
    notes = P.wording_differences("four CCGs agreed", "In the short term, four CCGs agreed", 4)
    assert len(notes) == 1 and "'in the short term'" in notes[0] and "leaves it out" in notes[0]
    assert P.wording_differences("with 37 CCG employees", "with 37 CCG employees", 37) == []
    assert "study writes 'about'" in P.wording_differences("37 staff", "about 37 staff", 37)[0]


def test_study_comparison_on_the_real_data(press, theme_counts, study_design):
    comparison = P.study_comparison(press, theme_counts, study_design)
    assert comparison["numbers_agree"].all() and comparison["units_agree"].all()
    by_id = comparison.set_index("press_id")
    assert by_id.loc["pf-hl-26-ccgs-allocated-staff-time", "press_written"] == "as many as 26"
    assert by_id.loc["pf-hl-26-ccgs-allocated-staff-time", "study_written"] == "Twenty-six"
    assert list(comparison["press_qualifier"]) == ["", "as many as", ""]
    assert list(comparison["study_qualifier"]) == ["", "", ""]
    assert by_id.loc["pf-hl-study-interviewed-37-ccg-employees", "wording_notes"] == []
    assert any("in the short term" in n for n in by_id.loc["pf-hl-four-ccgs-seconded-staff", "wording_notes"])


def test_study_comparison_flags_a_disagreement(press, theme_counts, study_design):
    changed = press.copy()
    row = changed["id"] == "pf-hl-26-ccgs-allocated-staff-time"
    changed.loc[row, "number"] = 25.0
    changed.loc[row, "quote"] = "as many as 25 CCGs reported"
    overrides = {**P.STUDY_MATCH_OVERRIDES, "pf-hl-26-ccgs-allocated-staff-time": "tc-ccgs-allocated-staff-time"}
    comparison = P.study_comparison(changed, theme_counts, study_design, overrides=overrides).set_index("press_id")
    assert not comparison.loc["pf-hl-26-ccgs-allocated-staff-time", "numbers_agree"]
    assert "differ" in comparison.loc["pf-hl-26-ccgs-allocated-staff-time", "wording_notes"][0]
    frame = P.comparison_table(comparison.reset_index()).frame
    checks = frame.loc[frame["Aspect"] == "Number"].set_index("Press claim (number and unit)")["Check"]
    assert checks["25 CCGs"] == "Differ" and checks["4 CCGs"] == "Agree"


def test_comparison_table(press, theme_counts, study_design):
    table = P.comparison_table(P.study_comparison(press, theme_counts, study_design))
    frame = table.frame
    numbers = frame[frame["Aspect"] == "Number"]
    assert list(numbers["Check"]) == ["Agree", "Agree", "Agree"]
    assert list(numbers["Press (Healthcare Leader)"]) == ["37", "26", "4"]
    assert list(numbers["Study (BJGP)"]) == ["37", "26", "4"]
    written = frame[frame["Aspect"] == "Number as written"].set_index("Press claim (number and unit)")
    assert written.loc["26 CCGs", "Press (Healthcare Leader)"] == "as many as 26"
    assert written.loc["26 CCGs", "Study (BJGP)"] == "Twenty-six"
    ids = frame[frame["Aspect"] == "Finding id"]
    assert list(ids["Study (BJGP)"]) == ["sd-sample-ccg-employees (study_design)",
                                         "tc-ccgs-allocated-staff-time (theme_counts)",
                                         "tc-ccgs-seconded-staff (theme_counts)"]
    html = _html(table)
    assert "None found" in html and "explicit override" in html and 'id="tbl-press-vs-study"' in html


def test_trade_press_glue(press, sources, theme_counts, study_design):
    values = P.trade_press_glue(press, sources, theme_counts, study_design)
    assert values["tp_n_findings"] == len(press) == values["tp_n_statement_rows"] + values["tp_n_conf_rows"]
    assert values["tp_n_dated"] == 1 and values["tp_n_undated"] == 3 and values["tp_hl_date"] == "2021-06-29"
    assert values["tp_n_compared"] == values["tp_n_agree"] == 3 and values["tp_n_disagree"] == 0
    assert (values["tp_n_ccgs_before"], values["tp_n_ccgs_after"], values["tp_n_mergers"]) == (135, 106, 9)
    assert values["tp_qualified_press"] == "as many as 26"
    assert sum(values[f"tp_n_{k}"] for k in ("hl_2021_vacuum", "gponline_performance", "gponline_autonomy",
                                            "pulse_relationships")) == len(press)
    assert all(k.startswith("tp_") for k in values)


def test_a_fact_coded_twice_with_the_same_quote_is_not_an_ambiguity():
    import pandas as pd
    from pcn_evidence.press import match_candidates
    facts = pd.DataFrame({"id": ["sd-a", "sd-a-copy", "sd-b"], "number": [37.0, 37.0, 37.0],
                          "unit": ["CCG employees", "CCG employees", "CCG employees"],
                          "quote": ["37 CCG employees", "37 CCG employees", "another sentence with 37"]})
    assert match_candidates(37, "CCG employees interviewed", facts.iloc[:2]) == ["sd-a"]
    assert match_candidates(37, "CCG employees interviewed", facts) == ["sd-a", "sd-b"]  # still ambiguous
