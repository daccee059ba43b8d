import pandas as pd

from pcn_evidence.tabulate import PROSE_LENGTH, DisplayTable, format_cell, ordered, provenance_columns


def test_cells_are_escaped_and_headers_are_header_cells():
    table = DisplayTable(pd.DataFrame({"Quote": ["<script>alert(1)</script>"]}), caption="c", source="s")
    html = table._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<th scope="col">Quote</th>' in html and "<caption>c</caption>" in html
    assert "Source: s" in html
    assert '<div class="pcn-table-wrap" role="region" aria-label="c" tabindex="0">' in html


def test_no_index_column_and_numbers_right_aligned():
    html = DisplayTable(pd.DataFrame({"Count (CCGs)": [26]}, index=[99]), caption="c", source="s")._repr_html_()
    assert ">99<" not in html
    assert '<td class="pcn-num">26</td>' in html


def test_format_cell():
    assert format_cell(pd.NA, missing="—") == "—"
    assert format_cell(26.0) == "26"
    assert format_cell(pd.Timestamp("2021-06-29")) == "2021-06-29"


def test_ordered_puts_known_values_first_in_the_given_order_and_keeps_unknown_ones():
    frame = pd.DataFrame({"aspect": ["size", "new", "purpose", "size"], "n": [1, 2, 3, 4]})
    out = ordered(frame, "aspect", ["purpose", "size"])
    assert out["aspect"].tolist() == ["purpose", "size", "size", "new"]
    assert out["n"].tolist() == [3, 1, 4, 2]  # stable within a value


def test_provenance_columns_end_every_fact_table():
    rows = pd.DataFrame({"id": ["tc-a"], "quote": ["q"], "locator": ["Results"], "source_id": ["bjgp-2021"]})
    assert list(provenance_columns(rows, "Where")) == ["Verbatim quote", "Where"]  # readers never see "tc-a"
    assert provenance_columns(rows, "Where", {"bjgp-2021": "BJGP study"})["Where"].iloc[0] == "BJGP study, Results"


def test_only_cells_of_a_column_with_a_long_cell_are_marked_as_prose():
    frame = pd.DataFrame({"Column": ["methodological_limitations", "id"], "Count": [1, 2],
                          "Checks": ["x" * PROSE_LENGTH, "matches ^(unreleased|[0-9]+)$; " + "y" * PROSE_LENGTH]})
    html = DisplayTable(frame, caption="c", source="s")._repr_html_()
    assert html.count('<td class="pcn-prose">') == 2  # both cells of Checks, though one is short
    assert "<td>methodological_limitations</td>" in html and '<td class="pcn-num">1</td>' in html
    assert '<th scope="col">Checks</th>' in html  # headers carry no prose class: they are short
    short = DisplayTable(frame.assign(Checks="x" * PROSE_LENGTH), caption="c", source="s")._repr_html_()
    assert "pcn-prose" not in short  # a cell of exactly the limit is not prose
