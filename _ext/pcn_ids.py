"""No page shows an internal id (issue #21): the build fails on one.

The data's keys (a finding's ``f-…``, a fact's ``tc-…``, a source's ``bjgp-2021``, …) are for the data and
for people who re-use it; a reader is shown titles, labels, quotes and locators. Once every page is
written, every key value of every table of ``data/`` (``pcn_evidence.ids.internal_ids``) is looked for in
what a reader sees of every page: its text, figures' text and alt text, titles and ARIA labels, but not
scripts, styles, link addresses or the folded source of code cells. Each id found is a warning, which the
strict build (``-W --keep-going``) makes an error, naming the page, the id, its table and the words around it.

``tests/test_visible_ids.py`` shows the check planted faults, and runs it on a built small book.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.util import logging

from pcn_evidence.datapackage import read_package
from pcn_evidence.ids import internal_ids, page_problems

logger = logging.getLogger(__name__)

SHOWN = 20  # ids listed one by one; the rest are counted, so one bad table does not flood the log


def _check(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    package, _ = read_package(Path(app.srcdir) / "data")  # the data were validated before any chapter ran
    problems = page_problems(Path(app.outdir), internal_ids(package))
    for problem in problems[:SHOWN]:
        logger.warning(problem, type="pcn", subtype="internal-id")
    if len(problems) > SHOWN:
        logger.warning(f"… and {len(problems) - SHOWN} more internal ids shown on the pages", type="pcn",
                       subtype="internal-id")


def setup(app: Any) -> dict[str, Any]:
    app.connect("build-finished", _check)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
