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

from .bottom_line import INTERPRETATION, OUTSIDE_CONTEXT_NOTE, BottomLineItem
from .briefing import BriefingMessage, Limitation, OutsideContext
from .dates import describe_date

__all__ = ["as_text", "key", "role_title", "message_markdown", "limitations_markdown", "key_points_markdown",
           "interpretation_markdown", "brief_limitations_markdown"]

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation mark (CommonMark, "backslash escapes")
_KEY = re.compile(r"^[a-z0-9-]+$")


def as_text(text: str) -> str:
    """``text`` escaped so that MyST shows it as written; a line break becomes a space (a cell is one line).

    Leading and trailing whitespace goes: four leading spaces would make the cell a code block.
    """
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).splitlines()).strip())


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


def _cite(keys: Sequence[str], prefix: str = "km-") -> str:
    """A parenthetical citation of BibTeX ``keys``, each with the page's bibliography prefix."""
    return "{cite:p}`" + ",".join(f"{prefix}{key(k)}" for k in keys) + "`"


def message_markdown(message: BriefingMessage, citation_keys: Mapping[str, str], history: str = "") -> str:
    """One key message as the page shows it: summary and its sources, other evidence, the outside context it
    notes (labelled, dated, cited), and confidence per finding (by label, linked to the finding), with its
    history when something changed since the last release.

    What the messages mean now is not repeated under each one: the questions and why this matters
    now are drawn from them once (:mod:`pcn_evidence.bottom_line`). ``citation_keys`` maps source id
    to BibTeX key; every piece of data text is escaped with :func:`as_text`.
    """
    cites = _cite([citation_keys[s] for s in message.source_ids])
    levels = " · ".join(
        f"**{as_text(level)}** for {{ref}}`{role_title(label)} <{key(finding)}>`"
        for (label, level), (finding, _) in zip(message.rated, message.confidence)
    )
    other = f"\n\n*Other evidence:* {as_text(message.other_evidence)}" if message.other_evidence else ""
    if message.context:  # screen and Word only: paper keeps the briefing to three pages (pcn-print.css)
        other += f"\n\n:::{{container}} pcn-outside-context\n{_context_notes(message.context, 'km-').strip()}\n:::"
    changed = f"[ · *History:* {as_text(history)}]{{.pcn-history}}" if history else ""
    return f"{as_text(message.summary)} {cites}{other}\n\n*Confidence (GRADE-CERQual):* {levels}{changed}\n"


def _context_notes(notes: Sequence[OutsideContext], prefix: str) -> str:
    """Each outside-context fact an item relies on: labelled, dated and referenced."""
    return "".join(f" *Outside context ({as_text(describe_date(c.date))}):* {as_text(c.short)} "
                   f"{_cite([c.reference], prefix)}" for c in notes)


def key_points_markdown(points: Sequence[BottomLineItem]) -> str:
    """The bottom line as a list: each key point, then the messages it draws on, linked, with their confidence."""
    lines = []
    for point in points:
        label = "Key message" if len(point.messages) == 1 else "Key messages"
        drawn = "; ".join(f"{{ref}}`{role_title(m.headline)} <{key(m.id)}>`, confidence *{as_text(level)}*"
                          for m, level in zip(point.messages, point.confidence))
        lines.append(f"- {as_text(point.text)} *{label}:* {drawn}.")
    return "\n".join(lines) + "\n"


def interpretation_markdown(items: Sequence[BottomLineItem], prefix: str, numbered: bool = False) -> str:
    """Why this matters now, or the questions (``numbered``): labelled as the book's interpretation, each with
    the outside context it relies on. ``prefix`` is the page's bibliography key prefix (``intro-``)."""
    label = f"*{as_text(INTERPRETATION)}*\n\n"
    if not numbered:
        return label + "".join(f"{as_text(i.text)}{_context_notes(i.context, prefix)}\n" for i in items)
    return label + "".join(f"{n}. {as_text(i.text)}{_context_notes(i.context, prefix)}\n"
                           for n, i in enumerate(items, start=1))


def _whose(item: Limitation) -> str:
    return f"*{'As ' + as_text(item.stated_by) + ' state' if item.stated_by else 'The book'}:*"


def brief_limitations_markdown(limitations: Sequence[Limitation]) -> str:
    """The limitations marked ``in_brief``, as a list, each with whose statement it is."""
    return "\n".join(f"- {_whose(item)} {as_text(item.text)}" for item in limitations if item.in_brief) + "\n"


def limitations_markdown(limitations: Sequence[Limitation], outside: Sequence[OutsideContext]) -> str:
    """The main limitations (those ``in_brief``) in a box, the others folded beneath it, then the outside-context
    box; each limitation with whose statement it is, data text escaped.

    Paper carries the box and not the fold (a folded block never prints), so a printed briefing keeps
    the main limitations in brief; the Word briefing and the page carry them all.
    """
    others = [f"- {_whose(item)} {as_text(item.text)}" for item in limitations if not item.in_brief]
    notes = [f"- *{as_text(describe_date(row.date))}:* {as_text(row.statement)} {_cite([row.reference])}" for row in outside]
    more = (":::{dropdown} More limitations of the evidence\n:class-container: pcn-limitations-more\n\n"
            + "\n".join(others) + "\n:::\n\n") if others else ""
    return (
        ":::{admonition} Main limitations of the evidence\n:class: warning pcn-limitations\n\n"
        + brief_limitations_markdown(limitations) + ":::\n\n" + more
        + ":::{admonition} Outside context: what has changed since the evidence\n:class: note pcn-outside-context\n\n"
        + as_text(OUTSIDE_CONTEXT_NOTE) + "\n\n" + "\n".join(notes) + "\n:::"
    )
