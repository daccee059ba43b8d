"""Full references, as a reference list prints them, for the book's sources and its outside-context documents.

The Word briefing ends with a reference list. Its entries are built here from the data, never
typed: each of the book's sources from its row of ``data/sources.csv`` (:func:`source_references`),
each outside-context document from its entry in ``references-context.bib``
(:func:`read_references`). Nothing is filled in that the data do not give: a source with no
byline says so, an undated one is "n.d." followed by how its date is known, and a web
reference that is not an address (``gponline.com (article 1666323)``) is printed as text,
not turned into a link.

>>> import pandas as pd
>>> rows = pd.DataFrame({"id": ["s"], "label": ["A site, on x"], "authors": [None], "date": [None],
...                      "date_note": ["Undated in the text."], "title": ["A 'title'"], "outlet": ["A site"],
...                      "doi": [None], "web": ["site.example (article 7)"]})
>>> print(source_references(rows)["s"].text)
No byline given (n.d.). A 'title'. A site. site.example (article 7). Undated in the text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .dates import describe_date
from .inputs import book_root, check_file

__all__ = ["NO_BYLINE", "UNDATED", "Reference", "sentences", "source_references", "read_references"]

#: What a reference says where its source names no author (the sources page: "Authors or byline: none given").
NO_BYLINE = "No byline given"
#: The year of a source that gives no date, as the book's reference list writes it.
UNDATED = "n.d."


@dataclass(frozen=True)
class Reference:
    """One entry of a reference list: its words, its address (a link, when there is one) and the name it is cited by.

    ``name`` is how the text cites it: a source's label (``sources.csv``), or an outside
    document's author and year ("UK Parliament, 2022"), as the book's pages cite it.
    """

    text: str
    url: str | None = None
    name: str = ""


def _cell(value: object) -> str:
    """A cell's text, stripped; ``""`` for an empty (NaN or None) cell."""
    return value.strip() if isinstance(value, str) else ""


def sentences(parts: Iterable[str]) -> str:
    """The non-empty parts as sentences: each ends with a full stop unless it already ends with one, ``?`` or ``!``.

    >>> sentences(["Smith (2020)", "A title?", "", "Venue."])
    'Smith (2020). A title? Venue.'
    """
    return " ".join(part if part.endswith((".", "?", "!")) else part + "." for part in map(str.strip, parts) if part)


def _address(doi: str, web: str) -> tuple[str | None, str]:
    """The link a reference gives (its DOI, else a web address), and what to print instead when there is none."""
    if doi:
        return f"https://doi.org/{doi}", ""
    if web.startswith(("https://", "http://")):
        return web, ""
    return None, web  # a site's name and an article number, not an address: printed, never guessed into a link


def source_references(sources: pd.DataFrame) -> dict[str, Reference]:
    """Each source's full reference (``sources.csv``), by source id, named by its label.

    Authors (or :data:`NO_BYLINE`), the date at its own precision (or :data:`UNDATED` with
    the row's ``date_note``), title, outlet, and the DOI or web address as the link.
    """
    references = {}
    for row in sources.itertuples():
        date = _cell(getattr(row, "date", None))
        when = describe_date(date) if date else UNDATED
        url, printed = _address(_cell(getattr(row, "doi", None)), _cell(getattr(row, "web", None)))
        note = "" if date else _cell(getattr(row, "date_note", None))
        parts = [f"{_cell(row.authors) or NO_BYLINE} ({when})", _cell(row.title), _cell(row.outlet), printed, note]
        references[str(row.id)] = Reference(sentences(parts), url, _cell(row.label))
    return references


def read_references(path: Path | str | None = None) -> dict[str, Reference]:
    """The entries of a BibTeX file (default ``references-context.bib``) as readable references, by key.

    Each is named "Author, year", as the book's pages cite it. Within a chapter the file must
    be declared (``chapters/inputs.yml``), so a changed reference re-executes the chapter
    that writes the briefing.
    """
    from pybtex.database import parse_file
    from pybtex.richtext import Text

    source = Path(path) if path is not None else book_root() / "references-context.bib"
    check_file(source)

    def plain(latex: str) -> str:  # "{PCN}" and "{{NHS England}}" are BibTeX's case protection, not text
        return str(Text.from_latex(latex).render_as("text"))

    references = {}
    for key, entry in parse_file(str(source), bib_format="bibtex").entries.items():
        authors = "; ".join(plain(str(person)) for person in entry.persons.get("author", []))
        fields = {name: plain(value) for name, value in entry.fields.items() if name != "url"}
        year = fields.get("year", UNDATED)
        authors = authors or NO_BYLINE
        parts = [f"{authors} ({year})", fields.get("title", key)]
        if fields.get("howpublished") and fields["howpublished"] != authors:
            parts.append(fields["howpublished"])
        references[key] = Reference(sentences(parts), entry.fields.get("url") or None, f"{authors}, {year}")
    return references
