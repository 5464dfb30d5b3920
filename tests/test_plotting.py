"""The book's figure style (scaling.plotting)."""

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
