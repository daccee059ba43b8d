"""Every page as a reader meets it: in a real browser, offline, on a desk and on a phone."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest
from pages import HTML, ROOT

from pcn_evidence.tools.digests import toc_notebooks


def _toc_pages() -> list[str]:
    pages = ["intro.html"] + [p.relative_to(ROOT).with_suffix(".html").as_posix() for p in toc_notebooks(ROOT)]
    return pages + ["search.html"]


PAGES = _toc_pages()
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


class PageVisit:
    """Load a page, recording console messages, every request and every failure."""

    def __init__(self, browser, url: str, viewport: dict, color_scheme: str = "light"):
        self.page = browser.new_page(viewport=viewport, color_scheme=color_scheme)
        self.console: list[str] = []
        self.requests: list[str] = []
        self.failures: list[str] = []
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failures.append(f"failed: {r.url}"))
        self.page.on("response", lambda r: r.status >= 400 and self.failures.append(f"HTTP {r.status}: {r.url}"))
        self.page.goto(url, wait_until="networkidle")

    def external_requests(self, allowed_origin: str) -> list[str]:
        return [u for u in self.requests if not (u.startswith(allowed_origin) or u.startswith(("data:", "blob:", "file:")))]

    def close(self) -> None:
        self.page.close()


def _slug(page: str) -> str:
    return page.replace("/", "__").removesuffix(".html")


def _axe_serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe
    violations = Axe().run(page).response["violations"]
    return [f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in violations if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("path", PAGES)
def test_page_is_clean_offline_and_accessible(browser, base_url, artifacts, path):
    visit = PageVisit(browser, f"{base_url}/{path}", DESKTOP)
    try:
        assert visit.console == [], f"console errors/warnings on {path}: {visit.console}"
        assert visit.failures == [], f"failed requests on {path}: {visit.failures}"
        assert visit.external_requests(base_url) == [], f"{path} contacted external hosts: {visit.external_requests(base_url)}"
        if path != "search.html":
            assert _axe_serious(visit.page) == [], f"axe on {path}"
        notebook = ROOT / Path(path).with_suffix(".ipynb")
        if notebook.exists():
            check_glue_and_figures(visit.page, notebook)
        visit.page.screenshot(path=str(artifacts / f"{_slug(path)}-desktop.png"), full_page=True)
    finally:
        visit.close()


@pytest.mark.parametrize("path", [p for p in PAGES if p != "search.html"])
def test_page_in_dark_mode_passes_axe(browser, base_url, path):
    # The theme's dark-mode toggle cannot be turned off, so contrast must hold there too.
    visit = PageVisit(browser, f"{base_url}/{path}", DESKTOP, color_scheme="dark")
    try:
        assert visit.page.evaluate("document.documentElement.dataset.theme") == "dark"
        assert _axe_serious(visit.page) == [], f"axe (dark mode) on {path}"
    finally:
        visit.close()


@pytest.mark.parametrize("path", [p for p in PAGES if p != "search.html"])
def test_page_fits_a_phone_without_horizontal_scrolling(browser, base_url, artifacts, path):
    visit = PageVisit(browser, f"{base_url}/{path}", PHONE)
    try:
        overflow = visit.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        visit.page.screenshot(path=str(artifacts / f"{_slug(path)}-phone.png"), full_page=True)
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at phone width"
    finally:
        visit.close()


def _glued_values(notebook_path: Path) -> set[str]:
    """The notebook's glued values as the page shows them (myst-nb literal-evaluates the stored repr)."""
    from myst_nb.core.variables import format_plain_text

    values = set()
    for cell in nbformat.read(notebook_path, as_version=4).cells:
        for output in cell.get("outputs", []):
            for mime, value in output.get("data", {}).items():
                if mime.startswith("application/papermill.record/") and mime.endswith("text/plain"):
                    values.add(format_plain_text(str(value), "").strip())
    return values


def _typography(text: str) -> str:
    for curly, straight in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2013", "-"), ("\u2014", "-")):
        text = text.replace(curly, straight)
    return text


def check_glue_and_figures(page, notebook: Path) -> None:
    """Every glue role in the prose is pasted, with a value the notebook glued; every figure has alt text."""
    markdown = "\n".join(c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "markdown")
    roles = re.findall(r"\{glue(?::text)?\}`([^`]+)`", markdown)
    pasted = page.eval_on_selector_all("span.pasted-text", "els => els.map(e => e.textContent.trim())")
    assert len(pasted) == len(roles), f"{notebook.name}: {len(roles)} glue roles in the prose, {len(pasted)} pasted on the page"
    assert all(pasted), f"{notebook.name}: an empty pasted value"
    # Sphinx's smartquotes curls ' and " in prose: compare modulo typography
    stored = {_typography(v) for v in _glued_values(notebook)}
    pasted = [_typography(v) for v in pasted]
    # values pasted with a format spec (e.g. {glue:text}`n:,d`) are numbers re-formatted by the role
    formatted = {i for i, role in enumerate(roles) if ":" in role.split("::")[-1]}
    strays = [v for i, v in enumerate(pasted) if i not in formatted and v not in stored]
    assert not strays, f"{notebook.name}: pasted values the notebook did not glue: {strays}"
    figures = page.eval_on_selector_all(
        "svg.pcn-svg", "els => els.map(e => [e.getAttribute('aria-label'), !!e.querySelector('title'), e.getBoundingClientRect().width])")
    for label, has_title, width in figures:
        assert label and has_title and width > 100, f"{notebook.name}: figure without alt text, or not drawn: {label!r}"
    images = page.eval_on_selector_all("img", "els => els.map(e => [e.getAttribute('src'), e.getAttribute('alt')])")
    assert all(alt is not None for _, alt in images), f"{notebook.name}: images without alt: {images}"


def test_search_finds_a_key_term(browser, base_url):
    visit = PageVisit(browser, f"{base_url}/search.html?q=commissioners", DESKTOP)
    try:
        visit.page.wait_for_selector("#search-results ul.search li", timeout=15000)
        hits = visit.page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.getAttribute('href'))")
        assert hits, "searching for 'commissioners' found nothing"
    finally:
        visit.close()


def test_the_book_opens_from_file_urls_without_network(browser):
    visit = PageVisit(browser, (HTML / "index.html").as_uri(), DESKTOP)
    try:
        assert visit.page.title(), "index.html did not load from file://"
        network = [u for u in visit.requests if urlparse(u).scheme in ("http", "https")]
        assert network == [], f"opening from file:// made network requests: {network}"
        assert visit.failures == [], visit.failures
    finally:
        visit.close()
