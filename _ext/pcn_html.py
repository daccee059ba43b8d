"""Small HTML fixes for accessibility and privacy, applied as Sphinx renders each page.

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
* Sphinx re-reads a page only when its source file changes, but a chapter's
  outputs also change when its data do. tools/book.py re-executes such a chapter
  and names it in ``PCN_REREAD_DOCS``; those pages are re-read here.
"""

from __future__ import annotations

import os
from typing import Any

from markupsafe import Markup, escape

CONFIGURED_TEXT = ("docstitle", "shorttitle", "project", "author", "copyright")


def _is_thebe(asset: Any) -> bool:
    name = str(getattr(asset, "filename", asset) or "")
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    return "thebe" in name or "THEBE_JS_URL" in body


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


def _reexecuted(app: Any, env: Any, added: set, changed: set, removed: set) -> list[str]:
    return [doc for doc in os.environ.get("PCN_REREAD_DOCS", "").split() if doc in env.found_docs]


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _fix_page)
    app.connect("env-get-outdated", _reexecuted)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
