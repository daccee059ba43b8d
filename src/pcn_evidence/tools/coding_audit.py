"""The coding audit: every sentence of every source has a decision in data/coding_decisions.csv.

    python -m pcn_evidence.tools.coding_audit            check (what `make coding-audit` runs)
    python -m pcn_evidence.tools.coding_audit worksheet  write _build/coding/<source>.csv: each sentence with its text,
                                            its current decision, and for an undecided sentence the facts
                                            whose quotes it holds, to review and complete
    python -m pcn_evidence.tools.coding_audit accept     copy the decisions in the worksheets into data/ (without the text)

The sources are looked for in ../shared/sources (or PCN_SOURCES_DIR). The worksheets hold the
sources' sentences, so they live in _build/ and are never committed.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from ..coding import DECISIONS, audit, carries, citable_facts, holds_number, reports_speech, source_sentences
from ..errors import EvidenceError
from ..facts import Fact
from ..schema import validate_package
from .paths import ROOT, sources_dir
from .rows import read_rows, write_rows

COLUMNS = ["source_id", "locator", "digest", "decision", "fact_ids", "reason", "note"]
WORKSHEETS = ROOT / "_build" / "coding"


def check() -> int:
    if not sources_dir().is_dir():
        print(f"coding audit: no reference texts at {sources_dir()} (set PCN_SOURCES_DIR); nothing was checked",
              file=sys.stderr)
        return 2
    result = audit(sources_dir(), ROOT / "data")
    for problem in result.problems:
        print(f"  - {problem}", file=sys.stderr)
    print(result.summary + ("" if not result.problems else f"; {len(result.problems)} problem(s) above"))
    return 1 if result.problems or result.decided < result.total else 0


def _current() -> dict[tuple[str, str], dict[str, str]]:
    path = ROOT / "data" / f"{DECISIONS}.csv"
    return {(row["source_id"], row["digest"]): row for row in read_rows(path)[1]} if path.exists() else {}


def worksheet() -> int:
    package = validate_package(ROOT / "data")
    current, coded = _current(), citable_facts(ROOT / "data")
    for row in package.tables["sources"].rows:
        text = (sources_dir() / row["source_file"]).read_text(encoding="utf-8")
        own = [f for f in coded.values() if f.source_id == row["id"]]
        out = WORKSHEETS / f"{row['id']}.csv"
        write_worksheet(out, row["id"], text, current, own)
        print(f"wrote {out.relative_to(ROOT)}")
    return 0


def write_worksheet(out: Path, source_id: str, text: str, current: dict[tuple[str, str], dict[str, str]] | None = None,
                    own: list[Fact] | None = None) -> None:
    """One source's worksheet: each sentence with its text and its decision, or, for an undecided sentence,
    the facts (of ``own``) whose quotes it holds. `make add-source` writes a new source's with neither."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, [*COLUMNS, "holds_number", "reports_speech", "text"])
        writer.writeheader()
        for sentence in source_sentences(source_id, text):
            decided = (current or {}).get((source_id, sentence.digest))
            proposal = {"decision": "", "fact_ids": "", "reason": "", "note": ""}
            if decided:
                proposal = {key: decided[key] for key in proposal}
            else:
                ids = [f.id for f in own or [] if carries(f.quote, sentence.text)]
                if ids:
                    proposal.update(decision="coded", fact_ids=";".join(ids))
            writer.writerow({"source_id": source_id, "locator": sentence.locator, "digest": sentence.digest,
                             **proposal, "holds_number": holds_number(sentence.text),
                             "reports_speech": reports_speech(sentence.text), "text": sentence.text})


def accept() -> int:
    # reads sources.csv directly: the decisions being replaced may be what makes the package invalid
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for source in read_rows(ROOT / "data" / "sources.csv")[1]:
        for sheet in sorted(WORKSHEETS.glob(f"{source['id']}*.csv")):  # a long source may be split in parts
            for row in read_rows(sheet)[1]:
                if row["decision"].strip():
                    rows.setdefault((row["source_id"], row["digest"]), {c: row[c].strip() for c in COLUMNS})
    write_rows(ROOT / "data" / f"{DECISIONS}.csv", COLUMNS, list(rows.values()))
    print(f"data/{DECISIONS}.csv: {len(rows)} decisions")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="check", choices=["check", "worksheet", "accept"])
    try:
        return {"check": check, "worksheet": worksheet, "accept": accept}[parser.parse_args(argv).command]()
    except EvidenceError as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
