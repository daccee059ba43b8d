"""The theme's navigation works at every width (issue #24, items 1 and 2; the fixes are _ext/pcn_nav.py and
_static/pcn-nav.js): the menu buttons open the chapter list and the page's contents, the chapter list loads
at the top with the book's title in view, and there is one search box.

One check loads the pages without the book's script, to see the theme's own scrolling: it fails once
pydata-sphinx-theme stops scrolling needlessly, so that the script is removed then.
"""

from __future__ import annotations

import re

import pytest
from pages import HTML, ROOT

from pcn_evidence.tools.digests import toc_notebooks

PAGE = "chapters/key_messages.html"
PAGES = ["intro.html"] + [p.relative_to(ROOT).with_suffix(".html").as_posix() for p in toc_notebooks(ROOT)]
WIDTHS = (390, 820, 1280)  # a phone, a tablet, a desk: the widths the issue was found at
SIDEBAR_SHOWN = 992  # from this width the theme shows the chapter list beside the page (Bootstrap's lg)
HEIGHT = 900
SCRIPT = "pcn-nav.js"

# Whether a reader can see and click the first link of a navigation block: inside the window and on top.
IN_VIEW_JS = """(selector) => {
  const link = document.querySelector(selector);
  if (!link) return false;
  const r = link.getBoundingClientRect();
  if (r.width === 0 || r.right <= 0 || r.left >= innerWidth || r.bottom <= 0 || r.top >= innerHeight) return false;
  const hit = document.elementFromPoint(Math.max(r.left, 0) + Math.min(r.width, innerWidth) / 2, r.top + r.height / 2);
  return !!hit && (hit === link || link.contains(hit));
}"""
CHAPTER_LINK = "nav.bd-docs-nav a.reference"
CONTENTS_LINK = "#pst-page-toc-nav a"

# Where the sidebar stands: its scroll, and whether the current chapter's link is in view from the top.
SIDEBAR_JS = """() => {
  const sidebar = document.querySelector("div.bd-sidebar");
  const active = [...document.querySelectorAll(".bd-docs-nav .active")].pop();
  const s = sidebar.getBoundingClientRect(), a = active.getBoundingClientRect();
  return {scrollTop: sidebar.scrollTop, fitsAtTop: a.bottom - s.top + sidebar.scrollTop <= sidebar.clientHeight,
          activeInView: a.top >= s.top && a.bottom <= s.top + sidebar.clientHeight};
}"""


def _open(browser, base_url: str, width: int, path: str = PAGE, with_script: bool = True):
    page = browser.new_page(viewport={"width": width, "height": HEIGHT})
    if not with_script:  # the theme as it ships: the book's script answers empty
        served = []
        page.route(re.compile(rf"/_static/{re.escape(SCRIPT)}(\?|$)"),
                   lambda route: served.append(route.request.url) or route.fulfill(body="", content_type="text/javascript"))
    page.goto(f"{base_url}/{path}", wait_until="networkidle")
    if not with_script:
        assert served, f"{path} did not ask for {SCRIPT}"
    return page


def _click(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_timeout(400)  # the theme's sidebar slides in


@pytest.mark.parametrize("width", WIDTHS)
def test_the_menu_button_opens_the_chapter_list(browser, base_url, width):
    page = _open(browser, base_url, width)
    try:
        shown = page.evaluate(IN_VIEW_JS, CHAPTER_LINK)
        assert shown == (width >= SIDEBAR_SHOWN), f"at {width}px the chapter list starts {'shown' if shown else 'hidden'}"
        _click(page, "Toggle primary sidebar")
        if width >= SIDEBAR_SHOWN:  # beside the page it folds away, and the button brings it back
            assert not page.evaluate(IN_VIEW_JS, CHAPTER_LINK), f"at {width}px the button did not fold the chapter list"
            _click(page, "Toggle primary sidebar")
        assert page.evaluate(IN_VIEW_JS, CHAPTER_LINK), f"at {width}px the menu button leaves the chapter list closed"
    finally:
        page.close()


@pytest.mark.parametrize("width", [w for w in WIDTHS if w < 1200])  # wider, the contents stand beside the page
def test_the_contents_button_opens_the_pages_contents(browser, base_url, width):
    page = _open(browser, base_url, width)
    try:
        assert not page.evaluate(IN_VIEW_JS, CONTENTS_LINK)
        _click(page, "Toggle secondary sidebar")
        assert page.evaluate(IN_VIEW_JS, CONTENTS_LINK), f"at {width}px the contents button leaves the contents closed"
    finally:
        page.close()


def test_each_page_has_one_toggle_of_each_kind_which_the_theme_binds(base_url):  # base_url: skips if unbuilt
    # pydata-sphinx-theme binds only the first .primary-toggle and .secondary-toggle (#2451): a second one, in a
    # header written ahead of the article's buttons, left these doing nothing (_ext/pcn_nav.py)
    for path in PAGES:
        text = (HTML / path).read_text(encoding="utf-8")
        counts = [len(re.findall(rf'<button[^>]*class="[^"]*\b{kind}-toggle\b', text)) for kind in ("primary", "secondary")]
        assert counts == [1, 1], f"{path}: {counts[0]} primary and {counts[1]} secondary toggles"


@pytest.mark.parametrize("width", [1000, 1280, 1439, 1440, 1600])
def test_one_search_box_and_the_books_title_in_view(browser, base_url, width):
    page = _open(browser, base_url, width)
    try:
        boxes = page.locator(".search-button__button:visible, .bd-search:visible").count()
        assert boxes == 1, f"at {width}px there are {boxes} search boxes"
        assert page.evaluate(IN_VIEW_JS, ".bd-sidebar-primary .navbar-brand"), f"at {width}px the book's title is hidden"
    finally:
        page.close()


@pytest.mark.parametrize("width", [1000, 1280])
def test_the_chapter_list_loads_at_the_top_wherever_the_current_chapter_shows_from_there(browser, base_url, width):
    wrong = []
    for path in PAGES:
        page = _open(browser, base_url, width, path)
        try:
            sidebar = page.evaluate(SIDEBAR_JS)
        finally:
            page.close()
        if not sidebar["activeInView"] or (sidebar["fitsAtTop"] and sidebar["scrollTop"] != 0):
            wrong.append(f"{path}: {sidebar}")
    assert wrong == [], f"at {width}px"


def test_the_theme_alone_still_scrolls_the_chapter_list_needlessly(browser, base_url):
    # When this fails, the theme leaves the chapter list at the top by itself: delete part 2 of
    # _static/pcn-nav.js and this test.
    scrolled = []
    for path in PAGES:
        page = _open(browser, base_url, 1000, path, with_script=False)
        try:
            sidebar = page.evaluate(SIDEBAR_JS)
        finally:
            page.close()
        if sidebar["fitsAtTop"] and sidebar["scrollTop"] > 0:
            scrolled.append(path)
    assert scrolled, "the theme no longer scrolls the chapter list: remove the scroll fix in _static/pcn-nav.js"
