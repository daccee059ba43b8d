"""What a page loads, and what search engines read about it: the trimming in _ext/pcn_html.py and _ext/pcn_css.py, the
gzip server in pcn_evidence.tools.serve_pages and the score keeping in pcn_evidence.tools.lighthouse_audit.

Each guard is shown the fault it exists to catch.
"""

from __future__ import annotations

import doctest
import gzip
import http.client
import json
import os
import re
import shutil
from pathlib import Path

import pcn_css
import pcn_html
import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from helpers import ROOT

from pcn_evidence.tools import lighthouse_audit, serve_pages


def _theme_font(name: str) -> Path:
    import pydata_sphinx_theme

    return Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / "vendor" / \
        "fontawesome" / "webfonts" / name


def _doctree(rst: str) -> nodes.document:
    document = new_document("<test>", get_default_settings(Parser))
    Parser().parse(rst, document)
    return document


@pytest.mark.parametrize("module", [pcn_html, serve_pages, lighthouse_audit])
def test_the_docstring_examples_hold(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# -- meta descriptions ------------------------------------------------------------------------------

def test_a_long_first_paragraph_is_cut_at_a_word_boundary_with_an_ellipsis():
    text = "In this chapter you will find " + "the views of commissioners on networks " * 10
    description = pcn_html.describe(text)
    assert len(description) <= pcn_html.DESCRIPTION_LENGTH
    assert description.endswith("\u2026") and not description.endswith(" \u2026")
    assert text.startswith(description.removesuffix("\u2026")), "cut, never rewritten"
    assert pcn_html.describe("a" * 500).endswith("\u2026") and len(pcn_html.describe("a" * 500)) <= 160


def test_the_description_is_the_first_paragraph_of_prose_not_a_note_or_a_table():
    doctree = _doctree(".. note::\n\n   A note first.\n\n"
                       "+-------+\n| cell  |\n+-------+\n\n"
                       "**In this chapter** you will find the sources.\n\nA second paragraph.\n")
    assert pcn_html.first_paragraph(doctree) == "In this chapter you will find the sources."


def test_a_page_without_prose_is_described_by_its_title_and_the_books():
    tag = pcn_html.meta_description({"title": "Index", "docstitle": "PCN book"}, None)
    assert tag == '<meta name="description" content="Index \u2013 PCN book" />'


def test_the_description_is_escaped_so_a_quote_cannot_end_the_attribute():
    doctree = _doctree('Networks "grew" <fast> & wide.\n')
    tag = pcn_html.meta_description({}, doctree)
    assert tag == '<meta name="description" content="Networks &quot;grew&quot; &lt;fast&gt; &amp; wide." />'


class _App:
    class config:  # noqa: N801 (stands in for Sphinx's config object)
        thebe_config: dict = {}


def test_every_page_gets_one_description_and_a_page_that_sets_its_own_keeps_it():
    doctree = _doctree("First paragraph.\n")
    context: dict = {"metatags": "", "body": "<p>First paragraph.</p>"}
    pcn_html._fix_page(_App, "intro", "page.html", context, doctree)
    assert context["metatags"].count('name="description"') == 1
    own = '<meta name="description" content="Set by the page" />'
    context = {"metatags": own, "body": ""}
    pcn_html._fix_page(_App, "intro", "page.html", context, doctree)
    assert context["metatags"] == own


# -- scripts -----------------------------------------------------------------------------------------

def test_script_files_are_deferred_but_inline_and_module_scripts_are_left_alone():
    from sphinx.builders.html._assets import _JavaScript

    file_script = _JavaScript("_static/doctools.js", priority=200)
    inline = _JavaScript("", body="let toggleHintShow = 'Click to show';")
    module = _JavaScript("_static/x.js", type="module")
    asynchronous = _JavaScript("_static/y.js", **{"async": "async"})
    context = {"script_files": [file_script, inline, module, asynchronous], "metatags": ""}
    pcn_html._fix_page(_App, "intro", "page.html", context, None)
    deferred, kept_inline, kept_module, kept_async = context["script_files"]
    assert deferred.attributes == {"defer": "defer"} and deferred.priority == 200
    assert kept_inline is inline and kept_module is module and kept_async is asynchronous


def test_the_search_page_keeps_its_scripts_in_order():
    # its template loads searchtools.js without defer, and that needs doctools.js already run
    from sphinx.builders.html._assets import _JavaScript

    doctools = _JavaScript("_static/doctools.js")
    context = {"script_files": [doctools], "metatags": ""}
    pcn_html._fix_page(_App, "search", "search.html", context, None)
    assert context["script_files"] == [doctools]


PAGE_HEAD = """<html><head>
    <script src="../_static/doctools.js?v=1"></script>
  <script defer src="../_static/scripts/fontawesome.js?digest=55c26ed414f5f8a31ebb"></script>
  <link rel="preload" as="script" href="../_static/scripts/bootstrap.js?digest=1" />
    <script src="../_static/searchtools.js"></script>
    <script src="../_static/language_data.js"></script>
    <script src="../searchindex.js"></script>
</head><body><i class="fa-solid fa-bars"></i></body></html>"""


def test_the_icon_script_goes_from_every_page_and_the_search_scripts_from_all_but_the_search_page():
    page = pcn_html.trim_page(PAGE_HEAD, search_page=False)
    assert "fontawesome.js" not in page
    assert "searchtools.js" not in page and "language_data.js" not in page and "searchindex.js" not in page
    assert "doctools.js" in page and "bootstrap.js" in page and 'class="fa-solid fa-bars"' in page
    search = pcn_html.trim_page(PAGE_HEAD, search_page=True)
    assert "fontawesome.js" not in search and "searchindex.js" in search and "searchtools.js" in search
    assert pcn_html.trim_page(page, search_page=False) == page, "trimming twice changes nothing"


def test_search_as_you_type_keeps_the_search_scripts_on_every_page():
    assert pcn_html.needs_search_scripts("page.html", {"theme_search_as_you_type": True})
    assert not pcn_html.needs_search_scripts("page.html", {"theme_search_as_you_type": False})
    assert pcn_html.needs_search_scripts("search.html", {"theme_search_as_you_type": False})


# -- stylesheets -------------------------------------------------------------------------------------

def test_css_statements_split_only_outside_strings_comments_and_parentheses():
    css = ('@charset "UTF-8";/*! licence */a{content:"{;}"}/* gone */'
           '.b{background:url(data:image/svg+xml;utf8,<svg>{</svg>)}@media (min-width:1px){.c{x:y}}')
    assert pcn_css.css_blocks(css) == [
        ('@charset "UTF-8";', None), ("/*! licence */", None), ("a", 'content:"{;}"'),
        (".b", "background:url(data:image/svg+xml;utf8,<svg>{</svg>)"), ("@media (min-width:1px)", ".c{x:y}")]


def test_purging_everything_used_gives_the_stylesheet_back_less_its_comments():
    class Everything(set):
        def __contains__(self, name: object) -> bool:
            return True

    css = _theme_stylesheet().read_text(encoding="utf-8")
    purged = pcn_css.purge_css(css, Everything())
    assert "".join(purged.split()) == "".join(_without_comments(css).split())


def _theme_stylesheet() -> Path:
    import pydata_sphinx_theme

    return Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / "styles" / \
        "pydata-sphinx-theme.css"


def _without_comments(css: str) -> str:
    # independent of the parser under test; the theme's stylesheet has no "/*" inside a string
    return re.sub(r"/\*(?!!).*?\*/", "", css, flags=re.S)


@pytest.mark.parametrize("selector, kept", [
    (".unused", False),
    (".used .unused", False),
    ("#unused-id", False),
    (".used", True),
    ("p", True),
    (".used:not(.unused)", True),  # a class inside :not() is not needed for a match
    (".used:is(.unused, .other)", True),
    ('a[href$=".pdf"]', True),  # the dot in the attribute value names no class
    (".used::before", True),
    (".bs-tooltip-auto .tooltip-arrow", False),  # tooltip-arrow is not used...
    (".bs-tooltip-auto", True),  # ...but Bootstrap writes bs-tooltip-auto at run time
])
def test_a_selector_is_dropped_only_when_it_needs_a_name_no_page_or_script_has(selector, kept):
    assert pcn_css.selector_may_match(selector, {"used", "other"}) is kept


def test_purge_keeps_what_may_match_and_drops_empty_media_blocks():
    css = (".used,.unused{a:b}.unused{c:d}@media print{.unused{e:f}}@media screen{.used{g:h}}"
           "@font-face{font-family:X}@keyframes spin{from{x:y}to{x:z}}")
    assert pcn_css.purge_css(css, {"used"}) == (
        ".used{a:b}@media screen{.used{g:h}}@font-face{font-family:X}@keyframes spin{from{x:y}to{x:z}}")


def test_names_that_scripts_add_count_as_used():
    used = pcn_css.used_names(['<div class="bd-sidebar"></div>', 'e.classList.add("show")'])
    assert {"bd-sidebar", "show"} <= used
    assert pcn_css.purge_css(".show{display:block}.hide{display:none}", used) == ".show{display:block}"


def test_an_import_is_inlined_with_its_urls_rebased(tmp_path):
    (tmp_path / "styles").mkdir()
    (tmp_path / "basic.css").write_text(".a{background:url(file.png)}.b{background:url('data:x')}")
    css = pcn_css.inline_imports('@import "../basic.css";.c{}', tmp_path / "styles")
    assert css == ".a{background:url(\"../file.png\")}.b{background:url('data:x')}.c{}"
    assert pcn_css.inline_imports('@import url(print.css) print;', tmp_path) == '@import url(print.css) print;'
    assert pcn_css.inline_imports('@import "https://cdn.example/x.css";', tmp_path) == \
        '@import "https://cdn.example/x.css";'


def test_only_private_use_characters_count_as_icons():
    assert pcn_css.icon_codepoints('.a:before{content:"\\f0c9"}.b{--i:"\uf09b"}.c:after{content:"\\2014 \u00a7"}') == \
        {0xF0C9, 0xF09B}


def test_a_subset_icon_font_keeps_the_icons_asked_for_and_is_small(tmp_path):
    from fontTools.ttLib import TTFont

    source = _theme_font("fa-solid-900.ttf")
    target = tmp_path / "solid.woff"
    pcn_css.subset_font(source, target, {0xF0C9, 0xF002})  # bars, magnifying glass
    font = TTFont(target)
    assert font.flavor == "woff"
    assert {0xF0C9, 0xF002} <= set(font.getBestCmap())
    assert 0xF09B not in font.getBestCmap()
    assert target.stat().st_size < source.stat().st_size / 20


def _tiny_site(root: Path) -> Path:
    static = root / "_static"
    (static / "styles").mkdir(parents=True)
    webfonts = static / "vendor" / "fontawesome" / "webfonts"
    webfonts.mkdir(parents=True)
    shutil.copy(_theme_font("fa-solid-900.ttf"), webfonts / "fa-solid-900.ttf")
    (webfonts / "fa-solid-900.woff2").write_bytes(b"original")
    (static / "basic.css").write_text(".used-by-page{a:b}.nowhere{c:d}")
    (static / "styles" / "theme.css").write_text('@import "../basic.css";')
    (static / "styles" / "theme-icons.css").write_text(
        '@font-face{font-family:Font Awesome\\ 6 Free;font-weight:900;'
        'src:url(../vendor/fontawesome/webfonts/fa-solid-900.woff2) format("woff2"),'
        'url(../vendor/fontawesome/webfonts/fa-solid-900.ttf) format("truetype")}'
        '.fa-bars:before{content:"\\f0c9"}.fa-github:before{content:"\\f09b"}')
    (static / "pcn.css").write_text(".written-for-a-later-page{x:y}")
    (static / "added.js").write_text('el.classList.add("added-by-script")')
    (static / "later.css").write_text(".added-by-script{x:y}.never{x:y}")
    (root / "page.html").write_text('<html><i class="fa-solid fa-bars used-by-page"></i></html>')
    return root


def test_the_built_site_loses_unused_rules_and_its_fonts_keep_only_named_icons(tmp_path):
    from fontTools.ttLib import TTFont

    site = _tiny_site(tmp_path)
    sizes = pcn_css.trim_stylesheets(site)
    static = site / "_static"
    assert (static / "styles" / "theme.css").read_text() == ".used-by-page{a:b}", "import inlined, then purged"
    assert (static / "later.css").read_text() == ".added-by-script{x:y}"
    assert (static / "pcn.css").read_text() == ".written-for-a-later-page{x:y}", "the book's own CSS is kept whole"
    icons = (static / "styles" / "theme-icons.css").read_text()
    assert ".fa-github" not in icons and ".fa-bars:before" in icons
    assert 'url(../vendor/fontawesome/webfonts/fa-solid-900.subset.woff) format("woff")' in icons
    assert ".woff2" not in icons and ".ttf" not in icons
    subset = static / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.subset.woff"
    assert 0xF0C9 in TTFont(subset).getBestCmap() and 0xF09B not in TTFont(subset).getBestCmap()
    assert "_static/vendor/fontawesome/webfonts/fa-solid-900.subset.woff" in sizes


def test_trimming_a_trimmed_site_changes_nothing(tmp_path):
    site = _tiny_site(tmp_path)
    pcn_css.trim_stylesheets(site)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    pcn_css.trim_stylesheets(site)
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


# -- the favicon -------------------------------------------------------------------------------------

def test_the_favicon_ico_is_an_icon_and_is_published_at_the_site_root():
    from PIL import Image

    icon = Image.open(ROOT / "_static" / "favicon.ico")
    assert icon.format == "ICO" and (32, 32) in icon.info["sizes"]
    import yaml

    extra = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]["html_extra_path"]
    assert "_static/favicon.ico" in extra


# -- the server --------------------------------------------------------------------------------------

@pytest.fixture
def served(tmp_path):
    (tmp_path / "index.html").write_text("<p>home</p>" * 100)
    (tmp_path / "404.html").write_text("<h1>Not here</h1>")
    (tmp_path / "font.woff2").write_bytes(b"\x00" * 2000)
    server = serve_pages.serve(tmp_path)
    yield server.server_port
    server.shutdown()


def _get(port: int, path: str, gzip_ok: bool = True) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Accept-Encoding": "gzip, deflate, br"} if gzip_ok else {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_text_is_sent_gzipped_when_asked_for_and_plain_otherwise(served):
    response, body = _get(served, "/index.html")
    assert response.status == 200 and response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == b"<p>home</p>" * 100
    assert response.getheader("Cache-Control") == "max-age=600" and response.version == 11
    response, body = _get(served, "/index.html", gzip_ok=False)
    assert response.getheader("Content-Encoding") is None and body == b"<p>home</p>" * 100
    response, body = _get(served, "/font.woff2")
    assert response.getheader("Content-Encoding") is None, "fonts are compressed already"


def test_a_page_rebuilt_while_served_is_sent_as_it_now_is(served, tmp_path):
    assert gzip.decompress(_get(served, "/index.html")[1]) == b"<p>home</p>" * 100
    page = tmp_path / "index.html"
    stamp = page.stat().st_mtime_ns
    page.write_text("<p>rebuilt</p>")
    os.utime(page, ns=(stamp + 10**9, stamp + 10**9))  # a later build, whatever the file system's clock step
    assert gzip.decompress(_get(served, "/index.html")[1]) == b"<p>rebuilt</p>"


def test_a_missing_file_gets_the_sites_404_page_with_status_404(served):
    response, body = _get(served, "/favicon.ico", gzip_ok=False)
    assert response.status == 404 and body == b"<h1>Not here</h1>"


@pytest.mark.parametrize("header, accepted", [
    ("gzip", True), ("deflate, gzip;q=0.5", True), ("*", True), ("gzip;q=0", False), ("br", False), ("", False),
    ("gzip;q=x", False)])
def test_accept_encoding_is_read_with_its_quality_values(header, accepted):
    assert serve_pages.accepts_gzip(header) is accepted


# -- the Lighthouse run ------------------------------------------------------------------------------

def test_every_page_is_audited_except_the_search_page_the_index_and_the_redirect(tmp_path):
    for name in ("intro.html", "chapters/a.html", "search.html", "genindex.html", "_static/x.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("<html></html>")
    (tmp_path / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=intro.html" />')
    assert lighthouse_audit.book_pages(tmp_path) == ["chapters/a.html", "intro.html"]


def test_a_page_under_any_target_fails_the_run():
    at_target = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 100}
    assert lighthouse_audit.failures({"intro.html": at_target}) == []
    planted = dict(at_target, seo=92)
    assert lighthouse_audit.failures({"intro.html": at_target, "chapters/a.html": planted}) == [
        "chapters/a.html: seo 92 < 100"]


def test_a_report_with_no_score_or_an_error_stops_the_run():
    report = {"categories": {c: {"score": 1.0} for c in lighthouse_audit.CATEGORIES}}
    assert lighthouse_audit.scores(report) == {c: 100 for c in lighthouse_audit.CATEGORIES}
    with pytest.raises(SystemExit, match="no seo score"):
        lighthouse_audit.scores({"categories": dict(report["categories"], seo={"score": None})}, "intro.html")
    with pytest.raises(SystemExit, match="could not audit"):
        lighthouse_audit.scores(dict(report, runtimeError={"code": "NO_FCP", "message": "no paint"}))


def test_the_lighthouse_pin_is_exact_and_locked():
    package = json.loads((ROOT / "src" / "pcn_evidence" / "tools" / "lighthouse" / "package.json").read_text())
    lock = json.loads((ROOT / "src" / "pcn_evidence" / "tools" / "lighthouse" / "package-lock.json").read_text())
    version = package["dependencies"]["lighthouse"]
    assert version[0].isdigit(), "an exact version, not a range"
    assert lock["packages"]["node_modules/lighthouse"]["version"] == version
    assert "resolved" not in json.dumps(lock), "the lock names no download host"
