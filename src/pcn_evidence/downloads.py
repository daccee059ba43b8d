"""What a reader can download: each chapter's data (CSV) and figures (SVG, PNG), and the whole package.

The build (pcn_evidence.tools.book) sets ``PCN_DOWNLOADS_DIR`` while it executes the
chapters, so :func:`pcn_evidence.figures.render` also saves each figure there;
:func:`write_data_downloads` copies the data package beside them. Sphinx then
publishes the folder as ``downloads/`` at the root of the site.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import shutil
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .datapackage import default_data_dir

__all__ = ["DOWNLOADS_ENV", "PACKAGE_ZIP", "ZIP_EPOCH", "write_zip", "downloads_dir", "published_files", "spreadsheet_safe", "write_data_downloads", "DownloadsPanel", "downloads_panel"]

DOWNLOADS_ENV = "PCN_DOWNLOADS_DIR"
PACKAGE_ZIP = "pcn-evidence-data.zip"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: the same contents give the same bytes
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def write_zip(target: Path | IO[bytes], entries: Iterable[tuple[str, bytes]],
              date_time: tuple[int, int, int, int, int, int] = ZIP_EPOCH, compresslevel: int | None = None) -> None:
    """Write ``entries`` (name, content), in the order given, as a zip that depends on nothing else.

    Every entry is deflated, stamped ``date_time`` and marked a regular rw-r--r-- file made on Unix,
    whatever the machine: the book's every zip (the data package, the Word briefing, the release archive).
    """
    with zipfile.ZipFile(target, "w") as bundle:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            bundle.writestr(info, content, compresslevel=compresslevel)


def downloads_dir() -> Path | None:
    """Where figures are saved during a build, or None outside a build (e.g. under nbval)."""
    value = os.environ.get(DOWNLOADS_ENV)
    return Path(value) if value else None


def published_files(data_dir: Path | str | None = None) -> list[Path]:
    """Exactly the files of the data package: ``datapackage.json`` and each resource's CSV and schema.

    Nothing else under ``data/`` is published (a scratch file, a local note), and a
    declared file that is a symbolic link or lies outside the data folder is refused,
    so nothing private can ride along into the downloads.
    """
    source = Path(data_dir) if data_dir is not None else default_data_dir()
    descriptor = json.loads((source / "datapackage.json").read_text(encoding="utf-8"))
    names = ["datapackage.json"]
    for resource in descriptor.get("resources", []):
        names += [resource["path"]] + ([resource["schema"]] if isinstance(resource.get("schema"), str) else [])
    files = []
    for name in dict.fromkeys(names):
        path = source / name
        if path.is_symlink():
            raise ValueError(f"{source.name}/{name}: is a symbolic link; a published data file must be a file in "
                             "the data folder itself")
        if not path.resolve().is_relative_to(source.resolve()):
            raise ValueError(f"{source.name}/{name}: lies outside the data folder (through a linked folder or "
                             "'..'); a published data file must be a file in the data folder itself")
        files.append(path)
    return sorted(files)


def spreadsheet_safe(content: bytes) -> bytes:
    r"""A CSV for readers who open it in a spreadsheet: a cell that begins with a formula character
    (``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a leading apostrophe, as OWASP advises
    against CSV injection, so the spreadsheet shows it as text. Other files pass through byte for byte.

    Only verbatim quotes can begin so (the validator refuses it in every other text column), and
    they stay verbatim in ``data/`` and on the page.

    >>> spreadsheet_safe(b"id,quote\n1,=SUM(A1)\n")
    b"id,quote\n1,'=SUM(A1)\n"
    """
    text = content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not any(cell[:1] in _FORMULA for row in rows for cell in row):
        return content
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([["'" + c if c[:1] in _FORMULA else c for c in row]
                                                     for row in rows])
    return out.getvalue().encode("utf-8")


def write_data_downloads(out_dir: Path | str, data_dir: Path | str | None = None) -> list[Path]:
    """Copy the data package's declared files (:func:`published_files`) and write them as one deterministic zip."""
    source = Path(data_dir) if data_dir is not None else default_data_dir()
    target = Path(out_dir) / "data"
    shutil.rmtree(target, ignore_errors=True)
    files = published_files(source)
    written = []
    contents = {file: spreadsheet_safe(file.read_bytes()) if file.suffix == ".csv" else file.read_bytes()
                for file in files}
    for file, content in contents.items():
        destination = target / file.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(content)
        written.append(destination)
    archive = Path(out_dir) / PACKAGE_ZIP
    write_zip(archive, ((f"pcn-evidence-data/{file.relative_to(source).as_posix()}", content)
                        for file, content in contents.items()))
    written.append(archive)
    return written


@dataclass(frozen=True)
class DownloadsPanel:
    """Links to the data and figures behind one page (relative to a page in chapters/)."""

    tables: tuple[str, ...]
    figures: tuple[str, ...]
    prefix: str = "../downloads"

    def _repr_html_(self) -> str:
        esc = html.escape
        data = ", ".join(f'<a href="{self.prefix}/data/{esc(t)}.csv" download>{esc(t)}.csv</a>' for t in self.tables)
        parts = [f"<strong>Data behind this page</strong> (CSV): {data}." if data else ""]
        if self.figures:
            # a figure's name is its id: the link text points to the figure instead (the files keep the name)
            figs = "; ".join(
                f'<a href="#{esc(f)}">{_figure_words(i, len(self.figures))}</a> '
                f'(<a href="{self.prefix}/figures/{esc(f)}.svg" download>SVG</a>, '
                f'<a href="{self.prefix}/figures/{esc(f)}.png" download>PNG for slides</a>)'
                for i, f in enumerate(self.figures))
            parts.append(f"<strong>Figures</strong>: {figs}.")
        parts.append(f'<strong>Everything</strong>: the whole data package with its schema, '
                     f'<a href="{self.prefix}/{PACKAGE_ZIP}" download>{PACKAGE_ZIP}</a>.')
        return '<div class="pcn-panel pcn-downloads"><p>' + " ".join(p for p in parts if p) + "</p></div>"

    def __repr__(self) -> str:
        return f"Downloads: tables {', '.join(self.tables)}; figures {', '.join(self.figures) or 'none'}"


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def _figure_words(index: int, count: int) -> str:
    """How the panel names the ``index``-th of ``count`` figures drawn above it, never by its id.

    >>> _figure_words(0, 1), _figure_words(1, 2), _figure_words(11, 12)
    ('the figure above', 'the second figure above', 'figure 12 of 12 above')
    """
    if count == 1:
        return "the figure above"
    return f"the {_ORDINALS[index]} figure above" if index < len(_ORDINALS) else f"figure {index + 1} of {count} above"


def downloads_panel(tables: Sequence[str], figures: Sequence[str] = ()) -> DownloadsPanel:
    """Links to the CSVs of ``tables`` and the SVG/PNG of ``figures`` (figure names as given to ``render``)."""
    return DownloadsPanel(tuple(tables), tuple(figures))
