"""Publish computed values to the chapters' prose via myst-nb ``glue``.

Numbers a reader sees in a sentence are never typed: a notebook computes them
and glues them, and the markdown says ``{glue:text}`n_interviews```.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["glue_values", "plain"]


class plain(str):
    """Text that pastes into prose as itself (a bare ``str`` would show its quotes)."""

    def __repr__(self) -> str:
        return str(self)


def glue_values(values: Mapping[str, Any]) -> None:
    """Glue each value under its key, without displaying it in the notebook.

    Strings are pasted as plain text; numbers by their usual form (``26``).
    """
    from myst_nb import glue  # imported late: the package must load without myst-nb

    for key, value in values.items():
        glue(key, plain(value) if isinstance(value, str) else value, display=False)
