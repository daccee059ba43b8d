"""The layout is the architecture: data -> package -> chapters, and the package stays a small library."""

from __future__ import annotations

import ast
import re

from helpers import DATA, ROOT

from pcn_evidence.datapackage import read_package

PACKAGE = ROOT / "src" / "pcn_evidence"
MODULES = sorted(p for p in PACKAGE.glob("*.py"))
MAX_LINES = 400


def _data_ids() -> set[str]:
    package, _ = read_package(DATA)
    ids = set()
    for table in package.tables.values():
        if "id" in table.header:
            ids |= {row["id"] for row in table.rows if "-" in row["id"]}
    return ids


def test_no_coded_fact_or_vocabulary_id_is_written_in_the_package():
    ids = _data_ids()
    found = []
    for module in MODULES:
        strings = {node.value for node in ast.walk(ast.parse(module.read_text()))
                   if isinstance(node, ast.Constant) and isinstance(node.value, str)}
        found += [f"{module.name}: {s!r}" for s in strings if s in ids]
    assert not found, "data ids belong in data/ or in a chapter, not in src/: " + "; ".join(found)


def test_the_id_check_would_catch_one(tmp_path):
    # the check above must be able to fail: a planted id is found among a module's strings
    planted = 'FACT = "sd-sample-size"\n'
    strings = {n.value for n in ast.walk(ast.parse(planted)) if isinstance(n, ast.Constant)}
    assert strings & _data_ids() == {"sd-sample-size"}


def test_no_package_module_is_over_the_size_limit():
    sizes = {m.name: len(m.read_text().splitlines()) for m in MODULES}
    assert all(n <= MAX_LINES for n in sizes.values()), {k: v for k, v in sizes.items() if v > MAX_LINES}


def test_no_package_module_reads_a_chapter():
    pattern = re.compile(r"\.ipynb|chapters/[a-z_]+\.md|nbformat|jupytext")
    offenders = [m.name for m in MODULES if pattern.search(m.read_text())]
    assert not offenders, f"the package must not read or parse chapters: {offenders}"


def test_dependencies_point_one_way():
    imports = {}
    for module in MODULES:
        tree = ast.parse(module.read_text())
        imports[module.stem] = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not any(name.split(".")[0] in {"chapters", "tools", "book"} for names in imports.values() for name in names)
