"""How to cite the book, a key message or a finding: generated from CITATION.cff, never typed.

Key messages and findings are cited by stable ids (``km-…``, ``f-…``), which are
also their page anchors, so a briefing's citation still points at the same
statement after the book is reordered or renumbered.

>>> cff = {"title": "An evidence book", "version": "1.2.0", "date-released": "2026-01-31",
...        "authors": [{"family-names": "Smith", "given-names": "Ann"}, {"name": "The book team"}]}
>>> plain_citation(cff)
'Smith, Ann; The book team (2026). An evidence book. Version 1.2.0.'
>>> plain_citation(cff, "f-example", "synthesis.html").split("Version 1.2.0. ")[1]
'Finding f-example (synthesis.html#f-example).'
>>> print(bibtex(cff))
@software{pcnevidencebook,
  author  = {Smith, Ann and {The book team}},
  title   = {{An evidence book}},
  year    = {2026},
  version = {1.2.0}
}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .inputs import book_root, check_file

__all__ = ["read_citation", "bibtex", "plain_citation"]


def read_citation(path: Path | str | None = None) -> dict[str, Any]:
    """The parsed CITATION.cff (within a chapter, a file the chapter must declare)."""
    source = Path(path or book_root() / "CITATION.cff")
    check_file(source)
    return yaml.safe_load(source.read_text(encoding="utf-8"))


def _authors(cff: dict[str, Any]) -> list[str]:
    return [a.get("name") or f"{a.get('family-names', '')}, {a.get('given-names', '')}".strip(", ") for a in cff["authors"]]


def _year(cff: dict[str, Any]) -> str:
    return str(cff["date-released"])[:4]


def bibtex(cff: dict[str, Any], key: str = "pcnevidencebook") -> str:
    """A BibTeX entry for the book at the version in CITATION.cff."""
    fields = {
        "author": " and ".join("{" + a + "}" if " " in a and "," not in a else a for a in _authors(cff)),
        "title": "{" + cff["title"] + "}",
        "year": _year(cff),
        "version": str(cff["version"]),
        "url": cff.get("repository-code", ""),
    }
    if cff.get("doi"):
        fields["doi"] = cff["doi"]
    body = ",\n".join(f"  {name:<7} = {{{value}}}" for name, value in fields.items() if value)
    return f"@software{{{key},\n{body}\n}}"


def plain_citation(cff: dict[str, Any], item: str | None = None, page: str | None = None) -> str:
    """Plain-text citation of the book, or of one item (``km-…`` / ``f-…``) on a page of it."""
    text = f"{'; '.join(_authors(cff))} ({_year(cff)}). {cff['title']}. Version {cff['version']}."
    if item:
        kind = "Key message" if item.startswith("km-") else "Finding"
        text += f" {kind} {item}" + (f" ({page}#{item})" if page else "") + "."
    return text
