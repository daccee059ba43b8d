"""Every copy of the release facts agrees with CITATION.cff: pyproject.toml, the package, the data package,
the changelog and .zenodo.json (which is generated from it, with no DOI of its own)."""

from __future__ import annotations

import json
import re
import shutil

import jsonschema
import pytest
import yaml
from helpers import ROOT

from pcn_evidence.tools import versions

CFF = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))

# What a Zenodo deposit accepts, for the keys this book writes (Zenodo's legacy deposit API, as documented in
# its developer pages; enums reduced to what is used). Any other key is an error: Zenodo ignores or refuses it.
ZENODO_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["upload_type", "publication_type", "title", "creators", "description", "access_right", "license",
                 "publication_date", "version"],
    "properties": {
        "upload_type": {"const": "publication"},
        "publication_type": {"enum": ["book", "report"]},
        "title": {"type": "string", "minLength": 3},
        "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+$"},
        "publication_date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "creators": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["name"],
            "properties": {"name": {"type": "string", "minLength": 1}, "affiliation": {"type": "string"},
                           "orcid": {"type": "string", "pattern": r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$"}}}},
        "description": {"type": "string", "minLength": 1},
        "access_right": {"const": "open"},
        "license": {"type": "string", "pattern": r"^[A-Za-z0-9.\-]+$"},
        "keywords": {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True},
        "notes": {"type": "string"},
        "related_identifiers": {"type": "array", "uniqueItems": True, "items": {
            "type": "object", "additionalProperties": False, "required": ["identifier", "relation"],
            "properties": {"identifier": {"type": "string"}, "relation": {"enum": ["references", "isDerivedFrom"]},
                           "scheme": {"const": "doi"}, "resource_type": {"type": "string"}}}},
    },
}


def test_every_copy_agrees_with_citation_cff():
    assert versions.release_fact_problems(ROOT) == []


@pytest.mark.parametrize("path, old, new, named", [
    ("pyproject.toml", 'version = "{v}"', 'version = "9.9.9"', "pyproject.toml"),
    ("src/pcn_evidence/__init__.py", '__version__ = "{v}"', '__version__ = "9.9.9"', "__init__.py"),
    ("data/datapackage.json", '"version": "{v}"', '"version": "9.9.9"', "datapackage.json"),
    (".zenodo.json", '"version": "{v}"', '"version": "9.9.9"', ".zenodo.json"),
    (".zenodo.json", '"publication_type": "book"', '"publication_type": "report"', ".zenodo.json"),
    ("CHANGELOG.md", "## {v} ({d})", "## {v} (1999-01-01)", "CHANGELOG.md dates"),
    ("CHANGELOG.md", "## {v} (", "## Something else (", "CHANGELOG.md has no"),
])
def test_a_copy_that_disagrees_is_named(tmp_path, path, old, new, named):
    book = tmp_path / "book"
    for name in ("CITATION.cff", "pyproject.toml", "src/pcn_evidence/__init__.py", "data/datapackage.json",
                 ".zenodo.json", "CHANGELOG.md", "references.bib", "references-standards.bib",
                 "references-context.bib"):
        (book / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, book / name)
    assert versions.release_fact_problems(book) == []
    target = book / path
    facts = {"v": CFF["version"], "d": CFF["date-released"]}
    old, new = old.format(**facts), new.format(**facts)
    assert old in target.read_text(encoding="utf-8")
    target.write_text(target.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    assert any(named in problem for problem in versions.release_fact_problems(book))


def test_zenodo_metadata_is_a_valid_deposit_with_a_corporate_author_and_no_invented_doi():
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    jsonschema.validate(zenodo, ZENODO_SCHEMA)
    assert "doi" not in zenodo  # Zenodo mints the version's DOI on deposit
    assert [c["name"] for c in zenodo["creators"]] == [a["name"] for a in CFF["authors"]]
    assert zenodo["title"] == CFF["title"] and zenodo["keywords"] == CFF["keywords"]
    assert " ".join(CFF["abstract"].split()) in zenodo["description"]
    identifiers = {r["identifier"].lower() for r in zenodo["related_identifiers"]}
    assert {str(r["doi"]).lower() for r in CFF.get("references", []) if r.get("doi")} <= identifiers
    bib_dois = set(re.findall(r"doi\s*=\s*\{([^}]+)\}", "".join(p.read_text() for p in ROOT.glob("references*.bib"))))
    assert {d.lower() for d in bib_dois} <= identifiers


def test_zenodo_metadata_from_persons_a_licence_list_and_a_doi():
    cff = {"title": "A book", "version": "1.0.0", "date-released": "2027-01-01", "license": ["CC-BY-4.0", "MIT"],
           "abstract": "Plain <b>text</b> & more.", "doi": "10.5281/zenodo.0000000",
           "authors": [{"family-names": "Smith", "given-names": "Ann", "orcid": "https://orcid.org/0000-0002-1825-0097"},
                       {"name": "The {Team}"}],
           "references": [{"doi": "10.1/ABC"}]}
    zenodo = versions.zenodo_metadata(cff, ["doi = {10.1/abc}", "doi = {10.2/xyz}"])
    jsonschema.validate(zenodo, ZENODO_SCHEMA)
    assert zenodo["creators"] == [{"name": "Smith, Ann", "orcid": "0000-0002-1825-0097"}, {"name": "The {Team}"}]
    assert zenodo["license"] == "CC-BY-4.0"  # the first licence listed is the deposit's
    assert zenodo["description"] == "<p>Plain &lt;b&gt;text&lt;/b&gt; &amp; more.</p>"
    assert [r["identifier"] for r in zenodo["related_identifiers"]] == ["10.1/ABC", "10.2/xyz"]
    assert "10.5281/zenodo.0000000" not in json.dumps(zenodo)  # a DOI in CITATION.cff is never the deposit's own


def test_the_data_package_states_its_version_as_the_spec_allows():
    descriptor = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"\d+\.\d+\.\d+", descriptor["version"])
    assert list(descriptor).index("version") == list(descriptor).index("title") + 1


def test_set_release_facts_writes_every_copy(tmp_path):
    book = tmp_path / "book"
    for name in ("CITATION.cff", "pyproject.toml", "src/pcn_evidence/__init__.py", "data/datapackage.json",
                 "CHANGELOG.md", "references.bib"):
        (book / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, book / name)
    changelog = book / "CHANGELOG.md"
    changelog.write_text(changelog.read_text().replace("## Unreleased", "## Unreleased\n\n## 2.0.0 (2027-01-01)\n", 1))
    versions.set_release_facts(book, "2.0.0", "2027-02-03")
    assert versions.release_fact_problems(book) == []
    assert "## 2.0.0 (2027-02-03)" in changelog.read_text()
    comments = [line for line in (book / "CITATION.cff").read_text().splitlines() if line.startswith("#")]
    assert comments == [line for line in (ROOT / "CITATION.cff").read_text().splitlines() if line.startswith("#")]
