"""Titles in the reference lists keep their capitals.

The book's pybtex style (pybtex's plain style, which ``_ext/pcn_cite.py`` labels and sorts) sets an
article's or a web page's title in sentence case: it keeps the first letter and lowers every other
letter that is not inside braces, as BibTeX's own styles do. "Health and Care Act 2022" became
"Health and care act 2022" (issue #24, item 4). So every capital a title must keep, in a proper noun
or an acronym, is braced in the .bib file (``{Health and Care Act} 2022``), and the check below fails
on the next title that forgets. The rendered reference list is then checked as the build makes it.
"""

from __future__ import annotations

import re

import pcn_cite  # noqa: E402
import pytest
import yaml
from helpers import ROOT
from pybtex.database import parse_string
from pybtex.richtext import Text
from sphinxcontrib.bibtex.bibfile import parse_bibdata

BIB_FILES = sorted(ROOT.glob("references*.bib"))
_WORD = re.compile(r"\S+")


def unprotected_capitals(title: str) -> list[str]:
    """The words of a BibTeX title whose capitals sentence case would lower: every word with a capital
    outside braces, except the first word's first letter, which sentence case keeps (examples below)."""
    depth = 0
    outside = []
    for char in title:  # what sits inside braces is replaced by a caseless mark
        if char == "{":
            depth += 1
        outside.append(char if depth == 0 else "#")
        if char == "}" and depth:
            depth -= 1
    flagged = []
    for index, word in enumerate(_WORD.finditer("".join(outside))):
        checked = word[0][1:] if index == 0 else word[0]
        if any(char.isupper() for char in checked):
            flagged.append(title[word.start():word.end()])  # the mask keeps every character's position
    return flagged


def _titles() -> list[tuple[str, str, str]]:
    data = parse_bibdata(BIB_FILES, "utf-8-sig").data
    files = {key: path.name for path in BIB_FILES for key in re.findall(r"@\w+\{([^,]+),", path.read_text("utf-8"))}
    return [(files[key], key, entry.fields["title"]) for key, entry in data.entries.items() if "title" in entry.fields]


def test_every_title_in_the_bibliographies_protects_its_capitals():
    titles = _titles()
    assert len(titles) >= 11, "every .bib file's entries were read"
    offenders = [f"{name} {key}: {unprotected_capitals(title)} in {title!r}" for name, key, title in titles
                 if unprotected_capitals(title)]
    assert not offenders, ("sentence case would lower these capitals in the reference list; brace the proper noun "
                           "or acronym, e.g. {Health and Care Act} 2022:\n" + "\n".join(offenders))


@pytest.mark.parametrize("title, flagged", [
    ("Health and Care Act 2022 (c. 31)", ["Care", "Act"]),
    ("Network Contract Directed Enhanced Service: contract specification", ["Contract", "Directed", "Enhanced",
                                                                            "Service:"]),
    ("{PCN} focus on GP practices", ["GP"]),
    ("Applying {GRADE-CERQual} to a Summary of Qualitative Findings table", ["Summary", "Qualitative", "Findings"]),
    ("PCNs have improved relationships", ["PCNs"]),  # the first word keeps only its first letter
    ("{Health and Care Act} 2022 (c. 31)", []),
    ("{PCNs} have improved relationships between practices ‘significantly’, says report", []),
    ("Don't expect {PCNs} to performance manage {GP} practices, {CCGs} warned", []),
])
def test_the_check_finds_each_unprotected_capital(title, flagged):
    assert unprotected_capitals(title) == flagged


def rendered_reference_list() -> dict[str, str]:
    """Each entry of the book's reference list as the build writes it, as text, by key.

    The same steps as sphinxcontrib-bibtex's ``get_formatted_entries`` and its docutils backend, with the
    pybtex style ``_config.yml`` names (``_ext/pcn_cite.py``) and the .bib files it lists.
    """
    import pybtex_docutils

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["sphinx"]["config"]["bibtex_default_style"] == pcn_cite.BIBTEX_STYLE
    files = [ROOT / name for name in config["bibtex_bibfiles"]]
    assert sorted(files) == BIB_FILES, "every references*.bib file is one the book reads"
    style = pcn_cite.AuthorYearStyle()
    entries = list(style.sort(parse_bibdata(files, "utf-8-sig").data.entries.values()))
    backend = pybtex_docutils.Backend()
    return {entry.key: backend.paragraph(style.format_entry(label, entry)).astext()
            for label, entry in zip(style.format_labels(entries), entries)}


def test_the_rendered_reference_list_keeps_health_and_care_act_2022_capitalised():
    rendered = rendered_reference_list()["healthcareact2022"]
    assert "Health and Care Act 2022 (c. 31)." in rendered, rendered
    assert "care act" not in rendered.lower().replace("health and care act", ""), rendered


def test_every_rendered_title_reads_as_written_in_its_bib_file():
    rendered = rendered_reference_list()
    for name, key, title in _titles():
        # the title without its protecting braces, LaTeX decoded (--- as an em dash): what a reader should see
        words = str(Text.from_latex(title).render_as("text"))
        assert words[:1].upper() + words[1:] in rendered[key], f"{name} {key}: {rendered[key]!r}"


def test_the_style_lowers_an_unprotected_title():
    # the fault of issue #24, which the checks above exist for: without braces the style lowers "Care Act"
    style = pcn_cite.AuthorYearStyle()
    entries = list(parse_string("@misc{a, author = {{UK Parliament}}, title = {Health and Care Act 2022}, "
                                "year = {2022}}", "bibtex").entries.values())
    label = next(iter(style.format_labels(entries)))
    assert "Health and care act 2022" in style.format_entry(label, entries[0]).text.render_as("text")
