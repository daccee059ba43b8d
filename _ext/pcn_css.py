"""Stylesheets and icon fonts trimmed once the whole book is written (a Sphinx extension, after pcn_html).

The theme's stylesheet carries all of Bootstrap and a rule for each of Font
Awesome's 1,900 icons, and a phone must fetch and match it before it shows
anything. Once the book is written, the stylesheets the theme and the
extensions copied lose the rules that need a class or id no page and no
script names, ``@import`` chains are inlined, and the icon fonts (300 kB)
keep only the icons the remaining rules name (``trim_stylesheets``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sphinx.util import logging

logger = logging.getLogger(__name__)


OWN_STYLESHEETS = "pcn"  # the book's own stylesheets (_static/pcn*.css) are written for its pages: kept whole
# Class names that scripts build at run time instead of writing them out: Bootstrap's tooltips
# (the header buttons' hints) get `bs-tooltip-auto`.
RUNTIME_CLASS_PREFIXES = ("bs-",)
NESTING_AT_RULES = ("@media", "@supports", "@layer", "@container", "@document", "@-moz-document", "@scope")
_NAME = re.compile(r"-?[A-Za-z_][\w-]*")
_SELECTOR_NAME = re.compile(r"[.#](-?(?:[A-Za-z_]|\\.)(?:[\w-]|\\.)*)")
_ICON_FONT = re.compile(r"url\((?P<quote>['\"]?)(?P<path>[^'\")]*?/(?P<stem>fa-[\w-]+)\.woff2)(?P=quote)\)\s*format\(['\"]?woff2['\"]?\)"
                        r"(?:\s*,\s*url\([^)]*\.ttf['\"]?\)\s*format\(['\"]?truetype['\"]?\))?")
_CSS_TOKEN = re.compile(r"/\*.*?(?:\*/|\Z)|\"(?:[^\"\\\n]|\\.)*\"?|'(?:[^'\\\n]|\\.)*'?|[(){};]", re.S)
_IMPORT = re.compile(r"@import\s+(?:url\(\s*)?(['\"]?)(?P<path>[^'\"()\s;]+)\1\s*\)?(?P<media>[^;]*);")
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(?P<ref>[^'\"()]+)\1\s*\)")
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?")


def used_names(texts: Iterable[str]) -> set[str]:
    """Every word that could name a class or id in the given HTML and script texts (more than are used: safe).

    >>> sorted(used_names(['<i class="fa-solid fa-bars"></i>', 'el.classList.add("show")']))
    ['add', 'class', 'classList', 'el', 'fa-bars', 'fa-solid', 'i', 'show']
    """
    names: set[str] = set()
    for text in texts:
        names.update(_NAME.findall(text))
    return names


def css_blocks(css: str) -> list[tuple[str, str | None]]:
    """A stylesheet's top-level statements, in order: ``(prelude, block)``, or ``(statement, None)`` for one with no block.

    Strings, parentheses (``url(...)``) and comments are skipped over, so a brace or semicolon inside them
    splits nothing. Comments between statements are dropped, except licence comments (``/*! ... */``).

    >>> css_blocks('/* a */ @import "x.css"; a, .b { color: red } @media print { .c { x: "}" } }')
    [('@import "x.css";', None), ('a, .b', ' color: red '), ('@media print', ' .c { x: "}" } ')]
    """
    statements: list[tuple[str, str | None]] = []
    depth = parens = 0
    start = block_start = 0
    for token in _CSS_TOKEN.finditer(css):
        text, at = token.group(), token.start()
        if text.startswith("/*"):
            if depth == 0 and not css[start:at].strip():
                if text.startswith("/*!"):
                    statements.append((text, None))
                start = token.end()
        elif text[0] in "\"'":
            continue
        elif text == "(":
            parens += 1
        elif text == ")":
            parens = max(0, parens - 1)
        elif parens:
            continue
        elif text == "{":
            if depth == 0:
                block_start = at + 1
            depth += 1
        elif text == "}" and depth:
            depth -= 1
            if depth == 0:
                statements.append((css[start:block_start - 1].strip(), css[block_start:at]))
                start = at + 1
        elif text == ";" and depth == 0:
            statements.append((css[start:at + 1].strip(), None))
            start = at + 1
    return statements


def _split_selectors(prelude: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in prelude:
        depth += 1 if char in "([" else -1 if char in ")]" else 0
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def selector_may_match(selector: str, used: set[str]) -> bool:
    """False only when the selector needs a class or id that no page and no script names.

    What is inside ``:not()``, ``:is()``, ``:has()`` and the like, and inside attribute selectors,
    is not required, so such a selector is kept if the rest of it may match.

    >>> used = {"highlight", "fa-bars"}
    >>> [selector_may_match(s, used) for s in (".highlight pre", ".fa-github:before", "a:not(.x)", ".bs-tooltip-auto", "p")]
    [True, False, True, True, True]
    """
    outer = re.sub(r"\[[^\]]*\]", "", selector)
    while True:  # innermost functional pseudo-classes first, so nested ones go too
        stripped = re.sub(r":[\w-]+\([^()]*\)", "", outer)
        if stripped == outer:
            break
        outer = stripped
    for name in _SELECTOR_NAME.findall(outer):
        name = name.replace("\\", "")
        if name not in used and not name.startswith(RUNTIME_CLASS_PREFIXES):
            return False
    return True


def purge_css(css: str, used: set[str]) -> str:
    """``css`` without the rules whose every selector needs a class or id in no page or script.

    At-rules that hold rules (``@media``, ``@supports``, ...) are purged inside and dropped when empty;
    other at-rules (``@font-face``, ``@keyframes``, ...) are kept as they are.

    >>> purge_css(".a,.b{color:red}.c{x:y}@media print{.c{x:z}}@font-face{font-family:F}", {"a"})
    '.a{color:red}@font-face{font-family:F}'
    """
    out = []
    for prelude, block in css_blocks(css):
        if block is None:
            out.append(prelude)
        elif prelude.lower().startswith(NESTING_AT_RULES):
            inner = purge_css(block, used) if "{" in block else block
            if inner.strip():
                out.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@"):
            out.append(f"{prelude}{{{block}}}")
        else:
            kept = [selector for selector in _split_selectors(prelude) if selector_may_match(selector, used)]
            if kept:
                out.append(f"{','.join(kept)}{{{block}}}")
    return "".join(out)


def inline_imports(css: str, folder: Path) -> str:
    """``css`` with each ``@import`` of a local stylesheet replaced by its text, its ``url()``s rebased.

    The theme's ``theme.css`` only imports ``basic.css``: a phone learnt of the second file only once the
    first had arrived, one more round trip before anything was shown. Imports with a media list, or of
    another host, stay as they are.
    """

    def inline(match: re.Match) -> str:
        target = folder / match["path"]
        if "//" in match["path"] or match["media"].strip() or not target.is_file():
            return match[0]
        text = inline_imports(target.read_text(encoding="utf-8"), target.parent)
        return _CSS_URL.sub(lambda url: _rebased(url, target.parent, folder), text)

    return _IMPORT.sub(inline, css)


def _rebased(match: re.Match, source: Path, destination: Path) -> str:
    reference = match["ref"]
    if re.match(r"^(?:[a-z]+:|/|#)", reference, re.I):
        return match[0]
    return f'url("{os.path.relpath(source / reference, destination).replace(os.sep, "/")}")'


def icon_codepoints(css: str) -> set[int]:
    r"""The icon-font characters (Unicode private use areas) a stylesheet names, written out or escaped.

    >>> sorted(hex(c) for c in icon_codepoints('.fa-bars:before{content:"\\f0c9"} :root{--i:"\uf09b"} .x{content:"\\2014"}'))
    ['0xf09b', '0xf0c9']
    """
    found = {ord(char) for char in css}
    found |= {int(code, 16) for code in _CSS_ESCAPE.findall(css)}
    return {code for code in found if 0xE000 <= code <= 0xF8FF or code >= 0xF0000}


def subset_font(source: Path, destination: Path, codepoints: set[int]) -> None:
    """Write ``destination`` (WOFF) with only the glyphs for ``codepoints`` from the font ``source``.

    WOFF, not WOFF2: fontTools (already pinned, for matplotlib) writes WOFF2 only with brotli installed,
    a dependency this saves; for a few dozen icons the difference is a few hundred bytes.
    """
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    subset.save_font(font, str(destination), options)


def trim_stylesheets(outdir: Path) -> dict[str, tuple[int, int]]:
    """Purge the theme's and extensions' stylesheets in a built site, and subset the icon fonts they load.

    Returns each rewritten file's size before and after (bytes), for the build log and the tests.
    """
    static = outdir / "_static"
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(outdir.rglob("*"))
             if p.suffix in (".html", ".js") and p.is_file() and p.name != "fontawesome.js"]
    used = used_names(texts)
    sizes: dict[str, tuple[int, int]] = {}
    stylesheets = [p for p in sorted(static.rglob("*.css")) if not p.name.startswith(OWN_STYLESHEETS)]
    for sheet in stylesheets:
        before = sheet.read_text(encoding="utf-8")
        after = purge_css(inline_imports(before, sheet.parent), used)
        if after != before:
            sheet.write_text(after, encoding="utf-8")
            sizes[sheet.relative_to(outdir).as_posix()] = (len(before.encode()), len(after.encode()))
    codepoints: set[int] = set()
    for sheet in sorted(static.rglob("*.css")):
        codepoints |= icon_codepoints(sheet.read_text(encoding="utf-8"))
    for sheet in stylesheets:
        css = sheet.read_text(encoding="utf-8")

        def subset_url(match: re.Match, folder: Path = sheet.parent) -> str:
            # read from the TrueType copy beside the WOFF2: fontTools reads WOFF2 only with brotli too
            truetype = (folder / match["path"]).resolve().with_suffix(".ttf")
            if not truetype.is_file():
                return match[0]
            subset_path = truetype.with_name(f"{match['stem']}.subset.woff")
            if not subset_path.exists():
                subset_font(truetype, subset_path, codepoints)
                sizes[subset_path.relative_to(outdir).as_posix()] = (truetype.with_suffix(".woff2").stat().st_size,
                                                                     subset_path.stat().st_size)
            return f'url({match["path"].removesuffix(".woff2")}.subset.woff) format("woff")'

        rewritten = _ICON_FONT.sub(subset_url, css)
        if rewritten != css:
            sheet.write_text(rewritten, encoding="utf-8")
    return sizes


def _trim_stylesheets(app: Any, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        for name, (before, after) in trim_stylesheets(Path(app.outdir)).items():
            logger.info(f"trimmed {name}: {before:,} -> {after:,} bytes")


def setup(app: Any) -> dict[str, Any]:
    app.connect("build-finished", _trim_stylesheets)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
