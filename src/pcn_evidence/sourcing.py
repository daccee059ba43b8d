"""The sources as a reader counts them: by kind, by family of kind, and by independent study.

A source's kind is an id in ``source_kinds.csv``; the vocabulary, not the code, says how a kind
is named, which family a page groups it under (research, commentary, report, press) and whether
it reports a study of its own. A study counts once however many sources report it.

>>> kinds = pd.DataFrame({"id": ["paper", "press"], "label": ["paper", "article"], "plural": ["papers", "articles"],
...                       "group": ["research", "press"], "counts_as_study": [True, False]})
>>> sources = pd.DataFrame({"id": ["a", "b", "c"], "kind": ["paper", "paper", "press"],
...                         "studies": ["s1", "s1", "s1"]})
>>> describe_kinds(sources, kinds)
'2 papers and 1 article'
>>> independent_studies(sources, kinds)
['s1']
>>> in_group(sources, kinds, "press").tolist()
[False, False, True]
"""

from __future__ import annotations

import pandas as pd

from .datapackage import split_tags
from .prose import count_with_unit, join_words

__all__ = ["count_by_kind", "describe_kinds", "in_group", "independent_studies", "shared_authors"]


def count_by_kind(sources: pd.DataFrame, kinds: pd.DataFrame) -> dict[str, int]:
    """How many sources of each kind, in the vocabulary's order; kinds with no source are left out."""
    counts = sources["kind"].value_counts()
    return {kind: int(counts[kind]) for kind in kinds["id"] if kind in counts.index}


def describe_kinds(sources: pd.DataFrame, kinds: pd.DataFrame) -> str:
    """``'2 peer-reviewed research papers and 1 editorial'``: the sources by kind, in words."""
    named = kinds.set_index("id")
    return join_words([count_with_unit(n, str(named.at[kind, "plural"]), str(named.at[kind, "label"]))
                       for kind, n in count_by_kind(sources, kinds).items()])


def in_group(sources: pd.DataFrame, kinds: pd.DataFrame, group: str) -> pd.Series:
    """True for each source whose kind belongs to ``group`` (``source_kinds.csv`` column ``group``)."""
    members = set(kinds.loc[kinds["group"] == group, "id"])
    return sources["kind"].isin(members)


def independent_studies(sources: pd.DataFrame, kinds: pd.DataFrame) -> list[str]:
    """The studies that research sources report, each once, in the order the sources first name them.

    Only a source of a kind that ``counts_as_study`` adds a study: a press report or an editorial
    that draws on a study never makes it count twice, and never counts on its own.
    """
    found: dict[str, None] = {}
    for row in _research(sources, kinds).itertuples():
        found.update(dict.fromkeys(split_tags(row.studies)))
    return list(found)


def _research(sources: pd.DataFrame, kinds: pd.DataFrame) -> pd.DataFrame:
    """The sources of a kind that reports a study of its own (``counts_as_study``)."""
    research = set(kinds.loc[kinds["counts_as_study"].astype(str).str.lower() == "true", "id"])
    return sources[sources["kind"].isin(research)]


def shared_authors(sources: pd.DataFrame, kinds: pd.DataFrame, first: str, second: str) -> list[str]:
    """The author surnames two studies' research sources have in common, in the first study's order.

    A press report of a study names the study too, but its byline is not the study's authors.

    >>> kinds = pd.DataFrame({"id": ["paper", "press"], "counts_as_study": [True, False]})
    >>> sources = pd.DataFrame({"kind": ["paper", "paper", "press"], "studies": ["s1", "s2", "s2"],
    ...                         "authors": ["Smith J, Jones K", "Jones K, Lee A", "Smith J"]})
    >>> shared_authors(sources, kinds, "s1", "s2")
    ['Jones']
    """
    research = _research(sources, kinds)

    def surnames(study: str) -> list[str]:
        names: dict[str, None] = {}
        for row in research.itertuples():
            if study in split_tags(row.studies):
                names.update(dict.fromkeys(a.strip().rsplit(" ", 1)[0] for a in str(row.authors).split(",") if a.strip()))
        return list(names)
    theirs = set(surnames(second))
    return [name for name in surnames(first) if name in theirs]
