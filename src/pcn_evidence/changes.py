"""What changed in the evidence between two versions of the data package, and since when each item stands.

A :class:`Snapshot` holds what a reader cites from one version: each synthesised finding
(title, text), its GRADE-CERQual judgements, each key message (heading, the findings it
rests on), each source and the coded facts from it. :func:`compare` lists the changes
between two snapshots, one row per changed field, in the columns of
``data/evidence_changes.csv``; a *change* is the rows that share a version, an item and a
change kind. :func:`history` says, from those rows, in which version each finding and key
message first appeared and in which it last changed. Nothing here reads git or a chapter:
the tools pass the snapshots in.

>>> old = Snapshot(findings={"f-a": {"title": "A", "finding": "A is so."}},
...                ratings={"f-a": {"confidence": "moderate", "methodological_limitations": "minor concerns"}},
...                messages={"km-a": {"heading": "A", "finding_ids": "f-a"}}, facts={"x-1": "src"})
>>> new = Snapshot(findings={"f-a": {"title": "A", "finding": "A is so, in places."},
...                          "f-b": {"title": "B", "finding": "B is so."}},
...                ratings={"f-a": {"confidence": "low", "methodological_limitations": "moderate concerns"},
...                         "f-b": {"confidence": "very low"}},
...                messages={"km-a": {"heading": "A", "finding_ids": "f-a"}}, facts={"x-1": "src", "x-2": "src"})
>>> changes = compare(old, new, previous="1.0.0")
>>> sorted(set(zip(changes["item_id"], changes["change"])))
[('f-a', 'confidence changed'), ('f-a', 'reworded'), ('f-b', 'added'), ('src', 'facts added')]
>>> history(changes, ["f-a", "f-b", "km-a"], rests_on={"km-a": ["f-a"]}).values.tolist()
[['f-a', '1.0.0', 'unreleased'], ['f-b', 'unreleased', 'unreleased'], ['km-a', '1.0.0', 'unreleased']]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .datapackage import DataPackage, read_package, split_tags
from .errors import EvidenceError
from .facts import fact_key, fact_tables, quote_column
from .versioning import parse_version

__all__ = ["describe_history", "has_unreleased", "UNRELEASED", "CHANGES_TABLE", "COLUMNS", "COMPONENTS", "CHANGE_ORDER", "FIELD_LABELS", "Snapshot", "snapshot",
           "compare", "merge", "label_release", "version_key", "history", "confidence_changes", "describe"]

#: The version of changes made since the last release; a release relabels them with its number.
UNRELEASED = "unreleased"
#: The table that records the changes (data/evidence_changes.csv).
CHANGES_TABLE = "evidence_changes"
#: The columns of data/evidence_changes.csv: one row per changed field.
COLUMNS = ["version", "date", "previous", "item_kind", "item_id", "change", "field", "old", "new"]
#: The four GRADE-CERQual components, in the order the method lists them.
COMPONENTS = ("methodological_limitations", "coherence", "adequacy", "relevance")
#: Change kinds in the order a reader cares about them: confidence first, then what is new or gone, then wording.
CHANGE_ORDER = ("confidence changed", "added", "removed", "judgement changed", "findings changed", "sources changed",
                "reworded", "facts added", "facts removed")
ITEM_KINDS = ("finding", "key message", "source")
#: How the page and the report name each field.
FIELD_LABELS = {"confidence": "confidence", **{c: c.replace("_", " ") for c in COMPONENTS}, "title": "title",
                "finding": "finding text", "heading": "heading", "summary": "summary", "finding_ids": "findings it rests on",
                "source_ids": "sources it cites",
                "label": "source", "facts": "coded facts"}
_FIELD_ORDER = tuple(FIELD_LABELS)

Record = dict[str, str]


@dataclass(frozen=True)
class Snapshot:
    """What one version of the book says: findings, their ratings, key messages (None: unknown), sources, facts.

    ``facts`` maps each coded fact's id to its source's id.
    """

    findings: Mapping[str, Record] = field(default_factory=dict)
    ratings: Mapping[str, Record] = field(default_factory=dict)
    messages: Mapping[str, Record] | None = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    facts: Mapping[str, str] = field(default_factory=dict)


def _fact_sources(package: DataPackage) -> dict[str, str]:
    """Each coded fact's id and its source's id (a row without a quote is not a fact, as in :mod:`.facts`)."""
    found = {}
    for table in fact_tables(package):
        key, quote = fact_key(table), str(quote_column(table))  # a fact table has a quote column
        found.update({row[key]: row["source_id"] for row in table.rows if row[quote].strip()})
    return found


def snapshot(data_dir: Path | str, messages: Iterable[Record] | None = None) -> Snapshot:
    """The snapshot of the data package in ``data_dir``, read as text (an old version need not pass today's checks).

    Key messages come from its ``key_messages`` table; a version that kept them elsewhere
    (0.1.0 kept them on the key-messages page) passes them as ``messages`` (id, heading,
    finding_ids), or leaves them unknown.
    """
    package, problems = read_package(data_dir)
    # the record of changes is not evidence: a version may lack it, and this comparison is what writes it
    record = {f"{Path(data_dir).name}/{r.get(k)}" for r in package.descriptor.get("resources", [])
              if r.get("name") == CHANGES_TABLE for k in ("path", "schema")}
    problems = [p for p in problems if p.file not in record]
    if problems:
        raise EvidenceError(problems)
    rows = {name: table.rows for name, table in package.tables.items()}
    findings = {r["id"]: {"title": r["title"], "finding": r["finding"]} for r in rows.get("synthesis_findings", [])}
    ratings = {r["finding_id"]: {k: r[k] for k in ("confidence", *COMPONENTS)} for r in rows.get("cerqual", [])}
    if "key_messages" in rows:  # a summary and its sources where the version kept them (0.1.0 did not)
        messages = [{k: r[k] for k in ("id", "heading", "finding_ids", "summary", "source_ids") if k in r}
                    for r in rows["key_messages"]]
    known = None if messages is None else {
        m["id"]: {"heading": m["heading"], "finding_ids": "; ".join(split_tags(m["finding_ids"])),
                  **({"summary": m["summary"]} if "summary" in m else {}),
                  **({"source_ids": "; ".join(split_tags(m["source_ids"]))} if "source_ids" in m else {})}
        for m in messages}
    sources = {r["id"]: r["title"] for r in rows.get("sources", [])}
    return Snapshot(findings, ratings, known, sources, _fact_sources(package))


def _row(kind: str, item: str, change: str, name: str, old: str = "", new: str = "") -> Record:
    return {"item_kind": kind, "item_id": item, "change": change, "field": name, "old": old, "new": new}


def _finding_rows(old: Snapshot, new: Snapshot) -> list[Record]:
    rows = []
    for fid in sorted(set(old.findings) | set(new.findings)):
        before, after = old.findings.get(fid), new.findings.get(fid)
        was, now = old.ratings.get(fid, {}), new.ratings.get(fid, {})
        if before is None or after is None:
            change, record, rating = ("added", after, now) if before is None else ("removed", before, was)
            assert record is not None
            side = "new" if before is None else "old"
            rows.append(_row("finding", fid, change, "title", **{side: record["title"]}))
            if rating.get("confidence"):
                rows.append(_row("finding", fid, change, "confidence", **{side: rating["confidence"]}))
            continue
        if was.get("confidence", "") != now.get("confidence", ""):
            # a changed rating carries all four components, changed or not: the reader sees why it moved
            rows += [_row("finding", fid, "confidence changed", name, was.get(name, ""), now.get(name, ""))
                     for name in ("confidence", *COMPONENTS)]
        else:
            rows += [_row("finding", fid, "judgement changed", name, was.get(name, ""), now.get(name, ""))
                     for name in COMPONENTS if was.get(name, "") != now.get(name, "")]
        rows += [_row("finding", fid, "reworded", name, before[name], after[name])
                 for name in ("title", "finding") if before[name] != after[name]]
    return rows


def _message_rows(old: Snapshot, new: Snapshot) -> list[Record]:
    if old.messages is None or new.messages is None:
        return []  # one side's key messages are unknown: say nothing rather than call them all new
    rows = []
    for mid in sorted(set(old.messages) | set(new.messages)):
        before, after = old.messages.get(mid), new.messages.get(mid)
        if before is None or after is None:
            change, record, side = ("added", after, "new") if before is None else ("removed", before, "old")
            assert record is not None
            rows += [_row("key message", mid, change, name, **{side: record[name]}) for name in ("heading",
                                                                                              "finding_ids")]
            continue
        if set(split_tags(before["finding_ids"])) != set(split_tags(after["finding_ids"])):
            rows.append(_row("key message", mid, "findings changed", "finding_ids", before["finding_ids"],
                             after["finding_ids"]))
        if "source_ids" in before and "source_ids" in after and \
                set(split_tags(before["source_ids"])) != set(split_tags(after["source_ids"])):
            rows.append(_row("key message", mid, "sources changed", "source_ids", before["source_ids"],
                             after["source_ids"]))
        for name in ("heading", "summary"):
            if name in before and name in after and before[name] != after[name]:
                rows.append(_row("key message", mid, "reworded", name, before[name], after[name]))
    return rows


def _source_rows(old: Snapshot, new: Snapshot) -> list[Record]:
    rows = []
    for sid in sorted(set(old.sources) | set(new.sources)):
        if sid not in old.sources:
            rows.append(_row("source", sid, "added", "label", new=new.sources[sid]))
        elif sid not in new.sources:
            rows.append(_row("source", sid, "removed", "label", old=old.sources[sid]))
    for sid in sorted(set(old.facts.values()) | set(new.facts.values())):
        was = {f for f, s in old.facts.items() if s == sid}
        now = {f for f, s in new.facts.items() if s == sid}
        if now - was:
            rows.append(_row("source", sid, "facts added", "facts", new="; ".join(sorted(now - was))))
        if was - now:
            rows.append(_row("source", sid, "facts removed", "facts", old="; ".join(sorted(was - now))))
    return rows


def _rank(values: Sequence[str], order: Sequence[str]) -> list[int]:
    return [order.index(v) if v in order else len(order) for v in values]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Versions oldest first; within one, the order a reader cares about (:data:`CHANGE_ORDER`)."""
    keys = frame.assign(_v=[version_key(v) for v in frame["version"]],
                        _c=_rank(list(frame["change"]), CHANGE_ORDER), _k=_rank(list(frame["item_kind"]), ITEM_KINDS),
                        _f=_rank(list(frame["field"]), _FIELD_ORDER))
    keys = keys.sort_values(["_v", "_c", "_k", "item_id", "_f"], kind="mergesort")
    return keys[COLUMNS].reset_index(drop=True)


def compare(old: Snapshot, new: Snapshot, version: str = UNRELEASED, previous: str = "",
            date: str = "") -> pd.DataFrame:
    """Every change from ``old`` (version ``previous``) to ``new`` (``version``, released on ``date``)."""
    rows = _finding_rows(old, new) + _message_rows(old, new) + _source_rows(old, new)
    frame = pd.DataFrame(rows, columns=COLUMNS[3:], dtype=object)
    frame.insert(0, "previous", previous)
    frame.insert(0, "date", date)
    frame.insert(0, "version", version)
    return _sorted(frame[COLUMNS].astype(str))


def merge(recorded: pd.DataFrame, unreleased: pd.DataFrame) -> pd.DataFrame:
    """The recorded changes of past releases, with the unreleased ones replaced by a fresh comparison."""
    kept = recorded[recorded["version"] != UNRELEASED]
    return _sorted(pd.concat([kept[COLUMNS].astype(str), unreleased[COLUMNS].astype(str)], ignore_index=True))


def label_release(changes: pd.DataFrame, version: str, date: str) -> pd.DataFrame:
    """The unreleased changes become the changes of release ``version``, dated ``date`` (ISO)."""
    out = changes.copy()
    pending = out["version"] == UNRELEASED
    out.loc[pending, "version"], out.loc[pending, "date"] = version, date
    return _sorted(out)


def version_key(version: str) -> tuple[int, int, int]:
    """Sort key of a version: ``'0.10.0'`` after ``'0.9.0'``; :data:`UNRELEASED` after every release.

    >>> sorted(["unreleased", "0.10.0", "0.9.1"], key=version_key)
    ['0.9.1', '0.10.0', 'unreleased']
    """
    if version == UNRELEASED:
        return (10**9, 0, 0)
    return parse_version(str(version))


def history(changes: pd.DataFrame, ids: Iterable[str], rests_on: Mapping[str, Sequence[str]] | None = None,
            first: str | None = None) -> pd.DataFrame:
    """For each id, the version it first appeared in (``since``) and the version of its last change (``changed``).

    An item never recorded as added has been there since the first version the changes
    start from (their earliest ``previous``, else ``first``). A key message also changes
    when the confidence of a finding it rests on changes (``rests_on``: message id ->
    finding ids), since its confidence is theirs. Columns: ``id``, ``since``, ``changed``.
    """
    rests_on = rests_on or {}
    baselines = [v for v in changes["previous"] if v]
    base = min(baselines, key=version_key) if baselines else first
    records = []
    for item in ids:
        own = changes[changes["item_id"] == item]
        added = own[own["change"] == "added"]["version"].tolist()
        since = max(added, key=version_key) if added else base
        if since is None:
            raise ValueError("no changes are recorded, so the first version is unknown: pass first=")
        moved = changes[changes["item_id"].isin(rests_on.get(item, ())) & (changes["change"] == "confidence changed")]
        versions = [since, *own["version"], *moved["version"]]
        records.append({"id": item, "since": since, "changed": max(versions, key=version_key)})
    return pd.DataFrame(records, columns=["id", "since", "changed"])


def has_unreleased(changes: pd.DataFrame) -> bool:
    """Whether the recorded changes hold some made since the last release (the book is then not that release).

    >>> has_unreleased(pd.DataFrame({"version": ["0.1.0", UNRELEASED]})), has_unreleased(pd.DataFrame({"version": []}))
    (True, False)
    """
    return bool((changes["version"] == UNRELEASED).any())


def describe_history(since: str, changed: str) -> str:
    """A statement's history in words, as a page shows it beside its confidence.

    >>> describe_history("0.1.0", "0.1.0")
    'in the book since version 0.1.0, unchanged since'
    >>> describe_history("0.1.0", "0.2.0")
    'in the book since version 0.1.0, last changed in version 0.2.0'
    >>> describe_history("0.1.0", "unreleased")
    'in the book since version 0.1.0, changed since the last release (not yet released)'
    >>> describe_history("unreleased", "unreleased")
    'new since the last release (not yet released)'
    """
    def version(value: str) -> str:
        return "the last release (not yet released)" if value == UNRELEASED else f"version {value}"

    if since == UNRELEASED:
        return "new since " + version(since)
    if changed == since:
        return f"in the book since {version(since)}, unchanged since"
    if changed == UNRELEASED:
        return f"in the book since {version(since)}, changed since {version(changed)}"
    return f"in the book since {version(since)}, last changed in {version(changed)}"


def confidence_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """One row per changed rating: version, finding id, and old and new value of the confidence and each component.

    Columns ``version``, ``item_id``, then ``<field>_old`` and ``<field>_new`` for the confidence
    and the four components.
    """
    rows = changes[changes["change"] == "confidence changed"]
    records = []
    for (version, item), group in rows.groupby(["version", "item_id"], sort=False):
        record = {"version": version, "item_id": item}
        for name in ("confidence", *COMPONENTS):
            match = group[group["field"] == name]
            record[f"{name}_old"] = match["old"].iloc[0] if len(match) else ""
            record[f"{name}_new"] = match["new"].iloc[0] if len(match) else ""
        records.append(record)
    columns = ["version", "item_id"] + [f"{n}_{s}" for n in ("confidence", *COMPONENTS) for s in ("old", "new")]
    return pd.DataFrame(records, columns=columns)


def _arrow(old: str, new: str) -> str:
    if not old:
        return new
    if not new:
        return f"{old} (removed)"
    return f"{old} -> {new}" if old != new else f"{old} (unchanged)"


def describe(changes: pd.DataFrame, title: str = "Evidence changes") -> str:
    """The changes as readable text: per version (newest first), grouped by :data:`CHANGE_ORDER`."""
    lines = [title]
    if changes.empty:
        return f"{title}: none.\n"
    for version in sorted(set(changes["version"]), key=version_key, reverse=True):
        rows = changes[changes["version"] == version]
        since = ", ".join(sorted(set(rows["previous"]) - {""}, key=version_key)) or "?"
        dated = f", released {rows['date'].iloc[0]}" if rows["date"].iloc[0] else ""
        lines.append(f"\n== {version}{dated} (compared with {since})")
        for change in CHANGE_ORDER:
            group = rows[rows["change"] == change]
            items = list(dict.fromkeys(zip(group["item_kind"], group["item_id"])))
            if not items:
                continue
            lines.append(f"\n{change.capitalize()} ({len(items)})")
            for kind, item in items:
                fields = group[(group["item_kind"] == kind) & (group["item_id"] == item)]
                lines.append(f"  {kind} {item}")
                for name, old, new in zip(fields["field"], fields["old"], fields["new"]):
                    if name == "facts":
                        lines.append(f"      {len(split_tags(old or new))} {change.split()[-1]}: {old or new}")
                    else:
                        lines.append(f"      {FIELD_LABELS.get(name, name)}: {_arrow(old, new)}")
    return "\n".join(lines) + "\n"
