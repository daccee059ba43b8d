"""The data's internal ids, and where a built page shows one to a reader.

Every table names its rows by its primary key: findings (``f-…``), key messages (``km-…``), coded
facts, sources, limitations, sentence digests. Those keys are for the data and for people who re-use it;
a reader is shown a finding's title or short label, a fact's quote with its source and locator, a source's
label. :func:`internal_ids` collects every key value of every table of the package, so a new table's ids
are covered with nothing added here; :func:`visible_text` reads what a reader of a built page sees; and
:func:`page_problems` names every id that a page shows (``_ext/pcn_ids.py`` fails the build on one).

A key value is an id when it is written as one: lower-case letters and digits joined by hyphens, with a
hyphen or a digit in it. A key that is a single lower-case word (``editorial``), a number or a phrase
(``CCG staff``) reads as what it says, and so does a key that its own row uses as words (the source kind
``trade-press`` is labelled "trade-press article"):

>>> is_internal_id("f-ccg-support"), is_internal_id("749ff3cc5e13bb4f"), is_internal_id("editorial")
(True, True, False)
>>> is_internal_id("trade-press", ["trade-press article"]), is_internal_id("CCG staff")
(False, False)
>>> [found for found, _, _ in shown_ids("<p>f-a, f-a-b and pre-f-a: f-a.</p>", {"f-a", "f-a-b"})]
['f-a', 'f-a-b', 'f-a']
>>> visible_text('<p title="t">Hi <a href="#f-a">there</a></p><script>f-a</script>')
[('title attribute', 't'), ('text', 'Hi '), ('text', 'there')]
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from html.parser import HTMLParser
from pathlib import Path

from .datapackage import DataPackage, key_columns

__all__ = ["is_internal_id", "internal_ids", "visible_text", "shown_ids", "pages", "page_problems"]

_KEY_SHAPE = re.compile(r"[a-z0-9][a-z0-9-]*")
_TOKEN = re.compile(r"[\w-]+")  # a run of letters, digits, "_" and "-": an id shows only as a whole run
_URL = re.compile(r"(?:https?|file)://\S+")  # an address printed as text: its anchor may be an id
#: attributes a reader meets: alt text and ARIA labels (read aloud), titles (shown on hover), a page's description
_READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
_NOT_READ = {"script", "style", "template"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
_HIDDEN_CLASSES = {"cell_input"}  # a code cell's source: folded away behind "Show code cell source"


def is_internal_id(value: str, row_text: Iterable[str] = ()) -> bool:
    """Whether a key value is an id a reader should not see (see the module's docstring for the rule)."""
    if not _KEY_SHAPE.fullmatch(value) or not re.search(r"[a-z]", value) or not re.search(r"[-0-9]", value):
        return False
    as_word = re.compile(rf"(?<![\w-]){re.escape(value)}(?![\w-])")
    return not any(as_word.search(text or "") for text in row_text)


def internal_ids(package: DataPackage) -> dict[str, str]:
    """Every id of the package (each column of a compound key too), with the file and column that hold it."""
    found: dict[str, str] = {}
    for table in package.tables.values():
        key = key_columns(table.schema.get("primaryKey"))
        for row in table.rows:
            others = [text for column, text in row.items() if column not in key]
            for column in key:
                value = row.get(column, "")
                if value not in found and is_internal_id(value, others):
                    found[value] = f"{table.label}, column {column}"
    return found


class _Reader(HTMLParser):
    """Collects the text a reader sees or hears, skipping scripts, styles and code cells' folded source."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[tuple[str, str]] = []
        self._open: list[tuple[str, bool]] = []
        self._hidden = 0

    def _attributes(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self._hidden:
            return
        self.texts += [(f"{name} attribute", values[name] or "") for name in _READ_ATTRIBUTES if values.get(name)]
        if tag == "meta" and values.get("name") == "description":
            self.texts.append(("meta description", values.get("content") or ""))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)
        if tag in _VOID:
            return
        hidden = tag in _NOT_READ or bool(_HIDDEN_CLASSES & set((dict(attrs).get("class") or "").split()))
        self._open.append((tag, hidden))
        self._hidden += hidden

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or tag not in {t for t, _ in self._open}:
            return  # a stray end tag closes nothing
        while self._open:
            name, hidden = self._open.pop()
            self._hidden -= hidden
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.texts.append(("text", data))


def visible_text(page: str) -> list[tuple[str, str]]:
    """What a reader of an HTML page sees or hears, as (where, text): text, then the attributes read aloud."""
    reader = _Reader()
    reader.feed(page)
    reader.close()
    return reader.texts


def shown_ids(page: str, ids: Collection[str]) -> list[tuple[str, str, str]]:
    """Each of ``ids`` that stands alone in the page's visible text: (id, where, the words around it).

    An id stands alone when the characters either side are neither a letter, a digit, ``_`` nor ``-``:
    ``f-a-b`` and ``pre-f-a`` do not show ``f-a``. An address printed as text (``https://…#f-x``) is an
    address, not an id shown as a name.
    """
    found = []
    for where, text in visible_text(page):
        words = _URL.sub(" ", text)
        for match in _TOKEN.finditer(words):
            if match.group() not in ids:
                continue
            around = " ".join(words[max(0, match.start() - 40):match.end() + 40].split())
            found.append((match.group(), where, around))
    return found


def pages(html: Path) -> list[Path]:
    """The pages of a built book: every HTML file outside ``_static/``."""
    return [p for p in sorted(html.rglob("*.html")) if "_static" not in p.relative_to(html).parts]


def page_problems(html: Path, ids: Mapping[str, str]) -> list[str]:
    """One line per id a page of the built book at ``html`` shows, naming the page, the id and its table."""
    problems = []
    for page in pages(html):
        name = page.relative_to(html).as_posix()
        for shown, where, around in shown_ids(page.read_text(encoding="utf-8"), ids):
            problems.append(f"{name}: shows the internal id {shown!r} ({ids[shown]}) in its {where}: …{around}…")
    return problems
