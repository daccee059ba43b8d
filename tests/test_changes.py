"""pcn_evidence.changes: each kind of change, the history of an item, and the recorded changes kept current."""

from __future__ import annotations

import json
import shutil
import subprocess

import pandas as pd
import pytest
from helpers import DATA, IN_CI, ROOT

from pcn_evidence.changes import (
    COLUMNS,
    COMPONENTS,
    UNRELEASED,
    Snapshot,
    compare,
    confidence_changes,
    describe,
    history,
    label_release,
    merge,
    snapshot,
    version_key,
)
from pcn_evidence.errors import EvidenceError
from pcn_evidence.tools.paths import tool

RATING = {"confidence": "moderate", "methodological_limitations": "minor concerns", "coherence": "minor concerns",
          "adequacy": "moderate concerns", "relevance": "minor concerns"}


def base(**changes: object) -> Snapshot:
    fields = dict(findings={"f-a": {"title": "A", "finding": "A happened."}, "f-b": {"title": "B", "finding": "B."}},
                  ratings={"f-a": dict(RATING), "f-b": dict(RATING, confidence="low")},
                  messages={"km-a": {"heading": "About A", "finding_ids": "f-a"}},
                  sources={"s": "A source"}, facts={"x-1": "s", "x-2": "s"})
    fields.update(changes)
    return Snapshot(**fields)  # type: ignore[arg-type]


def kinds(changes: pd.DataFrame) -> set[tuple[str, str, str]]:
    """One entry per change: the rows of one item and kind of change."""
    return set(zip(changes["item_kind"], changes["item_id"], changes["change"]))


def test_no_change_gives_no_rows():
    assert compare(base(), base()).empty
    assert list(compare(base(), base()).columns) == COLUMNS


def test_a_changed_rating_carries_every_component_before_and_after():
    new = base(ratings={"f-a": dict(RATING, confidence="low", adequacy="serious concerns"),
                        "f-b": dict(RATING, confidence="low")})
    changes = compare(base(), new, previous="0.1.0")
    assert kinds(changes) == {("finding", "f-a", "confidence changed")}
    assert changes["field"].tolist() == ["confidence", *COMPONENTS]
    row = confidence_changes(changes).iloc[0]
    assert (row["confidence_old"], row["confidence_new"]) == ("moderate", "low")
    assert (row["adequacy_old"], row["adequacy_new"]) == ("moderate concerns", "serious concerns")
    assert row["coherence_old"] == row["coherence_new"] == "minor concerns"


def test_a_component_rejudged_without_a_new_rating_is_its_own_kind():
    new = base(ratings={"f-a": dict(RATING, coherence="moderate concerns"), "f-b": dict(RATING, confidence="low")})
    changes = compare(base(), new)
    assert kinds(changes) == {("finding", "f-a", "judgement changed")}
    assert changes[["field", "old", "new"]].values.tolist() == [["coherence", "minor concerns", "moderate concerns"]]


def test_added_and_removed_findings_keep_their_title_and_confidence():
    new = base(findings={"f-a": {"title": "A", "finding": "A happened."}, "f-c": {"title": "C", "finding": "C."}},
               ratings={"f-a": dict(RATING), "f-c": dict(RATING, confidence="very low")})
    changes = compare(base(), new)
    assert kinds(changes) == {("finding", "f-b", "removed"), ("finding", "f-c", "added")}
    added = changes[changes["item_id"] == "f-c"].set_index("field")["new"].to_dict()
    removed = changes[changes["item_id"] == "f-b"].set_index("field")["old"].to_dict()
    assert added == {"title": "C", "confidence": "very low"} and removed == {"title": "B", "confidence": "low"}


def test_rewording_is_one_change_with_a_row_per_field():
    new = base(findings={"f-a": {"title": "A, reworded", "finding": "A happened, in places."},
                         "f-b": {"title": "B", "finding": "B."}})
    changes = compare(base(), new)
    assert kinds(changes) == {("finding", "f-a", "reworded")}
    assert changes["field"].tolist() == ["title", "finding"]


def test_key_messages_added_reworded_and_regrouped():
    new = base(messages={"km-a": {"heading": "About A, again", "finding_ids": "f-a; f-b"},
                         "km-b": {"heading": "About B", "finding_ids": "f-b"}})
    assert kinds(compare(base(), new)) == {("key message", "km-a", "findings changed"),
                                           ("key message", "km-a", "reworded"), ("key message", "km-b", "added")}


def test_a_message_whose_summary_or_sources_changed_is_recorded_where_both_versions_have_them():
    old = base(messages={"km-a": {"heading": "H", "finding_ids": "f-a", "summary": "S.", "source_ids": "s"}})
    new = base(messages={"km-a": {"heading": "H", "finding_ids": "f-a", "summary": "S, again.", "source_ids": "s; t"}})
    changes = compare(old, new)
    assert kinds(changes) == {("key message", "km-a", "sources changed"), ("key message", "km-a", "reworded")}
    assert set(changes["field"]) == {"source_ids", "summary"}
    # a version that kept no summaries or sources (0.1.0) is compared on what both have
    assert compare(base(messages={"km-a": {"heading": "H", "finding_ids": "f-a"}}), new).empty


def test_the_same_findings_in_another_order_are_not_a_change():
    old = base(messages={"km-a": {"heading": "H", "finding_ids": "f-a; f-b"}})
    new = base(messages={"km-a": {"heading": "H", "finding_ids": "f-b; f-a"}})
    assert compare(old, new).empty


def test_unknown_key_messages_are_never_reported_as_all_new():
    assert compare(base(messages=None), base()).empty


def test_facts_added_and_removed_per_source_and_a_new_source():
    new = base(sources={"s": "A source", "t": "Another"}, facts={"x-1": "s", "x-3": "s", "y-1": "t"})
    changes = compare(base(), new)
    assert kinds(changes) == {("source", "s", "facts added"), ("source", "s", "facts removed"),
                              ("source", "t", "added"), ("source", "t", "facts added")}
    assert changes[changes["change"] == "facts removed"]["old"].tolist() == ["x-2"]


def test_changes_are_ordered_by_what_a_reader_cares_about_first():
    new = base(findings={"f-a": {"title": "A2", "finding": "A happened."}, "f-b": {"title": "B", "finding": "B."},
                         "f-c": {"title": "C", "finding": "C."}},
               ratings={"f-a": dict(RATING), "f-b": dict(RATING, confidence="very low"), "f-c": dict(RATING)})
    order = list(dict.fromkeys(compare(base(), new)["change"]))
    assert order == ["confidence changed", "added", "reworded"]


def test_history_since_and_last_change():
    first = compare(base(), base(findings={**base().findings, "f-c": {"title": "C", "finding": "C."}}),
                    version="0.2.0", previous="0.1.0", date="2027-01-01")
    later = compare(base(), base(ratings={"f-a": dict(RATING, confidence="low"), "f-b": dict(RATING)}),
                    previous="0.2.0")
    changes = merge(first, later)
    found = history(changes, ["f-a", "f-b", "f-c", "km-a"], rests_on={"km-a": ["f-a"]}).set_index("id")
    assert found.loc["f-a"].tolist() == ["0.1.0", UNRELEASED]
    assert found.loc["f-c"].tolist() == ["0.2.0", "0.2.0"]
    assert found.loc["km-a"].tolist() == ["0.1.0", UNRELEASED]  # its finding's confidence moved


def test_history_with_no_changes_needs_the_first_version():
    empty = pd.DataFrame(columns=COLUMNS, dtype=str)
    assert history(empty, ["f-a"], first="0.1.0").values.tolist() == [["f-a", "0.1.0", "0.1.0"]]
    with pytest.raises(ValueError, match="first="):
        history(empty, ["f-a"])


def test_a_release_relabels_only_the_unreleased_changes():
    released = compare(base(), base(sources={"s": "A source", "t": "T"}), version="0.2.0", previous="0.1.0",
                       date="2027-01-01")
    pending = compare(base(), base(facts={"x-1": "s"}), previous="0.2.0")
    labelled = label_release(merge(released, pending), "0.3.0", "2027-06-01")
    assert sorted(set(zip(labelled["version"], labelled["date"]))) == [("0.2.0", "2027-01-01"),
                                                                       ("0.3.0", "2027-06-01")]


def test_merge_replaces_stale_unreleased_rows():
    stale = compare(base(), base(facts={"x-1": "s"}))
    fresh = compare(base(), base(facts={"x-1": "s", "x-2": "s", "x-9": "s"}))
    assert merge(stale, fresh)["change"].tolist() == ["facts added"]


def test_versions_sort_as_numbers_and_unreleased_last():
    assert sorted(["0.10.0", UNRELEASED, "0.9.0", "1.0.0"], key=version_key) == ["0.9.0", "0.10.0", "1.0.0",
                                                                                  UNRELEASED]
    with pytest.raises(ValueError, match="MAJOR.MINOR.PATCH"):
        version_key("v1.0")


def test_describe_groups_by_version_and_kind():
    text = describe(compare(base(), base(ratings={"f-a": dict(RATING, confidence="low"), "f-b": dict(RATING)}),
                            previous="0.1.0"))
    assert "== unreleased (compared with 0.1.0)" in text
    assert "Confidence changed (2)" in text and "confidence: moderate -> low" in text
    assert describe(pd.DataFrame(columns=COLUMNS, dtype=str)).endswith("none.\n")


def test_snapshot_of_the_real_data():
    now = snapshot(DATA)
    assert now.findings and now.ratings and now.messages and now.facts
    assert set(now.ratings) == set(now.findings)
    assert set(now.facts.values()) <= set(now.sources)
    assert compare(now, now).empty


def test_snapshot_ignores_only_the_record_of_changes(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "evidence_changes.csv").unlink()  # a version before the record existed, or the record being written
    snapshot(data)
    (data / "cerqual.csv").unlink()  # evidence that cannot be read is still an error
    with pytest.raises(EvidenceError, match="cerqual.csv"):
        snapshot(data)


def test_the_recorded_unreleased_changes_are_current():
    # data/evidence_changes.csv must say what changed since the last release: recompute and compare. The last
    # release is found from the history, not from a tag (a CI clone has none), so only a shallow clone or an
    # export without .git cannot recompute it.
    result = subprocess.run(tool("evidence_diff", "--format", "json"), cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        message = f"the changes since the last release cannot be recomputed: {result.stderr.strip()}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(f"LOUD SKIP: {message}")
    fresh = pd.DataFrame(json.loads(result.stdout), columns=COLUMNS)
    recorded = pd.read_csv(DATA / "evidence_changes.csv", dtype=str, keep_default_na=False)
    pending = recorded[recorded["version"] == UNRELEASED].reset_index(drop=True)
    assert pending.values.tolist() == fresh.values.tolist(), (
        "data/evidence_changes.csv is stale: run `make evidence-diff WRITE=1`, then "
        "`make outputs CHAPTERS='chapters/whats_new.md chapters/appendix.md'`")
