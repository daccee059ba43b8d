"""A built book's pages say what they are about and load only what they use (the small book, one build).

`page_problems` is the check; it is shown planted faults first, then run on a real build.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from smallbook import shared_build  # noqa: F401 (a fixture)
from test_visible_ids import the_built_small_book_shows_no_id


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.descriptions: list[str] = []
        self.blocking_scripts: list[str] = []
        self.script_sources: list[str] = []
        self.stylesheets: list[str] = []
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "head":
            self.in_head = True
        elif tag == "meta" and values.get("name") == "description":
            self.descriptions.append(values.get("content") or "")
        elif tag == "script" and values.get("src"):
            self.script_sources.append(values["src"] or "")
            if self.in_head and not {"defer", "async"} & set(values) and values.get("type") != "module":
                self.blocking_scripts.append(values["src"] or "")
        elif tag == "link" and values.get("rel") == "stylesheet":
            self.stylesheets.append(values.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False


def built_pages(html: Path) -> list[Path]:
    """The pages a reader opens: every HTML file outside _static/, except the root redirect."""
    return [p for p in sorted(html.rglob("*.html")) if "_static" not in p.relative_to(html).parts
            and 'http-equiv="Refresh"' not in p.read_text(encoding="utf-8")[:500]]


def page_problems(html: Path) -> list[str]:
    """What a built book gets wrong about meta descriptions and what its pages load, one line per fault."""
    problems = []
    if not (html / "favicon.ico").is_file():
        problems.append("favicon.ico: missing at the site root (browsers ask for it; a 404 is a console error)")
    for page in built_pages(html):
        name = page.relative_to(html).as_posix()
        head = _Head()
        head.feed(page.read_text(encoding="utf-8"))
        if len(head.descriptions) != 1 or not head.descriptions[0].strip():
            problems.append(f"{name}: {len(head.descriptions)} meta descriptions {head.descriptions}, want one, not empty")
        problems += [f"{name}: loads the Font Awesome script {src}" for src in head.script_sources
                     if "fontawesome" in src]
        if name != "search.html":
            problems += [f"{name}: loads the search index {src}" for src in head.script_sources
                         if re.search(r"(searchindex|searchtools|language_data)\.js", src)]
            problems += [f"{name}: script {src} holds up the page (no defer)" for src in head.blocking_scripts]
    return problems


def _planted_site(root: Path) -> Path:
    (root / "favicon.ico").write_bytes(b"\0")
    good = ('<html><head><meta name="description" content="About PCNs." />'
            '<script defer="defer" src="_static/doctools.js"></script></head><body></body></html>')
    (root / "intro.html").write_text(good)
    (root / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=intro.html" />')
    (root / "search.html").write_text(good.replace("</head>", '<script src="searchindex.js"></script></head>'))
    return root


def test_a_clean_site_has_no_problems(tmp_path):
    assert page_problems(_planted_site(tmp_path)) == []


DOCTOOLS = '<script defer="defer" src="_static/doctools.js"></script>'


@pytest.mark.parametrize("old, new, found", [
    ('<meta name="description" content="About PCNs." />', "", "intro.html: 0 meta descriptions"),
    ('content="About PCNs."', 'content=" "', "want one, not empty"),
    ("</head>", '<meta name="description" content="Twice." /></head>', "intro.html: 2 meta descriptions"),
    (DOCTOOLS, '<script defer src="_static/scripts/fontawesome.js?digest=1"></script>', "loads the Font Awesome script"),
    (DOCTOOLS, '<script src="_static/doctools.js"></script>', "script _static/doctools.js holds up the page"),
    (DOCTOOLS, '<script defer src="searchindex.js"></script>', "loads the search index searchindex.js"),
])
def test_each_planted_fault_is_found(tmp_path, old, new, found):
    site = _planted_site(tmp_path)
    page = site / "intro.html"
    page.write_text(page.read_text().replace(old, new))
    assert any(found in problem for problem in page_problems(site)), page_problems(site)


def test_a_missing_favicon_is_found(tmp_path):
    site = _planted_site(tmp_path)
    (site / "favicon.ico").unlink()
    assert page_problems(site) == [
        "favicon.ico: missing at the site root (browsers ask for it; a 404 is a console error)"]


@pytest.mark.build
@pytest.mark.slow  # reads the shared build of a small book (tests/smallbook.py): one build, about 10 s
def test_the_built_book_describes_every_page_and_loads_only_what_it_uses(shared_build, tmp_path):
    html = shared_build.ok().html
    assert len(built_pages(html)) >= 3
    assert page_problems(html) == []
    the_built_small_book_shows_no_id(shared_build.root, tmp_path)  # issue #21: the build shared, the check in test_visible_ids.py
    intro = (html / "intro.html").read_text(encoding="utf-8")
    assert '<meta name="description" content="See ' in intro, "the landing page's first paragraph"
    theme_css = html / "_static" / "styles" / "pydata-sphinx-theme.css"
    import pydata_sphinx_theme

    original = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / "styles" / \
        "pydata-sphinx-theme.css"
    assert theme_css.stat().st_size < original.stat().st_size / 2, "the theme's stylesheet was not purged"
    css = theme_css.read_text(encoding="utf-8")
    assert ".fa-github:before" in css, "an icon the navbar shows keeps its rule"
    assert ".fa-github-alt:before" not in css, "an icon no page shows loses its rule"
    assert ".woff2" not in css and (html / "_static" / "vendor" / "fontawesome" / "webfonts" /
                                    "fa-solid-900.subset.woff").is_file()
    assert "@import" not in (html / "_static" / "styles" / "theme.css").read_text(encoding="utf-8")
    # pcn_publish prunes after pcn_html has subset the icon fonts from the TrueType files it removes
    import pcn_publish

    assert pcn_publish.site_problems(html) == []
