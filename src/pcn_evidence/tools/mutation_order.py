"""A pytest plugin for `make mutation`: run first the tests most likely to kill the mutant, and drop none.

The mutation test command runs with ``-x``, so a killed mutant costs only the tests up to the first that fails.
Before the run, :mod:`pcn_evidence.tools.mutation` runs the unmutated tests once with ``--mutation-map FILE``:
this plugin then records, with coverage, which lines of the mutated modules each test executes, how long each
test takes, and each module's text. In every mutant's run (``--mutation-order FILE``) it finds the lines the
mutant changed (the module on disk against the recorded text) and puts first the tests that execute those
lines, quickest first, then the other tests that execute the module, then the rest in their usual order. Every
test is still run for a mutant that survives; only the order changes.

A mutant of a line no test executes while it runs (a module's top level, run when it is imported) puts first
the tests that execute the module.
"""

from __future__ import annotations

import difflib
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

MAP_OPTION, MODULE_OPTION, ORDER_OPTION = "--mutation-map", "--mutation-module", "--mutation-order"


def changed_lines(original: str, mutated: str) -> set[int]:
    """The lines (from 1) of ``original`` that ``mutated`` replaces or removes, or next to which it inserts.

    >>> sorted(changed_lines("a = 1\\nb = a < 2\\n", "a = 1\\nb = a <= 2\\n"))
    [2]
    >>> sorted(changed_lines("@cache\\ndef f():\\n    pass\\n", "def f():\\n    pass\\n"))
    [1]
    """
    lines: set[int] = set()
    matcher = difflib.SequenceMatcher(None, original.splitlines(), mutated.splitlines(), autojunk=False)
    for tag, start, end, _, _ in matcher.get_opcodes():
        if tag != "equal":
            lines.update(range(start + 1, max(end, start + 1) + 1) if tag == "insert" else range(start + 1, end + 1))
    return lines


def order(nodeids: Sequence[str], covers: Mapping[str, Mapping[int, Iterable[str]]],
          durations: Mapping[str, float], module: str, lines: set[int]) -> list[str]:
    """``nodeids`` in the order to run them for a mutant of ``lines`` of ``module``: all of them, each once.

    ``covers``: for each module, the tests that execute each line. The tests that execute a changed line come
    first, then those that execute another line of the module, each group quickest first; then the rest, in the
    order given.

    >>> covers = {"m.py": {3: ["t::slow", "t::fast"], 9: ["t::other"]}}
    >>> order(["t::none", "t::other", "t::slow", "t::fast"], covers, {"t::slow": 2.0, "t::fast": 0.1}, "m.py", {3})
    ['t::fast', 't::slow', 't::other', 't::none']
    """
    by_line = covers.get(module, {})
    hit = {test for line in lines for test in by_line.get(line, ())}
    module_tests = {test for tests in by_line.values() for test in tests}

    def rank(indexed: tuple[int, str]) -> tuple[int, float, int]:
        index, nodeid = indexed
        group = 0 if nodeid in hit else 1 if nodeid in module_tests else 2
        return group, durations.get(nodeid, 0.0) if group < 2 else 0.0, index

    return [nodeid for _, nodeid in sorted(enumerate(nodeids), key=rank)]


def pytest_addoption(parser: pytest.Parser) -> None:
    """The options: map the tests (the baseline run), or order them for a mutant (every mutant's run)."""
    group = parser.getgroup("mutation", "make mutation's test order")
    group.addoption(MAP_OPTION, metavar="FILE", help="record which tests execute which lines of these modules")
    group.addoption(MODULE_OPTION, metavar="PATH", action="append", default=[], help="a module to map (repeat)")
    group.addoption(ORDER_OPTION, metavar="FILE", help="run first the tests that execute the mutated lines")


class _Recorder:
    """Coverage of the mutated modules by test, and each test's duration: written as JSON at the end."""

    def __init__(self, path: Path, modules: list[str]) -> None:
        import coverage

        self.path, self.modules = path, modules
        self.durations: dict[str, float] = defaultdict(float)
        self.coverage = coverage.Coverage(data_file=None, include=[str(Path(m).resolve()) for m in modules])
        self.coverage.start()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Any:
        self.coverage.switch_context(item.nodeid)  # fixtures' set-up and tear-down count as the test's
        yield
        self.coverage.switch_context("")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.durations[report.nodeid] += report.duration

    def pytest_sessionfinish(self) -> None:
        self.coverage.stop()
        data = self.coverage.get_data()
        measured = {Path(name).resolve(): name for name in data.measured_files()}
        covers: dict[str, dict[str, list[str]]] = {}
        for module in self.modules:
            name = measured.get(Path(module).resolve())
            by_line = data.contexts_by_lineno(name) if name else {}
            covers[module] = {str(line): sorted(c for c in contexts if c) for line, contexts in by_line.items()
                              if any(contexts)}
        texts = {module: Path(module).read_text(encoding="utf-8") for module in self.modules}
        self.path.write_text(json.dumps({"covers": covers, "durations": self.durations, "texts": texts}),
                             encoding="utf-8")


def pytest_configure(config: pytest.Config) -> None:
    """Start recording coverage by test, in the mapping run."""
    recording = config.getoption(MAP_OPTION)
    if recording:
        config.pluginmanager.register(_Recorder(Path(recording), config.getoption(MODULE_OPTION)), "mutation-map")


@pytest.hookimpl(trylast=True)  # after any other plugin has chosen or deselected the tests
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In a mutant's run, reorder ``items`` (in place) so that those that execute the mutated lines come first."""
    recorded = config.getoption(ORDER_OPTION)
    if not recorded or config.getoption(MAP_OPTION):  # the mapping run writes the file the order is read from
        return
    try:
        saved = json.loads(Path(recorded).read_text(encoding="utf-8"))
        covers = {m: {int(line): tests for line, tests in by_line.items()} for m, by_line in saved["covers"].items()}
        for module, text in saved["texts"].items():
            lines = changed_lines(text, Path(module).read_text(encoding="utf-8"))
            if lines:  # cosmic-ray mutates one module at a time
                by_id = {item.nodeid: item for item in items}
                nodeids = order([i.nodeid for i in items], covers, saved["durations"], module, lines)
                items[:] = [by_id[n] for n in nodeids]
                return
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # An error here would fail the run and count the mutant as killed: keep the usual order (slower, as sound).
        sys.stderr.write(f"mutation order not applied: {exc!r}\n")
