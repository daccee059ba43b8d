import pandas as pd

from pcn_evidence.citation import bibtex, citation_table, plain_citation, read_citation


def test_bibtex_and_plain_text_come_from_citation_cff():
    cff = read_citation()
    entry = bibtex(cff)
    assert entry.startswith("@software{pcnevidencebook,")
    assert f"version = {{{cff['version']}}}" in entry
    text = plain_citation(cff, "f-ccg-support", "chapters/synthesis.html")
    assert f"Version {cff['version']}." in text
    assert text.endswith("Finding f-ccg-support (chapters/synthesis.html#f-ccg-support).")



def test_citation_table_escapes():
    table = citation_table(read_citation(), pd.DataFrame({"id": ["f-a"], "title": ["<b>x</b>"]}), "p.html", "c")
    assert "&lt;b&gt;" in table._repr_html_()
