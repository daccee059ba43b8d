"""CITATION.cff must be valid CFF 1.2.0: against the vendored schema, and to cffconvert, the format's own tool.

cffconvert pins jsonschema<4, which the book's environment cannot hold, so `make test` installs it
into a venv of its own (_build/cffconvert, pinned in requirements-cff.txt).
"""

import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml
from helpers import IN_CI

ROOT = Path(__file__).resolve().parents[1]
CFFCONVERT = ROOT / "_build" / "cffconvert" / "bin" / "cffconvert"


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


def test_references_bib_holds_the_sources_and_nothing_else():
    # the sources page lists every entry of references.bib as the sources' bibliography
    import csv
    keys = set(re.findall(r"@\w+\{([^,]+),", (ROOT / "references.bib").read_text()))
    with (ROOT / "data" / "sources.csv").open(encoding="utf-8") as handle:
        cited = {row["citation_key"] for row in csv.DictReader(handle)}
    assert cited - keys == set(), "a source has no entry in references.bib"
    assert keys - cited == set(), "references.bib has an entry that is not a source (put it in its own .bib file)"


def _cffconvert(path: Path) -> subprocess.CompletedProcess:
    if not CFFCONVERT.exists():
        message = f"cffconvert is not installed at {CFFCONVERT}: `make test` installs it (requirements-cff.txt)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(f"LOUD SKIP: {message}")
    return subprocess.run([str(CFFCONVERT), "--validate", "-i", str(path)], capture_output=True, text=True)


def test_cffconvert_validates_citation_cff():
    result = _cffconvert(ROOT / "CITATION.cff")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid according to schema version 1.2.0" in result.stdout


def test_cffconvert_refuses_a_citation_file_with_a_date_it_cannot_read(tmp_path):
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    broken = tmp_path / "CITATION.cff"
    broken.write_text(re.sub(r"^date-released: .*$", "date-released: 23 November 2026", text, flags=re.M),
                      encoding="utf-8")
    assert _cffconvert(broken).returncode != 0
