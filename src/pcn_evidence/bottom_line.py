"""The three-minute layer: the bottom line, why it matters now, and questions, drawn from the key messages.

A reader with three minutes reads ``data/bottom_line.csv``, not a second summary written on
top of the messages: a few key points, each naming whose account it is and pointing to the
messages it draws on (whose confidence is shown beside it, computed, never typed); one
statement of why this matters now; and questions for integrated care boards and PCN
leaders. The statement and the questions are the book's interpretation, and every place
that shows them says so (:data:`INTERPRETATION`); an outside-context fact they rely on is
shown labelled, dated and referenced. The landing page and the Word briefing both render
from :func:`bottom_line`, and :func:`bottom_line_problems` checks it before they do.

>>> from pcn_evidence.briefing import BriefingMessage
>>> message = BriefingMessage("km-a", 1, "CCG staff: a headline", "s", (("f-a", "moderate"),), ("study",))
>>> table = pd.DataFrame({"id": ["bl-p", "bl-q"], "order": [1, 2], "part": ["key point", "question"],
...                       "text": ["CCG staff said so.", "Who now does it?"], "message_ids": ["km-a", "km-a"],
...                       "context_ids": [None, None]})
>>> line = bottom_line(table, [message], pd.DataFrame(columns=["id", "order", "date", "statement", "short", "reference"]))
>>> [item.text for item in line.points], line.points[0].confidence
(['CCG staff said so.'], ['moderate'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from .briefing import (
    BriefingMessage,
    OutsideContext,
    briefing_messages,
    confidence_text,
    names_an_account,
    outside_contexts,
    quoted_word_problems,
    unverified_quotes,
    word_count,
)
from .datapackage import split_tags
from .dates import source_dates
from .errors import EvidenceError, Problem
from .facts import Fact

__all__ = ["KEY_POINT", "WHY_NOW", "QUESTION", "INTERPRETATION", "OUTSIDE_CONTEXT_NOTE", "POINTS_HEADING", "WHY_NOW_HEADING",
           "QUESTIONS_HEADING", "KEY_POINTS", "QUESTIONS", "WORDS", "BottomLineItem", "BottomLine", "bottom_line",
           "bottom_line_problems", "bottom_line_quote_problems", "book_messages", "context_notes", "lifted_quote_problems"]

KEY_POINT, WHY_NOW, QUESTION = "key point", "why this matters now", "question"  # the 'part' column's values
#: How every page labels "why this matters now" and the questions: not findings, and not rated.
INTERPRETATION = "The book's interpretation, drawn from the key messages; not a finding of the sources."
#: What an outside-context fact is, wherever the facts are listed together (the key-messages page, the Word briefing).
OUTSIDE_CONTEXT_NOTE = ("Not from the book's sources, and no finding or rating rests on it; the book's interpretation "
                        "(why this matters now, and the questions for integrated care boards and PCN leaders) notes it "
                        "where it relies on it.")
POINTS_HEADING = "The bottom line"
WHY_NOW_HEADING = "Why this matters now"
QUESTIONS_HEADING = "Questions for integrated care boards and PCN leaders"
KEY_POINTS = range(4, 7)  # "the bottom line as a few key points": four to six
QUESTIONS = range(4, 7)  # "a short list of questions"
#: The most words each part may have: short enough to read in three minutes, all together.
WORDS = {KEY_POINT: 40, WHY_NOW: 60, QUESTION: 30}


@dataclass(frozen=True)
class BottomLineItem:
    """A key point, the statement of why it matters now, or a question, with the messages it draws on."""

    id: str
    part: str
    text: str
    messages: tuple[BriefingMessage, ...]
    context: tuple[OutsideContext, ...] = ()

    @property
    def confidence(self) -> list[str]:
        """Each message's confidence in words, as the messages give it ("moderate / very low")."""
        return [confidence_text(message) for message in self.messages]


@dataclass(frozen=True)
class BottomLine:
    """The three parts, each in display order."""

    points: tuple[BottomLineItem, ...]
    why_now: tuple[BottomLineItem, ...]
    questions: tuple[BottomLineItem, ...]

    @property
    def items(self) -> tuple[BottomLineItem, ...]:
        return self.points + self.why_now + self.questions


def book_messages(table: Callable[[str], pd.DataFrame], facts: Mapping[str, Fact], *,
                  with_context: bool = False) -> list[BriefingMessage]:
    """A book's key messages in display order, built from its tables with each finding's confidence and label.

    ``table`` returns one of the book's tables by name (``load_table`` for one data folder) and ``facts``
    its coded facts. ``with_context`` attaches each message's outside context, as the key-messages page
    and the Word briefing show it; the landing page's key points link to messages without it.
    """
    cerqual, findings = table("cerqual"), table("synthesis_findings")
    outside = {c.id: c for c in outside_contexts(table("outside_context"))} if with_context else None
    return briefing_messages(table("key_messages"), dict(zip(cerqual["finding_id"], cerqual["confidence"])), facts,
                             dict(zip(findings["id"], findings["label"])), source_dates(table("sources")), outside)


def bottom_line(table: pd.DataFrame, messages: Sequence[BriefingMessage],
                outside_context: pd.DataFrame) -> BottomLine:
    """The rows of ``bottom_line.csv`` with their messages and outside context, in order.

    Raises :class:`EvidenceError` naming each row that draws on a message not among ``messages``
    (the schema checks that the id exists; this catches a message the page does not show).
    """
    by_id = {message.id: message for message in messages}
    context = {item.id: item for item in outside_contexts(outside_context)}
    problems: list[Problem] = []
    items: list[BottomLineItem] = []
    for number, row in enumerate(table.sort_values("order").itertuples(), start=1):
        missing = [m for m in split_tags(row.message_ids) if m not in by_id]
        problems += [Problem("data/bottom_line.csv", f"{m!r} is not one of the messages shown", row=number,
                             column="message_ids", value=m) for m in missing]
        items.append(BottomLineItem(row.id, row.part, row.text,
                                    tuple(by_id[m] for m in split_tags(row.message_ids) if m in by_id),
                                    tuple(context[c] for c in split_tags(row.context_ids))))
    if problems:
        raise EvidenceError(problems)
    return BottomLine(*(tuple(i for i in items if i.part == part) for part in (KEY_POINT, WHY_NOW, QUESTION)))


def context_notes(line: BottomLine, messages: Sequence[BriefingMessage] = ()) -> list[OutsideContext]:
    """The outside-context facts the layer relies on, then those the ``messages`` note, each once, in the
    order first needed."""
    items: list[BottomLineItem | BriefingMessage] = [*line.items, *messages]
    return list({note.id: note for item in items for note in item.context}.values())


def bottom_line_problems(line: BottomLine, account_names: Iterable[str], message_ids: Iterable[str]) -> list[str]:
    """What would stop a reader with three minutes relying on the layer, one line per problem.

    Too few or too many key points (:data:`KEY_POINTS`) or questions (:data:`QUESTIONS`), other
    than one statement of why it matters now; an item over its :data:`WORDS`; a key point that
    names no account (``account_names``, the ``short`` forms of ``accounts.csv``) or a key point
    or question that draws on no message; a question without its question mark; and a message
    (``message_ids``, every message shown) that no key point or question draws on.

    >>> message = BriefingMessage("km-a", 1, "h", "s", (), ())
    >>> point = BottomLineItem("bl-p", KEY_POINT, "PCNs were set up.", (message,))
    >>> question = BottomLineItem("bl-q", QUESTION, "Who pays.", ())
    >>> for problem in bottom_line_problems(BottomLine((point,), (), (question,)), ["CCG staff"], ["km-a", "km-b"]):
    ...     print(problem)
    1 key point(s): expected 4 to 6
    0 statement(s) of why this matters now: expected exactly one
    1 question(s): expected 4 to 6
    bl-p: the key point names no account ('CCG staff')
    bl-q: the question draws on no key message
    bl-q: the question does not end with a question mark
    km-b: no key point or question draws on this message
    """
    names = list(account_names)
    problems = []
    if len(line.points) not in KEY_POINTS:
        problems.append(f"{len(line.points)} key point(s): expected {KEY_POINTS.start} to {KEY_POINTS.stop - 1}")
    if len(line.why_now) != 1:
        problems.append(f"{len(line.why_now)} statement(s) of why this matters now: expected exactly one")
    if len(line.questions) not in QUESTIONS:
        problems.append(f"{len(line.questions)} question(s): expected {QUESTIONS.start} to {QUESTIONS.stop - 1}")
    for item in line.items:
        if word_count(item.text) > WORDS[item.part]:
            problems.append(f"{item.id}: {word_count(item.text)} words, more than {WORDS[item.part]} for a {item.part}")
        if item.part == KEY_POINT and not names_an_account(item.text, names):
            problems.append(f"{item.id}: the key point names no account ({' or '.join(map(repr, names))})")
        if item.part != WHY_NOW and not item.messages:
            problems.append(f"{item.id}: the {item.part} draws on no key message")
        if item.part == QUESTION and not item.text.rstrip().endswith("?"):
            problems.append(f"{item.id}: the question does not end with a question mark")
    drawn = {message.id for item in line.points + line.questions for message in item.messages}
    problems += [f"{m}: no key point or question draws on this message" for m in message_ids if m not in drawn]
    return problems


def bottom_line_quote_problems(line: BottomLine, source_texts: Mapping[str, str]) -> list[str]:
    """Words an item puts in single quotes that are not verbatim in a source of the messages it draws on.

    A quote in an item that draws on no message, or whose messages' sources have no text to check
    against, is a problem too: an unchecked quote must not pass.

    >>> message = BriefingMessage("km-a", 1, "h", "s", (), ("pulse",))
    >>> item = BottomLineItem("bl-p", KEY_POINT, "Some were 'strained' and 'broken'.", (message,))
    >>> bottom_line_quote_problems(BottomLine((item,), (), ()), {"pulse": "remain ‘strained’ over"})
    ["bl-p: 'broken' is not verbatim in a source of its messages (pulse)"]
    """
    problems = []
    for item in line.items:
        sources = list(dict.fromkeys(s for message in item.messages for s in message.source_ids))
        texts = [source_texts[s] for s in sources if s in source_texts]
        for phrase in unverified_quotes(item.text, texts):
            problems.append(f"{item.id}: {phrase!r} is not verbatim in a source of its messages "
                            f"({', '.join(sources) or 'none'})")
    return problems


def lifted_quote_problems(table: Callable[[str], pd.DataFrame], facts: Mapping[str, Fact],
                          texts: Mapping[str, str]) -> list[str]:
    """Words a book's key messages or its bottom line put in single quotes that are not verbatim in their sources.

    What readers lift most: the build refuses to publish it unchecked (:mod:`pcn_evidence.tools.checks`).
    ``table`` and ``facts`` are the book's, as for :func:`book_messages`; ``texts`` maps source id to text.
    """
    messages = book_messages(table, facts)
    layer = bottom_line(table("bottom_line"), messages, table("outside_context"))
    return quoted_word_problems(messages, texts) + bottom_line_quote_problems(layer, texts)
