"""Make a synthetic data set N times larger, for benchmarking only (`make bench-scale`).

Every fact table is repeated N times with suffixed ids (quotes stay verbatim,
so the data still validate); tables whose keys are closed vocabularies
(sources, coreq, the synthesis tables) are left as they are. Writes in place
into the folder given, which must be a throwaway copy: never run it on data/.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

# A copied press claim with a number is a new claim the book would have to pair
# with a study fact by hand (STUDY_MATCH_OVERRIDES); copies carry no number.
BLANK_IN_COPIES = {"reported_findings": ("number", "unit")}
# theme_counts is not repeated: its chapter describes particular counts in prose
# (e.g. the one count of social prescribers), which copies would contradict.
REPEATABLE = {"policy_context", "study_design", "topic_guide", "study_findings",
              "coverage", "reported_findings", "timeline"}


def scale_table(path: Path, times: int, blank: tuple[str, ...] = ()) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
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
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(out)
    return len(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--scale", type=int, default=10)
    args = parser.parse_args()
    if (args.data_dir.resolve() == (Path(__file__).resolve().parents[1] / "data")):
        raise SystemExit("refusing to overwrite the real data/: pass a copy")
    descriptor = json.loads((args.data_dir / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        if resource["name"] in REPEATABLE:
            rows = scale_table(args.data_dir / resource["path"], args.scale, BLANK_IN_COPIES.get(resource["name"], ()))
            print(f"{resource['path']}: {rows} rows")


if __name__ == "__main__":
    main()
