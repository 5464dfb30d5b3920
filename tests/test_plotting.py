import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.colors as mcolors  # noqa: E402
import pytest  # noqa: E402

from scaling import plotting  # noqa: E402


def test_palette_is_distinct_valid_colours():
    assert len(set(plotting.PALETTE)) == len(plotting.PALETTE)
    for c in plotting.PALETTE:
        assert mcolors.is_color_like(c)
    assert len(plotting.MARKERS) >= 6


def test_style_is_scoped():
    before = mpl.rcParams["axes.spines.top"]
    with plotting.style():
        assert mpl.rcParams["axes.spines.top"] is False
    assert mpl.rcParams["axes.spines.top"] == before


def test_figure_and_loglog_axes():
    fig, axes = plotting.figure(ncols=2)
    assert len(axes) == 2
    ax = plotting.loglog_axes(axes[0], "N (parameters)", "L (nats/token)", "title")
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_xlabel() == "N (parameters)"
    with pytest.raises(ValueError):
        plotting.figure(ncols=0)
