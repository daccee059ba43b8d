"""Citations that work when pasted, and the release facts in every footer.

* **Cite this.** Each key message (``km-…`` on ``chapters/key_messages``) and finding
  (``f-…`` on ``chapters/synthesis``) gets, at the end of its section, a ready-to-paste
  plain citation in a literal block (so sphinx-copybutton gives it a copy button) and
  its BibTeX in a ``<details>``. Both texts come from ``pcn_evidence.citation``, the
  same functions the How-to-cite page and the Word briefing call, and every absolute
  URL from the one base URL in CITATION.cff.
* **Footer.** Every page's footer adds the version, the date the evidence was assessed
  (the release date), whether the book holds changes made since that release (then its
  citations say so too, and the footer links What's new) and, when configured, the DOI,
  with a link to How to cite.
* **Reference lists that match the text.** In-text citations are author-year
  ("GPonline, n.d.-a"); the pybtex style ``pcn_author_year`` labels each reference
  list entry with the same words, made by sphinxcontrib-bibtex's own author-year
  templates, and sorts by author and year. A reference cited many times on a page
  keeps one back-link (its label) instead of a run of numbered ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pybtex.plugin
from docutils import nodes
from markupsafe import escape
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting.author_year_title import SortingStyle as AuthorYearTitleSorting
from sphinx.errors import ExtensionError
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.template import join, year

from pcn_evidence.citation import ITEM_KINDS, CitedItem, bibtex, cited_item, plain_citation
from pcn_evidence.errors import EvidenceError
from pcn_evidence.release import PENDING, Release, ReleaseError, shown_release

HOW_TO_CITE = "chapters/how_to_cite"
WHATS_NEW = "chapters/whats_new"
BIBTEX_STYLE = "pcn_author_year"


# --- Release facts -------------------------------------------------------------------------------

_RELEASES: dict[str, Release] = {}


def book_release(srcdir: str | Path) -> Release:
    """The release facts in the book's CITATION.cff, and whether the data hold changes made since (``pending``).

    A build stops, naming the field, if they cannot be cited.
    """
    key = str(srcdir)
    if key not in _RELEASES:
        path = Path(srcdir) / "CITATION.cff"
        try:
            _RELEASES[key] = shown_release(path)  # the data folder the chapters read
        except (OSError, ReleaseError, EvidenceError) as error:
            raise ExtensionError(f"pcn_cite: cannot cite this book: {error}") from error
    return _RELEASES[key]


def footer_html(release: Release, how_to_cite_href: str | None, whats_new_href: str | None = None) -> str:
    """The footer line naming the version read, when its evidence was assessed and whether changes are pending.

    Every value is escaped.
    """
    parts = [f"Version {escape(release.version)}",
             f'evidence assessed <time datetime="{escape(release.released.isoformat())}">'
             f"{escape(release.released.isoformat())}</time>"]
    if release.pending:
        parts.append(f'<a href="{escape(whats_new_href)}">{PENDING}</a>' if whats_new_href else PENDING)
    if release.doi:
        parts.append(f'DOI <a href="{escape("https://doi.org/" + release.doi)}">{escape(release.doi)}</a>')
    if how_to_cite_href is not None:
        parts.append(f'<a href="{escape(how_to_cite_href)}">How to cite</a>')
    return f'<p class="pcn-release">{" · ".join(parts)}</p>'


# --- The "Cite this" block -----------------------------------------------------------------------

class cite_details(nodes.General, nodes.Element):  # noqa: N801 (docutils names nodes in lower case)
    """A disclosure: ``<details>`` with a ``<summary>`` in HTML, its content shown plainly elsewhere."""


def _visit_details_html(translator: Any, node: cite_details) -> None:
    translator.body.append(translator.starttag(node, "details", CLASS="pcn-cite-bibtex"))
    translator.body.append(f"<summary>{escape(node['summary'])}</summary>\n")


def _depart_details_html(translator: Any, node: cite_details) -> None:
    translator.body.append("</details>\n")


def _pass(translator: Any, node: nodes.Node) -> None:
    pass


def _copyable(text: str, classes: list[str]) -> nodes.literal_block:
    # rawsource == text: Sphinx then renders it highlighted, inside the div.highlight copybutton looks for
    return nodes.literal_block(text, text, language="none", classes=classes)


def cite_block(release: Release, item: CitedItem) -> nodes.container:
    """The block appended to a key message or finding: its plain citation, then its BibTeX in a disclosure."""
    kind = item.kind.lower()
    block = nodes.container(classes=["pcn-cite"])
    block += nodes.paragraph("", "", nodes.strong("", f"Cite this {kind}"), classes=["pcn-cite-title"])
    block += _copyable(plain_citation(release, item), ["pcn-cite-text"])
    details = cite_details(summary=f"BibTeX for this {kind}")  # the section names it: its heading is above
    details += _copyable(bibtex(release, item), ["pcn-cite-bibtex-entry"])
    block += details
    return block


def _last_section(section: nodes.section) -> nodes.section:
    """Where "the end of a section" is: the end of its last subsection, so the block stays valid docutils."""
    subsections = [child for child in section.children if isinstance(child, nodes.section)]
    return _last_section(subsections[-1]) if subsections else section


def stable_id(section: nodes.section, prefix: str) -> str | None:
    """The section's stable id with ``prefix``: an explicit label (``(km-x)=``), not a slug of its heading."""
    labels = [i for i in section["ids"] if i.startswith(prefix) and i in section["names"]]
    return labels[0] if labels else None


class CiteThis(SphinxTransform):
    """Append a "Cite this" block to each key message and finding."""

    # Before SmartQuotes (750): the heading as written, with the straight quotes the data and How to cite use.
    default_priority = 700

    def apply(self, **kwargs: Any) -> None:
        kinds = [kind for kind in ITEM_KINDS if kind.page == self.env.docname]
        if not kinds:
            return
        release = book_release(self.app.srcdir)
        for section in list(self.document.findall(nodes.section)):
            for kind in kinds:
                item_id = stable_id(section, kind.prefix)
                if item_id:
                    title = section[0].astext() if section.children and isinstance(section[0], nodes.title) else ""
                    _last_section(section).append(cite_block(release, cited_item(release, item_id, title)))


# --- Reference lists labelled as the text cites ---------------------------------------------------

class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels a reference list entry "Warwick-Giles et al., 2021": the words of its in-text citation."""

    def format_labels(self, sorted_entries: Iterable[Any]) -> Iterator[str]:
        # sphinxcontrib-bibtex's own author-year templates, so label and in-text citation cannot differ
        style = AuthorYearReferenceStyle()
        template = join(sep=style.author_year_sep)[style.person.author_or_editor_or_title(full=False), year]
        entries = list(sorted_entries)
        labels = [template.format_data({"entry": entry, "style": style}).render_as("text") for entry in entries]
        twins = {label for label, count in Counter(labels).items() if count > 1}
        if twins:
            keys = sorted(entry.key for entry, label in zip(entries, labels) if label in twins)
            raise ValueError(f"references {keys} would all be cited as {sorted(twins)}: a reader could not tell them "
                             "apart; give each a year suffix in the .bib file (year = {n.d.-a}, {n.d.-b}; "
                             "{2021a}, {2021b})")
        return iter(labels)


class AuthorYearSorting(AuthorYearTitleSorting):
    """By author, year and title, as a reader scans the labels: a braced group author ({GPonline}) sorts by its name."""

    def sorting_key(self, entry: Any) -> tuple[str, str, str]:
        author, year_, title = super().sorting_key(entry)
        return author.replace("{", "").replace("}", ""), year_, title


class AuthorYearStyle(PlainStyle):
    """pybtex's plain entries, labelled and sorted by author and year."""

    default_label_style = AuthorYearLabelStyle
    default_sorting_style = AuthorYearSorting


class OneBackref(SphinxPostTransform):
    """A reference cited many times keeps one back-link, its label, instead of a numbered run."""

    default_priority = 6  # right after sphinxcontrib-bibtex writes the reference lists (5)

    def run(self, **kwargs: Any) -> None:
        for citation in self.document.findall(nodes.citation):
            if len(citation.get("backrefs", [])) > 1:
                citation["backrefs"] = citation["backrefs"][:1]


# --- Pages ---------------------------------------------------------------------------------------

def _page(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    release = book_release(app.srcdir)
    how_to_cite, whats_new = (context["pathto"](doc) if doc in app.env.found_docs else None
                              for doc in (HOW_TO_CITE, WHATS_NEW))
    context["theme_extra_footer"] = (str(context.get("theme_extra_footer") or "")
                                     + footer_html(release, how_to_cite, whats_new))


def _check_release(app: Any) -> None:
    book_release(app.srcdir)  # fail before reading a page, not halfway through writing


def setup(app: Any) -> dict[str, Any]:
    pybtex.plugin.register_plugin("pybtex.style.labels", BIBTEX_STYLE, AuthorYearLabelStyle)
    pybtex.plugin.register_plugin("pybtex.style.formatting", BIBTEX_STYLE, AuthorYearStyle)
    app.add_node(cite_details, html=(_visit_details_html, _depart_details_html), latex=(_pass, _pass),
                 text=(_pass, _pass), man=(_pass, _pass), texinfo=(_pass, _pass))
    app.add_transform(CiteThis)
    app.add_post_transform(OneBackref)
    app.connect("builder-inited", _check_release)
    app.connect("html-page-context", _page)
    # _static/pcn-cite.css is not added here: Jupyter Book links every stylesheet in _static/ on every page
    # (jupyter_book/config.py), and a second registration would link it twice
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
