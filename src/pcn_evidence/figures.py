"""Figures as deterministic, accessible SVG.

A figure is shown as inline SVG inside HTML, so that nbval compares it byte for
byte (it skips PNG), a reader's browser can search its text, and its alt text,
which states the finding, is computed from the data like every other number.

>>> setup()
>>> fig = new_figure(3, 2)
>>> ax = fig.subplots()
>>> _ = ax.bar(["a"], [1])
>>> out = render(fig, name="demo", alt="One bar of height 1.")
>>> out._repr_html_() == render(fig, name="demo", alt="One bar of height 1.")._repr_html_()
True
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import matplotlib
from cycler import cycler
from matplotlib.figure import Figure

from .inputs import record_figure

__all__ = ["PALETTE", "setup", "new_figure", "render", "SVGFigure"]

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

_RC: dict[str, Any] = {
    "svg.hashsalt": "pcn-evidence",  # fixed ids: the same figure gives the same bytes
    "svg.fonttype": "none",  # text stays text: searchable, selectable, small
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=PALETTE),
}


def setup() -> None:
    """Set the plotting style and the settings that make SVG output deterministic.

    Also points IPython's inline backend at dateless SVG, in case a notebook shows
    a pyplot figure directly (set the format last: other InlineBackend settings reset it).
    """
    # rcParams validates every key at run time; its stubs type the keys as one long Literal
    matplotlib.rcParams.update(cast(Any, _RC))
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the kernel
        return
    shell = get_ipython()
    if shell is not None:
        shell.run_line_magic("config", "InlineBackend.print_figure_kwargs = {'metadata': {'Date': None}, 'bbox_inches': 'tight'}")
        shell.run_line_magic("config", "InlineBackend.figure_formats = ['svg']")


def new_figure(width: float = 6.4, height: float = 4.0) -> Figure:
    """A matplotlib figure outside pyplot, so it is shown only when rendered."""
    setup()
    return Figure(figsize=(width, height), layout="constrained")


@dataclass(frozen=True)
class SVGFigure:
    """A rendered figure: standalone SVG text and the alt text that states its finding."""

    name: str
    alt: str
    svg: str

    def inline_svg(self) -> str:
        """The SVG for embedding in a page: no XML prolog, ids made unique to this figure, scalable."""
        body = re.sub(r"<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*|<metadata>.*?</metadata>\s*", "", self.svg, flags=re.S)
        prefix = re.sub(r"[^A-Za-z0-9_-]", "-", self.name)
        body = re.sub(r'id="([^"]+)"', rf'id="{prefix}-\1"', body)
        body = re.sub(r'url\(#([^)]+)\)', rf'url(#{prefix}-\1)', body)
        body = re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', body)
        label = html.escape(self.alt, quote=True)
        body = re.sub(
            r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
            rf'<svg\1 role="img" aria-label="{label}" class="pcn-svg"',
            body, count=1,
        )
        return body.replace(">", f"><title>{html.escape(self.alt)}</title>", 1).strip()

    def _repr_html_(self) -> str:
        # No id here: the numbered figure around this output carries the label (e.g. fig-x),
        # and the same id twice on a page breaks links and assistive technology.
        return f'<div class="pcn-figure" data-figure="{html.escape(self.name)}">{self.inline_svg()}</div>'

    def __repr__(self) -> str:
        return f"Figure {self.name}: {self.alt}"

    def save(self, directory: Path | str, figure: Figure | None = None) -> list[Path]:
        """Write ``<name>.svg`` (and ``<name>.png`` for slides when the matplotlib figure is given)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        written = [directory / f"{self.name}.svg"]
        written[0].write_text(self.svg, encoding="utf-8")
        if figure is not None:
            png = directory / f"{self.name}.png"
            figure.savefig(png, format="png", dpi=200, metadata={"Software": None})
            written.append(png)
        return written


_HASHED_ID = re.compile(r'id="([a-z][0-9a-f]{10})"')


def _stable_ids(svg: str) -> str:
    """Renumber matplotlib's hashed ids (clip paths ``p…``, hatches ``h…``) in order of appearance.

    Those ids hash full-precision coordinates, and constrained layout can move an
    axes by a last-bit rounding difference between runs: the drawing is the same
    but the bytes, and so nbval, would differ.
    """
    mapping: dict[str, str] = {}
    for old in _HASHED_ID.findall(svg):
        mapping.setdefault(old, f"{old[0]}{len(mapping) + 1}")
    if not mapping:
        return svg
    pattern = re.compile("|".join(re.escape(old) for old in mapping))
    return pattern.sub(lambda m: mapping[m.group(0)], svg)


def _freeze_layout(fig: Figure, digits: int = 4) -> None:
    """Solve the constrained layout once, then fix each axes at its position rounded to ``digits``.

    The constrained-layout solver can differ in the last bits of a float from one
    run to the next; matplotlib hashes each axes' clip rectangle, at full precision,
    into an SVG id, so that noise alone would change the file's bytes. Rounding the
    solved positions (to 1/10,000 of the figure) keeps the layout and the bytes.
    """
    fig.draw_without_rendering()
    positions = [(ax, tuple(round(v, digits) for v in ax.get_position().bounds)) for ax in fig.axes]
    fig.set_layout_engine("none")
    for ax, (left, bottom, width, height) in positions:
        ax.set_position((left, bottom, width, height))


def render(fig: Figure, name: str, alt: str, freeze_layout: bool = False) -> SVGFigure:
    """Render ``fig`` to deterministic SVG with alt text ``alt`` (which should state the finding).

    ``freeze_layout`` fixes a constrained layout at rounded positions first (see
    :func:`_freeze_layout`): use it for figures whose panels the solver places.
    During a build the figure is also saved for download, and the active chapter
    lists it in its downloads panel.
    """
    setup()
    if freeze_layout:
        _freeze_layout(fig)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    result = SVGFigure(name=name, alt=alt, svg=_stable_ids(buffer.getvalue()))
    from .downloads import downloads_dir  # during a build, every figure is also offered for download

    record_figure(name)
    target = downloads_dir()
    if target is not None:
        result.save(target / "figures", fig)
    return result
