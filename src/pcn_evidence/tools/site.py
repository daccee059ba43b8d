"""The published site, assembled by the Pages workflow: every release's book under /vX.Y.Z/ from its archive,
the newest also at the root, and versions.json with versions.html.

    python -m pcn_evidence.tools.site --archives DIR --out DIR [--dev HTML]

It needs only the standard library (this module, :mod:`pcn_evidence.tools.versions` and the packages'
``__init__`` import nothing else), so the workflow runs it on the runner's bare Python, with ``src`` on
``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import sys
import zipfile
from pathlib import Path, PurePosixPath

from ..versioning import is_version
from .versions import ReleaseError, cff_field, parse_version

__all__ = ["read_release_archive", "write_tree", "versions_index", "versions_page", "assemble_site", "main"]


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise ReleaseError(f"refusing the archive entry {name!r}: it points outside the archive")
    return path


def read_release_archive(archive: Path) -> tuple[str, str, dict[str, bytes]]:
    """The version, release date and built pages (paths inside html/) of a release archive.

    Refused, naming the archive, if it is not one: no CITATION.cff, or a version that is not MAJOR.MINOR.PATCH (the
    version names the folder its pages are written to).
    """
    with zipfile.ZipFile(archive) as bundle:
        names = [_safe_name(n) for n in bundle.namelist()]
        cff = next((n for n in names if n.parts[1:] == ("CITATION.cff",)), None)
        if cff is None:
            raise ReleaseError(f"{archive.name} holds no CITATION.cff: it is not a release archive of this book")
        text = bundle.read(str(cff)).decode("utf-8")
        pages = {PurePosixPath(*n.parts[2:]).as_posix(): bundle.read(str(n)) for n in names
                 if len(n.parts) > 2 and n.parts[1] == "html"}
    version = cff_field(text, "version")
    if not is_version(version):
        raise ReleaseError(f"{archive.name}: its CITATION.cff states the version {version!r}, not MAJOR.MINOR.PATCH "
                           "(e.g. 0.2.0): it is not a release archive of this book")
    return version, cff_field(text, "date-released"), pages


def versions_index(releases: dict[str, str], dev: bool) -> dict:
    """What versions.json says: the newest release, and every release newest first with its path.

    >>> versions_index({"0.1.0": "2026-11-23", "0.10.0": "2027-05-01", "0.2.0": "2027-01-10"}, dev=False)["latest"]
    '0.10.0'
    """
    ordered = sorted(releases, key=parse_version, reverse=True)
    return {"latest": ordered[0] if ordered else None,
            "versions": [{"version": v, "date": releases[v], "path": f"v{v}/"} for v in ordered],
            "dev": "dev/" if dev else None}


def versions_page(index: dict) -> str:
    """A plain page listing every published version, with relative links (works under any base URL)."""
    esc = html.escape
    items = "".join(f'<li><a href="{esc(v["path"])}index.html">Version {esc(v["version"])}</a>, released '
                    f'{esc(v["date"])}{" (latest, also at the site root)" if v["version"] == index["latest"] else ""}'
                    "</li>" for v in index["versions"])
    if not items:
        items = "<li>No release has been published yet; the site root shows the current build.</li>"
    dev = ('<p>The current build, with changes not yet released, is at <a href="dev/index.html">dev/</a>. '
           "Cite a numbered version, not this one.</p>") if index["dev"] else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta name=\"description\" content=\"Every published version of the evidence book\">"
            "<title>Versions of the evidence book</title></head><body><main>"
            "<h1>Versions of the evidence book</h1><p>Each release stays published at its own address, so a "
            "citation of a version keeps pointing at the text it quoted.</p>"
            f"<ul>{items}</ul>{dev}</main></body></html>\n")


def write_tree(out: Path, pages: dict[str, bytes]) -> None:
    """Write ``pages`` (paths inside the site, as :func:`read_release_archive` gives them) under ``out``."""
    for name, content in pages.items():
        path = out / _safe_name(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def assemble_site(archives: list[Path], out: Path, dev_html: Path | None = None) -> dict:
    """The Pages site: each release at vX.Y.Z/, the newest also at the root (else the dev build), versions.json."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    releases: dict[str, str] = {}
    newest: dict[str, bytes] = {}
    for archive in sorted(archives):
        version, date, pages = read_release_archive(archive)
        write_tree(out / f"v{version}", pages)
        if not releases or parse_version(version) > max(parse_version(v) for v in releases):
            newest = pages
        releases[version] = date
    dev = dev_html is not None and (dev_html / "index.html").exists()
    if dev:
        assert dev_html is not None
        shutil.copytree(dev_html, out / "dev")
    if newest:
        write_tree(out, newest)
    elif dev:
        assert dev_html is not None
        shutil.copytree(dev_html, out, dirs_exist_ok=True)
    index = versions_index(releases, dev)
    (out / "versions.json").write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")
    (out / "versions.html").write_text(versions_page(index), encoding="utf-8")
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archives", type=Path, required=True, help="folder holding the release archives (*.zip)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--dev", type=Path, default=None, help="the current build of main, published at dev/")
    args = parser.parse_args(argv)
    try:
        index = assemble_site(sorted(args.archives.glob("*.zip")), args.out, args.dev)
    except ReleaseError as error:
        print(f"site: {error}", file=sys.stderr)
        return 2
    print(f"Site in {args.out}: latest {index['latest'] or 'none (current build at the root)'}; "
          f"{len(index['versions'])} release(s)" + ("; dev/" if index["dev"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
