"""Small HTML fixes for accessibility, privacy, search engines and speed, applied as Sphinx renders each page.

* docutils writes a bibliography as ``role="list"`` holding entries with the
  deprecated ``role="doc-biblioentry"``; screen readers then see a list with no
  items (axe: aria-required-children, critical). Entries become list items.
* Jupyter Book always loads sphinx-thebe, which registers its configuration
  script once per read phase: pages got it twice and threw "Identifier
  'THEBE_JS_URL' has already been declared". Live code (thebe) is off in this
  book, so its scripts and stylesheet, which also name a CDN, are dropped.
* The theme prints the book title from ``_config.yml`` into the navbar
  unescaped, so markup in a title would run as HTML. The configured strings are
  handed to the templates already escaped, as ``Markup``, which Jinja's ``|e``
  leaves alone: escaped once everywhere, never twice.
* Search engines and link previews show a page's meta description; the theme
  writes none (Lighthouse SEO). Each page gets one made from its first
  paragraph, cut at a word boundary, unless the page sets its own.
* Fast on a phone (Lighthouse, mobile preset). The theme made every page wait
  for its scripts: Sphinx's and the extensions' scripts now load with ``defer``
  (in order, after the page is parsed), and the search scripts with the whole
  search index (about 110 kB) load only on the search page, the one page that
  uses them while the theme's search-as-you-type is off. The theme's Font
  Awesome script (1.5 MB) only turned the icons' ``<i>`` tags into SVG; the
  theme's stylesheet draws the same icons from its bundled icon fonts, so the
  script is dropped. The theme writes these tags into its templates, where no
  page context reaches them, so the rendered page is trimmed
  (``PageTemplates``, Sphinx's ``template_bridge``). There too the theme's
  first script settles light or dark at once (``resolve_theme_early``), so
  its later script no longer restyles the whole page.

The stylesheets and icon fonts are trimmed once the book is written, by ``pcn_css``.
"""

from __future__ import annotations

import html
import re
from typing import Any

from docutils import nodes
from markupsafe import Markup, escape
from sphinx.jinja2glue import BuiltinTemplateLoader
from sphinx.util import logging

logger = logging.getLogger(__name__)

CONFIGURED_TEXT = ("docstitle", "shorttitle", "project", "author", "copyright")
DESCRIPTION_LENGTH = 160  # what search results show before they cut a description off
# Paragraphs that do not describe the page: notes, captions, tables, code output, the bibliography.
NOT_DESCRIPTIVE = (nodes.Admonition, nodes.sidebar, nodes.topic, nodes.caption, nodes.table, nodes.figure,
                   nodes.footnote, nodes.citation, nodes.container)
ICON_SCRIPT = re.compile(r'[ \t]*<script\b[^>]*\bsrc="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*>\s*</script>\n?')
_THEME_LINE = re.compile(r'^[^\n]*\.dataset\.theme = localStorage\.getItem\("theme"\) \|\| "[a-z]*";[ \t]*$(?!\n[^\n]*prefers-color-scheme)',
                         re.M)
THEME_RESOLUTION = ('    document.documentElement.dataset.theme = ["light", "dark"].includes(document.documentElement.dataset.mode)'
                    ' ? document.documentElement.dataset.mode'
                    ' : (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");')
SEARCH_SCRIPT = re.compile(
    r'[ \t]*<script\b[^>]*\bsrc="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|searchindex\.js)[^"]*"[^>]*>\s*'
    r'</script>\n?')


def _is_thebe(asset: Any) -> bool:
    name = str(getattr(asset, "filename", asset) or "")
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    return "thebe" in name or "THEBE_JS_URL" in body


def describe(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """A meta description from a page's text: whitespace collapsed, at most ``limit`` characters.

    Longer text is cut at the last word boundary that fits, and ends with an ellipsis.

    >>> describe("In this chapter   you will find  the sources.")
    'In this chapter you will find the sources.'
    >>> describe("Primary care networks were set up in 2019 across England.", limit=30)
    'Primary care networks were…'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit - 1]
    return cut.rstrip(" ,;:.\u2013\u2014-") + "\u2026"


def first_paragraph(doctree: nodes.Node | None) -> str:
    """The text of the page's first paragraph of prose (not in a note, caption, table or code output), or ''."""
    if doctree is None:
        return ""
    for paragraph in doctree.findall(nodes.paragraph):
        parent = paragraph.parent
        while parent is not None and not isinstance(parent, NOT_DESCRIPTIVE):
            parent = parent.parent
        text = paragraph.astext().strip()
        if parent is None and text:
            return text
    return ""


def meta_description(context: dict, doctree: nodes.Node | None) -> str:
    """The ``<meta name="description">`` tag for a page: its first paragraph, else its title and the book's."""
    text = first_paragraph(doctree)
    if not text:
        title = re.sub(r"<[^>]+>", "", str(context.get("title") or ""))
        book = str(context.get("docstitle") or context.get("project") or "")
        text = html.unescape(f"{title} \u2013 {book}" if title and title != book else book or title)
    return f'<meta name="description" content="{html.escape(describe(text), quote=True)}" />'


def _defer(asset: Any) -> Any:
    """A script tag that no longer holds up the page; inline scripts and loading choices already made are kept."""
    from sphinx.builders.html._assets import _JavaScript

    attributes = getattr(asset, "attributes", None)
    if not isinstance(asset, _JavaScript) or not asset.filename or attributes is None:
        return asset
    if {"defer", "async", "type"} & set(attributes):
        return asset
    return _JavaScript(asset.filename, priority=asset.priority, **attributes, defer="defer")


def resolve_theme_early(page: str) -> str:
    """The theme's first script, made to settle light or dark at once instead of leaving "auto" to its later script.

    The theme's head script sets ``data-theme`` to the stored theme, or ``auto`` on a first visit; its
    deferred script then works out light or dark and sets it again, and that change restyled the whole
    page (a quarter of a second on a long page on Lighthouse's phone), after a first paint that had
    ignored a dark system setting. The added line works it out as the later script does
    (``setTheme``: the stored mode if light or dark, else the system's), so that script changes nothing.

    >>> print(resolve_theme_early('d.dataset.theme = localStorage.getItem("theme") || "auto";')[:58])
    d.dataset.theme = localStorage.getItem("theme") || "auto";
    >>> "prefers-color-scheme: dark" in resolve_theme_early('d.dataset.theme = localStorage.getItem("theme") || "auto";')
    True
    """
    return _THEME_LINE.sub(lambda line: line[0] + "\n" + THEME_RESOLUTION, page, count=1)


def trim_page(page: str, search_page: bool) -> str:
    """The rendered page without the Font Awesome script, and without the search scripts unless it is the search page;
    its theme settled early (``resolve_theme_early``).

    >>> head = ('<script defer src="_static/scripts/fontawesome.js?digest=1"></script>'
    ...         '<script src="_static/searchtools.js"></script><script src="searchindex.js"></script>')
    >>> trim_page(head, search_page=False)
    ''
    >>> trim_page(head, search_page=True)
    '<script src="_static/searchtools.js"></script><script src="searchindex.js"></script>'
    """
    page = resolve_theme_early(ICON_SCRIPT.sub("", page))
    return page if search_page else SEARCH_SCRIPT.sub("", page)


def needs_search_scripts(template: str, context: dict) -> bool:
    """Whether a page uses the search scripts: the search page, or every page with search-as-you-type on.

    >>> needs_search_scripts("page.html", {"theme_search_as_you_type": False})
    False
    >>> needs_search_scripts("search.html", {}), needs_search_scripts("page.html", {"theme_search_as_you_type": "True"})
    (True, True)
    """
    return template == "search.html" or str(context.get("theme_search_as_you_type")).lower() == "true"


class PageTemplates(BuiltinTemplateLoader):
    """Sphinx's template loader, with each rendered page passed through ``trim_page``."""

    def render(self, template: str, context: dict) -> str:  # type: ignore[override]
        page = super().render(template, context)
        if not template.endswith(".html") or "<html" not in page:
            return page
        return trim_page(page, search_page=needs_search_scripts(template, context))


def _fix_page(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    for key in CONFIGURED_TEXT:
        if isinstance(context.get(key), str) and not isinstance(context[key], Markup):
            context[key] = escape(context[key])
    body = context.get("body")
    if body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')
    if not app.config.thebe_config.get("always_load"):
        for key in ("script_files", "css_files"):
            if key in context:
                context[key] = [asset for asset in context[key] if not _is_thebe(asset)]
    # The search page's template loads searchtools.js without defer, and it needs doctools.js first.
    if "script_files" in context and not needs_search_scripts(templatename, context):
        context["script_files"] = [_defer(asset) for asset in context["script_files"]]
    metatags = str(context.get("metatags") or "")
    if 'name="description"' not in metatags:
        context["metatags"] = metatags + "\n" + meta_description(context, doctree)


def _use_page_templates(app: Any, config: Any) -> None:
    if not config.template_bridge:
        config.template_bridge = f"{__name__}.PageTemplates"


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _use_page_templates)
    app.connect("html-page-context", _fix_page)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
