"""The pins are compiled from what the book asks for: each requirements-*.txt matches its .in file.

pip-tools (``make lock``) writes each lock file from its input. These checks need no network: they
read both files and fail when an input names a version its lock does not pin, when the lock pins a
package nothing asks for (a hand edit, or an input changed without recompiling), or when a lock
made beside requirements.txt disagrees with it. Each check is shown a planted fault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import ROOT

LOCKS = sorted(ROOT.glob("requirements*.in"))
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def _name(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Lock:
    pins: dict[str, str]  # name -> version
    via: dict[str, list[str]]  # name -> what asked for it ("-r requirements.in", "-c ...", or a pinned package)
    command: str  # the pip-compile command in the header


def read_input(text: str) -> tuple[dict[str, str], list[str]]:
    """An input file's exact requirements and the files it is constrained by (``-c``)."""
    wanted, constraints = {}, []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-c "):
            constraints.append(line[3:].strip())
        elif match := _PIN.match(line):
            wanted[_name(match[1])] = match[2]
        elif line:
            raise ValueError(f"not an exact requirement (write name==version): {line!r}")
    return wanted, constraints


def read_lock(text: str) -> Lock:
    """A pip-compile output: pins, each with the requirements that pulled it in, and the header's command."""
    pins: dict[str, str] = {}
    via: dict[str, list[str]] = {}
    current = None
    command = ""
    for line in text.splitlines():
        if line.startswith("#    pip-compile"):
            command = line[1:].strip()
        elif match := _PIN.match(line):
            current = _name(match[1])
            pins[current], via[current] = match[2], []
        elif current and (entry := line.strip().lstrip("#").strip()):
            entry = entry.removeprefix("via").strip()
            if entry:
                via[current].append(entry if entry.startswith("-") else _name(entry.split()[0]))
    return Lock(pins, via, command)


def lock_problems(input_name: str, input_text: str, lock_text: str, constraint_locks: dict[str, str]) -> list[str]:
    """Why a lock file does not match its input (empty when it does)."""
    wanted, constraints = read_input(input_text)
    lock = read_lock(lock_text)
    problems = []
    if not lock.command.endswith(" " + input_name):
        problems.append(f"the lock was not compiled from {input_name} (header: {lock.command!r})")
    for name, version in wanted.items():
        if lock.pins.get(name) != version:
            problems.append(f"{input_name} asks for {name}=={version}; the lock pins {lock.pins.get(name)}")
    for name, reasons in lock.via.items():
        if not any(r.startswith("-r") or r in lock.pins for r in reasons):
            problems.append(f"{name} is pinned but nothing asks for it ({reasons or 'no via'}): recompile")
    for path in constraints:
        other = read_lock(constraint_locks[path]).pins
        problems += [
            f"{name}=={version} disagrees with {path} ({other[name]})"
            for name, version in lock.pins.items()
            if name in other and other[name] != version
        ]
    return problems


def _texts(input_path: Path) -> tuple[str, str, dict[str, str]]:
    lock_path = input_path.with_suffix(".txt")
    constraints = read_input(input_path.read_text(encoding="utf-8"))[1]
    others = {c: (ROOT / c).read_text(encoding="utf-8") for c in constraints}
    return input_path.read_text(encoding="utf-8"), lock_path.read_text(encoding="utf-8"), others


@pytest.mark.parametrize("input_path", LOCKS, ids=[p.name for p in LOCKS])
def test_every_lock_file_matches_its_input(input_path):
    assert input_path.with_suffix(".txt").is_file(), f"{input_path.name} has no lock: run make lock"
    assert lock_problems(input_path.name, *_texts(input_path)) == []


def test_every_requirements_file_is_compiled_from_an_input():
    assert {p.stem for p in ROOT.glob("requirements*.txt")} == {p.stem for p in LOCKS}


def test_an_input_changed_without_recompiling_is_caught():
    in_text, lock_text, others = _texts(ROOT / "requirements.in")
    name, version = next(iter(read_input(in_text)[0].items()))
    bumped = in_text.replace(f"=={version}", f"=={version}.1", 1)
    assert any(
        p.startswith(f"requirements.in asks for {name}=={version}.1")
        for p in lock_problems("requirements.in", bumped, lock_text, others)
    )
    added = in_text + "\nsome-new-package==1.0\n"
    assert "requirements.in asks for some-new-package==1.0; the lock pins None" in lock_problems(
        "requirements.in", added, lock_text, others
    )


def test_a_hand_added_pin_is_caught():
    in_text, lock_text, others = _texts(ROOT / "requirements.in")
    planted = lock_text + "stray-package==0.1\n"
    assert "stray-package is pinned but nothing asks for it (no via): recompile" in lock_problems(
        "requirements.in", in_text, planted, others
    )


def test_a_lock_that_disagrees_with_requirements_txt_is_caught():
    constrained = [p for p in LOCKS if "requirements.txt" in read_input(p.read_text(encoding="utf-8"))[1]]
    path, in_text, lock_text, others = next(
        (p, *_texts(p))
        for p in constrained
        if set(read_lock(_texts(p)[1]).pins) & set(read_lock(_texts(p)[2]["requirements.txt"]).pins)
    )
    shared = next(n for n in read_lock(lock_text).pins if n in read_lock(others["requirements.txt"]).pins)
    version = read_lock(lock_text).pins[shared]
    planted = re.sub(rf"(?im)^{re.escape(shared)}=={re.escape(version)}$", f"{shared}==0.0.0", lock_text)
    assert f"{shared}==0.0.0 disagrees with requirements.txt ({version})" in lock_problems(
        path.name, in_text, planted, others
    )


def test_a_lock_compiled_from_another_input_is_caught():
    in_text, lock_text, others = _texts(ROOT / "requirements.in")
    assert lock_problems("requirements-other.in", in_text, lock_text, others)[0].startswith(
        "the lock was not compiled from requirements-other.in"
    )
