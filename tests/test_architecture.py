"""The layout is the architecture: data -> package -> chapters and tools, and the package stays a small library.

The package is the library (``src/pcn_evidence/*.py``) and its tools (``src/pcn_evidence/tools/``, run with
``python -m``): both are held to the size limit and the one-way, cycle-free imports below; only the library is
forbidden to read chapters, which the tools build.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
from pathlib import Path

import pytest
from helpers import DATA, ROOT

from pcn_evidence.datapackage import read_package

PACKAGE = ROOT / "src" / "pcn_evidence"
TOOLS = PACKAGE / "tools"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)  # the library and its tools
LIBRARY = [m for m in MODULES if not m.is_relative_to(TOOLS)]
MAX_LINES = 400


def _data_ids() -> set[str]:
    package, _ = read_package(DATA)
    ids = set()
    for table in package.tables.values():
        if "id" in table.header:
            ids |= {row["id"] for row in table.rows if "-" in row["id"]}
    return ids


def test_no_coded_fact_or_vocabulary_id_is_written_in_the_library():
    # (the tools may: the synthetic data set of `make bench-scale` codes its copies with a reason of the vocabulary)
    ids = _data_ids()
    found = []
    for module in LIBRARY:
        strings = {node.value for node in ast.walk(ast.parse(module.read_text()))
                   if isinstance(node, ast.Constant) and isinstance(node.value, str)}
        found += [f"{module.name}: {s!r}" for s in strings if s in ids]
    assert not found, "data ids belong in data/ or in a chapter, not in src/: " + "; ".join(found)


def test_the_id_check_would_catch_one(tmp_path):
    # the check above must be able to fail: a planted id is found among a module's strings
    planted = 'FACT = "sd-sample-size"\n'
    strings = {n.value for n in ast.walk(ast.parse(planted)) if isinstance(n, ast.Constant)}
    assert strings & _data_ids() == {"sd-sample-size"}


def test_no_package_or_extension_module_is_over_the_size_limit():
    extensions = sorted((ROOT / "_ext").glob("*.py"))  # the Sphinx extensions count too (issue #22)
    sizes = {m.name: len(m.read_text().splitlines()) for m in [*MODULES, *extensions]}
    assert all(n <= MAX_LINES for n in sizes.values()), {k: v for k, v in sizes.items() if v > MAX_LINES}


def test_no_library_module_reads_a_chapter():
    pattern = re.compile(r"\.ipynb|chapters/[a-z_]+\.md|nbformat|jupytext")
    offenders = [m.name for m in LIBRARY if pattern.search(m.read_text())]
    assert not offenders, f"the library must not read or parse chapters: {offenders}"


def module_name(path: Path) -> str:
    """A module's name within the package: ``release`` (the library's) or ``tools.release`` (the tool)."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_imports(sources: dict[str, str]) -> dict[str, set[str]]:
    """Each module's imports of the package's other modules (named as :func:`module_name` names them), wherever
    they stand: at the top or inside a function; relative (``.x``, ``..x``, ``from . import x``) or absolute."""
    graph: dict[str, set[str]] = {}
    for name, text in sources.items():
        package = name.split(".")[:-1]  # the module's own package, from the top (a tools module: ["tools"])
        found: set[str] = set()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                prefix = [*base, *(node.module.split(".") if node.module else [])]
                found |= {".".join(prefix)} if node.module else {".".join([*prefix, a.name]) for a in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pcn_evidence."):
                found.add(node.module.removeprefix("pcn_evidence."))
            elif isinstance(node, ast.Import):
                found |= {a.name.removeprefix("pcn_evidence.") for a in node.names if a.name.startswith("pcn_evidence.")}
        # an import of a module's attribute (``from .load import labels``) is an import of the module
        graph[name] = {next((m for m in (module, module.rpartition(".")[0]) if m in sources), module)
                       for module in found} & set(sources) - {name}
    return graph


def _package_sources() -> dict[str, str]:
    return {module_name(m): m.read_text() for m in MODULES if module_name(m)}


def test_dependencies_point_one_way():
    """data -> library -> chapters and tools: the library imports no tool, and no chapter or Sphinx extension does."""
    graph = package_imports(_package_sources())
    library = {name: imported for name, imported in graph.items() if not name.startswith("tools")}
    assert not {name: [m for m in imported if m.startswith("tools")] for name, imported in library.items()
                if any(m.startswith("tools") for m in imported)}
    assert graph["tools.book"] >= {"tools.checks", "tools.digests", "tools.notebooks", "tools.paths"}  # it sees them
    outside = [*(ROOT / "chapters").glob("*.md"), *(ROOT / "_ext").glob("*.py")]
    assert not [p.name for p in outside if re.search(r"pcn_evidence\.tools|from \.*tools\b", p.read_text())]


def test_a_library_module_importing_a_tool_is_caught():
    sources = {"load": "def f():\n    from .tools.book import build\n", "tools.book": "from ..load import x\n"}
    graph = package_imports(sources)
    assert graph == {"load": {"tools.book"}, "tools.book": {"load"}}


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
    assert import_cycles(package_imports(_package_sources())) == []


def test_an_import_cycle_hidden_inside_a_function_is_caught():
    """The fault the package once had: release imported citation inside a function, citation release at the top."""
    sources = {"release": "def read():\n    from .citation import read_citation\n",
               "citation": "from .release import Release\n", "errors": "import re\n"}
    assert import_cycles(package_imports(sources)) == [["citation", "release", "citation"]]


def test_an_import_cycle_among_the_tools_hidden_inside_a_function_is_caught():
    sources = {"tools.release": "from .archive import dist\n",
               "tools.archive": "def dist():\n    from . import release\n", "release": "import re\n"}
    assert import_cycles(package_imports(sources)) == [["tools.archive", "tools.release", "tools.archive"]]


# --- no sys.path edits: modules are found as installed (the package) or configured (pytest's pythonpath) ------

SYS_PATH_EDIT = re.compile(r"\bsys\s*\.\s*path\s*(\.\s*(insert|append|extend|remove)\s*\(|\[[^\]]*\]\s*=|\+?=)"
                           r"|\bsite\s*\.\s*addsitedir\s*\(")
SKIPPED = {".venv", "_build", ".git", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache",
           ".hypothesis", "artifacts", "dist", "bench"}


def sys_path_edits(root: Path) -> list[str]:
    """``file:line`` of every edit of ``sys.path`` in the book's Python: modules, tests, extensions, tools, and the
    code of the chapters and the chapter template (strings too: code written for a subprocess runs as well)."""
    files = []
    for folder, folders, names in os.walk(root):
        folders[:] = sorted(f for f in folders if f not in SKIPPED)
        here = Path(folder)
        files += [here / name for name in sorted(names) if name.endswith(".py") or (
            name.endswith((".md", ".ipynb")) and here.name in {"chapters", "templates"})]
    return [f"{path.relative_to(root).as_posix()}:{number}" for path in files
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if SYS_PATH_EDIT.search(line)]


def test_no_python_of_the_book_edits_sys_path():
    assert sys_path_edits(ROOT) == []


PATH = "sys" + ".path"  # spelled apart, so that this file plants nothing in itself


@pytest.mark.parametrize("where, planted", [
    ("tests/test_planted.py", f"import sys\n\n{PATH}.insert(0, 'tools')\n"),
    ("src/pcn_evidence/tools/planted.py", f"import sys\n\n{PATH}.append(str(ROOT / 'src'))\n"),
    ("_ext/planted.py", f"import sys\n\n{PATH}[:0] = ['_ext']\n"),
    ("src/pcn_evidence/planted.py", "import site\n\nsite" + ".addsitedir('src')\n"),
    ("chapters/planted.md", f"```{{code-cell}}\n\nimport sys; {PATH} += ['../src']\n```\n"),
    ("tests/helpers_planted.py", f"SCRIPT = (\n    \"import sys; {PATH}.insert(0, 'tools'); import book\")\n"),
])
def test_a_sys_path_edit_planted_in_a_copy_is_found(book_copy, where, planted):
    assert sys_path_edits(book_copy) == []
    (book_copy / where).write_text(planted, encoding="utf-8")
    try:
        assert sys_path_edits(book_copy) == [f"{where}:3" if where != "tests/helpers_planted.py" else f"{where}:2"]
    finally:
        (book_copy / where).unlink()  # the copy is the module's: each test plants one edit in it


@pytest.fixture(scope="module")
def book_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the book's Python and chapters, to plant in."""
    copy = tmp_path_factory.mktemp("planted") / "book"
    for folder in ("src", "_ext", "tests", "chapters", "templates"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns(*SKIPPED))
    return copy


# --- a throwaway copy of the book (pcn_evidence.tools.paths.working_copy) -----------------------------------------

def test_a_throwaway_copy_leaves_out_every_folder_git_ignores():
    from pcn_evidence.tools.paths import COPY_IGNORE

    entries = [line.strip() for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")]
    folders = [Path(entry.rstrip("/")) for entry in entries if entry.endswith("/") or (ROOT / entry).is_dir()]
    assert Path("tests/browser/artifacts") in folders  # the largest, made by the browser tests
    copied = [folder.as_posix() for folder in folders  # left out if it, or a folder it is in, is left out
              if not any(part.name in COPY_IGNORE(str(ROOT / part.parent), [part.name])
                         for part in (folder, *folder.parents[:-1]))]
    assert copied == []


def test_a_step_that_fails_stops_the_tool_naming_it_with_the_end_of_its_output(tmp_path):
    import sys

    from pcn_evidence.tools.paths import run_or_exit

    run_or_exit([sys.executable, "-c", "print('fine')"], tmp_path, dict(os.environ))
    failing = [sys.executable, "-c", "import sys; print('x' * 5000 + 'the end'); sys.exit('why it failed')"]
    with pytest.raises(SystemExit) as stopped:
        run_or_exit(failing, tmp_path, dict(os.environ))
    message = str(stopped.value)
    assert message.startswith(f"{' '.join(failing)} in {tmp_path} failed:\n")
    assert "the end" in message and message.rstrip().endswith("why it failed") and len(message) < 6500
