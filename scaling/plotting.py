"""The book's figures: one look for every figure, sharp at any size, readable on a laptop and a phone.

A notebook calls :func:`apply` once; from then on every figure is shown as SVG (text stays
text, drawn in fonts the reader's machine has) and every figure made with :func:`figure` is
shown in two layouts: as drawn (panels side by side, sized for the book's column on a laptop)
and stacked in one narrow column, which the book shows on a phone. Text is never smaller
than :data:`MIN_FONT_PT` points at the figure's own size, which the book displays at
100 % on a laptop and at about 70 % on a 390-pixel phone.

Helpers every figure uses: :func:`loglog_axes` (log-log axes with labels),
:func:`plain_log_ticks` (tick labels 2, 3, 5 instead of powers of ten on a log axis that
spans a decade or two), :func:`math` and :func:`label` (axis labels in one mathtext style:
``label("compute", "C", "FLOPs")`` gives ``compute $C$ (FLOPs)``). Colours come from
:data:`PALETTE` (Okabe & Ito's colour-blind-safe set), markers from :data:`MARKERS`, so that
series differ by shape as well as colour.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ._validate import in_range, instance, text, whole

__all__ = [
    "PALETTE", "MARKERS", "LINESTYLES", "RC", "COLUMN_WIDTH", "SINGLE_WIDTH", "NARROW_WIDTH",
    "PANEL_HEIGHT", "MIN_FONT_PT", "NARROW_MIME", "style", "apply", "loglog_axes", "figure",
    "plain_log_ticks", "math", "label", "svg", "narrow_svg",
]

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

COLUMN_WIDTH: float = 7.4
"""Width (inches) of a figure with panels side by side: about 720 px with its margins, within the book's 740-px column
at 1366 px, so it is shown at 100 % on a laptop."""

SINGLE_WIDTH: float = 6.0
"""Width (inches) of a one-panel figure as drawn (576 px on a laptop)."""

NARROW_WIDTH: float = 4.8
"""Width (inches) of the stacked layout the book shows on a phone: 461 px, shown at about 74 %
in a 390-px phone's 342-px column, so 10.5-pt text reads at about 10 px."""

PANEL_HEIGHT: float = 3.3
"""Height (inches) of one row of panels."""

MIN_FONT_PT: float = 10.5
"""The smallest text in a figure (points at the figure's own size): 14 px, the book's small print
(0.875 of its 16-px body text), where the figure is shown at 100 %."""

NARROW_MIME: str = "application/vnd.scaling.narrow+svg"
"""The MIME type of the stacked (phone) layout in a notebook's output. The book's Sphinx extension
(``_ext/scaling_book.py``) shows it below 640 px; Jupyter ignores it and shows the SVG as drawn."""

RC: dict[str, Any] = {
    "figure.figsize": (SINGLE_WIDTH, PANEL_HEIGHT + 0.5),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    # Opaque white, so that figures stay readable on the site's dark mode and in print.
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    # SVG: text stays text (selectable, searchable, sharp), drawn in a font the reader has;
    # ids derive from the content, so the same figure gives the same file.
    "svg.fonttype": "none",
    "svg.hashsalt": "scaling-laws-reproduced",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Verdana", "Arial", "Helvetica", "sans-serif"],
    "mathtext.fontset": "dejavusans",
    "font.size": 11,
    "axes.titlesize": 11.5,
    "axes.labelsize": 11,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.title_fontsize": MIN_FONT_PT,
    "figure.titlesize": 12,
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

# Fonts named in the SVG for text a reader's machine draws: DejaVu Sans (matplotlib's font, on
# most Linux systems), then Verdana (the same wide design, on Windows and macOS), then narrower
# faces, which fit in the space DejaVu Sans was measured for.
_FONT_STACK = "'DejaVu Sans', Verdana, Arial, Helvetica, sans-serif"


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Draw inside ``with style():`` to use the book's look without changing global state."""
    with mpl.rc_context(RC):
        yield


# ------------------------------------------------------------------ SVG output
def _fonts(svg_text: str) -> str:
    """Give every font-family of a matplotlib SVG the book's fallback fonts (mathtext names one only)."""
    return re.sub(r"font-family: ?[^;\"]+", f"font-family: {_FONT_STACK}", svg_text)


def svg(fig: Figure) -> str:
    """The figure as SVG text, as the book shows it: text as text, cropped tight, no date inside.

    Raises
    ------
    TypeError
        If ``fig`` is not a matplotlib ``Figure``.
    """
    instance(fig, "fig", Figure)
    buf = io.StringIO()
    with mpl.rc_context({k: RC[k] for k in ("svg.fonttype", "svg.hashsalt")}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    return _fonts(buf.getvalue())


def narrow_svg(fig: Figure) -> str | None:
    """The figure stacked in one column :data:`NARROW_WIDTH` wide, as SVG, for phones.

    Only figures made with :func:`figure` have this layout (``None`` for others). The panels,
    in reading order (row by row), are stacked; shared axes get back their tick labels, and a
    panel whose shared y axis had no label of its own takes its neighbour's. The figure itself
    is left as it was drawn.

    Raises
    ------
    TypeError
        If ``fig`` is not a matplotlib ``Figure``.
    """
    instance(fig, "fig", Figure)
    layout = getattr(fig, "_scaling_layout", None)
    if layout is None:
        return None
    axes = [ax for ax in layout["axes"] if ax.figure is fig and ax in fig.axes]
    if not axes:
        return None
    saved_size = fig.get_size_inches().copy()
    saved_specs = [ax.get_subplotspec() for ax in axes]
    saved_ticks = [(ax.xaxis.get_tick_params(which="major").get("labelbottom", True),
                    ax.yaxis.get_tick_params(which="major").get("labelleft", True)) for ax in axes]
    saved_ylabels = [ax.get_ylabel() for ax in axes]
    try:
        n = len(axes)
        if n > 1:
            grid = fig.add_gridspec(n, 1)
            for k, ax in enumerate(axes):
                ax.set_subplotspec(grid[k])
                for twin in ax._twinned_axes.get_siblings(ax):  # twinx()/twiny() axes move along
                    if twin is not ax:
                        twin.set_subplotspec(grid[k])
                ax.tick_params(which="both", labelbottom=True, labelleft=True)
                if not ax.get_ylabel():
                    shared = [o for o in axes if o is not ax and o.get_ylabel()
                              and ax.get_shared_y_axes().joined(ax, o)]
                    if shared:
                        ax.set_ylabel(shared[0].get_ylabel())
        fig.set_size_inches(NARROW_WIDTH, layout["panel_height"] * n)
        return svg(fig)
    finally:
        fig.set_size_inches(saved_size)
        for ax, spec, (bottom, left), ylabel in zip(axes, saved_specs, saved_ticks, saved_ylabels):
            ax.set_subplotspec(spec)
            for twin in ax._twinned_axes.get_siblings(ax):
                if twin is not ax:
                    twin.set_subplotspec(spec)
            ax.tick_params(which="both", labelbottom=bottom, labelleft=left)
            ax.set_ylabel(ylabel)


def _bundle(fig: Figure) -> dict[str, str]:
    """What a notebook shows for a figure: the SVG as drawn, and the stacked layout if it has one."""
    out = {"image/svg+xml": svg(fig)}
    narrow = narrow_svg(fig)
    if narrow is not None:
        out[NARROW_MIME] = narrow
    return out


def apply() -> None:
    """Make the book's look the default for the rest of the session (notebooks call this once).

    Inside IPython it also selects the inline backend and has it show every figure as SVG
    (:func:`svg`, with the stacked layout of :func:`narrow_svg` beside it for figures made with
    :func:`figure`), so that figures stay in the notebook even when ``MPLBACKEND`` names a
    non-interactive backend.
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
        formatters = shell.display_formatter
        for f in formatters.formatters.values():  # no PNG: the SVG and its stacked layout only
            f.pop(Figure, None)
        formatters.mimebundle_formatter.for_type(Figure, _bundle)
    mpl.rcParams.update(RC)


# ------------------------------------------------------------------ axes
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
    """A new figure in the book's style, with ``nrows`` x ``ncols`` panels.

    As drawn, it fits the book's column on a laptop: :data:`SINGLE_WIDTH` for one panel,
    :data:`COLUMN_WIDTH` for panels side by side, :data:`PANEL_HEIGHT` per row. On a phone the
    book shows its panels stacked in one column (:func:`narrow_svg`), so that every panel keeps
    legible text. Keep the default sizes: a wider figure is shown scaled down, with smaller text.

    Parameters
    ----------
    ncols, nrows
        Panels across and down (whole numbers from 1 to 20).
    width, height
        Size in inches as drawn (from 1 to 100); by default as above.
    **kwargs
        Passed to :func:`matplotlib.pyplot.subplots` (``sharey=True``, ...).

    Returns
    -------
    (Figure, Axes or array of Axes)
        As :func:`matplotlib.pyplot.subplots` returns them.

    Raises
    ------
    TypeError, ValueError
        If a count is not a whole number in [1, 20] or a size is not a number in [1, 100].
    """
    ncols = whole(ncols, "ncols", minimum=1, maximum=20)
    nrows = whole(nrows, "nrows", minimum=1, maximum=20)
    default_w = SINGLE_WIDTH if ncols == 1 else COLUMN_WIDTH
    w = default_w if width is None else float(in_range(width, "width", 1.0, 100.0, scalar=True))
    h = PANEL_HEIGHT * nrows + 0.3 if height is None else float(in_range(height, "height", 1.0, 100.0,
                                                                           scalar=True))
    with mpl.rc_context(RC):
        fig, axes = plt.subplots(nrows, ncols, figsize=(w, h), layout="constrained", **kwargs)
    fig._scaling_layout = {  # type: ignore[attr-defined]
        "axes": list(np.ravel(axes)), "panel_height": min(max(h / nrows, 2.6), PANEL_HEIGHT + 0.3),
    }
    return fig, axes


class _PlainLogLocator(LogLocator):
    """Major ticks at 1, 2, 3, 5 x 10^k over a decade or less, 1, 2, 5 over two, 1 beyond."""

    def tick_values(self, vmin: float, vmax: float) -> Any:
        lo, hi = sorted((vmin, vmax))
        decades = np.log10(hi / lo) if lo > 0 else np.inf
        self._subs = np.array((1.0, 2.0, 3.0, 5.0) if decades <= 1.05 else (1.0, 2.0, 5.0) if decades <= 2.05
                              else (1.0,))
        return super().tick_values(vmin, vmax)


def _plain(value: float, _pos: object = None) -> str:
    """A tick label as a plain number: 0.02, 3, 400, 20,000 (powers of ten beyond a million)."""
    if value == 0 or not np.isfinite(value):
        return ""
    if 1e-4 <= abs(value) < 1e6:
        return f"{value:,.10g}"
    return f"{value:.0e}".replace("e+0", "e").replace("e-0", "e-").replace("e+", "e")


def plain_log_ticks(ax: Axes | Iterable[Axes], axis: str = "y") -> None:
    """Label a log axis with plain numbers (2, 3, 5, 20, 30) instead of powers of ten.

    For a log axis whose range spans a decade or two, such as a loss from 2 to 6 nats, the
    default labels ``2×10⁰ … 6×10⁰`` hide the numbers. Major ticks go at 1, 2, 3 and 5 times a
    power of ten over a decade or less (1, 2, 5 over two decades; powers of ten beyond),
    labelled plainly; unlabelled minor ticks at the other integers.

    Parameters
    ----------
    ax
        One ``Axes`` or several.
    axis
        ``"x"``, ``"y"`` or ``"both"``.

    Raises
    ------
    TypeError, ValueError
        If ``ax`` holds something other than matplotlib ``Axes`` or ``axis`` is not one of the three.
    """
    text(axis, "axis", ("x", "y", "both"))
    many = [ax] if isinstance(ax, Axes) else list(ax) if isinstance(ax, Iterable) and not isinstance(
        ax, (str, bytes)) else [ax]
    if not many:
        raise ValueError("ax must be an Axes or a non-empty list of Axes, got an empty list")
    for i, a in enumerate(many):
        instance(a, "ax" if len(many) == 1 else f"ax[{i}]", Axes)
        for which in ("x", "y") if axis == "both" else (axis,):
            target = a.xaxis if which == "x" else a.yaxis
            target.set_major_locator(_PlainLogLocator(base=10.0))
            target.set_minor_locator(LogLocator(base=10.0, subs=np.arange(2.0, 10.0)))
            target.set_major_formatter(FuncFormatter(_plain))
            target.set_minor_formatter(NullFormatter())


# ------------------------------------------------------------------ labels
_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "kappa", "lambda", "mu", "nu",
          "rho", "sigma", "tau", "phi", "chi", "psi", "omega", "Delta", "Sigma", "Lambda"}


def _symbol_tex(part: str) -> str:
    return "\\" + part if part in _GREEK else part


def math(symbol: str) -> str:
    """A symbol written as the book's prose writes it, as matplotlib mathtext.

    ``"N_opt"`` -> ``$N_{opt}$``, ``"C^0.477"`` -> ``$C^{0.477}$``, ``"alpha_N"`` -> ``$\\alpha_N$``,
    ``"k_N^*"`` -> ``$k_N^*$``, ``"B_crit"`` -> ``$B_{crit}$``. Text already in ``$...$`` is kept.

    Raises
    ------
    TypeError, ValueError
        If ``symbol`` is not a non-empty string.
    """
    text(symbol, "symbol")
    if not symbol.strip():
        raise ValueError("symbol must be a non-empty string, got ''")
    if symbol.startswith("$") and symbol.endswith("$"):
        return symbol
    m = re.fullmatch(r"([A-Za-z]+)(?:_([A-Za-z0-9,]+))?(?:\^([^_]+))?", symbol.strip())
    if m is None:
        return f"${symbol}$"
    base, sub, sup = m.groups()
    out = _symbol_tex(base)
    if sub:
        out += f"_{{{_symbol_tex(sub)}}}" if len(sub) > 1 else f"_{sub}"
    if sup:
        out += f"^{{{sup}}}" if len(sup) > 1 else f"^{sup}"
    return f"${out}$"


def label(name: str, symbol: str | None = None, unit: str | None = None) -> str:
    """An axis label in the book's one style: ``name $symbol$ (unit)``.

    ``label("compute", "C", "FLOPs")`` -> ``compute $C$ (FLOPs)``;
    ``label("loss", "L", "nats/token")`` -> ``loss $L$ (nats/token)``;
    ``label("model size", "k_N", "fraction of N_opt")`` -> ``model size $k_N$ (fraction of $N_{opt}$)``.
    The symbol goes through :func:`math`, and so does a word with a subscript in the unit
    (``N_opt``); the rest of the unit is plain text (mathtext in ``$...$`` is kept as it is).

    Raises
    ------
    TypeError, ValueError
        If ``name`` is not a string, or ``symbol`` or ``unit`` is neither a string nor None.
    """
    text(name, "name")
    out = name
    if symbol is not None:
        out += " " + math(symbol)
    if unit is not None:
        text(unit, "unit")
        if "$" not in unit:  # a symbol in the unit, "fraction of N_opt", is written as math too
            unit = re.sub(r"\b[A-Za-z]+_[A-Za-z0-9]+\b", lambda m: math(m.group(0)), unit)
        out += f" ({unit})"
    return out.strip()
