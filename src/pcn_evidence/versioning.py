"""The book's version numbers, MAJOR.MINOR.PATCH, read one way by the library and the tools alike.

It needs only the standard library: the published site's assembly (:mod:`pcn_evidence.tools.site`) imports it
on a bare Python.
"""

from __future__ import annotations

import re

__all__ = ["is_version", "parse_version"]

_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def is_version(text: str) -> bool:
    """Whether ``text`` is a version.

    >>> is_version("0.2.0"), is_version("v0.2.0"), is_version("0.2")
    (True, False, False)
    """
    return _SEMVER.match(text.strip()) is not None


def parse_version(text: str) -> tuple[int, int, int]:
    """``'1.2.3'`` -> ``(1, 2, 3)``, which sorts as versions do; anything else is refused with a ValueError.

    >>> parse_version("0.10.0") > parse_version("0.9.9")
    True
    """
    match = _SEMVER.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a version of the form MAJOR.MINOR.PATCH (e.g. 0.2.0)")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch
