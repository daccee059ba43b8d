"""The coding audit: a decision for every sentence of every source, kept without the sentences.

Each source is split into sentences; ``data/coding_decisions.csv`` records, for each,
either the coded facts that carry it or why it is not coded (a reason from
``data/coding_reasons.csv``). The file stores a digest of each sentence, never its text:
the press articles are copyrighted. A changed source makes its digests stale, so
an edit to the evidence cannot slip past the coding.

>>> [s.text for s in split_sentences("Dr Smith said so. CCGs (e.g. two) agreed. ‘Yes.’ It ended.")]
['Dr Smith said so.', 'CCGs (e.g. two) agreed.', '‘Yes.’', 'It ended.']
>>> holds_number("Staff from five CCGs agreed."), holds_number("One view was heard.")
(True, False)
>>> digest("It  ended.") == digest("it ended.")
True
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from .datapackage import DataPackage, split_tags
from .errors import Problem
from .facts import Fact, facts
from .load import validated_package
from .provenance import normalise, source_texts

__all__ = ["Sentence", "split_sentences", "source_sentences", "digest", "holds_number", "reports_speech",
           "carries", "citable_facts", "Audit", "audit", "agreement"]

DECISIONS = "coding_decisions"
REASONS = "coding_reasons"

# Words after which a full stop does not end a sentence (lower case, without the stop).
_ABBREVIATIONS = {"e.g", "i.e", "et al", "al", "dr", "mr", "mrs", "ms", "prof", "vs", "cf", "no", "st", "fig", "eg",
                  "ie", "approx"}
_BOUNDARY = re.compile(r"(?<=[.!?])([’'\"”)\]]*)\s+(?=[‘'\"“(\[A-Z0-9])")
_NUMBER_WORDS = (r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
                 r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
                 r"thousand|million|billion|half|per cent|percent")
_NUMBER = re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.IGNORECASE)
_SPEECH = re.compile(r"\b(said|says|say|told|tell|insisted|warned|added|admitted|according to|argued|commented|"
                     r"explained|described|suggested|reported|spoke)\b|^[‘'\"“]|[:,] [‘'\"“]", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a source, located by its line in the reference text and its place on that line."""

    source_id: str
    line: int
    position: int
    text: str

    @property
    def locator(self) -> str:
        return f"line {self.line}, sentence {self.position}"

    @property
    def digest(self) -> str:
        return digest(self.text)


def digest(text: str) -> str:
    """A short, stable fingerprint of a sentence that does not reveal it (typography and case folded)."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:16]


def split_sentences(paragraph: str) -> list[Sentence]:
    """The sentences of one paragraph, split after '.', '!' or '?' (and any closing quote or bracket).

    A stop after a known abbreviation or a single initial does not end a sentence.
    """
    pieces, start = [], 0
    for match in _BOUNDARY.finditer(paragraph):
        end = match.start() + len(match.group(1))
        before = paragraph[start:end].rstrip(".!?’'\"”)]")
        last_word = re.split(r"[\s(]", before)[-1] if before else ""
        if last_word.lower() in _ABBREVIATIONS or re.fullmatch(r"[A-Z]", last_word):
            continue
        pieces.append(paragraph[start:end].strip())
        start = match.end()
    pieces.append(paragraph[start:].strip())
    return [Sentence("", 0, i + 1, text) for i, text in enumerate(p for p in pieces if p)]


def source_sentences(source_id: str, text: str) -> list[Sentence]:
    """Every sentence of a reference text, each line being one paragraph."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        found += [Sentence(source_id, number, s.position, s.text) for s in split_sentences(line.strip())]
    return found


def holds_number(text: str) -> bool:
    """True if the sentence states a number (digits, or a number word from two upwards)."""
    return bool(_NUMBER.search(text))


def reports_speech(text: str) -> bool:
    """True if the sentence reports or quotes what someone said."""
    return bool(_SPEECH.search(text))


def carries(quote: str, sentence: str) -> bool:
    """True if a fact's quote comes from this sentence.

    A piece of the quote (pieces are joined by '…') lies inside the sentence, or the
    sentence inside a piece, or the two share a run of at least 40 characters (a quote
    that crosses a sentence boundary counts for both sentences). Pieces and sentences
    shorter than 15 characters ("METHOD", "PCNs") are too common to count alone, unless
    they hold a number (a date in a byline).

    >>> carries("CCGs were purposively selected", "CCGs were purposively selected to cover regions.")
    True
    >>> carries("the role of commissioners … PCNs", "METHOD")
    False
    """
    said = normalise(sentence)
    for piece in (p.strip(" '\"") for p in normalise(quote).split("\u2026")):
        distinctive = len(piece) >= 15 or len(piece) >= 6 and any(c.isdigit() for c in piece)
        if distinctive and piece in said or len(said) >= 15 and said in piece:
            return True
        match = SequenceMatcher(None, piece, said, autojunk=False).find_longest_match(0, len(piece), 0, len(said))
        if match.size >= 40:
            return True
    return False


def citable_facts(data_dir: Path | str | None = None) -> dict[str, Fact]:
    """The coded facts a decision can name: those of tables keyed by ``id`` (as ``pcn:evidence_ids`` checks).

    The COREQ appraisal is keyed by checklist item; its quotes are the study's, carried by design facts.
    """
    package = validated_package(data_dir)
    keyed = {name for name, table in package.tables.items() if "id" in table.header}
    return {key: item for key, item in facts(data_dir).items() if item.table in keyed}


@dataclass
class Audit:
    """The result of the coding audit."""

    decided: int
    total: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"coding decisions: {self.decided} of {self.total} source sentences"


def _texts(package: DataPackage, sources_dir: Path) -> dict[str, tuple[str, str]]:
    files = {row["id"]: row["source_file"] for row in package.tables["sources"].rows}
    return {source_id: (files[source_id], text) for source_id, text in source_texts(package, sources_dir).items()}


def audit(sources_dir: Path | str, data_dir: Path | str | None = None) -> Audit:
    """Check that every sentence of every source at hand has a current, well-founded decision."""
    package = validated_package(data_dir)
    table = package.tables[DECISIONS]
    reasons = {row["id"]: row for row in package.tables[REASONS].rows}
    coded = citable_facts(data_dir)
    texts = _texts(package, Path(sources_dir))
    every = [s for sid, (_, text) in texts.items() for s in source_sentences(sid, text)]
    places: dict[tuple[str, str], list[Sentence]] = {}
    for said in every:  # a sentence said twice (a repeated heading) is decided once, at either place
        places.setdefault((said.source_id, said.digest), []).append(said)
    problems: list[Problem] = []
    decided: set[tuple[str, str]] = set()
    carried: set[str] = set()
    for index, row in enumerate(table.rows):
        def problem(message: str, column: str, value: str | None = None, index: int = index) -> None:
            problems.append(Problem(table.label, message, row=index + 1, line=table.lines[index], column=column,
                                    value=value))
        key = (row["source_id"], row["digest"])
        if row["source_id"] not in texts:
            continue  # no reference copy at hand: nothing to check this decision against
        if key in decided:
            problem("a second decision for the same sentence", "digest", row["digest"])
            continue
        if key not in places:
            problem(f"stale digest: no sentence of {texts[row['source_id']][0]} has it (the source changed, or the "
                    f"sentence at {row['locator']!r} is split differently); decide that sentence again", "digest",
                    row["digest"])
            continue
        decided.add(key)
        sentence = places[key][0]
        if row["locator"] not in [said.locator for said in places[key]]:
            problem(f"the sentence with this digest is at {' and '.join(s.locator for s in places[key])}", "locator",
                    row["locator"])
        ids = split_tags(row["fact_ids"])
        if row["decision"] == "coded":
            if not ids:
                problem("a coded sentence names the facts that carry it", "fact_ids", "")
            for fact_id in ids:
                item: Fact | None = coded.get(fact_id)
                if item is not None and item.source_id != row["source_id"]:
                    problem(f"fact {fact_id!r} is coded from {item.source_id!r}, not from this source", "fact_ids",
                            fact_id)
                elif item is not None and not carries(item.quote, sentence.text):
                    problem(f"the quote of fact {fact_id!r} is not in the sentence at {sentence.locator}", "fact_ids",
                            fact_id)
                carried.add(fact_id)
            if row["reason"]:
                problem("a coded sentence has no reason for not being coded", "reason", row["reason"])
            continue
        reason = reasons.get(row["reason"])
        if reason is None:
            problem("a sentence that is not coded needs a reason from data/coding_reasons.csv", "reason",
                    row["reason"])
            continue
        if reason["needs"] == "fact_ids" and not ids:
            problem(f"the reason {row['reason']!r} names the facts that already carry the sentence", "fact_ids", "")
        if reason["needs"] == "note" and not row["note"].strip():
            problem(f"the reason {row['reason']!r} needs a note saying why", "note", "")
        if reason["specific"] != "true" and (holds_number(sentence.text) or reports_speech(sentence.text)):
            kind = "a number" if holds_number(sentence.text) else "someone's words"
            problem(f"the sentence at {sentence.locator} holds {kind}: code it, or give a specific reason (one of "
                    f"{', '.join(k for k, v in reasons.items() if v['specific'] == 'true')})", "reason",
                    row["reason"])
    for key, where in places.items():
        if key not in decided:
            problems.append(Problem(f"{texts[key[0]][0]} ({key[0]})",
                                    f"no coding decision for the sentence at {where[0].locator} (digest {key[1]})"))
    for fact_id, unnamed in coded.items():
        if unnamed.source_id in texts and fact_id not in carried:
            problems.append(Problem(table.label, f"the coded fact {fact_id!r} ({unnamed.table}, {unnamed.locator}) is "
                                                 "named by no coded sentence"))
    counted = sum(1 for s in every if (s.source_id, s.digest) in decided)
    return Audit(decided=counted, total=len(every), problems=problems)


def agreement(first: Sequence[str], second: Sequence[str]) -> tuple[int, float]:
    """How many decisions two coders share, and Cohen's kappa (agreement beyond chance) over them.

    >>> agreement(["coded", "heading", "coded", "coded"], ["coded", "heading", "heading", "coded"])
    (3, 0.5)
    """
    if len(first) != len(second) or not first:
        raise ValueError("agreement needs two equally long, non-empty lists of decisions")
    total = len(first)
    agreed = sum(a == b for a, b in zip(first, second))
    chance = sum(list(first).count(c) * list(second).count(c) for c in set(first) | set(second)) / total**2
    return agreed, round((agreed / total - chance) / (1 - chance), 2) if chance < 1 else 1.0
