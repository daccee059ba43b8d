"""The theme's navigation, made to work at every width (issue #24, items 1 and 2).

sphinx-book-theme 1.3.0 requires exactly pydata-sphinx-theme 0.17.1, and the pair disagree:

* **The menu buttons opened nothing, and there were two search boxes.** sphinx-book-theme leaves the
  header's ``navbar_persistent`` items empty in its ``theme.conf`` (its sidebar carries the search box), but
  pydata-sphinx-theme 0.17 puts a search box there unless the *book's* options name the items. The header
  was then written, with a second, hidden, "Site navigation" ``.primary-toggle`` (and ``.secondary-toggle``)
  ahead of the article header's; the theme's script binds only the first it finds, so the visible "Toggle
  primary sidebar" and "Toggle secondary sidebar" did nothing at any width (pydata-sphinx-theme issue
  #2451, open), and from 992 px the header's search box stood above the sidebar's. The book's options name
  no items (``NAVBAR_PERSISTENT``, sphinx-book-theme's own choice), so no header is written: one toggle of
  each kind, which the theme binds, and one search box. This stays right once #2451 is fixed.
* **The chapter list loaded scrolled**, hiding the book's title: ``_static/pcn-nav.js`` (Jupyter Book adds
  every script in ``_static`` to every page) puts it back at the top.

``tests/browser/test_nav.py`` clicks the buttons at phone, tablet and desktop widths, counts the search
boxes and reads the sidebar's scroll on every page.
"""

from __future__ import annotations

from typing import Any

NAVBAR_PERSISTENT: list[str] = []  # no header items: the sidebar carries the search box


def _theme_options(app: Any, config: Any) -> None:
    options = dict(config.html_theme_options or {})
    options.setdefault("navbar_persistent", NAVBAR_PERSISTENT)
    config.html_theme_options = options


def setup(app: Any) -> dict[str, Any]:
    app.connect("config-inited", _theme_options)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
