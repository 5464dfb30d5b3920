"""Power laws ``y = k x**p``, fitted as straight lines on log-log axes.

A power law is a straight line in ``log y`` against ``log x`` with slope ``p``
and intercept ``log k``. :func:`fit_power_law` fits that line by ordinary least
squares (:func:`scipy.stats.linregress`) and reports the exponent and prefactor
with their standard errors, which is how the papers' trends (L(N), L(D),
L(C), N_opt(C), D_opt(C)) are estimated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from ._validate import (
    NotRepresentable,
    at_least,
    exact_or_log,
    finite,
    in_range,
    positive,
    renamed,
    representable,
    same_shape,
)

__all__ = ["PowerLawFit", "fit_power_law", "power_law"]


@representable
def power_law(x: ArrayLike, prefactor: float, exponent: float) -> NDArray[np.float64] | float:
    """Evaluate ``prefactor * x**exponent`` for ``x > 0``.

    Parameters
    ----------
    x
        Positive, finite values (scalar or array).
    prefactor
        A finite number (the value at ``x = 1``).
    exponent
        A finite number.

    Returns
    -------
    float or ndarray
        ``prefactor * x**exponent``; computed in log space where ``x**exponent``
        alone would overflow or underflow but the product does not.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If ``x`` is not finite and positive, ``prefactor`` or ``exponent`` is not
        finite, or the result is outside the range of double precision.
    """
    xs = positive(x, "x")
    k = float(finite(prefactor, "prefactor", scalar=True))
    p = float(finite(exponent, "exponent", scalar=True))
    out = k * xs**p
    if k != 0:
        mag = exact_or_log(np.abs(out), lambda: math.log(abs(k)) + p * np.log(xs), xs**p)
        out = math.copysign(1.0, k) * mag
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class PowerLawFit:
    """The result of :func:`fit_power_law`: ``y = prefactor * x**exponent``.

    Standard errors come from the least-squares fit of ``ln y`` on ``ln x``;
    the prefactor's is propagated from the intercept's (``se_k = k se_ln k``).
    """

    exponent: float
    prefactor: float
    exponent_se: float
    prefactor_se: float
    log_prefactor_se: float
    """Standard error of ``ln(prefactor)`` (the intercept of the log-log line)."""
    r2: float
    n: int

    def __call__(self, x: ArrayLike) -> NDArray[np.float64] | float:
        """Evaluate the fitted law at ``x``."""
        return power_law(x, self.prefactor, self.exponent)

    def exponent_interval(self, level: float = 0.95) -> tuple[float, float]:
        """Two-sided confidence interval of the exponent (Student t, ``n - 2`` degrees of freedom)."""
        level = float(in_range(level, "level", 0.0, 1.0, low_open=True, high_open=True, scalar=True))
        if self.n < 3:
            raise ValueError("a confidence interval needs at least 3 points (1 degree of freedom)")
        t = stats.t.isf((1.0 - level) / 2.0, self.n - 2)  # isf keeps its digits for a level near 1
        return self.exponent - t * self.exponent_se, self.exponent + t * self.exponent_se

    @representable(positive=True)
    def inverse(self, y: ArrayLike) -> NDArray[np.float64] | float:
        """The ``x`` at which the law reaches ``y``: ``(y / prefactor)**(1 / exponent)``.

        Raises
        ------
        ValueError
            If ``y`` is not finite and positive, the law is flat (exponent 0) or its
            prefactor is not positive, or the ``x`` is outside the range of double precision.
        """
        if self.exponent == 0:
            raise ValueError("a flat power law (exponent 0) cannot be inverted: its exponent must be nonzero")
        if not self.prefactor > 0:
            raise ValueError(f"the law's prefactor must be > 0 to be inverted, got {self.prefactor:g}")
        ys = positive(y, "y")
        base = ys / self.prefactor
        out = exact_or_log(base ** (1.0 / self.exponent),
                           lambda: (np.log(ys) - math.log(self.prefactor)) / self.exponent, base)
        return float(out) if out.ndim == 0 else out


def fit_power_law(x: ArrayLike, y: ArrayLike) -> PowerLawFit:
    """Fit ``y = k x**p`` by least squares on ``ln y = ln k + p ln x``.

    Parameters
    ----------
    x, y
        Positive, finite data of the same shape (usually 1-D; arrays of
        higher dimension are paired element by element and flattened). At
        least 2 points with distinct ``x``; 3 or more for standard errors.

    Returns
    -------
    PowerLawFit
        Exponent ``p``, prefactor ``k``, their standard errors and the ``R^2``
        of the log-log line. With 2 points the standard errors are NaN.

    Raises
    ------
    ValueError
        Non-positive or non-finite values, ``x`` and ``y`` of different
        shapes, fewer than two points, all ``x`` equal (no line to fit), or a
        fitted prefactor outside the range of double precision (e.g. ``y = 1e310 x``:
        rescale ``x`` or ``y``).
    TypeError
        Non-numeric or boolean values.

    Examples
    --------
    >>> fit = fit_power_law([1, 10, 100], [2.0, 20.0, 200.0])
    >>> round(fit.exponent, 6), round(fit.prefactor, 6)
    (1.0, 2.0)
    """
    xs = positive(x, "x")
    ys = positive(y, "y")
    with renamed("fit_power_law", x=xs, y=ys):  # a prefactor beyond double precision names x and y
        return _fit_power_law(xs, ys)


def _fit_power_law(xs: NDArray[np.float64], ys: NDArray[np.float64]) -> PowerLawFit:
    # Compare shapes before flattening: (2, 3) and (3, 2) have the same size,
    # but pairing their flattened elements would pair the wrong points.
    same_shape(x=xs, y=ys)
    xs, ys = xs.ravel(), ys.ravel()
    at_least(2, xs.size, "points to fit a power law", name="x")
    lx, ly = np.log(xs), np.log(ys)
    if np.ptp(lx) == 0:
        raise ValueError(
            f"x must hold at least two distinct values (all x values are equal, to {xs[0]:g}): "
            "a power law needs at least two distinct x"
        )

    def prefactor(intercept: float) -> float:
        if not (-708.0 < intercept < 709.0):
            raise NotRepresentable(
                f"the fitted prefactor exp({intercept:.6g}) is outside the double range; rescale x or y "
                f"(e.g. fit y against x / {xs.max():g})"
            )
        return math.exp(intercept)

    if xs.size == 2:
        slope = (ly[1] - ly[0]) / (lx[1] - lx[0])
        intercept = ly[0] - slope * lx[0]
        k = prefactor(intercept)
        return PowerLawFit(float(slope), k, math.nan, math.nan, math.nan, 1.0, 2)
    res = stats.linregress(lx, ly)
    k = prefactor(float(res.intercept))
    return PowerLawFit(
        exponent=float(res.slope),
        prefactor=k,
        exponent_se=float(res.stderr),
        prefactor_se=k * float(res.intercept_stderr),
        log_prefactor_se=float(res.intercept_stderr),
        r2=float(res.rvalue**2),
        n=int(xs.size),
    )
