"""A release's facts: versions, the commits of past releases (found from the history, not from tags), why a
tree cannot be released, and the copies of the version and date that CITATION.cff, the one place for them,
is written into (pyproject.toml, the package's ``__version__``, data/datapackage.json, .zenodo.json and the
CHANGELOG.md heading). See :mod:`pcn_evidence.tools.release`.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from ..versioning import is_version, parse_version

__all__ = ["ReleaseError", "HAND_MADE_RELEASES", "git", "run", "uncommitted", "parse_version", "cff_field",
           "current_version", "release_commits", "release_commit", "changelog_heading", "release_problems",
           "release_epoch", "commit_epoch_of", "commit_epoch", "iso_date", "set_release_facts",
           "set_package_version", "zenodo_metadata", "write_zenodo", "release_fact_problems"]

# Releases made by hand before `make release` existed, so without a "Release x.y.z" commit: the commit each
# release's evidence is taken from. 0.1.0 is the last commit before the work CHANGELOG.md lists after it.
HAND_MADE_RELEASES = {"0.1.0": "6644998530d58153fec56c51c8efb0428a413725"}


class ReleaseError(RuntimeError):
    """Why the release or archive was refused; the message says what to do."""


# --- git and versions ------------------------------------------------------------------------------

def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, encoding="utf-8", env=env)
    if result.returncode != 0:
        raise ReleaseError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def run(root: Path, command: list[str], what: str, env: dict[str, str]) -> None:
    """Run one step of a release or an archive in ``root``, saying what it is; a failure stops it."""
    print(f"{what}: {' '.join(command)}", flush=True)
    result = subprocess.run(command, cwd=root, env=env)
    if result.returncode != 0:
        raise ReleaseError(f"{what} failed (exit {result.returncode}); see above")


def uncommitted(root: Path) -> list[str]:
    """Every modified, staged or untracked (not ignored) path: a release is made only from a commit."""
    return [line for line in git(root, "status", "--porcelain", "--untracked-files=all").splitlines() if line]


def cff_field(text: str, name: str) -> str:
    """A top-level scalar of CITATION.cff, read without a YAML library (a release archive's copy too).

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
        if is_version(tag[1:]) and tag[1:] not in found:
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
    current = current_version(root)
    released = release_commits(root)
    try:  # the version asked for, and CITATION.cff's, are read as versions
        wanted = parse_version(version)
        highest = max([current, *released], key=parse_version)
    except ValueError as error:
        return problems + [str(error)]
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
        problems.append(".zenodo.json is missing or not what CITATION.cff generates; run: python -m "
                        "pcn_evidence.tools.release zenodo")
    return problems

