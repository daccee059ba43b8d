import io
import zipfile

from pcn_evidence.downloads import (
    DOWNLOADS_ENV,
    PACKAGE_ZIP,
    ZIP_EPOCH,
    downloads_panel,
    write_data_downloads,
    write_zip,
)
from pcn_evidence.figures import new_figure, render


def test_data_package_zip_is_complete_and_byte_identical(tmp_path):
    first = write_data_downloads(tmp_path / "one")[-1].read_bytes()
    second = write_data_downloads(tmp_path / "two")[-1].read_bytes()
    assert first == second
    names = zipfile.ZipFile(tmp_path / "one" / PACKAGE_ZIP).namelist()
    assert "pcn-evidence-data/datapackage.json" in names and "pcn-evidence-data/theme_counts.csv" in names
    assert (tmp_path / "one" / "data" / "schemas" / "theme_counts.json").exists()


def test_a_zip_holds_its_entries_in_the_order_given_and_nothing_of_the_machine_or_the_moment():
    written = []
    for _ in range(2):
        out = io.BytesIO()
        write_zip(out, [("b.txt", b"second name, first entry"), ("a/c.csv", b"x,y\n")])
        written.append(out.getvalue())
    assert written[0] == written[1]
    infos = zipfile.ZipFile(io.BytesIO(written[0])).infolist()
    assert [i.filename for i in infos] == ["b.txt", "a/c.csv"]
    assert {(i.date_time, i.compress_type, i.create_system, i.external_attr >> 16) for i in infos} == {
        (ZIP_EPOCH, zipfile.ZIP_DEFLATED, 3, 0o100644)}


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
    # the figure is named by where it is, linked to it; its id stays in the addresses
    assert '<a href="#fig-&lt;x&gt;">the figure above</a> (<a href="../downloads/figures/fig-&lt;x&gt;.svg"' in html
    two = downloads_panel([], ["fig-a", "fig-b"])._repr_html_()
    assert ">the first figure above</a>" in two and ">the second figure above</a>" in two
    assert "fig-a" not in two.replace('"#fig-a"', "").replace("figures/fig-a.", "")


def test_only_the_declared_resources_are_published_never_a_stray_or_linked_file(tmp_path):
    import shutil

    import pytest
    from helpers import DATA

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "scratch").mkdir()
    (data / "scratch" / "contacts.csv").write_text("name,phone\nA,1\n")  # untracked, undeclared
    (data / "notes.json").write_text("{}")
    secret = tmp_path / "outside.json"
    secret.write_text('{"token": "x"}')
    (data / "local_settings.json").symlink_to(secret)
    out = tmp_path / "out"
    write_data_downloads(out, data)
    published = {p.relative_to(out / "data").as_posix() for p in (out / "data").rglob("*") if p.is_file()}
    assert "scratch/contacts.csv" not in published and "notes.json" not in published
    assert "local_settings.json" not in published
    assert not any("contacts" in n or "local_settings" in n for n in zipfile.ZipFile(out / PACKAGE_ZIP).namelist())
    # a declared resource that is a link is refused by name, not followed
    (data / "units.csv").unlink()
    (data / "units.csv").symlink_to(secret)
    with pytest.raises(ValueError, match="data/units.csv: is a symbolic link; a published data file must be a file "
                                         "in the data folder itself"):
        write_data_downloads(tmp_path / "again", data)
    # ...and so is one reached through a linked folder
    (data / "units.csv").unlink()
    shutil.copy(DATA / "units.csv", data / "units.csv")
    shutil.move(data / "schemas", tmp_path / "schemas-elsewhere")
    (data / "schemas").symlink_to(tmp_path / "schemas-elsewhere")
    with pytest.raises(ValueError, match=r"data/schemas/\w+\.json: lies outside the data folder"):
        write_data_downloads(tmp_path / "again", data)


def test_a_quote_that_begins_like_a_formula_is_neutralised_in_the_downloads_only(tmp_path):
    import shutil

    from helpers import DATA

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    units = (data / "units.csv").read_text(encoding="utf-8")
    (data / "units.csv").write_text(units + '"=HYPERLINK(""http://x"",""y"")",one\n', encoding="utf-8")
    write_data_downloads(tmp_path / "out", data)
    published = (tmp_path / "out" / "data" / "units.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK(" in published and "\n=HYPERLINK" not in published
    assert "'=HYPERLINK(" in zipfile.ZipFile(tmp_path / "out" / PACKAGE_ZIP).read(
        "pcn-evidence-data/units.csv").decode()
    assert (data / "units.csv").read_text(encoding="utf-8").endswith('"=HYPERLINK(""http://x"",""y"")",one\n')
    # files without such a cell are published byte for byte
    assert (tmp_path / "out" / "data" / "topics.csv").read_bytes() == (data / "topics.csv").read_bytes()
