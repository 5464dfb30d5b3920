"""The book's figure style (scaling.plotting)."""

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from scaling import plotting  # noqa: E402


def test_palette_is_distinct_and_cycle_pairs_colour_with_line_style():
    assert all(mcolors.is_color_like(c) for c in plotting.PALETTE)
    rgb = {mcolors.to_hex(c) for c in plotting.PALETTE}
    assert len(rgb) == len(plotting.PALETTE)
    cycle = list(plotting.RC["axes.prop_cycle"])
    assert len(cycle) == 6
    assert len({(c["color"], str(c["linestyle"])) for c in cycle}) == 6
    assert len(set(plotting.MARKERS)) == len(plotting.MARKERS) >= 6


def test_style_is_local_and_apply_is_global():
    before = matplotlib.rcParams["font.size"]
    with plotting.style():
        assert matplotlib.rcParams["axes.spines.top"] is False
    assert matplotlib.rcParams["font.size"] == before
    with matplotlib.rc_context():
        plotting.apply()
        assert matplotlib.rcParams["savefig.facecolor"] == "white"


def test_figure_panels_and_loglog_axes():
    fig, axes = plotting.figure(ncols=3)
    try:
        assert np.shape(axes) == (3,)
        ax = plotting.loglog_axes(axes[0], "parameters N", "loss (nats/token)", title="L(N)")
        assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
        assert ax.get_xlabel() == "parameters N" and ax.get_title() == "L(N)"
    finally:
        plt.close(fig)


@pytest.mark.parametrize("ncols, nrows", [(0, 1), (1, 0), (-2, 1)])
def test_figure_rejects_no_panels(ncols, nrows):
    with pytest.raises(ValueError, match=r"(ncols|nrows) must be a positive whole number in \[1, 20\]"):
        plotting.figure(ncols=ncols, nrows=nrows)


def _svg_root(text):
    import xml.etree.ElementTree as ET

    return ET.fromstring(text.encode())


def test_svg_keeps_text_as_text_in_fonts_a_reader_has_and_is_reproducible():
    fig, ax = plotting.figure()
    try:
        ax.plot([1, 2], [3, 4], label=plotting.math("k_N^*"))
        ax.set_xlabel(plotting.label("model size", "N_opt", "parameters"))
        ax.legend()
        svg = plotting.svg(fig)
        assert svg == plotting.svg(fig)  # no date, ids from the content
        assert "<dc:date>" not in svg
        texts = [el for el in _svg_root(svg).iter() if el.tag.endswith("}text")]
        assert texts, "text drawn as paths"
        families = set(re.findall(r"font-family: ([^;\"]+)", svg))
        assert families == {"'DejaVu Sans', Verdana, Arial, Helvetica, sans-serif"}
    finally:
        plt.close(fig)


def test_figures_fit_the_column_and_keep_legible_text():
    fig, axes = plotting.figure(ncols=2, sharey=True)
    try:
        for ax in axes:
            ax.plot([1, 10], [1, 10])
            ax.set_xlabel("x")
        axes[0].set_ylabel("loss")
        root = _svg_root(plotting.svg(fig))
        width_in = float(root.get("width").rstrip("pt")) / 72
        assert width_in <= 7.75  # within the 741-px column at 96 px per inch
        sizes = [float(m) for m in re.findall(r"font-size: ([\d.]+)px", plotting.svg(fig))]
        assert min(sizes) >= plotting.MIN_FONT_PT
    finally:
        plt.close(fig)


def test_the_narrow_layout_stacks_panels_and_leaves_the_figure_as_drawn():
    fig, axes = plotting.figure(ncols=3, sharey=True)
    try:
        for ax in axes:
            ax.plot([1, 10], [1, 10])
        axes[0].set_ylabel("loss")
        before = (tuple(fig.get_size_inches()), [ax.get_subplotspec().get_geometry() for ax in axes])
        narrow = _svg_root(plotting.narrow_svg(fig))
        after = (tuple(fig.get_size_inches()), [ax.get_subplotspec().get_geometry() for ax in axes])
        assert before == after
        w, h = float(narrow.get("width").rstrip("pt")), float(narrow.get("height").rstrip("pt"))
        assert w / 72 <= plotting.NARROW_WIDTH + 0.3 and h > 2 * w  # three panels, one above another
        # the shared y axis: every stacked panel has its tick labels and the label back
        assert plotting.narrow_svg(fig).count(">loss<") == 3
        assert not axes[1].yaxis.get_tick_params()["labelleft"]  # restored as drawn
    finally:
        plt.close(fig)
    other = plt.figure()
    try:
        assert plotting.narrow_svg(other) is None  # not made by plotting.figure
    finally:
        plt.close(other)


def test_plain_log_ticks_read_as_numbers():
    fig, ax = plotting.figure()
    try:
        ax.set_yscale("log")
        ax.set_ylim(2, 6)
        plotting.plain_log_ticks(ax)
        fig.canvas.draw()

        def shown():
            lo, hi = ax.get_ylim()
            return [t.get_text() for t in ax.get_yticklabels() if lo <= t.get_position()[1] <= hi and t.get_text()]

        assert shown() == ["2", "3", "5"]
        ax.set_ylim(20, 1e4)
        fig.canvas.draw()
        assert shown() == ["100", "1,000", "10,000"]
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match="axis must be one of 'x', 'y', 'both'"):
        plotting.plain_log_ticks(ax, "z")
    with pytest.raises(TypeError, match=r"ax\[1\] must be a matplotlib.axes._axes.Axes"):
        plotting.plain_log_ticks([ax, "not axes"])


@pytest.mark.parametrize("symbol, tex", [("N_opt", "$N_{opt}$"), ("C^0.477", "$C^{0.477}$"),
                                         ("alpha_N", r"$\alpha_N$"), ("k_N^*", "$k_N^*$"), ("L", "$L$"),
                                         ("$x_1$", "$x_1$")])
def test_math_writes_symbols_as_the_prose_does(symbol, tex):
    assert plotting.math(symbol) == tex


def test_label_has_one_style():
    assert plotting.label("compute", "C", "FLOPs") == "compute $C$ (FLOPs)"
    assert plotting.label("overhead", unit="%") == "overhead (%)"


def test_label_writes_symbols_in_the_unit_as_math():
    assert plotting.label("model size", "k_N", "fraction of N_opt") == "model size $k_N$ (fraction of $N_{opt}$)"
    assert plotting.label("loss", "L", "nats/token") == "loss $L$ (nats/token)"
