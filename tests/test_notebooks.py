"""nbval compares only cells that were run: prove every chapter is stored executed, in order."""

import re
from pathlib import Path

import nbformat
import pytest

from pcn_evidence.tools.digests import toc_files, toc_notebooks

ROOT = Path(__file__).resolve().parents[1]

CHAPTERS = toc_notebooks(ROOT)


def test_the_toc_is_read_in_reading_order_through_parts_and_sections(tmp_path: Path):
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nparts:\n"
        "  - caption: One\n    chapters:\n      - file: a\n        sections:\n          - file: a1\n          - file: a2\n"
        "      - file: b\n"
        "  - caption: Two\n    chapters:\n      - file: c\n")
    assert toc_files(tmp_path) == ["intro", "a", "a1", "a2", "b", "c"]


def test_every_chapter_notebook_is_in_the_toc():
    on_disk = {p.resolve() for p in (ROOT / "chapters").glob("*.ipynb")}
    assert on_disk == {p.resolve() for p in CHAPTERS}, "a chapter is missing from _toc.yml, or a listed one from chapters/"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_is_stored_executed_in_order_with_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code, f"{path.name} has no code cells"
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts}; run `make outputs` so every cell is stored executed, in order")
    for cell in code:
        assert not any(o.get("output_type") == "error" for o in cell.outputs), f"{path.name}: a stored output is an error"
        assert "execution" not in cell.metadata, f"{path.name}: timing metadata stored (it defeats the cache)"


#: Words of an opening that tells the reader what they "will find" instead of what the chapter finds.
_SIGNPOST = re.compile(r"\byou(?:'ll| will)\b|\bIn this chapter\b|\bwill (?:find|see|learn|meet)\b", re.I)
def opening(markdown: str) -> str:
    """The chapter's first paragraph, under its title: what the chapter finds."""
    match = re.match(r"\s*\(chapter-[a-z-]+\)=\s*\n# [^\n]+\n+(?P<first>[^\n]+)", markdown)
    return match["first"] if match else ""


def opening_problems(name: str, markdown: str) -> list[str]:
    """A chapter opens with a bold-led paragraph that states what it finds, not what the reader will find."""
    first = opening(markdown)
    if not first.startswith("**"):
        return [f"{name}: no bold-led opening paragraph under the title"]
    signpost = _SIGNPOST.search(first)
    return [f"{name}: the opening signposts ({signpost[0]!r}) instead of saying what the chapter finds"] if signpost else []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_follows_the_skeleton(path):
    notebook = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert markdown.lstrip().startswith("(chapter-"), f"{path.name}: start with a (chapter-…)= label"
    assert "## Summary" in markdown, f"{path.name}: missing ## Summary"
    assert opening_problems(path.name, markdown) == []


def test_an_opening_that_signposts_or_is_missing_is_caught():
    good = "(chapter-x)=\n# A chapter\n\n**In brief.** CCG staff reported that some CCGs did so.\n"
    assert opening_problems("x", good) == []
    signposting = good.replace("CCG staff reported", "In this chapter you will see what CCG staff reported")
    assert opening_problems("x", signposting) == [
        "x: the opening signposts ('In this chapter') instead of saying what the chapter finds"]
    assert opening_problems("x", good.replace("**In brief.** ", "")) == ["x: no bold-led opening paragraph under the title"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_and_its_text_twin_are_in_sync(path):
    from pcn_evidence.tools.notebooks import out_of_sync

    problem = out_of_sync(path)
    assert problem is None, problem


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_opens_its_own_declaration(path):
    # A copied chapter that opened another's declaration would re-execute on the wrong inputs.
    notebook = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert f'Chapter("{path.stem}")' in code, f"{path.name}: open the chapter with Chapter(\"{path.stem}\")"
    assert "downloads()" in code, f"{path.name}: end with chapter.downloads() (generated from the declaration)"


def test_every_chapter_declares_its_inputs_and_nothing_else_is_declared():
    import yaml

    declared = set(yaml.safe_load((ROOT / "chapters" / "inputs.yml").read_text()))
    assert declared == {p.stem for p in CHAPTERS}


def test_a_chapter_with_no_declaration_stops_the_build_naming_it(tmp_path):
    from pcn_evidence.tools.digests import chapter_inputs

    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "inputs.yml").write_text("theme_counts:\n  tables: [units]\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="chapter 'sources' declares no inputs in chapters/inputs.yml; add an entry"):
        chapter_inputs("sources", tmp_path)


def test_an_out_of_sync_twin_is_reported(tmp_path):
    from pcn_evidence.tools.notebooks import out_of_sync

    chapter = CHAPTERS[0]
    copy = tmp_path / chapter.name
    copy.write_bytes(chapter.read_bytes())
    twin = chapter.with_suffix(".md").read_text(encoding="utf-8")
    (tmp_path / chapter.with_suffix(".md").name).write_text(twin.replace("**In brief.**", "**Briefly.**", 1),
                                                           encoding="utf-8")
    assert "differs between" in out_of_sync(copy)
    (tmp_path / chapter.with_suffix(".md").name).unlink()
    assert "is missing" in out_of_sync(copy)
