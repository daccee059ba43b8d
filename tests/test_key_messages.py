"""The key messages: data/key_messages.csv is the one list of them, and the page shows exactly that.

The page holds each message's anchor (the id briefings cite) and headline as text, so
the table of contents and links are static; the rest of a message (summary, confidence,
what it means now) is rendered from the data by a cell under its heading. These tests
check the page against the data, and the stored outputs against what a reader must see.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from helpers import ROOT

from pcn_evidence import load_table, split_tags
from pcn_evidence.changes import UNRELEASED, history
from pcn_evidence.markup import as_text

PAGE = ROOT / "chapters" / "key_messages.md"
NOTEBOOK = ROOT / "chapters" / "key_messages.ipynb"

#: A message on the page: its anchor, a ``###`` headline, then a cell that shows that message.
_BLOCK = re.compile(
    r"^\((?P<id>km-[a-z0-9-]+)\)=\s*\n#{3} (?P<heading>[^\n]+)\n+```\{code-cell\}\n(?::tags: \[[^\]]*\]\n)?\n?"
    r"show\(\"(?P<shown>km-[a-z0-9-]+)\"\)\n```",
    flags=re.M,
)


def _blocks(text: str) -> pd.DataFrame:
    return pd.DataFrame([{"id": m["id"], "heading": m["heading"].strip(), "shown": m["shown"]}
                         for m in _BLOCK.finditer(text)])


@pytest.fixture(scope="module")
def blocks() -> pd.DataFrame:
    return _blocks(PAGE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def messages() -> pd.DataFrame:
    return load_table("key_messages").sort_values("order").reset_index(drop=True)


@pytest.fixture(scope="module")
def shown() -> dict[str, str]:
    """Each message's rendered markdown as stored in the notebook, by message id."""
    rendered = {}
    for cell in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]:
        call = re.fullmatch(r'show\("(km-[a-z0-9-]+)"\)', "".join(cell.get("source", "")).strip())
        if call and cell["cell_type"] == "code":
            (output,) = [o for o in cell["outputs"] if "text/markdown" in o.get("data", {})]
            rendered[call[1]] = "".join(output["data"]["text/markdown"])
    return rendered


def test_every_anchor_on_the_page_is_a_message_block(blocks):
    anchors = re.findall(r"^\((km-[a-z0-9-]+)\)=", PAGE.read_text(encoding="utf-8"), flags=re.M)
    assert anchors == list(blocks["id"])


def test_the_page_has_the_messages_of_the_data_in_their_order(blocks, messages):
    assert 5 <= len(blocks) <= 10
    assert list(blocks["id"]) == list(messages["id"])
    assert list(blocks["shown"]) == list(blocks["id"]), "a block shows another message than its anchor"


def test_the_page_headings_are_the_data_headings(blocks, messages):
    assert list(blocks["heading"]) == list(messages["heading"])


def test_each_message_shows_its_summary_and_confidence(shown, messages):
    level = dict(zip(*[load_table("cerqual")[c] for c in ("finding_id", "confidence")]))
    label = dict(zip(*[load_table("synthesis_findings")[c] for c in ("id", "label")]))
    for message in messages.itertuples(index=False):
        text = shown[message.id]
        for finding in split_tags(message.finding_ids):
            assert f"**{level[finding]}** for {{ref}}`{label[finding]} <{finding}>`" in text, (message.id, finding)
        assert re.search(r"\{cite:p\}`km-[^`]+`", text.split("\n")[0]), f"{message.id}: the summary cites no source"


def test_a_message_shows_its_history_only_when_it_changed_since_the_last_release(shown, messages):
    changes = load_table("evidence_changes").fillna("").astype(str)
    rests_on = {m.id: split_tags(m.finding_ids) for m in messages.itertuples(index=False)}
    last = history(changes, list(messages["id"]), rests_on=rests_on).set_index("id")["changed"]
    for message in messages.itertuples(index=False):
        changed = last[message.id] == UNRELEASED
        assert ("*History:*" in shown[message.id]) == changed, message.id
        if changed:
            assert re.search(r"\*History:\* (in the book since version .*, changed since|new since)", shown[message.id])


def test_what_the_messages_mean_now_is_not_repeated_under_each_one(shown, messages):
    """One layer: why it matters now and the questions are drawn from the messages once (data/bottom_line.csv).
    A message notes outside context only where its row names some (``context_ids``), in its short form: the
    full statement is on the page once, in the outside-context box."""
    noting = dict(zip(messages["id"], messages["context_ids"].fillna("").astype(str).str.strip().astype(bool)))
    for message_id, text in shown.items():
        assert "What this means now" not in text, message_id
        assert ("Outside context" in text) == noting[message_id], message_id


def test_the_page_states_each_outside_context_fact_in_full_once():
    text = NOTEBOOK.read_text(encoding="utf-8")
    for row in load_table("outside_context").itertuples():
        assert text.count(json.dumps(as_text(row.statement))[1:-1]) == 1, row.id


def test_every_outside_context_reference_is_in_the_outside_context_bibliography():
    bib = (ROOT / "references-context.bib").read_text(encoding="utf-8")
    for reference in load_table("outside_context")["reference"]:
        assert re.search(rf"@\w+\{{{reference},", bib), reference


def test_the_page_shows_every_limitation(shown):
    text = PAGE.with_suffix(".ipynb").read_text(encoding="utf-8")
    for limitation in load_table("limitations")["limitation"]:
        assert json.dumps(as_text(limitation))[1:-1] in text, limitation  # shown as text, never markup


def test_the_check_would_catch_a_heading_edited_on_the_page_only(messages):
    text = PAGE.read_text(encoding="utf-8").replace(f"### {messages['heading'][0]}", "### Another heading", 1)
    assert list(_blocks(text)["heading"]) != list(messages["heading"])


def test_the_check_would_catch_a_block_that_shows_another_message(blocks):
    first, second = blocks["id"][0], blocks["id"][1]
    text = PAGE.read_text(encoding="utf-8").replace(f'show("{first}")', f'show("{second}")', 1)
    assert list(_blocks(text)["shown"]) != list(_blocks(text)["id"])
