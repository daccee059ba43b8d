"""What _ext/pcn_html.py and _ext/pcn_css.py trim from every page, checked in Chromium on the built book: nothing a page
asks for is missing (the favicon included), the icons still draw, and the parts of the theme that the
deferred scripts, purged stylesheets and subset icon fonts serve still work.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pages import HTML, ROOT
from test_build_assets import page_problems

from pcn_evidence.tools.digests import toc_notebooks

PAGES = ["intro.html"] + [p.relative_to(ROOT).with_suffix(".html").as_posix() for p in toc_notebooks(ROOT)] + \
    ["search.html"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ICON_FONT = "Font Awesome"


def _open(browser, url: str, viewport: dict):
    page = browser.new_page(viewport=viewport)
    missing: list[str] = []
    page.on("response", lambda r: r.status >= 400 and missing.append(f"HTTP {r.status}: {r.url}"))
    page.on("requestfailed", lambda r: missing.append(f"failed: {r.url}"))
    page.goto(url, wait_until="networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    return page, missing


def test_the_built_pages_are_described_and_load_only_what_they_use():
    if not (HTML / "intro.html").exists():
        pytest.fail(f"no built book at {HTML}: run `make book` first")
    assert page_problems(HTML) == []


def test_the_site_publishes_only_what_pages_load_with_a_reason_for_each_file():
    import pcn_publish

    if not (HTML / "intro.html").exists():
        pytest.fail(f"no built book at {HTML}: run `make book` first")
    assert pcn_publish.site_problems(HTML) == []  # no maps, icon script or full fonts; every file has a reason; < 9 MB


@pytest.mark.parametrize("path", PAGES)
def test_every_page_loads_everything_it_asks_for(browser, base_url, path):
    page, missing = _open(browser, f"{base_url}/{path}", DESKTOP)
    try:
        icon = page.eval_on_selector("link[rel~=icon]", "e => e.href")
        for url in (icon, f"{base_url}/favicon.ico"):
            response = page.request.get(url)
            assert response.status == 200 and response.headers["content-type"].startswith("image/"), url
        assert missing == [], f"{path}: {missing}"
    finally:
        page.close()


def test_the_root_redirect_finds_a_favicon(browser, base_url):
    # The redirect page names no icon, so Chromium asks for /favicon.ico: a 404 there was a console error.
    page, missing = _open(browser, f"{base_url}/", DESKTOP)
    try:
        assert page.url.endswith("/intro.html") and missing == []
    finally:
        page.close()


# Every character drawn from an icon font, on the elements a reader can see.
VISIBLE_ICONS = """() => {
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || el.closest("[hidden], .d-none")) continue;
    for (const pseudo of ["::before", "::after"]) {
      const style = getComputedStyle(el, pseudo);
      const text = style.content.replace(/^"|"$/g, "");
      if (!style.fontFamily.includes(ICON_FONT) || text.length !== 1 || style.display === "none") continue;
      if (getComputedStyle(el).visibility === "hidden") continue;
      found.push({cls: el.className.baseVal ?? el.className, code: text.codePointAt(0),
                  family: style.fontFamily, weight: style.fontWeight,
                  x: box.x, y: box.y, width: box.width, height: box.height});
    }
  }
  return found;
}""".replace("ICON_FONT", repr(ICON_FONT))


def _font_files() -> dict[tuple[str, str], Path]:
    """(family, weight) -> the font file the built stylesheets load for it."""
    files = {}
    for sheet in (HTML / "_static").rglob("*.css"):
        for face in re.findall(r"@font-face\s*\{([^}]*)\}", sheet.read_text(encoding="utf-8")):
            family = re.search(r"font-family:\s*([^;]+)", face)
            weight = re.search(r"font-weight:\s*(\d+)", face)
            url = re.search(r"url\(['\"]?([^'\")]+)", face)
            if family and url and ICON_FONT in family[1]:
                files[(family[1].replace("\\", "").strip("'\" "), weight[1] if weight else "400")] = \
                    (sheet.parent / url[1]).resolve()
    return files


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_visible_icons_are_drawn_from_fonts_that_hold_them(browser, base_url, artifacts, viewport):
    from fontTools.ttLib import TTFont
    from PIL import Image

    page, missing = _open(browser, f"{base_url}/chapters/key_messages.html", viewport)
    try:
        icons = page.evaluate(VISIBLE_ICONS)
        loaded = page.evaluate(
            "() => [...document.fonts].filter(f => f.status === 'loaded').map(f => [f.family, f.weight])")
        shot = artifacts / f"icons-{viewport['width']}.png"
        page.screenshot(path=str(shot))
    finally:
        page.close()
    assert missing == []
    # the navbar's and article header's buttons: menu, contents, repository, download, full screen,
    # colour mode, search; a page that showed fewer has lost icons
    assert len(icons) >= 5, f"only {len(icons)} icons visible: {icons}"
    files = _font_files()
    assert files, "no icon @font-face in the built stylesheets"
    cmaps = {key: set(TTFont(path).getBestCmap()) for key, path in files.items()}
    image = Image.open(shot).convert("L")
    for icon in icons:
        family = icon["family"].split(",")[0].strip("'\" ")
        key = (family, icon["weight"])
        assert key in cmaps, f"{icon['cls']}: no font file for {key} among {sorted(cmaps)}"
        assert icon["code"] in cmaps[key], f"{icon['cls']}: U+{icon['code']:04X} is not in {files[key].name}"
        assert [family, icon["weight"]] in [[f.strip("'\""), w] for f, w in loaded], f"{key} was not loaded"
        box = (int(icon["x"]), int(icon["y"]), int(icon["x"] + icon["width"]), int(icon["y"] + icon["height"]))
        if box[1] >= 0 and box[3] <= image.height:
            low, high = image.crop(box).getextrema()
            assert high - low > 60, f"{icon['cls']} draws no ink at {box}"


def test_the_deferred_scripts_still_drive_the_theme(browser, base_url):
    page, missing = _open(browser, f"{base_url}/chapters/how_to_cite.html", DESKTOP)
    try:
        # a closed code box shows nothing of its code; opened, it shows the code with a copy button
        details = page.locator("details.above-input").first
        code = details.locator("div.cell_input")
        assert code.bounding_box() is None
        details.locator("summary").click()
        assert code.bounding_box()["height"] > 0
        code.hover()
        assert details.locator("button.copybtn").count() == 1, "copybutton.js added no button"
        # colour mode switch
        before = page.evaluate("document.documentElement.dataset.theme")
        page.locator(".article-header-buttons .theme-switch-button, .theme-switch-button:visible").first.click()
        assert page.evaluate("document.documentElement.dataset.theme") != before
        # a header button's hint (Bootstrap tooltip) appears with its arrow styled
        page.locator(".article-header-buttons [data-bs-toggle='tooltip']:visible").first.hover()
        page.wait_for_selector(".tooltip.show", timeout=5000)
        assert page.eval_on_selector(".tooltip .tooltip-arrow", "e => getComputedStyle(e).position") == "absolute"
        # the search dialog opens from the keyboard, on a page that loads no search scripts
        page.mouse.move(0, 0)
        page.keyboard.press("Control+k")
        assert page.locator("#pst-search-dialog input[name=q]").is_visible()
        assert missing == []
    finally:
        page.close()
