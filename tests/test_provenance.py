import json
import os
from pathlib import Path

import pytest
from helpers import GOOD_COUNT_ROWS, SOURCES, THEME_COUNTS_HEADER, write_csv

from pcn_evidence.provenance import is_verbatim, normalise, quote_problems

SOURCES_DIR = Path(os.environ.get("PCN_SOURCES_DIR", SOURCES))


def test_normalise_folds_typography():
    assert normalise("‘nirvana’ — “cavalry”\u00a0 x") == "'nirvana' - \"cavalry\" x"


def test_pieces_joined_by_ellipsis_must_each_be_verbatim():
    text = "The PCN contract caused lots of distraction for a number of months … it has taken us backwards."
    assert is_verbatim("The PCN contract caused lots of distraction … taken us backwards", text)
    assert not is_verbatim("The PCN contract caused no distraction … taken us backwards", text)


@pytest.mark.skipif(not SOURCES_DIR.is_dir(), reason=f"LOUD SKIP: reference sources not found at {SOURCES_DIR}; "
                    "quotes were not checked against the texts (set PCN_SOURCES_DIR)")
def test_every_shipped_quote_is_verbatim_in_its_source():
    problems = quote_problems(SOURCES_DIR)
    assert not problems, "\n".join(map(str, problems))


def _sources_for(mini_package, text: str, tmp_path):
    """Reference texts for the mini package's sources: the study's text is ``text``."""
    import csv

    folder = tmp_path / "sources"
    folder.mkdir()
    with (mini_package / "sources.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            (folder / row["source_file"]).write_text(text if row["id"] == "bjgp-2021" else "", encoding="utf-8")
    return folder


def test_a_quote_that_is_not_in_its_source_is_caught(mini_package, tmp_path):
    text = ("Twenty-six CCGs reported that they had allocated some of their staff time. "
            "Nine CCG staff described PCNs as being seen as the ‘nirvana’ or ‘cavalry’.")
    sources = _sources_for(mini_package, text, tmp_path)
    assert quote_problems(sources, mini_package) == []
    # the same quote with one word changed is no longer verbatim
    path = mini_package / "theme_counts.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("allocated some of their staff time",
                                                            "allocated all of their staff time"), encoding="utf-8")
    problems = quote_problems(sources, mini_package)
    assert len(problems) == 1 and "the quote is not verbatim in 001_ab8580b6fce35e6e.txt" in str(problems[0])
    assert "row 1 (line 2), column 'quote'" in str(problems[0])


def test_a_quote_with_no_reference_text_is_reported_not_passed(mini_package, tmp_path):
    empty = tmp_path / "none"
    empty.mkdir()
    problems = quote_problems(empty, mini_package)
    assert problems and all("no reference text for source 'bjgp-2021'" in str(p) for p in problems)


QUOTES = [row[-1] for row in GOOD_COUNT_ROWS]  # the mini package's two quotes, as coded


def test_each_quote_without_a_reference_text_is_named_by_row(mini_package, tmp_path):
    empty = tmp_path / "none"
    empty.mkdir()
    assert [str(p) for p in quote_problems(empty, mini_package)] == [
        f"data/theme_counts.csv, row {n} (line {n + 1}), column 'quote': got {quote[:60]!r}; no reference text for "
        "source 'bjgp-2021' to check the quote against" for n, quote in enumerate(QUOTES, start=1)]


def test_a_quote_that_is_not_verbatim_is_named_by_row_and_shown_up_to_80_characters(mini_package, tmp_path):
    sources = _sources_for(mini_package, " ".join(QUOTES), tmp_path)
    changed = QUOTES[1] + " and by some of the GPs in their areas, who did not"  # over 80 characters
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER,
              [GOOD_COUNT_ROWS[0], GOOD_COUNT_ROWS[1][:-1] + [changed]])
    assert [str(p) for p in quote_problems(sources, mini_package)] == [
        f"data/theme_counts.csv, row 2 (line 3), column 'quote': got {changed[:80]!r}; the quote is not verbatim in "
        "001_ab8580b6fce35e6e.txt"]


def test_a_row_without_a_quote_is_skipped_and_the_rows_after_it_are_checked(mini_package, tmp_path):
    schema_path = mini_package / "schemas" / "theme_counts.json"
    schema = json.loads(schema_path.read_text())
    next(f for f in schema["fields"] if f["name"] == "quote")["constraints"].pop("required")
    schema_path.write_text(json.dumps(schema))
    sources = _sources_for(mini_package, " ".join(QUOTES), tmp_path)
    write_csv(mini_package / "theme_counts.csv", THEME_COUNTS_HEADER,
              [GOOD_COUNT_ROWS[0][:-1] + [""], GOOD_COUNT_ROWS[1][:-1] + ["Nine CCG staff described PCNs as heroes"]])
    problems = quote_problems(sources, mini_package)
    assert [(p.row, p.message) for p in problems] == [(2, "the quote is not verbatim in 001_ab8580b6fce35e6e.txt")]
