"""Publish computed values to the chapters' prose via myst-nb ``glue``.

Numbers a reader sees in a sentence are never typed: a notebook computes them
and glues them, and the markdown says ``{glue:text}`n_interviews```.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["glue_values", "join_words"]


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
