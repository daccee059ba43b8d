import pandas as pd

from pcn_evidence import load_table
from pcn_evidence.tabulate import DisplayTable, format_cell, sources_table


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


def test_sources_table_leaves_undated_items_undated():
    html = sources_table(load_table("sources"))._repr_html_()
    assert "not dated in the text" in html and "2021-06-29" in html
