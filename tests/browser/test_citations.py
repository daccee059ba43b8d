"""Citations on the built book: one "Cite this" block per key message and finding, with its absolute URL,
a copy button that copies exactly the citation, reference lists labelled as the text cites them, and the
version and release date in every footer.

The HTML checks read _build/html; the copy buttons and footers are checked in Chromium.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from bs4 import BeautifulSoup, Tag
from citation_checks import citation_problems  # noqa: E402
from pages import HTML, ROOT

from pcn_evidence import load_table  # noqa: E402
from pcn_evidence.citation import ITEM_KINDS, cited_item, plain_citation  # noqa: E402
from pcn_evidence.release import PENDING, Release, shown_release  # noqa: E402

HOW_TO_CITE = "chapters/how_to_cite.html"
WHATS_NEW = "chapters/whats_new.html"


@cache
def soup(page: str) -> BeautifulSoup:
    path = HTML / page
    if not path.exists():
        pytest.fail(f"no built page at {path}: build the book first")
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@cache
def release() -> Release:
    return shown_release(ROOT / "CITATION.cff")  # pending when data/ records unreleased changes, as the pages say


def statements() -> dict[str, str]:
    """Every citable statement's id and heading, from the data the pages are made from."""
    found = {row.id: row.heading for row in load_table("key_messages").itertuples()}
    found.update({row.id: row.title for row in load_table("synthesis_findings").itertuples()})
    return found


def expected_citation(item_id: str) -> str:
    return plain_citation(release(), cited_item(release(), item_id, statements()[item_id]))


def section_of(page: BeautifulSoup, item_id: str) -> Tag:
    """The section whose stable id is ``item_id`` (Sphinx puts a label's id on a span inside its section)."""
    anchor = page.find(id=item_id)
    assert anchor is not None, f"no #{item_id}"
    section = anchor if anchor.name == "section" else anchor.find_parent("section")
    assert section is not None, f"#{item_id} is not in a section"
    return section


def block_texts(block: Tag) -> tuple[str, str]:
    """The plain citation and the BibTeX a "Cite this" block shows (as the copy button copies them)."""
    plain = block.select("div.pcn-cite-text pre")
    entry = block.select("details.pcn-cite-bibtex div.pcn-cite-bibtex-entry pre")
    assert len(plain) == 1 and len(entry) == 1, f"a citation block without its two texts: {block}"
    return plain[0].get_text().rstrip("\n"), entry[0].get_text().rstrip("\n")


def citation_block_problems(page: BeautifulSoup, item_id: str) -> list[str]:
    """What is wrong with the one "Cite this" block a statement's section must end with."""
    blocks = section_of(page, item_id).select("div.pcn-cite")
    if len(blocks) != 1:
        return [f"#{item_id}: {len(blocks)} citation blocks, expected exactly one"]
    text, entry = block_texts(blocks[0])
    item = cited_item(release(), item_id, statements()[item_id])
    return [f"#{item_id}: {problem}" for problem in citation_problems(release(), text, entry, item)]


# --- On the built pages ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ITEM_KINDS, ids=lambda kind: kind.page)
def test_every_statement_has_exactly_one_citation_block_with_its_absolute_url(kind):
    page = soup(f"{kind.page}.html")
    ids = [i for i in statements() if i.startswith(kind.prefix)]
    on_page = [tag["id"] for tag in page.find_all(id=re.compile("^" + re.escape(kind.prefix)))]
    assert sorted(on_page) == sorted(ids), "the page's stable ids are not the data's"
    problems = [p for item_id in ids for p in citation_block_problems(page, item_id)]
    assert problems == []
    assert len(page.select("div.pcn-cite")) == len(ids), "a citation block outside a statement's section"


def test_the_check_catches_a_missing_a_doubled_and_a_wrong_citation_block():
    kind = ITEM_KINDS[0]
    html = (HTML / f"{kind.page}.html").read_text(encoding="utf-8")
    first, second = [i for i in statements() if i.startswith(kind.prefix)][:2]
    page = BeautifulSoup(html, "html.parser")
    block = section_of(page, first).select_one("div.pcn-cite")
    section_of(page, second).append(BeautifulSoup(str(block), "html.parser"))  # a copy of the first's block
    assert citation_block_problems(page, second) == [f"#{second}: 2 citation blocks, expected exactly one"]
    block.decompose()
    assert citation_block_problems(page, first) == [f"#{first}: 0 citation blocks, expected exactly one"]

    page = BeautifulSoup(html.replace(release().base_url, ""), "html.parser")  # relative URLs
    assert any("absolute URL" in p for p in citation_block_problems(page, first))
    page = BeautifulSoup(html.replace(f"version = {{{release().version}}}", "version = {}"), "html.parser")
    assert any("no 'version" in p for p in citation_block_problems(page, first))


def test_how_to_cite_lists_the_same_citations_as_the_blocks():
    cells = [td.get_text() for td in soup(HOW_TO_CITE).select("table.pcn-table td")]
    for item_id in statements():
        assert expected_citation(item_id) in cells, f"How to cite has no complete citation of {item_id}"
    blocks = [pre.get_text() for pre in soup(HOW_TO_CITE).select("div.pcn-cite pre")]
    assert plain_citation(release()) in blocks
    assert any(citation_problems(release(), entry=text) == [] for text in blocks if text.startswith("@misc"))


def _content_pages() -> list[str]:
    """Every page of the built book (not the theme's templates, not the redirect at index.html)."""
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built book at {HTML}: build the book first")
    pages = sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html") if "_static" not in p.parts)
    return [p for p in pages if not soup(p).find("meta", attrs={"http-equiv": re.compile("^refresh$", re.IGNORECASE)})]


def _resolve(page_name: str, href: str) -> str:
    return (HTML / page_name).parent.joinpath(href).resolve().relative_to(HTML.resolve()).as_posix()


def labelling_problems(page: BeautifulSoup, page_name: str) -> list[str]:
    """In-text citations whose reference-list label reads differently, and runs of back-links."""
    problems = []
    for link in page.select("span.bibtex-citation a.reference.internal"):
        target = link.get("href", "")
        where, _, anchor = target.partition("#")
        # a page may cite into another page's list (the landing page into References)
        entry = (soup(_resolve(page_name, where)) if where else page).find(id=anchor)
        if entry is None or entry.select_one("span.label") is None:
            problems.append(f"the in-text citation {link.get_text()!r} points at no reference list entry ({target})")
            continue
        label = entry.select_one("span.label").get_text().strip("[]")
        if label != link.get_text():
            problems.append(f"cited in the text as {link.get_text()!r}, labelled {label!r} in the references")
    problems += [f"a run of back-links: {span.get_text()}" for span in page.select("div.citation span.backrefs")]
    labels = [span.get_text() for span in page.select("div.citation span.label")]
    problems += [f"two references labelled {label}" for label in set(labels) if labels.count(label) > 1]
    return problems


def test_reference_lists_are_labelled_as_the_text_cites_them():
    problems = {page: labelling_problems(soup(page), page) for page in _content_pages()}
    assert {page: found for page, found in problems.items() if found} == {}
    labels = {span.get_text() for page in _content_pages() for span in soup(page).select("div.citation span.label")}
    assert {"[GPonline, n.d.-a]", "[GPonline, n.d.-b]"} <= labels, "the two undated GPonline articles, told apart"


def test_the_label_check_catches_an_alpha_label_and_a_back_link_run():
    page = f"{ITEM_KINDS[0].page}.html"
    html = (HTML / page).read_text(encoding="utf-8")
    broken = BeautifulSoup(html, "html.parser")
    broken.select_one("div.citation span.label a").string = "Hac21"  # as pybtex's default alpha style labels
    assert any("labelled 'Hac21'" in p for p in labelling_problems(broken, page))
    runs = BeautifulSoup(html.replace('<span class="label">', '<span class="backrefs">(1,2,3)</span>'
                                      '<span class="label">', 1), "html.parser")
    assert any("a run of back-links" in p for p in labelling_problems(runs, page))


def test_every_footer_shows_the_version_and_release_date_and_links_to_how_to_cite():
    facts = release()
    for page in _content_pages():
        footer = soup(page).select("footer p.pcn-release")
        assert len(footer) == 1, f"{page}: {len(footer)} release lines in the footer"
        text = " ".join(footer[0].get_text().split())
        assert f"Version {facts.version} · evidence assessed {facts.released.isoformat()}" in text, f"{page}: {text}"
        assert ("DOI" in text) == bool(facts.doi), f"{page}: a DOI shown only when configured"
        assert (PENDING in text) == facts.pending, f"{page}: unreleased changes are said to be there exactly when they are"
        if facts.pending:
            href = footer[0].find("a", string=PENDING)["href"]
            target = (HTML / page).parent / href if href != "#" else HTML / page
            assert target.resolve() == (HTML / WHATS_NEW).resolve(), f"{page}: the changes link to {href}"
        link = footer[0].find("a", string="How to cite")
        target = (HTML / page).parent / link["href"] if link["href"] != "#" else HTML / page
        assert target.resolve() == (HTML / HOW_TO_CITE).resolve(), f"{page}: How to cite links to {link['href']}"


# --- In Chromium -------------------------------------------------------------------------------------

@pytest.fixture
def clipboard_page(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, permissions=["clipboard-read",
                                                                                       "clipboard-write"])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page, errors
    context.close()


def _copied(page, button) -> str:
    page.evaluate("navigator.clipboard.writeText('')")
    button.click()
    page.wait_for_function("async () => (await navigator.clipboard.readText()) !== ''", timeout=5000)
    return page.evaluate("navigator.clipboard.readText()")


@pytest.mark.parametrize("kind", ITEM_KINDS, ids=lambda kind: kind.page)
def test_each_copy_button_copies_exactly_the_citation(clipboard_page, base_url, kind):
    page, errors = clipboard_page
    page.goto(f"{base_url}/{kind.page}.html", wait_until="networkidle")
    ids = [i for i in statements() if i.startswith(kind.prefix)]
    for item_id in ids:
        block = page.locator(f"section:has(> #{item_id}) div.pcn-cite, section#{item_id} div.pcn-cite")
        assert block.count() == 1, f"#{item_id}: {block.count()} citation blocks"
        button = block.locator("div.pcn-cite-text button.copybtn")
        assert button.count() == 1, f"#{item_id}: no copy button on its citation"
        assert _copied(page, button) == expected_citation(item_id), f"#{item_id}: the copy button copied other text"
        block.locator("details.pcn-cite-bibtex > summary").click()
        entry = _copied(page, block.locator("div.pcn-cite-bibtex-entry button.copybtn"))
        item = cited_item(release(), item_id, statements()[item_id])
        assert citation_problems(release(), entry=entry, item=item) == [], f"#{item_id}: the BibTeX copied"
    assert errors == [], f"console errors: {errors}"


def test_the_how_to_cite_blocks_copy_the_book_citation(clipboard_page, base_url):
    page, errors = clipboard_page
    page.goto(f"{base_url}/{HOW_TO_CITE}", wait_until="networkidle")
    buttons = page.locator("div.pcn-cite button.copybtn")
    assert buttons.count() == 2, "the book's plain citation and BibTeX each have a copy button"
    assert _copied(page, buttons.nth(0)) == plain_citation(release())
    assert citation_problems(release(), entry=_copied(page, buttons.nth(1))) == []
    assert errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_open_citation_blocks_pass_axe(browser, base_url, scheme):
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    try:
        page.goto(f"{base_url}/{ITEM_KINDS[0].page}.html", wait_until="networkidle")
        page.evaluate("document.querySelectorAll('details.pcn-cite-bibtex').forEach(d => d.open = true)")
        violations = Axe().run(page, context="div.pcn-cite, footer").response["violations"]
        serious = [f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in violations
                   if v["impact"] in ("serious", "critical")]
        assert serious == [], f"axe ({scheme} mode) on the open citation blocks and footer"
    finally:
        page.close()


def test_footers_show_the_version_and_date_and_lead_to_how_to_cite(browser, base_url):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        for path in ("intro.html", f"{ITEM_KINDS[0].page}.html"):
            page.goto(f"{base_url}/{path}", wait_until="networkidle")
            footer = page.locator("footer p.pcn-release")
            footer.scroll_into_view_if_needed()
            assert footer.is_visible(), f"{path}: the release line is not visible"
            text = " ".join(footer.inner_text().split())
            assert f"Version {release().version}" in text and release().released.isoformat() in text, text
        footer.get_by_role("link", name="How to cite").click()
        page.wait_for_url(f"**/{HOW_TO_CITE}")
    finally:
        page.close()
