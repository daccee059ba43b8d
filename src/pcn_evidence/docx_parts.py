"""What python-docx can read but not add: hyperlinks, bookmarks, fields and borders; and the same bytes every time.

Small, general helpers for :mod:`pcn_evidence.word`. Every piece of text they add goes through
:func:`~pcn_evidence.prose.curly_quotes`, so a Word document says ’ and “ ” where the book's
HTML pages do; addresses (a link's target, a URL shown as its own text) are left as they are.

>>> from docx import Document
>>> paragraph = Document().add_paragraph()
>>> add_text(paragraph, "The study's 'vacuum'")
>>> add_link(paragraph, " (the book)", url="https://example.org/book/")
>>> add_field(paragraph, "PAGE")
>>> paragraph.text, [link.address for link in paragraph.hyperlinks], paragraph._p.xpath(".//w:instrText/text()")
('The study’s ‘vacuum’ (the book)', ['https://example.org/book/'], [' PAGE '])
"""

from __future__ import annotations

import io
import zipfile

from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph

from .downloads import write_zip
from .prose import curly_quotes

__all__ = ["add_text", "add_link", "add_bookmark", "add_field", "add_top_border", "deterministic_zip"]

# What may follow w:pBdr inside w:pPr (ECMA-376 CT_PPrBase order): a border goes before the first of these.
_AFTER_BORDER = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                 "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
                 "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                 "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                 "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def add_text(paragraph: Paragraph, text: str, bold: bool = False) -> None:
    """Append ``text`` to ``paragraph`` as one run, with typographic quotes; bold for a label."""
    paragraph.add_run(curly_quotes(text)).bold = bold or None


def add_link(paragraph: Paragraph, text: str, url: str | None = None, anchor: str | None = None) -> None:
    """Append ``text`` as a real hyperlink: to ``url`` (outside the document) or to the bookmark ``anchor``.

    A text that is the address itself is shown as typed; any other text gets typographic quotes.
    """
    link = OxmlElement("w:hyperlink")
    if url is not None:
        link.set(qn("r:id"), paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    elif anchor is not None:
        link.set(qn("w:anchor"), anchor)
    else:
        raise ValueError("a hyperlink needs a url or an anchor")
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    properties.append(style)
    run.append(properties)
    content = OxmlElement("w:t")
    content.text = text if text == url else curly_quotes(text)
    content.set(qn("xml:space"), "preserve")
    run.append(content)
    link.append(run)
    paragraph._p.append(link)


def add_bookmark(paragraph: Paragraph, name: str, number: int) -> None:
    """Mark the whole of ``paragraph`` as the bookmark ``name`` (``number``: its id, unique in the document)."""
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end.set(qn("w:id"), str(number))
    properties = paragraph._p.pPr
    paragraph._p.insert(1 if properties is not None else 0, start)
    paragraph._p.append(end)


def add_field(paragraph: Paragraph, instruction: str) -> None:
    """Append a field (``PAGE``, ``NUMPAGES``) that Word and LibreOffice compute when they lay out the page.

    No result is stored: a page number written at build time would be a number nobody computed.
    """
    for kind in ("begin", "instr", "end"):
        run = paragraph.add_run()._r
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run.append(element)


def add_top_border(properties: BaseOxmlElement, colour: str = "808080", space: int = 6) -> None:
    """A thin rule above the paragraph (or every paragraph of a style) whose ``w:pPr`` is ``properties``.

    Consecutive paragraphs with the same border share it, so a two-line footer gets one rule.
    """
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for name, value in (("val", "single"), ("sz", "4"), ("space", str(space)), ("color", colour)):
        top.set(qn(f"w:{name}"), value)
    borders.append(top)
    properties.insert_element_before(borders, *_AFTER_BORDER)


def deterministic_zip(content: bytes) -> bytes:
    """The same package with ``[Content_Types].xml`` first, then entries by name, all at a fixed time."""
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    order = sorted(entries, key=lambda name: (name != "[Content_Types].xml", name))
    out = io.BytesIO()
    write_zip(out, ((name, entries[name]) for name in order))
    return out.getvalue()
