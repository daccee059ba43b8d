"""Every internal link and anchor in the built HTML resolves (offline; external links are checked nightly)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from pages import HTML


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            if values.get(key):
                self.ids.add(values[key])
        for key in ("href", "src"):
            if values.get(key) and not (tag == "link" and values.get("rel") in ("preconnect", "dns-prefetch")):
                self.links.append(values[key])


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def test_every_internal_link_and_anchor_resolves():
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built book at {HTML}: run `make book` first")
    # _static/ holds theme templates copied as-is (Jinja, not pages); links into it are still checked.
    pages = {p: _parse(p) for p in HTML.rglob("*.html") if "_static" not in p.relative_to(HTML).parts}
    broken = []
    for path, page in pages.items():
        for link in page.links:
            parsed = urlparse(link)
            if parsed.scheme or link.startswith(("//", "mailto:", "javascript:", "data:")):
                continue
            target = path if not parsed.path else (path.parent / unquote(parsed.path)).resolve()
            if not target.exists():
                broken.append(f"{path.relative_to(HTML)}: {link} (no such file)")
            elif parsed.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(parsed.fragment) not in ids:
                    broken.append(f"{path.relative_to(HTML)}: {link} (no anchor #{parsed.fragment})")
    assert not broken, "broken links:\n" + "\n".join(sorted(set(broken))[:40])


def test_the_downloads_are_published():
    downloads = HTML / "downloads"
    assert (downloads / "pcn-evidence-data.zip").is_file()
    assert (downloads / "data" / "datapackage.json").is_file()
    svgs, pngs = sorted((downloads / "figures").glob("*.svg")), sorted((downloads / "figures").glob("*.png"))
    assert [p.stem for p in svgs] == [p.stem for p in pngs], "every figure needs both SVG and PNG"
