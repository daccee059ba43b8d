"""Machine checks on the synthesis: what can be checked about the GRADE-CERQual judgements and attribution.

Each check returns a list of problems (empty when it passes), each naming the finding,
the message or the matrix cell and what is wrong, so a chapter or a test can show them.

* :func:`downgrade_problems`: an overall assessment below *high* names, in its
  explanation, every component with moderate or serious concerns, and at least one
  component with concerns; no explanation leans on something that is not a CERQual
  criterion (peer review) or lets the press hold a rating up.
* :func:`topic_support_problems`: every "supports" cites a coded fact tagged with the
  finding's topic.
* :func:`attribution_problems`: every finding says whose account it is, in its text and
  its title, and every key message's heading names the account of one of its findings.
* :func:`concern_problems`: the same concern earns the same rating everywhere: each
  component's rating is the most serious among the concerns it lists (``concerns.csv``), and
  its explanation speaks of each listed concern and of no other.
* :func:`ceiling_problems` and :func:`study_count_problems`: the book's own rules (not
  GRADE-CERQual's) that cap a finding's overall confidence hold, whether a listed concern
  carries the rule or the number of independent studies behind the finding sets it.
* :func:`evenness_problems`: no finding is rated above another whose concerns are no more
  serious on any component.
* :func:`book_rule_problems`: an explanation that states one of those caps says it is the
  book's rule.

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

__all__ = ["CONCERNS", "downgrade_problems", "supporting_sources", "fact_topics",
           "topic_support_problems", "attribution_problems", "listed_concerns", "concern_problems", "ceiling_problems",
           "studies_behind", "study_count_problems", "evenness_problems", "book_rule_problems",
           "concern_vocabulary_problems"]

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


# --- the same concern, the same rating (concerns.csv) -----------------------------------------------------------


def listed_concerns(row: Mapping[str, str], component: str) -> list[str]:
    """The concern ids a cerqual.csv row lists for ``component`` (its ``<component>_concerns`` column).

    >>> listed_concerns({"coherence_concerns": "coh-a; coh-b"}, "coherence")
    ['coh-a', 'coh-b']
    """
    return split_tags(row.get(f"{component}_concerns", "") or "")


def concern_problems(assessments: Iterable[Mapping[str, str]], concerns: Mapping[str, Mapping[str, str]],
                     components: Sequence[str]) -> list[str]:
    """Components whose rating, listed concerns and explanation disagree.

    ``concerns`` maps each concern id to its ``concerns.csv`` row (``component``, ``rating``,
    ``cue``, ``pairs_with``). A component's rating must be the most serious rating among the
    concerns it lists (no or very minor concerns when it lists none), so that one concern earns
    one rating for every finding; each listed concern must belong to that component; its
    explanation must use the cue of each concern it lists and of no concern it does not list
    (so that the free text and the ids agree); and a concern that pairs with another is never
    listed without it.

    >>> concerns = {"adq-one": {"component": "adequacy", "rating": "minor concerns", "cue": "one study",
    ...                         "pairs_with": ""}}
    >>> concern_problems([{"finding_id": "f-x", "adequacy": "moderate concerns", "adequacy_concerns": "adq-one",
    ...                    "adequacy_explanation": "One study."}], concerns, ["adequacy"])
    ["f-x: adequacy is rated 'moderate concerns', but the most serious concern it lists earns 'minor concerns'"]
    """
    problems = []
    for row in assessments:
        finding = row["finding_id"]
        everywhere = {c for component in components for c in listed_concerns(row, component)}
        for component in components:
            words, ids = component.replace("_", " "), listed_concerns(row, component)
            known = [c for c in ids if c in concerns]
            problems += [f"{finding}: {words} lists {c!r}, which is not a concern in concerns.csv"
                         for c in ids if c not in concerns]
            problems += [f"{finding}: {words} lists {c!r}, a concern about "
                         f"{concerns[c]['component'].replace('_', ' ')}" for c in known
                         if concerns[c]["component"] != component]
            earned = max((concerns[c]["rating"] for c in known), key=CONCERNS.index, default=CONCERNS[0])
            if row[component] != earned:
                problems.append(f"{finding}: {words} is rated {row[component]!r}, but the most serious concern it "
                                f"lists earns {earned!r}" if known else
                                f"{finding}: {words} is rated {row[component]!r}, but it lists no concern")
            text = row.get(f"{component}_explanation", "").lower()
            for concern_id, concern in concerns.items():
                if concern["component"] != component:
                    continue
                said = concern["cue"].lower() in text
                if concern_id in ids and not said:
                    problems.append(f"{finding}: the {words} explanation does not say what its concern "
                                    f"{concern_id!r} is about (expected {concern['cue']!r})")
                elif said and concern_id not in ids:
                    problems.append(f"{finding}: the {words} explanation speaks of {concern['cue']!r} "
                                    f"({concern_id}), a concern it does not list")
        for concern_id in sorted(everywhere & set(concerns)):
            partner = concerns[concern_id].get("pairs_with", "")
            if partner and partner not in everywhere:
                problems.append(f"{finding}: lists {concern_id!r} without {partner!r}, which goes with it")
    return problems


def concern_vocabulary_problems(concerns: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Concerns whose ceiling has no rule in words (or a rule no ceiling), or whose pair does not pair back.

    >>> concern_vocabulary_problems({"ml-a": {"ceiling": "low", "rule": "", "pairs_with": "adq-a"},
    ...                              "adq-a": {"ceiling": "", "rule": "", "pairs_with": ""}})
    ["ml-a: a ceiling (low) with no rule saying it is the book's", "ml-a: pairs with 'adq-a', which does not pair back"]
    """
    problems = []
    for concern_id, concern in concerns.items():
        if bool(concern.get("ceiling")) != bool(concern.get("rule")):
            problems.append(f"{concern_id}: a ceiling ({concern['ceiling']}) with no rule saying it is the book's"
                            if concern.get("ceiling") else f"{concern_id}: a rule with no ceiling it sets")
        partner = concern.get("pairs_with", "")
        if partner and concerns.get(partner, {}).get("pairs_with") != concern_id:
            problems.append(f"{concern_id}: pairs with {partner!r}, which does not pair back")
    return problems


# --- the book's own rules on the overall level --------------------------------------------------------------------


def ceiling_problems(assessments: Iterable[Mapping[str, str]], concerns: Mapping[str, Mapping[str, str]],
                     components: Sequence[str], levels: Sequence[str]) -> list[str]:
    """Findings rated above a ceiling that one of their listed concerns sets by one of the book's rules.

    >>> concerns = {"ml-abs": {"ceiling": "moderate", "rule": "Abstracts: at most moderate."}}
    >>> ceiling_problems([{"finding_id": "f-x", "confidence": "high", "methodological_limitations_concerns": "ml-abs"}],
    ...                  concerns, ["methodological_limitations"], ["high", "moderate", "low", "very low"])
    ["f-x: rated high, above moderate, the book's own rule for 'ml-abs': Abstracts: at most moderate."]
    """
    problems = []
    for row in assessments:
        for component in components:
            for concern_id in listed_concerns(row, component):
                ceiling = concerns.get(concern_id, {}).get("ceiling", "")
                if ceiling and levels.index(row["confidence"]) < levels.index(ceiling):
                    problems.append(f"{row['finding_id']}: rated {row['confidence']}, above {ceiling}, the book's own "
                                    f"rule for {concern_id!r}: {concerns[concern_id]['rule']}")
    return problems


def studies_behind(supports: Mapping[str, Iterable[str]], study_of: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """For each finding, the independent studies among the research sources that support it.

    ``study_of`` maps each research source to the studies it reports (a source that names none
    is a study of its own); two papers of one study count once, and sources that are not research
    (press, commentary, a body's report) are not in it, so they count for nothing, even when
    they report a study.

    >>> sorted(studies_behind({"f-a": ["report", "paper", "press"]}, {"report": ["s1"], "paper": ["s1"]})["f-a"])
    ['s1']
    """
    return {finding: {s for source in sources if source in study_of for s in (list(study_of[source]) or [source])}
            for finding, sources in supports.items()}


def study_count_problems(confidence: Mapping[str, str], behind: Mapping[str, set[str]], ceilings: Mapping[int, str],
                         levels: Sequence[str]) -> list[str]:
    """Findings rated above the ceiling the book's rules set for the number of studies behind them.

    ``ceilings`` maps a number of studies to the highest level a finding with that many or fewer
    may have (the book's rules: no study, at most low; one study, not high).

    >>> study_count_problems({"f-a": "high", "f-b": "moderate"}, {"f-a": {"s"}}, {0: "low", 1: "moderate"},
    ...                      ["high", "moderate", "low", "very low"])
    ['f-a: rated high, but 1 study supports it (at most moderate)', 'f-b: rated moderate, but 0 studies support it (at most low)']
    """
    problems = []
    for finding, level in confidence.items():
        n = len(behind.get(finding, ()))
        caps = [ceiling for most, ceiling in ceilings.items() if n <= most]
        cap = max(caps, key=levels.index, default=None)  # the lowest ceiling that applies
        if cap is not None and levels.index(level) < levels.index(cap):
            problems.append(f"{finding}: rated {level}, but {n} {'study supports' if n == 1 else 'studies support'} "
                            f"it (at most {cap})")
    return problems


def evenness_problems(assessments: Iterable[Mapping[str, str]], components: Sequence[str],
                      levels: Sequence[str]) -> list[str]:
    """Pairs of findings where one is rated higher although its concerns are at least as serious on every component.

    GRADE-CERQual's overall level is a judgement, not a sum; but a judgement that rates a finding
    above another with no more serious concerns on any component is not even.

    >>> rows = [{"finding_id": "f-a", "coherence": "moderate concerns", "confidence": "moderate"},
    ...         {"finding_id": "f-b", "coherence": "minor concerns", "confidence": "low"}]
    >>> evenness_problems(rows, ["coherence"], ["high", "moderate", "low", "very low"])
    ['f-a is rated moderate, above f-b (low), though its concerns are at least as serious on every component']
    """
    rows = list(assessments)
    problems = []
    for worse in rows:
        for better in rows:
            if worse is better or levels.index(worse["confidence"]) >= levels.index(better["confidence"]):
                continue
            if all(CONCERNS.index(worse[c]) >= CONCERNS.index(better[c]) for c in components):
                problems.append(f"{worse['finding_id']} is rated {worse['confidence']}, above {better['finding_id']} "
                                f"({better['confidence']}), though its concerns are at least as serious on every "
                                "component")
    return problems


#: Words that state a cap on the overall level: the book's own rules, never GRADE-CERQual's.
_CAP = re.compile(r"at most (?:high|moderate|low)|not (?:be )?rated high|no higher than|rises? (?:no|not) "
                  r"(?:higher|above)|stays? below high", re.IGNORECASE)


def book_rule_problems(assessments: Iterable[Mapping[str, str]], columns: Sequence[str]) -> list[str]:
    """Explanations that state a cap on the overall level without saying, in that sentence, it is the book's rule.

    >>> book_rule_problems([{"finding_id": "f-x", "confidence_explanation": "No study, so at most low."}],
    ...                    ["confidence_explanation"])
    ["f-x: the confidence explanation says 'at most low' as if it were GRADE-CERQual's rule; say it is the book's own"]
    """
    problems = []
    for row in assessments:
        for column in columns:
            for sentence in re.split(r"(?<=[.;])\s+", row.get(column, "")):
                cap = _CAP.search(sentence)
                if cap and "book's" not in sentence:
                    problems.append(f"{row['finding_id']}: the {column.replace('_', ' ')} says {cap.group(0)!r} as "
                                    "if it were GRADE-CERQual's rule; say it is the book's own")
    return problems
