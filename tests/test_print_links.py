"""The print extension (_ext/pcn_print.py): which links print a target, and that every target is absolute."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from pcn_evidence.release import ReleaseError, read_release

ROOT = Path(__file__).resolve().parents[1]
_SPEC = importlib.util.spec_from_file_location("pcn_print", ROOT / "_ext" / "pcn_print.py")
assert _SPEC and _SPEC.loader
pcn_print = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(pcn_print)

BASE = "https://example.org/book/"
KM = "chapters/key_messages"


def _targets(body: str, docname: str = KM, base: str = BASE) -> list[str]:
    return re.findall(r'data-print-href="([^"]*)"', pcn_print.add_print_targets(body, base, docname))


# ---- absolute URLs -------------------------------------------------------------------------------

@pytest.mark.parametrize(("docname", "href", "expected"), [
    (KM, "synthesis.html#f-ccg-support", BASE + "chapters/synthesis.html#f-ccg-support"),
    (KM, "#km-ccg-support", BASE + "chapters/key_messages.html#km-ccg-support"),
    (KM, "../intro.html", BASE + "intro.html"),
    (KM, "confidence.html", BASE + "chapters/confidence.html"),
    ("intro", "chapters/synthesis.html#f-x", BASE + "chapters/synthesis.html#f-x"),
    ("chapters/annex/deep", "../synthesis.html#f-x", BASE + "chapters/synthesis.html#f-x"),  # a nested page
    ("chapters/annex/deep", "other.html", BASE + "chapters/annex/other.html"),
])
def test_a_relative_link_becomes_the_absolute_url_under_the_published_base(docname, href, expected):
    assert pcn_print.absolute_href(BASE, docname, href) == expected


def test_the_base_url_is_the_one_in_citation_cff():
    base = read_release(ROOT / "CITATION.cff").base_url
    assert pcn_print.absolute_href(base, KM, "synthesis.html#f-a") == f"{base}chapters/synthesis.html#f-a"
    assert pcn_print.absolute_href(base, KM, "synthesis.html#f-a") == read_release(ROOT / "CITATION.cff").page_url(
        "chapters/synthesis", "f-a")


@pytest.mark.parametrize("href", ["https://doi.org/10.3399/x", "//cdn.example.org/x.js", "mailto:a@b.org"])
def test_an_external_link_is_left_to_the_stylesheet(href):
    assert pcn_print.absolute_href(BASE, KM, href) is None


def test_a_link_climbing_out_of_the_book_is_an_error_naming_page_and_link():
    with pytest.raises(pcn_print.PrintLinkError, match=r"chapters/key_messages.*'\.\./\.\./x\.html'.*outside the book"):
        pcn_print.absolute_href(BASE, KM, "../../x.html")


def _inited_with_url_line(tmp_path, replacement: str) -> SimpleNamespace:
    """Run the extension's start-up on a copy of CITATION.cff whose url: line is ``replacement``."""
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    planted = re.sub(r"(?m)^url:.*\n", replacement, cff)
    assert planted != cff, "CITATION.cff has no url: line to change"
    (tmp_path / "CITATION.cff").write_text(planted, encoding="utf-8")
    app = SimpleNamespace(srcdir=str(tmp_path), builder=SimpleNamespace(format="html"))
    pcn_print._on_builder_inited(app)
    return app


@pytest.mark.parametrize("bad", ["/", "", "pcn-evidence.github.io/book/", "ftp://example.org/book/",
                                 "https://example.org/book/?v=1", "https://example.org/#top"])
def test_a_base_url_that_cannot_make_absolute_links_stops_the_build_naming_the_field(tmp_path, bad):
    with pytest.raises(ReleaseError, match=r"CITATION\.cff:\n  - field 'url'"):
        _inited_with_url_line(tmp_path, f"url: '{bad}'\n")


def test_a_base_url_without_its_closing_slash_is_used_as_the_folder_it_names(tmp_path):
    app = _inited_with_url_line(tmp_path, "url: https://example.org/book\n")
    assert app.pcn_print_base_url == BASE  # so "chapters/x.html" joins under book/, not beside it


def test_a_citation_file_without_a_url_stops_the_build_naming_the_field(tmp_path):
    # pcn_evidence.release reads and checks the release facts for every extension
    with pytest.raises(ReleaseError, match=r"CITATION\.cff:\n  - field 'url'"):
        _inited_with_url_line(tmp_path, "")


def test_the_book_s_own_base_url_passes_and_is_used_for_every_page(tmp_path):
    app = SimpleNamespace(srcdir=str(ROOT), builder=SimpleNamespace(format="html"))
    pcn_print._on_builder_inited(app)
    assert app.pcn_print_base_url == read_release(ROOT / "CITATION.cff").base_url
    context = {"body": '<p><a class="reference internal" href="synthesis.html#f-a">a</a></p>'}
    pcn_print._on_page(app, KM, "page.html", context, None)
    assert f'data-print-href="{app.pcn_print_base_url}chapters/synthesis.html#f-a"' in context["body"]


# ---- which links print a target ------------------------------------------------------------------

EVIDENCE = '<a class="reference internal" href="synthesis.html#f-ccg-support"><span class="std std-ref">CCG staff</span></a>'
IN_TEXT_CITATION = ('<span class="bibtex-citation" id="id3">[<a class="reference internal" href="#id13" '
                    'title="L. Warwick-Giles">Warwick-Giles <em>et al.</em>, 2021</a>]</span>')
BACKREF = '<span class="backrefs">(<a role="doc-backlink" class="reference internal" href="#id3">1</a>)</span>'
TERM = '<a class="reference internal" href="glossary.html#term-PCN"><span class="xref std std-term">PCN</span></a>'
PERMALINK = '<a class="headerlink" href="#the-messages" title="Link to this heading">#</a>'
DOWNLOAD = '<a href="../downloads/data/sources.csv" download>sources.csv</a>'
EXTERNAL = '<a class="reference external" href="https://doi.org/10.3399/BJGP.2020.0917">doi</a>'


def test_an_evidence_link_prints_its_absolute_target():
    assert _targets(f"<p>{EVIDENCE}</p>") == [BASE + "chapters/synthesis.html#f-ccg-support"]


@pytest.mark.parametrize("link", [IN_TEXT_CITATION, BACKREF, TERM, PERMALINK, DOWNLOAD, EXTERNAL],
                         ids=["in-text citation", "back-reference", "glossary term", "permalink", "download", "external"])
def test_links_whose_target_would_be_noise_on_paper_print_none(link):
    assert _targets(f"<p>{link}</p>") == []


def _links_on_paper(body: str, docname: str = KM) -> list[str]:
    return re.findall(r'data-print-link="([^"]*)"', pcn_print.add_print_targets(body, BASE, docname))


def test_a_link_to_another_page_whose_target_does_not_print_still_goes_to_the_published_book():
    term = TERM.replace('href="glossary.html', 'href="../glossary.html')  # as a page in chapters/ links it
    assert _links_on_paper(f"<p>{term}</p>") == [BASE + "glossary.html#term-PCN"]
    assert _links_on_paper(f"<p>{DOWNLOAD}</p>") == [BASE + "downloads/data/sources.csv"]
    assert _links_on_paper('<p><a class="reference internal" href="glossary.html#term-PCN">PCN</a></p>',
                           "intro") == [BASE + "glossary.html#term-PCN"]


@pytest.mark.parametrize("link", [IN_TEXT_CITATION, BACKREF, PERMALINK, EXTERNAL, EVIDENCE],
                         ids=["in-text citation", "back-reference", "permalink", "external", "evidence (printed)"])
def test_a_jump_within_the_page_an_external_link_and_a_printed_target_get_no_second_address(link):
    assert _links_on_paper(f"<p>{link}</p>") == []


def test_a_link_to_another_page_climbing_out_of_the_book_is_an_error_too():
    with pytest.raises(pcn_print.PrintLinkError, match=r"outside the book"):
        _links_on_paper('<p><a href="../../elsewhere.csv" download>x</a></p>')


def test_the_script_and_the_stylesheet_use_the_extension_s_attributes():
    script = (ROOT / "_static" / "pcn-print.js").read_text(encoding="utf-8")
    css = (ROOT / "_static" / "pcn-print.css").read_text(encoding="utf-8")
    for attribute in (pcn_print.ATTRIBUTE, pcn_print.LINK_ATTRIBUTE):
        assert f"a[{attribute}]" in script, f"_static/pcn-print.js does not swap {attribute}"
        assert f"[{attribute}]" in css
    # dataset names: data-print-href -> printHref
    assert "dataset.printHref" in script and "dataset.printLink" in script


def test_a_target_is_escaped_and_never_added_twice():
    body = '<p><a class="reference internal" href="a.html?x=1&amp;y=2#f-a">a</a></p>'
    once = pcn_print.add_print_targets(body, BASE, KM)
    assert 'data-print-href="https://example.org/book/chapters/a.html?x=1&amp;y=2#f-a"' in once
    assert pcn_print.add_print_targets(once, BASE, KM) == once
    term = pcn_print.add_print_targets(f"<p>{TERM}</p>", BASE, KM)
    assert term.count("data-print-link=") == 1 and pcn_print.add_print_targets(term, BASE, KM) == term


# ---- headings with a stable anchor print their own address -----------------------------------

def _section(anchor: str, heading: str = "A headline", level: int = 3, extra: str = "") -> str:
    return (f'<section id="a-headline">\n<span id="{anchor}"></span><h{level}>{heading}'
            f'<a class="headerlink" href="#a-headline" title="Link to this heading">#</a></h{level}>\n'
            f"<p>Summary.</p>{extra}</section>")


def test_a_key_message_and_a_finding_heading_print_their_addresses():
    assert _targets(_section("km-ccg-support")) == [BASE + "chapters/key_messages.html#km-ccg-support"]
    assert _targets(_section("f-ccg-support"), "chapters/synthesis") == [BASE + "chapters/synthesis.html#f-ccg-support"]


def test_a_section_whose_own_id_is_the_stable_anchor_prints_it():
    body = '<section id="km-x" class="tex2jax_ignore">\n<h3>Headline</h3></section>'
    assert _targets(body) == [BASE + "chapters/key_messages.html#km-x"]


def test_a_heading_with_another_kind_of_label_prints_nothing():
    assert _targets(_section("chapter-key-messages", level=2)) == []


def test_the_page_title_prints_the_page_address():
    body = ('<section id="key-messages">\n<span id="chapter-key-messages"></span><h1>Key messages</h1>'
            + _section("km-a") + "</section>")
    assert _targets(body) == [BASE + "chapters/key_messages.html", BASE + "chapters/key_messages.html#km-a"]


def test_a_heading_keeps_its_address_when_its_section_also_cites_it():
    # the stylesheet chooses which prints: a key message its address, a finding its "Cite this" block
    cite = f'<div class="highlight"><pre>Key message km-a. {BASE}chapters/key_messages.html#km-a</pre></div>'
    assert _targets(_section("km-a", extra=cite)) == [BASE + "chapters/key_messages.html#km-a"]


# ---- the stylesheet is registered for print only ------------------------------------------------

def test_jupyter_book_s_all_media_link_to_the_print_stylesheet_is_dropped():
    config = SimpleNamespace(html_css_files=["pcn.css", "pcn-print.css", ("pcn-print.css", {"media": "all"}), "pcn-cite.css"])
    pcn_print._on_config_inited(None, config)
    assert config.html_css_files == ["pcn.css", "pcn-cite.css"]


def test_the_stylesheet_is_added_with_media_print():
    added: list[tuple[str, dict]] = []
    app = SimpleNamespace(add_css_file=lambda name, **kw: added.append((name, kw)), connect=lambda *a: None)
    pcn_print.setup(app)
    assert [(name, kw.get("media")) for name, kw in added] == [("pcn-print.css", "print")]


def _outside_media_print(css: str) -> str:
    """The rules of a stylesheet that are not inside its top-level ``@media print`` block."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    start = css.find("@media print")
    if start < 0:
        return css.strip()
    depth, end = 0, None
    for i in range(css.index("{", start), len(css)):
        depth += {"{": 1, "}": -1}.get(css[i], 0)
        if depth == 0:
            end = i
            break
    return (css[:start] + (css[end + 1:] if end is not None else "")).strip()


def test_every_print_rule_is_guarded_by_media_print():
    assert _outside_media_print((ROOT / "_static" / "pcn-print.css").read_text(encoding="utf-8")) == ""


def test_a_print_rule_outside_the_guard_is_caught():
    planted = "@media print { a { color: #000; } }\n.bd-sidebar-primary { display: none; }"
    assert _outside_media_print(planted) == ".bd-sidebar-primary { display: none; }"


def test_the_extension_s_examples_hold():
    import doctest

    assert doctest.testmod(pcn_print).failed == 0
