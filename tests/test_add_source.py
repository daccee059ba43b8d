"""Adding a source is a data task: a source of a kind the book has never held reaches every page with no code change.

The slow proof (`make test-slow`) builds a copy of the whole book with one new source of a new
kind, added as CONTRIBUTING.md says (`make add-source`, then the data), and reads the pages back.
The fast tests check the scaffold's own refusals.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from helpers import IN_CI, ROOT, SOURCES

from pcn_evidence.changes import compare, snapshot
from pcn_evidence.errors import EvidenceError
from pcn_evidence.schema import validate_package
from pcn_evidence.tools import add_source
from pcn_evidence.tools.paths import tool, working_copy
from pcn_evidence.tools.rows import append_row

NEW_TEXT = ("A test report on networks\n\nCommissioners in one region said that expectations of networks were "
            "high in their first year.\n")
QUOTE = "expectations of networks were high in their first year"


def _text(page: Path) -> str:
    """A built page's words, with white space collapsed (a glued number sits in its own span)."""
    from bs4 import BeautifulSoup

    return " ".join(BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").get_text(" ").split())


def _fill(path: Path, fills: dict[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in fills.items():
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def sources_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if not SOURCES.is_dir():
        if IN_CI:
            pytest.fail(f"the reference texts are not at {SOURCES}")
        pytest.skip(f"LOUD SKIP: no reference texts at {SOURCES}")
    folder = tmp_path / "sources"
    shutil.copytree(SOURCES, folder)
    (folder / "012_test.txt").write_text(NEW_TEXT, encoding="utf-8")
    monkeypatch.setenv("PCN_SOURCES_DIR", str(folder))
    return folder


def test_the_scaffold_refuses_an_unknown_kind_a_taken_id_and_a_missing_file(tmp_path, sources_copy):
    work, _ = working_copy(tmp_path / "book")
    with pytest.raises(SystemExit, match="KIND='white paper' is not in data/source_kinds.csv; it is one of"):
        add_source.scaffold(work, "012_test.txt", "white paper", "new-source")
    with pytest.raises(SystemExit, match="already has a source 'bjgp-2021'"):
        add_source.scaffold(work, "012_test.txt", "trade-press", "bjgp-2021")
    with pytest.raises(SystemExit, match="no reference text"):
        add_source.scaffold(work, "013_missing.txt", "trade-press", "new-source")


def test_the_scaffolds_placeholders_are_refused_until_filled(tmp_path, sources_copy):
    work, _ = working_copy(tmp_path / "book")
    written = add_source.scaffold(work, "012_test.txt", "trade-press", "new-source")
    assert written == ["data/sources.csv", "references.bib", "_build/coding/new-source.csv"]
    with pytest.raises(EvidenceError) as refused:
        validate_package(work / "data")
    row = len(pd.read_csv(work / "data" / "sources.csv"))  # the new source is the last row
    assert f"data/sources.csv, row {row} (line {row + 1}), column 'title'" in str(refused.value)
    assert "a placeholder from `make add-source` is still here" in str(refused.value)
    sheet = pd.read_csv(work / "_build" / "coding" / "new-source.csv")
    assert list(sheet["text"]) == ["A test report on networks", NEW_TEXT.split("\n\n")[1].strip()]


@pytest.mark.build
@pytest.mark.slow
def test_a_source_of_a_new_kind_reaches_every_page_with_data_alone(tmp_path, sources_copy):
    work, env = working_copy(tmp_path / "book")
    env["PCN_SOURCES_DIR"] = str(sources_copy)
    data = work / "data"
    before = pd.read_csv(data / "sources.csv", dtype=str)
    append_row(data / "source_kinds.csv", {"id": "government-report", "label": "government report",
                                        "plural": "government reports", "group": "report", "counts_as_study": "false",
                                        "meaning": "A government department's own report."})
    add_source.scaffold(work, "012_test.txt", "government-report", "test-2099-report")
    sources = pd.read_csv(data / "sources.csv", dtype=str, keep_default_na=False)
    sources.loc[sources["id"] == "test-2099-report", ["title", "outlet", "label", "short_label", "date_note", "role",
                                                      "evidence_stream"]] = [
        "A test report on networks", "Test Department", "Test Department report", "Test report",
        "Undated in the text.", "a government report, not a study", "the test department"]
    sources.to_csv(data / "sources.csv", index=False, lineterminator="\n")
    _fill(work / "references.bib", {"TODO: authors, or the body in double braces": "{Test Department}",
                                    "TODO: title, proper nouns in braces": "A test report on networks",
                                    "TODO: year, or n.d.": "n.d."})
    append_row(data / "reported_findings.csv", {
        "id": "pf-test-expectations-high", "reports_on": "own account", "speaker": "Test Department", "body": "Outlet",
        "speech": "outlet statement", "finding": "The test report says expectations of networks were high.",
        "topics": "expectations-workload", "source_id": "test-2099-report", "locator": "paragraph 1", "quote": QUOTE})
    sheet = pd.read_csv(work / "_build" / "coding" / "test-2099-report.csv", dtype=str)
    for row, decision in zip(sheet.itertuples(), [("not coded", "", "heading"),
                                                 ("coded", "pf-test-expectations-high", "")]):
        append_row(data / "coding_decisions.csv", {"source_id": row.source_id, "locator": row.locator,
                                                "digest": row.digest, "decision": decision[0],
                                                "fact_ids": decision[1], "reason": decision[2]})
    append_row(data / "evidence_matrix.csv", {"finding_id": "f-expectations-workload", "source_id": "test-2099-report",
                                           "stance": "supports", "evidence_ids": "pf-test-expectations-high",
                                           "note": "The test report says expectations were high."})
    # the record of the change, as `make evidence-diff WRITE=1` keeps it (here: the step this test adds)
    added = compare(snapshot(ROOT / "data"), snapshot(data), previous="0.1.0")
    added.to_csv(data / "evidence_changes.csv", mode="a", header=False, index=False, lineterminator="\n")

    result = subprocess.run(tool("book", "build"), cwd=work, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = work / "_build" / "html"
    page = {name: _text(html / "chapters" / f"{name}.html")
            for name in ("sources", "synthesis", "confidence", "key_messages", "whats_new")}
    total = len(before) + 1
    assert f"The book rests on {total} sources" in page["sources"]
    assert "1 government report" in page["sources"] and "Test Department report" in page["sources"]
    assert "A test report on networks" in page["sources"]  # its reference, in the page's bibliography
    assert page["synthesis"].count("Test Department report") >= 2  # the coverage table and the sources table
    assert "Test Department report (supports; 1 fact)" in page["confidence"]  # a count: no fact id on the page
    assert f"of the {total} sources are undated" in page["key_messages"]
    assert "Test Department report" in page["whats_new"]
    # named by its label on every page (the build fails on an id shown), its id kept in the data it downloads
    assert not [name for name, text in page.items() if "test-2099-report" in text or "pf-test-expectations-high" in text]
    assert "test-2099-report" in (html / "downloads" / "data" / "sources.csv").read_text(encoding="utf-8")
