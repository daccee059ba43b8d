"""The synthesis's machine checks pass on the book's data, and each fails on the fault it exists to catch."""

from __future__ import annotations

import pandas as pd
import pytest

from pcn_evidence import load_table, vocabulary
from pcn_evidence.appraisal import (
    attribution_problems,
    book_rule_problems,
    ceiling_problems,
    concern_problems,
    concern_vocabulary_problems,
    downgrade_problems,
    evenness_problems,
    fact_topics,
    studies_behind,
    study_count_problems,
    supporting_sources,
    topic_support_problems,
)
from pcn_evidence.datapackage import split_tags
from pcn_evidence.evidence import complete_matrix
from pcn_evidence.sourcing import in_group

COMPONENTS = {"methodological_limitations": "methodological limitations", "coherence": "coherence",
              "adequacy": "adequacy", "relevance": "relevance"}
LEVELS = ["high", "moderate", "low", "very low"]


@pytest.fixture(scope="module")
def data():
    findings, sources = load_table("synthesis_findings"), load_table("sources")
    cells = complete_matrix(findings, load_table("evidence_matrix"), sources)
    topics = fact_topics(load_table("study_findings"), load_table("reported_findings"))
    return {"findings": findings, "sources": sources, "cells": cells, "cerqual": load_table("cerqual").fillna(""),
            "concerns": load_table("concerns").fillna("").set_index("id").to_dict("index"),
            "fact_topics": topics, "accounts": load_table("accounts").set_index("id").to_dict("index"),
            "messages": load_table("key_messages")}


def records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records")


def studies(sources: pd.DataFrame) -> list[str]:
    return list(sources.loc[in_group(sources, load_table("source_kinds"), "research"), "id"])


def test_the_levels_are_cerquals_own():
    assert vocabulary("cerqual", "confidence") == LEVELS


def test_every_downgrade_is_explained_by_a_component_with_concerns(data):
    assert downgrade_problems(records(data["cerqual"]), LEVELS, COMPONENTS) == []


def test_an_unexplained_downgrade_and_a_borrowed_reason_are_caught(data):
    rows = records(data["cerqual"])
    moved = next(r for r in rows if any(r[c] in ("moderate concerns", "serious concerns") for c in COMPONENTS))
    rows = [moved] + [r for r in rows if r is not moved]  # first: a finding with a component that must be named
    first = dict(rows[0], confidence_explanation="Started at high and downgraded by one level.")
    second = dict(rows[1], adequacy_explanation=rows[1]["adequacy_explanation"] + " The study is peer reviewed.")
    third = dict(rows[2], confidence_explanation=rows[2]["confidence_explanation"]
                 + " Consistent press accounts prevent a further downgrade.")
    found = downgrade_problems([first, second, third], LEVELS, COMPONENTS)
    assert any(p.startswith(f"{first['finding_id']}: the overall explanation does not name") for p in found), found
    assert any(p.startswith(f"{first['finding_id']}: rated") and "names no component" in p for p in found), found
    assert any(p.startswith(f"{second['finding_id']}: the adequacy explanation says 'peer review") for p in found)
    assert any(p.startswith(f"{third['finding_id']}: the confidence explanation says 'prevent a further downgrad")
               for p in found), found


def test_every_support_cites_a_fact_on_the_findings_topic(data):
    finding_topics = dict(zip(data["findings"]["id"], data["findings"]["topic"]))
    assert topic_support_problems(records(data["cells"]), finding_topics, data["fact_topics"]) == []
    off_topic = {**finding_topics, "f-ccg-support": "covid-19"}
    found = topic_support_problems(records(data["cells"]), off_topic, data["fact_topics"])
    assert found and all(p.startswith("f-ccg-support x ") for p in found)


def test_every_finding_and_message_says_whose_account_it_is(data):
    assert attribution_problems(records(data["findings"]), data["accounts"], records(data["messages"])) == []
    findings, messages = records(data["findings"]), records(data["messages"])
    findings[0] = dict(findings[0], finding="CCGs lent staff time to PCNs.", title="CCGs lent staff time")
    messages[0] = dict(messages[0], heading="CCGs carried PCNs' early management")
    found = attribution_problems(findings, data["accounts"], messages)
    assert f"{findings[0]['id']}: the finding does not say whose account it is ('CCG staff')" in found
    assert f"{findings[0]['id']}: the title does not name the account ('CCG staff')" in found
    assert any(p.startswith(f"{messages[0]['id']}: the heading names none") for p in found), found


def test_studies_contributing_are_studies(data):
    """The 'studies contributing' of a finding are research studies, never press articles or commentary."""
    research = set(studies(data["sources"]))
    kinds = load_table("source_kinds").set_index("id")
    for source in data["sources"].itertuples():
        assert (source.id in research) == (kinds.at[source.kind, "group"] == "research"), source.id


# --- the same concern, the same rating -------------------------------------------------------------------------

EXPLANATIONS = [f"{c}_explanation" for c in COMPONENTS] + ["confidence_explanation"]


def row_of(data, finding_id: str) -> dict:
    return next(dict(r) for r in records(data["cerqual"]) if r["finding_id"] == finding_id)


def with_concern(data, concern_id: str) -> dict:
    """A cerqual row (a copy) that lists the concern, whichever finding it is."""
    component = data["concerns"][concern_id]["component"]
    return next(dict(r) for r in records(data["cerqual"]) if concern_id in split_tags(r[f"{component}_concerns"]))


def test_every_component_is_rated_by_the_concerns_it_lists(data):
    assert concern_problems(records(data["cerqual"]), data["concerns"], list(COMPONENTS)) == []
    assert concern_vocabulary_problems(data["concerns"]) == []


def test_the_same_concern_earns_the_same_rating_for_every_finding(data):
    """Each concern recurs with one rating: no component that lists it is rated less seriously."""
    order = ["no or very minor concerns", "minor concerns", "moderate concerns", "serious concerns"]
    for concern_id, concern in data["concerns"].items():
        rated = {r[concern["component"]] for r in records(data["cerqual"])
                 if concern_id in split_tags(r[f"{concern['component']}_concerns"])}
        assert all(order.index(r) >= order.index(concern["rating"]) for r in rated), (concern_id, rated)


def test_self_report_rated_moderate_for_one_finding_only_is_caught(data):
    """The issue's case: self-report a moderate concern for one finding and a minor one for another."""
    row = with_concern(data, "ml-self-report")
    row["methodological_limitations"] = "moderate concerns"
    found = concern_problems([row], data["concerns"], list(COMPONENTS))
    assert found == [f"{row['finding_id']}: methodological limitations is rated 'moderate concerns', but the most "
                     "serious concern it lists earns 'minor concerns'"]


def test_the_same_contrary_press_evidence_rated_apart_is_caught(data):
    """The issue's case: the other side's press accounts, moderate for one finding and minor for another."""
    row = with_concern(data, "coh-other-side")
    row["coherence"] = "moderate concerns"
    assert concern_problems([row], data["concerns"], list(COMPONENTS)) == [
        f"{row['finding_id']}: coherence is rated 'moderate concerns', but the most serious concern it lists earns "
        "'minor concerns'"]


def test_a_rating_with_no_concern_an_unknown_one_and_one_of_another_component_are_caught(data):
    row = next(dict(r) for r in records(data["cerqual"]) if not r["coherence_concerns"])
    row["coherence"] = "minor concerns"
    found = concern_problems([row], data["concerns"], list(COMPONENTS))
    assert found == [f"{row['finding_id']}: coherence is rated 'minor concerns', but it lists no concern"]
    row = with_concern(data, "rel-commissioners-only")
    row["relevance_concerns"] += "; rel-invented"
    row["adequacy_concerns"] += "; rel-commissioners-only"
    found = concern_problems([row], data["concerns"], list(COMPONENTS))
    assert f"{row['finding_id']}: relevance lists 'rel-invented', which is not a concern in concerns.csv" in found
    assert f"{row['finding_id']}: adequacy lists 'rel-commissioners-only', a concern about relevance" in found


def test_an_explanation_that_disagrees_with_its_concerns_is_caught(data):
    concerns = data["concerns"]
    row = with_concern(data, "ml-self-report")  # the concern listed, its words taken out
    cue = concerns["ml-self-report"]["cue"]
    row["methodological_limitations_explanation"] = row["methodological_limitations_explanation"].replace(cue, "own")
    assert concern_problems([row], concerns, list(COMPONENTS)) == [
        f"{row['finding_id']}: the methodological limitations explanation does not say what its concern "
        f"'ml-self-report' is about (expected {cue!r})"]
    row = next(dict(r) for r in records(data["cerqual"])  # the words written, the concern not listed
               if "coh-other-side" not in split_tags(r["coherence_concerns"]))
    row["coherence_explanation"] += " The other side's accounts run against it."
    assert concern_problems([row], concerns, list(COMPONENTS)) == [
        f"{row['finding_id']}: the coherence explanation speaks of 'other side' (coh-other-side), a concern it does "
        "not list"]


def test_an_abstract_is_a_thin_basis_for_both_components(data):
    row = with_concern(data, "ml-abstract")
    row["adequacy_concerns"] = "; ".join(c for c in split_tags(row["adequacy_concerns"]) if c != "adq-abstract")
    found = concern_problems([row], data["concerns"], list(COMPONENTS))
    assert f"{row['finding_id']}: lists 'ml-abstract' without 'adq-abstract', which goes with it" in found


def test_a_concern_vocabulary_without_its_rules_is_caught(data):
    concerns = {k: dict(v) for k, v in data["concerns"].items()}
    capped = next(k for k, v in concerns.items() if v["ceiling"])
    paired = next(k for k, v in concerns.items() if v["pairs_with"])
    concerns[capped]["rule"] = ""
    concerns[concerns[paired]["pairs_with"]]["pairs_with"] = ""
    found = concern_vocabulary_problems(concerns)
    assert f"{capped}: a ceiling ({concerns[capped]['ceiling']}) with no rule saying it is the book's" in found
    assert f"{paired}: pairs with {concerns[paired]['pairs_with']!r}, which does not pair back" in found


# --- the book's own rules ---------------------------------------------------------------------------------------


def test_the_books_own_ceilings_hold(data):
    assert ceiling_problems(records(data["cerqual"]), data["concerns"], list(COMPONENTS), LEVELS) == []


@pytest.mark.parametrize("concern_id, raised", [("ml-second-hand-report", "moderate"), ("adq-one-study", "high"),
                                                ("ml-abstract", "high")])
def test_a_rating_above_a_concerns_ceiling_is_caught(data, concern_id, raised):
    row = dict(with_concern(data, concern_id), confidence=raised)
    found = ceiling_problems([row], data["concerns"], list(COMPONENTS), LEVELS)
    assert any(p.startswith(f"{row['finding_id']}: rated {raised}, above") and f"{concern_id!r}" in p
               for p in found), found


def study_of(sources: pd.DataFrame) -> dict[str, list[str]]:
    research = sources[sources["id"].isin(studies(sources))].fillna("")
    return {r.id: split_tags(r.studies) for r in research.itertuples()}


def test_one_study_no_high_and_no_study_at_most_low(data):
    confidence = dict(zip(data["cerqual"]["finding_id"], data["cerqual"]["confidence"]))
    behind = studies_behind(supporting_sources(data["cells"]), study_of(data["sources"]))
    assert study_count_problems(confidence, behind, {0: "low", 1: "moderate"}, LEVELS) == []
    one = next(f for f in confidence if len(behind.get(f, ())) == 1)
    none = next(f for f in confidence if not behind.get(f))
    raised = dict(confidence, **{one: "high", none: "moderate"})
    assert sorted(study_count_problems(raised, behind, {0: "low", 1: "moderate"}, LEVELS)) == sorted([
        f"{one}: rated high, but 1 study supports it (at most moderate)",
        f"{none}: rated moderate, but 0 studies support it (at most low)"])


def test_two_papers_of_one_study_and_a_press_report_of_it_count_once():
    """A study's report, its paper and a press report of it: one study (the press report is not research)."""
    supports = {"f-a": ["report", "paper", "press-report"], "f-b": ["report", "other-study"]}
    of = {"report": ["evaluation"], "paper": ["evaluation"], "other-study": []}
    behind = studies_behind(supports, of)
    assert behind == {"f-a": {"evaluation"}, "f-b": {"evaluation", "other-study"}}
    assert study_count_problems({"f-a": "high", "f-b": "high"}, behind, {0: "low", 1: "moderate"}, LEVELS) == [
        "f-a: rated high, but 1 study supports it (at most moderate)"]


def test_the_books_rules_are_stated_as_the_books(data):
    assert book_rule_problems(records(data["cerqual"]), EXPLANATIONS) == []
    row = next(r for r in records(data["cerqual"]) if "book's own rule" in r["confidence_explanation"])
    planted = dict(row, confidence_explanation=row["confidence_explanation"].replace(
        "By the book's own rule, a", "A"))
    found = book_rule_problems([planted], EXPLANATIONS)
    assert len(found) == 1 and found[0].startswith(f"{row['finding_id']}: the confidence explanation says") \
        and "as if it were GRADE-CERQual's rule" in found[0], found


# --- the overall level, even across findings --------------------------------------------------------------------


def test_no_finding_is_rated_above_one_with_no_more_serious_concerns(data):
    assert evenness_problems(records(data["cerqual"]), list(COMPONENTS), LEVELS) == []


def test_a_finding_rated_above_one_with_lighter_concerns_is_caught(data):
    rows = records(data["cerqual"])
    lower = max(rows, key=lambda r: LEVELS.index(r["confidence"]))
    higher = min(rows, key=lambda r: LEVELS.index(r["confidence"]))
    assert lower["confidence"] != higher["confidence"]
    planted = [dict(lower, confidence=higher["confidence"], **{c: "serious concerns" for c in COMPONENTS}),
               dict(higher, confidence=lower["confidence"], **{c: "no or very minor concerns" for c in COMPONENTS})]
    assert evenness_problems(planted, list(COMPONENTS), LEVELS) == [
        f"{lower['finding_id']} is rated {higher['confidence']}, above {higher['finding_id']} ({lower['confidence']}), "
        "though its concerns are at least as serious on every component"]
