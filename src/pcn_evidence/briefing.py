"""Key messages in the form a briefing lifts them, built from ``data/`` alone.

A key message (``data/key_messages.csv``) is a headline that names whose account
it is, a summary of about 35 words, the main other evidence the book holds that
qualifies or sets it in context (``other_evidence``), and the findings it rests on with
their GRADE-CERQual confidence. What the messages mean now (the book's interpretation)
is drawn from them once, in :mod:`pcn_evidence.bottom_line`. The key-messages page and
the Word briefing both render from :func:`briefing_messages`, so they cannot disagree.

A summary types no number: it writes ``{fact:<fact id>}`` and the coded fact's
value is filled in, so a changed count changes every message that quotes it.

>>> from pcn_evidence.facts import Fact
>>> counts = {"tc-x": Fact("tc-x", "theme_counts", "bjgp-2021", "p", "Nine CCG staff", number=9.0, unit="CCG staff"),
...           "pf-y": Fact("pf-y", "reported_findings", "pulse", "p", "98% of", number=98.0, unit="% of practices")}
>>> fill_facts("{fact:tc-x} staff; {fact:pf-y} signed up", counts)
'9 staff; 98% signed up'
>>> word_count("Some PCNs were not yet engaged, CCG staff said."), quoted_phrases("the 'nirvana' or 'cavalry'; PCNs' role")
(9, ['nirvana', 'cavalry'])

The same messages are checked before anything renders them: :func:`message_problems`
(lengths, whose account), :func:`unnamed_number_problems` (each number named by what it
counts), :func:`other_evidence_problems` (a message whose findings another
source qualifies or contradicts says so) and :func:`quoted_word_problems` (quoted
words are a cited source's own). :func:`message_findings` is the set of findings the
messages rest on, which is what a tally "the messages rest on" must count. The limitations and evidence dates a briefing
opens with come from :func:`briefing_limitations` and :func:`evidence_dates`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from .datapackage import split_tags
from .dates import describe_date, describe_span, parse_partial_date
from .errors import EvidenceError, Problem
from .facts import Fact
from .prose import format_number
from .provenance import is_verbatim

__all__ = ["HEADLINE_WORDS", "SUMMARY_WORDS", "OutsideContext", "BriefingMessage", "fill_facts",
           "fact_text", "outside_contexts", "confidence_text", "word_count", "quoted_phrases", "placeholder_ids", "briefing_messages",
           "message_problems", "quoted_word_problems", "Limitation", "briefing_limitations", "EvidenceDates",
           "evidence_dates", "OTHER_EVIDENCE_WORDS", "message_findings",
           "other_evidence_problems", "unnamed_number_problems"]

HEADLINE_WORDS = 12  # "a headline of at most about 12 words"
SUMMARY_WORDS = 35  # "a summary of at most about 35 words"
OTHER_EVIDENCE_WORDS = 45  # the qualifying or contrary evidence beside a summary: it may carry two sources
#: Stances of the evidence matrix that a message must not leave out (data/schemas/evidence_matrix.json).
CONTRARY_STANCES = ("qualifies", "contradicts")
#: How many words either side of a number may name what it counts ("staff from 4 CCGs", "CCGs from 135 to 106").
UNIT_WINDOW = 6

_PLACEHOLDER = re.compile(r"\{fact:([a-z0-9-]+)\}")
_DATE = re.compile(r"\{date:([a-z0-9-]+)\}")  # a cited source's date, in words, from sources.csv
# Quoted words: a single or curly quote not inside a word (so "PCNs'" and "CCG's" are apostrophes).
_QUOTED = re.compile(r"(?<![\w])['\u2018]([^'\u2019]+?)['\u2019](?![\w])")


@dataclass(frozen=True)
class OutsideContext:
    """A dated fact from a document that is not one of the book's sources."""

    id: str
    date: str  # YYYY, YYYY-MM or YYYY-MM-DD, at the reference's precision
    statement: str
    short: str  # the fact in a few words, as a message notes it
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
    other_evidence: str = ""  # the main qualifying, contrary or separate evidence, attributed; numbers filled in
    finding_labels: tuple[str, ...] = ()  # the short label readers see for each finding in ``confidence``
    context: tuple[OutsideContext, ...] = ()  # what has changed since, from outside the sources (``context_ids``)

    @property
    def rated(self) -> list[tuple[str, str]]:
        """(what readers call the finding, its level): the finding's label, never its internal id, when known."""
        labels = self.finding_labels or tuple(finding for finding, _ in self.confidence)
        return [(label, level) for label, (_, level) in zip(labels, self.confidence)]


def outside_contexts(outside_context: pd.DataFrame) -> list[OutsideContext]:
    """The outside-context facts (``outside_context.csv``) in display order."""
    return [OutsideContext(row.id, str(row.date), row.statement, row.short, row.reference)
            for row in outside_context.sort_values("order").itertuples()]


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


def unverified_quotes(text: str, source_texts: Iterable[str]) -> list[str]:
    """The phrases ``text`` puts in single quotes that are verbatim in none of ``source_texts``."""
    texts = list(source_texts)
    return [phrase for phrase in quoted_phrases(text) if not any(is_verbatim(phrase, t) for t in texts)]


def names_an_account(text: str, account_names: Iterable[str]) -> bool:
    """Whether ``text`` names one of the accounts (the ``short`` forms of ``accounts.csv``), in any case."""
    return any(name.lower() in text.lower() for name in account_names)


def _text(cell: object) -> str:
    """A cell's text, ``""`` for an empty (NaN or None) cell."""
    return cell if isinstance(cell, str) else ""


def _problem(row: int, column: str, value: str, message: str) -> Problem:
    return Problem("data/key_messages.csv", message, row=row, line=row + 1, column=column, value=value)


def briefing_messages(key_messages: pd.DataFrame, confidence: Mapping[str, str], facts: Mapping[str, Fact],
                      finding_labels: Mapping[str, str] | None = None,
                      source_dates: Mapping[str, str] | None = None,
                      outside: Mapping[str, OutsideContext] | None = None) -> list[BriefingMessage]:
    """The key messages in display order, with numbers filled in and each finding's confidence.

    ``confidence`` maps finding id to its GRADE-CERQual level (``cerqual.csv``), and
    ``finding_labels`` each finding id to the short label readers see (its ``label``).
    ``source_dates`` maps a dated source's id to its date in words, for ``{date:<source id>}``
    (a date, like a number, is never typed), and ``outside`` each outside-context id to its fact, for
    ``context_ids`` (without it, as for the landing page's headlines, no message carries its context). Raises
    :class:`EvidenceError` listing every summary that quotes an unknown fact or date, or one from a source
    the message does not cite, and, given ``outside``, every outside-context id it does not hold.
    """
    problems: list[Problem] = []
    messages = []
    dates = dict(source_dates or {})
    for row_number, (_, row) in enumerate(key_messages.iterrows(), start=1):
        sources = tuple(split_tags(row["source_ids"]))
        filled = {}
        for column in ("summary", "other_evidence"):
            template = _text(row.get(column))
            try:
                filled[column] = fill_facts(template, facts)
            except EvidenceError as error:
                problems += [_problem(row_number, column, template[:60], p.message) for p in error.problems]
                continue
            for fact_id in placeholder_ids(template):
                if facts[fact_id].source_id not in sources:
                    problems.append(_problem(row_number, column, fact_id, f"the fact comes from "
                                             f"{facts[fact_id].source_id!r}, which is not in source_ids "
                                             f"{list(sources)}"))
        if len(filled) < 2:
            continue
        for column, text in filled.items():
            for source in _DATE.findall(text):
                if source not in dates:
                    problems.append(_problem(row_number, column, source, f"{{date:{source}}} names no dated source"))
                elif source not in sources:
                    problems.append(_problem(row_number, column, source,
                                             f"the date is {source!r}'s, which is not in source_ids"))
            filled[column] = _DATE.sub(lambda m: dates.get(m.group(1), m.group(0)), text)
        findings, context = split_tags(row["finding_ids"]), split_tags(_text(row.get("context_ids")))
        problems += [_problem(row_number, "context_ids", c, "names no outside-context fact")
                     for c in context if outside is not None and c not in outside]
        messages.append(BriefingMessage(
            id=row["id"], order=int(row["order"]), headline=row["heading"], summary=filled["summary"],
            confidence=tuple((f, confidence[f]) for f in findings), source_ids=sources,
            other_evidence=filled["other_evidence"],
            finding_labels=tuple(finding_labels.get(f, f) for f in findings) if finding_labels else (),
            context=tuple(outside[c] for c in context if outside and c in outside)))
    if problems:
        raise EvidenceError(problems)
    return sorted(messages, key=lambda m: m.order)


def confidence_text(message: BriefingMessage) -> str:
    """The message's confidence in words: each distinct level of its findings, in turn ("moderate / very low")."""
    return " / ".join(dict.fromkeys(level for _, level in message.confidence))


def message_problems(messages: Iterable[BriefingMessage], account_names: Iterable[str]) -> list[str]:
    """What would stop a reader lifting a message as it stands, one line per problem.

    A headline over :data:`HEADLINE_WORDS` words or naming none of ``account_names``
    (the ``short`` forms of ``accounts.csv``), a summary over :data:`SUMMARY_WORDS` words
    or other evidence over :data:`OTHER_EVIDENCE_WORDS` words once their numbers are filled in.

    >>> m = BriefingMessage("km-x", 1, "Someone: a headline", "A summary.", (), ())
    >>> message_problems([m], ["CCG staff"])
    ["km-x: the headline names no account ('CCG staff')"]
    """
    names = list(account_names)
    problems = []
    for message in messages:
        if word_count(message.headline) > HEADLINE_WORDS:
            problems.append(f"{message.id}: the headline has {word_count(message.headline)} words, more than "
                            f"{HEADLINE_WORDS}: {message.headline!r}")
        if not names_an_account(message.headline, names):
            problems.append(f"{message.id}: the headline names no account ({' or '.join(map(repr, names))})")
        if word_count(message.summary) > SUMMARY_WORDS:
            problems.append(f"{message.id}: the summary has {word_count(message.summary)} words once its numbers are "
                            f"filled in, more than {SUMMARY_WORDS}")
        if word_count(message.other_evidence) > OTHER_EVIDENCE_WORDS:
            problems.append(f"{message.id}: the other evidence has {word_count(message.other_evidence)} words once "
                            f"its numbers are filled in, more than {OTHER_EVIDENCE_WORDS}")
    return problems


def quoted_word_problems(messages: Iterable[BriefingMessage], source_texts: Mapping[str, str]) -> list[str]:
    """Words a summary puts in single quotes that are not verbatim in any source the message cites.

    ``source_texts`` maps source id to the source's text (quotes, dashes, spaces and case are
    folded as :func:`pcn_evidence.provenance.normalise` does). A cited source with no text is
    a problem too: an unchecked quote must not pass.

    >>> m = BriefingMessage("km-x", 1, "h", "Seen as the 'cavalry' by 'all'.", (), ("s",))
    >>> quoted_word_problems([m], {"s": "PCNs were the ‘cavalry’."})
    ["km-x: 'all' is not verbatim in any cited source (s)"]
    """
    problems = []
    for message in messages:
        missing = [s for s in message.source_ids if s not in source_texts]
        if missing and quoted_phrases(message.summary + " " + message.other_evidence):
            problems.append(f"{message.id}: no text of the cited source(s) {', '.join(missing)} to check its quoted "
                            "words against")
        texts = [source_texts[s] for s in message.source_ids if s in source_texts]
        for phrase in unverified_quotes(message.summary + " " + message.other_evidence, texts):
            problems.append(f"{message.id}: {phrase!r} is not verbatim in any cited source "
                            f"({', '.join(message.source_ids)})")
    return problems


def message_findings(messages: Iterable[BriefingMessage]) -> list[str]:
    """The findings the messages rest on, each once, in the order the messages list them.

    A tally of "the findings the messages rest on" counts these, not every synthesised finding.

    >>> a = BriefingMessage("km-a", 1, "h", "s", (("f-x", "low"), ("f-y", "moderate")), ())
    >>> b = BriefingMessage("km-b", 2, "h", "s", (("f-y", "moderate"),), ())
    >>> message_findings([a, b])
    ['f-x', 'f-y']
    """
    return list(dict.fromkeys(finding for message in messages for finding, _ in message.confidence))


def other_evidence_problems(messages: Iterable[BriefingMessage], matrix: pd.DataFrame) -> list[str]:
    """Messages that leave out a source which qualifies or contradicts a finding they rest on.

    ``matrix`` is the evidence matrix (``finding_id``, ``source_id``, ``stance``). Where any
    source qualifies or contradicts one of a message's findings, the message must say so in
    ``other_evidence`` and cite at least one of those sources, so that a reader lifting the
    summary alone is not given one side.

    >>> matrix = pd.DataFrame({"finding_id": ["f-x"], "source_id": ["press"], "stance": ["qualifies"]})
    >>> bare = BriefingMessage("km-x", 1, "h", "s", (("f-x", "low"),), ("study",))
    >>> other_evidence_problems([bare], matrix)
    ['km-x: press qualifies or contradicts f-x, but the message gives no other evidence']
    >>> uncited = BriefingMessage("km-x", 1, "h", "s", (("f-x", "low"),), ("study",), "But press said so.")
    >>> other_evidence_problems([uncited], matrix)
    ['km-x: its other evidence cites none of the sources that qualify or contradict its findings (press)']
    """
    contrary = matrix[matrix["stance"].isin(CONTRARY_STANCES)]
    problems = []
    for message in messages:
        findings = [finding for finding, _ in message.confidence]
        rows = contrary[contrary["finding_id"].isin(findings)]
        if rows.empty:
            continue
        against = list(dict.fromkeys(rows["source_id"]))
        if not message.other_evidence.strip():
            first = rows.iloc[0]
            problems.append(f"{message.id}: {first['source_id']} qualifies or contradicts {first['finding_id']}, but "
                            "the message gives no other evidence")
        elif not set(against) & set(message.source_ids):
            problems.append(f"{message.id}: its other evidence cites none of the sources that qualify or contradict "
                            f"its findings ({', '.join(against)})")
    return problems


def _unit_stem(unit: str) -> str:
    """The word a text must use near a number to say what it counts: the unit's first word, singular, lower case."""
    words = [w for w in re.findall(r"[A-Za-z]+", unit) if w.lower() not in {"of", "the", "a"}]
    return words[0].lower().rstrip("s") if words else ""


def unnamed_number_problems(key_messages: pd.DataFrame, facts: Mapping[str, Fact]) -> list[str]:
    """Numbers in a message that are not named by what they count.

    A ``{fact:<id>}`` placeholder must stand within :data:`UNIT_WINDOW` words of its fact's
    unit (``unit`` in the fact table: "CCGs", "social prescribers"), so that a count of CCGs
    is not read as a count of interviewees, nor a count of staff as a count of those redeployed.
    Facts with no unit (a date, a version) are exempt.

    >>> from pcn_evidence.facts import Fact
    >>> fs = {"tc-x": Fact("tc-x", "theme_counts", "s", "p", "q", number=4.0, unit="CCGs")}
    >>> frame = pd.DataFrame({"id": ["km-a", "km-b"], "summary": ["Staff from {fact:tc-x} CCGs agreed.",
    ...                                                         "Of {fact:tc-x} interviewees, most agreed."]})
    >>> unnamed_number_problems(frame, fs)
    ["km-b: {fact:tc-x} is not named by its unit ('CCGs') within 6 words"]
    """
    problems = []
    for row in key_messages.itertuples():
        for column in ("summary", "other_evidence"):
            text = _text(getattr(row, column, ""))
            words = text.split()
            for index, word in enumerate(words):
                for fact_id in placeholder_ids(word):
                    stem = _unit_stem(facts[fact_id].unit or "") if fact_id in facts else ""
                    if not stem:
                        continue
                    near = words[max(0, index - UNIT_WINDOW):index] + words[index + 1:index + 1 + UNIT_WINDOW]
                    if not any(re.sub(r"[^a-z]", "", w.lower()).startswith(stem) for w in near):
                        problems.append(f"{row.id}: {{fact:{fact_id}}} is not named by its unit "
                                        f"({facts[fact_id].unit!r}) within {UNIT_WINDOW} words")
    return problems


@dataclass(frozen=True)
class Limitation:
    """One main limitation of the evidence, and whose statement it is."""

    id: str
    text: str
    stated_by: str | None  # who states it (accounts.csv 'who'), or None: the book's own judgement
    in_brief: bool = False  # among the few the landing page and the printed key messages carry


def briefing_limitations(limitations: pd.DataFrame, accounts: pd.DataFrame) -> list[Limitation]:
    """The limitations (``limitations.csv``) in display order, each with who states it (``accounts.csv``)."""
    who = dict(zip(accounts["id"], accounts["who"]))
    rows = limitations.sort_values("order")
    return [Limitation(row.id, row.limitation, who[row.account] if isinstance(row.account, str) and row.account
                       else None, bool(row.in_brief)) for row in rows.itertuples()]


@dataclass(frozen=True)
class EvidenceDates:
    """How current the evidence is: the study's fieldwork and the latest dated source."""

    fieldwork: str  # e.g. "August to December 2019"
    latest_source: str  # the date in words, at its own precision
    latest_source_label: str  # the source's label (sources.csv)
    sources: int  # how many sources there are
    undated_sources: int  # how many of them have no date, in their text or their citation


def evidence_dates(timeline: pd.DataFrame, sources: pd.DataFrame, fieldwork_event: str) -> EvidenceDates:
    """The fieldwork span (timeline row ``fieldwork_event``) and the latest dated source (``sources.csv``).

    Sources are ordered by the first day their date could be, so a source dated only to a
    year is not placed after one dated to a day within that year.
    """
    events = timeline.set_index("id")
    if fieldwork_event not in events.index:
        raise KeyError(f"data/timeline.csv has no event {fieldwork_event!r} (the study's fieldwork)")
    event = events.loc[fieldwork_event]
    dated = sources[sources["date"].notna() & (sources["date"].astype("string").str.strip() != "")]
    if dated.empty:
        raise ValueError("data/sources.csv gives no source a date: the evidence cannot be dated")
    latest = max(dated.itertuples(), key=lambda row: parse_partial_date(str(row.date)).first)
    return EvidenceDates(fieldwork=describe_span(str(event["start"]), event["end"], year_once=True),
                         latest_source=describe_date(str(latest.date)), latest_source_label=str(latest.label),
                         sources=len(sources), undated_sources=len(sources) - len(dated))
