import zipfile

from pcn_evidence.downloads import DOWNLOADS_ENV, PACKAGE_ZIP, downloads_panel, write_data_downloads
from pcn_evidence.figures import new_figure, render


def test_data_package_zip_is_complete_and_byte_identical(tmp_path):
    first = write_data_downloads(tmp_path / "one")[-1].read_bytes()
    second = write_data_downloads(tmp_path / "two")[-1].read_bytes()
    assert first == second
    names = zipfile.ZipFile(tmp_path / "one" / PACKAGE_ZIP).namelist()
    assert "pcn-evidence-data/datapackage.json" in names and "pcn-evidence-data/theme_counts.csv" in names
    assert (tmp_path / "one" / "data" / "schemas" / "theme_counts.json").exists()


def test_figures_are_saved_for_download_only_during_a_build(tmp_path, monkeypatch):
    fig = new_figure(2, 2)
    fig.subplots().bar(["a"], [1])
    monkeypatch.delenv(DOWNLOADS_ENV, raising=False)
    render(fig, "fig-a", "alt")
    assert not (tmp_path / "figures").exists()
    monkeypatch.setenv(DOWNLOADS_ENV, str(tmp_path))
    render(fig, "fig-a", "alt")
    assert (tmp_path / "figures" / "fig-a.svg").read_text().startswith("<?xml")
    assert (tmp_path / "figures" / "fig-a.png").read_bytes()[:4] == b"\x89PNG"


def test_panel_links_and_escapes():
    html = downloads_panel(["theme_counts"], ["fig-<x>"])._repr_html_()
    assert 'href="../downloads/data/theme_counts.csv"' in html
    assert "fig-&lt;x&gt;" in html and f'href="../downloads/{PACKAGE_ZIP}"' in html
