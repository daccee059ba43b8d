"""The line between a second-hand report's findings and everything else its articles say."""

from pcn_evidence import load_table
from pcn_evidence.reports import second_hand_rows
from pcn_evidence.sourcing import in_group


def test_the_confederation_rows_are_the_report_and_its_peoples_statements_in_its_articles_only():
    press, sources = load_table("reported_findings"), load_table("sources")
    rows = press[second_hand_rows(press, sources, "NHS Confederation")]
    covering = set(sources.loc[sources["covers"].fillna("").str.contains("NHS Confederation"), "id"])
    assert len(rows) > 0 and set(rows["source_id"]) <= covering
    assert set(rows["reports_on"]) <= {"NHS Confederation report", "interview or statement"}
    assert (rows.loc[rows["reports_on"] == "interview or statement", "body"] == "NHS Confederation").all()
    # the outlets' own context in the same articles is not the report's
    context = press[press["source_id"].isin(covering) & (press["reports_on"] == "outlet reporting")]
    assert not second_hand_rows(press, sources, "NHS Confederation")[context.index].any()


def test_every_press_finding_is_shown_by_exactly_one_of_the_two_press_chapters():
    # read what the two pages show (their stored outputs): each press finding in one row of one table. Readers see
    # no ids (issue #21): a row shows its finding's quote and locator, "<quote> [<locator>]", and its number if any
    # (a sentence coded as several numbered findings shows each number in its own row).
    import html
    import re
    from pathlib import Path

    import nbformat
    import pandas as pd

    from pcn_evidence.tabulate import format_cell

    chapters = Path(__file__).resolve().parents[1] / "chapters"
    sources = load_table("sources")
    articles = set(sources.loc[in_group(sources, load_table("source_kinds"), "press"), "id"])
    reported = load_table("reported_findings")
    press = reported[reported["source_id"].isin(articles)]  # commentary and reports are elsewhere

    def rows(name: str, caption: str) -> list[list[str]]:
        notebook = nbformat.read(chapters / f"{name}.ipynb", as_version=4)
        tables = [o["data"]["text/html"] for c in notebook.cells if c.cell_type == "code" for o in c.outputs
                  if "text/html" in o.get("data", {}) and caption in o["data"]["text/html"]]
        assert len(tables) == 1, f"{name}: no single table captioned {caption!r}"
        return [[html.unescape(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
                for row in re.findall(r"<tr>(.*?)</tr>", tables[0], re.DOTALL)]

    shown = [(name, row) for name, caption in (("confederation", "The NHS Confederation report&#x27;s findings"),
                                               ("trade_press", "Who said what in the trade press"))
             for row in rows(name, caption) if row]
    assert {name for name, _ in shown} == {"confederation", "trade_press"}
    found: dict[str, list[int]] = {}
    for finding in press.itertuples():
        wanted = {f"{finding.quote} [{finding.locator}]"} | ({format_cell(finding.number)} if pd.notna(finding.number) else set())
        found[finding.id] = [i for i, (_, row) in enumerate(shown) if wanted <= set(row)]
    assert all(len(at) == 1 for at in found.values()), {f: at for f, at in found.items() if len(at) != 1}
    assert sorted(at[0] for at in found.values()) == list(range(len(shown))), "a row shows no press finding"
