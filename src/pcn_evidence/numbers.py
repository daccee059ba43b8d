"""Find the numbers a piece of text states, in digits or in words.

The validator uses this to prove that a coded number is supported by its own
quote: "Twenty-six CCGs" supports 26, "as many as 26" supports 26, "30 000"
supports 30000 and "98%" supports 98.

>>> sorted(numbers_in("Twenty-six CCGs and four others"))
[4.0, 26.0]
>>> states_number("a population of 30 000–50 000", 30000)
True
"""

from __future__ import annotations

import re

__all__ = ["numbers_in", "states_number"]

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}

# Thousands may be grouped with a comma, a space, a no-break or a thin space
# ("30 000" in the BJGP house style). A number may not start inside a word or
# an identifier such as "IDNS1.12".
_DIGITS = re.compile(
    r"(?<![\w.])(\d{1,3}(?:[,\u00a0\u2009\u202f ]\d{3})+(?!\d)|\d+)(\.\d+)?"
)
_WORD = re.compile(
    r"\b(?:(?P<tens>" + "|".join(_TENS) + r")(?:[-\u2010\u2011 ](?P<unit_after>"
    + "|".join(k for k in _UNITS if 0 < _UNITS[k] < 10) + r"))?|(?P<unit>"
    + "|".join(_UNITS) + r"))\b",
    re.IGNORECASE,
)


def numbers_in(text: str) -> set[float]:
    """Return every number ``text`` states, in digits or in English words (0-99)."""
    found: set[float] = set()
    for match in _DIGITS.finditer(text):
        whole = re.sub(r"[,\u00a0\u2009\u202f ]", "", match.group(1))
        found.add(float(whole + (match.group(2) or "")))
    for match in _WORD.finditer(text):
        if match.group("unit") is not None:
            found.add(float(_UNITS[match.group("unit").lower()]))
        else:
            value = _TENS[match.group("tens").lower()]
            if match.group("unit_after"):
                value += _UNITS[match.group("unit_after").lower()]
            found.add(float(value))
    return found


def states_number(text: str, value: float) -> bool:
    """True if ``text`` states ``value`` (as digits or words)."""
    return float(value) in numbers_in(text)
