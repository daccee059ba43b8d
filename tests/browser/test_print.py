"""Printing: the key-messages page prints as a clean briefing of at most three A4 pages, and every page
prints without navigation, toggles or code, with its tables and figures whole.

Chromium prints each page to PDF (``page.pdf``, A4, the stylesheet's own margins) and pypdf reads the
text back, so the checks see what a reader's printer would. The planted-fault tests print tiny pages
with the real stylesheet and with one rule broken, to show that each check fails when it should.
"""

from __future__ import annotations

import io
import re
import sys
import unicodedata

import pytest
from pages import HTML, ROOT

KEY_MESSAGES = "chapters/key_messages.html"
MAX_BRIEFING_PAGES = 3
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


def print_page(browser, url: str, color_scheme: str = "light"):
    page = browser.new_page(color_scheme=color_scheme)
    page.goto(url, wait_until="networkidle")
    return page, page.pdf(format="A4")


def _pages() -> list[str]:
    """Every page of the book, in table-of-contents order (the search page has nothing to print)."""
    sys.path.insert(0, str(ROOT / "tools"))
    from book import toc_notebooks

    return ["intro.html"] + [p.relative_to(ROOT).with_suffix(".html").as_posix() for p in toc_notebooks(ROOT)]


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


@pytest.mark.xfail(strict=True, reason=(
    "Known failure, kept failing on purpose (issue #24, item 3): with the wider evidence the printed pack "
    "holds more limitations, the findings no message rests on and more references, and prints on 4 A4 pages "
    "at 8.5 pt (5 at the 10 pt the issue asks). Fitting three pages needs an editorial decision on what paper "
    "leaves out, not a smaller font; strict, so it fails loudly the day the pack fits again."))
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
def test_every_page_prints_without_navigation_and_with_whole_tables_and_figures(browser, base_url, path):
    page, pdf = print_page(browser, f"{base_url}/{path}")
    try:
        pages = pdf_pages(pdf)
        chrome = page.evaluate(CHROME_LINES_JS, [list(CHROME), "article.bd-article"])
        assert leaked(pages, chrome) == [], f"{path} prints navigation"
        assert leaked(pages, list(CONTROL_TEXT)) == [], f"{path} prints screen controls"
        page.set_viewport_size({"width": A4_TEXT_WIDTH_PX, "height": A4_TEXT_HEIGHT_PX})
        page.emulate_media(media="print")
        assert page.evaluate(OVERSIZE_JS, [A4_TEXT_WIDTH_PX, A4_TEXT_HEIGHT_PX]) == [], f"{path} does not fit the paper"
    finally:
        page.close()


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


def test_the_pdf_reader_is_pinned_with_the_browser_requirements():
    assert re.search(r"(?m)^pypdf==\d+\.\d+\.\d+$", (ROOT / "requirements-browser.txt").read_text())
