"""CITATION.cff must be valid CFF 1.2.0 (the schema is vendored: cffconvert pins jsonschema<4)."""

import json
import re
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_citation_cff_is_valid_against_the_cff_1_2_0_schema():
    schema = json.loads((ROOT / "tests" / "schemas" / "cff-1.2.0.schema.json").read_text())
    # YAML would read the date as a date object; CFF's schema expects the string form.
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    citation = json.loads(json.dumps(citation, default=str))
    jsonschema.validate(citation, schema)


def test_citation_version_matches_the_package():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'version = "{citation["version"]}"' in pyproject


def test_every_source_has_a_bibtex_entry():
    import csv
    keys = set(re.findall(r"@\w+\{([^,]+),", (ROOT / "references.bib").read_text()))
    with (ROOT / "data" / "sources.csv").open(encoding="utf-8") as handle:
        assert {row["citation_key"] for row in csv.DictReader(handle)} <= keys
