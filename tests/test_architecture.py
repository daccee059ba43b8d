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


def package_imports(sources: dict[str, str]) -> dict[str, set[str]]:
    """Each module's imports of sibling modules, wherever they stand: at the top or inside a function."""
    graph: dict[str, set[str]] = {}
    for name, text in sources.items():
        found = set()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                found |= {node.module} if node.module else {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pcn_evidence."):
                found.add(node.module.split(".")[1])
        graph[name] = {module.split(".")[0] for module in found} & set(sources) - {name}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle, each once, as the modules in order (depth-first search)."""
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()

    def visit(module: str, path: list[str]) -> None:
        for imported in sorted(graph[module]):
            if imported in path:
                cycle = path[path.index(imported):]
                if frozenset(cycle) not in seen:
                    seen.add(frozenset(cycle))
                    cycles.append(cycle + [imported])
            else:
                visit(imported, path + [imported])

    for module in sorted(graph):
        visit(module, [module])
    return cycles


def test_the_package_has_no_import_cycle():
    sources = {m.stem: m.read_text() for m in MODULES}
    assert import_cycles(package_imports(sources)) == []


def test_an_import_cycle_hidden_inside_a_function_is_caught():
    """The fault the package once had: release imported citation inside a function, citation release at the top."""
    sources = {"release": "def read():\n    from .citation import read_citation\n",
               "citation": "from .release import Release\n", "errors": "import re\n"}
    assert import_cycles(package_imports(sources)) == [["citation", "release", "citation"]]
