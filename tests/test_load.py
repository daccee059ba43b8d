from pcn_evidence import load_package, load_table, split_tags, table_names
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
