"""The synthesis's machine checks pass on the book's data, and each fails on the fault it exists to catch."""

from __future__ import annotations

import pandas as pd
import pytest

from pcn_evidence import load_table, vocabulary
from pcn_evidence.appraisal import (
    attribution_problems,
    downgrade_problems,
    fact_topics,
    research_support_problems,
    supporting_sources,
    topic_support_problems,
)
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
    return {"findings": findings, "sources": sources, "cells": cells, "cerqual": load_table("cerqual"),
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


def test_findings_without_research_support_are_at_most_low(data):
    confidence = dict(zip(data["cerqual"]["finding_id"], data["cerqual"]["confidence"]))
    assert research_support_problems(confidence, supporting_sources(data["cells"]), studies(data["sources"]), "low",
                                     LEVELS) == []
    press_only = next(f for f in confidence if "bjgp-2021" not in supporting_sources(data["cells"]).get(f, []))
    raised = dict(confidence, **{press_only: "moderate"})
    assert research_support_problems(raised, supporting_sources(data["cells"]), studies(data["sources"]), "low", LEVELS) \
        == [f"{press_only}: rated moderate, but no research study supports it (at most low)"]


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
