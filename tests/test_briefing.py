"""Key messages a briefing can lift: short, attributed, numbers from the coded facts, quotes from the sources.

Each check runs on the shipped messages and on a copy with the fault it catches planted.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from helpers import reference_texts

from pcn_evidence import EvidenceError, load_table
from pcn_evidence.briefing import (
    HEADLINE_WORDS,
    OTHER_EVIDENCE_WORDS,
    SUMMARY_WORDS,
    BriefingMessage,
    OutsideContext,
    briefing_limitations,
    briefing_messages,
    confidence_text,
    evidence_dates,
    message_findings,
    message_problems,
    other_evidence_problems,
    quoted_phrases,
    quoted_word_problems,
    unnamed_number_problems,
)
from pcn_evidence.dates import describe_span, source_dates
from pcn_evidence.errors import Problem
from pcn_evidence.facts import facts

FIELDWORK = "tl-ccg-staff-interviews"  # the study's fieldwork in data/timeline.csv


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    names = ("key_messages", "cerqual", "outside_context", "accounts", "limitations", "timeline", "sources",
             "evidence_matrix")
    return {name: load_table(name) for name in names}


@pytest.fixture(scope="module")
def all_facts():
    return facts()


def _messages(tables, all_facts, key_messages: pd.DataFrame | None = None) -> list[BriefingMessage]:
    confidence = dict(zip(tables["cerqual"]["finding_id"], tables["cerqual"]["confidence"]))
    frame = tables["key_messages"] if key_messages is None else key_messages
    return briefing_messages(frame, confidence, all_facts, None, _source_dates(tables))


def _source_dates(tables) -> dict[str, str]:
    return source_dates(tables["sources"])


@pytest.fixture(scope="module")
def messages(tables, all_facts) -> list[BriefingMessage]:
    return _messages(tables, all_facts)


@pytest.fixture(scope="module")
def account_names(tables) -> list[str]:
    return list(dict.fromkeys(tables["accounts"]["short"]))


def _replace(messages: list[BriefingMessage], index: int, **changes: object) -> list[BriefingMessage]:
    changed = list(messages)
    changed[index] = dataclasses.replace(changed[index], **changes)  # type: ignore[arg-type]
    return changed


# --- the shipped messages pass every check -------------------------------------------------------------------


def test_every_message_is_built_in_order_with_its_numbers_filled_in(messages, tables):
    assert [m.id for m in messages] == list(tables["key_messages"].sort_values("order")["id"])
    assert all("{fact:" not in m.summary for m in messages)


def test_the_shipped_messages_can_be_lifted_as_they_stand(messages, account_names):
    assert message_problems(messages, account_names) == []
    assert all(len(m.headline.split()) <= HEADLINE_WORDS and len(m.summary.split()) <= SUMMARY_WORDS
               for m in messages)


def test_each_headline_names_an_accounts_short_form(messages, account_names):
    for message in messages:
        assert any(name.lower() in message.headline.lower() for name in account_names), message.id


def test_every_quoted_word_in_a_summary_is_verbatim_in_a_cited_source(messages, tables):
    texts = reference_texts("quoted words in the summaries")
    assert quoted_word_problems(messages, texts) == []
    assert any("'" in m.summary for m in messages)  # the check has quotes to check


def test_each_summary_quotes_only_facts_from_the_sources_it_cites(messages, all_facts, tables):
    cited = {m.id: set(m.source_ids) for m in messages}
    for row in tables["key_messages"].itertuples():
        for fact_id in pd.Series([row.summary]).str.findall(r"\{fact:([a-z0-9-]+)\}")[0]:
            assert all_facts[fact_id].source_id in cited[row.id], (row.id, fact_id)


# --- planted faults ---------------------------------------------------------------------------------------------


def test_a_long_headline_is_caught(messages, account_names):
    long = messages[0].headline + " and then a good deal more besides"
    problems = message_problems(_replace(messages, 0, headline=long), account_names)
    assert problems == [f"{messages[0].id}: the headline has {len(long.split())} words, more than {HEADLINE_WORDS}: "
                        f"{long!r}"]


def test_a_headline_that_names_no_account_is_caught(messages, account_names):
    problems = message_problems(_replace(messages, 0, headline="Management went unfunded"), account_names)
    assert len(problems) == 1 and problems[0].startswith(f"{messages[0].id}: the headline names no account")


def test_a_long_summary_is_caught_after_its_numbers_are_filled_in(messages, account_names):
    long = messages[0].summary + " " + " ".join(["more"] * SUMMARY_WORDS)
    problems = message_problems(_replace(messages, 0, summary=long), account_names)
    assert len(problems) == 1 and "the summary has" in problems[0] and f"more than {SUMMARY_WORDS}" in problems[0]


def test_a_quoted_word_changed_is_caught(messages, tables):
    texts = reference_texts("quoted words in the summaries")
    quoting = next(i for i, m in enumerate(messages) if "'nirvana'" in m.summary)
    changed = _replace(messages, quoting, summary=messages[quoting].summary.replace("'nirvana'", "'utopia'"))
    assert quoted_word_problems(changed, texts) == [
        f"{messages[quoting].id}: 'utopia' is not verbatim in any cited source ({', '.join(messages[quoting].source_ids)})"]


def test_a_quote_from_a_source_the_message_does_not_cite_is_caught():
    message = BriefingMessage("km-x", 1, "h", "PCNs were 'marginalised'.", (), ("study",))
    assert quoted_word_problems([message], {"study": "no such word", "press": "PCNs were marginalised"}) == [
        "km-x: 'marginalised' is not verbatim in any cited source (study)"]


def test_a_quote_with_no_source_text_is_reported_not_passed():
    message = BriefingMessage("km-x", 1, "h", "the 'cavalry'", (), ("study",))
    assert quoted_word_problems([message], {}) == [
        "km-x: no text of the cited source(s) study to check its quoted words against",
        "km-x: 'cavalry' is not verbatim in any cited source (study)"]


def test_a_fact_from_a_source_the_message_does_not_cite_is_caught(tables, all_facts):
    frame = tables["key_messages"].copy()
    row = frame.index[frame["summary"].str.contains("{fact:", regex=False)][0]
    frame.loc[row, "source_ids"] = "gponline-performance"
    with pytest.raises(EvidenceError) as caught:
        _messages(tables, all_facts, frame)
    assert "which is not in source_ids ['gponline-performance']" in str(caught.value)
    assert "data/key_messages.csv, row" in str(caught.value) and "column 'summary'" in str(caught.value)


def test_an_unknown_fact_in_a_summary_is_named(tables, all_facts):
    frame = tables["key_messages"].copy()
    frame.loc[frame.index[0], "summary"] = "CCG staff said {fact:tc-no-such-fact} CCGs helped."
    with pytest.raises(EvidenceError, match=r"\{fact:tc-no-such-fact\} names no coded fact"):
        _messages(tables, all_facts, frame)


def test_confidence_text_lists_each_level_once_in_order(messages):
    message = dataclasses.replace(messages[0], confidence=(("f-a", "low"), ("f-b", "very low"), ("f-c", "low")))
    assert confidence_text(message) == "low / very low"


# --- limitations and evidence dates ------------------------------------------------------------------------------


def test_limitations_keep_their_order_and_say_whose_statement_they_are(tables):
    limitations = briefing_limitations(tables["limitations"], tables["accounts"])
    assert [item.id for item in limitations] == list(tables["limitations"].sort_values("order")["id"])
    who = dict(zip(tables["accounts"]["id"], tables["accounts"]["who"]))
    for item, row in zip(limitations, tables["limitations"].sort_values("order").itertuples()):
        assert item.stated_by == (who[row.account] if isinstance(row.account, str) and row.account else None)
        assert item.in_brief == bool(row.in_brief)
    assert any(item.stated_by is None for item in limitations)  # the book's own judgements are shown as such


def test_the_limitations_in_brief_are_a_few_and_not_all():
    """The landing page and the printed key messages carry only these: a few, or the three A4 pages overflow."""
    limitations = briefing_limitations(load_table("limitations"), load_table("accounts"))
    brief = [item for item in limitations if item.in_brief]
    assert 3 <= len(brief) <= 6 and len(brief) < len(limitations)


def test_evidence_dates_are_the_fieldwork_and_the_latest_dated_source(tables):
    dates = evidence_dates(tables["timeline"], tables["sources"], FIELDWORK)
    assert dates.fieldwork == "August to December 2019"
    dated = tables["sources"].dropna(subset=["date"])
    latest = dated.loc[dated["date"].map(lambda d: (d + "-01-01")[:10]).idxmax()]  # a year alone counts as its first day
    assert dates.latest_source_label == latest["label"]
    assert (dates.sources, dates.undated_sources) == (len(tables["sources"]), tables["sources"]["date"].isna().sum())


def test_a_source_dated_only_to_a_year_is_not_taken_as_later_than_a_day_in_it():
    sources = pd.DataFrame({"id": ["a", "b"], "date": ["2021", "2021-06-29"], "label": ["A", "B"]})
    timeline = pd.DataFrame({"id": ["tl-x"], "start": ["2019-08"], "end": [pd.NA]})
    dates = evidence_dates(timeline, sources, "tl-x")
    assert (dates.latest_source, dates.latest_source_label, dates.fieldwork) == ("29 June 2021", "B", "August 2019")


def test_a_missing_fieldwork_event_or_undated_evidence_is_named(tables):
    with pytest.raises(KeyError, match="data/timeline.csv has no event 'tl-none'"):
        evidence_dates(tables["timeline"], tables["sources"], "tl-none")
    undated = tables["sources"].assign(date=pd.NA)
    with pytest.raises(ValueError, match="gives no source a date"):
        evidence_dates(tables["timeline"], undated, FIELDWORK)


@pytest.mark.parametrize(("start", "end", "words"), [
    ("2019-08", "2019-12", "August to December 2019"),
    ("2019-12", "2020-03", "December 2019 to March 2020"),
    ("2019-08-01", "2019-08-31", "1 August to 31 August 2019"),
    ("2019", "2020", "2019 to 2020"),
    ("2019-08", None, "August 2019"),
    ("2019-08", "2019-08", "August 2019"),
])
def test_describe_span_says_a_shared_year_once(start, end, words):
    assert describe_span(start, end, year_once=True) == words


# --- what a message rests on, what it leaves out, what its numbers count -------------------------------------


def test_the_tally_of_findings_behind_the_messages_counts_only_those_findings():
    """A finding that no message rests on is not among "the findings the messages rest on"."""
    a = BriefingMessage("km-a", 1, "h", "s", (("f-1", "moderate"), ("f-2", "low")), ())
    b = BriefingMessage("km-b", 2, "h", "s", (("f-2", "low"), ("f-3", "very low")), ())
    assert message_findings([a, b]) == ["f-1", "f-2", "f-3"]
    assert message_findings([b]) == ["f-2", "f-3"]  # f-1, in no message, is not counted


def test_the_key_messages_page_glues_the_count_of_the_findings_behind_its_messages(messages):
    """The page's "the messages rest on N findings" is computed from the messages, not from every finding."""
    notebook = json.loads((Path(__file__).resolve().parents[1] / "chapters" / "key_messages.ipynb").read_text())
    glued = {output["metadata"]["scrapbook"]["name"]: output["data"]
             for cell in notebook["cells"] for output in cell.get("outputs", [])
             if "scrapbook" in output.get("metadata", {})}
    assert glued["km_n_findings"]["application/papermill.record/text/plain"] == str(len(message_findings(messages)))


def test_every_number_in_a_message_is_named_by_what_it_counts(tables, all_facts):
    assert unnamed_number_problems(tables["key_messages"], all_facts) == []


def test_a_number_reused_for_something_else_is_caught(tables, all_facts):
    """The fault behind '15 social prescribers ... had to be redeployed': a count set beside another claim."""
    frame = tables["key_messages"].copy()
    row = frame.index[frame["summary"].str.contains("{fact:", regex=False)][0]
    fact_id = frame.at[row, "summary"].split("{fact:")[1].split("}")[0]
    frame.loc[row, "summary"] = f"In one area, {{fact:{fact_id}}} had to be redeployed."
    assert unnamed_number_problems(frame, all_facts) == [
        f"{frame.at[row, 'id']}: {{fact:{fact_id}}} is not named by its unit ({all_facts[fact_id].unit!r}) within 6 words"]


def test_every_message_gives_the_evidence_that_qualifies_or_contradicts_it(messages, tables):
    assert other_evidence_problems(messages, tables["evidence_matrix"]) == []
    assert all(word_count <= OTHER_EVIDENCE_WORDS for word_count in (len(m.other_evidence.split()) for m in messages))


def test_a_message_that_leaves_out_qualifying_evidence_is_caught(messages, tables):
    matrix = tables["evidence_matrix"]
    qualified = set(matrix.loc[matrix["stance"].isin(["qualifies", "contradicts"]), "finding_id"])
    index = next(i for i, m in enumerate(messages) if {f for f, _ in m.confidence} & qualified)
    bare = _replace(messages, index, other_evidence="")
    problems = other_evidence_problems(bare, matrix)
    assert len(problems) == 1 and problems[0].startswith(f"{messages[index].id}: ")
    assert problems[0].endswith("but the message gives no other evidence")
    own_only = _replace(messages, index, source_ids=tuple(
        s for s in messages[index].source_ids
        if s not in set(matrix.loc[matrix["finding_id"].isin([f for f, _ in messages[index].confidence])
                                   & matrix["stance"].isin(["qualifies", "contradicts"]), "source_id"])))
    assert "cites none of the sources that qualify or contradict" in other_evidence_problems(own_only, matrix)[0]


def test_a_long_other_evidence_is_caught(messages, account_names):
    long = "As reported, " + " ".join(["more"] * OTHER_EVIDENCE_WORDS)
    problems = message_problems(_replace(messages, 0, other_evidence=long), account_names)
    assert problems == [f"{messages[0].id}: the other evidence has {len(long.split())} words once its numbers are "
                        f"filled in, more than {OTHER_EVIDENCE_WORDS}"]


def test_a_quoted_word_changed_in_the_other_evidence_is_caught(messages, tables):
    texts = reference_texts("quoted words in the summaries")
    quoting = next(i for i, m in enumerate(messages) if "'" in m.other_evidence.replace("'s ", " "))
    phrase = quoted_phrases(messages[quoting].other_evidence)[0]
    changed = _replace(messages, quoting, other_evidence=messages[quoting].other_evidence.replace(
        f"'{phrase}'", "'utterly transformed'"))
    assert quoted_word_problems(changed, texts) == [
        f"{messages[quoting].id}: 'utterly transformed' is not verbatim in any cited source "
        f"({', '.join(messages[quoting].source_ids)})"]


def test_a_sources_date_is_filled_in_never_typed(tables, all_facts):
    """A summary writes {date:<source id>}; the date comes from sources.csv, like a number from its fact."""
    frame = tables["key_messages"].copy()
    row = frame.index[0]
    dates = _source_dates(tables)
    source = next(iter(dates))
    frame.loc[row, "source_ids"] = f"{frame.at[row, 'source_ids']}; {source}"
    frame.loc[row, "other_evidence"] = f"As of {{date:{source}}}, nothing more."
    confidence = dict(zip(tables["cerqual"]["finding_id"], tables["cerqual"]["confidence"]))
    built = briefing_messages(frame, confidence, all_facts, None, dates)
    assert built[0].other_evidence == f"As of {dates[source]}, nothing more."


def test_an_unknown_or_uncited_date_is_caught(tables, all_facts):
    frame = tables["key_messages"].copy()
    row = frame.index[0]
    frame.loc[row, "other_evidence"] = "As of {date:no-such-source}."
    confidence = dict(zip(tables["cerqual"]["finding_id"], tables["cerqual"]["confidence"]))
    with pytest.raises(EvidenceError, match=r"\{date:no-such-source\} names no dated source"):
        briefing_messages(frame, confidence, all_facts, None, _source_dates(tables))
    cited = set(frame.at[row, "source_ids"].replace(" ", "").split(";"))
    other = next(s for s in _source_dates(tables) if s not in cited)
    frame.loc[row, "other_evidence"] = f"As of {{date:{other}}}."
    with pytest.raises(EvidenceError, match="which is not in source_ids"):
        briefing_messages(frame, confidence, all_facts, None, _source_dates(tables))


def test_a_message_carries_the_outside_context_it_names_and_an_unknown_one_is_caught(tables, all_facts):
    frame = tables["key_messages"].copy()
    row = frame.index[0]
    later = OutsideContext("oc-later", "2022-07-01", "A later law.", "a later law", "healthcareact2022")
    frame["context_ids"] = ""
    frame.loc[row, "context_ids"] = "oc-later"
    confidence = dict(zip(tables["cerqual"]["finding_id"], tables["cerqual"]["confidence"]))
    built = briefing_messages(frame, confidence, all_facts, None, _source_dates(tables), {later.id: later})
    assert [m.context for m in built if m.id == frame.at[row, "id"]] == [(later,)]
    frame.loc[row, "context_ids"] = "oc-later; oc-no-such-note"
    with pytest.raises(EvidenceError) as caught:
        briefing_messages(frame, confidence, all_facts, None, _source_dates(tables), {later.id: later})
    assert str(caught.value.problems[0]) == str(Problem(
        "data/key_messages.csv", "names no outside-context fact", row=1, line=2, column="context_ids",
        value="oc-no-such-note"))
