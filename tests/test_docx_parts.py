"""The OOXML python-docx cannot add, read back with python-docx: links, bookmarks, fields, a ruled footer."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn
from helpers import field_codes

from pcn_evidence.docx_parts import add_bookmark, add_field, add_link, add_text, add_top_border


def _saved_and_read(document):
    buffer = io.BytesIO()
    document.save(buffer)
    return docx.Document(io.BytesIO(buffer.getvalue()))


def test_text_and_link_text_get_typographic_quotes_but_an_address_is_shown_as_typed():
    document = docx.Document()
    paragraph = document.add_paragraph()
    add_text(paragraph, "Label: ", bold=True)
    add_text(paragraph, 'the "study\'s" words ')
    add_link(paragraph, "https://example.org/a'b", url="https://example.org/a'b")
    add_link(paragraph, " the 'book'", url="https://example.org/")
    read = _saved_and_read(document).paragraphs[0]
    assert read.text == "Label: the “study’s” words https://example.org/a'b the ‘book’"
    assert [link.address for link in read.hyperlinks] == ["https://example.org/a'b", "https://example.org/"]
    assert read.runs[0].bold and not read.runs[1].bold


def test_an_internal_link_points_at_a_bookmark_around_its_paragraph():
    document = docx.Document()
    target = document.add_paragraph("A note", style="List Bullet")  # a paragraph with properties (its style)
    add_bookmark(target, "note_1", 1)
    add_link(document.add_paragraph("see "), "note 1", anchor="note_1")
    read = _saved_and_read(document)
    body = read.element.body
    assert body.xpath("//w:hyperlink/@w:anchor") == ["note_1"]
    start = read.paragraphs[0]._p.xpath("./w:bookmarkStart")[0]
    assert start.get(qn("w:name")) == "note_1"
    assert start.getprevious().tag == qn("w:pPr")  # after the paragraph's properties, before its text
    assert read.paragraphs[0]._p[-1].tag == qn("w:bookmarkEnd") and read.paragraphs[0].text == "A note"
    with pytest.raises(ValueError, match="url or an anchor"):
        add_link(document.add_paragraph(), "nowhere")


def test_page_fields_are_fields_with_no_number_typed():
    document = docx.Document()
    paragraph = document.sections[0].footer.paragraphs[0]
    add_text(paragraph, "Page ")
    add_field(paragraph, "PAGE")
    add_text(paragraph, " of ")
    add_field(paragraph, "NUMPAGES")
    footer = _saved_and_read(document).sections[0].footer.paragraphs[0]
    assert field_codes(footer) == ["PAGE", "NUMPAGES"]
    assert footer.text == "Page  of "  # Word and LibreOffice fill in the numbers as they lay out the pages
    kinds = footer._p.xpath("./w:r/w:fldChar/@w:fldCharType")
    assert kinds == ["begin", "end", "begin", "end"]


def test_a_top_border_goes_where_the_schema_puts_it():
    document = docx.Document()
    style = document.styles["Footer"]
    properties = style.element.get_or_add_pPr()
    style.paragraph_format.space_before = docx.shared.Pt(6)  # a w:spacing that must stay after the border
    add_top_border(properties)
    tags = [child.tag for child in properties]
    assert tags.index(qn("w:pBdr")) < tags.index(qn("w:spacing"))
    assert properties.xpath("./w:pBdr/w:top/@w:val") == ["single"]
