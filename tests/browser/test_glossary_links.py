"""Glossary links as a reader follows them: each page links the terms its source links, to the right definition."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest
from pages import ROOT

from pcn_evidence.tools.digests import toc_files

PAGES = toc_files(ROOT)
TERM_ROLE = re.compile(r"\{term\}`(?P<content>[^`]*)`")
EXPLICIT_TARGET = re.compile(r"^(?P<shown>.*?)\s*<(?P<target>[^<>]+)>$", re.S)

# Each glossary link on the page: what it shows, and the text of the definition term it lands on (headerlink removed).
LINKS_JS = """els => els.map(a => [a.textContent.trim(), a.getAttribute('href')])"""
TERMS_JS = """els => els.map(dt => {
    const copy = dt.cloneNode(true);
    copy.querySelectorAll('.headerlink').forEach(h => h.remove());
    return [dt.id, copy.textContent.trim()];
})"""


def source_links(page: str) -> list[tuple[str, str]]:
    """The ``{term}`` roles in the text Sphinx renders for a page: (text shown, term linked), lower-cased term."""
    notebook = ROOT / f"{page}.ipynb"
    if notebook.exists():
        text = "\n".join(c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "markdown")
    else:
        text = (ROOT / f"{page}.md").read_text(encoding="utf-8")
    links = []
    for role in TERM_ROLE.finditer(text):
        explicit = EXPLICIT_TARGET.match(role["content"])
        shown, target = (explicit["shown"], explicit["target"]) if explicit else (role["content"],) * 2
        links.append((shown.strip(), target.strip().lower()))
    return sorted(links)


@pytest.fixture(scope="module")
def glossary_terms(browser, base_url) -> dict[str, str]:
    """Each ``dt`` anchor of the built glossary page, mapped to the term it defines (lower case)."""
    page = browser.new_page()
    try:
        page.goto(f"{base_url}/glossary.html", wait_until="networkidle")
        terms = dict(page.eval_on_selector_all("dl.glossary dt[id]", TERMS_JS))
    finally:
        page.close()
    assert terms, "the built glossary page has no defined terms"
    return {anchor: term.lower() for anchor, term in terms.items()}


def test_the_source_scan_sees_links_where_there_are_some():
    # A scan that found nothing would make the page checks below pass vacuously.
    assert source_links("chapters/policy_context"), "no {term} role found in chapters/policy_context"


def link_problems(page: str, found: list[tuple[str, str]], terms: dict[str, str],
                  expected: list[tuple[str, str]]) -> list[str]:
    """Glossary links on a built page that land on no term, or that differ from the ``{term}`` roles of its source.

    ``found`` holds each link's text and href; ``terms`` maps the glossary's dt anchors to their terms.
    """
    landed, problems = [], []
    for shown, href in found:
        target = urlparse(href)
        same_page = not target.path and Path(page).name == "glossary"
        if Path(target.path).name != "glossary.html" and not same_page:
            continue  # an anchor that is not the glossary's
        if target.fragment in terms:
            landed.append((shown, terms[target.fragment]))
        else:
            problems.append(f"{page}.html: {shown!r} -> {href} lands on no definition term")
    if sorted(landed) != expected:
        problems.append(f"{page}.html: glossary links on the page {sorted(landed)}, {{term}} roles in its source {expected}")
    return problems


@pytest.mark.parametrize("page", PAGES)
def test_glossary_links_are_where_the_source_has_them_and_land_on_their_term(browser, base_url, glossary_terms, page):
    visit = browser.new_page()
    try:
        visit.goto(f"{base_url}/{page}.html", wait_until="networkidle")
        found = visit.eval_on_selector_all('a[href*="#term-"]:not(.headerlink)', LINKS_JS)  # not a dt's own permalink
    finally:
        visit.close()
    assert link_problems(page, found, glossary_terms, source_links(page)) == []


# --------------------------------------------------------------------------- planted faults (no browser needed)

TERMS = {"term-PCN": "pcn", "term-primary-care-network": "primary care network", "term-DES": "des"}
SOURCE = [("DES", "des"), ("primary care networks", "pcn")]
GOOD = [("primary care networks", "../glossary.html#term-PCN"), ("DES", "../glossary.html#term-DES"),
        ("back to top", "#top"), ("a finding", "synthesis.html#term-like-but-not-glossary")]


def test_a_page_whose_links_match_its_source_passes():
    assert link_problems("chapters/x", GOOD, TERMS, SOURCE) == []


def test_a_link_to_an_anchor_that_is_no_term_is_caught():
    found = GOOD[:1] + [("DES", "../glossary.html#term-DSE")]
    assert "'DES' -> ../glossary.html#term-DSE lands on no definition term" in link_problems("chapters/x", found, TERMS, SOURCE)[0]


def test_a_link_the_source_has_but_the_page_lacks_is_caught():
    assert "glossary links on the page" in link_problems("chapters/x", GOOD[1:], TERMS, SOURCE)[0]


def test_a_link_landing_on_another_term_is_caught():
    found = [("primary care networks", "../glossary.html#term-DES"), GOOD[1]]
    assert link_problems("chapters/x", found, TERMS, SOURCE) != []


def test_same_page_links_count_only_on_the_glossary():
    found = [("DES", "#term-DES")]
    assert link_problems("glossary", found, TERMS, [("DES", "des")]) == []
    assert link_problems("chapters/x", found, TERMS, []) == []
