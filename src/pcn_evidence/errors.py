"""The one exception type bad evidence raises, and the problems it lists."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EvidenceError", "Problem"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the coded evidence, located as precisely as possible.

    ``row`` counts data rows from 1 (the header is not a row); ``line`` is the
    line of the CSV file an editor shows, which is what a maintainer opens.
    """

    file: str
    message: str
    row: int | None = None
    line: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row} (line {self.line})"
        if self.column is not None:
            where += f", column '{self.column}'"
        got = f": got {self.value!r}; " if self.value is not None else ": "
        return where + got + self.message


class EvidenceError(ValueError):
    """Raised when the coded evidence does not match its schema.

    Every problem found is listed, not just the first, so one run tells a
    maintainer everything to fix.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the coded evidence:\n{lines}"
        )
