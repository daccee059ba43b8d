"""`make lab` opens the chapters as a reader would: JupyterLab at the pinned version, jupytext's
extension (so the .md text twins open as notebooks and saving keeps the pair in step) and a
kernel that runs in the book's own environment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
IN_CI = __import__("os").environ.get("CI", "").lower() in {"1", "true", "yes"}


def _pin(name: str) -> str:
    for line in (ROOT / "requirements-lab.txt").read_text().splitlines():
        if line.lower().startswith(name.lower() + "=="):
            return line.split("==")[1]
    raise AssertionError(f"{name} is not pinned in requirements-lab.txt")


@pytest.fixture(scope="module", autouse=True)
def lab_installed() -> None:
    if not (BIN / "jupyter-lab").exists():
        message = "JupyterLab is not installed in this environment: run `make lab-check` (it installs requirements-lab.txt)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def test_jupyterlab_is_the_pinned_version():
    out = subprocess.run([str(BIN / "jupyter-lab"), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == _pin("jupyterlab")


def test_jupytext_extension_is_enabled_so_text_twins_open_as_notebooks():
    out = subprocess.run([str(BIN / "jupyter"), "labextension", "list"], capture_output=True, text=True, check=True)
    listing = out.stdout + out.stderr
    assert "jupyterlab-jupytext" in listing and "enabled" in listing


def test_the_chapters_kernel_runs_in_the_books_environment():
    out = subprocess.run([str(BIN / "jupyter"), "kernelspec", "list", "--json"], capture_output=True, text=True,
                         check=True)
    spec = json.loads(out.stdout)["kernelspecs"]["python3"]
    argv = spec["spec"]["argv"]
    assert argv[0] in {"python", sys.executable} or Path(argv[0]).resolve() == Path(sys.executable).resolve()
    probe = subprocess.run([sys.executable, "-c", "import pcn_evidence, jupytext; print('ok')"],
                           capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "ok"
