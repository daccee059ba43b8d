"""CITATION.cff must be valid CFF 1.2.0: against the vendored schema, and to cffconvert, the format's own tool.

cffconvert pins jsonschema<4, which the book's environment cannot hold, so `make test` installs it
into a venv of its own (_build/cffconvert, pinned in requirements-cff.txt).

What cffconvert makes of the file is checked too, by running it: its Zenodo JSON, schema.org, CodeMeta
and APA-like text are clean and may be used; its BibTeX, RIS and EndNote lose the version, so the book's
own BibTeX (How to cite, ``pcn_evidence.citation``) is the one to use (README.md, How to cite).
"""

import functools
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


def _require_cffconvert() -> None:
    if not CFFCONVERT.exists():
        message = f"cffconvert is not installed at {CFFCONVERT}: `make test` installs it (requirements-cff.txt)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(f"LOUD SKIP: {message}")


def _run_cffconvert(*args: str) -> subprocess.CompletedProcess:
    _require_cffconvert()
    return subprocess.run([str(CFFCONVERT), *args], capture_output=True, text=True)


def _cffconvert(path: Path) -> subprocess.CompletedProcess:
    return _run_cffconvert("--validate", "-i", str(path))


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


# --- What cffconvert converts CITATION.cff into (issue #24, item 7) ------------------------------

CFF = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
SPDX = "https://spdx.org/licenses/"


FORMATS = ("zenodo", "schema.org", "codemeta", "apalike", "bibtex", "ris", "endnote")  # every one the tests read

# cffconvert's own command line, run for each format in one Python of its venv (click's test runner calls it as
# the shell would and keeps what it prints apart): its start, once a format, was most of what these tests cost.
CONVERT_ALL = """
import json, sys
from click.testing import CliRunner
from cffconvert.cli.cli import cli
runs = {f: CliRunner().invoke(cli, ["-i", sys.argv[1], "-f", f]) for f in sys.argv[2:]}
print(json.dumps({f: [r.exit_code, r.stdout, r.stderr] for f, r in runs.items()}))
"""


@functools.cache
def _conversions() -> dict[str, tuple[int, str, str]]:
    _require_cffconvert()
    python = CFFCONVERT.with_name("python")
    result = subprocess.run([str(python), "-c", CONVERT_ALL, str(ROOT / "CITATION.cff"), *FORMATS],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return {f: tuple(run) for f, run in json.loads(result.stdout).items()}


def _converted(output_format: str) -> str:
    code, stdout, stderr = _conversions()[output_format]
    assert code == 0, stdout + stderr
    return stdout


def test_citation_cff_names_one_licence_the_text_and_data_licence():
    # CFF reads a list of licences as a choice (OR): ["CC-BY-4.0", "MIT"] offered the text under MIT too
    assert CFF["license"] == "CC-BY-4.0"
    assert "Attribution 4.0" in (ROOT / "LICENSE-CONTENT").read_text(encoding="utf-8")
    assert "MIT" in (ROOT / "LICENSE").read_text(encoding="utf-8").splitlines()[0], "the code's licence is its own file"


def test_cffconvert_writes_clean_zenodo_json():
    zenodo = json.loads(_converted("zenodo"))
    assert zenodo["license"] == {"id": "CC-BY-4.0"}  # was {"id": ["CC-BY-4.0", "MIT"]}
    assert zenodo["creators"] == [{"name": author["name"]} for author in CFF["authors"]]
    assert (zenodo["title"], zenodo["version"], zenodo["publication_date"]) == (
        CFF["title"], str(CFF["version"]), str(CFF["date-released"]))
    assert zenodo["keywords"] == CFF["keywords"]


@pytest.mark.parametrize("output_format, context", [("schema.org", "https://schema.org"),
                                                    ("codemeta", "https://doi.org/10.5063/schema/codemeta-2.0")])
def test_cffconvert_writes_clean_schema_org_and_codemeta(output_format, context):
    metadata = json.loads(_converted(output_format))
    assert metadata["@context"] == context
    assert metadata["license"] == SPDX + CFF["license"]  # was https://spdx.org/licenses/['CC-BY-4.0', 'MIT']
    assert metadata["author"] == [{"@type": "Person", "name": author["name"]} for author in CFF["authors"]]
    assert (metadata["name"], metadata["version"], metadata["datePublished"]) == (
        CFF["title"], str(CFF["version"]), str(CFF["date-released"]))
    assert (metadata["url"], metadata["codeRepository"]) == (CFF["url"], CFF["repository-code"])


def test_cffconvert_writes_a_clean_apa_like_citation():
    authors = ", ".join(author["name"] for author in CFF["authors"])
    year = str(CFF["date-released"])[:4]
    assert _converted("apalike") == f"{authors} ({year}). {CFF['title']} (version {CFF['version']}). URL: {CFF['url']}\n"


@pytest.mark.parametrize("output_format", ["bibtex", "ris", "endnote"])
def test_cffconvert_bibtex_ris_and_endnote_lose_the_version_so_they_are_not_the_ones_to_use(output_format):
    # README.md (How to cite) says to use the book's own BibTeX instead: if cffconvert is upgraded and
    # this fails, check the new output and update the README.
    output = _converted(output_format)
    assert CFF["title"] in output
    assert str(CFF["version"]) not in output


def test_cffconvert_bibtex_is_wrong_where_the_books_own_bibtex_is_right():
    from pybtex.database import parse_string

    from pcn_evidence.citation import BOOK_KEY, bibtex
    from pcn_evidence.release import read_release

    group = CFF["authors"][0]["name"]
    theirs = parse_string(_converted("bibtex"), "bibtex").entries
    (key, entry), = theirs.items()
    assert key == "YourReferenceHere" and entry.fields["month"] == str(CFF["date-released"].month)
    assert "version" not in entry.fields
    (author,) = entry.persons["author"]
    assert author.last_names == [group.split()[-1]], "single braces: the group is read as a person, its last word a surname"
    ours = parse_string(bibtex(read_release(ROOT / "CITATION.cff")), "bibtex").entries
    (key, entry), = ours.items()
    assert key == BOOK_KEY and entry.fields["version"] == str(CFF["version"])
    (author,) = entry.persons["author"]
    assert author.first_names == [] and author.last_names == [f"{{{group}}}"]
