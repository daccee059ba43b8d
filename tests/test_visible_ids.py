"""No page shows an internal id (issue #21): pcn_evidence.ids and _ext/pcn_ids.py.

The ids are every primary-key value of every table of the data (so a table added later is covered with no
change to the check); the check reads what a reader of a built page sees and names each id in it. It is
shown each planted fault first; `the_built_small_book_shows_no_id` runs it on the session's shared build of the
small book (tests/smallbook.py; tests/test_build_assets.py calls it), and plants a page in a copy of its pages.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pcn_ids  # noqa: E402
import pytest
import yaml
from helpers import DATA, ROOT

from pcn_evidence.datapackage import read_package
from pcn_evidence.ids import internal_ids, is_internal_id, page_problems, shown_ids, visible_text


@pytest.fixture(scope="module")
def ids() -> dict[str, str]:
    return internal_ids(read_package(DATA)[0])


# --- the ids come from the data --------------------------------------------------------------------------------

def test_every_key_of_every_table_is_an_id_unless_it_reads_as_words(ids):
    package = read_package(DATA)[0]
    for table in package.tables.values():
        key = table.schema.get("primaryKey", [])
        for row in table.rows:
            for column in [key] if isinstance(key, str) else key:
                value = row[column]
                others = [text for name, text in row.items() if name not in key]
                if is_internal_id(value, others):
                    assert value in ids, (table.name, value)
    # each kind of key the book holds, compound keys' columns included
    for value, where in [("f-ccg-support", "data/synthesis_findings.csv, column id"),
                         ("km-ccg-support", "data/key_messages.csv, column id"),
                         ("tc-social-prescribers-recurrent-schemes", "data/theme_counts.csv, column id"),
                         ("bjgp-2021", "data/sources.csv, column id"), ("lim-london", "data/limitations.csv, column id"),
                         ("oc-ccgs-abolished", "data/outside_context.csv, column id"),
                         ("ml-self-report", "data/concerns.csv, column id")]:
        assert ids[value] == where
    digests = {row["digest"] for row in package.tables["coding_decisions"].rows}
    assert digests <= set(ids), "a sentence's digest (half of a compound key) is an id too"


@pytest.mark.parametrize("value, words, internal", [
    ("f-ccg-support", [], True),
    ("749ff3cc5e13bb4f", [], True),     # a digest
    ("covid-19", ["COVID-19"], True),   # its label is written otherwise
    ("editorial", [], False),           # one plain word reads as the word
    ("37", [], False), ("CCG staff", [], False), ("as many as", [], False), ("0.1.0", [], False),
    ("trade-press", ["trade-press article"], False),  # its own row writes it as words
    ("cut-off", ["a cut-off sentence is never evidence"], False),
])
def test_what_counts_as_an_id(value, words, internal):
    assert is_internal_id(value, words) is internal


def test_a_table_added_to_the_data_is_covered_with_no_change_to_the_check(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "things.csv").write_text("id,label\nthing-one,The first thing\n", encoding="utf-8")
    (data / "schemas" / "things.json").write_text(json.dumps(
        {"fields": [{"name": "id", "type": "string"}, {"name": "label", "type": "string"}], "primaryKey": "id"}))
    descriptor = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"].append({"name": "things", "path": "things.csv", "schema": "schemas/things.json"})
    (data / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    assert internal_ids(read_package(data)[0])["thing-one"] == "data/things.csv, column id"


# --- what a reader sees -----------------------------------------------------------------------------------------

PAGE = """<html><head><meta name="description" content="About PCNs." /><title>Synthesis</title>
<script>const finding = "f-ccg-support";</script><style>#f-ccg-support {}</style></head><body>
<section id="f-ccg-support"><span id="km-ccg-support"></span><h2>CCG support (study)</h2>
<div class="cell tag_hide-input"><details class="hide above-input"><summary>Show code cell source</summary>
<div class="cell_input"><pre>sources_table("f-ccg-support")<br/>chapter.fact("tc-ccgs-seconded-staff")</pre></div>
</details><div class="cell_output"><table><caption>Sources for the finding CCG support (study)</caption>
<tr><td><a href="synthesis.html#f-ccg-support" title="CCG support (study)">CCG support</a></td>
<td>Results &gt; Theme 1</td></tr></table>
<svg role="img" aria-label="Findings by stance"><text>CCG support (study)</text></svg>
<img src="fig-evidence-matrix.svg" alt="Findings by stance"/></div></div>
<pre>Finding: "CCG support". https://example.org/book/chapters/synthesis.html#f-ccg-support</pre>
<p>A briefing that cites it points at pre-f-ccg-support-x and f-ccg-support-old, not at it.</p>
</section></body></html>"""


def test_a_clean_page_shows_no_id(ids):
    assert shown_ids(PAGE, ids) == []
    texts = [text for _, text in visible_text(PAGE)]
    assert "CCG support (study)" in texts and "Results > Theme 1" in texts
    assert not any("sources_table" in text or "const finding" in text for text in texts), "code is not read"


@pytest.mark.parametrize("old, new, where", [
    ("<h2>CCG support (study)</h2>", "<h2>CCG support (study) (f-ccg-support)</h2>", "text"),
    ("<td>Results &gt; Theme 1</td>", "<td>tc-ccgs-seconded-staff</td>", "text"),  # a table cell
    ("<caption>Sources for the finding CCG support (study)", "<caption>Sources for finding f-ccg-support", "text"),
    ("<text>CCG support (study)</text>", "<text>CCG support (study)</text><text>(f-ccg-support)</text>", "text"),
    ('aria-label="Findings by stance"', 'aria-label="Findings by stance: f-ccg-support"', "aria-label attribute"),
    ('alt="Findings by stance"', 'alt="bjgp-2021: findings"', "alt attribute"),
    ('title="CCG support (study)"', 'title="f-ccg-support"', "title attribute"),
    ('content="About PCNs."', 'content="About km-ccg-support."', "meta description"),
    ('Finding: "CCG support".', 'Finding f-ccg-support: "CCG support".', "text"),  # beside an address
    ("<p>A briefing", "<p>lim-london. A briefing", "text"),
])
def test_each_planted_id_is_found_where_a_reader_meets_it(ids, old, new, where):
    assert old in PAGE
    found = shown_ids(PAGE.replace(old, new), ids)
    assert len(found) == 1 and found[0][1] == where, found
    assert found[0][0] in new


def test_the_build_fails_on_an_id_in_a_page_naming_page_id_table_and_words(ids, tmp_path):
    site = tmp_path / "html"
    (site / "chapters").mkdir(parents=True)
    (site / "_static").mkdir()
    (site / "chapters" / "synthesis.html").write_text(PAGE, encoding="utf-8")
    (site / "_static" / "theme.html").write_text("<p>f-ccg-support</p>")  # not a page of the book
    assert page_problems(site, ids) == []
    (site / "chapters" / "whats_new.html").write_text("<table><tr><td>Finding id</td><td>f-ccg-support</td></tr>"
                                                      "</table>", encoding="utf-8")
    assert page_problems(site, ids) == [
        "chapters/whats_new.html: shows the internal id 'f-ccg-support' (data/synthesis_findings.csv, column id) "
        "in its text: …f-ccg-support…"]
    # the Sphinx hook warns once per id (a strict build, -W --keep-going, then fails), naming the same
    warnings: list[str] = []
    logger = SimpleNamespace(warning=lambda message, **kwargs: warnings.append(message))
    app = SimpleNamespace(builder=SimpleNamespace(format="html"), srcdir=str(ROOT), outdir=str(site))
    original, pcn_ids.logger = pcn_ids.logger, logger
    try:
        pcn_ids._check(app, None)
        assert warnings == page_problems(site, ids)
        for n in range(pcn_ids.SHOWN + 3):  # a flood is cut short, and counted
            (site / "chapters" / "whats_new.html").write_text("<p>f-ccg-support</p>" * n, encoding="utf-8")
        warnings.clear()
        pcn_ids._check(app, None)
        assert len(warnings) == pcn_ids.SHOWN + 1 and warnings[-1] == "… and 2 more internal ids shown on the pages"
    finally:
        pcn_ids.logger = original


def test_the_book_runs_the_check():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["sphinx"]["local_extensions"]["pcn_ids"] == "_ext"


# --- on a built small book (the session's shared build, read by tests/test_build_assets.py) ----------------------

def the_built_small_book_shows_no_id(book: Path, scratch: Path) -> None:
    """No page of a built small book shows an id; a page planted in a copy of its pages (in ``scratch``: the build
    is shared, so never changed) that prints a finding's id is caught."""
    html = book / "_build" / "html"
    ids = internal_ids(read_package(book / "data")[0])
    assert page_problems(html, ids) == []
    page = (html / "chapters" / "sources.html").read_text(encoding="utf-8")
    assert "BJGP study (Warwick-Giles et al.)" in page, "the sources page names each source by its label"
    copy = shutil.copytree(html, scratch / "html")
    (copy / "chapters" / "planted.html").write_text(page.replace("</h1>", "</h1><p>See finding f-ccg-support.</p>", 1),
                                                   encoding="utf-8")
    problems = page_problems(copy, ids)
    assert problems == ["chapters/planted.html: shows the internal id 'f-ccg-support' "
                        "(data/synthesis_findings.csv, column id) in its text: …See finding f-ccg-support.…"]
