"""The release facts live in CITATION.cff; every copy of them must agree, or this fails naming the copy.

Copies: the package version (pyproject.toml and ``pcn_evidence.__version__``), the book's title,
author and repository in ``_config.yml``, the How-to-cite page's stored outputs (its citations,
BibTeX and glued version and date), the page footer, and the data package's version if it
carries one. (The footers of the built pages are checked in tests/browser/test_citations.py.)
"""

from __future__ import annotations

import dataclasses
import html
import json
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml
from helpers import DATA

from pcn_evidence import load_table
from pcn_evidence.citation import bibtex, cited_item, plain_citation
from pcn_evidence.release import PENDING, Release, read_citation, shown_release

ROOT = Path(__file__).resolve().parents[1]
from pcn_cite import footer_html  # noqa: E402


def _stored_outputs(notebook: Path) -> tuple[str, dict[str, str]]:
    """Everything a notebook's stored outputs show, and its glued values by name (as their stored repr)."""
    outputs = [output for cell in nbformat.read(notebook, as_version=4).cells if cell.cell_type == "code"
               for output in cell.get("outputs", [])]
    shown = "\n".join(str(value) for output in outputs for value in output.get("data", {}).values())
    glued = {output["metadata"]["scrapbook"]["name"]: str(next(iter(output["data"].values())))
             for output in outputs if "scrapbook" in output.get("metadata", {})}
    return shown, glued


def how_to_cite_copies(release: Release, notebook: Path) -> list[str]:
    """What the How-to-cite page shows: each citation and BibTeX entry, and the glued version, date and URL."""
    shown, glued = _stored_outputs(notebook)
    items = [cited_item(release, row.id, row.heading) for row in load_table("key_messages").itertuples()]
    items += [cited_item(release, row.id, row.title) for row in load_table("synthesis_findings").itertuples()]
    expected = {"the book's plain citation": plain_citation(release), "the book's BibTeX": bibtex(release)}
    expected.update({f"the citation of {item.id}": plain_citation(release, item) for item in items})
    problems = [f"{notebook.name}: {what} is not {text!r}" for what, text in expected.items()
                if html.escape(text) not in shown]
    facts = {"book_version": release.version, "book_released": release.released.isoformat(),
             "book_url": release.base_url}
    problems += [f"{notebook.name}: the glued {key} is {glued.get(key)}, not {value!r}"
                 for key, value in facts.items() if glued.get(key) != repr(value)]
    if (release.doi or "no DOI") not in glued.get("book_doi", ""):
        problems.append(f"{notebook.name}: the glued book_doi is {glued.get('book_doi')}, CITATION.cff's doi is "
                        f"{release.doi!r}")
    return problems


def disagreements(root: Path) -> list[str]:
    """Every copy of a release fact under ``root`` that differs from its CITATION.cff."""
    # the book's own data say whether changes are unreleased (a planted fault's copy holds no data to read)
    release = shown_release(root / "CITATION.cff", data_dir=DATA)
    problems = []
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    if f'version = "{release.version}"' not in pyproject:
        problems.append(f"pyproject.toml: the package version is not {release.version!r}")
    init = (root / "src" / "pcn_evidence" / "__init__.py").read_text(encoding="utf-8")
    if f'__version__ = "{release.version}"' not in init:
        problems.append(f"src/pcn_evidence/__init__.py: __version__ is not {release.version!r}")
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    for key, value in (("title", release.title), ("author", "; ".join(release.authors))):
        if config.get(key) != value:
            problems.append(f"_config.yml: {key} is {config.get(key)!r}, CITATION.cff says {value!r}")
    if release.repository and config.get("repository", {}).get("url") != release.repository:
        problems.append(f"_config.yml: repository.url is {config.get('repository', {}).get('url')!r}, "
                        f"CITATION.cff's repository-code is {release.repository!r}")
    package = json.loads((root / "data" / "datapackage.json").read_text(encoding="utf-8"))
    if "version" in package and package["version"] != release.version:
        problems.append(f"data/datapackage.json: version is {package['version']!r}, not {release.version!r}")
    problems += how_to_cite_copies(release, root / "chapters" / "how_to_cite.ipynb")
    footer = footer_html(release, "how_to_cite.html", "whats_new.html")
    for fact in (f"Version {release.version}", release.released.isoformat(), *([PENDING] if release.pending else [])):
        if fact not in footer:
            problems.append(f"_ext/pcn_cite.py: the footer does not show {fact!r}")
    return problems


def test_every_copy_of_the_release_facts_agrees_with_citation_cff():
    assert disagreements(ROOT) == []


# --- Planted faults: each disagreeing copy is named ------------------------------------------------

COPIED = ("CITATION.cff", "pyproject.toml", "_config.yml", "src/pcn_evidence/__init__.py", "data/datapackage.json",
          "chapters/how_to_cite.ipynb")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for name in COPIED:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_version_bumped_only_in_citation_cff_is_caught_everywhere(copy: Path):
    version = read_citation(ROOT / "CITATION.cff")["version"]
    _edit(copy / "CITATION.cff", f"version: {version}", "version: 99.0.0")
    found = "\n".join(disagreements(copy))
    for copy_name in ("pyproject.toml", "__init__.py", "how_to_cite.ipynb: the book's plain citation",
                      "how_to_cite.ipynb: the book's BibTeX", "the glued book_version"):
        assert copy_name in found, copy_name


def test_a_new_release_date_not_carried_to_how_to_cite_is_caught(copy: Path):
    released = str(read_citation(ROOT / "CITATION.cff")["date-released"])
    _edit(copy / "CITATION.cff", f"date-released: {released}", "date-released: 2030-01-02")
    assert any("book_released" in p for p in disagreements(copy))


def test_a_data_package_carrying_another_version_is_caught(copy: Path):
    path = copy / "data" / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**package, "version": "0.0.1"}), encoding="utf-8")
    assert any(p.startswith("data/datapackage.json: version is '0.0.1'") for p in disagreements(copy))


def test_a_title_changed_in_config_only_is_caught(copy: Path):
    title = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
    _edit(copy / "_config.yml", f'title: "{title}"', 'title: "Another title"')
    assert any(p.startswith("_config.yml: title is 'Another title'") for p in disagreements(copy))


def test_a_changed_base_url_not_carried_to_how_to_cite_is_caught(copy: Path):
    url = read_citation(ROOT / "CITATION.cff")["url"]
    _edit(copy / "CITATION.cff", f"url: {url}", "url: https://books.example.org/pcn/")
    found = disagreements(copy)
    assert any("the citation of km-ccg-support" in p for p in found)
    assert any("the citation of f-ccg-support" in p for p in found)


def test_a_doi_added_to_citation_cff_but_not_to_how_to_cite_is_caught(copy: Path):
    with (copy / "CITATION.cff").open("a", encoding="utf-8") as cff:
        cff.write("doi: 10.5281/zenodo.1234\n")
    found = disagreements(copy)
    assert any("the glued book_doi" in p for p in found) and any("the book's BibTeX" in p for p in found)


def test_the_footer_says_when_the_book_holds_unreleased_changes_and_links_what_is_new():
    release = shown_release(ROOT / "CITATION.cff")
    released, pending = (dataclasses.replace(release, pending=value) for value in (False, True))
    assert PENDING not in footer_html(released, "how_to_cite.html", "whats_new.html")
    assert f'<a href="whats_new.html">{PENDING}</a>' in footer_html(pending, "how_to_cite.html", "whats_new.html")
    assert f"· {PENDING} ·" in footer_html(pending, "how_to_cite.html", None)  # said even without the page
