import re

from pcn_evidence.figures import PALETTE, new_figure, render


def _bar_figure(values):
    fig = new_figure(3, 2)
    ax = fig.subplots()
    ax.barh(["a", "b"], values)
    return fig


def test_svg_is_byte_identical_across_renders():
    assert render(_bar_figure([1, 2]), "f", "alt").svg == render(_bar_figure([1, 2]), "f", "alt").svg


def test_a_changed_value_changes_the_svg():
    assert render(_bar_figure([1, 2]), "f", "alt").svg != render(_bar_figure([1, 3]), "f", "alt").svg


def test_svg_has_no_date_and_inline_svg_is_labelled_with_unique_ids():
    out = render(_bar_figure([1, 2]), "fig-x", 'Bars "a" & b')
    assert "<dc:date>" not in out.svg
    html = out._repr_html_()
    assert 'role="img" aria-label="Bars &quot;a&quot; &amp; b"' in html
    assert "<title>Bars &quot;a&quot; &amp; b</title>" in html
    ids = re.findall(r'id="([^"]+)"', html)
    assert ids and all(i.startswith("fig-x") for i in ids)


def test_palette_is_okabe_ito():
    assert PALETTE[0] == "#0072B2" and len(set(PALETTE)) == len(PALETTE)


def test_hashed_ids_are_renumbered_so_float_jitter_cannot_change_the_bytes():
    def clipped(width):
        fig = new_figure(3, 2)
        ax = fig.subplots()
        ax.bar(["a"], [1], hatch="//")
        ax.set_position([0.1, 0.1, width, 0.8])  # a last-bit difference in the layout
        return render(fig, "f", "alt").svg
    a, b = clipped(0.8), clipped(0.8 + 1e-15)
    assert re.findall(r'id="(p\d+|h\d+)"', a), "expected renumbered clip/hatch ids"
    assert a == b
