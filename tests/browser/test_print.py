"""Printing: the key-messages page prints as a clean briefing of at most three A4 pages, and every page
prints without navigation, toggles or code, with its tables and figures whole.

Chromium prints each page to PDF (``page.pdf``, A4, the stylesheet's own margins) and pypdf reads the
text back, so the checks see what a reader's printer would: the text, the size each run of it is set in,
and the links the PDF keeps clickable. The planted-fault tests print tiny pages with the real stylesheet
and with one rule broken, to show that each check fails when it should.
"""

from __future__ import annotations

import io
import re
import unicodedata
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from pages import HTML, ROOT

KEY_MESSAGES = "chapters/key_messages.html"
MAX_BRIEFING_PAGES = 3
# Type sizes on paper (issue #24, item 3): body text at 10 pt or more, printed URLs at 8 pt or more. Table
# cells are data set small to fit the width of A4: at least the 6.5 pt the stylesheet gives a table of eight
# columns or more. A figure's labels are drawn with the figure and scale with it, so they are not measured.
BODY_MIN_PT = 10.0
URL_MIN_PT = 8.0
TABLE_MIN_PT = 6.5
# Chromium sets type in CSS pixels: 8 pt is 10.66 px, which reads back as 7.99 pt.
PT_TOLERANCE = 0.05
# The page number is printed in the bottom margin (the stylesheet's @page): 11 mm, in points.
FOOTER_TOP_PT = 11 / 25.4 * 72
PRINT_CSS = ROOT / "_static" / "pcn-print.css"
# A4 less the stylesheet's side margins (14 mm each), in CSS pixels: the width a printed line has.
A4_TEXT_WIDTH_PX = round((210 - 2 * 14) / 25.4 * 96)
A4_TEXT_HEIGHT_PX = round((297 - 12 - 13) / 25.4 * 96)
# Words that only screen controls inside the article say (code toggles, copy buttons).
CONTROL_TEXT = ("Show code cell source", "Hide code cell source", "Show code cell output", "Hide code cell output",
                "Copy to clipboard", "Copied!")
# The theme's chrome around the article: none of its text may reach paper.
CHROME = ("header.bd-header", ".bd-sidebar-primary", ".bd-sidebar-secondary", ".bd-header-article",
          ".prev-next-area", "footer.bd-footer-content", "footer.bd-footer", "#jb-print-docs-body", ".skip-link",
          "#pst-search-dialog", "#pst-back-to-top")


# ---- reading a printed PDF -------------------------------------------------------------------------

def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page, with ligatures (ﬁ) and compatibility characters folded."""
    from pypdf import PdfReader
    return [unicodedata.normalize("NFKC", page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]


def _words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _solid(text: str) -> str:
    """Text without any whitespace: a URL or a heading wrapped across lines reads whole again."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def leaked(pages: list[str], forbidden: list[str]) -> list[str]:
    """The forbidden strings that appear in the printed text."""
    printed = _words(" ".join(pages))
    return [text for text in forbidden if _words(text) in printed]


def missing(pages: list[str], expected: list[str]) -> list[str]:
    """The expected strings (headings, URLs) that the printed text lacks, compared without whitespace."""
    printed = _solid(" ".join(pages))
    return [text for text in expected if _solid(text) not in printed]


def _page_of(pages: list[str], text: str, start: int = 0) -> int | None:
    needle = _solid(text)
    return next((i for i in range(start, len(pages)) if needle in _solid(pages[i])), None)


def split_across_pages(pages: list[str], blocks: dict[str, tuple[str, str]]) -> list[str]:
    """Blocks (id -> first and last printed text) whose first and last text are not on one page."""
    problems = []
    for block, (first, last) in blocks.items():
        head = _page_of(pages, first)
        tail = None if head is None else _page_of(pages, last, head)
        if head is None or tail is None:
            problems.append(f"{block}: cannot find {'its heading' if head is None else 'its last line'} in the PDF")
        elif tail != head:
            problems.append(f"{block}: starts on page {head + 1}, ends on page {tail + 1}")
    return problems


class Run(NamedTuple):
    """A run of text as the PDF draws it: its page (from 0), size in points, height on the page and text."""

    page: int
    size: float
    y: float
    text: str


def _times(m: list[float], n: list[float]) -> list[float]:
    """The product of two PDF matrices [a b c d e f]."""
    return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3], m[2] * n[0] + m[3] * n[2],
            m[2] * n[1] + m[3] * n[3], m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5]]


def pdf_runs(pdf: bytes) -> list[Run]:
    """Every run of text in the PDF with the size it is printed at: the font size scaled by the text and
    graphics matrices (Chromium draws in CSS pixels, scaled by 0.75 to points)."""
    from pypdf import PdfReader

    runs: list[Run] = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        def visit(text, cm, tm, font, size, number=number):
            if text.strip():
                m = _times(tm, cm)
                scale = abs(m[0] * m[3] - m[1] * m[2]) ** 0.5
                runs.append(Run(number, round(size * scale, 2), m[5], unicodedata.normalize("NFKC", text)))
        page.extract_text(visitor_text=visit)
    return runs


def undersized(runs: list[Run], urls: list[str], tables: list[str], figures: list[str]) -> list[str]:
    """Runs printed smaller than their kind allows: a URL (a run inside one of ``urls``, as printed, with its
    brackets) 8 pt, a table cell (inside one of ``tables``) 6.5 pt, the page number 8 pt, anything else 10 pt.
    A run inside a figure's text is not measured. Compared without whitespace; a run counts as part of a URL
    only if it has a URL's punctuation (``/ : #`` or a bracket), so a word or number in a table that a URL
    happens to contain ("evidence", "2020.") is measured as table text."""
    urls, tables, figures = ([_solid(t) for t in texts] for texts in (urls, tables, figures))
    problems = []
    for run in runs:
        text = _solid(run.text)
        if run.y < FOOTER_TOP_PT and re.fullmatch(r"\d+|/", text):
            kind, least = "page number", URL_MIN_PT
        elif re.search(r"[/:#()]", text) and any(text in url for url in urls):
            kind, least = "URL", URL_MIN_PT
        elif any(text in figure for figure in figures):
            continue
        elif any(text in table for table in tables):
            kind, least = "table cell", TABLE_MIN_PT
        else:
            kind, least = "body text", BODY_MIN_PT
        if run.size < least - PT_TOLERANCE:
            problems.append(f"page {run.page + 1}: {kind} at {run.size} pt (at least {least}): {run.text.strip()[:60]!r}")
    return problems


class Link(NamedTuple):
    """A clickable link in the PDF: its page (from 0) and target, a URI or a named destination (#name)."""

    page: int
    target: str


def pdf_links(pdf: bytes) -> tuple[list[Link], set[str]]:
    """Every link annotation in the PDF, and the named destinations the PDF holds (for links within it)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    links = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            action = action.get_object() if action is not None else {}
            if action.get("/S") == "/URI":
                links.append(Link(number, str(action["/URI"])))
            else:  # a jump within the document, by name (Chromium writes /Dest)
                links.append(Link(number, "#" + str(annotation.get("/Dest", action.get("/D", ""))).lstrip("/")))
    return links, {name.lstrip("/") for name in reader.named_destinations}


def misdirected(links: list[Link], destinations: set[str], base_url: str) -> list[str]:
    """Links that do not go where a reader of the paper or the PDF can follow: a jump to a name the PDF lacks,
    or a URI that is not an http(s) address outside this machine. A link into the book must start with
    ``base_url`` (the published book); an address on this machine or a file path is the page's own origin."""
    problems = []
    for link in links:
        where = f"page {link.page + 1}: {link.target}"
        if link.target.startswith("#"):
            if link.target[1:] not in destinations:
                problems.append(f"{where}: no such destination in the PDF")
            continue
        parts = urlsplit(link.target)
        if link.target.startswith(base_url):
            continue
        if parts.scheme not in ("http", "https") or parts.hostname in (None, "localhost", "::1") \
                or parts.hostname.startswith("127."):
            problems.append(f"{where}: not the published book ({base_url})")
    return problems


# ---- reading the page in the browser ---------------------------------------------------------------

CHROME_LINES_JS = """([chrome, article]) => {
  const lines = s => s.split('\\n').map(l => l.trim()).filter(l => l.length > 0);
  const inArticle = (document.querySelector(article) || document.body).textContent.replace(/\\s+/g, ' ');
  const out = new Set();
  for (const selector of chrome)
    for (const element of document.querySelectorAll(selector))
      for (const line of lines(element.textContent))
        if (/[A-Za-z]{4,}/.test(line) && !inArticle.includes(line.replace(/\\s+/g, ' '))) out.add(line);
  return [...out];
}"""

# Each key message: its id, its heading, and the end of its printed text (visible text only, as
# printed). The end stops at a link whose URL the stylesheet prints after it, since the PDF has that URL
# in between; at most 40 characters, without whitespace, as compared.
MESSAGES_JS = """() => {
  const printsUrl = node => node.parentElement.closest('a[data-print-href], a[href^="http"]');
  const sections = [...document.querySelectorAll('section')].filter(
      s => (s.id || '').startsWith('km-') || s.querySelector(':scope > span[id^="km-"]'));
  return sections.map(s => {
    const id = s.id.startsWith('km-') ? s.id : s.querySelector(':scope > span[id^="km-"]').id;
    const heading = s.querySelector('h1, h2, h3, h4, h5, h6');
    const title = [...heading.childNodes].filter(n => !(n.classList && n.classList.contains('headerlink')))
                                           .map(n => n.textContent).join('').trim();
    const walker = document.createTreeWalker(s, NodeFilter.SHOW_TEXT);
    const texts = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode())
      if (n.textContent.trim() && n.parentElement.checkVisibility()) texts.push(n);
    let tail = '';
    for (let i = texts.length - 1; i >= 0 && tail.length < 40; i--) {
      if (tail && printsUrl(texts[i])) break;
      tail = texts[i].textContent.replace(/\\s+/g, '') + tail;
    }
    return [id, title, tail.slice(-40)];
  });
}"""

PRINT_TARGETS_JS = """() => [...document.querySelectorAll('article [data-print-href]')].map(
    e => [e.tagName.toLowerCase(), e.getAttribute('href') || '', e.getAttribute('data-print-href')])"""

# Everything that can be too wide for paper or cut across pages, measured as printed.
OVERSIZE_JS = """([width, height]) => {
  const out = [];
  for (const e of document.querySelectorAll('article table, article figure, article svg, article img, article pre')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0) continue;
    const name = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '');
    if (r.right > width + 1) out.push(`${name} is ${Math.round(r.right)}px wide, the paper ${width}px`);
    if (['svg', 'img', 'figure'].includes(e.tagName.toLowerCase()) && r.height > height)
      out.push(`${name} is ${Math.round(r.height)}px tall, a page ${height}px`);
  }
  if (document.documentElement.scrollWidth > width + 1)
    out.push(`the page is ${document.documentElement.scrollWidth}px wide, the paper ${width}px`);
  return out;
}"""


# What the printed text is, for the size check (read with the print stylesheet applied): every URL the page
# prints (a link's target after it, in brackets; a heading's address; a URL in the text), the text of each
# table cell, caption and source line, and the text drawn in each figure. textContent, not innerText: a
# table or figure off screen is not rendered (content-visibility in pcn.css), and has no innerText.
PRINTED_KINDS_JS = """() => {
  const article = document.querySelector('article.bd-article') || document.body;
  const urls = new Set();
  for (const e of article.querySelectorAll('[data-print-href]')) urls.add(`(${e.dataset.printHref})`);
  for (const a of article.querySelectorAll('a[href^="http"]')) urls.add(`(${a.getAttribute('href')})`);
  for (const m of article.textContent.matchAll(/https?:\\/\\/\\S+/g)) urls.add(m[0]);
  const tables = [...article.querySelectorAll('table caption, th, td, .pcn-source')].map(e => e.textContent);
  const figures = [...article.querySelectorAll('svg')].map(e => e.textContent);
  return {urls: [...urls], tables, figures};
}"""

# The links to another page of the book that a reader of the printed page sees (and can click in the PDF).
PRINTED_LINKS_JS = """() => [...document.querySelectorAll('article a[data-print-href], article a[data-print-link]')]
    .filter(a => a.checkVisibility()).map(a => a.dataset.printHref || a.dataset.printLink)"""

HREFS_JS = "() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"


def print_page(browser, url: str, color_scheme: str = "light"):
    page = browser.new_page(color_scheme=color_scheme)
    page.goto(url, wait_until="networkidle")
    return page, page.pdf(format="A4")


def _pages() -> list[str]:
    """Every page of the book, in table-of-contents order (the search page has nothing to print)."""
    from pcn_evidence.tools.digests import toc_files

    return [f"{file}.html" for file in toc_files(ROOT)]


def _base_url() -> str:
    from pcn_evidence.release import read_release

    return read_release(ROOT / "CITATION.cff").base_url


def printout(browser, url: str) -> dict:
    """A page printed to PDF and read back (text, runs, links), with what the browser knows of it: the text
    of its navigation, what it prints too wide for the paper, the kinds of its printed text, its links to
    other pages of the book, and whether its links came back to the page's own after the print."""
    page = browser.new_page()
    try:
        page.goto(url, wait_until="networkidle")
        hrefs = page.evaluate(HREFS_JS)
        pdf = page.pdf(format="A4")
        links, destinations = pdf_links(pdf)
        found = {"pages": pdf_pages(pdf), "runs": pdf_runs(pdf), "links": links, "destinations": destinations,
                 "restored": page.evaluate(HREFS_JS) == hrefs,
                 "chrome": page.evaluate(CHROME_LINES_JS, [list(CHROME), "article.bd-article"])}
        page.set_viewport_size({"width": A4_TEXT_WIDTH_PX, "height": A4_TEXT_HEIGHT_PX})
        page.emulate_media(media="print")
        found["oversize"] = page.evaluate(OVERSIZE_JS, [A4_TEXT_WIDTH_PX, A4_TEXT_HEIGHT_PX])
        found["kinds"] = page.evaluate(PRINTED_KINDS_JS)
        found["book_links"] = page.evaluate(PRINTED_LINKS_JS)
        return found
    finally:
        page.close()


@pytest.fixture(scope="module")
def printouts(browser, base_url):
    """Each page printed once, for all the checks of this module that read it."""
    cache: dict[str, dict] = {}

    def get(path: str) -> dict:
        if path not in cache:
            cache[path] = printout(browser, f"{base_url}/{path}")
        return cache[path]
    return get


# ---- the briefing ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def briefing(browser, base_url, artifacts):
    page, pdf = print_page(browser, f"{base_url}/{KEY_MESSAGES}")
    (artifacts / "key_messages-print.pdf").write_bytes(pdf)
    chrome = page.evaluate(CHROME_LINES_JS, [list(CHROME), "article.bd-article"])
    targets = page.evaluate(PRINT_TARGETS_JS)
    page.emulate_media(media="print")
    messages = page.evaluate(MESSAGES_JS)
    page.close()
    return {"pdf": pdf, "pages": pdf_pages(pdf), "chrome": chrome, "targets": targets, "messages": messages}


def test_the_key_messages_print_on_at_most_three_a4_pages(briefing):
    pages = briefing["pages"]
    assert len(pages) <= MAX_BRIEFING_PAGES, (
        f"{KEY_MESSAGES} prints on {len(pages)} A4 pages (at most {MAX_BRIEFING_PAGES}); see artifacts/key_messages-print.pdf")


def test_no_navigation_or_screen_control_is_printed(briefing):
    assert len(briefing["chrome"]) > 10, f"too little navigation text found to check against: {briefing['chrome']}"
    assert leaked(briefing["pages"], briefing["chrome"]) == []
    assert leaked(briefing["pages"], list(CONTROL_TEXT)) == []


def test_every_key_message_heading_is_printed(briefing):
    assert len(briefing["messages"]) >= 1, "no key message (section with a km- anchor) found on the page"
    assert missing(briefing["pages"], [title for _, title, _ in briefing["messages"]]) == []


def test_every_message_and_evidence_link_prints_its_absolute_url(briefing):
    from pcn_evidence.release import read_release

    release = read_release(ROOT / "CITATION.cff")
    expected = [release.page_url("chapters/key_messages", km) for km, _, _ in briefing["messages"]]
    evidence = [href.split("#", 1)[1] for tag, href, _ in briefing["targets"] if tag == "a" and "synthesis.html#f-" in href]
    assert evidence, "no evidence link (to a finding on synthesis.html) carries a print target"
    expected += [release.page_url("chapters/synthesis", finding) for finding in evidence]
    assert all(url.startswith("https://") for url in expected)
    assert missing(briefing["pages"], expected) == []


def test_no_key_message_is_split_across_pages(briefing):
    blocks = {km: (title, last) for km, title, last in briefing["messages"]}
    assert split_across_pages(briefing["pages"], blocks) == []


def test_dark_mode_prints_black_on_white(browser, base_url):
    page = browser.new_page(color_scheme="dark")
    try:
        page.goto(f"{base_url}/{KEY_MESSAGES}", wait_until="networkidle")
        page.emulate_media(media="print", color_scheme="dark")
        colours = page.evaluate("""() => [...document.querySelectorAll('article p, article h3, article a, article li')]
            .map(e => getComputedStyle(e).color)""")
        assert colours and set(colours) == {"rgb(0, 0, 0)"}, f"printed text colours in dark mode: {set(colours)}"
    finally:
        page.close()


def test_the_print_stylesheet_is_linked_once_and_for_print_only(base_url):  # base_url: skips loudly if unbuilt
    links = re.findall(r"<link[^>]*pcn-print\.css[^>]*>", (HTML / KEY_MESSAGES).read_text(encoding="utf-8"))
    assert len(links) == 1 and 'media="print"' in links[0], links


# ---- every page ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", _pages())
def test_every_page_prints_without_navigation_and_with_whole_tables_and_figures(printouts, path):
    printed = printouts(path)
    assert leaked(printed["pages"], printed["chrome"]) == [], f"{path} prints navigation"
    assert leaked(printed["pages"], list(CONTROL_TEXT)) == [], f"{path} prints screen controls"
    assert printed["oversize"] == [], f"{path} does not fit the paper"


@pytest.mark.parametrize("path", _pages())
def test_every_page_prints_body_text_at_10_pt_and_urls_at_8_pt(printouts, path):
    printed = printouts(path)
    kinds = printed["kinds"]
    assert sum(run.size >= BODY_MIN_PT - PT_TOLERANCE for run in printed["runs"]) > 10, f"{path}: no body text read back"
    assert undersized(printed["runs"], kinds["urls"], kinds["tables"], kinds["figures"]) == [], (
        f"{path}: text printed below its size")


@pytest.mark.parametrize("path", _pages())
def test_every_printed_link_goes_to_the_published_book(printouts, path):
    printed, base = printouts(path), _base_url()
    assert misdirected(printed["links"], printed["destinations"], base) == []
    # Not vacuous: each link to another page that prints is in the PDF with its published address.
    uris = {link.target for link in printed["links"]}
    assert sorted(set(printed["book_links"]) - uris) == [], f"{path}: printed links missing from the PDF"
    assert printed["restored"], f"{path}: after printing, the page's links do not point where they did"


def test_a_page_read_from_a_file_prints_links_to_the_published_book(browser, base_url):  # base_url: skips if unbuilt
    page = browser.new_page()
    try:
        page.goto((HTML / KEY_MESSAGES).as_uri(), wait_until="load")
        links, destinations = pdf_links(page.pdf(format="A4"))
    finally:
        page.close()
    assert any(link.target.startswith(_base_url()) for link in links), "no link to the published book in the PDF"
    assert misdirected(links, destinations, _base_url()) == []


# ---- planted faults: each check fails on the fault it guards against ---------------------------------

TINY = """<!doctype html><html><head><meta charset="utf-8"><style>{css}</style></head><body>
<div class="bd-container"><div class="bd-container__inner">
  <div class="bd-sidebar-primary"><nav>Chapter list: Study design and sample</nav></div>
  <main class="bd-main"><div class="bd-content"><div class="bd-article-container">
    <article class="bd-article">
      <div style="height: {spacer}mm">Opening paragraph.</div>
      <section id="a-headline"><span id="km-a"></span><h3 data-print-href="https://example.org/book/k.html#km-a">A headline</h3>
        {body}
        <p>Confidence: moderate. <a class="reference internal" href="s.html#f-a"
           data-print-href="https://example.org/book/s.html#f-a">the finding</a>. Last line of the message.</p>
      </section>
    </article>
  </div></div></main>
</div></div></body></html>"""
MESSAGE_BODY = "<p>" + "A summary sentence of the message, long enough to take a line. " * 6 + "</p>"


def _print_tiny(browser, css: str, spacer: int = 10) -> list[str]:
    page = browser.new_page()
    try:
        page.set_content(TINY.format(css=css, spacer=spacer, body=MESSAGE_BODY * 4))
        return pdf_pages(page.pdf(format="A4"))
    finally:
        page.close()


def _css() -> str:
    return PRINT_CSS.read_text(encoding="utf-8")


def test_planted_a_stylesheet_that_prints_the_sidebar_fails_the_navigation_check(browser):
    chrome = ["Chapter list: Study design and sample"]
    assert leaked(_print_tiny(browser, _css()), chrome) == []
    shown = _css() + "\n@media print { .bd-container__inner > .bd-sidebar-primary { display: block !important; } }"
    assert leaked(_print_tiny(browser, shown), chrome) == chrome


def test_planted_a_message_allowed_to_break_fails_the_split_check(browser):
    blocks = {"km-a": ("A headline", "Last line of the message.")}
    # A spacer that leaves the message straddling the end of page 1 unless it is kept whole.
    assert split_across_pages(_print_tiny(browser, _css(), spacer=230), blocks) == []
    breakable = _css() + "\n@media print { .bd-article section { break-inside: auto !important; } }"
    assert split_across_pages(_print_tiny(browser, breakable, spacer=230), blocks) == [
        "km-a: starts on page 1, ends on page 2"]


def test_planted_link_targets_not_printed_fail_the_url_check(browser):
    urls = ["https://example.org/book/k.html#km-a", "https://example.org/book/s.html#f-a"]
    assert missing(_print_tiny(browser, _css()), urls) == []
    silent = _css() + "\n@media print { .bd-article [data-print-href]::after { content: none !important; } }"
    assert missing(_print_tiny(browser, silent), urls) == urls


def test_planted_an_overflowing_table_fails_the_fit_check(browser):
    page = browser.new_page(viewport={"width": A4_TEXT_WIDTH_PX, "height": A4_TEXT_HEIGHT_PX})
    try:
        table = '<table id="wide"><tr><td>' + "a-long-fact-id-in-a-table-cell " * 30 + "</td></tr></table>"
        page.set_content(TINY.format(css=_css(), spacer=10, body=table))
        page.emulate_media(media="print")
        assert page.evaluate(OVERSIZE_JS, [A4_TEXT_WIDTH_PX, A4_TEXT_HEIGHT_PX]) == []  # the stylesheet wraps it
        page.add_style_tag(content="table#wide { min-width: 3000px !important; }")
        assert any("table#wide" in problem for problem in page.evaluate(OVERSIZE_JS, [A4_TEXT_WIDTH_PX, A4_TEXT_HEIGHT_PX]))
    finally:
        page.close()


def _sizes_of_tiny(browser, css: str) -> list[str]:
    page = browser.new_page()
    try:
        page.set_content(TINY.format(css=css, spacer=10, body=MESSAGE_BODY))
        runs = pdf_runs(page.pdf(format="A4"))
        page.emulate_media(media="print")
        kinds = page.evaluate(PRINTED_KINDS_JS)
        return undersized(runs, kinds["urls"], kinds["tables"], kinds["figures"])
    finally:
        page.close()


def test_planted_body_text_under_10_pt_fails_the_size_check(browser):
    assert _sizes_of_tiny(browser, _css()) == []
    small = _css() + "\n@media print { .bd-article p { font-size: 9pt !important; } }"
    problems = _sizes_of_tiny(browser, small)
    assert problems and all(": body text at 9.0 pt" in problem for problem in problems), problems


def test_planted_urls_under_8_pt_fail_the_size_check(browser):
    small = _css() + "\n@media print { .bd-article [data-print-href]::after { font-size: 7pt !important; } }"
    problems = _sizes_of_tiny(browser, small)
    assert problems and all(": URL at 7.0 pt" in problem for problem in problems), problems
    assert any("s.html#f-a" in problem for problem in problems) and any("k.html#km-a" in problem for problem in problems)


def _printed_without_the_link_script(browser, url: str) -> list[str]:
    page = browser.new_page()
    try:
        page.route("**/pcn-print.js*", lambda route: route.abort())
        page.goto(url, wait_until="networkidle")
        links, destinations = pdf_links(page.pdf(format="A4"))
    finally:
        page.close()
    return misdirected(links, destinations, _base_url())


def test_planted_a_page_printed_without_the_link_script_fails_the_link_check(browser, base_url):
    problems = _printed_without_the_link_script(browser, f"{base_url}/{KEY_MESSAGES}")
    served = [problem for problem in problems if f": {base_url}/" in problem]
    assert any("synthesis.html#f-" in problem for problem in served), problems  # an address printed beside it
    # and a reference's link back to a citation in the preface, which does not print, jumps nowhere
    assert any(problem.endswith("no such destination in the PDF") for problem in problems), problems
    # a link whose address is not printed (a glossary term): the landing page has them on paper
    problems = _printed_without_the_link_script(browser, f"{base_url}/intro.html")
    assert any(f": {base_url}/glossary.html#term-" in problem for problem in problems), problems


def test_planted_a_jump_to_a_missing_name_and_a_file_link_fail_the_link_check():
    links = [Link(0, "#id7"), Link(0, "#gone"), Link(1, "file:///book/chapters/synthesis.html#f-a"),
             Link(1, "https://example.org/book/chapters/synthesis.html#f-a"), Link(1, "https://doi.org/10.1/x"),
             Link(2, "http://localhost:8000/intro.html")]
    assert misdirected(links, {"id7"}, "https://example.org/book/") == [
        "page 1: #gone: no such destination in the PDF",
        "page 2: file:///book/chapters/synthesis.html#f-a: not the published book (https://example.org/book/)",
        "page 3: http://localhost:8000/intro.html: not the published book (https://example.org/book/)"]


def test_the_pdf_reader_is_pinned_with_the_browser_requirements():
    assert re.search(r"(?m)^pypdf==\d+\.\d+\.\d+$", (ROOT / "requirements-browser.txt").read_text())
