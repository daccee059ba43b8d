"""Print a page as a clean briefing: printed link targets are absolute URLs.

A printed page cannot be clicked, so the print stylesheet (``_static/pcn-print.css``,
registered here with ``media="print"`` so that it never blocks the screen render)
writes each link's target after its text. A relative ``href`` such as
``synthesis.html#f-ccg-support`` would mean nothing on paper, so as each page is
rendered this extension gives internal links a ``data-print-href`` attribute
holding the absolute URL, built from the published base URL in CITATION.cff
(:func:`pcn_evidence.release.read_release`). Headings that carry a stable,
citable anchor (a key message ``km-…`` or a finding ``f-…``) get the same
attribute with their own address, so a printed briefing shows where each message
lives; the stylesheet prints it only where the section's "Cite this" block does not
print (a key message prints its address, a finding its whole citation). The first
heading of a page gets the page's address.

Not every internal link is worth its URL on paper: in-text citations point at the
bibliography further down the same printed page, back-references and permalinks
are screen navigation, and glossary terms would put a URL after every acronym.

A printed PDF keeps its links clickable, and Chromium writes each one with the
address the page was served from (``http://127.0.0.1:8000/…`` or ``file:///…``).
Every link to another page of the book (one whose target prints, and one whose
target does not: a glossary term, a download) therefore also gets its absolute URL,
in ``data-print-href`` or, where the target is not printed, ``data-print-link``;
``_static/pcn-print.js`` puts it in ``href`` just before printing and restores the
page after. A link within the page (``#…``: a citation, a footnote) is left alone:
the PDF keeps it as a jump to the printed entry.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from pcn_evidence.release import read_release

STYLESHEET = "pcn-print.css"
ATTRIBUTE = "data-print-href"
# The absolute URL a printed link goes to when its target is not printed (see the module's docstring).
LINK_ATTRIBUTE = "data-print-link"
# Key messages and findings are cited by these ids (see pcn_evidence.citation).
STABLE_ANCHOR_PREFIXES = ("km-", "f-")

_LINK = re.compile(r"<a\b(?P<attrs>[^>]*)>(?P<inner>.*?)</a>", re.DOTALL)
_HEADED_SECTION = re.compile(
    r'<section\b[^>]*?\bid="(?P<section>[^"]*)"[^>]*>\s*(?P<spans>(?:<span id="[^"]*"></span>\s*)*)<h(?P<level>[1-6])(?P<attrs>[^>]*)>')
_SPAN_ID = re.compile(r'<span id="([^"]*)"></span>')
_GENERATED_ID = re.compile(r"id\d+")  # docutils' automatic ids (citations, footnotes): not addresses


class PrintLinkError(ValueError):
    """A link from which no absolute address can be printed."""


def _attribute(attrs: str, name: str) -> str | None:
    match = re.search(rf'\s{name}="([^"]*)"', attrs)
    return html.unescape(match.group(1)) if match else None


def absolute_href(base_url: str, docname: str, href: str) -> str | None:
    """The absolute URL of ``href`` as written on page ``docname``; None for a link that leaves the book.

    >>> absolute_href("https://example.org/book/", "chapters/key_messages", "synthesis.html#f-x")
    'https://example.org/book/chapters/synthesis.html#f-x'
    >>> absolute_href("https://example.org/book/", "chapters/key_messages", "../intro.html")
    'https://example.org/book/intro.html'
    >>> absolute_href("https://example.org/book/", "intro", "https://doi.org/10.1/x") is None
    True
    """
    if urlsplit(href).scheme or href.startswith("//"):
        return None  # external: the stylesheet prints its href as it is
    page = f"{base_url}{docname}.html"
    url = urljoin(page, href)
    if not url.startswith(base_url):
        raise PrintLinkError(f"page {docname!r}: link {href!r} points outside the book ({url})")
    return url


def _wanted(attrs: str, inner: str) -> bool:
    classes = (_attribute(attrs, "class") or "").split()
    href = _attribute(attrs, "href")
    if "internal" not in classes or "headerlink" in classes or href is None:
        return False
    if _attribute(attrs, "role") == "doc-backlink" or ATTRIBUTE in attrs:
        return False
    fragment = urlsplit(href).fragment
    if href.startswith("#") and _GENERATED_ID.fullmatch(fragment):
        return False  # an in-text citation or footnote: its entry is printed on the same page
    return not (fragment.startswith("term-") or "std-term" in inner)


def _other_page(attrs: str) -> bool:
    """Whether a link that prints no target still needs an absolute ``href`` on paper."""
    href = _attribute(attrs, "href")
    if href is None or href.startswith("#") or LINK_ATTRIBUTE in attrs or ATTRIBUTE in attrs:
        return False  # a jump within the page stays one within the PDF
    return not (urlsplit(href).scheme or href.startswith("//"))


def add_print_targets(body: str, base_url: str, docname: str,
                      prefixes: tuple[str, ...] = STABLE_ANCHOR_PREFIXES) -> str:
    """The page body with ``data-print-href`` on internal links and on headings with a stable anchor,
    and ``data-print-link`` on the other links to a page of the book.

    >>> body = ('<section id="slug">\\n<span id="km-a"></span><h3>A<a class="headerlink" href="#slug">#</a></h3>'
    ...         '<p><a class="reference internal" href="synthesis.html#f-b">b</a></p></section>')
    >>> print(add_print_targets(body, "https://example.org/", "chapters/key_messages"))
    <section id="slug">
    <span id="km-a"></span><h3 data-print-href="https://example.org/chapters/key_messages.html#km-a">A<a class="headerlink" href="#slug">#</a></h3><p><a class="reference internal" href="synthesis.html#f-b" data-print-href="https://example.org/chapters/synthesis.html#f-b">b</a></p></section>
    """
    first_heading = True

    def heading(match: re.Match[str]) -> str:
        nonlocal first_heading
        ids = [match["section"], *_SPAN_ID.findall(match["spans"])]
        stable = next((i for i in ids if i.startswith(prefixes)), None)
        if stable is not None:
            url: str | None = f"{base_url}{docname}.html#{stable}"
        else:
            url = f"{base_url}{docname}.html" if first_heading and match["level"] == "1" else None
        first_heading = False
        if url is None or ATTRIBUTE in match["attrs"]:
            return match[0]
        return f'{match[0][:-1]} {ATTRIBUTE}="{html.escape(url)}">'  # the match ends with the heading's ">"

    def link(match: re.Match[str]) -> str:
        attrs, inner = match["attrs"], match["inner"]
        if _wanted(attrs, inner):
            attribute = ATTRIBUTE
        elif _other_page(attrs):
            attribute = LINK_ATTRIBUTE
        else:
            return match[0]
        url = absolute_href(base_url, docname, _attribute(attrs, "href") or "")
        if url is None:
            return match[0]
        return f'<a{attrs} {attribute}="{html.escape(url)}">{inner}</a>'

    return _LINK.sub(link, _HEADED_SECTION.sub(heading, body))


def _css_name(entry: Any) -> str:
    return str(entry[0] if isinstance(entry, (tuple, list)) else entry)


def _on_config_inited(app: Any, config: Any) -> None:
    # Jupyter Book lists every stylesheet in _static in html_css_files, for all media: this one would
    # then block the screen's first render (and apply to the screen but for its own @media guard).
    config.html_css_files = [entry for entry in config.html_css_files if _css_name(entry) != STYLESHEET]


def _on_builder_inited(app: Any) -> None:
    if app.builder.format == "html":
        # absolute http(s), ending in "/", no query or fragment: pcn_evidence.release refuses any other
        app.pcn_print_base_url = read_release(Path(app.srcdir) / "CITATION.cff").base_url


def _on_page(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    body = context.get("body")
    base_url = getattr(app, "pcn_print_base_url", None)
    if body and base_url:
        context["body"] = add_print_targets(body, base_url, pagename)


def setup(app: Any) -> dict[str, Any]:
    app.add_css_file(STYLESHEET, media="print", priority=900)  # print-only, so not render-blocking; after the theme
    app.connect("config-inited", _on_config_inited)
    app.connect("builder-inited", _on_builder_inited)
    app.connect("html-page-context", _on_page)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
