"""Two chart types that more than one chapter draws, as deterministic SVG.

* :func:`dot_matrix`: counts in a grid of categories x groups, the number printed in
  each cell (the Confederation and trade-press chapters);
* :func:`label_grid`: a table-like grid of filled cells, each carrying its own words
  (the evidence matrix and the CERQual judgements).

Neither lets colour carry meaning alone: every cell prints its value or its word.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .figures import PALETTE, SVGFigure, new_figure, render
from .prose import wrap

__all__ = ["dot_matrix", "label_grid"]


def dot_matrix(counts: pd.DataFrame, row_labels: Sequence[str], column_labels: Sequence[str],
                name: str, alt: str, source: str, side_labels: Sequence[str] | None = None,
                side_title: str = "", width: float = 5.2) -> SVGFigure:
    """A labelled grid: one row per category, one column per group, the count printed in each cell.

    Counts are written as numbers (zero as a dash), so colour is never the only carrier;
    each column also has its own marker shape. ``side_labels`` adds a last column of text
    (headed ``side_title``), e.g. whether a topic is shared. ``source`` is the footnote.
    """
    values = counts.to_numpy(dtype=float)
    n_rows, n_cols = values.shape
    fig = new_figure(width, 0.45 * n_rows + 1.9)
    ax = fig.subplots()
    markers = ("o", "s", "h", "8", "p", "H")
    for j in range(n_cols):
        colour = PALETTE[j % len(PALETTE)]
        for i in range(n_rows):
            value = values[i, j]
            if value > 0:
                ax.scatter([j], [i], s=400, marker=markers[j % len(markers)], facecolor="white",
                           edgecolor=colour, linewidth=2.2, zorder=2)
                ax.text(j, i, f"{int(value)}", ha="center", va="center", fontsize=10,
                        fontweight="bold", color="#000000", zorder=3)
            else:
                ax.text(j, i, "\u2014", ha="center", va="center", fontsize=10, color="#767676")
    ticks, tick_labels = list(range(n_cols)), [wrap(c, 12) for c in column_labels]
    right = n_cols - 0.4
    if side_labels is not None:
        ticks.append(n_cols + 0.2)
        tick_labels.append(wrap(side_title, 12))
        for i, label in enumerate(side_labels):
            ax.text(n_cols + 0.2, i, wrap(label, 12), ha="center", va="center", fontsize=9.5)
        right = n_cols + 0.9
    ax.set_xlim(-0.6, right)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.set_yticks(range(n_rows), [wrap(r, 22) for r in row_labels], fontsize=9.5)
    ax.set_xticks(ticks, tick_labels, fontsize=9)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_axisbelow(True)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    fig.supxlabel(source, fontsize=9, x=0.01, ha="left", color="#444444")
    return render(fig, name=name, alt=alt)


def label_grid(fig_width: float, row_labels: Sequence[str], column_labels: Sequence[str],
          cells: Sequence[Sequence[tuple[str, str, str]]], source: str, label_width: float = 2.2,
          cell_height: float = 0.5, header_height: float = 0.75, footer_height: float = 0.35,
          label_chars: int = 26) -> Figure:
    """A labelled table-like grid: each cell filled and carrying its own text (never colour alone).

    Positions are computed, not solved, so the SVG bytes are stable across runs.
    """
    n_rows, n_cols = len(row_labels), len(column_labels)
    height = header_height + n_rows * cell_height + footer_height
    fig = new_figure(fig_width, height)
    fig.set_layout_engine("none")
    left = round(label_width / fig_width, 4)
    bottom = round(footer_height / height, 4)
    ax = fig.add_axes((left, bottom, round(1 - left - 0.01, 4), round(n_rows * cell_height / height, 4)))
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    for i, row in enumerate(cells):
        for j, (fill, colour, text) in enumerate(row):
            ax.add_patch(Rectangle((j + 0.03, i + 0.05), 0.94, 0.9, facecolor=fill, edgecolor="#767676",
                                   linewidth=0.8))
            ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=9, color=colour,
                    linespacing=1.1)
    ax.set_yticks([i + 0.5 for i in range(n_rows)], [wrap(r, label_chars) for r in row_labels], fontsize=9)
    ax.set_xticks([j + 0.5 for j in range(n_cols)], [wrap(c, 11) for c in column_labels], fontsize=9)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    fig.text(0.01, round(footer_height / height / 3, 4), source, fontsize=9, color="#444444", ha="left")
    return fig
