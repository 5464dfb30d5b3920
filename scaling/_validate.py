"""Input checks shared by every module: one place that says what was wrong.

Every public function of :mod:`scaling` that takes sizes (parameters, tokens,
FLOPs, losses) passes them through :func:`positive` so that bad input fails
early with a message naming the argument and what to do, instead of a NaN
three functions later.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["positive", "finite", "same_shape", "broadcast_shape", "at_least"]


def _non_number(value: object) -> str | None:
    """What makes ``value`` not a number, or None if it is numeric.

    ``np.asarray(value, dtype=float)`` would read a boolean as 1.0 or 0.0, None as NaN
    and the text ``'0.5'`` as 0.5; each of these (alone, in a list or tuple, or in an
    array) is a mistake where a size or a fraction belongs.
    """
    if isinstance(value, (bool, np.bool_)):
        return "boolean"
    if value is None:
        return "None"
    if isinstance(value, (str, bytes)):
        return "text"
    if isinstance(value, (list, tuple)):
        return next((k for k in map(_non_number, value) if k), None)
    if hasattr(value, "dtype") or hasattr(value, "__array__"):
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError):
            return None
        if arr.dtype == np.bool_:
            return "boolean"
        if arr.dtype.kind in "SU":
            return "text"
        if arr.dtype.kind == "O":
            return next((k for k in map(_non_number, arr.ravel()) if k), None)
    return None


def _as_float_array(value: ArrayLike, name: str) -> NDArray[np.float64]:
    kind = _non_number(value)
    if kind == "boolean":
        got = repr(bool(value)) if isinstance(value, (bool, np.bool_)) else "boolean values"
        raise TypeError(
            f"{name} must be a number or an array of numbers, got {got}: booleans are "
            f"not sizes; pass the numbers themselves (e.g. 1.0, not True; x[mask], not mask)"
        )
    if kind is not None:
        raise TypeError(
            f"{name} must be a number or an array of numbers, got {value!r}: {kind} is not a "
            f"number; pass the numbers themselves (e.g. 0.5, not '0.5')"
        )
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a number or an array of numbers, got {value!r}") from exc
    return arr


def finite(value: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return ``value`` as a float array, raising if any element is NaN or infinite.

    Booleans, None and text (alone, in a list, or in an array) are refused with a
    :class:`TypeError`, as are other non-numeric values.
    """
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
    TypeError
        If ``value`` is not numeric: a boolean, None or text (alone, in a
        list, or in an array), or anything NumPy cannot read as floats.
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


def broadcast_shape(**arrays: NDArray[np.float64]) -> tuple[int, ...]:
    """Raise unless the arrays broadcast against each other; return the broadcast shape.

    Use this where inputs are meant to broadcast (a column of sizes against a
    row of token counts gives a grid), so that a mismatch such as ``(3,)``
    against ``(2,)`` fails naming the arguments and their shapes instead of
    with NumPy's bare "operands could not be broadcast" error.
    """
    shapes = {name: np.shape(a) for name, a in arrays.items()}
    try:
        return tuple(np.broadcast_shapes(*shapes.values()))
    except ValueError:
        desc = ", ".join(f"{k} {v}" for k, v in shapes.items())
        raise ValueError(
            f"inputs must have the same shape or shapes that broadcast against each other, "
            f"got {desc}; pass arrays of equal length, or a column and a row "
            f"(e.g. x[:, None] and y[None, :]) for a grid"
        ) from None


def at_least(n: int, count: int, what: str) -> None:
    """Raise unless ``count >= n``: a fit with fewer points than it needs has no solution."""
    if count < n:
        raise ValueError(f"need at least {n} {what}, got {count}")
