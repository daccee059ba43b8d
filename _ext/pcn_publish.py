"""Publish only what pages load (issue #24, item 6).

The theme ships files no page of this book asks for: about 3.5 MB of source maps (for debugging the
theme's own minified code), the Font Awesome script (1.5 MB; ``_ext/pcn_html.py`` drops its tag, because
the icon fonts draw the same icons), and the full icon fonts, TrueType and WOFF2 (1 MB), which
``pcn_css.trim_stylesheets`` replaces with subsets holding only the icons the pages use. Once the book is
written (and after that trimming, which reads the TrueType fonts), ``prune_site`` removes them and the
``sourceMappingURL`` comments that named the maps, so that a reader's developer tools ask for nothing
missing. The site went from 14.3 MB to under 9 MB; a reader on a phone or a metered link, and anyone who
copies the folder to read offline, carries only what is read.

It also removes every download no page links (issue #23): figures are saved when their chapter executes,
into a folder that outlives the build (``_build/extra/downloads``), so a renamed figure's old file, or the
figures of a chapter that left the book, would otherwise be published for ever. The data package
(``downloads/data/`` and its zip) is published whole, as ``data/datapackage.json`` declares it, linked or not.

``published`` says why each remaining file is published, and ``site_problems`` warns, at the end of every
build, of what is published that should not be (the strict build fails on it); ``tests/test_site_assets.py``
shows them the faults they exist to catch, and ``tests/browser/test_assets.py`` runs them on the real build.
"""

from __future__ import annotations

import html
import posixpath
import re
from fnmatch import fnmatch
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sphinx.util import logging

logger = logging.getLogger(__name__)

MAX_SITE_BYTES = 9_000_000
ICON_SCRIPT = "_static/scripts/fontawesome.js"  # with its licence file and map: no page loads it
FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2", ".eot")
_SOURCE_MAP_COMMENT = re.compile(r"\n?(?://[#@] sourceMappingURL=[^\n]*|/\*[#@] sourceMappingURL=[^*]*\*/)[ \t]*(?=\n|$)")
_FONT_URL = re.compile(r"url\(\s*['\"]?([^'\")?#]+)")
_LINK = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"'#?]*)""")
# published whole, as data/datapackage.json declares it, whether or not a page links each file
DATA_PACKAGE = ("downloads/data/*", "downloads/pcn-evidence-data.zip")

# Why each published file is published: the first pattern (fnmatch, on the path from the site's root) that
# matches it gives the reason. A file no pattern matches is a fault: say why it is published, or drop it.
REASONS: tuple[tuple[str, str], ...] = (
    ("*.html", "a page of the book (or the theme's index and redirect pages)"),
    ("searchindex.js", "the search page's index"),
    ("objects.inv", "the inventory other Sphinx books use to link to this one's pages (intersphinx)"),
    ("favicon.ico", "browsers ask for /favicon.ico where a page names no icon"),
    (".buildinfo", "Sphinx's record of the configuration, for incremental builds"),
    ("downloads/*", "a download a page offers (data, figures, the Word briefing, the citation)"),
    ("_downloads/*", "a file a page offers with Sphinx's download role (copied only when a page links it)"),
    ("_sources/*", "the chapters' notebooks, linked from each chapter's download button"),
    ("_static/*.css", "a stylesheet the pages load"),
    ("_static/*.js", "a script the pages (or the search page) load"),
    ("_static/*.LICENSE.txt", "the licence of a script the pages load"),
    ("_static/*.subset.woff", "an icon font, cut to the icons the pages show"),
    ("_static/*.svg", "an image a page or stylesheet names (favicon, copy button)"),
    ("_static/*.png", "an image a page or stylesheet names"),
    ("_static/favicon.ico", "the favicon the pages name"),
    ("_static/*.html", "the theme's template macros, copied with its static files (a few kB)"),
    ("_static/locales/*", "the theme's translations, copied with its static files (a few kB)"),
)


def linked_files(outdir: Path) -> set[str]:
    """Every file of the site that a page links or loads (paths from the site's root), as the pages name them."""
    linked: set[str] = set()
    for page in outdir.rglob("*.html"):
        folder = posixpath.dirname(page.relative_to(outdir).as_posix())
        for target in _LINK.findall(page.read_text(encoding="utf-8", errors="replace")):
            target = unquote(html.unescape(target))
            if target and not target.startswith("/") and ":" not in target.split("/")[0]:  # not another site's
                linked.add(posixpath.normpath(posixpath.join(folder, target)))
    return linked


def unlinked_downloads(outdir: Path) -> list[str]:
    """Every download (under ``downloads/``, outside the data package) that no page of the site links."""
    downloads = outdir / "downloads"
    if not downloads.is_dir():
        return []
    linked = linked_files(outdir)
    names = (p.relative_to(outdir).as_posix() for p in downloads.rglob("*") if p.is_file())
    return sorted(name for name in names if name not in linked and not any(fnmatch(name, d) for d in DATA_PACKAGE))


def prune_site(outdir: Path) -> dict[str, int]:
    """Remove source maps, the unused icon script, every font no stylesheet names and every download no page
    links; returns what went (bytes)."""
    static = outdir / "_static"
    removed: dict[str, int] = {}
    doomed = [outdir / name for name in unlinked_downloads(outdir)]
    doomed += [p for p in static.rglob("*.map")]
    doomed += [p for p in static.glob("scripts/*") if p.name.startswith(Path(ICON_SCRIPT).name)]
    named = set()
    for sheet in static.rglob("*.css"):
        named |= {(sheet.parent / url).resolve() for url in _FONT_URL.findall(sheet.read_text(encoding="utf-8"))}
    doomed += [p for p in static.rglob("*") if p.suffix in FONT_SUFFIXES and p.resolve() not in named]
    for path in sorted(set(doomed)):
        removed[path.relative_to(outdir).as_posix()] = path.stat().st_size
        path.unlink()
    for folder in sorted((p for p in (outdir / "downloads").rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()  # a folder whose downloads all went
    for path in [*static.rglob("*.js"), *static.rglob("*.css")]:
        text = path.read_text(encoding="utf-8")
        cleaned = _SOURCE_MAP_COMMENT.sub("", text)
        if cleaned != text:
            path.write_text(cleaned, encoding="utf-8")
    return removed


def published(outdir: Path) -> dict[str, str]:
    """Every file of a built site with the reason it is published; '' where no reason applies (a fault)."""
    files = sorted(p.relative_to(outdir).as_posix() for p in outdir.rglob("*") if p.is_file())
    return {name: next((why for pattern, why in REASONS if fnmatch(name, pattern)), "") for name in files}


def site_problems(outdir: Path, limit: int = MAX_SITE_BYTES) -> list[str]:
    """What a built site publishes that it should not, one line per fault."""
    problems = [f"{name}: published with no reason (add one to pcn_publish.REASONS, or drop the file)"
                for name, why in published(outdir).items() if not why]
    for path in outdir.rglob("*"):
        name = path.relative_to(outdir).as_posix()
        if path.suffix == ".map" or fnmatch(name, f"{ICON_SCRIPT}*") or \
                (path.suffix in FONT_SUFFIXES and not path.name.endswith(".subset.woff")):
            problems.append(f"{name}: no page loads it")
        elif path.suffix in (".js", ".css") and "sourceMappingURL=" in path.read_text(encoding="utf-8", errors="replace"):
            problems.append(f"{name}: names a source map that is not published")
    problems += [f"{name}: a download no page links (stale, or saved by a chapter that does not offer it)"
                 for name in unlinked_downloads(outdir)]
    size = sum(p.stat().st_size for p in outdir.rglob("*") if p.is_file())
    if size > limit:
        problems.append(f"the site is {size:,} bytes, over {limit:,}")
    return sorted(problems)


def _prune(app: Any, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        removed = prune_site(Path(app.outdir))
        if removed:
            logger.info(f"not published: {len(removed)} files no page loads, {sum(removed.values()):,} bytes")
        for problem in site_problems(Path(app.outdir)):  # what is left: a warning, so the strict build fails on it
            logger.warning(f"published: {problem}")


def setup(app: Any) -> dict[str, Any]:
    app.connect("build-finished", _prune, priority=900)  # after pcn_html trims the stylesheets (default 500)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
