"""Make a synthetic data set larger, for benchmarking only (`make bench-scale`).

``--scale N`` repeats every fact table N times with suffixed ids (quotes stay verbatim,
so the data still validate); tables whose keys are closed vocabularies (sources, coreq,
the synthesis tables) are left as they are. ``--sources N`` instead adds copies of the
real sources until there are N, each with its own facts, coding decisions, judgements
and bibliography entry, as a contributor adding sources would. Writes in place into the
book folder given (its data/ and references.bib), which must be a throwaway copy.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from .rows import read_rows, write_rows

# A copied press claim with a number is a new claim the book would have to pair
# with a study fact by hand (STUDY_MATCH_OVERRIDES); copies carry no number.
BLANK_IN_COPIES = {"reported_findings": ("number", "unit")}
# The copies are written as they always were, with csv's default line ending (the book's own tables end in \n).
CRLF = "\r\n"
# theme_counts is not repeated: its chapter describes particular counts in prose
# (e.g. the one count of social prescribers), which copies would contradict.
REPEATABLE = {"policy_context", "study_design", "topic_guide", "study_findings",
              "coverage", "reported_findings", "timeline"}


def scale_table(path: Path, times: int, blank: tuple[str, ...] = ()) -> int:
    header, rows = read_rows(path)
    out = []
    for copy in range(times):
        for row in rows:
            row = dict(row)
            if copy:
                row["id"] = f"{row['id']}-s{copy}"
                row.update({column: "" for column in blank})
            out.append(row)
    if "order" in header:
        for position, row in enumerate(out, start=1):
            row["order"] = str(position)
    write_rows(path, header, out, CRLF)
    return len(out)


# the tables whose rows belong to one source, and the columns that name facts in them
PER_SOURCE = {"reported_findings": "id", "study_findings": "id"}


def add_sources(data_dir: Path, total: int) -> int:
    """Copy the real sources (with their facts, decisions, judgements and BibTeX) until there are ``total``."""
    s_header, sources = read_rows(data_dir / "sources.csv")
    bib = data_dir.parent / "references.bib"
    entries = {m.group(2): m.group(0) for m in re.finditer(r"@(\w+)\{([a-z0-9]+),.*?\n\}\n", bib.read_text(), re.S)}
    tables = {name: read_rows(data_dir / f"{name}.csv") for name in (*PER_SOURCE, "coding_decisions", "evidence_matrix")}
    added: dict[str, list[dict[str, str]]] = {name: [] for name in tables}
    new_sources: list[dict[str, str]] = []
    new_bib: list[str] = []
    copy = 0
    while len(sources) + len(new_sources) < total:
        original = sources[copy % len(sources)]
        k = copy // len(sources) + 1
        suffix = f"-s{k}"
        ids: dict[str, str] = {}
        for name, key in PER_SOURCE.items():
            for row in tables[name][1]:
                if row["source_id"] == original["id"]:
                    ids[row[key]] = row[key] + suffix
                    added[name].append({**row, key: row[key] + suffix, "source_id": original["id"] + suffix,
                                        **{c: "" for c in BLANK_IN_COPIES.get(name, ())}})
        def copied(cell: str, ids: dict[str, str] = ids) -> str:  # the cited facts that were copied, renamed
            return ";".join(ids[i.strip()] for i in cell.split(";") if i.strip() in ids)
        for row in tables["evidence_matrix"][1]:
            if row["source_id"] == original["id"] and copied(row["evidence_ids"]):
                added["evidence_matrix"].append({**row, "source_id": original["id"] + suffix,
                                                 "evidence_ids": copied(row["evidence_ids"])})
        for row in tables["coding_decisions"][1]:
            if row["source_id"] == original["id"]:
                facts = copied(row["fact_ids"])
                uncopied = row["fact_ids"] and not facts  # its facts are in a table not copied
                added["coding_decisions"].append({
                    **row, "source_id": original["id"] + suffix, "fact_ids": facts,
                    **({"decision": "not coded", "reason": "outside-scope", "note": "synthetic copy"} if uncopied else {})})
        key = f"{original['citation_key']}s{k}"
        # a copy needs an author-year label of its own: the build refuses references a reader cannot tell apart
        entry = entries[original["citation_key"]].replace(original["citation_key"], key, 1)
        entry = re.sub(r"^\s*author\s*=\s*\{.*\},?\n", "", entry, count=1, flags=re.M)
        new_bib.append(entry.replace(",\n", f",\n  author = {{{{Synthetic copy {len(new_sources) + 1}}}}},\n", 1))
        # a copy covers no one's report: the NHS Confederation page compares exactly two press accounts of
        # its report, and stops with an error naming the articles if asked to compare more
        new_sources.append({**original, "id": original["id"] + suffix, "citation_key": key, "covers": "",
                            "label": f"{original['label']} (copy {k})",
                            "short_label": f"{original['short_label'][:12]} ({copy % len(sources)}.{k})"})
        copy += 1
    write_rows(data_dir / "sources.csv", s_header, sources + new_sources, CRLF)
    for name, (header, rows) in tables.items():
        write_rows(data_dir / f"{name}.csv", header, rows + added[name], CRLF)
    bib.write_text(bib.read_text() + "\n" + "\n".join(new_bib))
    return len(sources) + len(new_sources)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--sources", type=int, default=0, help="add copies of the sources until there are this many")
    args = parser.parse_args()
    if (args.data_dir.resolve() == (Path(__file__).resolve().parents[1] / "data")):
        raise SystemExit("refusing to overwrite the real data/: pass a copy")
    if args.sources:
        print(f"sources.csv: {add_sources(args.data_dir, args.sources)} sources")
        return
    descriptor = json.loads((args.data_dir / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        if resource["name"] in REPEATABLE:
            rows = scale_table(args.data_dir / resource["path"], args.scale, BLANK_IN_COPIES.get(resource["name"], ()))
            print(f"{resource['path']}: {rows} rows")


if __name__ == "__main__":
    main()
