"""What the built site publishes, and why (_ext/pcn_publish.py, issue #24 item 6): no source maps, no icon
script no page loads, no full font where a subset is what the stylesheets name, and a reason for every file.

Each check is shown the fault it exists to catch on a tiny site; ``tests/browser/test_assets.py`` runs it on
the real build.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

import pcn_publish  # noqa: E402
import pytest

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
        "_downloads/0f3c/note.txt": "a file a page offers with Sphinx's download role",
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


# --- downloads: only what a page links, and the data package (issue #23) --------------------------------------

def _site_with_downloads(root):
    site = _site(root)
    pcn_publish.prune_site(site)
    (site / "chapters").mkdir()
    (site / "chapters" / "x.html").write_text(
        '<a href="../downloads/figures/fig-new.svg" download>SVG</a> <a href="../downloads/figures/fig%20b.png">PNG</a>'
        ' <a href="../downloads/briefing.docx#top">Word</a>')
    files = ["downloads/figures/fig-new.svg", "downloads/figures/fig b.png", "downloads/briefing.docx",
             "downloads/figures/fig-old.svg", "downloads/figures/fig-old.png", "downloads/gone/report.docx",
             "downloads/data/schemas/sources.json", "downloads/pcn-evidence-data.zip"]
    for name in files:
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("x")
    return site


def test_a_download_no_page_links_is_found_and_pruned_and_the_data_package_stays(tmp_path):
    """#23: a renamed figure left its old file published, and `make dist` archived it."""
    site = _site_with_downloads(tmp_path)
    stale = ["downloads/figures/fig-old.png", "downloads/figures/fig-old.svg", "downloads/gone/report.docx"]
    assert [p for p in pcn_publish.site_problems(site) if "no page links" in p] == [
        f"{name}: a download no page links (stale, or saved by a chapter that does not offer it)" for name in stale]
    assert sorted(pcn_publish.prune_site(site)) == stale
    assert not (site / "downloads" / "gone").exists(), "a folder emptied by pruning goes too"
    for kept in ("downloads/figures/fig-new.svg", "downloads/figures/fig b.png", "downloads/briefing.docx",
                 "downloads/data/schemas/sources.json", "downloads/pcn-evidence-data.zip"):
        assert (site / kept).is_file(), kept
    assert pcn_publish.site_problems(site) == []


def test_a_link_to_another_site_or_from_the_root_is_resolved_as_a_browser_would(tmp_path):
    (tmp_path / "index.html").write_text('<a href="downloads/a.svg">a</a> <a href="https://example.org/downloads/b.svg">'
                                         '</a> <img src="./downloads/c.png"> <a href="mailto:x@example.org">m</a>')
    assert pcn_publish.linked_files(tmp_path) == {"downloads/a.svg", "downloads/c.png"}


def test_every_build_warns_of_what_it_still_publishes_without_a_reason(tmp_path, caplog):
    site = _site(tmp_path)
    (site / "notes.txt").write_text("a file no reason covers")
    built = SimpleNamespace(outdir=str(site), builder=SimpleNamespace(format="html"))
    with caplog.at_level(logging.WARNING):
        pcn_publish._prune(built, None)  # what Sphinx calls when the build finishes
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        "published: notes.txt: published with no reason (add one to pcn_publish.REASONS, or drop the file)"]
