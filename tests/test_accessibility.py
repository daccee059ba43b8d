"""Controls are named for what they do and every form can be submitted without Enter (_ext/pcn_a11y.py).

`control_problems` is the check: it is shown each planted fault first, then run on a real build.
"""

from __future__ import annotations

import doctest
from html.parser import HTMLParser
from pathlib import Path

import pcn_a11y  # noqa: E402
import pytest
from smallbook import shared_build  # noqa: F401 (a fixture)
from test_build_assets import built_pages

# sphinx-togglebutton's script gives each element its selector finds a button named "Toggle hidden content"
# (hard-coded in togglebutton.js): a page may hold none until that name is fixed too.
TOGGLEBUTTON_SELECTOR = ".toggle, .admonition.dropdown"
SUBMIT = ("button", "submit"), ("input", "submit"), ("input", "image")  # what htmlcs H32.2 accepts


class _Controls(HTMLParser):
    """The summaries (with their aria-label and visible texts), forms and togglebutton targets of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[dict] = []
        self.forms: list[dict] = []
        self.toggles: list[str] = []
        self.labelled: list[str] = []
        self._summary: dict | None = None
        self._paragraph: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        classes = values.get("class", "").split()
        if values.get("aria-label") == "Toggle hidden content":
            self.labelled.append(tag)
        if "toggle" in classes or {"admonition", "dropdown"} <= set(classes):
            self.toggles.append(f"<{tag} class=\"{values['class']}\">")
        if tag == "summary":
            self._summary = {"aria-label": values.get("aria-label"), "texts": {}}
            self.summaries.append(self._summary)
        elif tag == "p" and self._summary is not None:
            self._paragraph = next((c for c in classes if c in ("collapsed", "expanded")), "text")
        elif tag == "form":
            self.forms.append({"action": values.get("action", ""), "submit": False})
        if self.forms and (tag, values.get("type", "")) in SUBMIT:
            self.forms[-1]["submit"] = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "summary":
            self._summary = None
        elif tag == "p":
            self._paragraph = None

    def handle_data(self, data: str) -> None:
        if self._summary is not None and data.strip():
            key = self._paragraph or "text"
            self._summary["texts"][key] = (self._summary["texts"].get(key, "") + " " + data.strip()).strip()


def control_problems(html: Path) -> list[str]:
    """What a built book gets wrong about its controls' names and its forms, one line per fault."""
    problems = []
    for page in built_pages(html):
        name = page.relative_to(html).as_posix()
        controls = _Controls()
        controls.feed(page.read_text(encoding="utf-8"))
        problems += [f'{name}: a <{tag}> is named "Toggle hidden content", not what it does' for tag in controls.labelled]
        problems += [f"{name}: {toggle} would get sphinx-togglebutton's button named \"Toggle hidden content\""
                     for toggle in controls.toggles]
        for summary in controls.summaries:
            if summary["aria-label"] is not None:
                problems.append(f"{name}: a <summary> is labelled {summary['aria-label']!r} over its visible text "
                                f"{summary['texts']}")
            texts = summary["texts"]
            if "collapsed" in texts or "expanded" in texts:
                if not (texts.get("collapsed", "").startswith("Show") and texts.get("expanded", "").startswith("Hide")):
                    problems.append(f"{name}: a code box's summary does not say its action: {texts}")
        problems += [f"{name}: the form with action {form['action']!r} has no submit button"
                     for form in controls.forms if not form["submit"]]
    return problems


GOOD_PAGE = """<html><body>
<dialog id="pst-search-dialog"><form class="bd-search" action="search.html" method="get">
  <input type="search" name="q" aria-label="Search this book..."/>
  <button type="submit" class="pcn-search-submit">Search</button>
</form></dialog>
<details class="admonition hide above-input">
<summary>
<p class="collapsed admonition-title">Show code cell source</p>
<p class="expanded admonition-title">Hide code cell source</p>
</summary>
<div class="cell_input">x = 1</div>
</details>
<details class="pcn-cite-bibtex"><summary>BibTeX for finding f-x</summary></details>
</body></html>"""


def _site(root: Path, page: str = GOOD_PAGE) -> Path:
    (root / "intro.html").write_text(page, encoding="utf-8")
    return root


def test_a_page_with_named_controls_and_a_submit_button_has_no_problems(tmp_path):
    assert control_problems(_site(tmp_path)) == []


@pytest.mark.parametrize("old, new, found", [
    ("<summary>\n", '<summary aria-label="Toggle hidden content">\n', 'a <summary> is named "Toggle hidden content"'),
    ("<summary>\n", '<summary aria-label="Code">\n', "a <summary> is labelled 'Code' over its visible text"),
    ('  <button type="submit" class="pcn-search-submit">Search</button>\n', "",
     "the form with action 'search.html' has no submit button"),
    ('<button type="submit"', '<button type="button"', "has no submit button"),
    ("Show code cell source", "Code", "a code box's summary does not say its action"),
    ("</body>", '<div class="admonition dropdown"><p class="admonition-title">More</p></div></body>',
     "would get sphinx-togglebutton's button"),
])
def test_each_planted_fault_is_found(tmp_path, old, new, found):
    assert old in GOOD_PAGE
    problems = control_problems(_site(tmp_path, GOOD_PAGE.replace(old, new, 1)))
    assert any(found in problem for problem in problems), problems


def test_the_docstring_examples_hold():
    result = doctest.testmod(pcn_a11y, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_the_code_box_is_written_as_myst_nb_writes_it_less_the_label():
    # the same markup as myst-nb's own visitor but for the label, so its stylesheet and the theme still apply
    from myst_nb.sphinx_ import HideCodeCellNode, visit_HideCellInput

    node = HideCodeCellNode(classes=["above-input"], prompt_show="Show code cell source",
                            prompt_hide="Hide code cell <source>")
    theirs, ours = type("T", (), {"body": []})(), type("T", (), {"body": []})()
    visit_HideCellInput(theirs, node)
    pcn_a11y.visit_hidden_cell(ours, node)
    assert "".join(theirs.body).replace(' aria-label="Toggle hidden content"', "") == "".join(ours.body)
    assert "&lt;source&gt;" in "".join(ours.body)


@pytest.mark.build
@pytest.mark.slow  # reads the shared build of a small book (tests/smallbook.py): one build, about 10 s
def test_the_built_book_names_its_controls_and_every_form_can_be_submitted(shared_build):
    html = shared_build.ok().html
    pages = {page.relative_to(html).as_posix(): page.read_text(encoding="utf-8") for page in built_pages(html)}
    assert "search.html" in pages and len(pages) >= 4
    assert control_problems(html) == []
    sources = pages["chapters/sources.html"]
    assert sources.count('<details class="admonition hide') >= 1, "the chapter's hidden code cells were written"
    assert "<summary>\n<p class=\"collapsed admonition-title\">Show code cell source</p>" in sources
    for name, page in pages.items():  # the search form of the Ctrl+K dialog on every page, and of the search page
        forms = page.count('<form class="bd-search')
        assert forms >= 1 and page.count('<button type="submit" class="pcn-search-submit">Search</button>') == forms, name
