"""One way to get a coded fact: its value, unit, quote, locator and source, by its stable id.

Every table with a verbatim quote column and a ``source_id`` holds coded facts; a
fact's number is in its ``count`` or ``number`` column, its unit in ``unit``, and a
fact that is not a number (a design fact such as an NVivo version) has its ``value``.

>>> interviews = fact("sd-sample-size")
>>> interviews.value, interviews.unit, interviews.source_id
(37, 'interviews', 'bjgp-2021')
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import inputs
from .datapackage import DataPackage, Table, key_columns, parse_cell
from .load import package_key, validated_package

__all__ = ["Fact", "fact", "facts", "ledger", "fact_tables", "fact_key", "quote_column"]

_NUMBER_COLUMNS = ("count", "number")


@dataclass(frozen=True)
class Fact:
    """A coded fact with its provenance."""

    id: str
    table: str
    source_id: str
    locator: str
    quote: str
    number: float | None = None
    unit: str | None = None
    text: str | None = None  # the fact's value in words, where the table has a ``value`` column

    @property
    def value(self) -> int | float | str:
        """The number (a whole number as ``int``), or else the fact's value in words.

        Raises ``ValueError`` for a fact that states neither.
        """
        if self.number is not None:
            return int(self.number) if float(self.number).is_integer() else self.number
        if self.text:
            return self.text
        raise ValueError(f"coded fact {self.id!r} ({self.table}) states no number and no value")


def quote_column(table: Table) -> str | None:
    """The table's verbatim quote column (``pcn:verbatim`` in its schema), or None: a table with one holds facts."""
    columns = [f["name"] for f in table.fields if f.get("pcn:verbatim")]
    return columns[0] if columns else None


def fact_key(table: Table) -> str:
    """The column that identifies a fact: the table's (single-column) primary key, else ``id``."""
    return (key_columns(table.schema.get("primaryKey")) or ["id"])[0]


def fact_tables(package: DataPackage) -> list[Table]:
    """The tables that hold coded facts: a verbatim quote column and a ``source_id``."""
    return [t for t in package.tables.values() if quote_column(t) and "source_id" in t.header]


def _facts_of(table: Table) -> Iterator[Fact]:
    quote = quote_column(table)
    assert quote is not None
    types = {f["name"]: f.get("type", "string") for f in table.fields}
    number_column = next((c for c in _NUMBER_COLUMNS if c in table.header), None)
    for row in table.rows:
        if not row[quote].strip():
            continue
        cell = row[number_column].strip() if number_column else ""
        number = float(parse_cell(cell, types[number_column])) if number_column and cell else None
        yield Fact(id=row[fact_key(table)], table=table.name, source_id=row["source_id"], locator=row.get("locator", ""),
                   quote=row[quote], number=number, unit=row.get("unit") or None,
                   text=row.get("value") or None)


@lru_cache(maxsize=4)
def _index(directory: Path, fingerprint: tuple) -> dict[str, Fact]:
    """Every coded fact of the package by id, built once per version of the data."""
    found: dict[str, Fact] = {}
    for table in fact_tables(validated_package(directory)):
        for item in _facts_of(table):
            found.setdefault(item.id, item)
    return found


def facts(data_dir: Path | str | None = None) -> dict[str, Fact]:
    """Every coded fact by id (within a chapter: the facts of the tables it declares)."""
    declared = inputs.active()
    return {fact_id: item for fact_id, item in _index(*package_key(data_dir)).items()
            if declared is None or declared.reads_table(item.table)}


def fact(fact_id: str, data_dir: Path | str | None = None) -> Fact:
    """The coded fact with this id; a clear error if there is none, or if its table is undeclared."""
    found = _index(*package_key(data_dir)).get(fact_id)
    if found is None:
        raise KeyError(f"no coded fact {fact_id!r} in the data package")
    inputs.check_table(found.table)
    return found


def ledger(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Every coded fact as a table: table, id, source_id, locator, number (text; '' if none) and quote.

    Within a chapter, every fact table must be declared: the ledger reads them all.
    """
    records = []
    for table in fact_tables(validated_package(data_dir)):
        inputs.check_table(table.name)
        records += [{"table": item.table, "id": item.id, "source_id": item.source_id, "locator": item.locator,
                     "number": "" if item.number is None else str(item.value), "quote": item.quote}
                    for item in _facts_of(table)]
    return pd.DataFrame(records, columns=["table", "id", "source_id", "locator", "number", "quote"])
