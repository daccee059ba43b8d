"""Words for the chapters' prose: numbers, counts with units, shares, lists and labels.

Numbers a reader sees in a sentence are never typed: a chapter computes them and
glues them (:func:`glue_values`), and the markdown says ``{glue:text}`n_interviews```.
One formatter for each kind of thing, so the same number reads the same everywhere.

>>> format_number(30000), count_with_unit(1, "CCG areas", singular="CCG area")
('30,000', '1 CCG area')
>>> share_text(9, 37), join_words(["a", "b", "c"])
('24% (9 of 37 interviewees)', 'a, b and c')
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from docutils.utils.smartquotes import smartyPants

__all__ = ["glue_values", "join_words", "format_number", "count_with_unit", "share_text", "short_label", "wrap",
           "capitalise", "lower_first", "curly_quotes"]


def glue_values(values: Mapping[str, Any]) -> None:
    """Glue each value under its key, without displaying it in the notebook.

    Strings are glued as ordinary ``str``: myst-nb reads the stored repr back with
    ``literal_eval``, so ``'30,000'`` pastes as 30,000. (A repr without quotes
    would be evaluated as Python: "30,000" would paste as "(30, 0)".)
    Numbers paste by their usual form (``26``) or with a format spec
    (``{glue:text}`n:,d```).
    """
    from myst_nb import glue  # imported late: the package must load without myst-nb

    for key, value in values.items():
        glue(key, str(value) if isinstance(value, str) else value, display=False)


def join_words(items: Iterable[str], empty: str = "none") -> str:
    """Join words for prose: ``['a', 'b', 'c']`` -> ``'a, b and c'``; no items -> ``empty``."""
    items = list(items)
    if not items:
        return empty
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} and {items[-1]}"


def format_number(value: float | int | None, missing: str = "—") -> str:
    """A number as a policy reader writes it: ``30000`` -> ``'30,000'``, ``12.5`` stays ``'12.5'``.

    >>> format_number(12.5), format_number(None)
    ('12.5', '—')
    """
    if value is None or pd.isna(value):
        return missing
    value = float(value)
    return f"{int(value):,}" if value.is_integer() else f"{value:,}"


def count_with_unit(count: int, unit: str, singular: str | None = None) -> str:
    """``'26 CCGs'``; a count of one takes the ``singular`` where one is given. The unit is never dropped."""
    return f"{count} {singular if count == 1 and singular else unit}"


def share_text(count: int, denominator: int | None, of: str = "interviewees") -> str:
    """``'24% (9 of 37 interviewees)'``, or a plain statement that there is no denominator.

    >>> share_text(26, None)
    'no denominator'
    """
    if denominator is None or pd.isna(denominator):
        return "no denominator"
    return f"{100 * count / denominator:.0f}% ({count} of {denominator} {of})"


def short_label(text: str, limit: int = 100, min_length: int = 40) -> str:
    """A label from a long description: brackets dropped, cut at a clause or word boundary.

    The full wording stays in the chapter's table; the label only has to identify the row.

    >>> short_label("Social prescribers (quotation IDNS1.19), who had to be redeployed", limit=40, min_length=10)
    'Social prescribers'
    """
    text = re.sub(r"\s*\([^()]*\)", "", text).split(";")[0].strip()
    if len(text) <= limit:
        return text
    cuts = [m.start() for m in re.finditer(r", ", text) if min_length <= m.start() <= limit]
    if cuts:
        return text[:cuts[-1]]
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def wrap(text: str, width: int) -> str:
    """Wrap each line of ``text`` to ``width`` characters, never inside a word, an id or a hyphenated word.

    >>> wrap("Engagement with the wider system", 12)
    'Engagement\\nwith the\\nwider system'
    """
    return "\n".join("\n".join(textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False))
                     for line in text.split("\n"))


def capitalise(text: str) -> str:
    """First letter upper case, the rest untouched: ``'minor concerns'`` -> ``'Minor concerns'``."""
    return text[:1].upper() + text[1:]


def lower_first(label: str) -> str:
    """A label inside a sentence: initial capital dropped unless it starts an acronym (``'CCG mergers'`` stays).

    >>> lower_first("Relationships"), lower_first("COVID-19")
    ('relationships', 'COVID-19')
    """
    return label if len(label) > 1 and label[1].isupper() else label[:1].lower() + label[1:]


def curly_quotes(text: str) -> str:
    """Typographic quotes, apostrophes, dashes and ellipses, as the book's HTML pages show the same text.

    The same docutils SmartyPants the pages' Sphinx build applies (its ``smartquotes_action``
    ``"qDe"``, English quotes), for text that is not rendered by Sphinx: the Word briefing.

    >>> curly_quotes("CCG staff's 'nirvana'"), curly_quotes('"reported..." -- so')
    ('CCG staff’s ‘nirvana’', '“reported…” – so')
    """
    return str(smartyPants(text, "qDe", "en"))
