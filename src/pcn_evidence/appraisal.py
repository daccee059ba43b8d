"""Machine checks on the synthesis: what can be checked about the GRADE-CERQual judgements and attribution.

Each check returns a list of problems (empty when it passes), each naming the finding,
the message or the matrix cell and what is wrong, so a chapter or a test can show them.

* :func:`downgrade_problems`: an overall assessment below *high* names, in its
  explanation, every component with moderate or serious concerns, and at least one
  component with concerns; no explanation leans on something that is not a CERQual
  criterion (peer review) or lets the press hold a rating up.
* :func:`research_support_problems`: a finding that no research study supports is
  rated at most *low*.
* :func:`topic_support_problems`: every "supports" cites a coded fact tagged with the
  finding's topic.
* :func:`attribution_problems`: every finding says whose account it is, in its text and
  its title, and every key message's heading names the account of one of its findings.

>>> levels = ["high", "moderate", "low", "very low"]
>>> row = {"finding_id": "f-x", "confidence": "moderate", "coherence": "moderate concerns",
...        "adequacy": "minor concerns", "confidence_explanation": "Downgraded for adequacy."}
>>> downgrade_problems([row], levels, {"coherence": "coherence", "adequacy": "adequacy"})
['f-x: the overall explanation does not name coherence, which has moderate concerns']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from .datapackage import split_tags

__all__ = ["CONCERNS", "downgrade_problems", "supporting_sources", "research_support_problems", "fact_topics",
           "topic_support_problems", "attribution_problems"]

CONCERNS = ("no or very minor concerns", "minor concerns", "moderate concerns", "serious concerns")
_NOT_CERQUAL = {r"peer[- ]review": "peer review is not a GRADE-CERQual criterion",
                r"prevent\w* (?:a |any )?further downgrad": "the press may add contrast or context but never hold a "
                                                             "rating up"}


def downgrade_problems(assessments: Iterable[Mapping[str, str]], levels: Sequence[str],
                       components: Mapping[str, str]) -> list[str]:
    """Every overall assessment whose explanation does not trace to its components.

    ``levels`` runs from the highest confidence down; ``components`` maps each component
    column to the words the explanation must use for it (e.g. ``"adequacy"``).
    """
    problems = []
    for row in assessments:
        finding, explanation = row["finding_id"], row["confidence_explanation"].lower()
        named = {column for column, words in components.items() if words.lower() in explanation}
        for column, words in components.items():
            if row[column] in CONCERNS[2:] and column not in named:
                problems.append(f"{finding}: the overall explanation does not name {words}, which has "
                                f"{row[column]}")
        if levels.index(row["confidence"]) > 0 and not any(row[c] != CONCERNS[0] for c in named):
            problems.append(f"{finding}: rated {row['confidence']}, but the overall explanation names no component "
                            "with concerns to explain the downgrade")
        for pattern, why in _NOT_CERQUAL.items():
            for column in [*components, "confidence"]:
                said = re.search(pattern, row.get(f"{column}_explanation", ""), re.IGNORECASE)
                if said:
                    problems.append(f"{finding}: the {column.replace('_', ' ')} explanation says "
                                    f"{said.group(0)!r}: {why}")
    return problems


def supporting_sources(cells: pd.DataFrame) -> dict[str, list[str]]:
    """For each finding, the sources whose judgement is "supports" (in matrix order).

    >>> supporting_sources(pd.DataFrame({"finding_id": ["f-a", "f-a"], "source_id": ["s", "t"],
    ...                                  "stance": ["supports", "silent"]}))
    {'f-a': ['s']}
    """
    supporting = cells[cells["stance"] == "supports"]
    return {str(f): list(s) for f, s in supporting.groupby("finding_id", sort=False)["source_id"]}


def fact_topics(*tables: pd.DataFrame) -> dict[str, list[str]]:
    """The topic tags of every coded fact in tables that have an ``id`` and a ``topics`` column.

    >>> fact_topics(pd.DataFrame({"id": ["sf-a"], "topics": ["costs; staffing"]}))
    {'sf-a': ['costs', 'staffing']}
    """
    return {fact_id: split_tags(tags) for table in tables for fact_id, tags in zip(table["id"], table["topics"])}


def research_support_problems(confidence: Mapping[str, str], supports: Mapping[str, Iterable[str]],
                              studies: Iterable[str], ceiling: str, levels: Sequence[str]) -> list[str]:
    """Findings rated above ``ceiling`` that no research study supports.

    ``supports`` maps each finding to the sources that support it; ``studies`` are the
    research studies among the sources.

    >>> research_support_problems({"f-a": "moderate", "f-b": "low"}, {"f-a": ["press"], "f-b": ["press"]},
    ...                           ["study"], "low", ["high", "moderate", "low", "very low"])
    ['f-a: rated moderate, but no research study supports it (at most low)']
    """
    studies = set(studies)
    return [f"{finding}: rated {level}, but no research study supports it (at most {ceiling})"
            for finding, level in confidence.items()
            if not studies & set(supports.get(finding, ())) and levels.index(level) < levels.index(ceiling)]


def topic_support_problems(cells: Iterable[Mapping[str, object]], finding_topics: Mapping[str, str],
                           fact_topics: Mapping[str, Iterable[str]]) -> list[str]:
    """Every "supports" cell none of whose cited facts carries the finding's topic.

    >>> topic_support_problems([{"finding_id": "f-a", "source_id": "s", "stance": "supports", "ids": ["x"]}],
    ...                        {"f-a": "costs"}, {"x": ["staffing"]})
    ["f-a x s: 'supports' cites no coded fact tagged 'costs' (cited: x)"]
    """
    problems = []
    for cell in cells:
        if cell["stance"] != "supports":
            continue
        ids = list(cell["ids"])  # type: ignore[call-overload]
        topic = finding_topics[str(cell["finding_id"])]
        if not any(topic in fact_topics.get(i, ()) for i in ids):
            problems.append(f"{cell['finding_id']} x {cell['source_id']}: 'supports' cites no coded fact tagged "
                            f"{topic!r} (cited: {', '.join(ids)})")
    return problems


def attribution_problems(findings: Iterable[Mapping[str, str]], accounts: Mapping[str, Mapping[str, str]],
                         messages: Iterable[Mapping[str, str]] = ()) -> list[str]:
    """Findings, titles and key-message headings that do not say whose account they give.

    >>> accounts = {"staff": {"who": "CCG staff", "short": "CCG staff"}}
    >>> attribution_problems([{"id": "f-a", "account": "staff", "title": "CCG staff: x",
    ...                        "finding": "CCGs did x."}], accounts)
    ["f-a: the finding does not say whose account it is ('CCG staff')"]
    """
    problems, account_of = [], {}
    for finding in findings:
        account = accounts[finding["account"]]
        account_of[finding["id"]] = account
        if account["who"].lower() not in finding["finding"].lower():
            problems.append(f"{finding['id']}: the finding does not say whose account it is ({account['who']!r})")
        if account["short"].lower() not in finding["title"].lower():
            problems.append(f"{finding['id']}: the title does not name the account ({account['short']!r})")
    for message in messages:
        shorts = [account_of[f]["short"] for f in split_tags(message["finding_ids"])]
        if not any(short.lower() in message["heading"].lower() for short in shorts):
            problems.append(f"{message['id']}: the heading names none of its findings' accounts "
                            f"({' or '.join(repr(s) for s in dict.fromkeys(shorts))})")
    return problems
