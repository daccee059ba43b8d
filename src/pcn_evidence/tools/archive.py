"""The release archive of a commit (`make dist`): the built book, the data package as committed, the downloads,
the metadata and SHA256SUMS, in a zip that is byte-identical whenever it is made from the same commit.

`dist` builds the book from clean in a throwaway export of the commit (git archive), so nothing the checkout
holds besides the commit (its _build, its cache, an ignored file) can reach it; and the zip has its entries
sorted, no directory entries, every timestamp the commit's time (SOURCE_DATE_EPOCH), permissions 0644, no
comment or extra fields.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

from ..downloads import published_files, write_zip
from ..inputs import ROOT_ENV
from .paths import DATA_ENV, ROOT, SOURCES_ENV, sources_dir, tool
from .versions import ReleaseError, cff_field, commit_epoch, current_version, git, release_commits, run, uncommitted

__all__ = ["ARCHIVE_NAME", "DIST", "ZIP_EPOCH_FLOOR", "EXTRA_FILES", "archive_stem", "archive_members", "readme",
           "write_archive", "export_commit", "dist"]

ARCHIVE_NAME = "pcn-evidence-book"  # dist/<ARCHIVE_NAME>-x.y.z.zip
DIST = "dist"
ZIP_EPOCH_FLOOR = 315532800  # 1980-01-01: the earliest time a zip entry can hold
EXTRA_FILES = ("CITATION.cff", "CHANGELOG.md", "LICENSE", "LICENSE-CONTENT")  # copied into the archive as they are


# --- the archive --------------------------------------------------------------------------------------

def archive_stem(root: Path) -> str:
    """``<name>-x.y.z`` for the commit of release x.y.z; ``<name>-x.y.z-post-<commit>`` after it."""
    version = current_version(root)
    if release_commits(root).get(version) == git(root, "rev-parse", "HEAD").strip():
        return f"{ARCHIVE_NAME}-{version}"
    return f"{ARCHIVE_NAME}-{version}-post-{git(root, 'rev-parse', '--short=7', 'HEAD').strip()}"


def archive_members(root: Path) -> dict[str, Path]:
    """What the archive holds, by path inside it: the built book, the data package, the downloads, metadata."""
    html_dir = root / "_build" / "html"
    downloads = html_dir / "downloads"  # what the book publishes: only the downloads its pages link
    if not (html_dir / "index.html").exists():
        raise ReleaseError(f"no built book in {html_dir}: build it first (make book)")
    members: dict[str, Path] = {}
    for prefix, folder in (("html", html_dir), ("downloads", downloads)):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                members[f"{prefix}/{path.relative_to(folder).as_posix()}"] = path
    data = root / "data"
    for path in published_files(data):
        members[f"data/{path.relative_to(data).as_posix()}"] = path
    for name in EXTRA_FILES:
        members[name] = root / name
    if (root / ".zenodo.json").exists():
        members["zenodo.json"] = root / ".zenodo.json"
    return members


def readme(version: str, date: str) -> bytes:
    return (f"Primary care networks, early development: an executable evidence book\n"
            f"Version {version}, released {date}.\n\n"
            "html/index.html  the book: open it in a browser (it works offline)\n"
            "data/            the coded evidence as a data package (datapackage.json, one Table Schema per table)\n"
            "downloads/       what the book offers for download: data, figures, briefing outputs\n"
            "CITATION.cff     how to cite this version; zenodo.json is the deposit's metadata\n"
            "SHA256SUMS       checksums of every file here: sha256sum -c SHA256SUMS\n").encode()


def write_archive(target: Path, stem: str, members: dict[str, bytes], epoch: int) -> Path:
    """A zip that depends only on ``members`` and ``epoch``: sorted, fixed times and modes, no extras."""
    year, month, day, hour, minute, second = time.gmtime(max(epoch, ZIP_EPOCH_FLOOR))[:6]
    stamp = (year, month, day, hour, minute, second - second % 2)  # a zip entry keeps time in steps of two seconds
    sums = "".join(f"{hashlib.sha256(members[name]).hexdigest()}  {name}\n" for name in sorted(members))
    entries = {**members, "SHA256SUMS": sums.encode("utf-8")}
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    write_zip(partial, ((f"{stem}/{name}", entries[name]) for name in sorted(entries)), stamp, compresslevel=9)
    partial.replace(target)
    return target


def export_commit(root: Path, destination: Path, ref: str = "HEAD", *paths: str) -> Path:
    """The files of commit ``ref`` of ``root`` (all, or those under ``paths``), and nothing else, in ``destination``.

    The export shares ``root``'s .venv, as :func:`pcn_evidence.tools.paths.working_copy`'s copies do.
    """
    command = ["git", "archive", "--format=tar", ref, *paths]
    exported = subprocess.run(command, cwd=root, capture_output=True)
    if exported.returncode != 0:
        raise ReleaseError(f"{' '.join(command)} failed: {exported.stderr.decode(errors='replace').strip()}")
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(exported.stdout)) as tar:
        tar.extractall(destination, filter="data")  # git's own tar; the filter refuses paths leaving it anyway
    if (root / ".venv").is_dir():
        (destination / ".venv").symlink_to((root / ".venv").resolve())
    return destination


def dist(root: Path = ROOT, build: bool = True, out: Path | None = None) -> Path:
    """The release archive of the current commit in ``dist/`` (see the module docstring).

    ``build`` (what `make dist` and `make release` do) builds the book from clean in an export of the
    commit, so the archive is the same whatever the checkout built before; ``build=False`` (for tests)
    archives the book already built in ``root``.
    """
    dirty = uncommitted(root)
    if dirty:
        raise ReleaseError(f"the working tree has uncommitted changes ({'; '.join(dirty[:5])}); an archive is made "
                           "only from a commit")
    if not build:
        return _archive(root, root, out)
    with tempfile.TemporaryDirectory(prefix="pcn-dist-") as tmp:
        book = export_commit(root, Path(tmp) / "book")
        env = dict(os.environ, **{ROOT_ENV: str(book), DATA_ENV: str(book / "data"), "PYTHONPATH": str(book / "src"),
                                  SOURCES_ENV: str(sources_dir(root))})
        run(book, tool("book", "build"), "Building the book from clean, from the commit", env)
        return _archive(root, book, out)


def _archive(root: Path, book: Path, out: Path | None) -> Path:
    """Write the archive of ``root``'s commit from the book built in ``book`` (``root`` itself, or its export)."""
    epoch = commit_epoch(root)
    stem = archive_stem(root)
    members = {name: path.read_bytes() for name, path in archive_members(book).items()}
    members["README.txt"] = readme(current_version(book), cff_field(members["CITATION.cff"].decode(), "date-released"))
    target = write_archive((out or root / DIST) / f"{stem}.zip", stem, members, epoch)
    print(f"Wrote {target} ({target.stat().st_size:,} bytes, {len(members) + 1} files)")
    return target

