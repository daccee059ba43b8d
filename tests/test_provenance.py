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
