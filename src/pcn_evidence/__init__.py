"""Helpers for the PCN evidence book: load, validate, tabulate and plot the coded evidence.

The public API is small and typed:

* :func:`load_table` / :func:`load_package` read ``data/`` validated against its schema;
* :class:`EvidenceError` is the one error bad data raises, naming file, row, column and value;
* :func:`glue_values` publishes computed numbers to the chapters' prose;
* :mod:`pcn_evidence.tabulate` and :mod:`pcn_evidence.figures` make the tables and figures.
"""

from .errors import EvidenceError, Problem
from .load import load_package, load_table, split_tags, table_names
from .numbers import numbers_in, states_number
from .prose import glue_values

__all__ = [
    "EvidenceError", "Problem", "load_package", "load_table", "split_tags", "table_names",
    "numbers_in", "states_number", "glue_values",
]
__version__ = "0.1.0"
