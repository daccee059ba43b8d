"""The glossary explains the book's jargon, and every page links each term where a reader first meets it.

A term is used on a page when its abbreviation, its full name or either one's plural
appears in the page's markdown prose: headings, code cells, inline code, roles other
than ``{term}`` (glue, citations, cross-references), link texts and the front matter
are not prose a ``{term}`` link could go in. The first use of each glossary term on
a page must be a ``{term}`` role, and no later use may be one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from helpers import ROOT

from pcn_evidence.tools.digests import toc_files

GLOSSARY = ROOT / "glossary.md"
BIBLIOGRAPHIES = {name: ROOT / f"{name}.bib" for name in ("references", "references-standards", "references-context")}
OUTSIDE_CONTEXT_BIB = "references-context"
OUTSIDE_CONTEXT_LABEL = "outside context"

#: The jargon issue #14 names, each with the full name its glossary entry must give.
REQUIRED = {
    "DES": "Network Contract Directed Enhanced Service",
    "ARRS": "additional roles reimbursement scheme",
    "STP": "sustainability and transformation partnership",
    "ICS": "integrated care system",
    "ICB": "integrated care board",
    "LMC": "local medical committee",
    "CCG": "clinical commissioning group",
    "PCN": "primary care network",
    "GRADE-CERQual": "Confidence in the Evidence from Reviews of Qualitative research",
    "COREQ": "consolidated criteria for reporting qualitative research",
}
#: Terms the five sources never mention: their whole entry is outside context.
WHOLLY_OUTSIDE_CONTEXT = {"ICB"}


# --------------------------------------------------------------------------- the glossary


@dataclass(frozen=True)
class Entry:
    """One glossary entry: its terms (the first is the one pages link to) and its definition."""

    terms: tuple[str, ...]
    definition: str

    @property
    def name(self) -> str:
        return self.terms[0]

    def text(self) -> str:
        return " ".join(self.terms) + " " + self.definition


def glossary_entries(text: str) -> list[Entry]:
    """The entries of the page's ``{glossary}`` directive: unindented term lines, then an indented definition."""
    block = re.search(r"^```\{glossary\}[^\n]*\n(.*?)^```[ \t]*$", text, re.S | re.M)
    if block is None:
        raise ValueError("glossary.md has no ```{glossary} directive")
    entries: list[Entry] = []
    terms: list[str] = []
    definition: list[str] = []
    for line in block.group(1).splitlines():
        if not line.strip() or (line.startswith(":") and not terms and not entries):
            continue  # blank lines, and the directive's options
        if line[0].isspace():
            definition.append(line.strip())
            continue
        if definition:
            entries.append(Entry(tuple(terms), " ".join(definition)))
            terms, definition = [], []
        terms.append(line.strip())
    if terms:
        entries.append(Entry(tuple(terms), " ".join(definition)))
    return entries


def cited_keys(text: str) -> list[str]:
    """Every key cited with a ``{cite:…}`` role, as written (with the page's key prefix)."""
    return [key.strip() for keys in re.findall(r"\{cite(?::\w+)?\}`([^`]*)`", text) for key in keys.split(",")]


def bib_keys() -> dict[str, str]:
    """Each bibliography key, mapped to the file (without .bib) that holds it."""
    return {key: name for name, path in BIBLIOGRAPHIES.items()
            for key in re.findall(r"^@\w+\{([^,\s]+),", path.read_text(encoding="utf-8"), re.M)}


def glossary_problems(text: str, required: dict[str, str] = REQUIRED, keys: dict[str, str] | None = None) -> list[str]:
    """What the glossary page gets wrong: missing terms or full names, uncited or unlabelled outside context."""
    keys = bib_keys() if keys is None else keys
    problems = []
    prefix = re.search(r"^:keyprefix:\s*(\S+)", text, re.M)
    if prefix is None or not re.search(r"^```\{bibliography\}\n:filter: docname in docnames$", text, re.M):
        problems.append("the page must end with a {bibliography} filtered to its own citations, with a :keyprefix:")
    entries = glossary_entries(text)
    by_term = {term.lower(): entry for entry in entries for term in entry.terms}
    for term, full_name in required.items():
        entry = by_term.get(term.lower())
        if entry is None:
            problems.append(f"{term}: not defined")
        elif full_name.lower() not in entry.text().lower():
            problems.append(f"{term}: the entry does not give the full name '{full_name}'")
    for entry in entries:
        if not entry.definition:
            problems.append(f"{entry.name}: no definition")
        cited = [key.removeprefix(prefix.group(1)) if prefix else key for key in cited_keys(entry.definition)]
        unknown = [key for key in cited if key not in keys]
        if unknown:
            problems.append(f"{entry.name}: cites {unknown}, which no .bib file defines")
        if not cited:
            problems.append(f"{entry.name}: cites no source")
        labelled = OUTSIDE_CONTEXT_LABEL in entry.definition.lower()
        outside = any(keys.get(key) == OUTSIDE_CONTEXT_BIB for key in cited)
        if outside and not labelled:
            problems.append(f"{entry.name}: cites {OUTSIDE_CONTEXT_BIB}.bib but does not say '{OUTSIDE_CONTEXT_LABEL}'")
        if labelled and not outside:
            problems.append(f"{entry.name}: says '{OUTSIDE_CONTEXT_LABEL}' but cites nothing in {OUTSIDE_CONTEXT_BIB}.bib")
        if labelled and not re.search(r"(?i)outside context\**\s*\([^)]*\b(19|20)\d\d\b", entry.definition):
            problems.append(f"{entry.name}: outside context must be dated: '{OUTSIDE_CONTEXT_LABEL}' (…year…)")
        if entry.name in WHOLLY_OUTSIDE_CONTEXT and not entry.definition.lower().lstrip("*").startswith(OUTSIDE_CONTEXT_LABEL):
            problems.append(f"{entry.name}: no source mentions it, so its entry must open with '{OUTSIDE_CONTEXT_LABEL}'")
    return problems


# --------------------------------------------------------------------------- first use on a page

FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,}|:{3,})\s*(?:\{(?P<directive>[\w:-]+)\})?")
#: Directives whose body is prose a reader sees (admonitions and the like); every other fenced block is skipped.
PROSE_DIRECTIVES = {"admonition", "attention", "caution", "danger", "dropdown", "epigraph", "error", "hint",
                    "important", "margin", "note", "seealso", "sidebar", "tip", "topic", "warning"}
NOT_PROSE_LINE = re.compile(r"^\s*(#{1,6}\s|\(.*\)=\s*$|%|\+\+\+\s*$|<!--)")
ROLE = re.compile(r"\{(?P<name>[\w:.+-]+)\}`(?P<content>[^`]*)`")
HIDDEN = re.compile(r"`[^`]*`|!?\[[^\]]*\]\([^)]*\)|https?://\S+")  # inline code, links, bare addresses
EXPLICIT_TARGET = re.compile(r"^(?P<shown>.*?)\s*<(?P<target>[^<>]+)>$", re.S)


def prose_lines(text: str) -> list[tuple[int, str]]:
    """The page's prose lines with their line numbers (front matter, fenced blocks and headings left out)."""
    lines = text.splitlines()
    start = 0
    if lines and lines[0].strip() == "---":
        start = next((i + 1 for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    kept: list[tuple[int, str]] = []
    fences: list[tuple[str, bool]] = []  # open fences, innermost last: (marker, is its body prose?)
    opening = False  # just inside a prose directive: its options come first
    for number, line in enumerate(lines[start:], start=start + 1):
        fence = FENCE.match(line.strip())
        if fences and fence and fence["directive"] is None and line.strip() == fences[-1][0]:
            fences.pop()  # the closing fence of the innermost block
            continue
        if fence and (not fences or fences[-1][1]):
            fences.append((fence["fence"], fence["directive"] in PROSE_DIRECTIVES))
            opening = fences[-1][1]
            continue
        if fences and not fences[-1][1]:
            continue
        if opening and re.match(r"^\s*:[\w-]+:", line):
            continue
        opening = False
        if not NOT_PROSE_LINE.match(line):
            kept.append((number, line))
    return kept


@dataclass(frozen=True)
class Use:
    """One use of a glossary entry on a page: where, as what text, and whether it is a ``{term}`` link."""

    line: int
    column: int
    entry: str
    shown: str
    linked: bool


def _pattern(term: str) -> re.Pattern[str]:
    # An abbreviation or proper name keeps its capitals ("DES" is not "des"); a lower-case term may open a sentence.
    flags = 0 if any(c.isupper() for c in term) else re.I
    return re.compile(r"(?<![\w-])" + re.escape(term) + r"s?(?!\w)", flags)


def term_uses(text: str, entries: list[Entry]) -> tuple[list[Use], list[str]]:
    """Every use of a glossary term in the page's prose, in reading order, and any ``{term}`` role naming no term."""
    patterns = [(entry.name, _pattern(term)) for entry in entries for term in entry.terms]
    by_term = {term.lower(): entry.name for entry in entries for term in entry.terms}
    uses: list[Use] = []
    undefined: list[str] = []

    def unlinked(number: int, column: int, chunk: str, skip: str | None = None) -> None:
        for name, pattern in patterns:
            if name != skip:
                uses.extend(Use(number, column + m.start(), name, m.group(), False) for m in pattern.finditer(chunk))

    for number, line in prose_lines(text):
        masked = line
        for role in ROLE.finditer(line):
            masked = masked[:role.start()] + " " * len(role.group()) + masked[role.end():]
            if role["name"] != "term":
                continue
            explicit = EXPLICIT_TARGET.match(role["content"])
            shown, target = (explicit["shown"], explicit["target"]) if explicit else (role["content"],) * 2
            name = by_term.get(target.strip().lower())
            if name is None:
                undefined.append(f"line {number}: {{term}}`{role['content']}` names no glossary term")
                continue
            uses.append(Use(number, role.start(), name, shown, True))
            unlinked(number, role.start(), shown, skip=name)  # another term inside the link text is still unlinked
        masked = HIDDEN.sub(lambda m: " " * len(m.group()), masked)
        unlinked(number, 0, masked)
    # overlapping forms of one entry ("ICS" in "ICSs") are one use
    unique = {(u.line, u.column, u.entry): u for u in sorted(uses, key=lambda u: (u.line, u.column, -len(u.shown)))}
    return sorted(unique.values(), key=lambda u: (u.line, u.column)), undefined


def link_problems(text: str, entries: list[Entry]) -> list[str]:
    """First uses that are not linked, later uses that are, and links to terms the glossary lacks."""
    uses, problems = term_uses(text, entries)
    seen: set[str] = set()
    for use in uses:
        if use.entry not in seen:
            seen.add(use.entry)
            if not use.linked:
                role = use.shown if use.shown == use.entry else f"{use.shown} <{use.entry}>"
                problems.append(f"line {use.line}: first use of {use.entry} ('{use.shown}') is not linked: "
                                f"write {{term}}`{role}`")
        elif use.linked:
            problems.append(f"line {use.line}: {use.entry} ('{use.shown}') is linked again; link only its first use")
    return problems


def book_pages() -> list[str]:
    """Every page of the book but the glossary, as the markdown file people edit."""
    return [f"{name}.md" for name in toc_files(ROOT) if name != "glossary"]


# --------------------------------------------------------------------------- the real book


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return glossary_entries(GLOSSARY.read_text(encoding="utf-8"))


def test_the_glossary_is_in_the_reference_part_before_the_references():
    pages = toc_files(ROOT)
    assert "glossary" in pages, "glossary.md is not in _toc.yml"
    assert pages.index("glossary") == pages.index("references") - 1


def test_the_glossary_defines_every_term_with_its_full_name_and_labels_outside_context():
    assert glossary_problems(GLOSSARY.read_text(encoding="utf-8")) == []


def test_every_term_is_defined_once(entries):
    terms = [term.lower() for entry in entries for term in entry.terms]
    assert len(terms) == len(set(terms)), "a term appears in two entries"


@pytest.mark.parametrize("page", book_pages())
def test_each_term_is_linked_at_its_first_use_on_the_page_and_only_there(entries, page):
    problems = link_problems((ROOT / page).read_text(encoding="utf-8"), entries)
    assert problems == [], f"{page}:\n  " + "\n  ".join(problems)


# --------------------------------------------------------------------------- planted faults

SMALL = [Entry(("PCN", "primary care network"), "A network."), Entry(("DES",), "A contract."),
         Entry(("clinical director",), "A leader.")]


def test_a_page_that_links_each_first_use_passes():
    page = ("---\nkernelspec:\n  name: python3\n---\n\n(chapter-x)=\n# PCNs and the DES\n\n"
            "Some {term}`primary care networks <PCN>` (PCNs) signed the {term}`DES`, and PCNs grew.\n\n"
            "```{code-cell}\nPCN = 'DES'\n```\n\n{term}`Clinical directors <clinical director>` lead; a clinical director said so, "
            "citing `PCN` and {cite:p}`x-PCN` and {glue:text}`n_pcns` and [the DES](https://example.org/DES).\n")
    assert link_problems(page, SMALL) == []


def test_an_unlinked_first_use_is_caught():
    page = "The PCNs formed. Later, {term}`PCNs <PCN>` grew.\n"
    assert link_problems(page, SMALL) == [
        "line 1: first use of PCN ('PCNs') is not linked: write {term}`PCNs <PCN>`",
        "line 1: PCN ('PCNs') is linked again; link only its first use"]


def test_a_full_name_counts_as_a_use():
    assert link_problems("Each primary care network has a {term}`PCN`.\n", SMALL)[0].startswith(
        "line 1: first use of PCN ('primary care network')")


def test_a_lower_case_term_is_found_at_the_start_of_a_sentence():
    assert link_problems("Clinical directors lead.\n", SMALL) == [
        "line 1: first use of clinical director ('Clinical directors') is not linked: "
        "write {term}`Clinical directors <clinical director>`"]


def test_an_abbreviation_is_matched_with_its_capitals_and_as_a_whole_word():
    assert link_problems("The des, DESK and pre-DES notes; designs.\n", SMALL) == []


def test_a_link_on_a_second_use_is_caught():
    page = "{term}`PCNs <PCN>` formed.\n\nThen {term}`PCN` leaders spoke.\n"
    assert link_problems(page, SMALL) == ["line 3: PCN ('PCN') is linked again; link only its first use"]


def test_a_term_role_naming_no_glossary_term_is_caught():
    page = "{term}`PCNs <PCN>` met the {term}`ICP` and the {term}`board <ICB>`.\n"
    assert link_problems(page, SMALL) == ["line 1: {term}`ICP` names no glossary term",
                                          "line 1: {term}`board <ICB>` names no glossary term"]


def test_another_term_inside_a_link_text_is_still_an_unlinked_use():
    page = "{term}`PCN clinical directors <clinical director>` lead.\n"
    assert link_problems(page, SMALL) == [
        "line 1: first use of PCN ('PCN') is not linked: write {term}`PCN`"]


def test_headings_code_and_options_are_not_prose_but_admonitions_are():
    page = ("# About PCNs\n\n```python\nDES\n```\n\n:::{note}\n:class: dropdown\nThe DES pays.\n:::\n\n"
            "````{important}\nThe PCN.\n```\nPCN\n```\n````\n")
    assert [(u.line, u.shown) for u in term_uses(page, SMALL)[0]] == [(9, "DES"), (13, "PCN")]


GOOD_GLOSSARY = """(glossary)=
# Glossary

```{glossary}
:sorted:

ICB
integrated care board
  **Outside context** (July 2022): the board {cite:p}`gl-act`.

PCN
  A primary care network {cite:p}`gl-study`.
```

```{bibliography}
:filter: docname in docnames
:keyprefix: gl-
```
"""
KEYS = {"act": "references-context", "study": "references"}
NEEDED = {"ICB": "integrated care board", "PCN": "primary care network"}


def _problems(text: str) -> list[str]:
    return glossary_problems(text, NEEDED, KEYS)


def test_a_good_glossary_passes():
    assert _problems(GOOD_GLOSSARY) == []


@pytest.mark.parametrize("fault, expected", [
    (("PCN\n  A primary", "PCT\n  A primary"), "PCN: not defined"),
    (("A primary care network", "A network"), "PCN: the entry does not give the full name 'primary care network'"),
    (("**Outside context** (July 2022): the", "The"), "ICB: cites references-context.bib but does not say"),
    (("network {cite:p}`gl-study`", "network, outside context (2022)"), "PCN: says 'outside context' but cites nothing"),
    (("network {cite:p}`gl-study`", "network"), "PCN: cites no source"),
    (("(July 2022)", "(recently)"), "ICB: outside context must be dated"),
    (("**Outside context** (July 2022): the board", "The board, outside context (2022),"),
     "ICB: no source mentions it, so its entry must open with 'outside context'"),
    (("gl-study", "gl-stduy"), "PCN: cites ['stduy'], which no .bib file defines"),
    ((":keyprefix: gl-\n", ""), "the page must end with a {bibliography}"),
])
def test_each_glossary_fault_is_caught(fault, expected):
    old, new = fault
    assert old in GOOD_GLOSSARY
    problems = _problems(GOOD_GLOSSARY.replace(old, new))
    assert any(p.startswith(expected) for p in problems), problems


def test_a_page_without_a_glossary_directive_is_refused():
    with pytest.raises(ValueError, match="no ```{glossary} directive"):
        glossary_entries("# Glossary\n\nNothing here.\n")
