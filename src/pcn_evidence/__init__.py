"""Helpers for the PCN evidence book: load, validate, tabulate and plot the coded evidence.

The public API is small and typed:

* :class:`Chapter` opens a chapter: its declared tables and files only (``chapters/inputs.yml``);
* :func:`load_table` / :func:`load_package` read ``data/`` validated against its schema;
  :func:`vocabulary` and :func:`labels` read its vocabularies;
* :func:`fact` is the one way to get a coded fact's value, unit, quote and locator;
* :class:`EvidenceError` is the one error bad data raises, naming file, row, column and value;
* :mod:`pcn_evidence.prose` and :mod:`pcn_evidence.dates` put numbers, units, lists and dates
  into words, and :func:`glue_values` publishes them to the chapters' prose;
* :mod:`pcn_evidence.tabulate`, :mod:`pcn_evidence.figures`, :mod:`pcn_evidence.charts` and
  :mod:`pcn_evidence.timeline` make the tables and figures.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .chapter import Chapter
    from .errors import EvidenceError, Problem
    from .facts import Fact, fact
    from .load import labels, load_package, load_table, split_tags, table_names, vocabulary
    from .numbers import numbers_in, states_number
    from .prose import glue_values

# Each name is imported from its module when it is first used, not with the package, so that a tool that needs
# only the standard library runs on a bare Python (the published site's assembly: pcn_evidence.tools.site).
_MODULES = {"Chapter": "chapter", "EvidenceError": "errors", "Problem": "errors", "Fact": "facts", "fact": "facts",
            "labels": "load", "load_package": "load", "load_table": "load", "split_tags": "load",
            "table_names": "load", "vocabulary": "load", "numbers_in": "numbers", "states_number": "numbers",
            "glue_values": "prose"}


def __getattr__(name: str) -> Any:
    if name not in _MODULES:  # a submodule (``from . import inputs``) is then imported as usual
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_MODULES[name]}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "Chapter", "EvidenceError", "Problem", "Fact", "fact", "labels", "load_package", "load_table", "split_tags",
    "table_names", "vocabulary", "numbers_in", "states_number", "glue_values",
]
__version__ = "0.2.0"
