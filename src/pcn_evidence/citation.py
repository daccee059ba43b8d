"""How to cite the book, a key message or a finding: generated from CITATION.cff, never typed.

One function per format, used everywhere a citation is shown (the "Cite this" block
under each key message and finding, the How-to-cite page, the Word briefing):
:func:`plain_citation` and :func:`bibtex`. Both take the release facts
(:class:`~pcn_evidence.release.Release`, or the parsed CITATION.cff) and, to cite
one statement, a :class:`CitedItem`: its kind, stable id, heading and absolute URL.

A key message or finding is cited by its heading and the absolute URL of its anchor,
which is its stable id (``km-…``, ``f-…``), so a briefing's citation still points at
the same statement after the book is reordered or renumbered. The id itself is never
shown as a name: readers know a statement by its heading (its BibTeX key, which
BibTeX users type, keeps it).

>>> cff = {"title": "An evidence book", "version": "1.2.0", "date-released": "2026-01-31",
...        "authors": [{"family-names": "Smith", "given-names": "Ann"}, {"name": "The book team"}],
...        "url": "https://example.org/book/"}
>>> print(plain_citation(cff))
Smith, Ann; The book team (2026). An evidence book. Version 1.2.0, released 2026-01-31. https://example.org/book/
>>> item = cited_item(cff, "f-example", "Staff reported an example")
>>> print(plain_citation(cff, item))  # doctest: +NORMALIZE_WHITESPACE
Smith, Ann; The book team (2026). An evidence book. Version 1.2.0, released 2026-01-31.
Finding: "Staff reported an example". https://example.org/book/chapters/synthesis.html#f-example
>>> print(bibtex(cff, item))
@misc{pcnevidencebook-f-example,
  author  = {Smith, Ann and {The book team}},
  title   = {{An evidence book}},
  year    = {2026},
  date    = {2026-01-31},
  version = {1.2.0},
  url     = {https://example.org/book/chapters/synthesis.html#f-example},
  note    = {Finding: "Staff reported an example". Version 1.2.0, released 2026-01-31}
}

A build that holds evidence changes made after its release (``pending``) is not that
release, and its citations say so:

>>> from pcn_evidence.release import release_from_cff
>>> from dataclasses import replace
>>> print(plain_citation(replace(release_from_cff(cff), pending=True)))  # doctest: +NORMALIZE_WHITESPACE
Smith, Ann; The book team (2026). An evidence book. Version 1.2.0, released 2026-01-31, with later changes
not yet released. https://example.org/book/

Why ``@misc``: every BibTeX style, classic or biblatex, defines it and requires no
field a book like this lacks; ``@techreport`` requires an ``institution`` and prints
"Technical report", and ``@online`` exists only in biblatex. biblatex reads
``version`` and ``date``; classic styles ignore them, so ``note`` repeats the version
and the release date, and names the statement cited.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .release import Release, release_from_cff

__all__ = ["CitedItem", "ItemKind", "ITEM_KINDS", "item_kind", "cited_item", "plain_citation",
           "bibtex", "bibtex_key", "bibtex_text"]

#: The BibTeX key of the book; a statement's key adds its id (``pcnevidencebook-km-…``).
BOOK_KEY = "pcnevidencebook"


@dataclass(frozen=True)
class ItemKind:
    """A kind of citable statement: the prefix of its ids, its name, and the page (Sphinx docname) it is on."""

    prefix: str
    name: str
    page: str


#: What can be cited below the book: key messages on their page, findings on the synthesis page.
ITEM_KINDS = (ItemKind("km-", "Key message", "chapters/key_messages"),
              ItemKind("f-", "Finding", "chapters/synthesis"))


@dataclass(frozen=True)
class CitedItem:
    """One statement to cite: its kind ("Key message"), stable id, heading and absolute URL."""

    kind: str
    id: str
    heading: str
    url: str


def _release(release: Release | Mapping[str, Any]) -> Release:
    return release if isinstance(release, Release) else release_from_cff(release)


def item_kind(item_id: str) -> ItemKind:
    """The kind of statement an id names, from its prefix (``km-`` key message, ``f-`` finding)."""
    for kind in ITEM_KINDS:
        if item_id.startswith(kind.prefix) and len(item_id) > len(kind.prefix):
            return kind
    raise ValueError(f"{item_id!r} is not the id of a citable statement: ids start with "
                     + " or ".join(repr(k.prefix) for k in ITEM_KINDS))


def cited_item(release: Release | Mapping[str, Any], item_id: str, heading: str) -> CitedItem:
    """A key message or finding to cite, with the absolute URL of its anchor on its page."""
    kind = item_kind(item_id)
    return CitedItem(kind.name, item_id, _one_line(heading), _release(release).page_url(kind.page, item_id))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _version_part(release: Release) -> str:
    """``Version x.y.z, released <date>``, and, in a build with changes made since, that they are not released."""
    return f"Version {release.version}, released {release.released.isoformat()}{release.pending_note}"


def _book_part(release: Release) -> str:
    doi = f", https://doi.org/{release.doi}" if release.doi else ""
    return f"{'; '.join(release.authors)} ({release.year}). {_one_line(release.title)}. {_version_part(release)}{doi}."


def plain_citation(release: Release | Mapping[str, Any], item: CitedItem | None = None) -> str:
    """A ready-to-paste, one-line citation of the book, or of one statement in it, ending with its absolute URL.

    The DOI of the version appears only when CITATION.cff has one.
    """
    release = _release(release)
    if item is None:
        return f"{_book_part(release)} {release.base_url}"
    return f'{_book_part(release)} {item.kind}: "{_one_line(item.heading)}". {item.url}'


_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
                   "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                   "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def bibtex_text(text: str) -> str:
    """Text as a BibTeX value: braces stay balanced and LaTeX's special characters print as themselves."""
    return re.sub(r"[\\{}&%$#_~^]", lambda m: _BIBTEX_SPECIAL[m.group()], _one_line(text))


def _bibtex_author(release: Release, author: str) -> str:
    # A group in double braces is one name; bare, BibTeX would read its last word as a surname.
    return "{" + bibtex_text(author) + "}" if release.is_entity(author) else bibtex_text(author)


def bibtex_key(item: CitedItem | None = None) -> str:
    """The BibTeX key of the book, or of one statement in it."""
    return BOOK_KEY if item is None else f"{BOOK_KEY}-{item.id}"


def bibtex(release: Release | Mapping[str, Any], item: CitedItem | None = None) -> str:
    """A BibTeX ``@misc`` entry for the book at this version, or for one statement in it."""
    release = _release(release)
    when = _version_part(release)
    fields = {
        "author": " and ".join(_bibtex_author(release, a) for a in release.authors),
        "title": "{" + bibtex_text(release.title) + "}",
        "year": str(release.year),
        "date": release.released.isoformat(),
        "version": bibtex_text(release.version),
        "url": item.url if item else release.base_url,
        "note": f'{item.kind}: "{bibtex_text(item.heading)}". {when}' if item else when,
    }
    if release.doi:
        fields["doi"] = release.doi
    width = max(map(len, fields))
    body = ",\n".join(f"  {name:<{width}} = {{{value}}}" for name, value in fields.items())
    return f"@misc{{{bibtex_key(item)},\n{body}\n}}"
