"""The three-minute layer: a few key points, one "why this matters now" and a few questions, drawn from the
key messages (data/bottom_line.csv), rendered on the landing page and checked before anything shows it.

Each check runs on the shipped layer and on a copy with the fault it catches planted.
"""

from __future__ import annotations

import dataclasses
import re
import shutil

import pandas as pd
import pcn_briefing  # noqa: E402
import pytest
from helpers import DATA, ROOT, reference_texts

from pcn_evidence import EvidenceError, load_table
from pcn_evidence.bottom_line import (
    KEY_POINT,
    POINTS_HEADING,
    QUESTION,
    QUESTIONS_HEADING,
    WHY_NOW,
    WHY_NOW_HEADING,
    WORDS,
    BottomLine,
    book_messages,
    bottom_line,
    bottom_line_problems,
    bottom_line_quote_problems,
    context_notes,
)
from pcn_evidence.briefing import quoted_phrases
from pcn_evidence.facts import facts
from pcn_evidence.load import VALIDATED_ENV
from pcn_evidence.markup import interpretation_markdown, key_points_markdown
from pcn_evidence.schema import validate_package
from pcn_evidence.tools import checks
from pcn_evidence.tools.rows import read_rows, write_rows

INTRO = ROOT / "intro.md"


@pytest.fixture(scope="module")
def messages():
    return book_messages(load_table, facts())


@pytest.fixture(scope="module")
def layer(messages) -> BottomLine:
    return bottom_line(load_table("bottom_line"), messages, load_table("outside_context"))


@pytest.fixture(scope="module")
def accounts() -> list[str]:
    return list(dict.fromkeys(load_table("accounts")["short"]))


def _problems(line: BottomLine, accounts, messages) -> list[str]:
    return bottom_line_problems(line, accounts, [m.id for m in messages])


# --- the shipped layer ------------------------------------------------------------------------------------------


def test_the_shipped_layer_passes_every_check(layer, accounts, messages):
    assert _problems(layer, accounts, messages) == []
    assert layer.points and len(layer.why_now) == 1 and layer.questions


def test_its_parts_keep_the_data_order(layer):
    table = load_table("bottom_line").sort_values("order")
    assert [i.id for i in layer.items] == [*table[table["part"] == KEY_POINT]["id"], *table[table["part"] == WHY_NOW]["id"],
                                           *table[table["part"] == QUESTION]["id"]]


def test_each_key_point_shows_the_confidence_of_the_messages_it_draws_on(layer):
    cerqual = dict(zip(*[load_table("cerqual")[c] for c in ("finding_id", "confidence")]))
    for point in layer.points:
        for message, shown in zip(point.messages, point.confidence):
            assert shown == " / ".join(dict.fromkeys(cerqual[f] for f, _ in message.confidence)), point.id


def test_the_outside_context_it_relies_on_is_listed_once(layer):
    notes = context_notes(layer)
    assert notes and len({n.id for n in notes}) == len(notes)
    assert {n.id for n in notes} == {c.id for item in layer.items for c in item.context}


def test_the_build_refuses_a_key_message_quoting_words_no_source_has(tmp_path, monkeypatch):
    reference_texts("quoted words readers lift")  # a loud skip without the sources (a failure in CI)
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    header, rows = read_rows(data / "key_messages.csv")
    row = next(r for r in rows if quoted_phrases(r["summary"]))
    row["summary"] = row["summary"].replace(f"'{quoted_phrases(row['summary'])[0]}'", "'unheardof'", 1)
    write_rows(data / "key_messages.csv", header, rows)
    monkeypatch.setenv("PCN_EVIDENCE_DATA", str(data))
    monkeypatch.setenv(VALIDATED_ENV, "")  # validate_data sets it: put back as it was when the test ends
    with pytest.raises(SystemExit, match=rf"(?s)^{row['id']}: 'unheardof' is not verbatim in any cited source .*"
                                         "The book was not built: every word a key message"):
        checks.validate_data()


def test_every_quoted_word_is_verbatim_in_a_source_of_its_messages(layer):
    texts = reference_texts("quoted words in the bottom line")
    assert bottom_line_quote_problems(layer, texts) == []
    assert any("'" in item.text for item in layer.items)  # the check has quotes to check
    # plant a fault in whichever point quotes a source: its first quote replaced by words no source has
    point = next(p for p in layer.points if quoted_phrases(p.text))
    planted = dataclasses.replace(point, text=point.text.replace(f"'{quoted_phrases(point.text)[0]}'",
                                                                 "'unheard-of wording'", 1))
    assert bottom_line_quote_problems(BottomLine((planted,), (), ()), texts) == [
        f"{point.id}: 'unheard-of wording' is not verbatim in a source of its messages "
        f"({', '.join(dict.fromkeys(s for m in point.messages for s in m.source_ids))})"]


# --- planted faults ---------------------------------------------------------------------------------------------


def test_too_many_key_points_or_questions_or_two_statements_of_why_now_are_caught(layer, accounts, messages):
    many = BottomLine(layer.points * 2, layer.why_now * 2, layer.questions[:1])
    assert _problems(many, accounts, messages)[:3] == [
        f"{len(layer.points) * 2} key point(s): expected 4 to 6",
        "2 statement(s) of why this matters now: expected exactly one",
        "1 question(s): expected 4 to 6"]


def test_a_key_point_that_names_no_account_is_caught(layer, accounts, messages):
    point = dataclasses.replace(layer.points[0], text="Management support went unfunded.")
    line = dataclasses.replace(layer, points=(point, *layer.points[1:]))
    problems = _problems(line, accounts, messages)
    assert len(problems) == 1 and problems[0].startswith(f"{point.id}: the key point names no account")


def test_an_item_over_its_words_is_caught(layer, accounts, messages):
    question = layer.questions[0]
    long = dataclasses.replace(question, text="Who, " + "and who else, " * WORDS[QUESTION] + "pays?")
    line = dataclasses.replace(layer, questions=(long, *layer.questions[1:]))
    assert _problems(line, accounts, messages) == [
        f"{question.id}: {len(long.text.split())} words, more than {WORDS[QUESTION]} for a question"]


def test_a_question_without_its_mark_or_drawing_on_no_message_is_caught(layer, accounts, messages):
    question = dataclasses.replace(layer.questions[0], text="Check the support.", messages=())
    line = dataclasses.replace(layer, questions=(question, *layer.questions[1:]))
    problems = _problems(line, accounts, messages)
    assert f"{question.id}: the question draws on no key message" in problems
    assert f"{question.id}: the question does not end with a question mark" in problems


def test_a_message_no_point_or_question_draws_on_is_caught(layer, accounts, messages):
    dropped = layer.questions[-1].messages[0].id
    keep = tuple(dataclasses.replace(i, messages=tuple(m for m in i.messages if m.id != dropped))
                 for i in layer.points + layer.questions)
    line = BottomLine(keep[:len(layer.points)], layer.why_now, keep[len(layer.points):])
    assert f"{dropped}: no key point or question draws on this message" in _problems(line, accounts, messages)


def test_a_row_drawing_on_a_message_the_page_does_not_show_is_refused(messages):
    table = load_table("bottom_line").copy()
    with pytest.raises(EvidenceError, match="'km-ccg-support' is not one of the messages shown"):
        bottom_line(table, [m for m in messages if m.id != "km-ccg-support"], load_table("outside_context"))


@pytest.mark.parametrize(("column", "value", "expected"), [
    ("text", "Nine in ten CCG staff said so, 90%.", "does not match"),
    ("part", "headline", "expected one of"),
    ("message_ids", "km-no-such-message", "km-no-such-message"),
])
def test_the_schema_refuses_a_number_an_unknown_part_or_message(tmp_path, column, value, expected):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    table = pd.read_csv(data / "bottom_line.csv", dtype=str, keep_default_na=False)
    table.loc[0, column] = value
    table.to_csv(data / "bottom_line.csv", index=False, lineterminator="\n")
    with pytest.raises(EvidenceError) as caught:
        validate_package(data)
    assert "data/bottom_line.csv" in str(caught.value) and expected in str(caught.value)


# --- the landing page -------------------------------------------------------------------------------------------


def _directives(text: str) -> list[tuple[str, str]]:
    """(the heading above it, the part) for every ``{pcn-briefing}`` directive on a page."""
    found, heading = [], ""
    for line in text.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
        match = re.match(r"```\{pcn-briefing\} ([a-z-]+)", line)
        if match:
            found.append((heading, match[1]))
    return found


def test_the_landing_page_renders_each_part_under_its_heading():
    assert _directives(INTRO.read_text(encoding="utf-8")) == [
        (POINTS_HEADING, "key-points"), (WHY_NOW_HEADING, "why-now"), (QUESTIONS_HEADING, "questions"),
        ("About the evidence", "limitations")]


def test_the_check_would_catch_a_part_under_the_wrong_heading():
    text = INTRO.read_text(encoding="utf-8").replace("```{pcn-briefing} why-now", "```{pcn-briefing} questions", 1)
    assert _directives(text) != _directives(INTRO.read_text(encoding="utf-8"))


def test_the_landing_page_shows_what_the_briefing_functions_render(layer):
    data = ROOT / "data"
    assert pcn_briefing.part_markdown("key-points", data, "") == key_points_markdown(layer.points)
    assert pcn_briefing.part_markdown("why-now", data, "intro-") == interpretation_markdown(layer.why_now, "intro-")
    assert pcn_briefing.part_markdown("questions", data, "intro-") == interpretation_markdown(
        layer.questions, "intro-", numbered=True)
    shown = pcn_briefing.part_markdown("limitations", data, "")
    brief = load_table("limitations").query("in_brief")
    assert shown.count("\n- ") + 1 == len(brief) and all(re.sub(r"\W", "", text)[:30] in re.sub(r"\W", "", shown)
                                                          for text in brief["limitation"])


def test_the_landing_page_builds_the_layer_once_and_again_when_the_data_change(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    first = pcn_briefing.part_markdown("key-points", data, "")
    assert pcn_briefing.part_markdown("why-now", data, "") and pcn_briefing._layer.cache_info().hits >= 1
    table = data / "bottom_line.csv"
    text = table.read_text(encoding="utf-8")
    point = load_table("bottom_line").query("part == 'key point'").iloc[0]["text"]
    table.write_text(text.replace(point, point.replace("CCG", "CCG edited", 1), 1), encoding="utf-8")
    assert "CCG edited" in pcn_briefing.part_markdown("key-points", data, "") != first
