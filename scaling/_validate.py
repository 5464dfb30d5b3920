"""Input checks shared by every module: one place that says what was wrong.

Every public function of :mod:`scaling` passes its arguments through these
checks, so that bad input fails early with a :class:`ValueError` or
:class:`TypeError` whose message names the argument the caller passed, the
value it had and the values that are allowed, instead of a NaN three
functions later. In short:

* :func:`finite`, :func:`positive`, :func:`in_range`: numbers and arrays of
  numbers (booleans, None, text, complex numbers, dates and empty arrays are
  refused);
* :func:`whole`: counts; :func:`text`: names and labels; :func:`instance`:
  objects of a given class; :func:`frame`: tables of runs;
* :func:`same_shape`, :func:`broadcast_shape`, :func:`at_least`: shapes and sizes.

Results are guarded too. :func:`representable` wraps a public function so
that a result that overflows double precision raises a :class:`ValueError`
naming the inputs, instead of returning ``inf``; :func:`exact_or_log` and
:func:`ratio_power` evaluate a formula as written where every step is an
ordinary double and in log space where it is not, so that results which are
representable come out right even when an intermediate value would overflow.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import functools
import inspect
import math
import numbers
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "show",
    "finite",
    "positive",
    "in_range",
    "whole",
    "text",
    "instance",
    "frame",
    "same_shape",
    "broadcast_shape",
    "at_least",
    "representable",
    "renamed",
    "NotRepresentable",
    "UnknownName",
    "exact_or_log",
    "ratio_power",
]

TINY: float = float(np.finfo(float).tiny)
"""The smallest positive normal double, about 2.2e-308."""
HUGE: float = float(np.finfo(float).max)
"""The largest double, about 1.8e308."""

F = TypeVar("F", bound=Callable[..., Any])

_DATE_TYPES = (_dt.date, _dt.time, _dt.timedelta, np.datetime64, np.timedelta64)


# ------------------------------------------------------------------ how values are shown
def show(value: object) -> str:
    """A short rendering of ``value`` for an error message (numbers at 6 significant figures)."""
    if value is None:
        return "None"
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return repr(value)
    if isinstance(value, (complex, np.complexfloating)):
        return f"{complex(value)!r} (a complex number)"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, (int, np.integer)):
        digits = str(int(value))
        return digits if len(digits) <= 24 else f"{digits[:8]}... (an integer of {len(digits)} digits)"
    if isinstance(value, np.ndarray):
        if value.size == 0:
            return f"an empty array (shape {value.shape})"
        return f"an array of shape {value.shape} ({value.dtype})"
    pd = sys.modules.get("pandas")  # a DataFrame exists only once pandas is imported: don't import it here
    if pd is not None:
        if isinstance(value, pd.DataFrame):
            return f"a DataFrame of {len(value)} rows and columns {list(value.columns)[:8]}"
        if isinstance(value, pd.Series):
            return f"a Series of {len(value)} values ({value.dtype})"
    r = repr(value)
    return r if len(r) <= 80 else r[:77] + "..."


def _where(index: int, size: int, count: int) -> str:
    """`` (value 3 of 10, and 2 more)`` for element messages; empty for scalars."""
    if size <= 1:
        return ""
    more = f", and {count - 1} more" if count > 1 else ""
    return f" (value {index + 1} of {size}{more})"


# ------------------------------------------------------------------ what is not a number
def _non_number(value: object) -> str | None:
    """What makes ``value`` not a number, or None if it is numeric.

    ``np.asarray(value, dtype=float)`` would read a boolean as 1.0 or 0.0, None as NaN,
    the text ``'0.5'`` as 0.5, a complex number as its real part and a date as a count
    of days; each of these (alone, in a list or tuple, or in an array) is a mistake
    where a size or a fraction belongs.
    """
    if isinstance(value, (bool, np.bool_)):
        return "a boolean"
    if value is None:
        return "None"
    if isinstance(value, (str, bytes)):
        return "text"
    if isinstance(value, (complex, np.complexfloating)):
        return "a complex number"
    if isinstance(value, _DATE_TYPES):
        return "a date or time"
    if isinstance(value, (list, tuple)):
        return next((k for k in map(_non_number, value) if k), None)
    if hasattr(value, "dtype") or hasattr(value, "__array__"):
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError):
            return None
        kind = arr.dtype.kind
        if kind == "b":
            return "a boolean"
        if kind in "SU":
            return "text"
        if kind == "c":
            return "a complex number"
        if kind in "mM":
            return "a date or time"
        if kind == "V":
            return "a structured record"
        if kind == "O":
            return next((k for k in map(_non_number, arr.ravel()) if k), None)
    return None


def _describe_non_number(value: object, kind: str) -> str:
    if isinstance(value, (np.ndarray, list, tuple)) or hasattr(value, "dtype"):
        arr = np.asarray(value, dtype=object) if isinstance(value, (list, tuple)) else np.asarray(value)
        if arr.ndim > 0:
            bad = next((v for v in arr.ravel() if _non_number(v)), None)
            dtype = f" ({arr.dtype})" if arr.dtype != object else ""
            shown = show(bad) if bad is not None else ""
            return f"an array of shape {arr.shape}{dtype} holding {kind} {shown}".rstrip()
    return show(value)


def _as_float_array(value: ArrayLike, name: str, allow_empty: bool = False) -> NDArray[np.float64]:
    kind = _non_number(value)
    if kind == "a boolean":
        got = repr(bool(value)) if isinstance(value, (bool, np.bool_)) else "boolean values"
        raise TypeError(
            f"{name} must be a number or an array of numbers, got {got}: booleans are "
            f"not sizes; pass the numbers themselves (e.g. 1.0, not True; x[mask], not mask)"
        )
    if kind is not None:
        raise TypeError(
            f"{name} must be a number or an array of numbers, got {_describe_non_number(value, kind)}: "
            f"{kind} is not a real number; pass the numbers themselves (e.g. 0.5, not '0.5')"
        )
    try:
        arr = np.asarray(value, dtype=float)
    except OverflowError:
        raise ValueError(
            f"{name} must be at most {HUGE:.4g} in magnitude (the largest double), got {show(value)}"
        ) from None
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a number or an array of numbers, got {show(value)} ({exc})") from None
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} must hold at least one value, got an empty array (shape {arr.shape})")
    return arr


def _scalar(arr: NDArray[np.float64], name: str, scalar: bool) -> NDArray[np.float64]:
    if scalar and arr.ndim != 0:
        if arr.size == 1:
            return arr.reshape(())
        raise ValueError(f"{name} must be a single number, got an array of shape {arr.shape}")
    return arr


# ------------------------------------------------------------------ numbers
def finite(value: ArrayLike, name: str, *, scalar: bool = False, allowed: str = "") -> NDArray[np.float64]:
    """Return ``value`` as a float array, raising if any element is NaN or infinite.

    Parameters
    ----------
    value
        A number or an array-like of numbers.
    name
        The argument's name, used in the error message.
    scalar
        Require a single number (a 0-d result; a one-element array is accepted).
    allowed
        What the caller's values must be beyond finite, for the message (e.g. ``"> 0"``).

    Raises
    ------
    TypeError
        If ``value`` is not numeric: a boolean, None, text, a complex number or a date
        (alone, in a list, or in an array), or anything NumPy cannot read as floats.
    ValueError
        If any element is NaN or infinite, the array is empty, or (``scalar``) it holds
        more than one number.
    """
    arr = _scalar(_as_float_array(value, name), name, scalar)
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = np.flatnonzero(bad.ravel())
        what = f"a finite number {allowed}".rstrip() if allowed else "a finite number"
        raise ValueError(
            f"{name} must be finite ({what}), got {show(arr.ravel()[idx[0]])}"
            f"{_where(int(idx[0]), arr.size, idx.size)}; drop or fix those entries first"
        )
    return arr


def positive(value: ArrayLike, name: str, *, scalar: bool = False) -> NDArray[np.float64]:
    """Return ``value`` as a float array, raising unless every element is finite and > 0.

    Parameters
    ----------
    value
        A scalar or array-like of sizes (parameters, tokens, FLOPs, losses...).
    name
        The argument's name, used in the error message.
    scalar
        Require a single number.

    Raises
    ------
    TypeError
        If ``value`` is not numeric (see :func:`finite`).
    ValueError
        If any element is NaN, infinite, zero or negative, or the array is empty.
    """
    arr = finite(value, name, scalar=scalar, allowed="> 0")
    bad = arr <= 0
    if bad.any():
        idx = np.flatnonzero(bad.ravel())
        raise ValueError(
            f"{name} must be positive (> 0; sizes, budgets and losses are > 0), "
            f"got {show(arr.ravel()[idx[0]])}{_where(int(idx[0]), arr.size, idx.size)}"
        )
    return arr


def in_range(
    value: ArrayLike,
    name: str,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    scalar: bool = False,
    meaning: str = "",
) -> NDArray[np.float64]:
    """Return ``value`` as a float array, raising unless every element is finite and inside the interval.

    ``low``/``high`` of None leave that side unbounded; ``low_open``/``high_open``
    exclude the end point. ``meaning`` is added to the message (what the argument is).
    """
    lo_b = "(" if low_open else "["
    hi_b = ")" if high_open else "]"
    interval = f"{lo_b}{'-inf' if low is None else f'{low:g}'}, {'inf' if high is None else f'{high:g}'}{hi_b}"
    arr = finite(value, name, scalar=scalar, allowed=f"in {interval}")
    bad = np.zeros(arr.shape, dtype=bool)
    if low is not None:
        bad |= (arr <= low) if low_open else (arr < low)
    if high is not None:
        bad |= (arr >= high) if high_open else (arr > high)
    if bad.any():
        idx = np.flatnonzero(bad.ravel())
        extra = f" ({meaning})" if meaning else ""
        raise ValueError(
            f"{name} must be in {interval}{extra}, got {show(arr.ravel()[idx[0]])}"
            f"{_where(int(idx[0]), arr.size, idx.size)}"
        )
    return arr


def whole(value: object, name: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as a Python ``int``, raising unless it is a whole number in ``[minimum, maximum]``.

    Integers (Python or NumPy) and integral floats (``5.0``) are accepted; booleans,
    None, text, complex numbers, fractions such as ``2.5`` and arrays are refused.
    """
    bounds = (
        " (>= 1)" if minimum == 1 and maximum is None
        else f" >= {minimum}" if maximum is None and minimum is not None
        else f" <= {maximum}" if minimum is None and maximum is not None
        else f" in [{minimum}, {maximum}]" if minimum is not None
        else ""
    )
    want = f"{name} must be a {'positive ' if minimum == 1 else ''}whole number{bounds}"
    kind = _non_number(value)
    if kind is not None:
        raise TypeError(f"{want}, got {show(value)}: {kind} is not a count")
    if isinstance(value, (int, np.integer)):
        n = int(value)
    elif isinstance(value, (float, np.floating)):
        v = float(value)
        if not math.isfinite(v) or v != math.floor(v):
            raise ValueError(f"{want}, got {show(v)}")
        n = int(v)
    elif isinstance(value, np.ndarray) or isinstance(value, (list, tuple)):
        raise TypeError(f"{want}, got {show(value)}: pass a single number")
    elif isinstance(value, numbers.Integral):
        n = int(value)
    else:
        raise TypeError(f"{want}, got {type(value).__name__} {show(value)}")
    if (minimum is not None and n < minimum) or (maximum is not None and n > maximum):
        raise ValueError(f"{want}, got {show(n)}")
    return n


def text(value: object, name: str, choices: Iterable[str] | None = None) -> str:
    """Return ``value`` if it is a string (one of ``choices``, when given); raise otherwise."""
    options = None if choices is None else list(choices)
    listed = "" if options is None else f" (one of {', '.join(repr(c) for c in options)})"
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string{listed}, got {type(value).__name__} {show(value)}")
    if options is not None and value not in options:
        raise ValueError(f"{name} must be one of {', '.join(repr(c) for c in options)}, got {value!r}")
    return value


class UnknownName(KeyError, ValueError):
    """A name that is not one of the allowed ones (a data file, a column): a :class:`ValueError`,
    as every bad argument is, and a :class:`KeyError`, as a failed look-up has always been."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""


def instance(value: object, name: str, cls: type | tuple[type, ...], hint: str = "") -> Any:
    """Return ``value`` if it is an instance of ``cls``; raise a :class:`TypeError` naming it otherwise."""
    if isinstance(value, cls):
        return value
    classes = cls if isinstance(cls, tuple) else (cls,)
    wanted = " or ".join(f"a {c.__module__}.{c.__qualname__}" for c in classes)
    raise TypeError(f"{name} must be {wanted}{hint}, got {type(value).__name__} {show(value)}")


def frame(runs: object, name: str, columns: Mapping[str, str], min_rows: int = 1) -> Any:
    """Check a table of runs: a DataFrame with the given columns, each valid.

    Parameters
    ----------
    runs
        The caller's table.
    name
        Its argument name (messages say e.g. ``runs['loss'] must be positive``).
    columns
        Column name -> ``"positive"`` (finite and > 0), ``"finite"`` or ``"any"`` (only present).
    min_rows
        Fewest rows the table must have.

    Returns
    -------
    pandas.DataFrame
        ``runs`` itself.
    """
    import pandas as pd

    if not isinstance(runs, pd.DataFrame):
        raise TypeError(
            f"{name} must be a pandas DataFrame with the columns {list(columns)}, "
            f"got {type(runs).__name__} {show(runs)}"
        )
    missing = [c for c in columns if c not in runs.columns]
    if missing:
        raise ValueError(
            f"{name} must have the columns {list(columns)}; it lacks the columns {missing} "
            f"(it has {list(runs.columns)[:12]})"
        )
    if len(runs) < min_rows:
        raise ValueError(f"{name} must hold at least {min_rows} row(s), got {len(runs)}")
    for col, rule in columns.items():
        label = f"{name}[{col!r}]"
        if rule == "positive":
            positive(runs[col].to_numpy(), label)
        elif rule == "finite":
            finite(runs[col].to_numpy(), label)
    return runs


# ------------------------------------------------------------------ shapes and sizes
def same_shape(**arrays: NDArray[np.float64]) -> tuple[int, ...]:
    """Raise unless every array has the same shape; return that shape."""
    shapes = {name: np.shape(a) for name, a in arrays.items()}
    if len(set(shapes.values())) > 1:
        desc = ", ".join(f"{k} {v}" for k, v in shapes.items())
        raise ValueError(f"inputs {', '.join(shapes)} must have the same shape, got {desc}")
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
            f"inputs {', '.join(shapes)} must have the same shape or shapes that broadcast against each other, "
            f"got {desc}; pass arrays of equal length, or a column and a row "
            f"(e.g. x[:, None] and y[None, :]) for a grid"
        ) from None


def at_least(n: int, count: int, what: str, name: str | None = None) -> None:
    """Raise unless ``count >= n``: a fit with fewer points than it needs has no solution.

    With ``name`` the message names the argument that holds the points.
    """
    if count < n:
        if name is None:
            raise ValueError(f"need at least {n} {what}, got {count}")
        raise ValueError(f"{name} must hold at least {n} {what}, got {count}")


# ------------------------------------------------------------------ results that fit in a double
def _normal(x: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Finite and of magnitude at least :data:`TINY` (no overflow, no underflow)."""
    return np.isfinite(x) & (np.abs(x) >= TINY)


def exact_or_log(direct: ArrayLike, log_value: Callable[[], ArrayLike], *parts: ArrayLike) -> NDArray[np.float64]:
    """``direct`` where it (and every intermediate in ``parts``) is a normal double; ``exp(log_value())`` elsewhere.

    For positive quantities computed by a formula that can overflow or underflow in an
    intermediate step although the result is representable, e.g. ``(N_c / N)**alpha``
    at ``N = 1e-300``. Where every step is an ordinary double the result is the
    formula as written, bit for bit; ``log_value`` (the natural log of the result,
    computed from logs of the inputs) is evaluated only when some element needs it.
    An element whose result itself overflows becomes ``inf`` (which
    :func:`representable` then reports).
    """
    d = np.asarray(direct, dtype=float)
    ok = _normal(d)
    for p in parts:
        ok = ok & _normal(np.broadcast_to(np.asarray(p, dtype=float), d.shape))
    if ok.all():
        return d
    with np.errstate(over="ignore", under="ignore"):
        lv = np.broadcast_to(np.asarray(log_value(), dtype=float), d.shape)
        return np.where(ok, d, np.exp(lv))


def ratio_power(num: ArrayLike, den: ArrayLike, p: float | ArrayLike) -> NDArray[np.float64]:
    """``(num / den)**p`` for positive ``num`` and ``den``, in log space where a step leaves the double range."""
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        base = np.asarray(num, dtype=float) / np.asarray(den, dtype=float)
        direct = base**p
    return exact_or_log(direct, lambda: np.asarray(p) * (np.log(num) - np.log(den)), base)


class _Unrepresentable(ValueError):
    """The :class:`ValueError` :func:`representable` raises; ``detail`` says which result left the range.

    A guarded function that calls another one re-raises it naming its own caller's arguments.
    """

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail


class NotRepresentable(OverflowError):
    """Raised inside a function wrapped by :func:`representable` when a result is beyond double precision.

    The decorator turns it into a :class:`ValueError` that names the caller's arguments and
    their values, with this exception's message as the detail.
    """


def _bad_leaf(value: object, positive: bool, path: str = "result") -> tuple[str, float] | None:
    """The first float in ``value`` that is NaN or infinite (or, with ``positive``, below TINY): (where, value)."""
    # A DataFrame or Series exists only once pandas has been imported: checking sys.modules instead of
    # importing pandas keeps `python -m scaling` (which never needs pandas) fast.
    pd = sys.modules.get("pandas")

    if isinstance(value, (bool, np.bool_, int, np.integer, str)) or value is None:
        return None
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if not math.isfinite(v) or (positive and not abs(v) >= TINY):
            return path, v
        return None
    if isinstance(value, np.ndarray):
        if value.dtype.kind != "f":
            return None
        bad = ~np.isfinite(value)
        if positive:
            bad |= np.abs(value) < TINY
        if bad.any():
            i = int(np.flatnonzero(bad.ravel())[0])
            return f"{path} (value {i + 1} of {value.size})", float(value.ravel()[i])
        return None
    if pd is not None and isinstance(value, pd.DataFrame):
        for col in value.columns:
            if value[col].dtype.kind == "f":
                hit = _bad_leaf(value[col].to_numpy(), positive, f"{path}[{col!r}]")
                if hit:
                    return hit
        return None
    if pd is not None and isinstance(value, pd.Series):
        return _bad_leaf(value.to_numpy(), positive, path) if value.dtype.kind == "f" else None
    if isinstance(value, (tuple, list)):
        for i, v in enumerate(value):
            hit = _bad_leaf(v, positive, f"{path}[{i}]")
            if hit:
                return hit
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            hit = _bad_leaf(v, positive, f"{path}[{k!r}]")
            if hit:
                return hit
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            hit = _bad_leaf(getattr(value, f.name), positive, f"{path}.{f.name}")
            if hit:
                return hit
    return None


def _arguments(func: Callable[..., Any], sig: inspect.Signature, args: tuple, kwargs: dict) -> str:
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError:
        return ", ".join([show(a) for a in args] + [f"{k}={show(v)}" for k, v in kwargs.items()])
    shown = []
    for k, v in bound.arguments.items():
        if k in ("self", "cls"):
            continue
        if isinstance(v, (int, float, np.number, np.ndarray, list, tuple)) and _non_number(v) is None:
            if isinstance(v, (np.ndarray, list, tuple)):
                a = np.asarray(v, dtype=float) if _non_number(v) is None else None
                if a is not None and a.size:
                    shown.append(f"{k}={show(a)} from {show(a.min())} to {show(a.max())}")
                    continue
            shown.append(f"{k}={show(v)}")
        else:
            shown.append(f"{k}={type(v).__name__}")
    return ", ".join(shown)


def _not_representable(call: str, detail: str) -> _Unrepresentable:
    return _Unrepresentable(
        f"{call}: the result is not representable in double precision ({detail}); arguments must keep "
        f"it between {TINY:.3g} and {HUGE:.4g} in magnitude: use values nearer the documented scale",
        detail,
    )


@contextlib.contextmanager
def renamed(label: str, **arguments: object) -> Iterator[None]:
    """Inside, a result that leaves the double range is reported as ``label(arguments)``'s.

    For functions that cannot be wrapped by :func:`representable` (their results may hold a
    documented NaN) but call one that is, or raise :class:`NotRepresentable` themselves.
    """
    call = f"{label}({', '.join(f'{k}={_shown(v)}' for k, v in arguments.items())})"
    try:
        yield
    except _Unrepresentable as exc:
        raise _not_representable(call, exc.detail) from None
    except NotRepresentable as exc:
        raise _not_representable(call, str(exc)) from None


def _shown(v: object) -> str:
    if isinstance(v, (np.ndarray, list, tuple)) and _non_number(v) is None:
        a = np.asarray(v, dtype=float)
        if a.size:
            return f"{show(a)} from {show(a.min())} to {show(a.max())}"
    return show(v) if isinstance(v, (int, float, np.number)) else type(v).__name__


def representable(func: F | None = None, *, positive: bool = False) -> Any:
    """Decorator: a result outside double precision raises :class:`ValueError` instead of returning ``inf``.

    The wrapped function runs with NumPy's floating-point warnings silenced; its result
    (a float, an array, a tuple, dict, DataFrame or dataclass of them) is then checked:

    * an infinite value, or a Python :class:`OverflowError` on the way (including
      :class:`NotRepresentable`, which a function raises to say which of its results
      left the range), means the true result lies beyond the double range: a
      :class:`ValueError` naming the arguments the caller passed and their values;
    * with ``positive=True`` (for functions whose every result is a positive quantity),
      a value below the smallest normal double (about 2.2e-308, e.g. 0 after underflow)
      is refused the same way;
    * a NaN is a defect of the function, not of the input: it raises
      :class:`FloatingPointError` rather than passing on silently.
    """

    def wrap(f: F) -> F:
        sig = inspect.signature(f)
        label = f.__qualname__

        def fail(args: tuple, kwargs: dict, detail: str) -> ValueError:
            return _not_representable(f"{label}({_arguments(f, sig, args, kwargs)})", detail)

        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
                    out = f(*args, **kwargs)
            except _Unrepresentable as exc:  # from a guarded function this one called
                raise fail(args, kwargs, exc.detail) from None
            except NotRepresentable as exc:
                raise fail(args, kwargs, str(exc)) from None
            except OverflowError as exc:
                raise fail(args, kwargs, f"an intermediate value overflowed: {exc}") from None
            hit = _bad_leaf(out, positive)
            if hit is not None:
                where, v = hit
                if math.isnan(v):
                    raise FloatingPointError(
                        f"{label}({_arguments(f, sig, args, kwargs)}) computed NaN for {where}: "
                        "this is a defect of the function, please report it"
                    )
                size = "above the largest double" if not math.isfinite(v) or abs(v) >= 1 else "below the smallest"
                raise fail(args, kwargs, f"{where} would be {size}")
            return out

        return wrapper  # type: ignore[return-value]

    return wrap(func) if func is not None else wrap
