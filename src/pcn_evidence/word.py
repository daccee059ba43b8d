"""The key messages as a Word briefing pack (.docx): what a policy lead prints, pastes, sends and cites.

Built at build time from the same :class:`~pcn_evidence.briefing.BriefingMessage` list the
key-messages page shows, and the same three-minute layer the landing page shows
(:class:`~pcn_evidence.bottom_line.BottomLine`: the bottom line, why it matters now and the
questions for integrated care boards and PCN leaders, first, labelled as the book's
interpretation where it is), so they cannot disagree. The document is plain, accessible
Word: real heading styles, lists as lists, no tables for layout, title and language set,
every address a real hyperlink, quotes typographic as on the pages. It reads as a briefing
a team can send: each outside-context note once, in its own section, which the
interpretation points to; one "How to cite" section; a reference list giving each cited source in full
(:mod:`pcn_evidence.references`); page numbers in a footer ruled off from the text; and no
internal id anywhere in its text (a message's id is only inside its link's address).

It is deterministic: core properties are fixed from CITATION.cff (author, title, created
and modified on the release date) and the zip is rewritten with its entries in a fixed
order and fixed timestamps, so two builds of the same data give the same bytes.

During a build (``PCN_DOWNLOADS_DIR`` set, see :mod:`pcn_evidence.downloads`),
:func:`save_briefing` writes ``key-messages-briefing.docx`` into the downloads folder, as
figures are saved; outside a build it writes nothing and returns the same link, so the
page's stored output does not depend on where it ran.

>>> BriefingDownload()._repr_html_().count('href="../downloads/key-messages-briefing.docx"')
1
"""

from __future__ import annotations

import datetime as dt
import html
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from .bottom_line import (
    INTERPRETATION,
    OUTSIDE_CONTEXT_NOTE,
    POINTS_HEADING,
    QUESTIONS_HEADING,
    WHY_NOW_HEADING,
    BottomLine,
    BottomLineItem,
    context_notes,
)
from .briefing import BriefingMessage, EvidenceDates, Limitation, OutsideContext
from .citation import cited_item, plain_citation
from .dates import describe_date
from .docx_parts import add_bookmark, add_field, add_link, add_text, add_top_border, deterministic_zip
from .downloads import downloads_dir
from .prose import curly_quotes
from .references import Reference
from .release import Release

__all__ = ["BRIEFING_FILE", "MESSAGES_PAGE", "CONFIDENCE_PAGE", "OUTSIDE_CONTEXT_LABEL",
           "OUTSIDE_CONTEXT_HEADING", "HOW_TO_CITE_HEADING", "REFERENCES_HEADING", "SOURCES_HEADING",
           "CONTEXT_REFERENCES_HEADING", "note_bookmark", "key_point_text", "write_briefing", "save_briefing",
           "BriefingDownload"]

BRIEFING_FILE = "key-messages-briefing.docx"
MESSAGES_PAGE = "chapters/key_messages"  # Sphinx docname whose anchors are the messages' ids
CONFIDENCE_PAGE = "chapters/confidence"
OUTSIDE_CONTEXT_LABEL = "Outside context"
OUTSIDE_CONTEXT_HEADING = "Outside context: what has changed since the evidence"  # as the page's box is titled
HOW_TO_CITE_HEADING = "How to cite"
REFERENCES_HEADING = "References"
SOURCES_HEADING = "The book's sources"
OTHER_FINDINGS_HEADING = "Findings no message rests on"
CONTEXT_REFERENCES_HEADING = "Outside context (not among the book's sources)"
LANGUAGE = "en-GB"
SUBTITLE = "Key messages for briefings"  # what the document is, under the book's title and in every footer
# GRADE-CERQual's wording for each level (Lewin et al. 2018), as the book's confidence page gives it.
_LEVELS = (("high", "highly likely"), ("moderate", "likely"), ("low", "possible"), ("very low", "not clear"))
# Word 2010's copy of the styles: newer Word ignores it, and it would keep the template's language and no link style
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
_LINK_COLOUR = RGBColor(0x05, 0x63, 0xC1)  # Word's own hyperlink blue: 4.5:1 or better on white
_FOOTER_COLOUR = RGBColor(0x40, 0x40, 0x40)  # dark grey: set apart from the text, still 10:1 on white


def note_bookmark(number: int) -> str:
    """The bookmark of outside-context note ``number``, which the messages link to (a name, not a data id)."""
    return f"outside_context_note_{number}"


def _paragraph(doc: WordDocument, text: str = "", style: str | None = None) -> Paragraph:
    paragraph = doc.add_paragraph(style=style)
    if text:
        add_text(paragraph, text)
    return paragraph


def _labelled(doc: WordDocument, label: str, text: str, style: str | None = None) -> Paragraph:
    """A paragraph that starts with a bold label (``"Sources: "``) and goes on in plain text."""
    paragraph = doc.add_paragraph(style=style)
    add_text(paragraph, label, bold=True)
    if text:
        add_text(paragraph, text)
    return paragraph


def _heading(doc: WordDocument, text: str, level: int) -> Paragraph:
    return doc.add_heading(curly_quotes(text), level=level)


def _footer(section: Section, release: Release) -> None:
    """What a printed page is, its version and page number, and the book's address, below a rule setting it apart.

    The book's title is on the first page and in the core properties; the footer keeps to two short lines.
    """
    footer = section.footer
    add_text(footer.paragraphs[0], f"{SUBTITLE}. Version {release.version}{release.pending_note}.")
    pages = footer.add_paragraph(style="Footer")
    add_text(pages, "Page ")
    add_field(pages, "PAGE")
    add_text(pages, " of ")
    add_field(pages, "NUMPAGES")
    add_text(pages, " \u00b7 ")  # the middle dot the pages' footers separate their parts with
    add_link(pages, release.base_url, url=release.base_url)
    section.footer_distance = Mm(12)  # the footer sits well below the last line of text (bottom margin 25 mm)


def _set_up(doc: WordDocument, release: Release) -> None:
    """Language, page size, a hyperlink style, the footer and fixed core properties: nothing that varies between runs."""
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    defaults.find(qn("w:lang")).set(qn("w:val"), LANGUAGE)
    settings = doc.settings.element
    settings.find(qn("w:themeFontLang")).set(qn("w:val"), LANGUAGE)
    link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link.base_style = styles["Default Paragraph Font"]
    link.font.color.rgb, link.font.underline = _LINK_COLOUR, True
    footer = styles["Footer"]
    footer.font.size, footer.font.color.rgb = Pt(9), _FOOTER_COLOUR
    add_top_border(footer.element.get_or_add_pPr())
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)  # A4, as NHS documents are printed
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(25)
        _footer(section, release)  # a printed page still says which version it comes from
    styles["Normal"].font.size = Pt(11)
    released = dt.datetime.combine(release.released, dt.time())
    author = "; ".join(release.authors)
    core = doc.core_properties
    core.title, core.author, core.last_modified_by = release.title, author, author
    core.subject = SUBTITLE
    core.comments = curly_quotes(f"Generated from the book's data, version {release.version}.")
    core.created = core.modified = released
    core.revision, core.version, core.language = 1, release.version, LANGUAGE
    # drop the template's thumbnail (a picture of an empty page) and Word 2010's second copy of the styles
    for rels in (doc.part.package.rels, doc.part.rels):
        for rel_id, rel in list(rels.items()):
            if rel.reltype in (RELATIONSHIP_TYPE.THUMBNAIL, _STYLES_WITH_EFFECTS):
                del rels[rel_id]


def _front_matter(doc: WordDocument, release: Release, dates: EvidenceDates, layer: BottomLine,
                  limitations: Sequence[Limitation], note_numbers: Mapping[str, int]) -> None:
    _paragraph(doc, release.title, style="Title")
    _paragraph(doc, f"{SUBTITLE}. Version {release.version}, released "
               f"{describe_date(release.released.isoformat())}{release.pending_note}.", style="Subtitle")
    undated = (f" Of the {dates.sources} sources, {dates.undated_sources} are undated (no date in their text or their citation)."
               if dates.undated_sources else "")
    _labelled(doc, "Evidence dates: ", f"the study's interviews took place from {dates.fieldwork}; the latest source, "
              f"by the date its citation gives, is {dates.latest_source} ({dates.latest_source_label}).{undated} "
              "Nothing later is evidence here; what has changed since is marked as outside context.")
    add_link(_labelled(doc, "The book, with the evidence behind every number: ", ""), release.base_url,
             url=release.base_url)
    _three_minutes(doc, layer, note_numbers)
    _heading(doc, "How to read the confidence", level=1)
    _paragraph(doc, "Each message rests on one or more synthesised findings, and each finding carries its "
               "GRADE-CERQual confidence (a published method for rating confidence in findings from qualitative "
               "research): how likely it is that the finding is a reasonable representation of the "
               "phenomenon it describes; for a finding worded \u201cCCG staff reported\u2026\u201d, that is what "
               "staff reported, not what happened.")
    for level, meaning in _LEVELS:
        _labelled(doc, f"{level.capitalize()}: ", f"{meaning}.", style="List Bullet")
    paragraph = _paragraph(doc, "The confidence belongs to the findings. Why this matters now and the questions "
                           "are the book's interpretation and are not rated. How each rating was reached: ")
    add_link(paragraph, release.page_url(CONFIDENCE_PAGE), url=release.page_url(CONFIDENCE_PAGE))
    _heading(doc, "Main limitations", level=1)
    for limitation in limitations:
        whose = limitation.stated_by or "the book's own judgement"
        _paragraph(doc, f"{limitation.text} Whose statement: {whose}.", style="List Bullet")


def _outside_context(doc: WordDocument, notes: Sequence[OutsideContext], references: Mapping[str, Reference]) -> None:
    """Each outside-context note once, numbered and bookmarked, with its reference cited as the page cites it."""
    _heading(doc, OUTSIDE_CONTEXT_HEADING, level=1)
    _paragraph(doc, OUTSIDE_CONTEXT_NOTE)
    for number, note in enumerate(notes, start=1):
        paragraph = _labelled(doc, f"Note {number} ({describe_date(note.date)}): ",
                              f"{note.statement} ({references[note.reference].name})")
        add_bookmark(paragraph, note_bookmark(number), number)


def key_point_text(point: BottomLineItem) -> str:
    """A key point as the pack prints it: the point, then each message it draws on (quoted headline, confidence)."""
    label = "Key message" if len(point.messages) == 1 else "Key messages"
    drawn = "; ".join(f"\u201c{message.headline}\u201d, confidence {level}"
                      for message, level in zip(point.messages, point.confidence))
    return f"{point.text} {label}: {drawn}."


def _context_pointers(doc: WordDocument, paragraph: Paragraph, item: BottomLineItem | BriefingMessage,
                      note_numbers: Mapping[str, int]) -> None:
    """After an interpretation or a message, each outside-context fact it relies on: dated, linked to its one note."""
    for context in item.context:
        number = note_numbers[context.id]
        space = " " if paragraph.text else ""  # none at the start of a paragraph of its own
        add_text(paragraph, f"{space}{OUTSIDE_CONTEXT_LABEL} ({describe_date(context.date)}; not one of the book's "
                 "sources): see ", bold=False)
        add_link(paragraph, f"note {number}", anchor=note_bookmark(number))
        add_text(paragraph, f" in \u201c{OUTSIDE_CONTEXT_LABEL}\u201d.")


def _three_minutes(doc: WordDocument, layer: BottomLine, note_numbers: Mapping[str, int]) -> None:
    """The bottom line, why it matters now and the questions, as the landing page shows them."""
    _heading(doc, POINTS_HEADING, level=1)
    for point in layer.points:
        _paragraph(doc, key_point_text(point), style="List Bullet")
    _heading(doc, WHY_NOW_HEADING, level=1)
    _paragraph(doc, INTERPRETATION).runs[0].italic = True
    for item in layer.why_now:
        _context_pointers(doc, _paragraph(doc, item.text), item, note_numbers)
    _heading(doc, QUESTIONS_HEADING, level=1)
    _paragraph(doc, INTERPRETATION).runs[0].italic = True
    for item in layer.questions:
        _context_pointers(doc, _paragraph(doc, item.text, style="List Number"), item, note_numbers)


def _message(doc: WordDocument, message: BriefingMessage, sources: Mapping[str, Reference],
             note_numbers: Mapping[str, int]) -> None:
    _heading(doc, message.headline, level=2)
    _paragraph(doc, message.summary)
    if message.other_evidence:
        _labelled(doc, "Other evidence: ", message.other_evidence)
    if message.context:  # what has changed since, in a paragraph of its own
        _context_pointers(doc, doc.add_paragraph(), message, note_numbers)
    _labelled(doc, "Sources: ", "; ".join(sources[s].name for s in message.source_ids) + ".")
    _labelled(doc, "Confidence (GRADE-CERQual): ", "; ".join(f"{label}, {level}" for label, level in message.rated)
              + ".")


def _how_to_cite(doc: WordDocument, release: Release, messages: Sequence[BriefingMessage]) -> None:
    """One citation of the book at its version, and each message's address, linked from its headline."""
    _heading(doc, HOW_TO_CITE_HEADING, level=1)
    _paragraph(doc, "Cite this briefing as the book it comes from, at the version it was made from:")
    citation = plain_citation(release)
    add_link(_paragraph(doc, citation.removesuffix(release.base_url)), release.base_url, url=release.base_url)
    paragraph = _paragraph(doc, "To cite one key message, add its headline, in quotation marks, and its address. "
                           "Each headline below links to its message on the book's key messages page, ")
    add_link(paragraph, release.page_url(MESSAGES_PAGE), url=release.page_url(MESSAGES_PAGE))
    add_text(paragraph, ":")
    for message in messages:
        add_link(doc.add_paragraph(style="List Bullet"), message.headline,
                 url=cited_item(release, message.id, message.headline).url)


def _reference(doc: WordDocument, reference: Reference, label: bool) -> None:
    """One reference list entry, hanging: the name the text cites it by (for a source), its words, its link."""
    paragraph = _labelled(doc, f"{reference.name}: ", "") if label else doc.add_paragraph()
    add_text(paragraph, reference.text)
    if reference.url:
        add_text(paragraph, " ")
        add_link(paragraph, reference.url, url=reference.url)
    paragraph.paragraph_format.left_indent, paragraph.paragraph_format.first_line_indent = Mm(8), Mm(-8)


def _references(doc: WordDocument, cited: Sequence[Reference], context: Sequence[Reference]) -> None:
    """The reference list: every source the messages cite, then every outside-context document."""
    _heading(doc, REFERENCES_HEADING, level=1)
    _heading(doc, SOURCES_HEADING, level=2)
    for reference in cited:
        _reference(doc, reference, label=True)
    if context:
        _heading(doc, CONTEXT_REFERENCES_HEADING, level=2)
        for reference in context:
            _reference(doc, reference, label=False)


def write_briefing(path: Path | str, messages: Sequence[BriefingMessage], layer: BottomLine,
                   limitations: Sequence[Limitation], release: Release, evidence_dates: EvidenceDates,
                   sources: Mapping[str, Reference], references: Mapping[str, Reference],
                   other_findings: Sequence[str] = ()) -> Path:
    """Write the Word briefing to ``path``; the same arguments always give the same bytes.

    ``sources`` maps source id to its full reference, named by the label readers see
    (:func:`~pcn_evidence.references.source_references`); ``references`` maps each
    outside-context BibTeX key to its reference (:func:`~pcn_evidence.references.read_references`).
    ``layer`` is the three-minute layer drawn from the messages, which opens the pack. A message
    citing an unknown source, or an outside-context note with an unknown reference, raises
    ``KeyError`` naming it, before anything is written. ``other_findings`` are the findings no message rests on (title and
    confidence), listed after the messages so that a reader of the pack alone sees them.
    """
    notes = context_notes(layer, messages)
    unknown = sorted({f"source {s!r}" for m in messages for s in m.source_ids if s not in sources}
                     | {f"reference {c.reference!r} (outside context {c.id})" for c in notes
                        if c.reference not in references})
    if unknown:
        raise KeyError(f"the briefing cannot name {', '.join(unknown)}: not in sources.csv or references-context.bib")
    numbers = {note.id: number for number, note in enumerate(notes, start=1)}
    document = Document()
    _set_up(document, release)
    _front_matter(document, release, evidence_dates, layer, limitations, numbers)
    if notes:
        _outside_context(document, notes, references)
    _heading(document, "Key messages", level=1)
    for message in messages:
        _message(document, message, sources, numbers)
    if other_findings:
        _heading(document, OTHER_FINDINGS_HEADING, level=1)
        for finding in other_findings:
            _paragraph(document, finding, style="List Bullet")
    _how_to_cite(document, release, messages)
    # every source: the front matter counts them all and names the latest, so the list must hold them all
    _references(document, list(sources.values()),
                list(dict.fromkeys(references[note.reference] for note in notes)))
    buffer = io.BytesIO()
    document.save(buffer)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(deterministic_zip(buffer.getvalue()))
    return target


@dataclass(frozen=True)
class BriefingDownload:
    """The link a page shows to the Word briefing (relative to a page in chapters/)."""

    file: str = BRIEFING_FILE
    prefix: str = "../downloads"

    def _repr_html_(self) -> str:
        name = html.escape(self.file)
        return ('<div class="pcn-panel pcn-downloads"><p><strong>Word briefing</strong>: these key messages with '
                "their confidence, the bottom line and questions drawn from them, the main limitations and outside "
                "context, how to cite them and a full reference for each source, "
                f'<a href="{html.escape(self.prefix)}/{name}" download>{name}</a>.</p></div>')

    def __repr__(self) -> str:
        return f"Word briefing: {self.prefix}/{self.file}"


def save_briefing(messages: Sequence[BriefingMessage], layer: BottomLine, limitations: Sequence[Limitation],
                  release: Release, evidence_dates: EvidenceDates, sources: Mapping[str, Reference],
                  references: Mapping[str, Reference], other_findings: Sequence[str] = ()) -> BriefingDownload:
    """During a build, write the briefing into the downloads folder; always return the page's link to it."""
    target = downloads_dir()
    if target is not None:
        write_briefing(target / BRIEFING_FILE, messages, layer, limitations, release, evidence_dates, sources,
                       references, other_findings)
    return BriefingDownload()
