"""Data text reaches a page as text, never as markup.

The key-messages page builds MyST from the coded evidence (summaries, limitations, outside
context). A cell is prose, not markup: :func:`as_text` backslash-escapes every ASCII
punctuation mark, CommonMark's own escape, so that ``<img onerror=…>``, a ``{download}`` role
or a ``:::`` directive in a cell is shown as the characters it is and never parsed. Only the
book's own code adds markup (emphasis, citations, cross-references), around escaped text.

>>> print(as_text("<img src=x> and {download}`x`"))
\\<img src\\=x\\> and \\{download\\}\\`x\\`
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from .briefing import BriefingMessage, Limitation, OutsideContext
from .dates import describe_date

__all__ = ["as_text", "key", "role_title", "message_markdown", "limitations_markdown"]

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation mark (CommonMark, "backslash escapes")
_KEY = re.compile(r"^[a-z0-9-]+$")


def as_text(text: str) -> str:
    """``text`` escaped so that MyST shows it as written; a line break becomes a space (a cell is one line)."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).splitlines()))


def key(value: str) -> str:
    """An id or citation key placed inside a role; refused unless it is lower-case letters, digits and hyphens."""
    if not _KEY.match(value):
        raise ValueError(f"not a plain key (a-z, 0-9, -): {value!r}")
    return value


def role_title(text: str) -> str:
    """Text shown inside a role (a cross-reference's title), where escapes are not read: refused if it holds a
    backtick, an angle bracket or a line break, the characters that would end the role or name another target."""
    if re.search(r"[`<>\n\r]", text):
        raise ValueError(f"cannot be a link's title: {text!r}")
    return text


def _cite(keys: Sequence[str]) -> str:
    return "{cite:p}`" + ",".join(f"km-{key(k)}" for k in keys) + "`"


def message_markdown(message: BriefingMessage, citation_keys: Mapping[str, str], history: str) -> str:
    """One key message as the page shows it: summary and its sources, other evidence, confidence per finding
    (by label, linked to the finding) and history, then, folded, what it means now with any outside context
    (the book's interpretation: a printed briefing carries the evidence; the Word briefing carries both).

    ``citation_keys`` maps source id and outside-context reference to BibTeX keys; every piece of
    data text is escaped with :func:`as_text`.
    """
    cites = _cite([citation_keys[s] for s in message.source_ids])
    levels = " · ".join(
        f"**{as_text(level)}** for {{ref}}`{role_title(label)} <{key(finding)}>`"
        for (label, level), (finding, _) in zip(message.rated, message.confidence)
    )
    meanings = "\n".join(f"- **{as_text(audience)}:** {as_text(text)}" for audience, text in message.meanings)
    context = "".join(
        f"\n\n*Outside context ({as_text(describe_date(c.date))}):* {as_text(c.short)} {_cite([c.reference])}"
        for c in message.context
    )
    other = f"\n\n*Other evidence:* {as_text(message.other_evidence)}" if message.other_evidence else ""
    return (
        f"{as_text(message.summary)} {cites}{other}\n\n*Confidence (GRADE-CERQual):* {levels}"
        f"[ · *History:* {as_text(history)}]{{.pcn-history}}\n\n"
        ":::{dropdown} What this means now (the book's interpretation)\n:class-container: pcn-meaning\n\n"
        f"{meanings}{context}\n:::\n"
    )


def limitations_markdown(limitations: Sequence[Limitation], outside: Sequence[OutsideContext]) -> str:
    """The limitations box (each with whose statement it is) and the outside-context box, data text escaped."""
    items = [
        f"- *{'As ' + as_text(item.stated_by) + ' state' if item.stated_by else 'The book'}:* {as_text(item.text)}"
        for item in limitations
    ]
    notes = [f"- *{as_text(describe_date(row.date))}:* {as_text(row.statement)} {_cite([row.reference])}" for row in outside]
    return (
        ":::{admonition} Limitations of the evidence\n:class: warning pcn-limitations\n\n" + "\n".join(items) + "\n:::\n\n"
        ":::{admonition} Outside context: what has changed since the evidence\n:class: note pcn-outside-context\n\n"
        "Not from the book's sources, and no finding or rating rests on it; the messages note it where their meaning "
        "relies on it.\n\n" + "\n".join(notes) + "\n:::"
    )
