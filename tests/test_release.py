"""`make release` and `make dist` (pcn_evidence.tools.release and .archive), run only in throwaway repositories in tmp.

A throwaway repository is a copy of this checkout's files (tracked and untracked, not ignored)
committed afresh as its last release, untagged: the tests release it, never this checkout.

No test names today's version: LAST is the copy's last release (CITATION.cff, as `make release` reads it),
NEXT the next minor version, and every other version is placed relative to them, so that releasing the book
breaks no test that was right.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, lower_version, next_minor
from smallbook import BuiltBook, copy_built, shared_build  # noqa: F401  (shared_build is a fixture)

from pcn_evidence.tools import archive, release, versions
from pcn_evidence.tools.paths import tool
from pcn_evidence.tools.rows import read_rows, write_rows

GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.invalid", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}
EPOCH = 1795000000  # 2026-11-18: a fixed time for the archives' entries

LAST = versions.current_version(ROOT)  # the last release, which the copies (repo, the small book) share
NEXT = next_minor(LAST)  # the release a test makes
LATER = next_minor(NEXT)  # a release beyond NEXT: a tag made elsewhere, which NEXT would not be higher than
LOWER = lower_version(LAST)  # well formed, but lower than the last release


@pytest.fixture(autouse=True)
def git_identity(monkeypatch):
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", message)


@pytest.fixture(scope="session")
def released_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This book's files (tracked and untracked, not ignored) as a git repository whose one commit is its last
    release (LAST), untagged; made once a session, and copied for each test (``repo``).

    Releases are found from the history, as in a CI clone, which has no tags.
    """
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")
    repo = tmp_path_factory.mktemp("released") / "book"
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    with pytest.MonkeyPatch.context() as patch:  # the autouse identity is not set yet for a session fixture
        for key, value in GIT_ENV.items():
            patch.setenv(key, value)
        git(repo, "init", "--quiet")
        commit_all(repo, f"Release {versions.current_version(repo)}")
        git(repo, "repack", "-a", "-d", "-q")  # one pack, not a file per object: each test copies the history
        git(repo, "prune-packed", "-q")
    return repo


@pytest.fixture
def repo(released_book: Path, tmp_path: Path) -> Path:
    """A throwaway copy of :func:`released_book`, its history included, for one test to release."""
    return Path(shutil.copytree(released_book, tmp_path / "book", symlinks=True))


def add_changelog_entry(repo: Path, version: str) -> None:
    changelog = repo / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    changelog.write_text(text.replace("## Unreleased", f"## Unreleased\n\n## {version}\n\n- A test release.", 1),
                         encoding="utf-8")


def problems(repo: Path, version: str) -> str:
    return "\n".join(versions.release_problems(repo, version))


# --- refusals ------------------------------------------------------------------------------------------

def test_a_release_from_a_dirty_tree_is_refused_and_changes_nothing(repo):
    add_changelog_entry(repo, NEXT)
    commit_all(repo, "changelog")
    (repo / "data" / "notes.txt").write_text("an untracked file")
    head = git(repo, "rev-parse", "HEAD")
    with pytest.raises(versions.ReleaseError, match="uncommitted changes.*notes.txt"):
        release.release(NEXT, repo, build=False, refresh=False)
    assert git(repo, "rev-parse", "HEAD") == head and f"v{NEXT}" not in git(repo, "tag")
    (repo / "data" / "notes.txt").unlink()
    (repo / "CITATION.cff").write_text((repo / "CITATION.cff").read_text() + "\n")  # a modified tracked file
    assert "uncommitted changes" in problems(repo, NEXT)


NOT_HIGHER = f"not higher than the last ({LAST})"


@pytest.mark.parametrize("version, refusal", [
    (LAST, NOT_HIGHER),  # the last release again
    (LOWER, NOT_HIGHER),
    (f"{NEXT}-rc1", "MAJOR.MINOR.PATCH"),  # a pre-release of the next version
    (NEXT.rsplit(".", 1)[0], "MAJOR.MINOR.PATCH"),  # the next version without its patch
    (f"v{NEXT}", "MAJOR.MINOR.PATCH"),  # the tag's name, not the version
])
def test_a_version_that_is_not_higher_or_not_a_version_is_refused(repo, version, refusal):
    add_changelog_entry(repo, version)
    commit_all(repo, "changelog")
    assert refusal in problems(repo, version)


def test_a_version_below_an_existing_tag_is_refused(repo):
    git(repo, "tag", "-a", f"v{LATER}", "-m", "a later release")
    add_changelog_entry(repo, NEXT)
    commit_all(repo, "changelog")
    assert f"not higher than the last ({LATER})" in problems(repo, NEXT)


def test_a_release_dated_before_the_last_release_or_its_parent_commit_is_refused(repo):
    """#23: the next release dated before the last one (a '## NEXT' heading dated earlier than the '## LAST' below
    it), the commit dated before its parent."""
    add_changelog_entry(repo, NEXT)
    commit_all(repo, "changelog")
    last = dt.date.fromisoformat(versions.cff_field((repo / "CITATION.cff").read_text(), "date-released").strip("'\""))
    before = int(dt.datetime(last.year, last.month, last.day, tzinfo=dt.UTC).timestamp()) - 86400
    found = "\n".join(versions.release_problems(repo, NEXT, before))
    assert f"is earlier than the last release's ({last.isoformat()})" in found
    assert "is earlier than the commit it releases" in found
    head = git(repo, "rev-parse", "HEAD")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(before))
        with pytest.raises(versions.ReleaseError, match="earlier than the last release's"):
            release.release(NEXT, repo, build=False, refresh=False)
    assert git(repo, "rev-parse", "HEAD") == head
    assert problems(repo, NEXT) == ""  # now is after both


def test_a_missing_changelog_entry_is_refused(repo):
    # LATER, not NEXT: NEXT's entry is written before `make release` is run, and the tests must pass then too
    assert f"CHANGELOG.md has no '## {LATER}' entry" in problems(repo, LATER)
    add_changelog_entry(repo, LATER)
    commit_all(repo, "changelog")
    assert problems(repo, LATER) == ""


def test_a_last_release_this_clone_does_not_hold_is_refused(repo):
    git(repo, "commit", "--quiet", "--amend", "-m", "The book, not released")
    add_changelog_entry(repo, NEXT)
    commit_all(repo, "changelog")
    found = problems(repo, NEXT)
    assert f"holds no commit of release {LAST}" in found
    assert "fetch the whole history" in found


def test_releases_are_found_from_the_history_and_tags_only_add_versions_it_lacks(repo):
    first = git(repo, "rev-parse", "HEAD").strip()
    unknown = next_minor(LATER)  # a version no commit releases
    git(repo, "commit", "--quiet", "--allow-empty", "-m", f"Release {unknown}")  # not a release: CITATION.cff unchanged
    git(repo, "tag", "-a", f"v{LAST}", "-m", "a stray tag on a later commit")
    git(repo, "tag", "-a", f"v{LATER}", "-m", "a release the history does not know")
    head = git(repo, "rev-parse", "HEAD").strip()
    assert versions.release_commits(repo) == {LAST: first, LATER: head}
    assert versions.release_commit(repo, LAST) == first
    with pytest.raises(versions.ReleaseError, match=f"holds no commit of release {re.escape(unknown)}"):
        versions.release_commit(repo, unknown)


def test_a_hand_made_release_is_its_recorded_commit_where_the_clone_holds_it(repo, monkeypatch):
    git(repo, "commit", "--quiet", "--amend", "-m", "The book, released by hand")
    first = git(repo, "rev-parse", "HEAD").strip()
    # The mapping itself is tested, patched, so its versions are literals: 0.1.0 is the release really made by hand
    # (versions.HAND_MADE_RELEASES), here recorded as this clone's commit, and 0.0.1 one whose commit is elsewhere.
    # With no "Release x.y.z" commit and no tag, whatever version the book is at, only the mapping finds them.
    monkeypatch.setattr(versions, "HAND_MADE_RELEASES", {"0.1.0": first, "0.0.1": "0" * 40})
    assert versions.release_commits(repo) == {"0.1.0": first}  # 0.0.1's commit is not in this clone
    with pytest.raises(versions.ReleaseError, match="its recorded commit is not here"):
        versions.release_commit(repo, "0.0.1")


def test_the_command_line_refuses_with_a_message_and_exit_2(repo):
    # 0.0.0: lower than any release, and never one, so CHANGELOG.md has no entry for it (LOWER may have one: 0.1.0
    # when the last release is 0.1.1)
    result = subprocess.run(tool("release", "release", "0.0.0"), cwd=repo, capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=str(repo / "src")))  # the copy's own tool
    assert result.returncode == 2 and "the release was refused" in result.stderr
    assert NOT_HIGHER in result.stderr and "CHANGELOG.md has no '## 0.0.0' entry" in result.stderr


# --- a release ---------------------------------------------------------------------------------------------

def test_a_release_sets_every_copy_of_the_version_and_date_commits_and_tags(repo, monkeypatch):
    path = repo / "data" / "synthesis_findings.csv"
    header, rows = read_rows(path)
    first = rows[0]["id"]
    rows[0]["finding"] += " (Reworded for the test.)"  # whatever today's wording, the first finding is reworded
    write_rows(path, header, rows)
    add_changelog_entry(repo, NEXT)
    commit_all(repo, "A finding reworded, and its changelog entry")
    # a release time fixed by SOURCE_DATE_EPOCH, a day after the commit it releases (never before it, nor before the last release)
    epoch = versions.commit_epoch_of(repo, "HEAD") + 86400
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    release.release(NEXT, repo, build=False, refresh=False)
    date = versions.iso_date(epoch)
    cff = yaml.safe_load((repo / "CITATION.cff").read_text())
    assert (cff["version"], str(cff["date-released"])) == (NEXT, date)
    assert f'version = "{NEXT}"' in (repo / "pyproject.toml").read_text()
    assert json.loads((repo / "data" / "datapackage.json").read_text())["version"] == NEXT
    zenodo = json.loads((repo / ".zenodo.json").read_text())
    assert (zenodo["version"], zenodo["publication_date"]) == (NEXT, date)
    assert f"## {NEXT} ({date})" in (repo / "CHANGELOG.md").read_text()
    changes = (repo / "data" / "evidence_changes.csv").read_text().splitlines()
    assert not any(line.startswith("unreleased,") for line in changes)
    assert [line.split(",")[4:6] for line in changes if line.startswith(f"{NEXT},")] == [[first, "reworded"]]
    assert all(line.split(",")[1:3] == [date, LAST] for line in changes if line.startswith(f"{NEXT},"))
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "log", "-1", "--format=%s|%ct|%at") == f"Release {NEXT}|{epoch}|{epoch}\n"
    assert git(repo, "rev-parse", f"v{NEXT}^{{commit}}") == git(repo, "rev-parse", "HEAD")
    git(repo, "tag", "-d", f"v{NEXT}")  # a clone without the tag still knows the release
    assert versions.release_commits(repo)[NEXT] == git(repo, "rev-parse", "HEAD").strip()
    assert problems(repo, NEXT).count("not higher") == 1  # and it cannot be released twice


def test_a_failed_release_leaves_the_tree_as_it_was(repo):
    (repo / "data" / "cerqual.csv").write_text("finding_id\n\"never closed\n")  # the evidence diff cannot read it
    add_changelog_entry(repo, NEXT)
    commit_all(repo, "unreadable data")
    head = git(repo, "rev-parse", "HEAD")
    with pytest.raises(versions.ReleaseError, match="Evidence changes since the last release failed"):
        release.release(NEXT, repo, build=False, refresh=False)
    assert git(repo, "status", "--porcelain") == "" and git(repo, "rev-parse", "HEAD") == head
    assert f"v{NEXT}" not in git(repo, "tag")


def test_a_release_whose_writer_misses_a_copy_of_the_version_commits_nothing(repo, monkeypatch):
    add_changelog_entry(repo, NEXT)
    commit_all(repo, "a changelog entry")
    head, write = git(repo, "rev-parse", "HEAD"), versions.set_release_facts

    def misses_pyproject(root, version, date):
        kept = (root / "pyproject.toml").read_text()
        write(root, version, date)
        (root / "pyproject.toml").write_text(kept)

    monkeypatch.setattr(release, "set_release_facts", misses_pyproject)
    with pytest.raises(versions.ReleaseError, match=rf"(?s)disagree.*pyproject.toml \(project.version\) says '{LAST}'"):
        release.release(NEXT, repo, build=False, refresh=False)
    assert git(repo, "status", "--porcelain") == "" and git(repo, "rev-parse", "HEAD") == head


def test_the_chapters_refreshed_are_those_that_show_the_release(repo):
    names = {p.stem for p in release.chapters_to_refresh(repo)}
    declared = yaml.safe_load((repo / "chapters" / "inputs.yml").read_text())
    assert {"whats_new", "appendix", "how_to_cite"} <= names
    for name in names:
        entry = declared[name]
        assert "CITATION.cff" in entry.get("files", []) or entry["tables"] == "*" or (
            "evidence_changes" in entry["tables"])


# --- the archive --------------------------------------------------------------------------------------------

@pytest.fixture
def built_small_book(shared_build: BuiltBook, tmp_path: Path) -> Path:  # noqa: F811
    """A copy of the session's shared build of the small book, as a committed repository."""
    small_book = copy_built(shared_build, tmp_path / "book")
    for name in (*archive.EXTRA_FILES, ".gitignore"):
        shutil.copy(ROOT / name, small_book / name)
    git(small_book, "init", "--quiet")
    commit_all(small_book, "a small book")
    return small_book


@pytest.mark.slow  # reads the shared build of a small book (tests/smallbook.py): one build, about 10 s
def test_two_archives_of_the_same_commit_are_byte_identical_and_complete(built_small_book, tmp_path):
    # The archive step is what is checked here: the book is built once and archived twice, the second time
    # after every built file's time and mode changed. (`make dist` builds from clean in an export of the commit,
    # and two dists of one commit are identical: tests/test_dist.py, in `make test-slow`; an incremental build
    # is the clean one: `make check-determinism`.) One build serves every check, since building is the slow part.
    book = built_small_book
    commit = git(book, "rev-parse", "--short=7", "HEAD").strip()
    last = versions.current_version(book)  # the small book's CITATION.cff is the book's
    assert archive.archive_stem(book) == f"{archive.ARCHIVE_NAME}-{last}-post-{commit}"  # not a release commit
    git(book, "commit", "--quiet", "--amend", "-m", f"Release {last}")  # now it is, with no tag
    first = archive.dist(book, build=False, out=tmp_path)
    assert first.name == f"{archive.ARCHIVE_NAME}-{last}.zip"
    for path in (book / "_build").rglob("*"):
        if path.is_file():
            os.utime(path, (time.time(), time.time()))
            path.chmod(0o600)
    second = archive.dist(book, build=False)
    assert second == book / "dist" / first.name
    assert hashlib.sha256(first.read_bytes()).hexdigest() == hashlib.sha256(second.read_bytes()).hexdigest()

    stem = first.stem
    commit_time = int(git(book, "log", "-1", "--format=%ct"))
    with zipfile.ZipFile(first) as bundle:
        infos = bundle.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names) and all(n.startswith(f"{stem}/") for n in names)
        assert {f"{stem}/html/index.html", f"{stem}/data/datapackage.json", f"{stem}/CITATION.cff",
                f"{stem}/SHA256SUMS", f"{stem}/README.txt"} <= set(names)
        assert any(n.startswith(f"{stem}/downloads/") for n in names)
        stamp = time.gmtime(commit_time)
        assert {i.date_time for i in infos} == {(*stamp[:5], stamp.tm_sec - stamp.tm_sec % 2)}  # zip: 2 s steps
        assert {i.external_attr >> 16 for i in infos} == {0o100644} and not any(i.is_dir() for i in infos)
        sums = bundle.read(f"{stem}/SHA256SUMS").decode().splitlines()
        assert len(sums) == len(names) - 1
        for line in sums:
            digest, name = line.split("  ", 1)
            assert hashlib.sha256(bundle.read(f"{stem}/{name}")).hexdigest() == digest


def test_an_archive_is_refused_from_a_dirty_tree_or_without_a_build(repo):
    with pytest.raises(versions.ReleaseError, match="no built book"):
        archive.dist(repo, build=False)
    (repo / "scratch.txt").write_text("x")
    with pytest.raises(versions.ReleaseError, match="uncommitted changes"):
        archive.dist(repo, build=False)


def test_the_zip_depends_only_on_its_members_and_time(tmp_path):
    members = {"b.txt": b"second", "a/x.html": b"<p>first</p>"}
    one = archive.write_archive(tmp_path / "one.zip", "book-1.0.0", members, EPOCH)
    two = archive.write_archive(tmp_path / "two.zip", "book-1.0.0", dict(reversed(members.items())), EPOCH)
    assert one.read_bytes() == two.read_bytes()
    early = archive.write_archive(tmp_path / "early.zip", "book", members, 0)  # before zip's 1980 floor
    assert zipfile.ZipFile(early).infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)
