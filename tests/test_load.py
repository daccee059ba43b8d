import pandas as pd
import pytest

from pcn_evidence import EvidenceError, labels, load_package, load_table, split_tags, table_names, vocabulary
from pcn_evidence.schema import validate_package


def test_the_shipped_data_validate():
    validate_package()


def test_every_table_loads_typed():
    package = load_package()
    assert set(package) == set(table_names())
    sources = load_table("sources")
    counts = load_table("theme_counts")
    assert str(counts["count"].dtype) == "Int64" and str(counts["denominator"].dtype) == "Int64"
    assert sources["id"].is_unique


def test_loaded_frames_are_copies():
    first = load_table("sources")
    first.loc[0, "title"] = "changed"
    assert load_table("sources").loc[0, "title"] != "changed"


def test_split_tags():
    assert split_tags("ccg-support; covid-19") == ["ccg-support", "covid-19"]
    assert split_tags(None) == []


# --- the mini package (tests/conftest.py), broken or edited ---


def test_an_unknown_table_is_named_with_the_tables_there_are(mini_package):
    with pytest.raises(KeyError, match="no table 'counts' in the data package; tables are: source_kinds, sources, studies, theme_counts, units"):
        load_table("counts", mini_package)


def test_a_vocabulary_is_the_schemas_list_of_allowed_values_in_order(mini_package):
    assert vocabulary("source_kinds", "group", mini_package) == ["research", "commentary", "report", "press"]
    with pytest.raises(KeyError, match="column 'title' of table 'sources' has no list of allowed values"):
        vocabulary("sources", "title", mini_package)


def test_labels_map_a_vocabulary_tables_ids_to_a_column_in_row_order(mini_package):
    assert list(labels("units", "singular", mini_package).items())[:2] == [("CCGs", "CCG"),
                                                                           ("CCG staff", "CCG staff member")]


def test_an_empty_cell_loads_as_a_missing_value(mini_package):
    counts = load_table("theme_counts", mini_package)
    assert counts["denominator"].isna().tolist() == [True, False] and counts.loc[1, "denominator"] == 37


def test_an_edit_to_the_data_is_seen_by_the_next_load(mini_package):
    # loads are cached; the cache must never serve a table that has changed on disk since
    path = mini_package / "theme_counts.csv"
    assert list(load_table("theme_counts", mini_package)["count"]) == [26, 9]
    path.write_text(path.read_text(encoding="utf-8").replace(",26,CCGs,", ",lots,CCGs,"), encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"theme_counts.csv, row 1 \(line 2\), column 'count': got 'lots'"):
        load_table("theme_counts", mini_package)


@pytest.mark.parametrize("cell, tags", [(pd.NA, []), (float("nan"), []), (None, []), (2021, ["2021"])])
def test_a_missing_list_cell_has_no_tags_and_any_other_is_split_as_text(cell, tags):
    assert split_tags(cell) == tags
