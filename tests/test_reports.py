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
    # read what the two pages show (their stored outputs): each press finding id in one table, once
    import re
    from pathlib import Path

    import nbformat

    chapters = Path(__file__).resolve().parents[1] / "chapters"

    def shown(name: str, caption: str) -> list[str]:
        notebook = nbformat.read(chapters / f"{name}.ipynb", as_version=4)
        html = [o["data"]["text/html"] for c in notebook.cells if c.cell_type == "code" for o in c.outputs
                if "text/html" in o.get("data", {}) and caption in o["data"]["text/html"]]
        assert len(html) == 1, f"{name}: no single table captioned {caption!r}"
        return re.findall(r"<td>(pf-[a-z0-9-]+)</td>", html[0])

    confederation = shown("confederation", "The NHS Confederation report&#x27;s findings")
    others = shown("trade_press", "Who said what in the trade press")
    sources = load_table("sources")
    articles = set(sources.loc[in_group(sources, load_table("source_kinds"), "press"), "id"])
    reported = load_table("reported_findings")
    every = list(reported.loc[reported["source_id"].isin(articles), "id"])  # commentary and reports are elsewhere
    assert sorted(confederation + others) == sorted(every), "a press finding is missing from both tables, or in both"
