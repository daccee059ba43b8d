"""Scaffold a new source: `make add-source FILE=012_<digest>.txt KIND=<kind id> ID=<source id>`.

What can be scaffolded without reading the source, and nothing more:

* a row in data/sources.csv with its id, kind, reference file and citation key, and a
  placeholder ("TODO: ...") in every other cell a reader sees, which the validator refuses
  (naming file, row and column) until it is filled in from the source;
* a BibTeX stub in references.bib, whose placeholders a test refuses the same way;
* the coding worksheet of the new source (_build/coding/<id>.csv): every sentence, to decide.

The facts, the matrix judgements, the appraisal and the record of the change need a reader:
CONTRIBUTING.md, "Adding a source", lists them in order.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ..schema import PLACEHOLDER
from .coding_audit import write_worksheet
from .paths import ROOT, sources_dir
from .rows import append_row, read_rows

FILLED_LATER = {  # column -> what the contributor writes there (empty columns are left empty)
    "title": "the title as published", "outlet": "journal, publisher or outlet", "label": "the name readers see",
    "date_note": "how the date is known, or why it is unknown", "role": "what the source is as evidence",
    "evidence_stream": "the independent line of evidence it belongs to",
}


def scaffold(root: Path, file: str, kind: str, source_id: str) -> list[str]:
    """Add the new source's row, BibTeX stub and worksheet under ``root``; return what was written.

    Raises ``SystemExit`` with a one-line reason for a missing file, an unknown kind or a taken id.
    """
    reference = sources_dir(root) / file
    if not reference.is_file():
        raise SystemExit(f"add-source: no reference text {reference} (FILE is a file name in {sources_dir(root)})")
    kinds = [row["id"] for row in read_rows(root / "data" / "source_kinds.csv")[1]]
    if kind not in kinds:
        raise SystemExit(f"add-source: KIND={kind!r} is not in data/source_kinds.csv; it is one of {', '.join(kinds)} "
                         "(a new kind of source is a new row there, with its label, plural and group)")
    if not re.fullmatch(r"[a-z0-9-]+", source_id):
        raise SystemExit(f"add-source: ID={source_id!r} must be lower-case letters, digits and hyphens")
    table = root / "data" / "sources.csv"
    header, rows = read_rows(table)
    if any(row["id"] == source_id for row in rows):
        raise SystemExit(f"add-source: data/sources.csv already has a source {source_id!r}")
    key = re.sub(r"[^a-z0-9]", "", source_id)
    row = {column: "" for column in header}
    row.update({column: f"{PLACEHOLDER} {what}" for column, what in FILLED_LATER.items() if column in row})
    row.update(id=source_id, kind=kind, source_file=file, citation_key=key, short_label=f"{PLACEHOLDER} {key}"[:24])
    append_row(table, row)
    bib = root / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").rstrip("\n") + f"\n\n@misc{{{key},\n"
                   f"  author = {{{PLACEHOLDER} authors, or the body in double braces}},\n"
                   f"  title  = {{{PLACEHOLDER} title, proper nouns in braces}},\n"
                   f"  year   = {{{PLACEHOLDER} year, or n.d.}}\n}}\n", encoding="utf-8")
    sheet = root / "_build" / "coding" / f"{source_id}.csv"
    write_worksheet(sheet, source_id, reference.read_text(encoding="utf-8"))
    return [str(p.relative_to(root)) for p in (table, bib, sheet)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", help="the reference text's file name in the sources folder")
    parser.add_argument("kind", help="a kind id from data/source_kinds.csv")
    parser.add_argument("id", help="the new source's id (lower case, digits and hyphens)")
    args = parser.parse_args(argv)
    for written in scaffold(ROOT, args.file, args.kind, args.id):
        print(f"wrote {written}")
    print("next: fill every 'TODO:' (make test names each), then follow CONTRIBUTING.md, 'Adding a source'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
