"""The Word briefing pack, read back with python-docx: every message, as the data say, the same bytes twice.

The read-back check (:func:`briefing_problems`) compares a written .docx with the data it
should hold, and with what a policy team needs to send it on: each outside-context note once,
one "How to cite" section, a full reference for every source it cites, a footer with page
numbers set apart from the text, no internal id and no straight quote in its text. The
planted-fault tests write a pack from altered data, or alter a written pack, and show the
check names what is wrong. LibreOffice, where installed, lays it out as a reader's copy would be.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import os
import re
import shutil
import subprocess
import time
import weakref
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.text.paragraph import Paragraph
from helpers import IN_CI, field_codes

from pcn_evidence import load_table, table_names, word
from pcn_evidence.bottom_line import (
    INTERPRETATION,
    POINTS_HEADING,
    QUESTIONS_HEADING,
    WHY_NOW_HEADING,
    BottomLine,
    BottomLineItem,
    book_messages,
    bottom_line,
    context_notes,
)
from pcn_evidence.briefing import (
    BriefingMessage,
    EvidenceDates,
    Limitation,
    OutsideContext,
    briefing_limitations,
    evidence_dates,
)
from pcn_evidence.citation import cited_item, plain_citation
from pcn_evidence.dates import describe_date
from pcn_evidence.downloads import DOWNLOADS_ENV
from pcn_evidence.facts import facts
from pcn_evidence.prose import curly_quotes
from pcn_evidence.references import Reference, read_references, source_references
from pcn_evidence.release import PENDING, Release, shown_release
from pcn_evidence.word import (
    BRIEFING_FILE,
    CONTEXT_REFERENCES_HEADING,
    HOW_TO_CITE_HEADING,
    MESSAGES_PAGE,
    OUTSIDE_CONTEXT_HEADING,
    OUTSIDE_CONTEXT_LABEL,
    REFERENCES_HEADING,
    SOURCES_HEADING,
    BriefingDownload,
    key_point_text,
    note_bookmark,
    save_briefing,
    write_briefing,
)

FIELDWORK = "tl-ccg-staff-interviews"
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")  # a data id: lower-case words joined by hyphens ("f-ccg-support")


@dataclasses.dataclass(frozen=True)
class Inputs:
    messages: list[BriefingMessage]
    layer: BottomLine
    limitations: list[Limitation]
    release: Release
    dates: EvidenceDates
    sources: dict[str, Reference]
    references: dict[str, Reference]
    ids: frozenset[str] = frozenset()  # every internal id the data hold, which the pack must never show
    other_findings: tuple[str, ...] = ()

    def write(self, path: Path, **changes: object) -> Path:
        arguments = dataclasses.replace(self, **changes)  # type: ignore[arg-type]
        return write_briefing(path, arguments.messages, arguments.layer, arguments.limitations, arguments.release,
                              arguments.dates, arguments.sources, arguments.references, arguments.other_findings)


def _internal_ids(references: dict[str, Reference]) -> frozenset[str]:
    """Ids of rows (facts, findings, messages, sources, notes, limitations…), citation keys and BibTeX keys."""
    ids = set(references)
    for name in table_names():
        table = load_table(name)
        for column in ("id", "citation_key"):
            if column in table.columns:
                ids |= {value for value in table[column].astype(str) if _ID.match(value) or column != "id"}
    return frozenset(ids)


@pytest.fixture(scope="module")
def inputs() -> Inputs:
    sources = load_table("sources")
    messages = book_messages(load_table, facts(), with_context=True)
    references = read_references()
    layer = bottom_line(load_table("bottom_line"), messages, load_table("outside_context"))
    return Inputs(messages, layer, briefing_limitations(load_table("limitations"), load_table("accounts")), shown_release(),
                  evidence_dates(load_table("timeline"), sources, FIELDWORK), source_references(sources), references,
                  _internal_ids(references))


@pytest.fixture(scope="module")
def written(inputs, tmp_path_factory) -> Path:
    return inputs.write(tmp_path_factory.mktemp("briefing") / BRIEFING_FILE)


# --- reading a pack back ------------------------------------------------------------------------------------------

_STYLE_NAMES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def style_name(paragraph: Paragraph) -> str:
    """``paragraph.style.name``, with each document's styles read once: python-docx looks a paragraph's style up
    among all of the document's styles on every call, which was most of the time these tests took."""
    part = paragraph.part.package.main_document_part  # a footer's paragraph takes its style from the document
    if part not in _STYLE_NAMES:
        styles = part.styles
        names = {style.style_id: style.name for style in styles if style.type == WD_STYLE_TYPE.PARAGRAPH}
        _STYLE_NAMES[part] = (names, styles.default(WD_STYLE_TYPE.PARAGRAPH).name)
    names, default = _STYLE_NAMES[part]
    style_id = paragraph._p.style
    return names[style_id] if style_id in names else default



@dataclasses.dataclass
class Section:
    """A heading and the paragraphs up to the next heading of its level or above."""

    heading: str
    paragraphs: list[Paragraph]

    def texts(self, style: str | None = None) -> list[str]:
        return [p.text for p in self.paragraphs if style is None or style_name(p) == style]

    def starting(self, prefix: str) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.text.startswith(curly_quotes(prefix))]


def _split(paragraphs: list[Paragraph], style: str) -> tuple[list[Paragraph], list[Section]]:
    """The paragraphs before the first heading of ``style``, and a :class:`Section` per such heading."""
    before: list[Paragraph] = []
    sections: list[Section] = []
    for paragraph in paragraphs:
        if style_name(paragraph) == style:
            sections.append(Section(paragraph.text, []))
        elif sections:
            sections[-1].paragraphs.append(paragraph)
        else:
            before.append(paragraph)
    return before, sections


def read_parts(path: Path) -> tuple[list[Paragraph], dict[str, list[Paragraph]]]:
    """The paragraphs before the first Heading 1, and each Heading 1's paragraphs by its text.

    Raises if a Heading 1 appears twice: the check below would otherwise read only one of them.
    """
    front, parts = _split(docx.Document(str(path)).paragraphs, "Heading 1")
    headings = [part.heading for part in parts]
    twice = sorted({h for h in headings if headings.count(h) > 1})
    if twice:
        raise AssertionError(f"Heading 1 more than once: {twice}")
    return front, {part.heading: part.paragraphs for part in parts}


def read_sections(path: Path) -> tuple[list[Paragraph], list[Section]]:
    """Everything before the key messages, and each message's section (its Heading 2 and what follows)."""
    front, parts = read_parts(path)
    before = list(front)
    for heading, paragraphs in parts.items():
        if heading == "Key messages":
            break
        before += paragraphs
    return before, _split(parts.get("Key messages", []), "Heading 2")[1]


def visible_text(path: Path) -> list[tuple[str, str]]:
    """(where, text) for every piece of text a reader can see or a program can read as the document's words:
    body paragraphs (link texts included), headers, footers and the descriptive core properties."""
    document = docx.Document(str(path))
    texts = [("body", p.text) for p in document.paragraphs]
    for number, section in enumerate(document.sections, start=1):
        for where, part in (("header", section.header), ("footer", section.footer)):
            texts += [(f"{where} of section {number}", p.text) for p in part.paragraphs]
    core = document.core_properties
    texts += [(f"core property {name}", getattr(core, name) or "")
              for name in ("title", "subject", "comments", "keywords", "category")]
    return texts


def _links(paragraph: Paragraph) -> list[str]:
    return [link.address for link in paragraph.hyperlinks]


def _anchors(paragraph: Paragraph) -> list[str]:
    return paragraph._p.xpath("./w:hyperlink/@w:anchor")


def _bookmarks(paragraph: Paragraph) -> list[str]:
    return paragraph._p.xpath("./w:bookmarkStart/@w:name")


def _id_pattern(ids: frozenset[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def _message_problems(message: BriefingMessage, section: Section, inputs: Inputs, numbers: dict[str, int]) -> list[str]:
    """What one message's section lacks or alters."""
    c, where, problems = curly_quotes, message.id, []
    normal = section.texts("Normal")
    if c(message.summary) not in normal:
        problems.append(f"{where}: summary missing or altered")
    sources = c("Sources: " + "; ".join(inputs.sources[s].name for s in message.source_ids) + ".")
    if sources not in normal:
        problems.append(f"{where}: sources not named ({sources!r})")
    confidence = c("Confidence (GRADE-CERQual): " + "; ".join(f"{label}, {level}" for label, level in message.rated)
                   + ".")
    if confidence not in normal:
        problems.append(f"{where}: confidence missing or altered (expected {confidence!r})")
    if any("What this means now" in text for text in section.texts()):
        problems.append(f"{where}: repeats what the messages mean now, which the pack gives once, first")
    pointing = [p for p in section.paragraphs if OUTSIDE_CONTEXT_LABEL in p.text]
    if len(pointing) != bool(message.context):
        problems.append(f"{where}: {len(pointing)} paragraphs point to outside context; it notes {len(message.context)}")
    for paragraph in pointing:
        problems += _pointer_problems(message, paragraph, numbers)
    return problems


def _pointer_problems(item: BottomLineItem | BriefingMessage, paragraph: Paragraph,
                      numbers: dict[str, int]) -> list[str]:
    """An interpretation's or a message's paragraph points, dated, to the one note of each outside-context fact
    it relies on."""
    problems = []
    if _anchors(paragraph) != [note_bookmark(numbers[c.id]) for c in item.context]:
        problems.append(f"{item.id}: its outside-context pointers {_anchors(paragraph)} are not its notes")
    for context in item.context:
        if f"{OUTSIDE_CONTEXT_LABEL} ({describe_date(context.date)}; not one of the book’s sources): see note " \
                f"{numbers[context.id]}" not in paragraph.text:
            problems.append(f"{item.id}: outside context {context.id} is not pointed to, dated")
    return problems


def _three_minute_problems(parts: dict[str, list[Paragraph]], inputs: Inputs, numbers: dict[str, int]) -> list[str]:
    """The bottom line, why it matters now and the questions, first, as the data say, the interpretation labelled."""
    c, layer, problems = curly_quotes, inputs.layer, []
    headings = list(parts)
    wanted = [c(POINTS_HEADING), c(WHY_NOW_HEADING), c(QUESTIONS_HEADING)]
    if headings[:3] != wanted:
        return [f"the pack does not open with {wanted}: {headings[:3]}"]
    if [p.text for p in parts[wanted[0]] if style_name(p) == "List Bullet"] != [c(key_point_text(p)) for p in layer.points]:
        problems.append("the bottom line's key points differ from the data")
    for heading, items, style in ((wanted[1], layer.why_now, "Normal"), (wanted[2], layer.questions, "List Number")):
        paragraphs = parts[heading]
        if not paragraphs or paragraphs[0].text != c(INTERPRETATION):
            problems.append(f"{heading}: not labelled as the book's interpretation")
        shown = [p for p in paragraphs[1:] if style_name(p) == style]
        if len(shown) != len(items) or not all(p.text.startswith(c(i.text)) for p, i in zip(shown, items)):
            problems.append(f"{heading}: differs from the data")
            continue
        for item, paragraph in zip(items, shown):
            problems += _pointer_problems(item, paragraph, numbers)
    return problems


def _notes_problems(parts: dict[str, list[Paragraph]], full_text: str, inputs: Inputs) -> list[str]:
    """Each outside-context note printed once, numbered and bookmarked, citing its reference."""
    notes, problems = context_notes(inputs.layer, inputs.messages), []
    section = parts.get(curly_quotes(OUTSIDE_CONTEXT_HEADING))
    if notes and section is None:
        return [f"no {OUTSIDE_CONTEXT_HEADING!r} section"]
    for number, note in enumerate(notes, start=1):
        statement = curly_quotes(note.statement)
        if full_text.count(statement) != 1:
            problems.append(f"outside context {note.id}: its note is printed {full_text.count(statement)} times, "
                            "not once")
        holders = [p for p in section or [] if statement in p.text]
        if holders and (note_bookmark(number) not in _bookmarks(holders[0])
                        or not holders[0].text.startswith(f"Note {number} ({describe_date(note.date)}): ")):
            problems.append(f"outside context {note.id}: not note {number} with its date, bookmarked for the "
                            "messages' links")
        if holders and curly_quotes(inputs.references[note.reference].name) not in holders[0].text:
            problems.append(f"outside context {note.id}: its note does not cite its reference")
    return problems


def _how_to_cite_problems(parts: dict[str, list[Paragraph]], full_paragraphs: list[str], inputs: Inputs) -> list[str]:
    """One "How to cite" section: the book's citation at its version, and a link to each message."""
    release, problems = inputs.release, []
    stray = [text[:40] for text in full_paragraphs if text.startswith("Cite as")]
    if stray:
        problems.append(f"{len(stray)} 'Cite as' paragraph(s) outside {HOW_TO_CITE_HEADING!r}")
    section = parts.get(HOW_TO_CITE_HEADING)
    if section is None:
        return problems + [f"no {HOW_TO_CITE_HEADING!r} section"]
    citation = curly_quotes(plain_citation(release))
    cited = [p for p in section if p.text == citation]
    if len(cited) != 1 or _links(cited[0]) != [release.base_url]:
        problems.append(f"how to cite: the book's citation is missing or altered (expected {citation!r})")
    links = [(p.text, _links(p)) for p in section if style_name(p) == "List Bullet"]
    expected = [(curly_quotes(m.headline), [cited_item(release, m.id, m.headline).url]) for m in inputs.messages]
    if links != expected:
        problems.append(f"how to cite: the messages' links differ: {links}")
    if not any(release.page_url(MESSAGES_PAGE) in _links(p) for p in section):
        problems.append("how to cite: no link to the key messages page")
    return problems


def _reference_problems(parts: dict[str, list[Paragraph]], inputs: Inputs) -> list[str]:
    """A full reference, with its link, for every source the messages cite and every outside document."""
    section = parts.get(REFERENCES_HEADING)
    if section is None:
        return [f"no {REFERENCES_HEADING!r} section"]
    groups = {group.heading: group.paragraphs for group in _split(section, "Heading 2")[1]}
    problems = []
    wanted = [(f"source {s}", inputs.sources[s], True, SOURCES_HEADING)
              for s in dict.fromkeys(s for m in inputs.messages for s in m.source_ids)]
    wanted += [(f"outside document {n.reference}", inputs.references[n.reference], False, CONTEXT_REFERENCES_HEADING)
               for n in context_notes(inputs.layer)]
    for what, reference, named, heading in dict.fromkeys(wanted):
        expected = curly_quotes((f"{reference.name}: " if named else "") + reference.text)
        expected += f" {reference.url}" if reference.url else ""
        entries = [p for p in groups.get(curly_quotes(heading), []) if p.text == expected]
        if len(entries) != 1 or (reference.url and _links(entries[0]) != [reference.url]):
            problems.append(f"references: no full reference for {what} ({reference.name!r})")
    return problems


def _footer_problems(document: docx.document.Document, inputs: Inputs) -> list[str]:
    """Every page's footer: its version and the book's address, page numbers, ruled off from the text."""
    release, problems = inputs.release, []
    rule = document.styles["Footer"].element.xpath("./w:pPr/w:pBdr/w:top[@w:val='single']")
    for number, section in enumerate(document.sections, start=1):
        paragraphs = section.footer.paragraphs
        text = "\n".join(p.text for p in paragraphs)
        codes = [code for p in paragraphs for code in field_codes(p)]
        where = f"footer of section {number}"
        if "PAGE" not in codes or "NUMPAGES" not in codes:
            problems.append(f"{where}: no page number (PAGE and NUMPAGES fields): {codes}")
        if f"Version {release.version}" not in text or release.base_url not in text:
            problems.append(f"{where}: lacks the version or the book's address")
        if (curly_quotes(PENDING) in text) != release.pending:
            problems.append(f"{where}: does not say whether changes are unreleased")
        if not rule and not any(p._p.xpath("./w:pPr/w:pBdr/w:top") for p in paragraphs):
            problems.append(f"{where}: not ruled off from the text")
        if any(line and line in [p.text for p in document.paragraphs] for line in text.splitlines()):
            problems.append(f"{where}: its text runs on in the body")
    return problems


def _text_problems(path: Path, inputs: Inputs) -> list[str]:
    """No internal id and no straight quote anywhere in the document's text (addresses aside)."""
    ids, problems = _id_pattern(inputs.ids), []
    for where, text in visible_text(path):
        shown = sorted(set(ids.findall(text)))
        if shown:
            problems.append(f"{where}: internal id(s) {shown} shown in {text[:50]!r}")
        words = re.sub(r"https?://\S+", "", text)
        if "'" in words or '"' in words:
            at = min(i for i in (words.find("'"), words.find('"')) if i >= 0)
            problems.append(f"{where}: a straight quote in {words[max(0, at - 25):at + 25]!r}")
    return problems


def briefing_problems(path: Path, inputs: Inputs) -> list[str]:
    """Everything the pack at ``path`` should say, per the data in ``inputs``, that it does not."""
    front, sections = read_sections(path)
    _, parts = read_parts(path)
    document = docx.Document(str(path))
    c, release, problems = curly_quotes, inputs.release, []
    front_text = "\n".join(p.text for p in front)
    for expected, where in [(release.title, "title"), (f"Version {release.version}", "version"),
                            (inputs.dates.fieldwork, "fieldwork dates"), (inputs.dates.latest_source, "latest source")]:
        if c(expected) not in front_text:
            problems.append(f"front matter: no {where} ({expected!r})")
    if (c(PENDING) in front_text) != release.pending:
        problems.append(f"front matter: says '{PENDING}' {'but' if not release.pending else 'only if'} the data "
                        "record unreleased changes")
    bullets = [p.text for p in front if style_name(p) == "List Bullet"]
    for limitation in inputs.limitations:
        whose = limitation.stated_by or "the book's own judgement"
        if c(f"{limitation.text} Whose statement: {whose}.") not in bullets:
            problems.append(f"limitation {limitation.id} missing or altered")
    if [s.heading for s in sections] != [c(m.headline) for m in inputs.messages]:
        problems.append(f"headlines differ: {[s.heading for s in sections]}")
    numbers = {note.id: n for n, note in enumerate(context_notes(inputs.layer, inputs.messages), start=1)}
    problems += _three_minute_problems(parts, inputs, numbers)
    for message, section in zip(inputs.messages, sections):
        problems += _message_problems(message, section, inputs, numbers)
    paragraphs = [p.text for p in document.paragraphs]
    problems += _notes_problems(parts, "\n".join(text for _, text in visible_text(path)), inputs)
    problems += _how_to_cite_problems(parts, paragraphs, inputs)
    problems += _reference_problems(parts, inputs)
    problems += _footer_problems(document, inputs)
    problems += _text_problems(path, inputs)
    return problems


# --- the shipped pack -------------------------------------------------------------------------------------------


def test_the_pack_holds_every_message_as_the_data_say(written, inputs):
    assert briefing_problems(written, inputs) == []
    assert len(read_sections(written)[1]) == len(inputs.messages)


def test_each_outside_context_note_is_printed_once_and_the_interpretation_points_to_it(written, inputs):
    notes = context_notes(inputs.layer)
    assert notes, "the shipped interpretation relies on outside context: the test must show each note once"
    text = "\n".join(p.text for p in docx.Document(str(written)).paragraphs)
    for note in notes:
        assert text.count(curly_quotes(note.statement)) == 1
    _, parts = read_parts(written)
    pointing = [p for heading in (WHY_NOW_HEADING, QUESTIONS_HEADING) for p in parts[heading] if _anchors(p)]
    assert len(pointing) == sum(bool(i.context) for i in inputs.layer.items)
    assert all("not one of the book’s sources" in p.text for p in pointing)
    named = [p for p in parts[curly_quotes(OUTSIDE_CONTEXT_HEADING)] if _bookmarks(p)]
    assert [p.text.split(" (")[0] for p in named] == [f"Note {n}" for n in range(1, len(notes) + 1)]


def test_one_how_to_cite_section_and_no_citation_per_message(written, inputs):
    paragraphs = docx.Document(str(written)).paragraphs
    assert [p.text for p in paragraphs if style_name(p) == "Heading 1"].count(HOW_TO_CITE_HEADING) == 1
    assert not [p for p in paragraphs if p.text.startswith("Cite as")]
    _, sections = read_sections(written)
    assert not [s.heading for s in sections if any(inputs.release.base_url in " ".join(_links(p))
                                                   for p in s.paragraphs)]


def test_every_cited_source_has_a_full_reference_with_its_doi_or_what_the_data_give(written, inputs):
    _, parts = read_parts(written)
    entries = parts[REFERENCES_HEADING]
    links = [address for p in entries for address in _links(p)]
    sources = load_table("sources").set_index("id")
    cited = dict.fromkeys(s for m in inputs.messages for s in m.source_ids)
    for source in cited:
        row = sources.loc[source]
        entry = next(p.text for p in entries if p.text.startswith(curly_quotes(row["label"]) + ": "))
        assert curly_quotes(row["title"]) in entry and curly_quotes(row["outlet"]) in entry
        if isinstance(row["doi"], str):
            assert f"https://doi.org/{row['doi']}" in links  # the core study's DOI, as a link
        if not isinstance(row["date"], str):
            assert "(n.d.)" in entry and curly_quotes(row["date_note"]) in entry
        if not isinstance(row["authors"], str):
            assert "No byline given" in entry
    assert len(entries) >= len(cited) + len(context_notes(inputs.layer))


def test_the_footer_has_page_numbers_and_is_set_apart_from_the_text(written):
    document = docx.Document(str(written))
    section = document.sections[0]
    footer = section.footer.paragraphs
    assert not section.footer.is_linked_to_previous  # a footer part of its own, not body text
    assert [code for p in footer for code in field_codes(p)] == ["PAGE", "NUMPAGES"]
    assert footer[-1].text.startswith("Page  of ")  # the numbers are computed by Word or LibreOffice
    style = document.styles["Footer"]
    assert style.element.xpath("./w:pPr/w:pBdr/w:top/@w:val") == ["single"]  # a rule above it
    assert style.font.size < document.styles["Normal"].font.size
    assert section.footer_distance < section.bottom_margin
    assert all(style_name(p) == "Footer" for p in footer)
    assert not [p for p in document.paragraphs if "Page" in p.text and p.text.endswith(" of ")]


def test_findings_no_message_rests_on_are_listed_after_the_messages_only_when_there_are_some(inputs, tmp_path):
    others = ("The editorial's authors argued that early progress concealed a profound fragility (very low)",)
    texts = [p.text for p in docx.Document(str(inputs.write(tmp_path / "with.docx", other_findings=others))).paragraphs]
    heading = texts.index("Findings no message rests on")
    assert texts[heading + 1] == curly_quotes(others[0])
    assert heading > texts.index("Key messages")
    without = [p.text for p in docx.Document(str(inputs.write(tmp_path / "without.docx"))).paragraphs]
    assert "Findings no message rests on" not in without


def test_the_text_has_no_internal_id_and_curly_quotes_only(written, inputs):
    texts = [text for _, text in visible_text(written)]
    assert _text_problems(written, inputs) == []
    assert any("’" in text for text in texts) and any("‘" in text for text in texts)
    # the check means something: the data themselves hold straight quotes, and the pack cites ids in its links
    assert any("'" in m.summary + m.other_evidence for m in inputs.messages)
    assert inputs.ids >= {m.id for m in inputs.messages} | {f for m in inputs.messages for f, _ in m.confidence}


def test_two_writes_give_the_same_bytes_even_seconds_apart(inputs, tmp_path, monkeypatch):
    first = inputs.write(tmp_path / "one.docx").read_bytes()
    later = time.time() + 3600  # python-docx stamps each zip entry with the time of writing
    monkeypatch.setattr(time, "time", lambda: later)
    second = inputs.write(tmp_path / "two.docx").read_bytes()
    assert first == second


def test_the_byte_check_would_catch_a_pack_written_without_fixed_zip_times(inputs, tmp_path, monkeypatch):
    monkeypatch.setattr(word, "deterministic_zip", lambda content: content)
    first = inputs.write(tmp_path / "one.docx").read_bytes()
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert inputs.write(tmp_path / "two.docx").read_bytes() != first


def test_zip_entries_are_in_a_fixed_order_at_a_fixed_time(written):
    with zipfile.ZipFile(written) as bundle:
        infos = bundle.infolist()
    names = [info.filename for info in infos]
    assert names[0] == "[Content_Types].xml" and names[1:] == sorted(names[1:])
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert not [n for n in names if "thumbnail" in n or "stylesWithEffects" in n]


def test_core_properties_are_fixed_from_the_citation_file(written, inputs):
    core = docx.Document(str(written)).core_properties
    release = inputs.release
    released = dt.datetime.combine(release.released, dt.time(), tzinfo=dt.UTC)
    assert (core.title, core.author, core.last_modified_by) == (release.title, "; ".join(release.authors),
                                                                 "; ".join(release.authors))
    assert (core.created, core.modified, core.revision) == (released, released, 1)
    assert (core.version, core.language) == (release.version, "en-GB")
    assert "python-docx" not in (core.comments + core.author + core.last_modified_by)


def test_the_document_is_plain_accessible_word(written):
    document = docx.Document(str(written))
    assert not document.tables  # no tables for layout
    styles = [style_name(p) for p in document.paragraphs]
    assert styles[0] == "Title" and {"Heading 1", "Heading 2", "List Bullet", "List Number"} <= set(styles)
    # headings never skip a level
    levels = [int(s.split()[-1]) for s in styles if s.startswith("Heading ")]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:]))
    assert document.styles.element.xpath("w:docDefaults//w:lang/@w:val") == ["en-GB"]
    assert document.settings.element.xpath("w:themeFontLang/@w:val") == ["en-GB"]
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    # every internal link lands on a bookmark
    anchors = document.element.body.xpath("//w:hyperlink/@w:anchor")
    assert anchors and set(anchors) <= set(document.element.body.xpath("//w:bookmarkStart/@w:name"))


# --- planted faults: the read-back check names them --------------------------------------------------------------


def _planted(written: Path, tmp_path: Path, plant) -> Path:
    """A copy of the written pack with one fault planted by ``plant(document)``."""
    document = docx.Document(str(written))
    plant(document)
    path = tmp_path / "planted.docx"
    document.save(str(path))
    return path


def _paragraph_with(document, text: str) -> Paragraph:
    return next(p for p in document.paragraphs if text in p.text)


def test_a_repeated_outside_context_note_is_caught(inputs, written, tmp_path):
    note = context_notes(inputs.layer)[0]

    def repeat(document):
        paragraph = _paragraph_with(document, curly_quotes(note.statement))
        paragraph._p.addnext(copy.deepcopy(paragraph._p))

    problems = briefing_problems(_planted(written, tmp_path, repeat), inputs)
    assert f"outside context {note.id}: its note is printed 2 times, not once" in problems


def test_an_internal_id_in_the_text_or_the_footer_is_caught(inputs, written, tmp_path):
    message = inputs.messages[0]
    finding = message.confidence[0][0]

    def show_ids(document):
        _paragraph_with(document, curly_quotes(message.summary)).add_run(f" ({message.id})")
        document.sections[0].footer.paragraphs[0].add_run(f" {finding}")

    problems = briefing_problems(_planted(written, tmp_path, show_ids), inputs)
    assert any(p.startswith(f"body: internal id(s) ['{message.id}']") for p in problems)
    assert any(p.startswith(f"footer of section 1: internal id(s) ['{finding}']") for p in problems)


def test_a_straight_quote_is_caught(inputs, written, tmp_path):
    def straighten(document):
        paragraph = next(p for p in document.paragraphs if "’" in p.text and style_name(p) == "Normal")
        for run in paragraph.runs:
            run.text = run.text.replace("’", "'")

    problems = briefing_problems(_planted(written, tmp_path, straighten), inputs)
    assert any(p.startswith("body: a straight quote in ") for p in problems)


def test_a_missing_reference_is_caught(inputs, written, tmp_path):
    source = inputs.messages[0].source_ids[0]
    name = inputs.sources[source].name

    def drop(document):
        entry = next(p for p in document.paragraphs if p.text.startswith(curly_quotes(name) + ": "))
        entry._p.getparent().remove(entry._p)

    problems = briefing_problems(_planted(written, tmp_path, drop), inputs)
    assert problems == [f"references: no full reference for source {source} ({name!r})"]


def test_a_footer_without_page_numbers_or_a_citation_per_message_is_caught(inputs, written, tmp_path):
    def plant(document):
        for instruction in document.sections[0].footer.paragraphs[-1]._p.xpath("./w:r/w:instrText"):
            instruction.getparent().getparent().remove(instruction.getparent())
        summary = _paragraph_with(document, curly_quotes(inputs.messages[0].summary))
        summary.insert_paragraph_before("Cite as: the book")

    problems = briefing_problems(_planted(written, tmp_path, plant), inputs)
    assert any(p.startswith("footer of section 1: no page number") for p in problems)
    assert f"1 'Cite as' paragraph(s) outside {HOW_TO_CITE_HEADING!r}" in problems


def test_a_message_points_to_its_outside_context_note_printed_once_even_if_the_layer_needs_it_too(inputs, tmp_path):
    shared = context_notes(inputs.layer)[0]
    own = OutsideContext("oc-message-only", "2024", "A later change only a message notes.", "a later change",
                         next(iter(inputs.references)))
    first = dataclasses.replace(inputs.messages[0], context=(shared, own))
    noting = dataclasses.replace(inputs, messages=[first, *inputs.messages[1:]])
    path = noting.write(tmp_path / "b.docx")
    assert briefing_problems(path, noting) == []
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert [text.count(curly_quotes(note.statement)) for note in (shared, own)] == [1, 1]
    # the same messages with the first one's pointers lost, whatever context the live data gives it
    lost = noting.write(tmp_path / "c.docx", messages=[dataclasses.replace(first, context=()), *inputs.messages[1:]])
    assert f"{first.id}: 0 paragraphs point to outside context; it notes 2" in briefing_problems(lost, noting)


def test_a_dropped_message_is_caught(inputs, tmp_path):
    path = inputs.write(tmp_path / "b.docx", messages=inputs.messages[:-1])
    assert any(p.startswith("headlines differ") for p in briefing_problems(path, inputs))


def test_an_altered_confidence_is_caught(inputs, tmp_path):
    message = inputs.messages[0]
    changed = dataclasses.replace(message, confidence=((message.confidence[0][0], "high"),) + message.confidence[1:])
    path = inputs.write(tmp_path / "b.docx", messages=[changed, *inputs.messages[1:]])
    assert briefing_problems(path, inputs) == [
        f"{message.id}: confidence missing or altered (expected 'Confidence (GRADE-CERQual): "
        + "; ".join(f"{label}, {level}" for label, level in message.rated) + ".')"]


def test_a_lost_key_point_question_outside_context_pointer_or_limitation_is_caught(inputs, tmp_path):
    layer = inputs.layer
    question = next(q for q in layer.questions if q.context)
    index = layer.questions.index(question)
    changed = dataclasses.replace(layer, points=layer.points[1:], questions=(
        *layer.questions[:index], dataclasses.replace(question, context=()), *layer.questions[index + 1:]))
    path = inputs.write(tmp_path / "b.docx", layer=changed, limitations=inputs.limitations[1:])
    problems = briefing_problems(path, inputs)
    assert f"limitation {inputs.limitations[0].id} missing or altered" in problems
    assert "the bottom line's key points differ from the data" in problems
    assert any(p.startswith(f"{question.id}: its outside-context pointers") for p in problems)


def test_an_unlabelled_interpretation_or_a_pack_that_does_not_open_with_it_is_caught(inputs, written, tmp_path):
    def unlabel(document):
        paragraph = next(p for p in document.paragraphs if p.text == curly_quotes(INTERPRETATION))
        paragraph._p.getparent().remove(paragraph._p)

    assert f"{WHY_NOW_HEADING}: not labelled as the book's interpretation" in briefing_problems(
        _planted(written, tmp_path, unlabel), inputs)

    def move(document):
        heading = next(p for p in document.paragraphs if p.text == POINTS_HEADING)
        document.paragraphs[-1]._p.addnext(heading._p)

    assert any(p.startswith("the pack does not open with") for p in briefing_problems(
        _planted(written, tmp_path, move), inputs))


def test_a_wrong_version_or_base_url_is_caught(inputs, tmp_path):
    release = dataclasses.replace(inputs.release, version="9.9.9", base_url="https://example.org/elsewhere/")
    problems = briefing_problems(inputs.write(tmp_path / "b.docx", release=release), inputs)
    assert f"front matter: no version ('Version {inputs.release.version}')" in problems
    assert any(p.startswith("how to cite: the book's citation is missing or altered") for p in problems)
    assert any(p.startswith("how to cite: the messages' links differ") for p in problems)
    assert "footer of section 1: lacks the version or the book's address" in problems


def test_a_pack_that_hides_or_invents_unreleased_changes_is_caught(inputs, tmp_path):
    flipped = dataclasses.replace(inputs.release, pending=not inputs.release.pending)
    problems = briefing_problems(inputs.write(tmp_path / "b.docx", release=flipped), inputs)
    assert any(p.startswith(f"front matter: says '{PENDING}'") for p in problems)
    assert any(p.startswith("how to cite: the book's citation is missing or altered") for p in problems)
    assert "footer of section 1: does not say whether changes are unreleased" in problems


def test_an_altered_summary_is_caught(inputs, tmp_path):
    message = inputs.messages[1]
    changed = dataclasses.replace(message, summary=message.summary.replace("study's authors", "authors"))
    path = inputs.write(tmp_path / "b.docx", messages=[inputs.messages[0], changed, *inputs.messages[2:]])
    assert briefing_problems(path, inputs) == [f"{message.id}: summary missing or altered"]


# --- inputs the pack cannot name, and writing during a build ----------------------------------------------------


def test_an_unknown_source_or_reference_is_named_before_anything_is_written(inputs, tmp_path):
    sources = {k: v for k, v in inputs.sources.items() if k != "bjgp-2021"}
    with pytest.raises(KeyError, match="source 'bjgp-2021'"):
        inputs.write(tmp_path / "b.docx", sources=sources)
    with pytest.raises(KeyError, match=r"reference 'healthcareact2022' \(outside context oc-ccgs-abolished\)"):
        inputs.write(tmp_path / "c.docx", references={})
    assert not list(tmp_path.iterdir())


def test_the_pack_is_written_only_during_a_build_and_the_link_is_the_same(inputs, tmp_path, monkeypatch):
    arguments = (inputs.messages, inputs.layer, inputs.limitations, inputs.release, inputs.dates, inputs.sources,
                 inputs.references)
    monkeypatch.delenv(DOWNLOADS_ENV, raising=False)
    outside = save_briefing(*arguments)
    assert not list(tmp_path.iterdir())
    monkeypatch.setenv(DOWNLOADS_ENV, str(tmp_path))
    during = save_briefing(*arguments)
    assert briefing_problems(tmp_path / BRIEFING_FILE, inputs) == []
    assert outside._repr_html_() == during._repr_html_()
    assert f'href="../downloads/{BRIEFING_FILE}" download' in during._repr_html_()


def test_the_link_escapes_what_it_prints():
    html = BriefingDownload(file='a"<b>.docx')._repr_html_()
    assert '<b>' not in html and "&lt;b&gt;" in html and 'a&quot;' in html


def test_the_briefing_names_findings_by_their_labels_never_their_ids(inputs, written):
    text = "\n".join(p.text for p in docx.Document(str(written)).paragraphs)
    finding_ids = {finding for message in inputs.messages for finding, _ in message.confidence}
    assert not [f for f in finding_ids if f in text]
    assert all(curly_quotes(label) in text for message in inputs.messages for label in message.finding_labels)


# --- laid out by LibreOffice, as a reader's copy would be ---------------------------------------------------------

#: A sane length for the pack on A4: its front matter and ten messages need more than two pages, and the
#: pack that printed every note and citation again and again took 11 in LibreOffice with Liberation fonts.
PAGES = range(3, 13)


def _soffice() -> str:
    """LibreOffice's command, or a loud skip (a failure in CI, where it must be installed)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        reason = "LibreOffice is not installed (apt-get install libreoffice-writer-nogui; .ci/run installs it)"
        if IN_CI:
            pytest.fail(f"the Word briefing cannot be laid out in CI: {reason}")
        pytest.skip(f"LOUD SKIP: the Word briefing was not converted to PDF, so its pages are unchecked: {reason}")
    return found


def _laid_out(paths: list[Path], tmp_path: Path) -> dict[str, tuple[int, set[tuple[int, int]]]]:
    """The number of pages LibreOffice lays each of ``paths`` out on, and their sizes in points, by file stem, via a
    headless PDF export (one LibreOffice for them all: its start is most of what a conversion costs)."""
    profile = tmp_path / "libreoffice-profile"  # its own profile: no clash with a desktop session or another test
    command = [_soffice(), "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
               "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, paths)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "HOME": str(tmp_path)})
    laid_out = {}
    for path in paths:
        pdf = tmp_path / f"{path.stem}.pdf"
        assert result.returncode == 0 and pdf.is_file(), f"soffice failed: {result.stdout}{result.stderr}"
        content = pdf.read_bytes()
        pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", content))  # each page object; /Pages is their tree
        sizes = {(round(float(w)), round(float(h))) for w, h in
                 re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", content)}
        laid_out[path.stem] = (pages, sizes)
    return laid_out


@pytest.fixture(scope="module")
def laid_out(inputs, written, tmp_path_factory) -> dict[str, tuple[int, set[tuple[int, int]]]]:
    """The pack, and a runaway pack that prints every message twice, laid out by LibreOffice."""
    folder = tmp_path_factory.mktemp("laid-out")
    runaway = inputs.write(folder / "runaway.docx", messages=inputs.messages * 2)
    return _laid_out([written, runaway], folder)


def test_libreoffice_lays_it_out_on_a_sane_number_of_a4_pages(laid_out, written):
    pages, sizes = laid_out[written.stem]
    print(f"LibreOffice laid the Word briefing out on {pages} A4 pages")
    assert pages in PAGES, f"{pages} pages: expected {PAGES.start} to {PAGES.stop - 1}"
    assert sizes == {(595, 842)}  # A4 in points


def test_the_page_check_would_catch_a_runaway_pack(laid_out):
    pages, _ = laid_out["runaway"]  # every message printed twice
    assert pages not in PAGES and pages > PAGES.stop - 1
