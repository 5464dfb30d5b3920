"""The book's figure style: one look for every figure, readable in print and for colour-blind readers.

Use :func:`style` as a context manager (or call :func:`apply`) before drawing,
take colours from :data:`PALETTE` (Okabe & Ito's colour-blind-safe set) and
markers from :data:`MARKERS` so that series differ by shape as well as colour,
and use :func:`loglog_axes` for the log-log axes that scaling laws live on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ._validate import in_range, instance, text, whole

__all__ = ["PALETTE", "MARKERS", "LINESTYLES", "RC", "style", "apply", "loglog_axes", "figure"]

PALETTE: list[str] = [
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
]
"""Okabe & Ito (2008) colours, distinguishable with the common colour-vision deficiencies.

The first six are the colour cycle; yellow (index 6) is too pale for lines on
white and is meant for shading only.
"""

MARKERS: list[str] = ["o", "s", "^", "D", "v", "P", "X", "*"]
"""Marker shapes paired with :data:`PALETTE`, so series also differ in greyscale print."""

LINESTYLES: list[str] = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1))]  # type: ignore[list-item]
"""Line styles paired with :data:`PALETTE`."""

RC: dict[str, Any] = {
    "figure.figsize": (6.4, 4.2),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    # Opaque white, so that figures stay readable on the site's dark mode and in print.
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
    "axes.prop_cycle": mpl.cycler(color=PALETTE[:6], linestyle=LINESTYLES),
    "image.cmap": "viridis",
}
"""The rcParams the book draws with."""


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Draw inside ``with style():`` to use the book's look without changing global state."""
    with mpl.rc_context(RC):
        yield


def apply() -> None:
    """Make the book's look the default for the rest of the session (notebooks call this once).

    Inside IPython it also selects the inline backend, so that figures are kept
    in the notebook even when ``MPLBACKEND`` names a non-interactive backend.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to select
        shell = None
    else:
        shell = get_ipython()
    if shell is not None and getattr(shell, "kernel", None) is not None:
        # First, because the inline backend sets its own figure size and dpi.
        shell.run_line_magic("matplotlib", "inline")
    mpl.rcParams.update(RC)


def loglog_axes(ax: Axes, xlabel: str, ylabel: str, title: str | None = None) -> Axes:
    """Set both axes to log scale and label them (labels should give units).

    Raises
    ------
    TypeError
        If ``ax`` is not a matplotlib ``Axes`` or a label is not a string.
    """
    instance(ax, "ax", Axes)
    text(xlabel, "xlabel")
    text(ylabel, "ylabel")
    if title is not None:
        text(title, "title")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def figure(ncols: int = 1, nrows: int = 1, width: float | None = None, height: float | None = None,
           **kwargs: Any) -> tuple[Figure, Any]:
    """A new figure in the book's style, sized for ``ncols`` panels side by side.

    Parameters
    ----------
    ncols, nrows
        Panels across and down (whole numbers from 1 to 20).
    width, height
        Size in inches (from 1 to 100); by default 4.6 per column (at most 13) and 3.8 per row.
    **kwargs
        Passed to :func:`matplotlib.pyplot.subplots`.

    Raises
    ------
    TypeError, ValueError
        If a count is not a whole number in [1, 20] or a size is not a number in [1, 100].
    """
    ncols = whole(ncols, "ncols", minimum=1, maximum=20)
    nrows = whole(nrows, "nrows", minimum=1, maximum=20)
    w = min(4.6 * ncols, 13.0) if width is None else float(in_range(width, "width", 1.0, 100.0, scalar=True))
    h = 3.8 * nrows if height is None else float(in_range(height, "height", 1.0, 100.0, scalar=True))
    with mpl.rc_context(RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(w, h), layout="constrained", **kwargs)
    return fig, axes
