"""The coding audit: every sentence of every source is decided, and each decision holds up."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import DATA, IN_CI, SOURCES, write_csv

from pcn_evidence.coding import audit, digest, source_sentences, split_sentences
from pcn_evidence.errors import EvidenceError
from pcn_evidence.tools.paths import tool

SOURCES_DIR = Path(os.environ.get("PCN_SOURCES_DIR", SOURCES))
STUDY = ("RESULTS\n"
         "Twenty-six CCGs reported that they had allocated some of their staff time to PCNs. Nine CCG staff "
         "described PCNs as being seen as the ‘nirvana’ or ‘cavalry’. This section then turns to coordination.\n")
HEADER = ["source_id", "locator", "digest", "decision", "fact_ids", "reason", "note"]


def decision(locator: str, text: str, decided: str, fact_ids: str = "", reason: str = "", note: str = "") -> list[str]:
    return ["bjgp-2021", locator, digest(text), decided, fact_ids, reason, note]


GOOD = [
    decision("line 1, sentence 1", "RESULTS", "not coded", reason="heading"),
    decision("line 2, sentence 1", "Twenty-six CCGs reported that they had allocated some of their staff time to PCNs.",
             "coded", "tc-staff-time"),
    decision("line 2, sentence 2", "Nine CCG staff described PCNs as being seen as the ‘nirvana’ or ‘cavalry’.",
             "coded", "tc-nirvana"),
    decision("line 2, sentence 3", "This section then turns to coordination.", "not coded", reason="signposting"),
]


@pytest.fixture
def coded_package(mini_package: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The mini package with the reasons vocabulary and a decision per sentence of a two-line study text."""
    shutil.copy(DATA / "coding_reasons.csv", mini_package / "coding_reasons.csv")
    descriptor = json.loads((mini_package / "datapackage.json").read_text())
    descriptor["resources"] += [r for r in json.loads((DATA / "datapackage.json").read_text())["resources"]
                                if r["name"] in {"coding_reasons", "coding_decisions"}]
    (mini_package / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    write_csv(mini_package / "coding_decisions.csv", HEADER, GOOD)
    sources = tmp_path / "sources"
    sources.mkdir()
    import csv
    with (mini_package / "sources.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            (sources / row["source_file"]).write_text(STUDY if row["id"] == "bjgp-2021" else "", encoding="utf-8")
    return mini_package, sources


def problems_with(package: Path, sources: Path, rows: list[list[str]]) -> list[str]:
    write_csv(package / "coding_decisions.csv", HEADER, rows)
    return [str(p) for p in audit(sources, package).problems]


def test_a_complete_and_sound_coding_passes(coded_package):
    result = audit(*reversed(coded_package))
    assert result.problems == []
    assert result.summary == "coding decisions: 4 of 4 source sentences"


def test_the_splitter_keeps_abbreviations_initials_and_quoted_sentences_whole():
    assert [s.text for s in split_sentences("Warwick-Giles L. et al. said so. ‘Yes, e.g. two.’ Then (i.e. later) "
                                            "it ended! Did it?")] == \
        ["Warwick-Giles L. et al. said so.", "‘Yes, e.g. two.’", "Then (i.e. later) it ended!", "Did it?"]
    assert [s.locator for s in source_sentences("x", "A b.\n\nC d. E f.")] == \
        ["line 1, sentence 1", "line 3, sentence 1", "line 3, sentence 2"]


def test_a_sentence_without_a_decision_is_named_with_its_place(coded_package):
    package, sources = coded_package
    found = problems_with(package, sources, GOOD[:3])
    assert any("no coding decision for the sentence at line 2, sentence 3" in p for p in found), found


def test_a_changed_source_makes_its_decision_stale(coded_package):
    package, sources = coded_package
    study = next(p for p in sources.iterdir() if p.read_text())
    study.write_text(STUDY.replace("turns to coordination", "turns to the coordination of care"))
    found = problems_with(package, sources, GOOD)
    assert any("row 4 (line 5), column 'digest'" in p and "stale digest" in p for p in found), found
    assert any("no coding decision for the sentence at line 2, sentence 3" in p for p in found), found


def test_an_unknown_fact_id_is_refused(coded_package):
    package, sources = coded_package
    rows = [*GOOD[:1], decision(GOOD[1][1], "", "coded", "tc-no-such-fact"), *GOOD[2:]]
    rows[1][2] = GOOD[1][2]
    with pytest.raises(EvidenceError, match=r"row 2 \(line 3\), column 'fact_ids': got 'tc-no-such-fact'; unknown"):
        problems_with(package, sources, rows)


def test_a_coded_fact_must_come_from_that_sentence(coded_package):
    package, sources = coded_package
    rows = [list(r) for r in GOOD]
    rows[1][4], rows[2][4] = "tc-nirvana", "tc-staff-time"  # swapped
    found = problems_with(package, sources, rows)
    assert any("row 2 (line 3), column 'fact_ids'" in p and "quote of fact 'tc-nirvana' is not in the sentence at "
               "line 2, sentence 1" in p for p in found), found


def test_a_sentence_with_a_number_needs_a_specific_reason(coded_package):
    package, sources = coded_package
    rows = [list(r) for r in GOOD]
    rows[1][3:7] = ["not coded", "", "signposting", ""]
    found = problems_with(package, sources, rows)
    assert any("row 2 (line 3), column 'reason'" in p and "holds a number: code it, or give a specific reason" in p
               for p in found), found
    assert any("the coded fact 'tc-staff-time'" in p and "is named by no coded sentence" in p for p in found), found


def test_a_reason_gets_what_it_needs(coded_package):
    package, sources = coded_package
    rows = [list(r) for r in GOOD]
    rows[3][3:7] = ["not coded", "", "background", ""]
    rows[0][3:7] = ["not coded", "", "already-coded", ""]
    found = problems_with(package, sources, rows)
    assert any("row 4 (line 5), column 'note'" in p and "'background' needs a note" in p for p in found), found
    assert any("row 1 (line 2), column 'fact_ids'" in p and "'already-coded' names the facts" in p for p in found)


def test_a_coded_sentence_names_facts_and_no_reason(coded_package):
    package, sources = coded_package
    rows = [list(r) for r in GOOD]
    rows[3][3:7] = ["coded", "", "signposting", ""]
    found = problems_with(package, sources, rows)
    assert any("row 4 (line 5), column 'fact_ids'" in p and "names the facts that carry it" in p for p in found)
    assert any("row 4 (line 5), column 'reason'" in p and "has no reason for not being coded" in p for p in found)


def test_a_wrong_locator_is_corrected_by_the_digest(coded_package):
    package, sources = coded_package
    rows = [list(r) for r in GOOD]
    rows[3][1] = "line 2, sentence 9"
    found = problems_with(package, sources, rows)
    assert found == ["data/coding_decisions.csv, row 4 (line 5), column 'locator': got 'line 2, sentence 9'; the "
                     "sentence with this digest is at line 2, sentence 3"]


def test_the_decision_file_holds_no_sentence_text():
    """Digests only: no cell of the decision file repeats five or more words of a source."""
    if not SOURCES_DIR.is_dir():
        pytest.skip(f"LOUD SKIP: no reference sources at {SOURCES_DIR}")
    import csv
    import re
    texts = " ".join(p.read_text(encoding="utf-8").lower() for p in SOURCES_DIR.glob("0*.txt"))
    with (DATA / "coding_decisions.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            words = re.findall(r"[a-z’']+", row["note"].lower())
            runs = {" ".join(words[i:i + 6]) for i in range(len(words) - 5)}
            copied = [run for run in runs if run in texts]
            assert not copied, f"{row['locator']} of {row['source_id']}: the note copies the source: {copied[0]!r}"


def test_every_sentence_of_every_source_is_decided():
    if not SOURCES_DIR.is_dir():
        message = f"the reference sources are not at {SOURCES_DIR}: the coding audit could not run"
        if IN_CI:
            pytest.fail(message)
        pytest.skip("LOUD SKIP: " + message)
    result = subprocess.run(tool("coding_audit"), capture_output=True, text=True,
                            env=dict(os.environ, PCN_SOURCES_DIR=str(SOURCES_DIR)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("coding decisions: ")
