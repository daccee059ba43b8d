"""The tools' command lines: every one answers --help without doing anything else, and compare_outputs (the
refactoring check) reports what two versions of a chapter show differently."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from helpers import ROOT

from pcn_evidence.tools import compare_outputs

COMMANDS = sorted(path for path in (ROOT / "src" / "pcn_evidence").rglob("*.py")
                  if 'if __name__ == "__main__":' in path.read_text(encoding="utf-8"))


def run_as_main(path: Path, package: str) -> Callable[[], None]:
    """Run the file at ``path`` as ``python -m`` runs a module of ``package``.

    Compiled from its source (not with runpy, whose module loader is pytest's own for a file named on its
    command line, and cannot give runpy the code).
    """
    code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    return lambda: exec(code, {"__name__": "__main__", "__package__": package, "__file__": str(path)})


def answers_help(run: Callable[[], object], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    """What ``run`` (a command run as ``python -m``) printed for --help; fails if it did anything else."""
    def refused(self: subprocess.Popen[bytes], command: object, *args: object, **kwargs: object) -> None:
        raise AssertionError(f"--help started a process: {command}")

    monkeypatch.setattr(sys, "argv", ["command", "--help"])
    monkeypatch.setattr(subprocess.Popen, "__init__", refused)
    with pytest.raises(SystemExit) as stopped:
        run()
    assert stopped.value.code in (0, None)
    return capsys.readouterr().out


def test_the_commands_are_found():
    assert {path.stem for path in COMMANDS} >= {"book", "check_determinism", "compare_outputs", "release"}


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: path.stem)
def test_every_command_answers_help_and_does_nothing_else(path, monkeypatch, capsys):
    package = ".".join(path.parent.relative_to(ROOT / "src").parts)
    assert "usage:" in answers_help(run_as_main(path, package), monkeypatch, capsys)


def test_a_command_that_ignores_help_is_caught(tmp_path, monkeypatch, capsys):
    planted = tmp_path / "planted.py"  # as check_determinism was: --help started its two builds
    planted.write_text("import subprocess, sys\n\nif __name__ == \"__main__\":\n"
                       "    subprocess.run([sys.executable, '-c', 'pass'])\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="--help started a process"):
        answers_help(run_as_main(planted, ""), monkeypatch, capsys)


def notebook_showing(path: Path, glued: str, shown: str) -> str:
    cells = [nbformat.v4.new_code_cell("", outputs=[
        nbformat.v4.new_output("display_data", {"text/plain": glued}, metadata={"scrapbook": {"name": "n"}}),
        nbformat.v4.new_output("display_data", {"text/html": shown})])]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return str(path)


def test_the_same_outputs_are_no_difference_whatever_the_code(tmp_path, capsys):
    old = notebook_showing(tmp_path / "old.ipynb", "'37'", "<p>table</p>")
    new = nbformat.read(old, as_version=4)
    new.cells[0].source = "print('refactored')"
    nbformat.write(new, tmp_path / "new.ipynb")
    assert compare_outputs.main(old, str(tmp_path / "new.ipynb")) == 0
    assert capsys.readouterr().out.strip() == "0 difference(s)"


def test_a_changed_glued_value_and_display_are_each_reported(tmp_path, capsys):
    old = notebook_showing(tmp_path / "old.ipynb", "'37'", "<p>table of 37</p>")
    new = notebook_showing(tmp_path / "new.ipynb", "'38'", "<p>table of 38</p>")
    assert compare_outputs.main(old, new) == 1
    printed = capsys.readouterr().out
    assert "glue n: \"'37'\" -> \"'38'\"" in printed and "display 0 differs at character 13" in printed
    assert printed.strip().endswith("2 difference(s)")


def test_a_notebook_that_cannot_be_read_is_named_with_exit_2(tmp_path, capsys):
    good = notebook_showing(tmp_path / "good.ipynb", "'1'", "x")
    (tmp_path / "text.ipynb").write_text("not a notebook", encoding="utf-8")
    for bad in (tmp_path / "missing.ipynb", tmp_path / "text.ipynb"):
        with pytest.raises(SystemExit) as stopped:
            compare_outputs.main(str(bad), good)
        assert stopped.value.code == 2 and f"cannot read {bad}" in capsys.readouterr().err
