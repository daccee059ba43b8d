"""Every page as a reader meets it: in a real browser, offline, on a desk and on a phone."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

from conftest import HTML, ROOT

sys.path.insert(0, str(ROOT / "tools"))
from book import toc_notebooks  # noqa: E402


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
    values = set()
    for cell in nbformat.read(notebook_path, as_version=4).cells:
        for output in cell.get("outputs", []):
            for mime, value in output.get("data", {}).items():
                if mime.startswith("application/papermill.record/") and mime.endswith("text/plain"):
                    values.add(str(value).strip())
    return values


@pytest.mark.parametrize("notebook", toc_notebooks(ROOT), ids=lambda p: p.stem)
def test_glued_numbers_and_figures_are_on_the_page(browser, base_url, notebook):
    path = notebook.relative_to(ROOT).with_suffix(".html").as_posix()
    markdown = "\n".join(c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "markdown")
    glue_roles = len(re.findall(r"\{glue(?::text)?\}`[^`]+`", markdown))
    visit = PageVisit(browser, f"{base_url}/{path}", DESKTOP)
    try:
        pasted = visit.page.eval_on_selector_all("span.pasted-text", "els => els.map(e => e.textContent.trim())")
        assert len(pasted) == glue_roles, f"{path}: {glue_roles} glue roles in the prose, {len(pasted)} pasted values on the page"
        assert all(pasted), f"{path}: an empty pasted value"
        stored = _glued_values(notebook)
        unformatted = [v for v in pasted if v not in stored and not re.fullmatch(r"[\d.,%\s-]+", v)]
        assert not unformatted, f"{path}: pasted values not glued by the notebook: {unformatted}"
        figures = visit.page.eval_on_selector_all(
            "svg.pcn-svg", "els => els.map(e => [e.getAttribute('aria-label'), !!e.querySelector('title'), e.getBoundingClientRect().width])")
        for label, has_title, width in figures:
            assert label and has_title and width > 100, f"{path}: figure without alt text or not rendered: {label!r}"
        images = visit.page.eval_on_selector_all("img", "els => els.map(e => [e.getAttribute('src'), e.getAttribute('alt')])")
        assert all(alt is not None for _, alt in images), f"{path}: images without alt: {images}"
    finally:
        visit.close()


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
