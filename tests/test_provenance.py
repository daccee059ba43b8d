import os
from pathlib import Path

import pytest

from helpers import SOURCES
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
