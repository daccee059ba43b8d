"""Versioned releases of the book: `make release VERSION=x.y.z`, `make dist`, and the published site's versions.

    python tools/release.py release 0.2.0   # what `make release VERSION=0.2.0` runs
    python tools/release.py dist            # rebuild the archive of the current commit (`make dist`)
    python tools/release.py zenodo          # rewrite .zenodo.json from CITATION.cff
    python tools/release.py site --archives DIR --out DIR [--dev HTML]   # the Pages site (stdlib only)

A release, in this order, stopping at the first problem and leaving the tree as it was:

1. refuses a tree with uncommitted or untracked changes, a version that is not MAJOR.MINOR.PATCH
   or not higher than the last (CITATION.cff and every release), an existing tag, a CHANGELOG.md
   without a `## x.y.z` heading (the author writes that entry; the release only dates its
   heading), and a clone that does not hold the last release's commit (the evidence diff
   starts there; see release_commits: releases are found from the history, not from tags);
2. takes the release date from SOURCE_DATE_EPOCH (else now), and writes the version and date
   into CITATION.cff (the one place for release facts) and its copies: pyproject.toml, the
   package's __version__, data/datapackage.json and .zenodo.json (generated from CITATION.cff);
3. records the evidence changes since the last release in data/evidence_changes.csv
   under this version and date (tools/evidence_diff.py), and re-executes the chapters that
   show the version or those changes, so that their stored outputs agree;
4. builds the book (tools/book.py build, warnings are errors);
5. commits ("Release x.y.z", the subject by which the history knows a release) and makes
   the annotated tag vX.Y.Z for GitHub's releases, both dated at the release date, so that
   rebuilding from the commit reproduces the date;
6. writes dist/<name>-x.y.z.zip (see `dist`). It never pushes: it prints the command.

The archive holds html/ (the built book), data/ (the data package as committed), downloads/
(what the book publishes for download: data zip, figures, briefing outputs), CITATION.cff,
zenodo.json, the changelog, the licences, a README.txt and SHA256SUMS. It is byte-identical
whenever it is made from the same commit: `dist` builds the book from clean in a throwaway
export of the commit (git archive), so nothing the checkout holds besides the commit (its
_build, its cache, an ignored file) can reach it; and the zip has its entries sorted, no
directory entries, every timestamp the commit's time (SOURCE_DATE_EPOCH), permissions 0644,
no comment or extra fields. The book's HTML is itself reproducible, and an incremental build
equals the clean one (`make check-determinism`, which also checks `dist`'s HTML against both).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
ARCHIVE_NAME = "pcn-evidence-book"  # dist/<ARCHIVE_NAME>-x.y.z.zip
DIST = "dist"
ZIP_EPOCH_FLOOR = 315532800  # 1980-01-01: the earliest time a zip entry can hold
_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
# Releases made by hand before `make release` existed, so without a "Release x.y.z" commit: the commit each
# release's evidence is taken from. 0.1.0 is the last commit before the work CHANGELOG.md lists after it.
HAND_MADE_RELEASES = {"0.1.0": "6644998530d58153fec56c51c8efb0428a413725"}
# files the release rewrites (paths from the book's root); a chapter's notebook is added when it is re-executed
VERSIONED_FILES = ("CITATION.cff", "pyproject.toml", "src/pcn_evidence/__init__.py", "data/datapackage.json",
                   ".zenodo.json", "CHANGELOG.md", "data/evidence_changes.csv")
EXTRA_FILES = ("CITATION.cff", "CHANGELOG.md", "LICENSE", "LICENSE-CONTENT")  # copied into the archive as they are


class ReleaseError(RuntimeError):
    """Why the release or archive was refused; the message says what to do."""


# --- git and versions ------------------------------------------------------------------------------

def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise ReleaseError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def uncommitted(root: Path) -> list[str]:
    """Every modified, staged or untracked (not ignored) path: a release is made only from a commit."""
    return [line for line in git(root, "status", "--porcelain", "--untracked-files=all").splitlines() if line]


def parse_version(text: str) -> tuple[int, int, int]:
    """``'1.2.3'`` -> ``(1, 2, 3)``; anything else is refused.

    >>> parse_version("0.10.0") > parse_version("0.9.9")
    True
    """
    match = _SEMVER.match(text.strip())
    if not match:
        raise ReleaseError(f"{text!r} is not a version of the form MAJOR.MINOR.PATCH (e.g. 0.2.0)")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def cff_field(text: str, name: str) -> str:
    """A top-level scalar of CITATION.cff, read without a YAML library (the site step runs on bare Python).

    >>> cff_field("title: A book\\nversion: 0.2.0\\n", "version")
    '0.2.0'
    """
    match = re.search(rf"^{re.escape(name)}:[ \t]*[\"']?([^\"'\n#]*?)[\"']?[ \t]*(#.*)?$", text, flags=re.M)
    if not match:
        raise ReleaseError(f"CITATION.cff has no top-level {name!r}")
    return match.group(1)


def current_version(root: Path) -> str:
    return cff_field((root / "CITATION.cff").read_text(encoding="utf-8"), "version")


def release_commits(root: Path) -> dict[str, str]:
    """Every release's commit, by version, found from the history rather than from tags.

    A release is the commit ``make release`` made: it changes CITATION.cff and its subject is
    ``Release x.y.z``. Releases made before that existed are listed in HAND_MADE_RELEASES (where
    the commit is in this clone). A ``v*`` tag adds only a version the history does not know: a
    clone without tags, such as a CI checkout, finds the same commits as one with them.
    """
    found: dict[str, str] = {}
    for line in git(root, "log", "--format=%H %s", "--", "CITATION.cff").splitlines():
        sha, _, subject = line.partition(" ")
        made = re.fullmatch(r"Release (\d+\.\d+\.\d+)", subject)
        if made:
            found.setdefault(made.group(1), sha)
    for version, sha in HAND_MADE_RELEASES.items():
        if version not in found and _is_commit(root, sha):
            found[version] = sha
    for tag in git(root, "tag", "--list", "v*").split():
        if _SEMVER.match(tag[1:]) and tag[1:] not in found:
            found[tag[1:]] = git(root, "rev-parse", f"{tag}^{{commit}}").strip()
    return dict(sorted(found.items(), key=lambda item: parse_version(item[0])))


def _is_commit(root: Path, sha: str) -> bool:
    return subprocess.run(["git", "cat-file", "-e", f"{sha}^{{commit}}"], cwd=root, capture_output=True).returncode == 0


def release_commit(root: Path, version: str) -> str:
    """The commit of release ``version`` (see release_commits); refused when this clone does not hold it."""
    commit = release_commits(root).get(version)
    if commit is None:
        raise ReleaseError(_no_release_commit(version))
    return commit


def _no_release_commit(version: str) -> str:
    recorded = ", its recorded commit is not here" if version in HAND_MADE_RELEASES else ""
    return (f"this clone holds no commit of release {version} (no 'Release {version}' commit changes CITATION.cff"
            f"{recorded} and there is no tag v{version}); if {version} was released, fetch the whole history "
            "(git fetch --unshallow, or actions/checkout with fetch-depth: 0)")


def changelog_heading(changelog: str, version: str) -> re.Match[str] | None:
    """The CHANGELOG.md heading of ``version``: ``## x.y.z``, optionally followed by ``(date)``."""
    return re.search(rf"^## {re.escape(version)}(?P<date>[ \t]+\(\d{{4}}-\d{{2}}-\d{{2}}\))?[ \t]*$", changelog,
                     flags=re.M)


def release_problems(root: Path, version: str, epoch: int | None = None) -> list[str]:
    """Every reason this tree cannot be released as ``version`` at ``epoch`` (default: now; none: it can)."""
    problems = []
    epoch = release_epoch() if epoch is None else epoch
    last_date = cff_field((root / "CITATION.cff").read_text(encoding="utf-8"), "date-released").strip("'\"")
    if iso_date(epoch) < last_date:
        problems.append(f"the release date {iso_date(epoch)} is earlier than the last release's ({last_date}); "
                        "check the clock or SOURCE_DATE_EPOCH: a release is never dated before the one it follows")
    if epoch < commit_epoch_of(root, "HEAD"):
        problems.append(f"the release time {iso_date(epoch)} is earlier than the commit it releases; a release "
                        "commit is never dated before its parent")
    dirty = uncommitted(root)
    if dirty:
        shown = "; ".join(dirty[:5]) + ("; …" if len(dirty) > 5 else "")
        problems.append(f"the working tree has uncommitted changes ({shown}); commit or stash them: a release is "
                        "made only from a commit")
    try:
        wanted = parse_version(version)
    except ReleaseError as error:
        return problems + [str(error)]
    current = current_version(root)
    released = release_commits(root)
    highest = max([current, *released], key=parse_version)
    if wanted <= parse_version(highest):
        problems.append(f"version {version} is not higher than the last ({highest}); choose a higher version")
    if f"v{version}" in git(root, "tag", "--list", f"v{version}").split():
        problems.append(f"the tag v{version} already exists")
    if not changelog_heading((root / "CHANGELOG.md").read_text(encoding="utf-8"), version):
        problems.append(f"CHANGELOG.md has no '## {version}' entry; write what this release changes under that "
                        "heading (move the 'Unreleased' items there) and commit it")
    if current not in released:
        problems.append(f"{_no_release_commit(current)}: the evidence diff starts at the last release")
    return problems


def release_epoch() -> int:
    """The release time: SOURCE_DATE_EPOCH when set (reproducible builds' convention), else now."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    return int(value) if value else int(time.time())


def commit_epoch_of(root: Path, revision: str) -> int:
    """When ``revision`` was committed (seconds since the epoch)."""
    return int(git(root, "log", "-1", "--format=%ct", revision).strip())


def commit_epoch(root: Path) -> int:
    """The time an archive is stamped with: SOURCE_DATE_EPOCH when set, else the current commit's time."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    return int(value) if value else commit_epoch_of(root, "HEAD")


def iso_date(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).date().isoformat()


# --- the copies of the release facts -----------------------------------------------------------------

def _replace_line(text: str, pattern: str, line: str, where: str) -> str:
    new, count = re.subn(pattern, lambda _: line, text, count=1, flags=re.M)
    if count != 1:
        raise ReleaseError(f"{where}: no line matching {pattern!r} to set")
    return new


def set_release_facts(root: Path, version: str, date: str) -> None:
    """Write version and date into CITATION.cff and every copy of them, and regenerate .zenodo.json."""
    cff = root / "CITATION.cff"
    text = _replace_line(cff.read_text(encoding="utf-8"), r"^version:.*$", f"version: {version}", "CITATION.cff")
    cff.write_text(_replace_line(text, r"^date-released:.*$", f"date-released: {date}", "CITATION.cff"),
                   encoding="utf-8")
    project = root / "pyproject.toml"
    project.write_text(_replace_line(project.read_text(encoding="utf-8"), r'^version = ".*"$',
                                     f'version = "{version}"', "pyproject.toml"), encoding="utf-8")
    init = root / "src" / "pcn_evidence" / "__init__.py"
    if "__version__" in init.read_text(encoding="utf-8"):
        init.write_text(_replace_line(init.read_text(encoding="utf-8"), r'^__version__ = ".*"$',
                                      f'__version__ = "{version}"', "src/pcn_evidence/__init__.py"), encoding="utf-8")
    set_package_version(root / "data" / "datapackage.json", version)
    write_zenodo(root)
    changelog = root / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    heading = changelog_heading(text, version)
    if heading:  # the entry is dated with the release, whatever date its author guessed
        changelog.write_text(text[:heading.start()] + f"## {version} ({date})" + text[heading.end():],
                             encoding="utf-8")


def set_package_version(descriptor: Path, version: str) -> None:
    """The data package's ``version`` (Data Package spec), placed after its title."""
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    ordered: dict[str, object] = {}
    for key, value in package.items():
        if key != "version":
            ordered[key] = value
        if key == "title":
            ordered["version"] = version
    ordered.setdefault("version", version)
    descriptor.write_text(json.dumps(ordered, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


_BIB_DOI = re.compile(r"^\s*doi\s*=\s*[{\"]([^}\"]+)[}\"]", flags=re.M | re.I)


def zenodo_metadata(cff: dict, bibliographies: Sequence[str] = ()) -> dict:
    """Zenodo deposit metadata from a parsed CITATION.cff: a book with its corporate author, never a DOI of its own.

    The sources' DOIs (CITATION.cff ``references`` and any ``doi`` in the bibliographies)
    become related identifiers. A ``doi`` in CITATION.cff is not copied: Zenodo mints the
    version's DOI when the archive is deposited.
    """
    def creator(author: dict) -> dict:
        if author.get("name"):
            entry = {"name": str(author["name"])}  # a corporate author stays one name, never split into a person
        else:
            entry = {"name": f"{author['family-names']}, {author.get('given-names', '')}".strip(", ")}
        if author.get("affiliation"):
            entry["affiliation"] = str(author["affiliation"])
        if author.get("orcid"):
            entry["orcid"] = str(author["orcid"]).rsplit("/", 1)[-1]
        return entry

    dois = [str(ref["doi"]) for ref in cff.get("references", []) if ref.get("doi")]
    for bib in bibliographies:
        dois += _BIB_DOI.findall(bib)
    unique: dict[str, str] = {}  # DOIs ignore case: the first spelling is kept
    for doi in dois:
        unique.setdefault(doi.strip().lower(), doi.strip())
    licence = cff.get("license")
    metadata = {
        "upload_type": "publication",
        "publication_type": "book",
        "title": str(cff["title"]),
        "version": str(cff["version"]),
        "publication_date": str(cff["date-released"]),
        "creators": [creator(a) for a in cff["authors"]],
        "description": "<p>" + html.escape(" ".join(str(cff.get("abstract", cff["title"])).split())) + "</p>",
        "access_right": "open",
        "license": str(licence[0] if isinstance(licence, list) else licence),
        "keywords": [str(k) for k in cff.get("keywords", [])],
        "related_identifiers": [{"identifier": doi, "relation": "references", "scheme": "doi",
                                 "resource_type": "publication-article"} for doi in unique.values()],
    }
    if cff.get("message"):
        metadata["notes"] = " ".join(str(cff["message"]).split())
    return metadata


def write_zenodo(root: Path) -> Path:
    import yaml

    cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    bibs = [p.read_text(encoding="utf-8") for p in sorted(root.glob("references*.bib"))]
    target = root / ".zenodo.json"
    target.write_text(json.dumps(zenodo_metadata(cff, bibs), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def release_fact_problems(root: Path) -> list[str]:
    """Every copy of the release facts that disagrees with CITATION.cff (none: they all agree)."""
    import tomllib

    import yaml

    cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    version, date = str(cff["version"]), str(cff["date-released"])
    found = {"pyproject.toml (project.version)": tomllib.loads((root / "pyproject.toml").read_text())["project"][
        "version"], "data/datapackage.json (version)": json.loads(
            (root / "data" / "datapackage.json").read_text(encoding="utf-8")).get("version")}
    init = re.search(r'^__version__ = "(.*)"$', (root / "src" / "pcn_evidence" / "__init__.py").read_text(), re.M)
    if init:
        found["src/pcn_evidence/__init__.py (__version__)"] = init.group(1)
    problems = [f"{where} says {value!r}; CITATION.cff says {version!r}" for where, value in found.items()
                if value != version]
    heading = changelog_heading((root / "CHANGELOG.md").read_text(encoding="utf-8"), version)
    if not heading:
        problems.append(f"CHANGELOG.md has no '## {version}' entry")
    elif heading.group("date") and heading.group("date").strip(" ()") != date:
        problems.append(f"CHANGELOG.md dates {version} {heading.group('date').strip()}; CITATION.cff says {date}")
    zenodo = root / ".zenodo.json"
    bibs = [p.read_text(encoding="utf-8") for p in sorted(root.glob("references*.bib"))]
    if not zenodo.exists() or json.loads(zenodo.read_text(encoding="utf-8")) != zenodo_metadata(cff, bibs):
        problems.append(".zenodo.json is missing or not what CITATION.cff generates; run: python tools/release.py "
                        "zenodo")
    return problems


# --- the release --------------------------------------------------------------------------------------

def chapters_to_refresh(root: Path) -> list[Path]:
    """Chapters whose stored outputs can show the release facts or the recorded changes."""
    import yaml

    sys.path.insert(0, str(root / "tools"))
    import book  # the book being released, not necessarily this checkout's

    declared = yaml.safe_load((root / "chapters" / "inputs.yml").read_text(encoding="utf-8")) or {}
    chosen = []
    for path in book.toc_notebooks(root):
        entry = declared.get(path.stem) or {}
        tables = entry.get("tables", [])
        if "CITATION.cff" in entry.get("files", []) or tables == "*" or "evidence_changes" in tables:
            chosen.append(path)
    return chosen


def _run(root: Path, command: list[str], what: str, env: dict[str, str]) -> None:
    print(f"{what}: {' '.join(command)}", flush=True)
    result = subprocess.run(command, cwd=root, env=env)
    if result.returncode != 0:
        raise ReleaseError(f"{what} failed (exit {result.returncode}); see above")


def release(version: str, root: Path = ROOT, build: bool = True, refresh: bool = True) -> Path | None:
    """Release ``version`` of the book in ``root`` (see the module docstring); returns the archive's path.

    ``build=False`` and ``refresh=False`` (for tests) skip building the book and the archive, and
    re-executing the chapters.
    """
    epoch = release_epoch()
    problems = release_problems(root, version, epoch)
    if problems:
        raise ReleaseError("the release was refused:\n" + "\n".join(f"  - {p}" for p in problems))
    previous = current_version(root)
    date = iso_date(epoch)
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch), PCN_BOOK_ROOT=str(root), PCN_EVIDENCE_DATA=str(root / "data"),
               PYTHONPATH=str(root / "src"))
    existed = {name: (root / name).exists() for name in VERSIONED_FILES}
    try:
        set_release_facts(root, version, date)
        _run(root, [sys.executable, "tools/evidence_diff.py", f"v{previous}", "--write", "--release", version,
                    "--date", date, "--format", "summary"], "Evidence changes since the last release", env)
        refreshed = chapters_to_refresh(root) if refresh else []
        if refreshed:
            _run(root, [sys.executable, "tools/book.py", "outputs", *map(str, refreshed)],
                 "Re-executing the chapters that show the release", env)
        if build:
            _run(root, [sys.executable, "tools/book.py", "build"], "Building the book", env)
    except BaseException:
        _restore(root, existed)
        raise
    changed = [name for name in VERSIONED_FILES if (root / name).exists()]
    changed += [str(p.relative_to(root)) for p in refreshed]
    git(root, "add", "--", *changed)
    stray = uncommitted(root)
    stray = [line for line in stray if not line.startswith(("M  ", "A  "))]
    if stray:
        _restore(root, existed)
        raise ReleaseError(f"the release changed files it does not commit ({'; '.join(stray)}); nothing was committed")
    stamp = dict(os.environ, GIT_AUTHOR_DATE=f"@{epoch} +0000", GIT_COMMITTER_DATE=f"@{epoch} +0000")
    git(root, "commit", "--quiet", "-m", f"Release {version}", "-m",
        f"Version and date ({date}) in CITATION.cff and its copies; the evidence changes since {previous} recorded "
        "for the What's-new page.", env=stamp)
    git(root, "tag", "-a", f"v{version}", "-m", f"Version {version} ({date})", env=stamp)
    archive = dist(root) if build else None  # built again, from clean, from the commit just made
    print(f"Released {version} ({date}): commit {git(root, 'rev-parse', '--short', 'HEAD').strip()}, tag v{version}"
          + (f", archive {archive.relative_to(root)}" if archive else "")
          + f".\nPublish it with: git push origin HEAD v{version}")
    return archive


def _restore(root: Path, existed: dict[str, bool]) -> None:
    """Put back every file the release may have changed (the tree was clean when it started)."""
    for name, was_there in existed.items():
        if not was_there:
            (root / name).unlink(missing_ok=True)
    git(root, "checkout", "--quiet", "HEAD", "--", *[name for name, was_there in existed.items() if was_there],
        "chapters")


# --- the archive --------------------------------------------------------------------------------------

def archive_stem(root: Path) -> str:
    """``<name>-x.y.z`` for the commit of release x.y.z; ``<name>-x.y.z-post-<commit>`` after it."""
    version = current_version(root)
    if release_commits(root).get(version) == git(root, "rev-parse", "HEAD").strip():
        return f"{ARCHIVE_NAME}-{version}"
    return f"{ARCHIVE_NAME}-{version}-post-{git(root, 'rev-parse', '--short=7', 'HEAD').strip()}"


def archive_members(root: Path) -> dict[str, Path]:
    """What the archive holds, by path inside it: the built book, the data package, the downloads, metadata."""
    sys.path.insert(0, str(root / "src"))
    from pcn_evidence.downloads import published_files

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
    with zipfile.ZipFile(partial, "w") as bundle:
        for name in sorted(entries):
            info = zipfile.ZipInfo(f"{stem}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, wherever it is made
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            bundle.writestr(info, entries[name], compresslevel=9)
    partial.replace(target)
    return target


def export_commit(root: Path, destination: Path) -> Path:
    """The files of ``root``'s current commit, and nothing else, in ``destination`` (git archive HEAD).

    The export shares ``root``'s .venv, as tools/book.py's working copies do.
    """
    exported = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=root, capture_output=True)
    if exported.returncode != 0:
        raise ReleaseError(f"git archive HEAD failed: {exported.stderr.decode(errors='replace').strip()}")
    destination.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(exported.stdout)) as tar:
        tar.extractall(destination, filter="data")  # git's own tar; the filter refuses paths leaving it anyway
    if (root / ".venv").is_dir():
        (destination / ".venv").symlink_to((root / ".venv").resolve())
    return destination


def sources_dir(root: Path) -> Path:
    """The reference texts the build checks quotes against: PCN_SOURCES_DIR, else ../shared/sources beside ``root``."""
    return Path(os.environ.get("PCN_SOURCES_DIR") or root.parent / "shared" / "sources").resolve()


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
        env = dict(os.environ, PCN_BOOK_ROOT=str(book), PCN_EVIDENCE_DATA=str(book / "data"),
                   PYTHONPATH=str(book / "src"), PCN_SOURCES_DIR=str(sources_dir(root)))
        _run(book, [sys.executable, "tools/book.py", "build"], "Building the book from clean, from the commit", env)
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


# --- the published site: every release under /vX.Y.Z/, the newest at the root --------------------------

def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise ReleaseError(f"refusing the archive entry {name!r}: it points outside the archive")
    return path


def read_release_archive(archive: Path) -> tuple[str, str, dict[str, bytes]]:
    """The version, release date and built pages (paths inside html/) of a release archive."""
    with zipfile.ZipFile(archive) as bundle:
        names = [_safe_name(n) for n in bundle.namelist()]
        cff = next((n for n in names if n.parts[1:] == ("CITATION.cff",)), None)
        if cff is None:
            raise ReleaseError(f"{archive.name} holds no CITATION.cff: it is not a release archive of this book")
        text = bundle.read(str(cff)).decode("utf-8")
        pages = {PurePosixPath(*n.parts[2:]).as_posix(): bundle.read(str(n)) for n in names
                 if len(n.parts) > 2 and n.parts[1] == "html"}
    return cff_field(text, "version"), cff_field(text, "date-released"), pages


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


def _write_tree(out: Path, pages: dict[str, bytes]) -> None:
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
        _write_tree(out / f"v{version}", pages)
        if not releases or parse_version(version) > max(parse_version(v) for v in releases):
            newest = pages
        releases[version] = date
    dev = dev_html is not None and (dev_html / "index.html").exists()
    if dev:
        assert dev_html is not None
        shutil.copytree(dev_html, out / "dev")
    if newest:
        _write_tree(out, newest)
    elif dev:
        assert dev_html is not None
        shutil.copytree(dev_html, out, dirs_exist_ok=True)
    index = versions_index(releases, dev)
    (out / "versions.json").write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")
    (out / "versions.html").write_text(versions_page(index), encoding="utf-8")
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("release", help="release this commit as VERSION")
    make.add_argument("version")
    commands.add_parser("dist", help="write the release archive of the current commit")
    commands.add_parser("zenodo", help="rewrite .zenodo.json from CITATION.cff")
    site = commands.add_parser("site", help="assemble the published site from release archives")
    site.add_argument("--archives", type=Path, required=True, help="folder holding the release archives (*.zip)")
    site.add_argument("--out", type=Path, required=True)
    site.add_argument("--dev", type=Path, default=None, help="the current build of main, published at dev/")
    args = parser.parse_args(argv)
    try:
        if args.command == "release":
            release(args.version)
        elif args.command == "dist":
            dist()
        elif args.command == "zenodo":
            print(f"Wrote {write_zenodo(ROOT).relative_to(ROOT)}")
        else:
            index = assemble_site(sorted(args.archives.glob("*.zip")), args.out, args.dev)
            print(f"Site in {args.out}: latest {index['latest'] or 'none (current build at the root)'}; "
                  f"{len(index['versions'])} release(s)" + ("; dev/" if index["dev"] else ""))
    except ReleaseError as error:
        print(f"release: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
