"""Shared fixtures, and the rule that a test run must test something."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from helpers import DATA, GOOD_COUNT_ROWS, THEME_COUNTS_HEADER, write_csv


def pytest_configure(config):
    # nbval's kernels read the book's data as the build's kernels do: validated once here, by this worker,
    # and not again in each of the thirteen kernels (a second or so each). The digest is of the data's bytes,
    # so a kernel still validates anything else; invalid data are not marked, and each kernel reports them.
    # (Not in xdist's controller, which runs no test: the workers start only once it has configured.)
    controller = getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput")
    if not config.getoption("--nbval", default=False) or controller:
        return
    from pcn_evidence.errors import EvidenceError
    from pcn_evidence.load import VALIDATED_ENV, data_digest, validated_package

    if not os.environ.get(VALIDATED_ENV):
        try:
            validated_package(DATA)
        except EvidenceError:
            return
        os.environ[VALIDATED_ENV] = data_digest(DATA)


def pytest_collection_modifyitems(session, config, items):
    # nbval passes vacuously if no notebook is collected: never let that look green.
    if config.getoption("--nbval", default=False) and not any(".ipynb" in i.nodeid for i in items):
        raise pytest.UsageError("--nbval was given but no chapter notebook was collected")


@pytest.fixture
def mini_package(tmp_path: Path) -> Path:
    """A small valid data package (real schemas; sources with their kinds and studies, theme counts and their units) to break in tests."""
    directory = tmp_path / "data"
    shutil.copytree(DATA / "schemas", directory / "schemas")
    shutil.copy(DATA / "sources.csv", directory / "sources.csv")
    kept = {"sources", "theme_counts", "units", "source_kinds", "studies"}  # sources refer to the last two
    for name in kept - {"theme_counts"}:
        shutil.copy(DATA / f"{name}.csv", directory / f"{name}.csv")
    descriptor = json.loads((DATA / "datapackage.json").read_text())
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] in kept]
    (directory / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    write_csv(directory / "theme_counts.csv", THEME_COUNTS_HEADER, [list(r) for r in GOOD_COUNT_ROWS])
    return directory
