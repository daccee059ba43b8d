"""Tests for pcn_evidence.wording: pairing a second-hand account's numbers with its source, and their wording.

The trade-press chapter uses these on the real data; the tests below run them on the
real coded facts and on small planted frames, one planted fault for each guard.
"""

from __future__ import annotations

import pandas as pd
import pytest

from pcn_evidence import load_table
from pcn_evidence.facts import facts
from pcn_evidence.wording import (
    has_phrase,
    match_candidates,
    match_press_to_study,
    number_as_written,
    units_compatible,
    wording_differences,
)

#: The one override the trade-press chapter needs ("four CCGs" fits three study facts).
OVERRIDES = {"pf-hl-four-ccgs-seconded-staff": "tc-ccgs-seconded-staff"}


@pytest.fixture(scope="module")
def study_facts() -> pd.DataFrame:
    """The study's numbered facts, as the trade-press chapter pools them."""
    return pd.DataFrame([
        {"id": f.id, "table": f.table, "number": f.number, "unit": f.unit, "quote": f.quote}
        for f in facts().values() if f.table in ("theme_counts", "study_design") and f.number is not None
    ])


@pytest.fixture(scope="module")
def claims() -> pd.DataFrame:
    press = load_table("reported_findings")
    return press[(press["reports_on"] == "BJGP study") & press["number"].notna()].reset_index(drop=True)


@pytest.fixture(scope="module")
def qualifiers() -> tuple[dict[str, str], dict[str, str]]:
    table = load_table("qualifiers")
    by_kind = {kind: dict(zip(rows["id"], rows["meaning"])) for kind, rows in table.groupby("kind")}
    return by_kind["number"], by_kind["scope"]


# --------------------------------------------------------------------------- words and units

def test_has_phrase_matches_whole_words_in_any_case():
    assert has_phrase("The ARRS is restrictive", "ARRS")
    assert has_phrase("Burnout and more BURNOUT", "burnout")
    assert not has_phrase("BARRS is not a word", "ARRS")
    assert not has_phrase("burnouts differ", "burnout")
    assert not has_phrase("a pre-ARRS scheme", "ARRS")
    assert has_phrase("In the short term, four CCGs", "in the short term")


def test_units_compatible():
    assert units_compatible("CCGs", "CCGs")
    assert units_compatible("CCG employees interviewed", "CCG employees")
    assert not units_compatible("CCG employees interviewed", "interviews")
    assert not units_compatible("CCGs", "CCG staff")
    assert not units_compatible("CCGs", "")


# --------------------------------------------------------------------------- pairing

def test_match_candidates_on_the_study_facts(study_facts):
    assert {"tc-ccgs-allocated-staff-time", "tc-ccgs-seconded-staff", "sd-sample-ccg-employees"} <= set(study_facts["id"])
    assert match_candidates(26, "CCGs", study_facts) == ["tc-ccgs-allocated-staff-time"]
    assert match_candidates(37, "CCG employees interviewed", study_facts) == ["sd-sample-ccg-employees"]
    assert len(match_candidates(4, "CCGs", study_facts)) == 3
    assert match_candidates(25, "CCGs", study_facts) == []


def test_a_fact_coded_twice_with_the_same_quote_is_not_an_ambiguity():
    facts_ = pd.DataFrame({"id": ["sd-a", "sd-a-copy", "sd-b"], "number": [37.0, 37.0, 37.0],
                           "unit": ["CCG employees"] * 3,
                           "quote": ["37 CCG employees", "37 CCG employees", "another sentence with 37"]})
    assert match_candidates(37, "CCG employees interviewed", facts_.iloc[:2]) == ["sd-a"]
    assert match_candidates(37, "CCG employees interviewed", facts_) == ["sd-a", "sd-b"]  # still ambiguous


def test_the_chapter_override_names_a_claim_and_an_existing_fact(claims, study_facts):
    for press_id, study_id in OVERRIDES.items():
        assert press_id in set(claims["id"]) and study_id in set(study_facts["id"])


def test_match_press_to_study_on_the_real_data(claims, study_facts):
    matches = match_press_to_study(claims, study_facts, OVERRIDES)
    assert dict(zip(matches["press_id"], matches["study_id"])) == {
        "pf-hl-study-interviewed-37-ccg-employees": "sd-sample-ccg-employees",
        "pf-hl-26-ccgs-allocated-staff-time": "tc-ccgs-allocated-staff-time",
        "pf-hl-four-ccgs-seconded-staff": "tc-ccgs-seconded-staff",
    }
    basis = matches.set_index("press_id")["basis"]
    assert basis["pf-hl-four-ccgs-seconded-staff"] == "explicit override (3 study facts share the number and unit)"
    assert basis["pf-hl-26-ccgs-allocated-staff-time"] == "unique match on number and unit"


def test_an_ambiguous_claim_without_an_override_stops(claims, study_facts):
    with pytest.raises(ValueError, match="3 study facts match .*name the one it reports in the overrides"):
        match_press_to_study(claims, study_facts, overrides={})


def test_an_unmatched_claim_stops(study_facts):
    planted = pd.DataFrame({"id": ["pf-x"], "number": [25.0], "unit": ["CCGs"]})
    with pytest.raises(ValueError, match="pf-x: 0 study facts match"):
        match_press_to_study(planted, study_facts, overrides={})


def test_an_override_naming_a_missing_fact_stops(claims, study_facts):
    with pytest.raises(KeyError, match="do not exist.*tc-missing"):
        match_press_to_study(claims, study_facts, overrides={"pf-hl-four-ccgs-seconded-staff": "tc-missing"})


def test_a_stale_override_stops(claims, study_facts):
    with pytest.raises(KeyError, match="not numbered press claims.*pf-other"):
        match_press_to_study(claims, study_facts, overrides={**OVERRIDES, "pf-other": "tc-ccgs-seconded-staff"})


def test_an_override_pairs_a_claim_whose_number_differs(study_facts):
    planted = pd.DataFrame({"id": ["pf-x"], "number": [25.0], "unit": ["CCGs"]})
    matches = match_press_to_study(planted, study_facts, overrides={"pf-x": "tc-ccgs-allocated-staff-time"})
    assert matches.loc[0, "study_id"] == "tc-ccgs-allocated-staff-time"
    assert matches.loc[0, "basis"] == "explicit override (0 study facts share the number and unit)"
    assert matches.loc[0, "n_candidates"] == 0


# --------------------------------------------------------------------------- wording

def test_number_as_written(qualifiers):
    number_qualifiers, _ = qualifiers
    assert number_as_written("found that as many as 26 CCGs reported", 26, number_qualifiers) == ("as many as", "26")
    assert number_as_written("Twenty-six CCGs reported", 26, number_qualifiers) == ("", "Twenty-six")
    assert number_as_written("In the short term, four CCGs", 4, number_qualifiers) == ("", "four")
    assert number_as_written("up to 98% of practices", 98, number_qualifiers) == ("up to", "98%")
    assert number_as_written("a takeover 12 times", 12, number_qualifiers) == ("", "12")  # 'over' inside a word
    assert number_as_written("as many as 26", 26, []) == ("", "26")


def test_a_quote_that_does_not_state_the_number_stops():
    with pytest.raises(ValueError, match="does not state 3"):
        number_as_written("no number here", 3, ["about"])


def test_wording_differences(qualifiers):
    number_qualifiers, scope_qualifiers = qualifiers
    notes = wording_differences("as many as 26 CCGs", "Twenty-six CCGs", 26, number_qualifiers, scope_qualifiers)
    assert len(notes) == 1 and "'as many as'" in notes[0] and "upper bound" in notes[0] and "plainly" in notes[0]
    notes = wording_differences("four CCGs agreed", "In the short term, four CCGs agreed", 4, number_qualifiers,
                                scope_qualifiers)
    assert notes == ["The study says 'in the short term', which limits the arrangement in time; the press leaves it out."]
    notes = wording_differences("initially, four CCGs agreed", "four CCGs agreed", 4, number_qualifiers, scope_qualifiers)
    assert notes == ["The press adds 'initially', which limits the arrangement in time; the study does not say it."]
    assert wording_differences("with 37 CCG employees", "with 37 CCG employees", 37, number_qualifiers) == []
    assert "study writes 'about'" in wording_differences("37 staff", "about 37 staff", 37, number_qualifiers)[0]
    assert wording_differences("nearly 37 staff", "about 37 staff", 37, number_qualifiers) == [
        "The press writes 'nearly', which presents the number as approximate; the study writes 'about'."]


def test_the_press_claims_about_the_study_against_the_study(claims, study_facts, qualifiers):
    """The findings the trade-press chapter states: every number agrees, and the framing differs twice."""
    number_qualifiers, scope_qualifiers = qualifiers
    matches = match_press_to_study(claims, study_facts, OVERRIDES)
    claim_of, fact_of = claims.set_index("id"), study_facts.set_index("id")
    notes = {}
    for press_id, study_id in zip(matches["press_id"], matches["study_id"]):
        claim, fact = claim_of.loc[press_id], fact_of.loc[study_id]
        assert float(claim["number"]) == float(fact["number"])
        notes[press_id] = wording_differences(claim["quote"], fact["quote"], float(claim["number"]),
                                              number_qualifiers, scope_qualifiers)
    assert notes["pf-hl-study-interviewed-37-ccg-employees"] == []
    assert "'as many as'" in notes["pf-hl-26-ccgs-allocated-staff-time"][0]
    assert any("in the short term" in n for n in notes["pf-hl-four-ccgs-seconded-staff"])
