"""The key messages as a Word briefing pack (.docx): what a policy lead prints, pastes and cites.

Built at build time from the same :class:`~pcn_evidence.briefing.BriefingMessage` list the
key-messages page shows, so the two cannot disagree. The document is plain, accessible
Word: real heading styles, lists as lists, no tables for layout, title and language set,
every address a real hyperlink. It is deterministic: core properties are fixed from
CITATION.cff (author, title, created and modified on the release date) and the zip is
rewritten with its entries in a fixed order and fixed timestamps, so two builds of the
same data give the same bytes.

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
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from .briefing import BriefingMessage, EvidenceDates, Limitation
from .citation import cited_item, plain_citation
from .dates import describe_date
from .downloads import _EPOCH, downloads_dir
from .inputs import book_root, check_file
from .release import Release

__all__ = ["BRIEFING_FILE", "MESSAGES_PAGE", "CONFIDENCE_PAGE", "INTERPRETATION_LABEL", "OUTSIDE_CONTEXT_LABEL",
           "Reference", "read_references", "write_briefing", "save_briefing", "BriefingDownload"]

BRIEFING_FILE = "key-messages-briefing.docx"
MESSAGES_PAGE = "chapters/key_messages"  # Sphinx docname whose anchors are the messages' ids
CONFIDENCE_PAGE = "chapters/confidence"
INTERPRETATION_LABEL = "What this means now (the book's interpretation, not a finding of the sources)"
OUTSIDE_CONTEXT_LABEL = "Outside context"
LANGUAGE = "en-GB"
# GRADE-CERQual's wording for each level (Lewin et al. 2018), as the book's confidence page gives it.
_LEVELS = (("high", "highly likely"), ("moderate", "likely"), ("low", "possible"), ("very low", "not clear"))
# Word 2010's copy of the styles: newer Word ignores it, and it would keep the template's language and no link style
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
_LINK_COLOUR = RGBColor(0x05, 0x63, 0xC1)  # Word's own hyperlink blue: 4.5:1 or better on white


@dataclass(frozen=True)
class Reference:
    """An outside-context reference in words, and its address."""

    text: str
    url: str | None = None


def read_references(path: Path | str | None = None) -> dict[str, Reference]:
    """The entries of a BibTeX file (default ``references-context.bib``) as readable references, by key.

    Within a chapter the file must be declared (``chapters/inputs.yml``), so a changed
    reference re-executes the chapter that writes the briefing.
    """
    from pybtex.database import parse_file
    from pybtex.richtext import Text

    source = Path(path) if path is not None else book_root() / "references-context.bib"
    check_file(source)

    def plain(latex: str) -> str:  # "{PCN}" and "{{NHS England}}" are BibTeX's case protection, not text
        return str(Text.from_latex(latex).render_as("text"))

    references = {}
    for key, entry in parse_file(str(source), bib_format="bibtex").entries.items():
        authors = "; ".join(plain(str(person)) for person in entry.persons.get("author", []))
        fields = {name: plain(value) for name, value in entry.fields.items() if name != "url"}
        parts = [f"{authors} ({fields.get('year', 'n.d.')})", fields.get("title", key)]
        if fields.get("howpublished") and fields["howpublished"] != authors:
            parts.append(fields["howpublished"])
        references[key] = Reference(". ".join(parts) + ".", entry.fields.get("url") or None)
    return references


def _citation(release: Release, message: BriefingMessage) -> tuple[str, str]:
    """The message's ready-to-paste citation (the same text as its Cite-this block on the page) and its URL.

    The citation ends with the URL; the briefing prints that part as a hyperlink.
    """
    item = cited_item(release, message.id, message.headline)
    return plain_citation(release, item).removesuffix(item.url).rstrip(), item.url


def _hyperlink(paragraph: Paragraph, text: str, url: str) -> None:
    """Append ``text`` to ``paragraph`` as a real hyperlink to ``url`` (python-docx can read links, not add them)."""
    rel_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    properties.append(style)
    run.append(properties)
    content = OxmlElement("w:t")
    content.text = text
    content.set(qn("xml:space"), "preserve")
    run.append(content)
    link.append(run)
    paragraph._p.append(link)


def _labelled(doc: WordDocument, label: str, text: str, style: str | None = None) -> Paragraph:
    """A paragraph that starts with a bold label (``"Sources: "``) and goes on in plain text."""
    paragraph = doc.add_paragraph(style=style)
    paragraph.add_run(label).bold = True
    paragraph.add_run(text)
    return paragraph


def _set_up(doc: WordDocument, release: Release) -> None:
    """Language, page size, a hyperlink style and fixed core properties: nothing that varies between runs."""
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    defaults.find(qn("w:lang")).set(qn("w:val"), LANGUAGE)
    settings = doc.settings.element
    settings.find(qn("w:themeFontLang")).set(qn("w:val"), LANGUAGE)
    link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link.base_style = styles["Default Paragraph Font"]
    link.font.color.rgb, link.font.underline = _LINK_COLOUR, True
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)  # A4, as NHS documents are printed
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Mm(25)
        # a printed page still says which version it comes from
        section.footer.paragraphs[0].text = f"{release.title}. Version {release.version}{release.pending_note}. " \
                                            f"{release.base_url}"
    styles["Normal"].font.size = Pt(11)
    released = dt.datetime.combine(release.released, dt.time())
    author = "; ".join(release.authors)
    core = doc.core_properties
    core.title, core.author, core.last_modified_by = release.title, author, author
    core.subject = "Key messages for briefings"
    core.comments = f"Generated from the book's data, version {release.version}."
    core.created = core.modified = released
    core.revision, core.version, core.language = 1, release.version, LANGUAGE
    # drop the template's thumbnail (a picture of an empty page) and Word 2010's second copy of the styles
    for rels in (doc.part.package.rels, doc.part.rels):
        for rel_id, rel in list(rels.items()):
            if rel.reltype in (RELATIONSHIP_TYPE.THUMBNAIL, _STYLES_WITH_EFFECTS):
                del rels[rel_id]


def _front_matter(doc: WordDocument, release: Release, dates: EvidenceDates, limitations: Sequence[Limitation]) -> None:
    doc.add_paragraph(release.title, style="Title")
    doc.add_paragraph(f"Key messages for briefings. Version {release.version}, released "
                      f"{describe_date(release.released.isoformat())}{release.pending_note}.", style="Subtitle")
    undated = (f" Of the {dates.sources} sources, {dates.undated_sources} give no date in their text."
               if dates.undated_sources else "")
    _labelled(doc, "Evidence dates: ", f"the study's interviews took place from {dates.fieldwork}; the latest dated "
              f"source is {dates.latest_source} ({dates.latest_source_label}).{undated} Nothing later is evidence "
              "here; what has changed since is marked as outside context.")
    _hyperlink(_labelled(doc, "The book, with the evidence behind every number: ", ""), release.base_url,
               release.base_url)
    doc.add_heading("How to read the confidence", level=1)
    doc.add_paragraph("Each message rests on one or more synthesised findings, and each finding carries its "
                      "GRADE-CERQual confidence: how likely it is that the finding is a reasonable representation of "
                      "the phenomenon it describes; for a finding worded \u201cCCG staff reported\u2026\u201d, that is "
                      "what staff reported, not what happened.")
    for level, meaning in _LEVELS:
        _labelled(doc, f"{level.capitalize()}: ", f"{meaning}.", style="List Bullet")
    paragraph = doc.add_paragraph("The confidence belongs to the findings. \u201cWhat this means now\u201d is the "
                                  "book's interpretation and is not rated. How each rating was reached: ")
    _hyperlink(paragraph, release.page_url(CONFIDENCE_PAGE), release.page_url(CONFIDENCE_PAGE))
    doc.add_heading("Main limitations", level=1)
    for limitation in limitations:
        whose = limitation.stated_by or "the book's own judgement"
        doc.add_paragraph(f"{limitation.text} Whose statement: {whose}.", style="List Bullet")


def _message(doc: WordDocument, message: BriefingMessage, release: Release, source_labels: Mapping[str, str],
             references: Mapping[str, Reference]) -> None:
    doc.add_heading(message.headline, level=2)
    doc.add_paragraph(message.summary)
    if message.other_evidence:
        _labelled(doc, "Other evidence: ", message.other_evidence)
    _labelled(doc, "Sources: ", "; ".join(source_labels[s] for s in message.source_ids) + ".")
    _labelled(doc, "Confidence (GRADE-CERQual): ", "; ".join(f"{label}, {level}" for label, level in message.rated)
              + ".")
    doc.add_heading(INTERPRETATION_LABEL, level=3)
    for audience, meaning in message.meanings:
        _labelled(doc, f"{audience}: ", meaning, style="List Bullet")
    for context in message.context:
        reference = references[context.reference]
        paragraph = _labelled(doc, f"{OUTSIDE_CONTEXT_LABEL} ({describe_date(context.date)}; not one of the book's "
                              "sources): ", f"{context.statement} Reference: {reference.text}")
        if reference.url:
            paragraph.add_run(" ")
            _hyperlink(paragraph, reference.url, reference.url)
    text, url = _citation(release, message)
    paragraph = _labelled(doc, "Cite as: ", text + " ")
    _hyperlink(paragraph, url, url)


def _deterministic_zip(content: bytes) -> bytes:
    """The same package with ``[Content_Types].xml`` first, then entries by name, all at a fixed time."""
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    order = sorted(entries, key=lambda name: (name != "[Content_Types].xml", name))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            bundle.writestr(info, entries[name])
    return out.getvalue()


def write_briefing(path: Path | str, messages: Sequence[BriefingMessage], limitations: Sequence[Limitation],
                   release: Release, evidence_dates: EvidenceDates, source_labels: Mapping[str, str],
                   references: Mapping[str, Reference]) -> Path:
    """Write the Word briefing to ``path``; the same arguments always give the same bytes.

    ``source_labels`` maps source id to the label readers see (``sources.csv``);
    ``references`` maps each outside-context BibTeX key to its reference
    (:func:`read_references`). A message citing an unknown source or reference raises
    ``KeyError`` naming it, before anything is written.
    """
    unknown = sorted({f"source {s!r}" for m in messages for s in m.source_ids if s not in source_labels}
                     | {f"reference {c.reference!r} (outside context {c.id})" for m in messages for c in m.context
                        if c.reference not in references})
    if unknown:
        raise KeyError(f"the briefing cannot name {', '.join(unknown)}: not in sources.csv or references-context.bib")
    document = Document()
    _set_up(document, release)
    _front_matter(document, release, evidence_dates, limitations)
    document.add_heading("Key messages", level=1)
    for message in messages:
        _message(document, message, release, source_labels, references)
    buffer = io.BytesIO()
    document.save(buffer)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(_deterministic_zip(buffer.getvalue()))
    return target


@dataclass(frozen=True)
class BriefingDownload:
    """The link a page shows to the Word briefing (relative to a page in chapters/)."""

    file: str = BRIEFING_FILE
    prefix: str = "../downloads"

    def _repr_html_(self) -> str:
        name = html.escape(self.file)
        return ('<div class="pcn-panel pcn-downloads"><p><strong>Word briefing</strong>: these key messages with '
                "their confidence, what they mean now, the main limitations and a ready citation for each, "
                f'<a href="{html.escape(self.prefix)}/{name}" download>{name}</a>.</p></div>')

    def __repr__(self) -> str:
        return f"Word briefing: {self.prefix}/{self.file}"


def save_briefing(messages: Sequence[BriefingMessage], limitations: Sequence[Limitation], release: Release,
                  evidence_dates: EvidenceDates, source_labels: Mapping[str, str],
                  references: Mapping[str, Reference]) -> BriefingDownload:
    """During a build, write the briefing into the downloads folder; always return the page's link to it."""
    target = downloads_dir()
    if target is not None:
        write_briefing(target / BRIEFING_FILE, messages, limitations, release, evidence_dates, source_labels,
                       references)
    return BriefingDownload()
