"""Key messages in the form a briefing lifts them, built from ``data/`` alone.

A key message (``data/key_messages.csv``) is a headline that names whose account
it is, a summary of about 35 words, the findings it rests on with their
GRADE-CERQual confidence, and "what this means now" for ICBs, PCNs and national
policy: the book's interpretation, with any outside context it relies on
(``data/outside_context.csv``) dated and referenced. The key-messages page and the
Word briefing both render from :func:`briefing_messages`, so they cannot disagree.

A summary types no number: it writes ``{fact:<fact id>}`` and the coded fact's
value is filled in, so a changed count changes every message that quotes it.

>>> from pcn_evidence.facts import Fact
>>> counts = {"tc-x": Fact("tc-x", "theme_counts", "bjgp-2021", "p", "Nine CCG staff", number=9.0, unit="CCG staff"),
...           "pf-y": Fact("pf-y", "press_findings", "pulse", "p", "98% of", number=98.0, unit="% of practices")}
>>> fill_facts("{fact:tc-x} staff; {fact:pf-y} signed up", counts)
'9 staff; 98% signed up'
>>> word_count("Some PCNs were not yet engaged, CCG staff said."), quoted_phrases("the 'nirvana' or 'cavalry'; PCNs' role")
(9, ['nirvana', 'cavalry'])
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from .errors import EvidenceError, Problem
from .facts import Fact
from .load import split_tags
from .prose import format_number

__all__ = ["AUDIENCES", "HEADLINE_WORDS", "SUMMARY_WORDS", "OutsideContext", "BriefingMessage", "fill_facts",
           "fact_text", "confidence_text", "word_count", "quoted_phrases", "placeholder_ids", "briefing_messages"]

#: The audiences of "what this means now", as columns of key_messages.csv and the labels readers see.
AUDIENCES: tuple[tuple[str, str], ...] = (("for_icbs", "Integrated care boards"), ("for_pcns", "Primary care networks"),
                                           ("for_national", "National policy"))
HEADLINE_WORDS = 12  # "a headline of at most about 12 words"
SUMMARY_WORDS = 35  # "a summary of at most about 35 words"

_PLACEHOLDER = re.compile(r"\{fact:([a-z0-9-]+)\}")
# Quoted words: a single or curly quote not inside a word (so "PCNs'" and "CCG's" are apostrophes).
_QUOTED = re.compile(r"(?<![\w])['\u2018]([^'\u2019]+?)['\u2019](?![\w])")


@dataclass(frozen=True)
class OutsideContext:
    """A dated fact from a document that is not one of the book's sources."""

    id: str
    date: str  # YYYY, YYYY-MM or YYYY-MM-DD, at the reference's precision
    statement: str
    reference: str  # BibTeX key in references-context.bib


@dataclass(frozen=True)
class BriefingMessage:
    """One key message, every number filled in from the coded facts."""

    id: str
    order: int
    headline: str
    summary: str
    confidence: tuple[tuple[str, str], ...]  # (finding id, GRADE-CERQual level), in the order the message lists them
    source_ids: tuple[str, ...]
    meanings: tuple[tuple[str, str], ...]  # (audience label, the book's interpretation)
    context: tuple[OutsideContext, ...]


def fact_text(fact: Fact) -> str:
    """A fact's value as a summary prints it: ``26``, ``30,000``, ``98%`` (a percentage keeps its sign)."""
    value = fact.value
    text = format_number(value) if isinstance(value, (int, float)) else str(value)
    return text + "%" if (fact.unit or "").lstrip().startswith("%") else text


def placeholder_ids(template: str) -> list[str]:
    """The fact ids a summary quotes, in order."""
    return _PLACEHOLDER.findall(template)


def fill_facts(template: str, facts: Mapping[str, Fact], where: str = "data/key_messages.csv") -> str:
    """The template with each ``{fact:<id>}`` replaced by that fact's value.

    Raises :class:`EvidenceError` naming ``where`` and every unknown fact id.
    """
    unknown = [f for f in placeholder_ids(template) if f not in facts]
    if unknown:
        raise EvidenceError([Problem(where, f"{{fact:{f}}} names no coded fact (fact ids are the 'id' column of the "
                                     "fact tables)", value=template[:60]) for f in unknown])
    return _PLACEHOLDER.sub(lambda m: fact_text(facts[m.group(1)]), template)


def word_count(text: str) -> int:
    """Words as a reader counts them: runs separated by white space."""
    return len(text.split())


def quoted_phrases(text: str) -> list[str]:
    """The words a text puts in single quotes, which must be a source's own words."""
    return _QUOTED.findall(text)


def _problem(row: int, column: str, value: str, message: str) -> Problem:
    return Problem("data/key_messages.csv", message, row=row, line=row + 1, column=column, value=value)


def briefing_messages(key_messages: pd.DataFrame, confidence: Mapping[str, str], facts: Mapping[str, Fact],
                      outside_context: pd.DataFrame) -> list[BriefingMessage]:
    """The key messages in display order, with numbers filled in and each finding's confidence.

    ``confidence`` maps finding id to its GRADE-CERQual level (``cerqual.csv``). Raises
    :class:`EvidenceError` listing every summary that quotes an unknown fact or a fact
    from a source the message does not cite.
    """
    context = {row.id: OutsideContext(row.id, str(row.date), row.statement, row.reference)
               for row in outside_context.sort_values("order").itertuples()}
    problems: list[Problem] = []
    messages = []
    for row_number, (_, row) in enumerate(key_messages.iterrows(), start=1):
        sources = tuple(split_tags(row["source_ids"]))
        try:
            summary = fill_facts(row["summary"], facts)
        except EvidenceError as error:
            problems += [_problem(row_number, "summary", row["summary"][:60], p.message) for p in error.problems]
            continue
        for fact_id in placeholder_ids(row["summary"]):
            if facts[fact_id].source_id not in sources:
                problems.append(_problem(row_number, "summary", fact_id, f"the fact comes from "
                                         f"{facts[fact_id].source_id!r}, which is not in source_ids {list(sources)}"))
        findings = split_tags(row["finding_ids"])
        messages.append(BriefingMessage(
            id=row["id"], order=int(row["order"]), headline=row["heading"], summary=summary,
            confidence=tuple((f, confidence[f]) for f in findings), source_ids=sources,
            meanings=tuple((label, row[column]) for column, label in AUDIENCES),
            context=tuple(context[c] for c in split_tags(row.get("context_ids")))))
    if problems:
        raise EvidenceError(problems)
    return sorted(messages, key=lambda m: m.order)


def confidence_text(message: BriefingMessage) -> str:
    """The message's confidence in words: each distinct level of its findings, in turn ("moderate / very low")."""
    return " / ".join(dict.fromkeys(level for _, level in message.confidence))
