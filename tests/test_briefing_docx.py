"""The Word briefing pack, read back with python-docx: every message, as the data say, the same bytes twice.

The read-back check (:func:`briefing_problems`) compares a written .docx with the data it
should hold; the planted-fault tests write a pack from altered data and show the check
names what is wrong.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import zipfile
from pathlib import Path

import docx
import pytest
from helpers import ROOT

from pcn_evidence import load_table, word
from pcn_evidence.briefing import (
    BriefingMessage,
    EvidenceDates,
    Limitation,
    briefing_limitations,
    briefing_messages,
    evidence_dates,
)
from pcn_evidence.dates import source_dates
from pcn_evidence.downloads import DOWNLOADS_ENV
from pcn_evidence.facts import facts
from pcn_evidence.inputs import Declaration, UndeclaredInputError, activate, deactivate
from pcn_evidence.release import PENDING, Release, shown_release
from pcn_evidence.word import (
    BRIEFING_FILE,
    INTERPRETATION_LABEL,
    OUTSIDE_CONTEXT_LABEL,
    BriefingDownload,
    Reference,
    read_references,
    save_briefing,
    write_briefing,
)

FIELDWORK = "tl-ccg-staff-interviews"


@dataclasses.dataclass(frozen=True)
class Inputs:
    messages: list[BriefingMessage]
    limitations: list[Limitation]
    release: Release
    dates: EvidenceDates
    source_labels: dict[str, str]
    references: dict[str, Reference]

    def write(self, path: Path, **changes: object) -> Path:
        arguments = dataclasses.replace(self, **changes)  # type: ignore[arg-type]
        return write_briefing(path, arguments.messages, arguments.limitations, arguments.release, arguments.dates,
                              arguments.source_labels, arguments.references)


@pytest.fixture(scope="module")
def inputs() -> Inputs:
    cerqual = load_table("cerqual")
    findings = load_table("synthesis_findings")
    sources = load_table("sources")
    messages = briefing_messages(load_table("key_messages"), dict(zip(cerqual["finding_id"], cerqual["confidence"])),
                                 facts(), load_table("outside_context"), dict(zip(findings["id"], findings["label"])),
                                 source_dates(sources))
    return Inputs(messages, briefing_limitations(load_table("limitations"), load_table("accounts")), shown_release(),
                  evidence_dates(load_table("timeline"), sources, FIELDWORK),
                  dict(zip(sources["id"], sources["label"])), read_references())


@pytest.fixture(scope="module")
def written(inputs, tmp_path_factory) -> Path:
    return inputs.write(tmp_path_factory.mktemp("briefing") / BRIEFING_FILE)


# --- reading a pack back ------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Section:
    """One message as the document holds it: its Heading 2 and the paragraphs up to the next heading 1 or 2."""

    headline: str
    paragraphs: list[docx.text.paragraph.Paragraph]

    def texts(self, style: str | None = None) -> list[str]:
        return [p.text for p in self.paragraphs if style is None or p.style.name == style]

    def starting(self, prefix: str) -> list[docx.text.paragraph.Paragraph]:
        return [p for p in self.paragraphs if p.text.startswith(prefix)]


def read_sections(path: Path) -> tuple[list[docx.text.paragraph.Paragraph], list[Section]]:
    """The paragraphs before the first message, and each message's section."""
    front: list = []
    sections: list[Section] = []
    for paragraph in docx.Document(str(path)).paragraphs:
        style = paragraph.style.name
        if style == "Heading 2":
            sections.append(Section(paragraph.text, []))
        elif style == "Heading 1" and sections:
            raise AssertionError(f"a Heading 1 after the messages: {paragraph.text!r}")
        elif sections:
            sections[-1].paragraphs.append(paragraph)
        else:
            front.append(paragraph)
    return front, sections


def briefing_problems(path: Path, inputs: Inputs) -> list[str]:
    """Everything the pack at ``path`` should say, per the data in ``inputs``, that it does not."""
    front, sections = read_sections(path)
    problems = []
    front_text = "\n".join(p.text for p in front)
    release = inputs.release
    for expected, where in [(release.title, "title"), (f"Version {release.version}", "version"),
                            (inputs.dates.fieldwork, "fieldwork dates"), (inputs.dates.latest_source, "latest source")]:
        if expected not in front_text:
            problems.append(f"front matter: no {where} ({expected!r})")
    if (PENDING in front_text) != release.pending:
        problems.append(f"front matter: says '{PENDING}' {'but' if not release.pending else 'only if'} the data "
                        "record unreleased changes")
    bullets = [p.text for p in front if p.style.name == "List Bullet"]
    for limitation in inputs.limitations:
        whose = limitation.stated_by or "the book's own judgement"
        if f"{limitation.text} Whose statement: {whose}." not in bullets:
            problems.append(f"limitation {limitation.id} missing or altered")
    if [s.headline for s in sections] != [m.headline for m in inputs.messages]:
        problems.append(f"headlines differ: {[s.headline for s in sections]}")
    for message, section in zip(inputs.messages, sections):
        where = message.id
        normal = section.texts("Normal")
        if message.summary not in normal:
            problems.append(f"{where}: summary missing or altered")
        sources = "Sources: " + "; ".join(inputs.source_labels[s] for s in message.source_ids) + "."
        if sources not in normal:
            problems.append(f"{where}: sources not named ({sources!r})")
        confidence = ("Confidence (GRADE-CERQual): " + "; ".join(f"{label}, {level}" for label, level in
                                                                  message.rated) + ".")
        if confidence not in normal:
            problems.append(f"{where}: confidence missing or altered (expected {confidence!r})")
        if section.texts("Heading 3") != [INTERPRETATION_LABEL]:
            problems.append(f"{where}: no {INTERPRETATION_LABEL!r} heading")
        meanings = [f"{audience}: {text}" for audience, text in message.meanings]
        if section.texts("List Bullet") != meanings:
            problems.append(f"{where}: the audience bullets differ: {section.texts('List Bullet')}")
        context = section.starting(OUTSIDE_CONTEXT_LABEL)
        if len(context) != len(message.context):
            problems.append(f"{where}: {len(context)} outside-context paragraphs, expected {len(message.context)}")
        for item, paragraph in zip(message.context, context):
            reference = inputs.references[item.reference]
            if item.statement not in paragraph.text or reference.text not in paragraph.text:
                problems.append(f"{where}: outside context {item.id} lacks its statement or reference")
            if reference.url and reference.url not in [h.address for h in paragraph.hyperlinks]:
                problems.append(f"{where}: outside context {item.id}: its reference is not a link")
        citation = section.starting("Cite as: ")
        url = release.page_url("chapters/key_messages", message.id)
        if len(citation) != 1 or [h.address for h in citation[0].hyperlinks] != [url]:
            problems.append(f"{where}: no citation linking {url}")
        elif f"Version {release.version}" not in citation[0].text or message.headline not in citation[0].text:
            problems.append(f"{where}: the citation lacks the version or the headline")
        elif (PENDING in citation[0].text) != release.pending:
            problems.append(f"{where}: the citation does not say whether changes are unreleased")
    return problems


# --- the shipped pack -------------------------------------------------------------------------------------------


def test_the_pack_holds_every_message_as_the_data_say(written, inputs):
    assert briefing_problems(written, inputs) == []
    assert len(read_sections(written)[1]) == len(inputs.messages)


def test_the_interpretation_and_outside_context_are_labelled(written, inputs):
    _, sections = read_sections(written)
    with_context = [s for s, m in zip(sections, inputs.messages) if m.context]
    assert with_context, "the shipped messages rely on outside context"
    for section in with_context:
        label = section.starting(OUTSIDE_CONTEXT_LABEL)[0].text
        assert "not one of the book's sources" in label
    assert "Health and Care Act 2022" in read_references()["healthcareact2022"].text


def test_references_read_as_text_not_bibtex(inputs):
    for reference in inputs.references.values():
        assert "{" not in reference.text and "}" not in reference.text
        assert reference.url and reference.url.startswith("https://")


def test_two_writes_give_the_same_bytes_even_seconds_apart(inputs, tmp_path, monkeypatch):
    first = inputs.write(tmp_path / "one.docx").read_bytes()
    later = time.time() + 3600  # python-docx stamps each zip entry with the time of writing
    monkeypatch.setattr(time, "time", lambda: later)
    second = inputs.write(tmp_path / "two.docx").read_bytes()
    assert first == second


def test_the_byte_check_would_catch_a_pack_written_without_fixed_zip_times(inputs, tmp_path, monkeypatch):
    monkeypatch.setattr(word, "_deterministic_zip", lambda content: content)
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
    styles = [p.style.name for p in document.paragraphs]
    assert styles[0] == "Title" and {"Heading 1", "Heading 2", "Heading 3", "List Bullet"} <= set(styles)
    # headings never skip a level
    levels = [int(s.split()[-1]) for s in styles if s.startswith("Heading ")]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:]))
    assert document.styles.element.xpath("w:docDefaults//w:lang/@w:val") == ["en-GB"]
    assert document.settings.element.xpath("w:themeFontLang/@w:val") == ["en-GB"]
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


# --- planted faults: the read-back check names them --------------------------------------------------------------


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


def test_a_lost_audience_bullet_outside_context_or_limitation_is_caught(inputs, tmp_path):
    index = next(i for i, m in enumerate(inputs.messages) if m.context)
    message = inputs.messages[index]
    changed = dataclasses.replace(message, meanings=message.meanings[:2], context=())
    messages = [*inputs.messages[:index], changed, *inputs.messages[index + 1:]]
    path = inputs.write(tmp_path / "b.docx", messages=messages, limitations=inputs.limitations[1:])
    problems = briefing_problems(path, inputs)
    assert f"limitation {inputs.limitations[0].id} missing or altered" in problems
    assert any(p.startswith(f"{message.id}: the audience bullets differ") for p in problems)
    assert f"{message.id}: 0 outside-context paragraphs, expected {len(message.context)}" in problems


def test_a_wrong_version_or_base_url_is_caught(inputs, tmp_path):
    release = dataclasses.replace(inputs.release, version="9.9.9", base_url="https://example.org/elsewhere/")
    problems = briefing_problems(inputs.write(tmp_path / "b.docx", release=release), inputs)
    assert f"front matter: no version ('Version {inputs.release.version}')" in problems
    assert any(p.startswith(f"{inputs.messages[0].id}: no citation linking") for p in problems)


def test_a_pack_that_hides_or_invents_unreleased_changes_is_caught(inputs, tmp_path):
    flipped = dataclasses.replace(inputs.release, pending=not inputs.release.pending)
    problems = briefing_problems(inputs.write(tmp_path / "b.docx", release=flipped), inputs)
    assert any(p.startswith(f"front matter: says '{PENDING}'") for p in problems)
    assert f"{inputs.messages[0].id}: the citation does not say whether changes are unreleased" in problems


def test_an_altered_summary_is_caught(inputs, tmp_path):
    message = inputs.messages[1]
    changed = dataclasses.replace(message, summary=message.summary.replace("study's authors", "authors"))
    path = inputs.write(tmp_path / "b.docx", messages=[inputs.messages[0], changed, *inputs.messages[2:]])
    assert briefing_problems(path, inputs) == [f"{message.id}: summary missing or altered"]


# --- inputs the pack cannot name, references, and writing during a build -----------------------------------------


def test_an_unknown_source_or_reference_is_named_before_anything_is_written(inputs, tmp_path):
    labels = {k: v for k, v in inputs.source_labels.items() if k != "bjgp-2021"}
    with pytest.raises(KeyError, match="source 'bjgp-2021'"):
        inputs.write(tmp_path / "b.docx", source_labels=labels)
    with pytest.raises(KeyError, match=r"reference 'healthcareact2022' \(outside context oc-ccgs-abolished\)"):
        inputs.write(tmp_path / "c.docx", references={})
    assert not list(tmp_path.iterdir())


def test_a_reference_reads_as_author_year_title_and_address(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@misc{a, author = {Smith, Ann and {The Health Body}}, title = {Guidance for {PCN} leads},\n"
                   "  howpublished = {A website}, url = {https://example.org/a}}\n"
                   "@misc{b, author = {{The Health Body}}, title = {Undated}, howpublished = {The Health Body}}\n",
                   encoding="utf-8")
    assert read_references(bib) == {
        "a": Reference("Smith, Ann; The Health Body (n.d.). Guidance for PCN leads. A website.", "https://example.org/a"),
        "b": Reference("The Health Body (n.d.). Undated.", None)}


def test_a_chapter_must_declare_the_references_it_reads():
    activate(Declaration("key_messages", ("key_messages",)))
    try:
        with pytest.raises(UndeclaredInputError, match="references-context.bib"):
            read_references()
        activate(Declaration("key_messages", ("key_messages",), ("references-context.bib",)))
        assert read_references(ROOT / "references-context.bib")
    finally:
        deactivate()


def test_the_pack_is_written_only_during_a_build_and_the_link_is_the_same(inputs, tmp_path, monkeypatch):
    arguments = (inputs.messages, inputs.limitations, inputs.release, inputs.dates, inputs.source_labels,
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
    assert all(label in text for message in inputs.messages for label in message.finding_labels)
