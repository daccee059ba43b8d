"""The mutation run's sample mode and test order (pcn_evidence.tools.mutation and mutation_order), without cosmic-ray.

A sample must be reproducible (the same seed and code give the same mutants, whatever ids cosmic-ray drew) and
its score reported with an interval that is right on known cases. Each mutant's run must start with the tests
that execute the mutated line, drop none, and never fail because the order could not be worked out.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pcn_evidence.tools import mutation
from pcn_evidence.tools.mutation import Mutant, mutant_env, sample, sample_line, wilson_interval
from pcn_evidence.tools.mutation_order import changed_lines, order


def mutants(count: int, id_prefix: str = "job") -> list[Mutant]:
    """``count`` mutants over two modules and two operators; ``id_prefix`` stands for a session's random job ids."""
    return [Mutant(f"{id_prefix}-{n}", f"src/pcn_evidence/{'load' if n % 2 else 'schema'}.py",
                   f"core/Op{n % 3}", n, (n + 1, 0), (n + 1, 4)) for n in range(count)]


def test_the_same_seed_picks_the_same_mutants_whatever_their_ids_and_order():
    first = sample(mutants(300, "a"), 40, seed=7)
    again = sample(list(reversed(mutants(300, "b"))), 40, seed=7)  # another session: new ids, another order
    assert [m.order for m in first] == [m.order for m in again]
    assert len(first) == 40 and len({m.order for m in first}) == 40  # no mutant twice


def test_another_seed_picks_other_mutants():
    assert [m.order for m in sample(mutants(300), 40, seed=7)] != [m.order for m in sample(mutants(300), 40, seed=8)]


def test_a_sample_is_drawn_only_from_the_mutants_to_test_and_kept_in_their_order():
    pool = mutants(300)
    picked = sample(pool, 40, seed=1)
    assert {m.job_id for m in picked} <= {m.job_id for m in pool}
    assert picked == sorted(picked, key=lambda m: m.order)


def test_a_sample_as_large_as_the_pool_is_the_whole_pool():
    pool = mutants(12)
    assert sample(pool, 12, seed=3) == sorted(pool, key=lambda m: m.order)
    assert sample(pool, 500, seed=3) == sorted(pool, key=lambda m: m.order)


@pytest.mark.parametrize(("killed", "tested", "low", "high"), [
    # Newcombe (1998), Statistics in Medicine 17:857-872, table I, method 3 (the Wilson score interval)
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_the_wilson_interval_of_known_cases(killed, tested, low, high):
    assert [round(bound, 4) for bound in wilson_interval(killed, tested)] == [low, high]


def test_every_mutant_killed_still_has_an_interval_below_one_hundred_per_cent():
    low, high = wilson_interval(250, 250)
    assert high == pytest.approx(1.0) and 0.98 < low < 1.0


def test_a_sample_is_labelled_as_a_sample_of_so_many():
    line = sample_line(240, 250, 1229)
    assert line.startswith("A sample of 250 out of 1229 mutants to test: 240 killed, 96.0%")
    assert "95% Wilson interval" in line


def test_a_mutant_of_the_same_size_written_in_the_same_second_is_the_code_that_runs(tmp_path, monkeypatch):
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)  # as on most machines: bytecode is cached
    env = mutant_env(dict(os.environ, PYTHONPATH=str(tmp_path)), tmp_path)
    module = tmp_path / "m.py"
    module.write_text("X = 1 < 2\n")
    stamp = module.stat().st_mtime_ns

    def run() -> str:
        return subprocess.run([sys.executable, "-c", "import m; print(m.X)"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, check=True).stdout.strip()

    assert run() == "True"
    module.write_text("X = 1 > 2\n")  # the mutant: the same size, and (forced here) the same modification time
    os.utime(module, ns=(stamp, stamp))
    assert run() == "False"
    assert env["PCN_SOURCES_DIR"] == str(tmp_path)


# --- The order of the tests in each mutant's run (pcn_evidence.tools.mutation_order) ---

def test_without_cosmic_ray_the_tool_says_how_to_get_it_and_its_help_still_shows(monkeypatch, capsys):
    for name in ("cosmic_ray", "cosmic_ray.work_db", "cosmic_ray.work_item"):
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    monkeypatch.setattr(sys, "argv", ["mutation", "--help"])
    with pytest.raises(SystemExit) as helped:
        mutation.main()
    assert helped.value.code == 0 and "--sample N" in capsys.readouterr().out
    monkeypatch.setattr(sys, "argv", ["mutation", "--sample", "3"])
    with pytest.raises(SystemExit, match=r"cosmic-ray is not installed .*run `make mutation`"):
        mutation.main()


def test_the_changed_lines_of_a_mutant_are_found():
    original = "a = 1\nif a < 2:\n    b = 3\nc = 4\n"
    assert changed_lines(original, original.replace("a < 2", "a <= 2")) == {2}
    assert changed_lines(original, original.replace("    b = 3\n", "")) == {3}  # a line removed
    assert changed_lines(original, original) == set()


def test_the_tests_of_the_mutated_line_come_first_and_none_is_dropped():
    covers = {"m.py": {2: ["t::b", "t::a"], 5: ["t::c"]}, "n.py": {2: ["t::d"]}}
    durations = {"t::a": 0.5, "t::b": 0.1, "t::c": 0.2, "t::d": 0.0}
    tests = ["t::d", "t::e", "t::c", "t::a", "t::b"]
    assert order(tests, covers, durations, "m.py", {2}) == ["t::b", "t::a", "t::c", "t::d", "t::e"]
    assert order(tests, covers, durations, "m.py", {9}) == ["t::b", "t::c", "t::a", "t::d", "t::e"]  # top level
    assert order(tests, covers, durations, "other.py", {1}) == tests  # nothing known: the usual order


PROJECT_MODULE = "def double(x):\n    return x * 2\n\n\ndef half(x):\n    return x // 2\n"
PROJECT_TESTS = {
    "test_a.py": "from m import double\n\ndef test_unrelated():\n    assert True\n\n"
                 "def test_double():\n    assert double(2) == 4\n",
    "test_b.py": "from m import half\n\ndef test_half():\n    assert half(4) == 2\n",
}


def write_project(folder: Path) -> None:
    """A module, ``m.py``, and two test files, one of whose tests executes neither of its functions."""
    (folder / "m.py").write_text(PROJECT_MODULE)
    for name, text in PROJECT_TESTS.items():
        (folder / name).write_text(text)


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in ``folder`` with the ordering plugin, listing each test as it runs."""
    # No plugin but this one is loaded: a run starts in a fraction of the time
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", "-v",
                           "-p", "pcn_evidence.tools.mutation_order", *args], cwd=folder, capture_output=True,
                          text=True, env=mutant_env(dict(os.environ, PYTHONPATH=str(folder),
                                                         PYTEST_DISABLE_PLUGIN_AUTOLOAD="1"), folder))


def ran(output: str) -> list[str]:
    return re.findall(r"^(test_\w+\.py::\w+) (?:PASSED|FAILED)", output, re.MULTILINE)


def test_a_mutant_s_run_starts_with_the_test_that_executes_its_line(tmp_path: Path):
    write_project(tmp_path)
    mapped = run_pytest(tmp_path, "--mutation-map", "map.json", "--mutation-module", "m.py",
                        "--mutation-order", "map.json", "test_a.py", "test_b.py")
    assert mapped.returncode == 0, mapped.stdout + mapped.stderr
    assert ran(mapped.stdout) == ["test_a.py::test_unrelated", "test_a.py::test_double", "test_b.py::test_half"]
    covers = json.loads((tmp_path / "map.json").read_text())["covers"]["m.py"]
    assert covers == {"2": ["test_a.py::test_double"], "6": ["test_b.py::test_half"]}

    (tmp_path / "m.py").write_text((tmp_path / "m.py").read_text().replace("x // 2", "x // 3"))  # the mutant
    mutant = run_pytest(tmp_path, "-x", "--mutation-order", "map.json", "test_a.py", "test_b.py")
    assert mutant.returncode == 1
    assert ran(mutant.stdout) == ["test_b.py::test_half"]  # killed by the first test run


def test_a_missing_map_keeps_the_usual_order_and_kills_nothing(tmp_path: Path):
    # An error in the plugin would fail the run and count an unmutated module as killed: planted here.
    write_project(tmp_path)
    result = run_pytest(tmp_path, "--mutation-order", "missing.json", "test_a.py", "test_b.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert ran(result.stdout) == ["test_a.py::test_unrelated", "test_a.py::test_double", "test_b.py::test_half"]
    assert "mutation order not applied" in result.stderr
