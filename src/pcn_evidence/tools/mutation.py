"""Mutation testing of the validator (`make mutation`): do its checks fail when its code is wrong?

    python -m pcn_evidence.tools.mutation              # one job per core; prints the score table and every survivor
    python -m pcn_evidence.tools.mutation --jobs 1     # one job
    python -m pcn_evidence.tools.mutation --keep       # keep the throwaway copies and their cosmic-ray sessions
    python -m pcn_evidence.tools.mutation --sample 250 --seed 1   # a reproducible random sample of the mutants
    python -m pcn_evidence.tools.mutation --only src/pcn_evidence/load.py:78:core/NumberReplacer   # these again

cosmic-ray rewrites a module on disk for every mutant, so it never runs in this checkout: the book is
copied (:func:`pcn_evidence.tools.paths.working_copy`) once per job into a temporary folder, the session is made in the
first copy (`cosmic-ray init`) and shared out, and each copy runs its share of the mutants
(`cosmic-ray exec`, local distributor) at the same time as the others. What is mutated, the test
command, the timeout, the pass mark and the excluded (equivalent) mutants are in src/pcn_evidence/tools/mutation.toml.

The score is (killed + timed out) / mutants tested; the run fails under the pass mark. Each surviving
mutant is printed as file:line, operator and diff: write the test that fails for it. A mutant cosmic-ray
cannot make (its operator raises while rewriting the module) is listed as "not made" and not scored.

With ``--sample N`` only a seeded random sample of N of the mutants to test (those left after the exclusions) is
run: the same seed and the same code give the same mutants. The score is then an estimate, printed as a sample
of N out of so many with its 95 % Wilson interval, and the pass mark applies to the sample's score.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import math
import os
import random
import resource
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # cosmic-ray is installed by `make mutation` only (requirements-mutation.txt): imported on use
    from cosmic_ray.work_item import WorkItem, WorkResult

from .paths import ROOT, SOURCES_ENV, sources_dir, working_copy

CONFIG = "src/pcn_evidence/tools/mutation.toml"  # relative to the book's root, and to each copy's
SESSION = "mutation.sqlite"  # in each copy's root
ORDER_MAP = "mutation-map.json"  # in each copy's root: the test command's --mutation-order reads it
COSMIC_RAY = str(Path(sys.executable).parent / "cosmic-ray")
PROGRESS_EVERY = 60.0  # seconds between progress lines
Position = tuple[int, int]  # parso's: line from 1, column (in characters) from 0


@dataclass(frozen=True)
class Mutant:
    job_id: str
    module: str
    operator: str
    occurrence: int
    start: Position
    end: Position

    @classmethod
    def of(cls, item: WorkItem) -> Mutant:
        (spec,) = item.mutations
        return cls(item.job_id, Path(spec.module_path).as_posix(), spec.operator_name, spec.occurrence,
                   tuple(spec.start_pos), tuple(spec.end_pos))

    @property
    def order(self) -> tuple[str, str, int]:
        return self.module, self.operator, self.occurrence


def annotation_spans(source: str) -> list[tuple[Position, Position]]:
    """Where the type annotations are, if the module does not evaluate them (`from __future__ import annotations`)."""
    tree = ast.parse(source)
    if not any(isinstance(node, ast.ImportFrom) and node.module == "__future__"
               and any(alias.name == "annotations" for alias in node.names) for node in tree.body):
        return []  # evaluated when the module is imported: a mutant there is not excluded
    lines = source.splitlines()

    def position(line: int, byte_column: int) -> Position:  # ast counts UTF-8 bytes, parso characters
        return line, len(lines[line - 1].encode()[:byte_column].decode())

    annotations: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
            annotations += [a.annotation for a in every if a is not None and a.annotation is not None]
            annotations += [node.returns] if node.returns is not None else []
        elif isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
    return [(position(a.lineno, a.col_offset), position(a.end_lineno or a.lineno, a.end_col_offset or 0))
            for a in annotations]


def exclusions(mutants: list[Mutant], work: Path, config: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Each excluded mutant's reason, by job id; and the configured exclusions that matched no mutant.

    An entry of ``[[excluded.mutants]]`` names the module, the operator (a glob, or a list of them), the source
    line (stripped) and, where one operator makes several mutants of the line, the mutated line (``mutant``,
    compared without spaces).
    """
    sources = {m: (work / m).read_text(encoding="utf-8") for m in {m.module for m in mutants}}
    spans = {m: annotation_spans(text) for m, text in sources.items()}
    annotations = config["excluded"]["annotations"]["reason"]
    listed = config["excluded"].get("mutants", [])
    used: set[int] = set()
    reasons: dict[str, str] = {}
    for mutant in mutants:
        if any(start <= mutant.start and mutant.end <= end for start, end in spans[mutant.module]):
            reasons[mutant.job_id] = annotations
            continue
        line = sources[mutant.module].splitlines()[mutant.start[0] - 1].strip()
        for number, entry in enumerate(listed):
            operators = [entry["operator"]] if isinstance(entry["operator"], str) else entry["operator"]
            if (entry["module"] == mutant.module and entry["line"] == line
                    and any(fnmatch.fnmatchcase(mutant.operator, pattern) for pattern in operators)
                    and ("mutant" not in entry or squeeze(entry["mutant"]) == mutated_line(mutant, sources))):
                reasons[mutant.job_id] = entry["reason"]
                used.add(number)
                break
    stale = [f"{e['module']}: {e['operator']} on {e['line']!r}" for n, e in enumerate(listed) if n not in used]
    return reasons, stale


def squeeze(text: str) -> str:
    return "".join(text.split())


def mutated_line(mutant: Mutant, sources: dict[str, str]) -> str | None:
    """The mutant's version of its (first) line, without spaces; None if cosmic-ray cannot make it."""
    import cosmic_ray.plugins
    from cosmic_ray.mutating import mutate_code

    operator = cosmic_ray.plugins.get_operator(mutant.operator)()
    try:
        code = mutate_code(sources[mutant.module], operator, mutant.occurrence)
    except Exception:  # noqa: BLE001 - the run reports such a mutant as "not made"
        return None
    return None if code is None else squeeze(code.splitlines()[mutant.start[0] - 1])


def sample(tested: list[Mutant], size: int, seed: int) -> list[Mutant]:
    """A reproducible random sample of ``size`` of the mutants to test, in their order; all of them if fewer.

    Drawn from the mutants sorted by module, operator and occurrence, not by cosmic-ray's job ids (new at each
    `cosmic-ray init`), so that the same seed picks the same mutants of the same code in every run.
    """
    ordered = sorted(tested, key=lambda m: m.order)
    if size >= len(ordered):
        return ordered
    chosen = random.Random(seed).sample(range(len(ordered)), max(0, size))
    return [ordered[i] for i in sorted(chosen)]


def wilson_interval(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95 % with the default ``z``), as fractions.

    It stays within 0 and 1 and is not empty when every mutant, or none, was killed, unlike the normal
    approximation. 81 of 263 (Newcombe 1998, table I):

    >>> [round(bound, 4) for bound in wilson_interval(81, 263)]
    [0.2553, 0.3662]
    """
    if trials <= 0:
        return 0.0, 1.0
    share, square = successes / trials, z * z
    centre = (share + square / (2 * trials)) / (1 + square / trials)
    half = z * math.sqrt(share * (1 - share) / trials + square / (4 * trials * trials)) / (1 + square / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def sample_line(killed: int, tested: int, population: int) -> str:
    """How a sample's score is reported: what it is a sample of, and the 95 % Wilson interval of the score.

    >>> sample_line(95, 100, 1000)
    'A sample of 100 out of 1000 mutants to test: 95 killed, 95.0% (95% Wilson interval 88.8% to 97.8%).'
    """
    low, high = wilson_interval(killed, tested)
    share = 100 * killed / tested if tested else 100.0
    return (f"A sample of {tested} out of {population} mutants to test: {killed} killed, {share:.1f}% "
            f"(95% Wilson interval {100 * low:.1f}% to {100 * high:.1f}%).")


def child_cpu() -> float:
    """Seconds of CPU (user and system) used so far by this process's finished children and theirs."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def completed(session: Path) -> int:
    """Results recorded so far in a running session (read while cosmic-ray writes it)."""
    try:
        with sqlite3.connect(f"file:{session}?mode=ro", uri=True, timeout=1) as connection:
            return int(connection.execute("SELECT COUNT(*) FROM work_results").fetchone()[0])
    except sqlite3.Error:
        return -1


def diff_lines(diff: str | None) -> list[str]:
    """The removed and added lines of a cosmic-ray diff (without its file headers)."""
    return [line for line in (diff or "").splitlines()
            if line[:1] in "-+" and not line.startswith(("---", "+++"))]


def mutant_env(env: dict[str, str], sources: Path) -> dict[str, str]:
    """The environment a copy's mutants are tested in: ``env`` (the copy's), with the reference texts at ``sources``.

    Nothing in it writes bytecode. A mutant is often the size of the code it replaces (``<`` for ``>``) and is
    written within the second of the last run's: Python would then run the cached bytecode of the code before
    it, and the mutant would be counted as surviving without ever having run.
    """
    return dict(env, **{SOURCES_ENV: str(sources), "PYTHONDONTWRITEBYTECODE": "1"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="copies run at the same time")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway copies (printed at the end)")
    parser.add_argument("--sample", type=int, metavar="N", help="test a seeded random sample of N mutants")
    parser.add_argument("--seed", type=int, default=0, help="the sample's seed (default 0)")
    parser.add_argument("--only", action="append", metavar="FILE:LINE:OPERATOR", help="test only this mutant (repeat)")
    args = parser.parse_args()
    try:  # not among the book's own requirements: `make mutation` installs it
        from cosmic_ray.work_db import WorkDB, use_db
        from cosmic_ray.work_item import WorkerOutcome, WorkResult
    except ImportError:
        raise SystemExit("cosmic-ray is not installed in this environment: run `make mutation` (it installs "
                         "requirements-mutation.txt)") from None
    config = tomllib.loads((ROOT / CONFIG).read_text(encoding="utf-8"))
    fail_under = float(config["mutation"]["fail-under"])
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="pcn-mutation-"))
    try:
        copies = [(work, mutant_env(env, sources_dir()))  # the copy's parent has no reference texts
                  for work, env in (working_copy(tmp / f"copy-{job}") for job in range(max(1, args.jobs)))]
        first, env = copies[0]

        # The unmutated code must pass, or every mutant would look killed. The same run maps which tests execute
        # which lines (pcn_evidence.tools.mutation_order), so that each mutant's run starts with those that may kill it.
        command = config["cosmic-ray"]["test-command"]
        mapping = ["--mutation-map", ORDER_MAP, *(a for m in config["cosmic-ray"]["module-path"]
                                                  for a in ("--mutation-module", m))]
        clock = time.monotonic()
        baseline = subprocess.run(shlex.split(command) + mapping, cwd=first, env=env, capture_output=True, text=True)
        if baseline.returncode != 0:
            print(f"The tests fail without any mutation; fix them first:\n{baseline.stdout[-4000:]}"
                  f"{baseline.stderr[-2000:]}", file=sys.stderr)
            return 2
        print(f"Baseline: the tests pass unmutated in {time.monotonic() - clock:.1f} s (with coverage).", flush=True)
        for work, _ in copies[1:]:
            shutil.copy(first / ORDER_MAP, work / ORDER_MAP)

        subprocess.run([COSMIC_RAY, "init", CONFIG, SESSION], cwd=first, env=env, check=True)
        with use_db(str(first / SESSION), WorkDB.Mode.open) as db:
            mutants = sorted((Mutant.of(item) for item in db.work_items), key=lambda m: m.order)
        reasons, stale = exclusions(mutants, first, config)
        if stale:
            print("These exclusions in src/pcn_evidence/tools/mutation.toml match no mutant (has the line changed?):\n  "
                  + "\n  ".join(stale), file=sys.stderr)
            return 2
        tested = [m for m in mutants if m.job_id not in reasons]
        if args.only:  # as the report names a mutant: file:line:operator
            tested = [m for m in tested if f"{m.module}:{m.start[0]}:{m.operator}" in args.only]
            if not tested:  # a score of nothing tested would pass
                print("No mutant to test matches --only (file:line:operator, as a report names it).", file=sys.stderr)
                return 2
        population = len(tested)
        if args.sample is not None:
            tested = sample(tested, args.sample, args.seed)
        left_out = {m.job_id for m in mutants if m.job_id not in reasons} - {m.job_id for m in tested}
        shares = [{m.job_id for m in tested[job::len(copies)]} for job in range(len(copies))]
        for work, _ in copies[1:]:  # before any is changed: every copy starts from the same session
            shutil.copyfile(first / SESSION, work / SESSION)
        for job, (work, _) in enumerate(copies):
            with use_db(str(work / SESSION), WorkDB.Mode.open) as db:
                db.set_multiple_results(list(reasons), WorkResult(
                    worker_outcome=WorkerOutcome.SKIPPED, output="excluded as equivalent (src/pcn_evidence/tools/mutation.toml)"))
                others = [m.job_id for m in tested if m.job_id not in shares[job]]
                if left_out:
                    db.set_multiple_results(sorted(left_out), WorkResult(worker_outcome=WorkerOutcome.SKIPPED,
                                                                         output="not chosen for this run"))
                if others:
                    db.set_multiple_results(others, WorkResult(worker_outcome=WorkerOutcome.SKIPPED,
                                                               output="run by another job"))
        if args.sample is not None:
            print(f"A sample of {len(tested)} of the {population} mutants to test (seed {args.seed}).", flush=True)
        print(f"{len(tested)} mutants to test ({len(reasons)} excluded as equivalent), in {len(copies)} "
              f"job(s) of {len(shares[0])}; each runs: {' '.join(command.split())}", flush=True)

        logs = [(work / "cosmic-ray.log").open("w") for work, _ in copies]
        exec_started, cpu_before = time.monotonic(), child_cpu()
        processes = [subprocess.Popen([COSMIC_RAY, "exec", CONFIG, SESSION], cwd=work, env=env, stdout=log,
                                      stderr=subprocess.STDOUT) for (work, env), log in zip(copies, logs)]
        last = time.monotonic()
        while any(p.poll() is None for p in processes):
            time.sleep(2)
            if time.monotonic() - last >= PROGRESS_EVERY:
                last = time.monotonic()
                done = sum(max(0, completed(work / SESSION) - (len(mutants) - len(share)))  # less those preset
                           for (work, _), share in zip(copies, shares))
                print(f"  {done}/{len(tested)} tested ({(last - started) / 60:.0f} min)", flush=True)
        for log in logs:
            log.close()
        if tested:  # what a mutant costs, to compare test commands (the CPU time is that of every copy's tests)
            wall, cpu = time.monotonic() - exec_started, child_cpu() - cpu_before
            print(f"Tested {len(tested)} mutants in {wall:.0f} s: {wall * len(copies) / len(tested):.1f} s of wall "
                  f"time and {cpu / len(tested):.1f} s of CPU a mutant.", flush=True)
        for (work, _), process in zip(copies, processes):
            if process.returncode != 0:
                print(f"cosmic-ray exec failed in {work}:\n" + (work / "cosmic-ray.log").read_text()[-4000:],
                      file=sys.stderr)
                return 2

        results: dict[str, WorkResult] = {}
        for job, (work, _) in enumerate(copies):
            with use_db(str(work / SESSION), WorkDB.Mode.open) as db:
                results.update((job_id, result) for job_id, result in db.results if job_id in shares[job])
        in_scope = [m for m in mutants if m.job_id not in left_out]
        return report(in_scope, reasons, results, fail_under, time.monotonic() - started,
                      population=population if args.sample is not None else None)
    finally:
        if args.keep:
            print(f"The copies and their sessions are kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def report(mutants: list[Mutant], reasons: dict[str, str], results: dict[str, WorkResult], fail_under: float,
           seconds: float, population: int | None = None) -> int:
    """Print the score table and every mutant that was not killed; 0 if the score reaches ``fail_under``.

    ``population``: the number of mutants to test that a sample (the tested ``mutants``) was drawn from; the score
    is then labelled as the sample's, with its 95 % Wilson interval.

    A mutant cosmic-ray could not make (its operator raised while rewriting the module) is "not made": it is
    listed, but is neither killed nor survived. A test run that could not start is an error and fails the run.
    """
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    missed: list[tuple[Mutant, WorkResult | None, str]] = []
    for mutant in mutants:
        row = rows[mutant.module]
        result = results.get(mutant.job_id)
        if mutant.job_id in reasons:
            row["excluded"] += 1
        elif result is not None and result.worker_outcome == WorkerOutcome.EXCEPTION:
            row["not made"] += 1
            missed.append((mutant, result, "not made: cosmic-ray could not rewrite the module"))
        elif result is not None and result.test_outcome == TestOutcome.KILLED:
            row["mutants"] += 1
            row["timeouts" if result.output == "timeout" else "killed"] += 1
        elif result is not None and result.test_outcome == TestOutcome.SURVIVED:
            row["mutants"] += 1
            row["survived"] += 1
            missed.append((mutant, result, "survived"))
        else:
            row["mutants"] += 1
            row["errors"] += 1
            missed.append((mutant, result, "error: the tests could not be run"))
    total: dict[str, int] = defaultdict(int)
    for row in rows.values():
        for key, value in row.items():
            total[key] += value

    def score(row: dict[str, int]) -> float:
        return 100 * (row["killed"] + row["timeouts"]) / row["mutants"] if row["mutants"] else 100.0

    width = max(len(m) for m in [*rows, "total"])
    columns = ("mutants", "killed", "survived", "timeouts", "errors", "excluded", "not made")
    print(f"\n{'module':<{width}}  " + "  ".join(f"{c:>8}" for c in columns) + "     score")
    for name, row in [*sorted(rows.items()), ("total", total)]:
        print(f"{name:<{width}}  " + "  ".join(f"{row[c]:>8}" for c in columns) + f"  {score(row):7.1f}%")
    killed = total["killed"] + total["timeouts"]
    print(f"\nScore: {killed}/{total['mutants']} killed ({score(total):.1f}%; pass mark "
          f"{fail_under:g}%) in {seconds / 60:.1f} min. Excluded as equivalent: {total['excluded']} (reasons in "
          f"src/pcn_evidence/tools/mutation.toml).")
    if population is not None:
        print(sample_line(killed, total["mutants"], population))
    if missed:
        print(f"\n{total['survived']} mutant(s) survived: write a test that fails for each. {total['errors']} "
              f"error(s); {total['not made']} mutant(s) cosmic-ray could not make (not scored).")
        for mutant, result, kind in sorted(missed, key=lambda x: (x[0].module, x[0].start)):
            print(f"\n{mutant.module}:{mutant.start[0]}  {mutant.operator}  ({kind})")
            lines = diff_lines(result.diff if result else None)
            shown = (lines or (result.output or "").strip().splitlines()[-1:]) if result else ["no result"]
            print("\n".join(f"    {line}" for line in shown))
    return 0 if score(total) >= fail_under and not total["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
