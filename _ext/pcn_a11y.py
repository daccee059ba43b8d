"""Controls named for what they do, and a search form a keyboard can submit (issue #24, item 7).

* **Code boxes say their action.** myst-nb writes each hidden code cell as a ``<details>``
  whose ``<summary>`` shows "Show code cell source" ("Hide code cell source" once open) but
  carries ``aria-label="Toggle hidden content"``. An ``aria-label`` replaces the visible text
  as the control's name, so a screen reader announced, and a voice-control user had to say,
  words that are not on the screen (WCAG 2.5.3, label in name). The summary is written here
  as myst-nb writes it, less the label: its name is then its visible text, which names the
  action, and changes with it.
* **The search form has a submit button.** The theme's search form (pydata-sphinx-theme,
  ``components/search-field.html``, in the Ctrl+K dialog on every page and on the search
  page) could be submitted only with Enter; pa11y's htmlcs runner reported it on every page
  (WCAG 3.2.2, technique H32). The book's template ``_ext/templates/components/search-field.html``
  includes the theme's form and adds a visible "Search" submit button. Its folder goes first
  in ``templates_path``, where the theme's own ``components/`` folder also stands, so the
  theme's ``{% include "../components/search-field.html" %}`` finds it first.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from markupsafe import escape
from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput

TEMPLATES = Path(__file__).parent / "templates" / "components"


def hidden_cell_opening(classes: list[str], prompt_show: str, prompt_hide: str) -> str:
    """The opening of a hidden cell's box as myst-nb writes it, with no ``aria-label`` on the summary.

    Only the paragraph for the box's state is displayed (myst-nb's stylesheet hides the other),
    so the summary's name is "Show …" while closed and "Hide …" while open.

    >>> print(hidden_cell_opening(["above-input"], "Show code cell source", "Hide code cell source"))
    <details class="admonition hide above-input">
    <summary>
    <p class="collapsed admonition-title">Show code cell source</p>
    <p class="expanded admonition-title">Hide code cell source</p>
    </summary>
    <BLANKLINE>
    """
    return (f'<details class="admonition hide {escape(" ".join(classes))}">\n<summary>\n'
            f'<p class="collapsed admonition-title">{escape(prompt_show)}</p>\n'
            f'<p class="expanded admonition-title">{escape(prompt_hide)}</p>\n</summary>\n')


def visit_hidden_cell(translator: Any, node: HideCodeCellNode) -> None:
    translator.body.append(hidden_cell_opening(node["classes"], node["prompt_show"], node["prompt_hide"]))


def _templates_first(app: Any, config: Any) -> None:
    # relative to the book's folder, as Sphinx reads templates_path: an absolute path would enter the
    # config hash in .buildinfo, and two clean builds in two folders would differ
    folder = os.path.relpath(TEMPLATES, app.confdir)
    if folder not in config.templates_path:
        config.templates_path.insert(0, folder)


def setup(app: Any) -> dict[str, Any]:
    # myst-nb registers its visitor in its own setup, which Jupyter Book runs before the book's extensions
    app.add_node(HideCodeCellNode, override=True, html=(visit_hidden_cell, depart_HideCellInput))
    app.connect("config-inited", _templates_first)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
