"""Input checks shared by every module: one place that says what was wrong.

Every public function of :mod:`scaling` that takes sizes (parameters, tokens,
FLOPs, losses) passes them through :func:`positive` so that bad input fails
early with a message naming the argument and what to do, instead of a NaN
three functions later.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["positive", "finite", "same_shape", "at_least"]


def _as_float_array(value: ArrayLike, name: str) -> NDArray[np.float64]:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a number or an array of numbers, got {value!r}") from exc
    return arr


def finite(value: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``value`` as a float array, raising if any element is NaN or infinite."""
    arr = _as_float_array(value, name)
    bad = ~np.isfinite(arr)
    if bad.any():
        where = np.flatnonzero(bad.ravel())[:5].tolist()
        raise ValueError(
            f"{name} must be finite, but {int(bad.sum())} value(s) are NaN or infinite "
            f"(first at flat index {where}); drop or fix those entries first"
        )
    return arr


def positive(value: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``value`` as a float array, raising unless every element is finite and > 0.

    Parameters
    ----------
    value
        A scalar or array-like of sizes (parameters, tokens, FLOPs, losses...).
    name
        The argument's name, used in the error message.

    Raises
    ------
    ValueError
        If any element is NaN, infinite, zero or negative.
    """
    arr = finite(value, name)
    bad = arr <= 0
    if bad.any():
        first = arr.ravel()[np.flatnonzero(bad.ravel())[0]]
        raise ValueError(
            f"{name} must be positive (sizes, budgets and losses are > 0), "
            f"but {int(bad.sum())} value(s) are <= 0 (e.g. {first:g})"
        )
    return arr


def same_shape(**arrays: NDArray[np.float64]) -> tuple[int, ...]:
    """Raise unless every array has the same shape; return that shape."""
    shapes = {name: np.shape(a) for name, a in arrays.items()}
    if len(set(shapes.values())) > 1:
        desc = ", ".join(f"{k} {v}" for k, v in shapes.items())
        raise ValueError(f"inputs must have the same shape, got {desc}")
    return next(iter(shapes.values()))


def at_least(n: int, count: int, what: str) -> None:
    """Raise unless ``count >= n``: a fit with fewer points than it needs has no solution."""
    if count < n:
        raise ValueError(f"need at least {n} {what}, got {count}")
