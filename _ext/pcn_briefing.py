"""The landing page's three-minute layer, rendered from the data as the key-messages page renders its messages.

The landing page is plain MyST, not an executed chapter, so it cannot paste Markdown a
chapter computes (myst-nb pastes only text and HTML across pages). This directive fills that
gap with the same code the key-messages chapter and the Word briefing call: it builds the
messages (:func:`pcn_evidence.briefing.briefing_messages`) and the layer drawn from them
(:func:`pcn_evidence.bottom_line.bottom_line`) from the book's ``data/``, and renders one part
with :mod:`pcn_evidence.markup`, which escapes every piece of data text::

    ```{pcn-briefing} key-points
    ```

Parts: ``key-points`` (the bottom line, each point linked to its messages with their
confidence), ``why-now`` and ``questions`` (labelled as the book's interpretation, with any
outside context labelled, dated and cited with the page's bibliography prefix, ``:keyprefix:``),
and ``limitations`` (those marked ``in_brief``). The key-messages chapter reads every table
used here and checks the layer (``bottom_line_problems``); a change to any of them
re-executes that chapter, which makes the build re-read every page, this one included.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

from pcn_evidence import load_table
from pcn_evidence.bottom_line import BottomLine, book_messages, bottom_line
from pcn_evidence.briefing import Limitation, briefing_limitations
from pcn_evidence.facts import facts
from pcn_evidence.load import package_key
from pcn_evidence.markup import brief_limitations_markdown, interpretation_markdown, key_points_markdown

PARTS = ("key-points", "why-now", "questions", "limitations")


@lru_cache(maxsize=2)
def _layer(data: Path, fingerprint: tuple) -> tuple[BottomLine, list[Limitation]]:
    """The layer and the limitations, built once per build (the page shows four parts), again when the data change."""
    def table(name: str) -> Any:
        return load_table(name, data)  # every table from this book's own data folder

    return (bottom_line(table("bottom_line"), book_messages(table, facts(data)), table("outside_context")),
            briefing_limitations(table("limitations"), table("accounts")))


def part_markdown(part: str, data: Path, prefix: str) -> str:
    """The MyST for one part of the layer, from the data in ``data``."""
    line, limitations = _layer(*package_key(data))
    if part == "limitations":
        return brief_limitations_markdown(limitations)
    if part == "key-points":
        return key_points_markdown(line.points)
    return interpretation_markdown(line.why_now if part == "why-now" else line.questions, prefix,
                                   numbered=part == "questions")


class BriefingDirective(SphinxDirective):
    """``{pcn-briefing} <part>``: one part of the three-minute layer, rendered from the data."""

    required_arguments = 1
    has_content = False
    option_spec = {"keyprefix": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        part = self.arguments[0]
        if part not in PARTS:
            raise self.error(f"unknown part {part!r}: expected one of {', '.join(PARTS)}")
        data = Path(self.env.srcdir) / "data"
        text = part_markdown(part, data, self.options.get("keyprefix", ""))
        for name in ("bottom_line", "key_messages", "limitations", "outside_context", "cerqual"):
            self.env.note_dependency(str(data / f"{name}.csv"))
        container = nodes.container(classes=[f"pcn-briefing-{part}"])
        self.state.nested_parse(StringList(text.splitlines(), source=self.get_source_info()[0]),
                                self.content_offset, container)
        return [container]


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("pcn-briefing", BriefingDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
