"""Lighthouse on every page of the built book, served as GitHub Pages serves it (`make lighthouse`).

    python -m pcn_evidence.tools.lighthouse_audit                  # mobile preset, every page, fails under the targets
    python -m pcn_evidence.tools.lighthouse_audit --preset desktop
    python -m pcn_evidence.tools.lighthouse_audit --runs 3 chapters/synthesis.html   # median of three runs, one page

Lighthouse is the npm package pinned in src/pcn_evidence/tools/lighthouse/package.json, installed by
`make lighthouse` with `npm ci` into _build/lighthouse (outside the book's sources,
so Sphinx never reads node_modules and the throwaway copies of the book stay small).
It drives Debian's Chromium (CHROME_PATH, default /usr/bin/chromium) and never
downloads a browser. Pages are served by :mod:`pcn_evidence.tools.serve_pages` with gzip, as
Pages sends them, and audited one at a time: two Lighthouse runs on two cores
would slow each other's simulated phone CPU and lower both scores.

Prints a table (page x performance, accessibility, best practices, SEO) and
exits 1 if any page is under TARGETS. The JSON and HTML reports are written to
_build/lighthouse/reports/<preset>/ (gitignored with the rest of _build).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .paths import ROOT
from .serve_pages import HTML, serve

INSTALL = ROOT / "_build" / "lighthouse"  # where `make lighthouse` runs `npm ci`
LIGHTHOUSE = INSTALL / "node_modules" / "lighthouse" / "cli" / "index.js"
REPORTS = INSTALL / "reports"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
# Flags for a closed network, as in tests/browser/pages.py: without the background-networking ones
# Chromium keeps trying Google hosts, and the refused connections would be counted against the page.
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NODE_ASKED = (22, 19)  # lighthouse 13.5.0's package.json, "engines"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
HEADINGS = {"performance": "perf", "accessibility": "a11y", "best-practices": "BP", "seo": "SEO"}
TARGETS = {"performance": 90, "accessibility": 100, "best-practices": 100, "seo": 100}
# Not audited, with the reason:
SKIPPED = {
    "search.html": "Sphinx's search results page: it exists to load the whole search index, and has no content of its own",
    "genindex.html": "Sphinx's general index: empty in this book (no index entries); pages name it only in a <link rel=index>",
}


def book_pages(html: Path = HTML) -> list[str]:
    """Every HTML page of the built book (paths relative to ``html``), except SKIPPED and redirects.

    ``index.html`` is Jupyter Book's redirect to the landing page: its target is audited instead.
    """
    pages = []
    for path in sorted(html.rglob("*.html")):
        relative = path.relative_to(html).as_posix()
        if relative.split("/")[0].startswith("_") or relative in SKIPPED:
            continue
        if 'http-equiv="Refresh"' in path.read_text(encoding="utf-8", errors="replace")[:2000]:
            continue
        pages.append(relative)
    return pages


def run_lighthouse(url: str, output: Path, preset: str) -> dict[str, int]:
    """One Lighthouse run of ``url``; writes ``output``.report.json and .report.html; returns each category's score (0-100)."""
    command = ["node", str(LIGHTHOUSE), url, "--quiet", "--output=json", "--output=html",
               f"--output-path={output}", f"--only-categories={','.join(CATEGORIES)}",
               f"--chrome-flags={' '.join(CHROMIUM_FLAGS)}"]
    if preset == "desktop":
        command.append("--preset=desktop")
    result = subprocess.run(command, env=dict(os.environ, CHROME_PATH=CHROMIUM), capture_output=True, text=True,
                            timeout=300)
    report = output.with_name(output.name + ".report.json")
    if result.returncode != 0 or not report.exists():
        raise SystemExit(f"Lighthouse failed on {url} (exit {result.returncode}):\n{result.stderr[-3000:]}")
    return scores(json.loads(report.read_text(encoding="utf-8")), url)


def scores(report: dict, url: str = "") -> dict[str, int]:
    """Each category's score, 0-100, from a Lighthouse JSON report; stops if Lighthouse could not score one.

    >>> scores({"categories": {c: {"score": 0.905} for c in CATEGORIES}})["performance"]
    91
    """
    if report.get("runtimeError"):
        raise SystemExit(f"Lighthouse could not audit {url}: {report['runtimeError'].get('message')}")
    found = {}
    for category in CATEGORIES:
        score = report.get("categories", {}).get(category, {}).get("score")
        if score is None:
            raise SystemExit(f"Lighthouse gave no {category} score for {url}: see its report")
        found[category] = math.floor(score * 100 + 0.5)  # as Lighthouse rounds (JavaScript's Math.round)
    return found


def median_scores(runs: list[dict[str, int]]) -> dict[str, int]:
    """The median run by performance (Lighthouse's own advice for variable scores), with all its categories.

    >>> median_scores([{"performance": 80, "seo": 100}, {"performance": 95, "seo": 92}, {"performance": 90, "seo": 100}])
    {'performance': 90, 'seo': 100}
    """
    ordered = sorted(runs, key=lambda run: run["performance"])
    return ordered[(len(ordered) - 1) // 2]


def failures(results: dict[str, dict[str, int]], targets: dict[str, int] = TARGETS) -> list[str]:
    """Every page and category under its target, as lines a reader can act on.

    >>> failures({"intro.html": {"performance": 89, "seo": 100}}, {"performance": 90, "seo": 100})
    ['intro.html: performance 89 < 90']
    """
    return [f"{page}: {category} {score} < {targets[category]}"
            for page, found in results.items() for category, score in found.items()
            if category in targets and score < targets[category]]


def table(results: dict[str, dict[str, int]]) -> str:
    """The score table: one row per page, one column per category, a star after a score under its target.

    >>> print(table({"intro.html": {"performance": 97, "accessibility": 100, "best-practices": 100, "seo": 92}}))
    page        perf   a11y     BP    SEO
    intro.html    97    100    100     92*
    """
    width = max([len("page"), *map(len, results)])
    lines = [f"{'page':<{width}}" + "".join(f"{HEADINGS[c]:>6} " for c in CATEGORIES)]
    for page, found in results.items():
        lines.append(f"{page:<{width}}" + "".join(f"{found[c]:>6}" + ("*" if found[c] < TARGETS[c] else " ")
                                                  for c in CATEGORIES))
    return "\n".join(line.rstrip() for line in lines)


def _slug(page: str) -> str:
    return page.replace("/", "__").removesuffix(".html")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", help="pages relative to _build/html (default: every page)")
    parser.add_argument("--preset", choices=["mobile", "desktop"], default="mobile")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median by performance counts")
    parser.add_argument("--html", type=Path, default=HTML, help="the built book to audit (default: _build/html)")
    parser.add_argument("--reports", type=Path, default=REPORTS, help="where the reports go (default: %(default)s)")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.exists():
        raise SystemExit(f"Lighthouse is not installed at {INSTALL}: run `make lighthouse` (it runs npm ci there)")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROME_PATH)")
    html = args.html.resolve()
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    if node and int(node.lstrip("v").split(".")[0]) < NODE_ASKED[0]:
        # Lighthouse 13 declares Node >= 22.19; the machines here have Node 20, on which these audits run
        print(f"note: Lighthouse asks for Node >= {'.'.join(map(str, NODE_ASKED))}; running on Node {node}", flush=True)
    pages = args.pages or book_pages(html)
    reports = args.reports.resolve() / args.preset
    reports.mkdir(parents=True, exist_ok=True)
    server = serve(html)
    base = f"http://127.0.0.1:{server.server_port}"
    results: dict[str, dict[str, int]] = {}
    start = time.perf_counter()
    try:
        for page in pages:
            runs = [run_lighthouse(f"{base}/{page}", reports / (_slug(page) + (f"-{n}" if args.runs > 1 else "")), args.preset)
                    for n in range(1, args.runs + 1)]
            results[page] = median_scores(runs)
            print(f"  {page}: " + ", ".join(f"{HEADINGS[c]} {s}" for c, s in results[page].items()), flush=True)
    finally:
        server.shutdown()
    print(f"\nLighthouse {args.preset} ({args.runs} run(s) a page, {len(pages)} pages, "
          f"{time.perf_counter() - start:.0f} s; reports in {reports}):\n")
    print(table(results))
    missed = failures(results)
    if missed:
        print("\nUnder target (" + ", ".join(f"{HEADINGS[c]} {t}" for c, t in TARGETS.items()) + "):\n  "
              + "\n  ".join(missed), file=sys.stderr)
        return 1
    print("\nEvery page meets the targets: " + ", ".join(f"{HEADINGS[c]} >= {t}" for c, t in TARGETS.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
