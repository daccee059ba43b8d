"""Check a second-hand account's numbers against the source it reports, and how it words them.

A trade-press article that reports a study restates some of the study's numbers. This
module pairs each numbered claim with the source fact that states the same number in a
compatible unit, finds how each text writes the number ("as many as 26", "Twenty-six"),
and names the differences in framing: a qualifier just before the number ("as many as"
frames it as an upper bound) or a scope phrase one text has and the other lacks ("in the
short term"). The vocabularies of qualifiers are data (``data/qualifiers.csv``), passed in
as arguments; nothing here names a coded fact.

>>> number_as_written("found that as many as 26 CCGs reported", 26, ["as many as", "up to"])
('as many as', '26')
>>> wording_differences("as many as 26 CCGs", "Twenty-six CCGs", 26,
...                     number_qualifiers={"as many as": "presents the number as an upper bound"})
["The press writes 'as many as', which presents the number as an upper bound; the study states the number plainly."]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from .numbers import numbers_in

__all__ = ["has_phrase", "units_compatible", "match_candidates", "match_press_to_study", "number_as_written",
           "wording_differences"]

_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?%?|[A-Za-z]+(?:-[A-Za-z]+)?")


def has_phrase(text: str, phrase: str) -> bool:
    """True if ``text`` contains ``phrase`` as a whole word or words, in any case.

    A hyphen counts as part of a word, so ``'ARRS'`` is not found in ``'pre-ARRS'``.

    >>> has_phrase("The ARRS is restrictive", "arrs"), has_phrase("BARRS", "ARRS"), has_phrase("pre-ARRS", "ARRS")
    (True, False, False)
    """
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text, re.IGNORECASE) is not None


def _unit_words(unit: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9%]+", unit.lower()) if w}


def units_compatible(claim_unit: str, fact_unit: str) -> bool:
    """True if every word of the source fact's unit is in the claim's unit.

    >>> units_compatible("CCG employees interviewed", "CCG employees"), units_compatible("CCGs", "CCG staff")
    (True, False)
    """
    fact_words = _unit_words(fact_unit)
    return bool(fact_words) and fact_words <= _unit_words(claim_unit)


def match_candidates(number: float, unit: str, facts: pd.DataFrame) -> list[str]:
    """Ids of the facts (columns ``id, number, unit``, optionally ``quote``) with this number and a compatible unit.

    Candidates keep the order of ``facts``. The same sentence coded more than once is one
    piece of evidence, not an ambiguity: candidates with an identical quote count once (the first id).

    >>> facts = pd.DataFrame({"id": ["a", "b", "c"], "number": [26.0, 4.0, 4.0], "unit": ["CCGs", "CCGs", "CCG staff"]})
    >>> match_candidates(4, "CCGs", facts), match_candidates(26, "CCGs", facts), match_candidates(5, "CCGs", facts)
    (['b'], ['a'], [])
    """
    same = facts[(facts["number"] == float(number)) & facts["unit"].map(lambda u: units_compatible(unit, str(u)))]
    if "quote" in same.columns:
        same = same.drop_duplicates(subset="quote", keep="first")
    return [str(i) for i in same["id"]]


def match_press_to_study(claims: pd.DataFrame, facts: pd.DataFrame,
                         overrides: Mapping[str, str]) -> pd.DataFrame:
    """Pair each numbered claim (``id, number, unit``) with the fact (``id, number, unit``) it reports.

    A claim is paired on number and unit when exactly one fact fits; otherwise ``overrides``
    (claim id -> fact id) must name the fact, and it is the only way to pair a claim whose
    number differs from the source's. Returns ``press_id, study_id, basis, n_candidates``.

    Raises ``KeyError`` for an override that names an unknown fact or a claim that is not
    among ``claims`` (a stale override), and ``ValueError`` for a claim no fact or several facts fit.

    >>> facts = pd.DataFrame({"id": ["a", "b"], "number": [4.0, 4.0], "unit": ["CCGs", "CCGs"]})
    >>> claims = pd.DataFrame({"id": ["p"], "number": [4.0], "unit": ["CCGs"]})
    >>> match_press_to_study(claims, facts, {"p": "b"}).loc[0, "basis"]
    'explicit override (2 study facts share the number and unit)'
    """
    known = set(facts["id"])
    stale = sorted(set(overrides) - set(claims["id"]))
    if stale:
        raise KeyError(f"overrides for ids that are not numbered press claims about the study: {stale}")
    bad = sorted(v for v in overrides.values() if v not in known)
    if bad:
        raise KeyError(f"overrides name study facts that do not exist: {bad}")
    rows = []
    for claim_id, number, unit in zip(claims["id"], claims["number"], claims["unit"]):
        candidates = match_candidates(float(number), str(unit), facts)
        if claim_id in overrides:
            study_id = overrides[claim_id]
            basis = (f"explicit override ({len(candidates)} study facts share the number and unit)"
                     if len(candidates) != 1 else "explicit override (confirms the unique match)")
        elif len(candidates) == 1:
            study_id, basis = candidates[0], "unique match on number and unit"
        else:
            raise ValueError(f"{claim_id}: {len(candidates)} study facts match number {number} and unit {unit!r} "
                             f"({candidates}); name the one it reports in the overrides")
        rows.append({"press_id": claim_id, "study_id": study_id, "basis": basis, "n_candidates": len(candidates)})
    return pd.DataFrame(rows, columns=["press_id", "study_id", "basis", "n_candidates"])


def number_as_written(quote: str, value: float, qualifiers: Iterable[str]) -> tuple[str, str]:
    """How ``quote`` writes ``value``: ``(qualifier, token)``.

    The qualifier is the longest of ``qualifiers`` that ends just before the number, or ``''``.
    Raises ``ValueError`` if the quote does not state the number.

    >>> number_as_written("Twenty-six CCGs reported", 26, ["as many as"])
    ('', 'Twenty-six')
    >>> number_as_written("up to 98% of practices", 98, ["up to", "to"])
    ('up to', '98%')
    """
    longest_first = sorted(qualifiers, key=len, reverse=True)
    for match in _TOKEN.finditer(quote):
        if numbers_in(match.group()) == {float(value)}:
            before = quote[:match.start()].rstrip().lower()
            qualifier = next((q for q in longest_first if re.search(rf"(?<![\w-]){re.escape(q)}$", before)), "")
            return qualifier, match.group()
    raise ValueError(f"the quote does not state {value:g}: {quote[:80]!r}")


def wording_differences(press_quote: str, study_quote: str, number: float,
                        number_qualifiers: Mapping[str, str],
                        scope_qualifiers: Mapping[str, str] | None = None) -> list[str]:
    """Differences in framing between the press and the study sentence, in words; ``[]`` if none.

    ``number_qualifiers`` maps a phrase placed just before a number to what it does to the
    number ("presents the number as an upper bound"); ``scope_qualifiers`` maps a phrase
    found anywhere to how it limits what is counted ("limits the arrangement in time").

    >>> wording_differences("four CCGs agreed", "In the short term, four CCGs agreed", 4, {},
    ...                     {"in the short term": "limits the arrangement in time"})
    ["The study says 'in the short term', which limits the arrangement in time; the press leaves it out."]
    """
    notes = []
    press_q, _ = number_as_written(press_quote, number, number_qualifiers)
    study_q, _ = number_as_written(study_quote, number, number_qualifiers)
    if press_q != study_q:
        if press_q:
            notes.append(f"The press writes '{press_q}', which {number_qualifiers[press_q]}; "
                         + (f"the study writes '{study_q}'." if study_q else "the study states the number plainly."))
        else:
            notes.append(f"The study writes '{study_q}', which {number_qualifiers[study_q]}; "
                         "the press states the number plainly.")
    for phrase, meaning in (scope_qualifiers or {}).items():
        in_press, in_study = has_phrase(press_quote, phrase), has_phrase(study_quote, phrase)
        if in_study and not in_press:
            notes.append(f"The study says '{phrase}', which {meaning}; the press leaves it out.")
        elif in_press and not in_study:
            notes.append(f"The press adds '{phrase}', which {meaning}; the study does not say it.")
    return notes
