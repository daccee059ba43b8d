"""What decides whether a chapter re-executes and whether Sphinx re-reads the pages: digests of their inputs.

Each chapter's key is its code plus a digest of what it declares it reads (chapters/inputs.yml: its tables with
their schemas, and files such as CITATION.cff) plus the library (``src/pcn_evidence``, less these tools, which
no chapter imports) and requirements.txt. What every page depends on (_config.yml, _toc.yml, _ext/, _static/,
the bibliographies, the record of evidence changes that every footer reads) makes Sphinx re-read every page.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import yaml
from sphinx_external_toc.parsing import parse_toc_yaml

from ..inputs import DECLARATIONS, declaration
from .paths import ROOT, data_dir

__all__ = ["EXECUTION_INPUTS", "NOT_EXECUTED", "SITE_INPUTS", "SITE_DATA", "chapter_inputs", "chapter_digest",
           "site_digest", "toc_files", "toc_notebooks", "pages_digest"]

EXECUTION_INPUTS = ("src/pcn_evidence", "requirements.txt")  # part of every chapter's key
NOT_EXECUTED = ("src/pcn_evidence/tools",)  # ...less the tools: they run the chapters, which never import them
SITE_INPUTS = ("_config.yml", "_toc.yml", "_ext", "_static", "references.bib", "references-standards.bib",
               "references-context.bib", "CITATION.cff",
               "requirements.txt")  # every page is re-read when one changes
# ...and when one of these, in the data folder, changes: every footer and citation says whether the
# book holds evidence changes made since its last release (_ext/pcn_cite.py)
SITE_DATA = ("evidence_changes.csv",)


def _digest(files: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for file in files:
        name = file.relative_to(root).as_posix() if file.is_relative_to(root) else str(file)
        digest.update(name.encode() + b"\0")
        digest.update((file.read_bytes() if file.exists() else b"<missing>") + b"\0")
    return digest.hexdigest()


def _expand(root: Path, names: tuple[str, ...] | list[str], leaving_out: tuple[str, ...] = ()) -> list[Path]:
    """The files ``names`` (files and folders, from ``root``) hold, less those under ``leaving_out``."""
    files: list[Path] = []
    skipped = [root / name for name in leaving_out]
    for name in names:
        path = root / name
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                            and not any(p.is_relative_to(folder) for folder in skipped))
        else:
            files.append(path)
    return files


def chapter_inputs(chapter: str, root: Path = ROOT) -> list[Path]:
    """Every file chapter ``chapter`` depends on besides its own code (see the module docstring)."""
    try:
        entry = declaration(chapter, root / DECLARATIONS)
    except KeyError as error:
        sys.exit(error.args[0])
    data = data_dir(root)
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package.get("resources", [])}
    tables = list(resources) if entry.all_tables else list(entry.tables)
    files = [data / "datapackage.json"]
    for table in tables:
        resource = resources.get(table, {})
        files.append(data / resource.get("path", f"{table}.csv"))
        if isinstance(resource.get("schema"), str):
            files.append(data / resource["schema"])
    files += [root / f for f in entry.files]
    return _expand(root, EXECUTION_INPUTS, NOT_EXECUTED) + files


def chapter_digest(path: Path, root: Path = ROOT) -> str:
    """The digest that decides whether a chapter re-executes: its declaration and every input it names."""
    declarations = yaml.safe_load((root / "chapters" / "inputs.yml").read_text(encoding="utf-8")) or {}
    own = json.dumps(declarations.get(path.stem), sort_keys=True).encode()
    return hashlib.sha256(own + _digest(chapter_inputs(path.stem, root), root).encode()).hexdigest()


def site_digest(root: Path = ROOT) -> str:
    """The digest of what every page depends on: a change makes Sphinx re-read the whole book."""
    return _digest(_expand(root, SITE_INPUTS) + [data_dir(root) / name for name in SITE_DATA], root)


def toc_files(root: Path = ROOT) -> list[str]:
    """Every document the table of contents lists (without suffix), in reading order.

    Read by Jupyter Book's own parser of ``_toc.yml``, whose site map lists them in the order it meets them.
    """
    return list(parse_toc_yaml(root / "_toc.yml"))


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """Every chapter notebook the table of contents lists, in reading order.

    A chapter is a notebook, or a text twin in chapters/ whose notebook `make outputs` will create.
    """
    return [root / f"{file}.ipynb" for file in toc_files(root)
            if (root / f"{file}.ipynb").exists() or (file.startswith("chapters/") and (root / f"{file}.md").exists())]


def pages_digest(root: Path = ROOT) -> str:
    """The digest of every page's source as Sphinx reads it (notebooks with their outputs, markdown pages)."""
    files = []
    for file in toc_files(root):
        notebook = root / f"{file}.ipynb"
        files.append(notebook if notebook.exists() else root / f"{file}.md")
    return _digest(files, root)
