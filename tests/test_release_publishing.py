"""Publishing: the site assembled from release archives (each version at /vX.Y.Z/, the newest at the root,
versions.json and versions.html), and the workflows that run it, checked offline."""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from helpers import ROOT

from pcn_evidence.tools import archive, versions
from pcn_evidence.tools import site as site_tool

WORKFLOWS = ROOT / ".github" / "workflows"


def fake_release(folder: Path, version: str, date: str, page: str) -> Path:
    """A release archive as `make dist` lays it out, with one page."""
    stem = f"{archive.ARCHIVE_NAME}-{version}"
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    cff = re.sub(r"^version:.*$", f"version: {version}", cff, flags=re.M)
    cff = re.sub(r"^date-released:.*$", f"date-released: {date}", cff, flags=re.M)
    members = {"CITATION.cff": cff.encode(), "html/index.html": page.encode(),
               "html/chapters/whats_new.html": f"<p>{version}</p>".encode()}
    return archive.write_archive(folder / f"{stem}.zip", stem, members, 1795000000)


@pytest.fixture
def archives(tmp_path: Path) -> Path:
    folder = tmp_path / "releases"
    fake_release(folder, "0.2.0", "2027-01-10", "<p>second</p>")
    fake_release(folder, "0.10.0", "2027-06-01", "<p>tenth</p>")  # newest: 0.10.0 sorts after 0.2.0
    fake_release(folder, "0.1.0", "2026-11-23", "<p>first</p>")
    return folder


def test_each_release_at_its_version_path_and_the_newest_at_the_root(archives, tmp_path):
    dev = tmp_path / "dev-html"
    dev.mkdir()
    (dev / "index.html").write_text("<p>main</p>")
    site = tmp_path / "site"
    index = site_tool.assemble_site(sorted(archives.glob("*.zip")), site, dev)
    assert (site / "v0.1.0" / "index.html").read_text() == "<p>first</p>"
    assert (site / "v0.2.0" / "chapters" / "whats_new.html").read_text() == "<p>0.2.0</p>"
    assert (site / "index.html").read_text() == "<p>tenth</p>"
    assert (site / "chapters" / "whats_new.html").read_text() == "<p>0.10.0</p>"
    assert (site / "dev" / "index.html").read_text() == "<p>main</p>"
    assert json.loads((site / "versions.json").read_text()) == index
    assert index["latest"] == "0.10.0" and index["dev"] == "dev/"
    assert [v["version"] for v in index["versions"]] == ["0.10.0", "0.2.0", "0.1.0"]
    assert index["versions"][1] == {"version": "0.2.0", "date": "2027-01-10", "path": "v0.2.0/"}


def test_the_versions_page_lists_every_release_with_relative_links(archives, tmp_path):
    site_tool.assemble_site(sorted(archives.glob("*.zip")), tmp_path / "site")
    page = (tmp_path / "site" / "versions.html").read_text()
    links = re.findall(r'href="([^"]+)"', page)
    assert links == ["v0.10.0/index.html", "v0.2.0/index.html", "v0.1.0/index.html"]
    assert "https://" not in page  # works under the placeholder base URL as under the real one
    assert "(latest, also at the site root)" in page and "dev/" not in page


def test_before_any_release_the_current_build_is_the_site(tmp_path):
    dev = tmp_path / "dev-html"
    dev.mkdir()
    (dev / "index.html").write_text("<p>main</p>")
    index = site_tool.assemble_site([], tmp_path / "site", dev)
    assert (tmp_path / "site" / "index.html").read_text() == "<p>main</p>"
    assert index == {"latest": None, "versions": [], "dev": "dev/"}
    assert "No release has been published yet" in (tmp_path / "site" / "versions.html").read_text()


def test_the_versions_page_escapes_what_it_prints():
    page = site_tool.versions_page({"latest": "1.0.0", "dev": None,
                                  "versions": [{"version": "1.0.0", "date": "<script>", "path": "v1.0.0/"}]})
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_an_archive_entry_outside_the_archive_is_refused(tmp_path):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as bundle:
        bundle.writestr("book-1.0.0/CITATION.cff", "version: 1.0.0\ndate-released: 2027-01-01\n")
        bundle.writestr("book-1.0.0/html/../../escape.html", "x")
    with pytest.raises(versions.ReleaseError, match="outside the archive"):
        site_tool.assemble_site([bad], tmp_path / "site")
    assert not (tmp_path / "escape.html").exists()


def test_an_archive_without_citation_is_not_a_release(tmp_path):
    other = archive.write_archive(tmp_path / "other.zip", "x", {"html/index.html": b""}, 0)
    with pytest.raises(versions.ReleaseError, match="not a release archive"):
        site_tool.read_release_archive(other)


@pytest.mark.parametrize("version", ["../../escape", "1.0", "v1.0.0"])
def test_an_archive_whose_version_is_not_a_version_is_refused_by_name_before_anything_is_written(tmp_path, version,
                                                                                                 capsys):
    bad = tmp_path / "releases" / "bad.zip"
    bad.parent.mkdir()
    with zipfile.ZipFile(bad, "w") as bundle:
        bundle.writestr("book/CITATION.cff", f"version: {version}\ndate-released: 2027-01-01\n")
        bundle.writestr("book/html/index.html", "x")
    assert site_tool.main(["--archives", str(bad.parent), "--out", str(tmp_path / "site")]) == 2
    assert f"site: bad.zip: its CITATION.cff states the version {version!r}, not MAJOR.MINOR.PATCH" in \
        capsys.readouterr().err
    assert [p.name for p in tmp_path.rglob("index.html")] == []


SITE_STEP = ("src/pcn_evidence/__init__.py", "src/pcn_evidence/tools/__init__.py", "src/pcn_evidence/tools/site.py",
             "src/pcn_evidence/tools/versions.py", "src/pcn_evidence/versioning.py")  # what the site step imports


def test_the_site_step_needs_only_the_standard_library():
    # pages.yml runs it with the runner's bare python3: its modules may import nothing else at the top (only one
    # another, relatively, and what type checkers alone read)
    for module in SITE_STEP:
        top = [n for n in ast.parse((ROOT / module).read_text()).body if isinstance(n, (ast.Import, ast.ImportFrom))]
        names = {alias.name.split(".")[0] for n in top if isinstance(n, ast.Import) for alias in n.names} | {
            n.module.split(".")[0] for n in top if isinstance(n, ast.ImportFrom) and n.module and not n.level}
        assert names <= set(sys.stdlib_module_names) | {"__future__"}, (module, names)
        relative = {(Path(module).parents[n.level - 1] / f"{n.module}.py").as_posix()
                    for n in top if isinstance(n, ast.ImportFrom) and n.level and n.module}
        assert relative <= set(SITE_STEP), (module, relative)


def test_the_site_step_runs_without_any_installed_package(tmp_path):
    """`python -S` leaves out site-packages (the venv's and the editable install): the standard library alone."""
    archive.write_archive(tmp_path / "releases" / f"{archive.ARCHIVE_NAME}-0.1.0.zip", "book-0.1.0",
                          {"CITATION.cff": b"version: 0.1.0\ndate-released: 2026-11-23\n", "html/index.html": b"<p>0.1.0</p>"},
                          0)
    result = subprocess.run([sys.executable, "-S", "-m", "pcn_evidence.tools.site", "--archives",
                             str(tmp_path / "releases"), "--out", str(tmp_path / "site")], capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "v0.1.0" / "index.html").read_text() == "<p>0.1.0</p>"
    assert json.loads((tmp_path / "site" / "versions.json").read_text())["latest"] == "0.1.0"


# --- the workflows ------------------------------------------------------------------------------------------

def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def commands(flow: dict) -> list[str]:
    return [step["run"] for job in flow["jobs"].values() for step in job.get("steps", []) if "run" in step]


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), flags=re.M))


@pytest.mark.parametrize("name", sorted(p.name for p in WORKFLOWS.glob("*.yml")))
def test_every_workflow_parses_and_calls_only_what_exists(name):
    flow = workflow(name)
    assert flow.get("jobs") and (flow.get("on") or flow.get(True))  # PyYAML reads the key `on` as True
    for command in commands(flow):
        for target in re.findall(r"\bmake ([a-z][a-z-]*)", command):
            assert target in make_targets(), f"{name} runs `make {target}`, which the Makefile does not define"
        for script in re.findall(r"\b(\.ci/[a-z]+)", command):
            assert (ROOT / script).exists(), f"{name} runs {script}, which does not exist"
        for module in re.findall(r"-m (pcn_evidence\.[a-z_.]+)", command):
            assert (ROOT / "src" / f"{module.replace('.', '/')}.py").exists(), f"{name} runs {module}, which does not exist"
    for job in flow["jobs"].values():
        if "uses" in job:
            assert (ROOT / job["uses"]).exists(), f"{name} calls {job['uses']}, which does not exist"


def test_pages_is_reusable_and_its_callers_pass_what_it_declares():
    pages = workflow("pages.yml")
    on = pages.get("on") or pages[True]
    declared = set(on["workflow_call"]["inputs"])
    for caller in ("book.yml", "release.yml"):
        jobs = [j for j in workflow(caller)["jobs"].values() if j.get("uses") == "./.github/workflows/pages.yml"]
        assert jobs, f"{caller} does not publish through pages.yml"
        for job in jobs:
            assert set(job.get("with", {})) <= declared
            assert job["permissions"]["pages"] == "write" and job["permissions"]["id-token"] == "write"


def test_the_book_workflow_hands_its_build_to_pages():
    book = workflow("book.yml")
    uploads = [s["with"]["name"] for s in book["jobs"]["build"]["steps"]
               if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert book["jobs"]["deploy"]["with"]["dev_artifact"] in uploads


def test_the_release_workflow_runs_on_version_tags_and_attaches_the_archive():
    flow = workflow("release.yml")
    on = flow.get("on") or flow[True]
    assert on["push"]["tags"] == ["v*.*.*"]
    run = "\n".join(commands(flow))
    assert "make dist" in run and "gh release create" in run and "dist/*.zip" in run
    assert flow["jobs"]["archive"]["permissions"]["contents"] == "write"


def test_the_pages_step_downloads_the_archives_make_dist_names():
    run = "\n".join(commands(workflow("pages.yml")))
    pattern = re.search(r"--pattern '([^']+)'", run).group(1)
    assert re.fullmatch(pattern.replace(".", r"\.").replace("*", ".*"), f"{archive.ARCHIVE_NAME}-0.2.0.zip")
    step = next(c for c in commands(workflow("pages.yml")) if "pcn_evidence.tools.site" in c)
    # the bare interpreter, with the package's src on its path: no venv on this job
    assert shlex.split(step.splitlines()[-1])[:4] == ["PYTHONPATH=src", "python3", "-m", "pcn_evidence.tools.site"]


def test_checkouts_that_run_the_tests_fetch_the_whole_history():
    for name, job in (("book.yml", "build"), ("nightly.yml", "build-and-test"), ("release.yml", "archive")):
        checkout = next(s for s in workflow(name)["jobs"][job]["steps"] if str(s.get("uses", "")).startswith(
            "actions/checkout"))
        assert checkout.get("with", {}).get("fetch-depth") == 0, f"{name}: the tests need the last release's commit"
