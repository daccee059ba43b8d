"""The evidence diff between two versions of data/: exactly the planted changes, read from git, tree untouched.

The fixtures are copies of the real data package in a temporary folder, one with a rating
changed, one finding added and one finding reworded (the issue's test). The repository they are diffed from is
released as the book's last release (LAST, read from CITATION.cff), never as a literal version, so that releasing
the book breaks none of these tests.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from helpers import DATA, ROOT, lower_version, next_minor

from pcn_evidence.changes import compare, snapshot
from pcn_evidence.schema import validate_package
from pcn_evidence.tools import evidence_diff, site, versions
from pcn_evidence.tools.rows import read_rows, write_rows

ADDED = "f-fixture-added"
LAST = versions.current_version(ROOT)  # the release the fixture's one commit is, as its CITATION.cff says
NEXT = next_minor(LAST)


def plant_three_changes(data: Path) -> tuple[str, str]:
    """In a copy of data/: one rating changed, one finding added, one finding reworded. Returns (rated, reworded)."""
    header, ratings = read_rows(data / "cerqual.csv")
    rated = next(r for r in ratings if r["confidence"] == "moderate")
    rated["confidence"], rated["adequacy"] = "low", "serious concerns"
    ratings.append(dict(rated, finding_id=ADDED))
    write_rows(data / "cerqual.csv", header, ratings)
    header, findings = read_rows(data / "synthesis_findings.csv")
    reworded = next(f for f in findings if f["id"] != rated["finding_id"])
    reworded["finding"] += " The wording of this finding was changed for the test."
    template = findings[0]
    findings.append(dict(template, id=ADDED, order=str(max(int(f["order"]) for f in findings) + 1),
                         label="A finding added for a test", title="A finding added for the test",
                         finding=template["finding"]))
    write_rows(data / "synthesis_findings.csv", header, findings)
    return rated["finding_id"], reworded["id"]


def changes_of(frame) -> set[tuple[str, str, str]]:
    return set(zip(frame["item_kind"], frame["item_id"], frame["change"]))


@pytest.fixture
def two_versions(tmp_path: Path) -> tuple[Path, Path, str, str]:
    old, new = tmp_path / "old" / "data", tmp_path / "new" / "data"
    shutil.copytree(DATA, old)
    shutil.copytree(DATA, new)
    rated, reworded = plant_three_changes(new)
    validate_package(new)  # the fixture is a valid data package, not just different
    return old, new, rated, reworded


def test_the_diff_reports_exactly_the_three_planted_changes(two_versions):
    old, new, rated, reworded = two_versions
    changes = compare(snapshot(old), snapshot(new), previous="0.1.0")
    assert changes_of(changes) == {("finding", rated, "confidence changed"), ("finding", ADDED, "added"),
                                   ("finding", reworded, "reworded")}
    rating = changes[changes["item_id"] == rated].set_index("field")
    assert (rating.at["confidence", "old"], rating.at["confidence", "new"]) == ("moderate", "low")
    assert rating.at["adequacy", "new"] == "serious concerns"
    assert changes[changes["item_id"] == reworded]["field"].tolist() == ["finding"]


# --- through git, as `make evidence-diff FROM=…` runs it --------------------------------------------------

GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid", "GIT_COMMITTER_NAME": "Test",
           "GIT_COMMITTER_EMAIL": "test@example.invalid", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True,
                          env=dict(os.environ, **GIT_ENV)).stdout


def tree_digest(repo: Path) -> dict[str, str]:
    return {p.relative_to(repo).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(repo.rglob("*")) if p.is_file() and ".git" not in p.parts}


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository whose last release (LAST: its one commit, untagged) holds the real data; made once, copied for
    each test (``repo``)."""
    repo = tmp_path_factory.mktemp("released") / "repo"
    shutil.copytree(DATA, repo / "data")
    shutil.copy(ROOT / "CITATION.cff", repo / "CITATION.cff")
    shutil.copytree(ROOT / "src" / "pcn_evidence", repo / "src" / "pcn_evidence",
                    ignore=shutil.ignore_patterns("__pycache__"))
    git(repo, "init", "--quiet")
    git(repo, "add", ".")
    git(repo, "commit", "--quiet", "-m", f"Release {LAST}")
    git(repo, "repack", "-a", "-d", "-q")  # one pack, not a file per object: each test copies the history
    git(repo, "prune-packed", "-q")
    return repo


@pytest.fixture
def repo(released: Path, tmp_path: Path) -> Path:
    """A throwaway copy of :func:`released`, its history included, for one test to change."""
    return Path(shutil.copytree(released, tmp_path / "repo", symlinks=True))


def test_the_diff_from_a_release_reads_git_and_leaves_the_tree_untouched(repo):
    rated, reworded = plant_three_changes(repo / "data")
    before, status = tree_digest(repo), git(repo, "status", "--porcelain")
    changes = evidence_diff.changes_between(f"v{LAST}", evidence_diff.WORKTREE, root=repo)
    assert changes_of(changes) == {("finding", rated, "confidence changed"), ("finding", ADDED, "added"),
                                   ("finding", reworded, "reworded")}
    assert set(changes["previous"]) == {LAST} and set(changes["version"]) == {"unreleased"}
    assert tree_digest(repo) == before and git(repo, "status", "--porcelain") == status


def test_between_two_commits(repo):
    plant_three_changes(repo / "data")
    git(repo, "commit", "--quiet", "-am", "three changes")
    assert len(changes_of(evidence_diff.changes_between(f"v{LAST}", "HEAD", root=repo))) == 3
    assert evidence_diff.changes_between("HEAD", "HEAD", root=repo).empty


def run_cli(repo: Path, *args: str) -> SimpleNamespace:
    """`make evidence-diff` on ``repo``, in this process (a subprocess only adds a Python's start to each run:
    tests/test_changes.py runs the module as make does): its exit status and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = evidence_diff.main(list(args), root=repo)
        except SystemExit as exit:  # argparse refusing the arguments
            code = int(exit.code or 0)
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def test_the_command_line_in_text_csv_and_json(repo):
    rated, _ = plant_three_changes(repo / "data")
    text = run_cli(repo, f"v{LAST}")
    assert text.returncode == 0, text.stderr
    assert "Confidence changed (1)" in text.stdout and f"finding {rated}" in text.stdout
    assert "confidence: moderate -> low" in text.stdout
    records = json.loads(run_cli(repo, "--format", "json").stdout)  # FROM defaults to the last release
    assert {(r["item_id"], r["change"]) for r in records} >= {(ADDED, "added"), (rated, "confidence changed")}
    assert run_cli(repo, f"v{LAST}", "--format", "csv").stdout.splitlines()[0] == (
        "version,date,previous,item_kind,item_id,change,field,old,new")


def test_write_records_the_unreleased_changes_in_data(repo):
    plant_three_changes(repo / "data")
    assert run_cli(repo, f"v{LAST}", "--write").returncode == 0
    recorded = evidence_diff.read_changes(repo / "data" / "evidence_changes.csv")
    assert set(recorded[recorded["version"] == "unreleased"]["item_id"]) >= {ADDED}
    validate_package(repo / "data")  # the record itself passes the validator


def test_refusals_name_what_to_do(repo):
    bad = run_cli(repo, "no-such-tag")
    assert bad.returncode == 2 and "no-such-tag" in bad.stderr
    both = run_cli(repo, f"v{LAST}", "--write", "--to", "HEAD")
    assert both.returncode == 2 and "--write" in both.stderr
    alone = run_cli(repo, f"v{LAST}", "--release", NEXT)
    assert alone.returncode == 2 and "--release and --date go together" in alone.stderr


def legacy_page(messages: list[dict[str, str]]) -> str:
    """A key-messages notebook as 0.1.0 stored it (the messages on the page, not in data/)."""
    cells = [nbformat.v4.new_markdown_cell("(chapter-key-messages)=\n# Key messages")]
    for m in messages:
        refs = ", ".join(f"{{ref}}`{f}`" for f in m["finding_ids"].split("; "))
        cells.append(nbformat.v4.new_markdown_cell(
            f"({m['id']})=\n### {m['heading']}\n\nThe message's sentence.\n\n"
            f"*Confidence (GRADE-CERQual):* **x** · *Evidence:* {refs} · *Cite as:* `{m['id']}`"))
    return nbformat.writes(nbformat.v4.new_notebook(cells=cells))


def test_a_tag_and_a_commit_name_the_same_release(repo):
    plant_three_changes(repo / "data")
    first = git(repo, "rev-parse", "HEAD").strip()
    tagged = lower_version(LAST)
    git(repo, "tag", "-a", f"v{tagged}", "-m", "a tag the history does not know as a release")
    assert evidence_diff.resolve(f"v{LAST}", repo) == evidence_diff.resolve(f"v{tagged}", repo) == first
    assert evidence_diff.resolve("HEAD~0", repo) == "HEAD~0"  # any other name is git's to read
    missing = run_cli(repo, f"v{NEXT}")  # not released in this clone
    assert missing.returncode == 2 and f"holds no commit of release {NEXT}" in missing.stderr


def test_key_messages_of_a_version_that_kept_them_on_their_page(repo):
    git(repo, "checkout", "--quiet", "-b", "legacy", "HEAD")
    _, messages = read_rows(repo / "data" / "key_messages.csv")
    descriptor = json.loads((repo / "data" / "datapackage.json").read_text())
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "key_messages"]
    del descriptor[evidence_diff.LAYOUT_FIELD]  # 0.1.0's package stated no layout: layout 1
    (repo / "data" / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    (repo / "data" / "key_messages.csv").unlink()
    (repo / "chapters").mkdir()
    messages[0]["heading"] = "An older heading"
    (repo / "chapters" / "key_messages.ipynb").write_text(legacy_page(messages))
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "key messages on their page")
    git(repo, "checkout", "--quiet", "HEAD~1")  # the release: key messages in data/
    changes = evidence_diff.changes_between("legacy", evidence_diff.WORKTREE, root=repo)
    assert changes_of(changes) == {("key message", messages[0]["id"], "reworded")}


def test_the_book_states_the_layout_the_diff_reads():
    descriptor = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert evidence_diff.layout_of(descriptor) == evidence_diff.LAYOUT


@pytest.mark.parametrize("layout", [99, "2", True, 0])
def test_a_layout_the_tool_cannot_read_is_refused_by_name(repo, layout):
    path = repo / "data" / "datapackage.json"
    descriptor = json.loads(path.read_text())
    descriptor[evidence_diff.LAYOUT_FIELD] = layout
    path.write_text(json.dumps(descriptor, indent=2))
    git(repo, "commit", "--quiet", "-am", "a layout from elsewhere")
    with pytest.raises(evidence_diff.DiffError, match=r"datapackage.json: pcn:layout is .*this tool reads layout"):
        evidence_diff.changes_between("HEAD", evidence_diff.WORKTREE, root=repo)


def test_the_tools_own_examples_run():
    import doctest

    for module in (evidence_diff, versions, site):
        assert doctest.testmod(module).failed == 0, module.__name__
