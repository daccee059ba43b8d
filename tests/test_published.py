"""What the built site publishes, and why (_ext/pcn_publish.py, issue #24 item 6): no source maps, no icon
script no page loads, no full font where a subset is what the stylesheets name, and a reason for every file.

Each check is shown the fault it exists to catch on a tiny site; ``tests/browser/test_assets.py`` runs it on
the real build.
"""

from __future__ import annotations

import sys

import pytest
from helpers import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
import pcn_publish  # noqa: E402

WEBFONTS = "_static/vendor/fontawesome/webfonts"


def _site(root):
    """A built site as the theme leaves it once pcn_html has trimmed it: maps, the icon script, full fonts."""
    files = {
        "intro.html": '<html><script defer src="_static/scripts/bootstrap.js"></script></html>',
        "searchindex.js": "Search.setIndex({})",
        "_static/scripts/bootstrap.js": "var b=1;\n//# sourceMappingURL=bootstrap.js.map\n",
        "_static/scripts/bootstrap.js.map": "{}",
        "_static/scripts/bootstrap.js.LICENSE.txt": "MIT",
        "_static/scripts/fontawesome.js": "var fa=1;\n//# sourceMappingURL=fontawesome.js.map",
        "_static/scripts/fontawesome.js.map": "{}",
        "_static/scripts/fontawesome.js.LICENSE.txt": "licence",
        "_static/styles/theme.css": ".a{b:c}\n/*# sourceMappingURL=theme.css.map */",
        "_static/styles/theme.css.map": "{}",
        "_static/styles/icons.css": f'@font-face{{src:url("../../{WEBFONTS}/fa-solid-900.subset.woff") format("woff")}}',
        f"{WEBFONTS}/fa-solid-900.subset.woff": "subset",
        f"{WEBFONTS}/fa-solid-900.ttf": "full",
        f"{WEBFONTS}/fa-solid-900.woff2": "full",
        "downloads/data/sources.csv": "id\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_pruning_removes_what_no_page_loads_and_keeps_what_pages_name(tmp_path):
    site = _site(tmp_path)
    removed = pcn_publish.prune_site(site)
    assert sorted(removed) == [
        "_static/scripts/bootstrap.js.map", "_static/scripts/fontawesome.js", "_static/scripts/fontawesome.js.LICENSE.txt",
        "_static/scripts/fontawesome.js.map", "_static/styles/theme.css.map",
        f"{WEBFONTS}/fa-solid-900.ttf", f"{WEBFONTS}/fa-solid-900.woff2"]
    assert (site / WEBFONTS / "fa-solid-900.subset.woff").is_file(), "the font the stylesheet names stays"
    assert (site / "_static/scripts/bootstrap.js").read_text() == "var b=1;\n", "the map's name goes with the map"
    assert (site / "_static/styles/theme.css").read_text() == ".a{b:c}"
    assert pcn_publish.site_problems(site) == []
    assert pcn_publish.prune_site(site) == {}, "pruning a pruned site changes nothing"


def test_every_published_file_has_a_reason(tmp_path):
    site = _site(tmp_path)
    pcn_publish.prune_site(site)
    reasons = pcn_publish.published(site)
    assert reasons["downloads/data/sources.csv"].startswith("a download")
    assert reasons[f"{WEBFONTS}/fa-solid-900.subset.woff"].startswith("an icon font")
    assert all(reasons.values()), reasons


@pytest.mark.parametrize("name, text, found", [
    ("_static/scripts/bootstrap.js.map", "{}", "_static/scripts/bootstrap.js.map: no page loads it"),
    ("_static/scripts/fontawesome.js", "var fa;", "_static/scripts/fontawesome.js: no page loads it"),
    (f"{WEBFONTS}/fa-brands-400.ttf", "full", f"{WEBFONTS}/fa-brands-400.ttf: no page loads it"),
    ("_static/scripts/bootstrap.js", "//# sourceMappingURL=x.map", "bootstrap.js: names a source map"),
    ("notes.txt", "a file nobody explained", "notes.txt: published with no reason"),
])
def test_each_planted_fault_is_found(tmp_path, name, text, found):
    site = _site(tmp_path)
    pcn_publish.prune_site(site)
    (site / name).write_text(text)
    assert any(found in problem for problem in pcn_publish.site_problems(site)), pcn_publish.site_problems(site)


def test_a_site_over_the_limit_is_found(tmp_path):
    site = _site(tmp_path)
    pcn_publish.prune_site(site)
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    assert pcn_publish.site_problems(site, limit=10) == [f"the site is {size:,} bytes, over 10"]
