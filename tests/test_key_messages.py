"""The key messages: data/key_messages.csv is the one list of them, and the page says the same.

The page's sentences are prose with glued numbers; their ids (the anchors briefings
cite), headings and the findings they link must match ``data/key_messages.csv``, which
the How-to-cite page reads.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from helpers import ROOT
from pcn_evidence import load_table, split_tags

PAGE = ROOT / "chapters" / "key_messages.md"

#: A message: its anchor line, a ``###`` heading, one paragraph (the sentence), and a line
#: starting ``*Confidence`` that links its findings with {ref}`f-…`.
_BLOCK = re.compile(
    r"^\((?P<id>km-[a-z0-9-]+)\)=\s*\n#{3} (?P<heading>[^\n]+)\n+(?P<sentence>[^\n]+)\n+(?P<meta>\*Confidence[^\n]*)",
    flags=re.M,
)


def _blocks() -> pd.DataFrame:
    records = []
    for match in _BLOCK.finditer(PAGE.read_text(encoding="utf-8")):
        records.append({
            "id": match["id"],
            "heading": match["heading"].strip(),
            "sentence": match["sentence"].strip(),
            "findings": re.findall(r"\{ref\}`(f-[a-z0-9-]+)`", match["meta"]),
            "confidence_keys": re.findall(r"km_conf_([a-z0-9_]+)", match["sentence"] + "\n" + match["meta"]),
            "sentence_confidence_keys": re.findall(r"km_conf_([a-z0-9_]+)", match["sentence"]),
        })
    return pd.DataFrame(records)


@pytest.fixture(scope="module")
def blocks() -> pd.DataFrame:
    return _blocks()


@pytest.fixture(scope="module")
def messages() -> pd.DataFrame:
    return load_table("key_messages").sort_values("order").reset_index(drop=True)


def _key(finding_id: str) -> str:
    return finding_id.replace("-", "_")


def test_every_anchor_on_the_page_is_a_message_block(blocks):
    anchors = re.findall(r"^\((km-[a-z0-9-]+)\)=", PAGE.read_text(encoding="utf-8"), flags=re.M)
    assert anchors == list(blocks["id"])


def test_the_page_has_the_messages_of_the_data_in_their_order(blocks, messages):
    assert list(blocks["id"]) == list(messages["id"])


def test_the_page_headings_are_the_data_headings(blocks, messages):
    assert list(blocks["heading"]) == list(messages["heading"])


def test_the_page_links_the_findings_the_data_names(blocks, messages):
    for block, cell in zip(blocks.itertuples(index=False), messages["finding_ids"]):
        assert block.findings == split_tags(cell), block.id


def test_key_messages_are_few_anchored_cited_and_one_sentence_each(blocks):
    assert 5 <= len(blocks) <= 10
    for block in blocks.itertuples(index=False):
        assert "{cite:p}`" in block.sentence and "{glue:text}`" in block.sentence, block.id
        # one sentence: it ends once, and nothing but a citation follows a full stop inside it
        plain = re.sub(r"\{[a-z:]+\}`[^`]*`", "X", block.sentence)
        assert plain.endswith(".") and not re.search(r"[.!?] [A-Z]", plain), block.id


def test_each_message_shows_the_confidence_of_its_findings_and_flags_weak_ones(blocks):
    level = dict(zip(*[load_table("cerqual")[c] for c in ("finding_id", "confidence")]))
    for block in blocks.itertuples(index=False):
        assert set(block.confidence_keys) == {_key(f) for f in block.findings}, block.id
        weak = [f for f in block.findings if level[f] in {"low", "very low"}]
        assert {_key(f) for f in weak} <= set(block.sentence_confidence_keys), block.id


def test_the_check_would_catch_a_heading_edited_on_the_page_only(messages):
    text = PAGE.read_text(encoding="utf-8").replace(f"### {messages['heading'][0]}", "### Another heading", 1)
    headings = [m["heading"].strip() for m in _BLOCK.finditer(text)]
    assert headings != list(messages["heading"])
