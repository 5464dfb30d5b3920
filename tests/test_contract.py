"""The contract of every public function: a right answer or a clear error (issue 10, section 3).

The public API is found by introspection: every function and class in ``scaling.__all__`` and
in the ``__all__`` of each public submodule (those without a leading underscore), and the public methods of those classes. Each must have an
entry in :data:`EXAMPLES` (a valid call, and what each argument may hold), or the test
:func:`test_every_public_callable_has_an_example` fails with "add an example for X": a function
added later is swept too.

For every argument of every example the sweep feeds

* bad values (explicit lists, then hypothesis): NaN, +-inf, None, text, booleans, complex
  numbers and complex arrays, datetimes and ``datetime64`` arrays, empty arrays, values outside
  the documented domain, and mismatched shapes. Each must raise :class:`ValueError` or
  :class:`TypeError` whose message names the argument, shows the value and says what is
  allowed (it contains "must");
* valid values (explicit extremes such as 1e-300, 1e300 and subnormals, then hypothesis over
  the documented domain). Each must give a result with no NaN and no infinity anywhere (fields,
  columns, properties), or a :class:`ValueError` that names the argument and says the result
  is not representable in double precision, or one of the errors the function documents for
  valid-looking input (e.g. a ``k_N`` below the asymptote).

A function that still fails can be listed in :data:`PENDING` (with the reason), which marks it
``xfail(strict=True)``: remove the entry once its module is fixed (a pass then fails). It is empty:
every public callable keeps the contract.

At the end of the session a table per module gives the cases tried and how many gave a clear
error (bad input) or a right answer (valid input).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import dataclasses
import datetime
import importlib
import inspect
import io
import math
import pkgutil
import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scaling
from scaling import chinchilla, cli, devries, fitting, kaplan, plotting, powerlaw, published, report
from scaling.laws import ChinchillaLaw
from scaling.published import (
    DEVRIES2023,
    HOFFMANN2022,
    KAPLAN2020,
    KAPLAN2020_ALLOCATION,
    KAPLAN2020_ND,
    KAPLAN2020_NS,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NAN, INF = math.nan, math.inf
HUGE, TINY, SUB = 1.7976931348623157e308, 2.2250738585072014e-308, 5e-324
HYPOTHESIS = settings(
    max_examples=12, deadline=None, derandomize=True, database=None, print_blob=False,
    suppress_health_check=list(HealthCheck),
)


# ================================================================== the public API, by introspection
def _module_of(obj: object) -> str:
    return getattr(obj, "__module__", "").rsplit(".", 1)[-1]


def public_callables() -> dict[str, Any]:
    """``"module.name"`` (and ``"module.Class.method"``) -> callable, for the whole public API."""
    out: dict[str, Any] = {}
    # every public module of the package: those scaling.__all__ lists, and any other (e.g. cli)
    names_ = {info.name for info in pkgutil.iter_modules(scaling.__path__) if not info.name.startswith("_")}
    modules = [importlib.import_module(f"scaling.{n}") for n in sorted(names_)]
    modules = [m for m in modules if hasattr(m, "__all__")]
    # a package's __all__ may name its submodules (scaling.lab): import them, as ``import *`` would
    objects = [(m.__name__.rsplit(".", 1)[-1],
                getattr(m, n) if hasattr(m, n) else importlib.import_module(f"{m.__name__}.{n}"))
               for m in modules for n in m.__all__]
    objects += [(_module_of(getattr(scaling, n)), getattr(scaling, n)) for n in scaling.__all__
                if not inspect.ismodule(getattr(scaling, n))]
    for mod, obj in objects:
        if not callable(obj):
            continue  # constants
        name = f"{mod}.{obj.__name__}"
        out[name] = obj
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            for attr, value in vars(obj).items():
                if attr.startswith("_") and attr != "__call__":
                    continue
                if isinstance(value, (classmethod, staticmethod)) or inspect.isfunction(value):
                    out[f"{name}.{attr}"] = getattr(obj, attr)
    return out


# ================================================================== argument kinds
@dataclasses.dataclass
class Arg:
    """One argument of an example: a valid value and what the argument may hold.

    ``kind`` selects the bad values, the extreme valid values and the hypothesis strategies:

    ``pos``/``pos1``   finite > 0, array allowed / a single number;
    ``nonneg``/``nonneg1``  finite >= 0;
    ``real``/``real1``  finite; with ``hi`` (``real``, ``nonneg``): also ``<= hi``;
    ``range``          a single number in ``[lo, hi]`` (``open`` ends excluded);
    ``count``          a whole number >= ``lo`` (and <= ``upper``, if documented); ``hi`` bounds the
                       valid values the sweep tries (a fit with 10**9 resamples is valid but slow);
    ``law``            a :class:`~scaling.laws.ChinchillaLaw`;
    ``obj``            an instance of ``cls``; ``text`` a string (``choices``); ``flag`` a bool;
    ``frame``          a DataFrame with ``columns`` (name -> rule); ``rows`` a list of ``Row``;
    ``fixed``          not swept (only ``bad``/``extreme`` given here are used).

    ``optional`` adds None to the valid values; ``factory`` makes the valid value fresh per call.
    """

    valid: Any
    kind: str = "fixed"
    lo: float | None = None
    hi: float | None = None
    open: tuple[bool, bool] = (False, False)
    cls: Any = None
    choices: tuple = ()
    upper: int | None = None
    columns: dict[str, str] = dataclasses.field(default_factory=dict)
    optional: bool = False
    factory: bool = False
    default_extremes: bool = True
    """False: only the ``extreme`` values given here (for arguments of slow functions)."""
    bad: list[tuple[Any, str]] = dataclasses.field(default_factory=list)
    extreme: list[Any] = dataclasses.field(default_factory=list)
    strategy: Any = None

    def value(self) -> Any:
        return self.valid() if self.factory else self.valid


@dataclasses.dataclass
class Example:
    args: dict[str, Arg]
    bound: Any = None
    """For methods: the instance (or a zero-argument factory, with ``factory_bound``)."""
    factory_bound: bool = False
    shapes: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    """Pairs of array arguments that must match or broadcast: (3,) against (2,) is refused."""
    domain_errors: tuple[str, ...] = ()
    """Phrases of ValueErrors the function documents for input inside the per-argument domains."""
    nonfinite_ok: Callable[[str], bool] | None = None
    """Documented NaN/inf results: called with the path of the value (e.g. ``result.exponent_se``)."""
    error_types: tuple[type[BaseException], ...] = (ValueError, TypeError)
    names_argument: bool = True
    valid_examples: int | None = None
    """Hypothesis examples for valid input (None: the default; 0: explicit lists only, for slow functions)."""
    extra_valid: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    """More valid calls (argument overrides), e.g. defaults the swept values do not reach."""
    custom: Callable[[Any], tuple[int, int, int, int, list[str]]] | None = None
    """A checker of its own (for ``cli.main``): returns (bad cases, clear, valid cases, right, failures)."""


NONNUM: list[tuple[Any, str]] = [
    (None, "None"),
    ("abc", "abc"),
    (True, "True"),
    (1 + 2j, "complex"),
    (np.array([1e9 + 1j]), "complex"),
    (np.datetime64("2020-01-01"), "date"),
    (datetime.datetime(2020, 1, 1), "date"),
    (np.array(["2020-01-01"], dtype="datetime64[D]"), "date"),
]
EMPTY = (np.array([]), "empty")


def bad_values(a: Arg) -> list[tuple[Any, str]]:
    """(value, the text the message must show) pairs for argument ``a``."""
    k = a.kind
    nonnum = [b for b in NONNUM if not (a.optional and b[0] is None)]
    scalar_only = k in ("pos1", "nonneg1", "real1", "range")
    shape = [(np.array([1.0, 2.0]), "(2,)")] if scalar_only else [EMPTY]
    nonfinite = [(NAN, "nan"), (INF, "inf"), (-INF, "-inf")]
    if not scalar_only:
        nonfinite.append((np.array([1.0, NAN]), "nan"))
    if k in ("pos", "pos1"):
        out = nonnum + nonfinite + [(0.0, "0"), (-1.0, "-1")] + shape
        if not scalar_only:
            out.append(([2.0, -3.0], "-3"))
    elif k in ("nonneg", "nonneg1"):
        out = nonnum + nonfinite + [(-1.0, "-1"), (-SUB, "-4.94066e-324")] + shape
    elif k in ("real", "real1"):
        out = nonnum + nonfinite + shape
    elif k == "range":
        out = nonnum + nonfinite + shape
        lo, hi = a.lo, a.hi
        if lo is not None:
            out += [(lo - 1.0, f"{lo - 1.0:g}")] + ([(lo, f"{lo:g}")] if a.open[0] else [])
        if hi is not None:
            out += [(hi + 1.0, f"{hi + 1.0:g}")] + ([(hi, f"{hi:g}")] if a.open[1] else [])
    elif k == "count":
        lo = int(a.lo if a.lo is not None else 0)
        out = [b for b in nonnum if not isinstance(b[0], np.ndarray)] + [
            (2.5 + lo, f"{2.5 + lo:g}"), (NAN, "nan"), (INF, "inf"), (np.array([lo + 1]), "(1,)"),
            (lo - 1, str(lo - 1)), (lo - 7, str(lo - 7)),
        ]
        if a.upper is not None:
            out.append((a.upper + 1, str(a.upper + 1)))
    elif k == "law":
        out = [(None, "None"), ("printed", "printed"), (1.0, "1"), (KAPLAN2020, "KaplanConstants")]
    elif k == "obj":
        wrong = a.bad or []
        out = [(None, "None"), ("abc", "abc"), (1.0, "1")] + wrong
        return [b for b in out if not (a.optional and b[0] is None)]
    elif k == "text":
        out = [(1.0, "1"), (b"abc", "abc"), (True, "True")] + ([] if a.optional else [(None, "None")])
        if a.choices:
            out.append(("nope", "nope"))
    elif k == "flag":
        # falsy ones: a function that does not check them still runs quickly
        out = [(None, "None"), (0, "0"), ("", "''"), (np.array([False]), "(1,)")]
    elif k == "frame":
        out = frame_bad(a)
    elif k == "rows":
        row = report.Row("a", 1.0, 1.0, rtol=0.1)
        out = [(None, "None"), ("abc", "abc"), (row, "Row"), ([], "empty"), ([row, None], "None"),
               ([row, (1.0, 1.0)], "tuple")]
    else:
        out = []
    if k in ("nonneg", "nonneg1", "real", "real1") and a.hi is not None:
        out.append((a.hi + 1.0, f"{a.hi + 1.0:g}"))
    return out + [b for b in a.bad if k != "obj"]


def frame_bad(a: Arg) -> list[tuple[Any, str]]:
    runs: pd.DataFrame = a.valid
    out: list[tuple[Any, str]] = [(None, "None"), ("runs", "runs"), (runs.to_dict("list"), "dict"),
                                  (runs.iloc[0:0], "0")]
    for col, rule in a.columns.items():
        out.append((runs.drop(columns=col), col))
        if rule != "positive":
            continue
        for value, token in [(NAN, "nan"), (-5.0, "-5"), (INF, "inf"), (0.0, "0")]:
            bad = runs.copy()
            bad[col] = bad[col].astype(float)
            bad.loc[bad.index[1], col] = value
            out.append((bad, token))
        for column, token in [(["x"] * len(runs), "text"), ([True] * len(runs), "boolean"),
                              (pd.to_datetime(["2020-01-01"] * len(runs)), "date"),
                              (np.full(len(runs), 1e9 + 1j), "complex")]:
            bad = runs.copy()
            bad[col] = column
            out.append((bad, token))
    return out


def extreme_values(a: Arg) -> list[Any]:
    """Valid values at the edges of the domain (or beyond what the function sees in practice)."""
    k = a.kind
    out: list[Any] = []
    if not a.default_extremes:
        return list(a.extreme)
    valid = a.value() if not a.factory else None
    if k == "pos" and isinstance(valid, np.ndarray) and valid.ndim:
        # an array argument keeps its shape (it pairs with others): rescale it to the edges
        out = [valid / valid.min() * 1e-300, valid / valid.max() * 1e300, valid / valid.min() * SUB,
               valid / valid.max() * HUGE]
    elif k in ("pos", "pos1"):
        out = [1e-300, 1e300, SUB, TINY, HUGE]
        if k == "pos":
            out.append(np.array([1e-300, 1.0, 1e300]))
    elif k in ("nonneg", "nonneg1", "real", "real1"):
        out = [0.0, 1e-300, 1e300, SUB, HUGE] if k.startswith("nonneg") else [0.0, -1e300, 1e300, SUB, -SUB, HUGE, -HUGE]
        if a.hi is not None:
            out = [v for v in out if v <= a.hi] + [a.hi]
    elif k == "range":
        lo, hi = a.lo, a.hi
        if lo is not None:
            out.append(lo + 1e-300 if a.open[0] else lo)
        if hi is not None:
            out.append(np.nextafter(hi, -INF) if a.open[1] else hi)
    elif k == "law":
        out = list(EXTREME_LAWS)
    if a.optional:
        out.append(None)
    return out + list(a.extreme)


def valid_strategy(a: Arg, size: int | None = None) -> Any:
    """Hypothesis strategy of valid values over the documented domain.

    ``size``: the length of the fresh arrays drawn for a ``pos`` argument given as a number (a
    number or an array of that length), so that the arguments of one call always broadcast.
    """
    if a.strategy is not None:
        return a.strategy
    k = a.kind
    pos = st.floats(min_value=SUB, max_value=HUGE)
    valid = a.value() if not a.factory else None
    if k == "pos" and isinstance(valid, np.ndarray) and valid.ndim:
        # an array argument keeps its shape: the valid array rescaled, or fresh values of that length
        n = valid.size
        s = st.one_of(st.floats(-280, 300).map(lambda e: valid / valid.max() * 10.0**e),
                      st.lists(pos, min_size=n, max_size=n).map(lambda v: np.reshape(v, valid.shape)))
    elif k in ("pos", "pos1"):
        lo, hi = (size, size) if size else (1, 3)
        s = pos if k == "pos1" else st.one_of(pos, st.lists(pos, min_size=lo, max_size=hi).map(np.array))
    elif k in ("nonneg", "nonneg1"):
        s = st.floats(min_value=0.0, max_value=HUGE if a.hi is None else a.hi)
    elif k in ("real", "real1"):
        s = st.floats(max_value=a.hi, allow_nan=False, allow_infinity=False)
    elif k == "range":
        s = st.floats(min_value=a.lo, max_value=a.hi, exclude_min=a.open[0], exclude_max=a.open[1])
    elif k == "count":
        s = st.integers(min_value=int(a.lo or 0), max_value=int(a.hi if a.hi is not None else 10))
    elif k == "law":
        s = LAW_STRATEGY
    elif k == "frame":
        s = st.tuples(*[st.floats(-100, 100) for _ in a.columns]).map(lambda e: scale_frame(a, e))
    else:
        return st.just(a.value()) if not a.factory else st.builds(a.valid)
    return st.one_of(st.none(), s) if a.optional else s


def scale_frame(a: Arg, exps: tuple[float, ...]) -> pd.DataFrame:
    runs = a.valid.copy()
    for (col, rule), e in zip(a.columns.items(), exps):
        if rule == "positive" and col not in ("C", "budget"):  # budgets must stay at the selected budgets
            runs[col] = runs[col] * 10.0**e
    return runs


def bad_strategy(a: Arg) -> Any:
    """Hypothesis strategy of invalid values for argument ``a`` (beyond the explicit list)."""
    k = a.kind
    junk = st.one_of(
        st.text(max_size=4), st.booleans(), st.datetimes(),
        st.complex_numbers(max_magnitude=1e6, allow_nan=False).filter(lambda z: z.imag != 0),
    )
    if not a.optional:
        junk = st.one_of(st.none(), junk)
    nonfinite = st.sampled_from([NAN, INF, -INF])
    if k in ("pos", "pos1"):
        return st.one_of(junk, nonfinite, st.floats(max_value=0.0, allow_nan=False))
    above = [st.floats(min_value=a.hi, exclude_min=True, allow_nan=False)] if a.hi is not None else []
    if k in ("nonneg", "nonneg1"):
        return st.one_of(junk, nonfinite, st.floats(max_value=-SUB, allow_nan=False), *above)
    if k in ("real", "real1"):
        return st.one_of(junk, nonfinite, *above)
    if k == "range":
        outside = []
        if a.lo is not None:
            outside.append(st.floats(max_value=a.lo, exclude_max=not a.open[0], allow_nan=False))
        if a.hi is not None:
            outside.append(st.floats(min_value=a.hi, exclude_min=not a.open[1], allow_nan=False))
        return st.one_of(junk, nonfinite, *outside)
    if k == "count":
        return st.one_of(junk, nonfinite, st.integers(max_value=int(a.lo or 0) - 1),
                         st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: v != int(v)))
    if k == "law":
        return st.one_of(junk, st.floats(allow_nan=False))
    return None


def token_of(value: Any) -> str | float:
    """What the message must show for a generated bad value (a float means: a number equal to it)."""
    if value is None:
        return "None"
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, str):
        return repr(value)  # messages show text as its repr
    if isinstance(value, (complex, np.complexfloating)):
        return "complex"
    if isinstance(value, (datetime.date, datetime.time, datetime.timedelta, np.datetime64)):
        return "date"
    if isinstance(value, (float, int, np.floating, np.integer)):
        v = float(value)
        return "nan" if math.isnan(v) else "inf" if math.isinf(v) else v
    return ""


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def shows(message: str, token: str | float) -> bool:
    if isinstance(token, float):
        for t in _NUMBER.findall(message):
            try:
                v = float(t)
            except ValueError:
                continue
            if v == token or (v != 0 and abs(v / token - 1) < 1e-5 if token else abs(v) < 1e-300):
                return True
        return False
    return token.lower() in message.lower()


def names(message: str, name: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", message) is not None


# ================================================================== shared valid inputs
LAW = ChinchillaLaw(E=1.8, A=480.0, B=2100.0, alpha=0.35, beta=0.37)
EXTREME_LAWS = [
    ChinchillaLaw(E=1.7, A=400.0, B=400.0, alpha=0.34, beta=0.035),  # used to overflow shrink()
    ChinchillaLaw(E=1.7, A=400.0, B=400.0, alpha=1e-300, beta=0.3),  # asymptote -> exp(-1/beta)
    ChinchillaLaw(E=1.7, A=400.0, B=400.0, alpha=0.34, beta=1e-300),
    ChinchillaLaw(E=0.0, A=1e300, B=1e-300, alpha=5.0, beta=6.0),
    ChinchillaLaw(E=1e300, A=1e-300, B=1e300, alpha=1e3, beta=1e-3),
]
_LAWPOS = st.floats(min_value=SUB, max_value=HUGE)
LAW_STRATEGY = st.builds(ChinchillaLaw, E=st.floats(min_value=0.0, max_value=HUGE), A=_LAWPOS, B=_LAWPOS,
                         alpha=_LAWPOS, beta=_LAWPOS)


def _isoflop_runs(per_budget: int = 7) -> pd.DataFrame:
    rows = []
    for c in chinchilla.ISOFLOP_BUDGETS[:4]:
        n_opt = LAW.optimal_allocation(c)[0]
        for n in n_opt * np.geomspace(0.25, 4, per_budget):
            d = c / (6 * n)
            rows.append({"N": n, "D": d, "C": c, "budget": c, "loss": LAW.loss(n, d), "setting": "s"})
    return pd.DataFrame(rows)


RUNS = _isoflop_runs()
ENV_RUNS = pd.DataFrame([{"N": n, "budget": c, "loss": LAW.loss(n, c / (6 * n))}
                         for n in np.geomspace(1e7, 1e9, 5) for c in np.geomspace(1e17, 1e20, 5)])
FIT_N = np.repeat(np.geomspace(5e7, 1e10, 4), 4)
FIT_D = np.tile(np.geomspace(1e9, 3e11, 4), 4)
FIT_L = np.asarray(LAW.loss(FIT_N, FIT_D)) * np.exp(0.01 * np.sin(np.arange(16)))
SMALL_GRID = fitting.start_grid([0.3, 0.5], [0.3, 0.5], [0.5], [5.0], [7.0])
LC_S = np.geomspace(100, 1e5, 12)
LC_L = 2.0 + (3e3 / LC_S) ** 0.7
PL_FIT = powerlaw.fit_power_law([1.0, 10.0, 100.0, 1000.0], [2.0, 20.5, 198.0, 2010.0])
ALLOC_FIT = chinchilla.fit_allocation([1e19, 1e20, 1e21], [4e8, 1.2e9, 4e9], [4e9, 1.4e10, 4.2e10])
BOOT = fitting.BootstrapResult(
    params=pd.DataFrame({"E": [1.8, 1.81], "A": [480.0, 470.0], "B": [2100.0, 2000.0], "alpha": [0.35, 0.34],
                         "beta": [0.37, 0.36], "objective": [1e-3, 1.1e-3]}),
    fit=fitting.ParametricFit(LAW, 1e-3), seed=0,
)
RESAMPLES = np.random.default_rng(0).integers(0, FIT_N.size, size=(2, FIT_N.size))
FIT_PARAMS = np.array([6.0, 7.0, 0.5, 0.35, 0.37, -5.0])  # (a, b, e, alpha, beta, log_scale)


def _spline_runs() -> pd.DataFrame:
    """IsoFLOP readings of LAW at five budgets, seven sizes each around the optimum."""
    rows = []
    for c in np.geomspace(1e17, 1e20, 5):
        n_opt = LAW.optimal_allocation(c)[0]
        rows += [{"budget": c, "N": n, "loss": LAW.loss(n, c / (6 * n))} for n in n_opt * np.geomspace(0.2, 5, 7)]
    return pd.DataFrame(rows)


SPLINE_RUNS = _spline_runs()
SPLINE_FIT = chinchilla.fit_spline_optima(SPLINE_RUNS, 0.002, n_resamples=20)
ROWS = [report.Row("a", 1.0, 1.004, rtol=0.01), report.Row("b", None, 3.0), report.Row("c", 2.0, 2.0, atol=0.1)]


def _pos(v: Any, **kw: Any) -> Arg:
    return Arg(v, "pos", **kw)


def _pos1(v: Any, **kw: Any) -> Arg:
    return Arg(v, "pos1", **kw)


def _obj(v: Any, cls: Any, wrong: Any, token: str, **kw: Any) -> Arg:
    return Arg(v, "obj", cls=cls, bad=[(wrong, token)], **kw)


def _constants(**kw: Any) -> Arg:
    return _obj(KAPLAN2020, published.KaplanConstants, KAPLAN2020_ND, "KaplanJointND", **kw)


def _nd(**kw: Any) -> Arg:
    return _obj(KAPLAN2020_ND, published.KaplanJointND, KAPLAN2020_NS, "KaplanJointNS", **kw)


def _ns(**kw: Any) -> Arg:
    return _obj(KAPLAN2020_NS, published.KaplanJointNS, KAPLAN2020_ND, "KaplanJointND", **kw)


def _law(v: ChinchillaLaw = DEVRIES2023) -> Arg:
    return Arg(v, "law")


def _count(v: int, lo: int, hi: int, **kw: Any) -> Arg:
    return Arg(v, "count", lo=lo, hi=hi, **kw)


def _frame(v: pd.DataFrame, **columns: str) -> Arg:
    return Arg(v, "frame", columns=columns)


def _axes() -> Any:
    return plt.figure().add_subplot()


K_STEPS = {"N": _pos(1e9), "D": _pos(1e10)}
DELTA = Arg(1e-3, "range", lo=1e-8, hi=1e3)  # fitting's documented Huber thresholds

# ================================================================== the examples, one per public callable
EXAMPLES: dict[str, Example] = {
    # ------------------------------------------------------------ units
    "units.training_compute": Example({"N": _pos(7e10), "D": _pos(1.4e12)}, shapes=[("N", "D")]),
    "units.tokens_for_compute": Example({"C": _pos(5.76e23), "N": _pos(7e10)}, shapes=[("C", "N")]),
    "units.to_pf_days": Example({"flops": _pos(3.14e23)}),
    "units.from_pf_days": Example({"pf_days": _pos(3640.0)}),
    "units.kaplan_params": Example(
        {"n_layer": _count(12, 1, 10**6, extreme=[10**300]), "d_model": _count(768, 1, 10**6, extreme=[10**300]),
         "d_attn": _count(768, 1, 10**6, optional=True), "d_ff": _count(3072, 1, 10**6, optional=True)}),
    "units.total_params": Example(
        {"n_layer": _count(96, 1, 10**6, extreme=[10**300]), "d_model": _count(12288, 1, 10**6, extreme=[10**200]),
         "n_vocab": _count(50257, 1, 10**6), "n_ctx": _count(2048, 0, 10**6), "per_layer": _count(12, 1, 20)}),
    "units.forward_flops": Example(
        {"n_layer": _count(12, 1, 10**6, extreme=[10**300]), "d_model": _count(768, 1, 10**6, extreme=[10**200]),
         "n_ctx": _count(1024, 1, 10**6), "n_vocab": _count(50257, 1, 10**6),
         "d_attn": _count(768, 1, 10**6, optional=True), "d_ff": _count(3072, 1, 10**6, optional=True)}),
    # ------------------------------------------------------------ powerlaw
    "powerlaw.power_law": Example({"x": _pos(1e9), "prefactor": Arg(3.0, "real1"), "exponent": Arg(-0.076, "real1")}),
    "powerlaw.fit_power_law": Example(
        {"x": Arg(np.array([1.0, 10.0, 100.0, 1000.0]), "pos", extreme=[[1e-300, 1e-299, 1e-298, 1e-297], [1e297, 1e298, 1e299, 1e300]],
                  strategy=st.lists(st.floats(min_value=SUB, max_value=HUGE), min_size=4, max_size=4).map(np.array)),
         "y": Arg(np.array([2.0, 20.5, 198.0, 2010.0]), "pos", extreme=[[1e-300, 5e-300, 3e-299, 2e-298]],
                  strategy=st.lists(st.floats(min_value=SUB, max_value=HUGE), min_size=4, max_size=4).map(np.array))},
        shapes=[("x", "y")], domain_errors=("distinct",), extra_valid=[{"x": [1.0, 10.0], "y": [2.0, 20.0]}],
        nonfinite_ok=lambda path: path.endswith("_se")),  # documented: no standard errors from 2 points
    "powerlaw.PowerLawFit.__call__": Example({"x": _pos(1e9)}, bound=PL_FIT),
    "powerlaw.PowerLawFit.exponent_interval": Example({"level": Arg(0.95, "range", lo=0.0, hi=1.0, open=(True, True))},
                                                      bound=PL_FIT),
    "powerlaw.PowerLawFit.inverse": Example({"y": _pos(20.0)}, bound=PL_FIT),
    # ------------------------------------------------------------ laws
    "laws.ChinchillaLaw": Example(
        {"E": Arg(1.69, "nonneg1"), "A": _pos1(406.4), "B": _pos1(410.7), "alpha": _pos1(0.34), "beta": _pos1(0.28),
         "source": Arg("paper", "text")}),
    "laws.ChinchillaLaw.loss": Example({"N": _pos(7e10), "D": _pos(1.4e12)}, bound=HOFFMANN2022, shapes=[("N", "D")]),
    "laws.ChinchillaLaw.optimal_allocation": Example({"C": _pos(5.76e23)}, bound=HOFFMANN2022),
    "laws.ChinchillaLaw.tokens_per_parameter": Example({"C": _pos(5.76e23)}, bound=HOFFMANN2022),
    "laws.ChinchillaLaw.optimal_loss": Example({"C": _pos(5.76e23)}, bound=HOFFMANN2022),
    "laws.ChinchillaLaw.compute_for_params": Example({"N": _pos(7e10)}, bound=HOFFMANN2022),
    "laws.ChinchillaLaw.from_log_params": Example(
        {"a": Arg(6.0, "real1"), "b": Arg(6.0, "real1"), "e": Arg(0.5, "real1"), "alpha": _pos1(0.34),
         "beta": _pos1(0.28), "source": Arg("", "text")}, domain_errors=("representable",)),
    "laws.ChinchillaLaw.as_dict": Example({}, bound=HOFFMANN2022),
    # ------------------------------------------------------------ published
    "published.KaplanConstants": Example(
        {f.name: (Arg(getattr(KAPLAN2020, f.name), "pos1") if f.name != "source" else Arg("s", "text"))
         for f in dataclasses.fields(published.KaplanConstants)}),
    "published.KaplanJointND": Example(
        {f.name: (Arg(getattr(KAPLAN2020_ND, f.name), "pos1") if f.name != "source" else Arg("s", "text"))
         for f in dataclasses.fields(published.KaplanJointND)}),
    "published.KaplanJointNS": Example(
        {f.name: (Arg(getattr(KAPLAN2020_NS, f.name), "pos1") if f.name != "source" else Arg("s", "text"))
         for f in dataclasses.fields(published.KaplanJointNS)}),
    "published.KaplanAllocation": Example(
        {f.name: (Arg(getattr(KAPLAN2020_ALLOCATION, f.name), "pos1") if f.name != "source" else Arg("s", "text"))
         for f in dataclasses.fields(published.KaplanAllocation)}),
    "published.Model": Example(
        {"name": Arg("m", "text"), "params": _pos1(7e9), "tokens": _pos1(1e12, optional=True),
         "n_layer": _count(32, 1, 10**6, optional=True), "d_model": _count(4096, 1, 10**6, optional=True),
         "n_heads": _count(32, 1, 10**6, optional=True), "n_ctx": _count(2048, 1, 10**6, optional=True),
         "source": Arg("s", "text"), "n_vocab": _count(32000, 1, 10**6, optional=True)},
        domain_errors=("not published",)),
    "published.table": Example({"name": Arg("hoffmann2022_table2", "text", choices=("hoffmann2022_table2",),
                                            bad=[("../README", "../README")])},
                               nonfinite_ok=lambda path: True),  # documented: cells the paper leaves empty are NaN
    # ------------------------------------------------------------ kaplan
    "kaplan.loss_N": Example({"N": _pos(1e9), "constants": _constants()}),
    "kaplan.loss_D": Example({"D": _pos(1e10), "constants": _constants()}),
    "kaplan.loss_C": Example({"C": _pos(1.0), "constants": _constants()}),
    "kaplan.loss_C_min": Example({"C_min": _pos(1.0), "constants": _constants(), "scale": _pos1(2.3e8, optional=True)}),
    "kaplan.per_doubling": Example({"alpha": Arg(0.076, "real")}),
    "kaplan.loss_ND": Example({**K_STEPS, "params": _nd()}, shapes=[("N", "D")]),
    "kaplan.overfitting": Example({**K_STEPS, "params": _nd()}, shapes=[("N", "D")]),
    "kaplan.overfitting_rule": Example({"delta": _pos1(0.02), "params": _nd()}),
    "kaplan.data_to_avoid_overfitting": Example({"N": _pos(1e9), "delta": _pos1(0.02), "params": _nd()}),
    "kaplan.data_growth_factor": Example({"model_factor": _pos(8.0), "params": _nd()}),
    "kaplan.early_stopping_steps": Example({**K_STEPS, "nd": _nd(), "ns": _ns()}, shapes=[("N", "D")]),
    "kaplan.critical_batch": Example({"L": _pos(3.0), "constants": _constants()}),
    "kaplan.min_steps": Example({"S": _pos(1e4), "B": _pos(2.0**19), "L": _pos(3.0), "constants": _constants()},
                                shapes=[("S", "B"), ("B", "L")]),
    "kaplan.min_compute": Example({"C": _pos(1.0), "B": _pos(2.0**19), "L": _pos(3.0), "constants": _constants()},
                                  shapes=[("C", "B"), ("C", "L")]),
    "kaplan.loss_NS": Example({"N": _pos(1e9), "S_min": _pos(1e4), "params": _ns()}, shapes=[("N", "S_min")]),
    "kaplan.steps_to_loss": Example({"N": _pos(1e9), "L": _pos(3.0), "params": _ns()}, shapes=[("N", "L")],
                                    domain_errors=("converged loss",)),
    "kaplan.learning_curve": Example(
        {"N": _pos1(1e8), "losses": _pos(np.array([3.5, 4.0, 6.0])), "batch": _pos1(2.0**19), "params": _ns(),
         "constants": _constants()}, domain_errors=("converged loss",)),
    "kaplan.LearningCurveFit.__call__": Example({"S": _pos(1e4)}, bound=kaplan.LearningCurveFit(2.0, 3e3, 0.7)),
    "kaplan.fit_learning_curve": Example(
        {"S": Arg(LC_S, "pos", extreme=[LC_S * 1e-300, LC_S * 1e290],
                  strategy=st.just(LC_S)),
         "L": Arg(LC_L, "pos", extreme=[LC_L * 1e-300, LC_L * 1e300],
                  strategy=st.floats(-300, 300).map(lambda e: LC_L * 10.0**e))},
        shapes=[("S", "L")], domain_errors=("could not be fitted",), valid_examples=4),
    "kaplan.predicted_exponents": Example({"params": _ns(), "constants": _constants()}),
    "kaplan.predicted_scale": Example({"params": _ns(), "constants": _constants()}),
    "kaplan.loss_at_compute": Example({"N": _pos(1e9), "C_min": _pos(1.0), "params": _ns(), "constants": _constants()},
                                      shapes=[("N", "C_min")]),
    "kaplan.compute_efficient_frontier": Example({"C_min": _pos(np.array([1e-3, 1.0])), "params": _ns(),
                                                  "constants": _constants()}, valid_examples=6),
    "kaplan.convergence_comparison": Example({"f": _pos1(0.1, optional=True), "f_prime": _pos1(0.02),
                                              "target_loss": _pos1(3.0), "params": _ns(), "constants": _constants()}),
    "kaplan.excess_compute": Example({"size_ratio": _pos(2.2), "params": _ns()}, domain_errors=("too small",)),
    "kaplan.excess_steps": Example({"size_ratio": _pos(2.2), "params": _ns()}, domain_errors=("too small",)),
    "kaplan.size_window": Example({"excess": _pos1(0.2), "params": _ns()}),
    "kaplan.growth_factors": Example(
        {"compute_factor": _pos1(1e9),
         "exponents": Arg({"N": 0.73, "B": 0.24, "S": 0.03}, "fixed",
                          bad=[(None, "None"), ("NBS", "NBS"), ({"N": 0.7}, "lacks"), ({"N": NAN, "B": 0.2, "S": 0.1}, "nan"),
                               ({"N": "x", "B": 0.2, "S": 0.1}, "x")],
                          extreme=[{"N": 1e300, "B": -1e300, "S": 0.0}])}),
    "kaplan.data_per_compute": Example(
        {"C_min": _pos(1.0), "allocation": _obj(KAPLAN2020_ALLOCATION, published.KaplanAllocation, KAPLAN2020, "KaplanConstants"),
         "prefactor": _pos1(4e10), "exponent": Arg(0.26, "real1")},
        extra_valid=[{"prefactor": None, "exponent": None}]),
    "kaplan.breakdown_point": Example(
        {"constants": _constants(), "allocation": _obj(KAPLAN2020_ALLOCATION, published.KaplanAllocation, KAPLAN2020,
                                                       "KaplanConstants"),
         "scale": _pos1(3.1e8, optional=True), "data_prefactor": _pos1(4e10), "data_exponent": Arg(0.26, "real1")},
        domain_errors=("do not cross",), extra_valid=[{"data_prefactor": None, "data_exponent": None}]),
    "kaplan.isoflop_minima": Example(
        {"runs": _frame(RUNS, budget="positive", N="positive", loss="positive"), "window": _pos1(2.0),
         "min_points": _count(3, 3, 7)},
        domain_errors=("within the window", "convex", "parabolic")),
    "kaplan.extrapolation_errors": Example(
        {"N": _pos1(1e8), "last_step": _pos1(2e4), "noise": Arg(0.005, "range", lo=0.0, hi=1.0),
         "seeds": _count(2, 1, 3), "first_step": _pos1(2e3), "points": _count(8, 4, 12),
         "horizon": _pos1(2.5e5), "params": _ns()},
        domain_errors=("larger than first_step", "could not be fitted"), valid_examples=6),
    "kaplan.naive_crossing": Example({"constants": _constants()}, domain_errors=("parallel",)),
    # ------------------------------------------------------------ chinchilla
    "chinchilla.select_isoflop_runs": Example(
        {"runs": _frame(RUNS, N="positive", C="positive", loss="positive"),
         "budgets": _pos(np.array(chinchilla.ISOFLOP_BUDGETS)), "rtol": Arg(0.07, "range", lo=0.0, hi=0.5, open=(True, True))}),
    "chinchilla.isoflop_profiles": Example(
        {"runs": _frame(RUNS, N="positive", C="positive", loss="positive"),
         "budgets": _pos(np.array(chinchilla.ISOFLOP_BUDGETS)), "rtol": Arg(0.07, "range", lo=0.0, hi=0.5, open=(True, True))},
        domain_errors=("at least 2", "convex", "minimum at")),
    "chinchilla.AllocationFit.N_opt": Example({"C": _pos(5.76e23)}, bound=ALLOC_FIT),
    "chinchilla.AllocationFit.compute_for_params": Example({"N": _pos(7e10)}, bound=ALLOC_FIT),
    "chinchilla.fit_allocation": Example(
        {"C": _pos(np.array([1e19, 1e20, 1e21])), "N_opt": _pos(np.array([4e8, 1.2e9, 4e9])),
         "D_opt": _pos(np.array([4e9, 1.4e10, 4.2e10]))},
        shapes=[("C", "N_opt"), ("C", "D_opt")], domain_errors=("distinct", "at least 2"),
        extra_valid=[{"C": [1e19, 1e21], "N_opt": [4e8, 4e9], "D_opt": [4e9, 4.2e10]}],
        nonfinite_ok=lambda path: path.endswith("_se")),  # documented: no standard errors from 2 budgets
    "chinchilla.isoflop_bootstrap": Example(
        {"runs": _frame(RUNS, N="positive", C="positive", loss="positive"),
         "budgets": _pos(np.array(chinchilla.ISOFLOP_BUDGETS)), "rtol": Arg(0.07, "range", lo=0.0, hi=0.5, open=(True, True)),
         "n_resamples": _count(5, 1, 8), "seed": _count(0, 0, 10**9), "fraction": Arg(0.8, "range", lo=0.0, hi=1.0,
                                                                                   open=(True, False))},
        domain_errors=("at least 2", "convex"), valid_examples=4),
    "chinchilla.envelope": Example({"runs": _frame(ENV_RUNS, N="positive", budget="positive", loss="positive"),
                                    "n_grid": _count(10, 2, 50)}),
    "chinchilla.setting_exponents": Example(
        {"runs": _frame(RUNS, setting="any", budget="positive", N="positive", loss="positive"),
         "window": _count(5, 3, 7)}, extra_valid=[{"runs": RUNS[RUNS["budget"] <= chinchilla.ISOFLOP_BUDGETS[1]]}],
        nonfinite_ok=lambda path: "['a_se']" in path),  # documented: no standard error from 2 budgets
    "chinchilla.allocation_table": Example(
        {"N": _pos(np.array([1e9, 7e10])),
         "allocation": _obj(HOFFMANN2022, (ChinchillaLaw, chinchilla.AllocationFit), KAPLAN2020, "KaplanConstants",
                            strategy=st.sampled_from([HOFFMANN2022, ALLOC_FIT]))}),
    "chinchilla.log_residuals": Example(
        {"law": _law(LAW), "N": _pos(FIT_N), "D": _pos(FIT_D), "L": _pos(FIT_L)}, shapes=[("N", "D"), ("N", "L")]),
    "chinchilla.likelihood_ratio_test": Example(
        {"null": _law(HOFFMANN2022), "alternative": _law(LAW), "N": _pos(FIT_N), "D": _pos(FIT_D), "L": _pos(FIT_L),
         "df": _count(5, 1, 14)}, shapes=[("N", "D"), ("N", "L")], domain_errors=("at least", "exactly")),
    "chinchilla.runs_needed": Example({"width": _pos1(0.04), "target_width": _pos1(0.01),
                                       "n_runs": _count(100, 1, 10**12, extreme=[10**300])}),
    # Porian et al.'s estimator (n_resamples: their minimum 20, and few values, as porian_fits caches each)
    "chinchilla.SplineOptimaFit.exponent_interval": Example({"level": Arg(0.95, "range", lo=0.0, hi=1.0, open=(True, True))}, bound=SPLINE_FIT),
    "chinchilla.SplineOptimaFit.token_exponent_interval": Example({"level": Arg(0.95, "range", lo=0.0, hi=1.0, open=(True, True))}, bound=SPLINE_FIT),
    "chinchilla.SplineOptimaFit.N_opt_at": Example({"C": _pos1(5.76e23), "level": Arg(0.95, "range", lo=0.0, hi=1.0, open=(True, True))}, bound=SPLINE_FIT),
    "chinchilla.SplineOptimaFit.tokens_per_parameter_at": Example({"C": _pos1(5.76e23), "level": Arg(0.95, "range", lo=0.0, hi=1.0, open=(True, True))},
                                                                  bound=SPLINE_FIT),
    "chinchilla.fit_spline_optima": Example(
        {"runs": _frame(SPLINE_RUNS, budget="positive", N="positive", loss="positive"), "noise_sd": _pos1(0.002),
         "n_resamples": _count(20, 20, 24), "seed": _count(0, 0, 10**9), "setting": Arg("s", "text"),
         "loss": Arg("train", "text")},
        domain_errors=("seed noise must be small", "at least 2 budgets"), valid_examples=6),
    "chinchilla.porian_fits": Example({"which": Arg("rw", "text", choices=("rw",)), "n_resamples": _count(20, 20, 21),
                                       "seed": _count(0, 0, 1)}, valid_examples=4),
    "chinchilla.porian_exponents": Example({"which": Arg("rw", "text", choices=("rw",)),
                                            "n_resamples": _count(20, 20, 21), "seed": _count(0, 0, 1)},
                                           valid_examples=4),
    "chinchilla.porian_file_exponents": Example({"which": Arg("rw", "text", choices=("rw",)), "C": _pos1(5.76e23)}),
    "chinchilla.replication_resamples": Example({"n_resamples": _count(2, 1, 3), "seed": _count(42, 0, 2**32 - 1)}),
    "chinchilla.rounding_failures": Example(
        {"N": _pos(np.array([4e8, 7e10])), "flops": _pos(np.array([1.92e19, 5.76e23])),
         "tokens": _pos(np.array([8e9, 1.4e12]))}, shapes=[("N", "flops"), ("N", "tokens")]),
    "chinchilla.rounding_band": Example(
        {"law": _law(DEVRIES2023), "N": _pos(np.array([4e8, 1e13])),
         "exponent_step": Arg(5e-4, "nonneg1"), "scale_step": Arg(0.05, "nonneg1")},
        domain_errors=("must be smaller than",)),
    # ------------------------------------------------------------ devries
    "devries.asymptote": Example({"law": _law()}),
    "devries.data_factor": Example({"k_N": _pos(0.5), "law": _law()}, domain_errors=("asymptote",)),
    "devries.compute_overhead": Example({"k_N": _pos(0.5), "law": _law()}, domain_errors=("asymptote",)),
    "devries.overhead_curve": Example({"k_N": _pos(np.linspace(0.05, 2, 5)), "law": _law()},
                                      nonfinite_ok=lambda path: True),  # documented: inf at/below the asymptote
    "devries.critical_model_size": Example({"law": _law(), "overhead": _pos1(1.0)}),
    "devries.optimum_term_ratio": Example({"C": _pos(5.76e23), "law": _law()}),
    "devries.data_factor_at_budget": Example({"k_N": _pos(0.5), "C": _pos(5.76e23), "law": _law()},
                                             shapes=[("k_N", "C")], domain_errors=("asymptote",)),
    "devries.ShrunkModel.as_dict": Example({}, bound=devries.shrunk_model(0.5, 5.76e23, DEVRIES2023)),
    "devries.shrunk_model": Example({"k_N": _pos1(0.5), "C": _pos1(5.76e23), "law": _law()},
                                    domain_errors=("asymptote",)),
    "devries.nearest_shrunk_model": Example({"N": _pos1(7e9), "D": _pos1(1e12), "law": _law()}),
    "devries.compute_for_loss": Example({"L": _pos(2.0), "law": _law()}, domain_errors=("irreducible",)),
    "devries.Placement.as_dict": Example({}, bound=devries.shrink(7e9, 1e12, DEVRIES2023)),
    "devries.shrink": Example({"N": _pos1(7e9), "D": _pos1(1e12), "law": _law()}),
    "devries.same_budget_placement": Example({"N": _pos1(7e9), "D": _pos1(1e12), "law": _law()},
                                             domain_errors=("asymptote", "above the largest double")),
    "devries.best_model_fraction": Example(
        {"inference_ratio": Arg(1.0, "nonneg"), "law": _law(), "train_flops_per_token": _pos1(6.0),
         "inference_flops_per_token": _pos1(2.0)}, valid_examples=6),
    "devries.inference_ratio_for_fraction": Example(
        {"k_N": Arg(0.5, "pos", bad=[(2.0, "2")]), "law": _law(), "train_flops_per_token": _pos1(6.0),
         "inference_flops_per_token": _pos1(2.0)}, domain_errors=("asymptote", "at most 1")),
    "devries.InferencePlan.as_dict": Example({}, bound=devries.optimal_with_inference(2.0, 1e13, DEVRIES2023)),
    "devries.optimal_with_inference": Example(
        {"loss": _pos1(2.0), "inference_tokens": Arg(1e13, "nonneg1"), "law": _law(), "train_flops_per_token": _pos1(6.0),
         "inference_flops_per_token": _pos1(2.0)}, domain_errors=("irreducible",), valid_examples=6),
    # ------------------------------------------------------------ report
    "report.fmt": Example(
        {"value": Arg(0.95, "fixed", bad=[(True, "True"), (1 + 2j, "complex"), (np.array([1.0, 2.0]), "array"),
                                          (datetime.datetime(2020, 1, 1), "date"), (np.datetime64("2020-01-01"), "date")],
                      extreme=[NAN, INF, -INF, None, "text", 0.0, SUB, -HUGE, 10**400],
                      strategy=st.one_of(st.none(), st.text(max_size=4), st.floats())),
         "digits": _count(4, 1, 17, upper=17)},
        nonfinite_ok=lambda path: True, domain_errors=("1.8e308",)),
    "report.Row": Example(
        {"quantity": Arg("q", "text"), "paper": Arg(1.0, "real1", optional=True), "reproduced": Arg(1.01, "real1"),
         "rtol": Arg(0.1, "nonneg1", optional=True), "atol": Arg(None, "nonneg1", optional=True)},
        nonfinite_ok=lambda path: path.endswith(".rel_diff")),  # documented: NaN without a (nonzero) paper value
    "report.compare": Example({"rows": Arg(ROWS, "rows"), "digits": _count(4, 1, 17, upper=17)}),
    "report.format_table": Example({"rows": Arg(ROWS, "rows"), "digits": _count(4, 1, 17, upper=17),
                                    "reference": Arg("paper", "text"), "computed": Arg("reproduced", "text")}),
    "report.check": Example({"rows": Arg(ROWS, "rows", strategy=st.lists(
        st.builds(report.Row, st.text(max_size=3), st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
                  st.floats(allow_nan=False, allow_infinity=False)), min_size=1, max_size=3))}),
    "report.comparison": Example(
        {"rows": Arg(ROWS, "rows"), "digits": _count(4, 1, 17, upper=17), "reference": Arg("paper", "text"),
         "computed": Arg("reproduced", "text"), "caption": Arg(None, "text", optional=True),
         "check": Arg(True, "fixed", bad=[(None, "None"), (1, "1"), ("yes", "yes")])}),
    "report.table": Example(
        {"data": Arg(pd.DataFrame({"C": [1e18, 1e20], "n": [3, 12345], "name": ["a", "b"]}), "fixed",
                     bad=[(None, "None"), ("abc", "abc"), ({"C": [1.0]}, "dict"), (pd.DataFrame(), "(0, 0)"),
                          (pd.DataFrame({"C": [1 + 2j]}), "complex")]),
         "digits": Arg(4, "fixed", bad=[(0, "0"), (18, "18"), (2.5, "2.5"), (None, "None"), ({"nope": 2}, "nope"),
                                        ({"C": 0}, "0")], extreme=[1, 17, {"C": 1}]),
         "units": Arg({"C": "FLOPs"}, "fixed", bad=[("FLOPs", "FLOPs"), ({"nope": "x"}, "nope"), ({"C": 1}, "1")]),
         "formats": Arg(None, "fixed", bad=[("{:.1%}", "{:.1%}"), ({"C": 3}, "3"), ({"C": lambda v: 3}, "int")],
                        extreme=[{"C": "{:.1e}"}, {"n": lambda v: f"{v} runs"}]),
         "caption": Arg(None, "text", optional=True),
         "index": Arg(None, "fixed", bad=[("yes", "yes"), (1, "1")], extreme=[True, False])}),
    "report.Table.text": Example({}, bound=report.comparison(ROWS)),
    "report.Table.html": Example({}, bound=report.comparison(ROWS)),
    "report.Table.to_frame": Example({}, bound=report.comparison(ROWS)),
    # ------------------------------------------------------------ plotting
    "plotting.style": Example({}),
    "plotting.apply": Example({}),
    "plotting.loglog_axes": Example({"ax": Arg(_axes, "obj", factory=True), "xlabel": Arg("x", "text"),
                                     "ylabel": Arg("y", "text"), "title": Arg(None, "text", optional=True)}),
    "plotting.figure": Example({"ncols": _count(1, 1, 3, upper=20), "nrows": _count(1, 1, 3, upper=20),
                                "width": Arg(None, "range", lo=1.0, hi=100.0, optional=True),
                                "height": Arg(None, "range", lo=1.0, hi=100.0, optional=True)}, valid_examples=4),
    "plotting.svg": Example({"fig": Arg(lambda: plt.figure(), "obj", factory=True)}),
    "plotting.narrow_svg": Example({"fig": Arg(lambda: plotting.figure(ncols=2)[0], "obj", factory=True)}),
    "plotting.plain_log_ticks": Example({"ax": Arg(_axes, "obj", factory=True, bad=[([], "empty")]),
                                         "axis": Arg("y", "text", choices=("x", "y", "both"))}),
    "plotting.math": Example({"symbol": Arg("N_opt", "text", bad=[("", "''")])}),
    "plotting.label": Example({"name": Arg("compute", "text"), "symbol": Arg("C", "text", optional=True),
                               "unit": Arg("FLOPs", "text", optional=True)}),
    # ------------------------------------------------------------ fitting (another branch fixes this module)
    # documented domains: starts alpha, beta >= 0 and log-prefactors e, a, b <= 700 (the fits' bounds);
    # the Huber threshold delta in [1e-8, 1e3]
    "fitting.start_grid": Example({**{name: Arg(np.array([0.5, 1.0]), "nonneg") for name in ("alpha", "beta")},
                                   **{name: Arg(np.array([0.5, 1.0]), "real", hi=700.0) for name in ("e", "a", "b")}}),
    "fitting.huber_objective": Example(
        {"theta": Arg(np.array([6.0, 7.0, 0.5, 0.35, 0.37]), "fixed", bad=[(np.zeros(4), "(4,)"), (None, "None"),
                                                                           (np.array([6.0, 7.0, NAN, 0.3, 0.3]), "nan")]),
         "N": _pos(FIT_N), "D": _pos(FIT_D), "L": _pos(FIT_L), "delta": DELTA},
        shapes=[("N", "D"), ("N", "L")], valid_examples=4),
    "fitting.huber_negative_log_likelihood": Example(
        {"params": Arg(FIT_PARAMS, "fixed", bad=[(np.zeros(5), "(5,)"), (None, "None"), (FIT_PARAMS * NAN, "nan"),
                                                 (np.r_[FIT_PARAMS[:5], 800.0], "800")]),
         "N": _pos(FIT_N), "D": _pos(FIT_D), "L": _pos(FIT_L), "delta": DELTA},
        shapes=[("N", "D"), ("N", "L")], valid_examples=4),
    "fitting.profile_negative_log_likelihood": Example(
        {"theta": Arg(np.array([6.0, 7.0, 0.5, 0.35, 0.37]), "fixed", bad=[(np.zeros(4), "(4,)"), (None, "None"),
                                                                           (np.array([6.0, 7.0, NAN, 0.3, 0.3]), "nan")]),
         "N": _pos(FIT_N), "D": _pos(FIT_D), "L": _pos(FIT_L), "delta": DELTA},
        shapes=[("N", "D"), ("N", "L")], valid_examples=4, domain_errors=("fits every run exactly",)),
    "fitting.fit_parametric_likelihood": Example(
        {"N": _pos(FIT_N, default_extremes=False, extreme=[FIT_N * 1e-300, FIT_N / FIT_N.max() * 1e300]), "D": _pos(FIT_D),
         "L": _pos(FIT_L, default_extremes=False, extreme=[FIT_L * 1e-300]), "delta": DELTA},
        shapes=[("N", "D"), ("N", "L")], valid_examples=0, domain_errors=("non-positive exponent",)),
    "fitting.fit_parametric": Example(
        {"N": _pos(FIT_N, extreme=[FIT_N * 1e-300]), "D": _pos(FIT_D), "L": _pos(FIT_L), "delta": DELTA,
         "grid": Arg(SMALL_GRID, "fixed", bad=[(np.zeros((3, 4)), "(3, 4)"), ("grid", "grid")]),
         "n_polish": _count(1, 1, 3), "schedule": Arg(((4, 2),), "fixed", bad=[(None, "None"), ("x", "x")]),
         "irls": Arg(False, "flag"), "profile": Arg(False, "flag")},
        shapes=[("N", "D")], valid_examples=0, domain_errors=("non-positive exponent",)),
    "fitting.fit_parametric_per_start": Example(
        {"N": _pos(FIT_N), "D": _pos(FIT_D), "L": _pos(FIT_L), "delta": DELTA,
         "grid": Arg(SMALL_GRID[:1], "fixed", bad=[(np.zeros((3, 4)), "(3, 4)")]),
         "analytic_gradient": Arg(True, "flag"), "reduction": Arg("sum", "text", choices=("sum", "mean"))},
        shapes=[("N", "D")], valid_examples=0, domain_errors=("non-positive exponent",)),
    # each call fits: the extremes of N, D, L and delta are swept on fit_parametric (the same checks)
    "fitting.bootstrap_parametric": Example(
        {"N": _pos(FIT_N, default_extremes=False), "D": _pos(FIT_D, default_extremes=False),
         "L": _pos(FIT_L, default_extremes=False, extreme=[FIT_L * 1e-300]),
         # n_resamples=None is the default 1,000 resamples: valid, and left to the unit tests (slow here)
         "n_resamples": _count(2, 1, 2, optional=True, default_extremes=False), "seed": _count(0, 0, 10**9, optional=True),
         "delta": Arg(1e-3, "range", lo=1e-8, hi=1e3, default_extremes=False),
         "fraction": Arg(1.0, "range", lo=0.0, hi=1.0, open=(True, False), optional=True, extreme=[np.float32(0.8)]),
         "resamples": Arg(None, "fixed", bad=[("abc", "abc"), (RESAMPLES.astype(float), "float64"),
                                              (RESAMPLES[0], "(16,)"), (RESAMPLES + 16, "31")])},
        valid_examples=0, extra_valid=[{"n_resamples": None, "fraction": None, "resamples": RESAMPLES}]),
    "fitting.BootstrapResult.laws": Example({}, bound=BOOT),
    "fitting.BootstrapResult.interval": Example(
        {"column": Arg("alpha", "text", choices=("alpha",)), "level": Arg(0.8, "range", lo=0.0, hi=1.0, open=(True, True))},
        bound=BOOT),
    # ------------------------------------------------------------ datasets (another branch fixes this module)
    "datasets.data_dir": Example({}),
    "datasets.fetch": Example({"name": Arg("svg_extracted_data.csv", "text", choices=("svg_extracted_data.csv",))}),
    "datasets.fetch_bytes": Example({"name": Arg("svg_extracted_data.csv", "text", choices=("svg_extracted_data.csv",))}),
    "datasets.chinchilla_runs": Example({"drop_highest_loss": _count(0, 0, 5, extreme=[240])}),
    "datasets.porian_settings": Example({"which": Arg("rw", "text", choices=("rw",))}),
    "datasets.porian_runs": Example({"which": Arg("rw", "text", choices=("rw",))}),
    "datasets.porian_optima": Example({"which": Arg("rw", "text", choices=("rw",))}),
    # ------------------------------------------------------------ planner (the CLI's closed forms, without SciPy)
    "planner.bisect": Example(
        {"f": Arg(lambda x: x - 0.25, "fixed", bad=[(None, "None"), ("abc", "abc")]), "lo": Arg(0.0, "real1"),
         "hi": Arg(1.0, "real1")}, domain_errors=("must be below hi", "must change sign")),
    "planner.asymptote": Example({"law": _law()}),
    "planner.data_factor": Example({"k_N": _pos1(0.5), "law": _law()}, domain_errors=("asymptote",)),
    "planner.compute_overhead": Example({"k_N": _pos1(0.5), "law": _law()}, domain_errors=("asymptote",)),
    "planner.critical_model_size": Example({"law": _law(), "overhead": _pos1(1.0)}),
    "planner.compute_for_loss": Example({"loss": _pos1(2.0), "law": _law()}, domain_errors=("irreducible",)),
    "planner.optimal": Example({"C": _pos1(5.76e23), "law": _law()}),
    "planner.optimal_for_loss": Example({"loss": _pos1(2.0), "law": _law()}, domain_errors=("irreducible",)),
    "planner.shrunk_model": Example({"k_N": _pos1(0.5), "C": _pos1(5.76e23), "law": _law()},
                                    domain_errors=("asymptote",)),
    "planner.shrink": Example({"N": _pos1(7e9), "D": _pos1(1e12), "law": _law()}),
    "planner.same_budget_placement": Example({"N": _pos1(7e9), "D": _pos1(1e12), "law": _law()},
                                             domain_errors=("asymptote",)),
    "planner.inference_ratio_for_fraction": Example(
        {"k_N": Arg(0.5, "pos1", bad=[(2.0, "2")]), "law": _law(), "train_flops_per_token": _pos1(6.0),
         "inference_flops_per_token": _pos1(2.0)}, domain_errors=("asymptote", "at most 1")),
    "planner.best_model_fraction": Example(
        {"inference_ratio": Arg(1.0, "nonneg1"), "law": _law(), "train_flops_per_token": _pos1(6.0),
         "inference_flops_per_token": _pos1(2.0)}),
    "planner.optimal_with_inference": Example(
        {"loss": _pos1(2.0), "inference_tokens": Arg(1e13, "nonneg1"), "law": _law(),
         "train_flops_per_token": _pos1(6.0), "inference_flops_per_token": _pos1(2.0)},
        domain_errors=("irreducible",)),
    "planner.extrapolation_warnings": Example(
        {"N": _pos(1e9, optional=True), "D": _pos(1e10, optional=True), "C": _pos(1e21, optional=True)}),
    "planner.hardware": Example(
        {"compute": _pos1(1e24), "peak_flops": _pos1(9.89e14),
         "utilisation": Arg(0.4, "range", lo=0.0, hi=1.0, open=(True, False)),
         "accelerators": _pos1(1024.0, optional=True, bad=[(0.5, "0.5")]), "price_per_hour": _pos1(2.5, optional=True)},
        domain_errors=("at least 1",)),
    # ------------------------------------------------------------ laws: saving a law
    "laws.ChinchillaLaw.to_json": Example({}, bound=HOFFMANN2022),
    "laws.ChinchillaLaw.from_dict": Example(
        {"data": Arg(HOFFMANN2022.as_dict(), "fixed", bad=[
            (None, "None"), ([1.0], "list"), ({"E": 1.69}, "missing"), ({**HOFFMANN2022.as_dict(), "Alpha": 1.0}, "Alpha"),
            ({**HOFFMANN2022.as_dict(), "beta": "0.28"}, "0.28"), ({**HOFFMANN2022.as_dict(), "beta": NAN}, "nan"),
            ({**HOFFMANN2022.as_dict(), "E": -1.0}, "-1"), ({**HOFFMANN2022.as_dict(), "A": True}, "True")])},
        names_argument=False),
    "laws.ChinchillaLaw.from_json": Example(
        {"text": Arg(HOFFMANN2022.to_json(), "fixed", bad=[
            (None, "None"), (b"{}", "bytes"), ("{", "JSON"), ("[1]", "list"), ('{"E": NaN}', "NaN"),
            ('{"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34}', "beta"),
            ('{"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 1e999}', "inf")])},
        names_argument=False),
    "cli.parse_number": Example(
        {"text": Arg("406.4", "fixed", bad=[("nan", "nan"), ("inf", "inf"), ("abc", "abc"), ("", "''"), ("7B", "7B"),
                                            ("50%", "50%"), (None, "None"), (7, "7")],
                   extreme=["-1e300", "0", "1e-300"])},
        error_types=(argparse.ArgumentTypeError, ValueError, TypeError), names_argument=False),
    "cli.parse_utilisation": Example(
        {"text": Arg("0.4", "fixed", bad=[("nan", "nan"), ("0", "0"), ("-0.4", "-0.4"), ("1.5", "1.5"), ("150%", "150%"),
                                          ("abc", "abc"), ("0.4K", "0.4K"), (None, "None"), (0.4, "0.4")],
                   extreme=["1", "100%", "1e-300"])},
        error_types=(argparse.ArgumentTypeError, ValueError, TypeError), names_argument=False),
    "cli.parse_count": Example(
        {"text": Arg("1024", "fixed", bad=[("nan", "nan"), ("0", "0"), ("0.5", "0.5"), ("2.5", "2.5"), ("abc", "abc"),
                                           (None, "None"), (8, "8")],
                   extreme=["1", "16K", "1e300"])},
        error_types=(argparse.ArgumentTypeError, ValueError, TypeError), names_argument=False),
    # ------------------------------------------------------------ cli (another branch fixes this module)
    "cli.build_parser": Example({}),
    "cli.parse_quantity": Example(
        {"text": Arg("7B", "fixed", bad=[("nan", "nan"), ("inf", "inf"), ("-1", "-1"), ("0", "0"), ("abc", "abc"),
                                         ("", "''"), ("7,5B", "7,5B"), ("7e9B", "7e9B"), ("5e-324", "5e-324"),
                                         (None, "None"), (7, "7")],
                   extreme=["1e-300", "1e300", "1.7976931348623157e308", "7,500,000,000"])},
        error_types=(argparse.ArgumentTypeError, ValueError, TypeError), names_argument=False),
    "cli.parse_fraction": Example(
        {"text": Arg("0.5", "fixed", bad=[("nan", "nan"), ("inf", "inf"), ("-0.5", "-0.5"), ("0", "0"), ("abc", "abc"),
                                          ("0.5K", "0.5K"), (None, "None"), (0.5, "0.5")],
                   extreme=["1e-300", "50%", "1e300"])},
        error_types=(argparse.ArgumentTypeError, ValueError, TypeError), names_argument=False),
}


def _check_main(example: Example) -> tuple[int, int, int, int, list[str]]:
    """``cli.main`` returns an exit status and prints; it never raises (the CLI shows no traceback)."""
    bad = [["plan", "--compute", "nan"], ["plan", "--compute", "5e-324"], ["plan", "--compute", "-1"],
           ["shrink", "--params", "7,5B", "--tokens", "15T"], ["shrink", "--params", "7e9B", "--tokens", "1T"],
           ["overhead", "--kn", "0.05", "--json"], ["plan", "-C", "1e24", "-C", "1e25"], ["nope"], []]
    # --kn may be repeated (documented in scaling.cli): it collects every value
    good = [["plan", "--compute", "5.76e23"], ["plan", "--compute", "1e300"], ["shrink", "--params", "1e-300",
                                                                                "--tokens", "1e12"],
            ["overhead", "--kn", "0.5", "--kn", "0.3"]]
    failures, clear, right = [], 0, 0
    for argv in bad + good:
        out, err = io.StringIO(), io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli.main(argv)
        except BaseException as exc:  # noqa: BLE001 - any escape is a traceback for the user
            failures.append(f"main({argv}) raised {type(exc).__name__}: {exc}")
            continue
        if argv in bad:
            if code == 2 and err.getvalue().strip() and "Traceback" not in err.getvalue():
                clear += 1
            else:
                failures.append(f"main({argv}) returned {code} (stderr {err.getvalue()[-120:]!r})")
        elif code not in (0, 2) or "Traceback" in err.getvalue():
            failures.append(f"main({argv}) returned {code}")
        else:
            right += 1
    return len(bad), clear, len(good), right, failures


EXAMPLES["cli.main"] = Example({"argv": Arg(["plan", "--compute", "5.76e23"], "fixed")}, custom=_check_main)

RECORDS = {
    # Results the library builds (their fields come from a computation); their methods are swept.
    "powerlaw.PowerLawFit", "kaplan.LearningCurveFit", "kaplan.ConvergenceComparison", "kaplan.BreakdownPoint",
    "chinchilla.AllocationFit", "chinchilla.LikelihoodRatio", "devries.ShrunkModel", "devries.Placement",
    "devries.InferencePlan", "units.ForwardFlops", "fitting.ParametricFit", "fitting.BootstrapResult",
    "fitting.LikelihoodFit", "chinchilla.SplineOptimaFit",
    # A registry entry describing a data file, built once in scaling.datasets.
    "datasets.DataFile",
    # A table of formatted strings, built by report.comparison() and report.table() (which the
    # sweep checks); its constructor checks its own fields (tests/test_report.py).
    "report.Table",
}

PENDING: dict[tuple[str, str], str] = {
    # Contract failures the sweep found in a module, each xfail(strict=True) until the module is fixed
    # (a pass then fails as XPASS, and the entry must go). Key: (name, test) with test one of "bad"
    # (explicit bad inputs), "valid" (valid and extreme inputs), "valid-hypothesis", "bad-hypothesis".
}


# ================================================================== running a call and judging it
@dataclasses.dataclass
class Tally:
    cases: int = 0
    clear: int = 0
    bad_cases: int = 0
    valid: int = 0
    right: int = 0


TALLY: dict[str, Tally] = collections.defaultdict(Tally)


@pytest.fixture(scope="module", autouse=True)
def _summary(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or not TALLY:
        return
    lines = ["", "contract sweep: cases tried per module (bad input -> clear error; valid input -> right answer)",
             f"{'module':12s} {'cases':>7s} {'bad':>7s} {'clear error':>12s} {'valid':>7s} {'right answer':>13s}"]
    total = Tally()
    for mod in sorted(TALLY):
        t = TALLY[mod]
        lines.append(f"{mod:12s} {t.cases:7d} {t.bad_cases:7d} {t.clear:12d} {t.valid:7d} {t.right:13d}")
        for f in dataclasses.fields(Tally):
            setattr(total, f.name, getattr(total, f.name) + getattr(t, f.name))
    lines.append(f"{'all':12s} {total.cases:7d} {total.bad_cases:7d} {total.clear:12d} {total.valid:7d} {total.right:13d}")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        for line in lines:
            reporter.write_line(line)


def _resolve(name: str) -> Callable[..., Any]:
    return public_callables()[name]


def _target(name: str, ex: Example) -> Callable[..., Any]:
    func = _resolve(name)
    if ex.bound is None:
        return func
    bound = ex.bound() if ex.factory_bound else ex.bound
    return getattr(bound, func.__name__)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Matplotlib state and figures are restored; warnings are errors only if they come from scaling."""
    with matplotlib.rc_context(), warnings.catch_warnings():
        warnings.filterwarnings("error", category=RuntimeWarning, module=r"scaling\..*")
        try:
            yield
        finally:
            plt.close("all")


def _call(name: str, ex: Example, kwargs: dict[str, Any]) -> Any:
    with _quiet():
        out = _target(name, ex)(**kwargs)
        if name == "plotting.style":
            with out:
                pass
        return out


def _valid_kwargs(ex: Example) -> dict[str, Any]:
    return {k: a.value() for k, a in ex.args.items()}


def _nonfinite(value: Any, path: str = "result", depth: int = 0) -> tuple[str, Any] | None:
    """The first NaN or infinity in a result: fields, columns, items and public properties."""
    if depth > 4 or value is None or isinstance(value, (bool, np.bool_, str, bytes, int, np.integer)):
        return None
    if isinstance(value, (float, np.floating)):
        return None if math.isfinite(value) else (path, value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "fc" and not np.isfinite(value).all():
            i = int(np.flatnonzero(~np.isfinite(value).ravel())[0])
            return f"{path}[{i}]", value.ravel()[i]
        return None
    if isinstance(value, pd.DataFrame):
        for col in value.columns:
            hit = _nonfinite(value[col].to_numpy(), f"{path}[{col!r}]", depth + 1) if value[col].dtype.kind in "fc" else None
            if hit:
                return hit
        return None
    if isinstance(value, pd.Series):
        return _nonfinite(value.to_numpy(), path, depth + 1) if value.dtype.kind in "fc" else None
    if isinstance(value, (tuple, list)):
        for i, v in enumerate(value):
            hit = _nonfinite(v, f"{path}[{i}]", depth + 1)
            if hit:
                return hit
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            hit = _nonfinite(v, f"{path}[{k!r}]", depth + 1)
            if hit:
                return hit
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            hit = _nonfinite(getattr(value, f.name), f"{path}.{f.name}", depth + 1)
            if hit:
                return hit
        for attr, prop in inspect.getmembers(type(value), lambda m: isinstance(m, property)):
            if attr.startswith("_"):
                continue
            try:
                v = getattr(value, attr)
            except ValueError:
                continue  # a property may refuse (e.g. a model without published tokens): a clear error
            hit = _nonfinite(v, f"{path}.{attr}", depth + 1)
            if hit:
                return hit
    return None


def judge_bad(name: str, ex: Example, arg: str, kwargs: dict[str, Any], token: str | float) -> str | None:
    """None if the call fails clearly; otherwise what is wrong."""
    shown = f"{name}({arg}={_short(kwargs[arg])})"
    try:
        out = _call(name, ex, kwargs)
    except ex.error_types as exc:
        msg = str(exc)
        problems = []
        if ex.names_argument and not names(msg, arg):
            problems.append(f"does not name {arg!r}")
        if token != "" and not shows(msg, token):
            problems.append(f"does not show the value ({token!r})")
        if ex.names_argument and not re.search(r"\bmust\b", msg):
            problems.append("does not say what is allowed ('must ...')")
        return f"{shown}: {type(exc).__name__} {', '.join(problems)}: {msg[:300]}" if problems else None
    except Exception as exc:  # noqa: BLE001
        return f"{shown}: raised {type(exc).__name__}: {str(exc)[:300]}"
    return f"{shown}: accepted, returned {_short(out)}"


def judge_valid(name: str, ex: Example, kwargs: dict[str, Any], swept: str | None) -> str | None:
    """None if a valid call gives a finite result or a clear error that the contract allows."""
    shown = f"{name}({', '.join(f'{k}={_short(v)}' for k, v in kwargs.items() if k == swept or swept is None)})"
    try:
        out = _call(name, ex, kwargs)
    except ValueError as exc:
        msg = str(exc)
        allowed = ("representable",) + ex.domain_errors
        if not any(p in msg for p in allowed):
            return f"{shown}: ValueError on valid input: {msg[:300]}"
        if swept is not None and ex.names_argument and not names(msg, swept) and "representable" in msg:
            return f"{shown}: the error does not name {swept!r}: {msg[:300]}"
        return None
    except Exception as exc:  # noqa: BLE001
        return f"{shown}: raised {type(exc).__name__}: {str(exc)[:300]}"
    hit = _nonfinite(out)
    if hit is not None and not (ex.nonfinite_ok and ex.nonfinite_ok(hit[0])):
        return f"{shown}: {hit[0]} = {hit[1]}"
    return None


def _short(v: Any) -> str:
    if isinstance(v, pd.DataFrame):
        return f"DataFrame({len(v)} rows)"
    r = repr(v)
    return r if len(r) < 70 else r[:67] + "..."


def _record(name: str, bad: bool, failure: str | None) -> None:
    t = TALLY[name.split(".")[0]]
    t.cases += 1
    if bad:
        t.bad_cases += 1
        t.clear += failure is None
    else:
        t.valid += 1
        t.right += failure is None


def _params(name: str, ex: Example) -> list[str]:
    func = _resolve(name)
    sig = inspect.signature(func)
    skip = {"self", "cls"}
    return [p.name for p in sig.parameters.values()
            if p.name not in skip and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]


def _marked(kind: str) -> list[Any]:
    out = []
    for name in sorted(EXAMPLES):
        reason = PENDING.get((name, kind))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(name, marks=marks, id=name))
    return out


@pytest.fixture(scope="module", autouse=True)
def _small_start_grid() -> Iterator[None]:
    """Fits inside the sweep start from 4 points instead of Hoffmann et al.'s 4,500 (speed only:
    the arguments take the same paths through the checks)."""
    saved = fitting.PAPER_GRID
    fitting.PAPER_GRID = SMALL_GRID
    yield
    fitting.PAPER_GRID = saved


# ================================================================== the tests
def test_every_public_callable_has_an_example() -> None:
    api = public_callables()
    missing = []
    for name, obj in sorted(api.items()):
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            continue
        if name in RECORDS:
            continue
        if name not in EXAMPLES:
            missing.append(f"add an example for {name}")
            continue
        params = set(_params(name, EXAMPLES[name])) if EXAMPLES[name].custom is None else set()
        given_ = set(EXAMPLES[name].args) if EXAMPLES[name].custom is None else set()
        if params != given_:
            missing.append(f"add an example for {name}: its parameters are {sorted(params)}, "
                           f"the example gives {sorted(given_)}")
    stale = sorted(set(EXAMPLES) - set(api))
    assert not missing, "\n".join(missing)
    assert not stale, f"examples for names that are not public: {stale}"


@pytest.mark.parametrize("name", _marked("bad"))
def test_bad_inputs_raise_clear_errors(name: str) -> None:
    ex = EXAMPLES[name]
    if ex.custom is not None:
        bad, clear, valid, right, failures = ex.custom(ex)
        t = TALLY[name.split(".")[0]]
        t.cases += bad + valid
        t.bad_cases += bad
        t.clear += clear
        t.valid += valid
        t.right += right
        assert not failures, "\n".join(failures)
        return
    failures = []
    for arg, a in ex.args.items():
        for value, token in bad_values(a):
            kwargs = _valid_kwargs(ex)
            kwargs[arg] = value
            failure = judge_bad(name, ex, arg, kwargs, token)
            _record(name, True, failure)
            if failure:
                failures.append(failure)
    for first, second in ex.shapes:
        kwargs = _valid_kwargs(ex)
        kwargs[first] = np.resize(np.atleast_1d(ex.args[first].value()), 3)
        kwargs[second] = np.resize(np.atleast_1d(ex.args[second].value()), 2)
        failure = judge_bad(name, ex, second, kwargs, "(2,)")
        if failure is None and not names(str(_error(name, ex, kwargs)), first):
            failure = f"{name}: a shape mismatch does not name {first!r}"
        _record(name, True, failure)
        if failure:
            failures.append(failure)
    assert not failures, f"{len(failures)} unclear failure(s):\n" + "\n".join(failures)


def _error(name: str, ex: Example, kwargs: dict[str, Any]) -> BaseException | None:
    try:
        _call(name, ex, kwargs)
    except BaseException as exc:  # noqa: BLE001
        return exc
    return None


@pytest.mark.parametrize("name", _marked("valid"))
def test_valid_and_extreme_inputs_give_right_answers(name: str) -> None:
    ex = EXAMPLES[name]
    if ex.custom is not None:
        pytest.skip("checked with its bad inputs")
    failures = []
    calls: list[tuple[dict[str, Any], str | None]] = [(_valid_kwargs(ex), None)]
    calls += [({**_valid_kwargs(ex), **extra}, None) for extra in ex.extra_valid]
    for arg, a in ex.args.items():
        for value in extreme_values(a):
            calls.append(({**_valid_kwargs(ex), arg: value}, arg))
    for kwargs, swept in calls:
        failure = judge_valid(name, ex, kwargs, swept)
        _record(name, False, failure)
        if failure:
            failures.append(failure)
    assert not failures, f"{len(failures)} failure(s) on valid input:\n" + "\n".join(failures)


@pytest.mark.parametrize("name", _marked("valid-hypothesis"))
def test_valid_domain_by_hypothesis(name: str) -> None:
    ex = EXAMPLES[name]
    if ex.custom is not None or ex.valid_examples == 0 or not ex.args:
        pytest.skip("no generated inputs for this callable (covered by the explicit lists)")
    failures: list[str] = []

    # Arguments that pair (ex.shapes) must broadcast: every fresh array of one call has one length,
    # that of the example's own arrays when it has some (they keep their shape), else 1 to 3.
    lengths = {a.value().shape for a in ex.args.values()
               if a.kind == "pos" and not a.factory and isinstance(a.value(), np.ndarray) and a.value().ndim}
    assert all(len(s) == 1 for s in lengths) and len({s[0] for s in lengths}) <= 1, (
        f"{name}: the example's arrays have shapes {lengths}; valid_strategy draws arrays of one length")

    @settings(HYPOTHESIS, max_examples=ex.valid_examples or HYPOTHESIS.max_examples)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        size = next(iter(lengths))[0] if lengths else data.draw(st.integers(1, 3), label="array length")
        kwargs = {arg: data.draw(valid_strategy(a, size), label=arg) for arg, a in ex.args.items()}
        for first, second in ex.shapes:  # a defect of the strategy, not of the function
            np.broadcast_shapes(np.shape(kwargs[first]), np.shape(kwargs[second]))
        failure = judge_valid(name, ex, kwargs, None)
        _record(name, False, failure)
        if failure and len(failures) < 5:
            failures.append(failure)

    run()
    assert not failures, "failure(s) on generated valid input:\n" + "\n".join(failures)


@pytest.mark.parametrize("name", _marked("bad-hypothesis"))
def test_bad_domain_by_hypothesis(name: str) -> None:
    ex = EXAMPLES[name]
    swept = [arg for arg, a in ex.args.items() if bad_strategy(a) is not None]
    if ex.custom is not None or not swept or ex.valid_examples == 0:
        pytest.skip("no generated bad inputs for this callable (covered by the explicit lists)")
    failures: list[str] = []

    @HYPOTHESIS
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        arg = data.draw(st.sampled_from(swept), label="argument")
        value = data.draw(bad_strategy(ex.args[arg]), label="value")
        kwargs = {**_valid_kwargs(ex), arg: value}
        failure = judge_bad(name, ex, arg, kwargs, token_of(value))
        _record(name, True, failure)
        if failure and len(failures) < 5:
            failures.append(failure)

    run()
    assert not failures, "unclear failure(s) on generated bad input:\n" + "\n".join(failures)


def _check_run(example: Example) -> tuple[int, int, int, int, list[str]]:
    """``cli.run`` refuses an ``argv`` that is not a list of strings, and otherwise never raises:
    bad command lines are the CLI's own message and status 2, as in the shell."""
    bad = ["plan --compute 1e24", None, math.nan, 3, ["plan", 1e24], ("plan", None), ["lab", "plan"],
           {"plan": "--compute"}, b"plan"]
    good = [["plan", "--compute", "5.76e23"], ("overhead", "--kn", "0.5"), ["plan", "--compute", "nan"],
            [], ["shrink", "-N", "7B", "-D", "1T", "--json"]]
    failures, clear, right = [], 0, 0
    for argv in bad:
        try:
            cli.run(argv)
        except (TypeError, ValueError) as exc:
            if "argv" in str(exc) and "must" in str(exc):
                clear += 1
            else:
                failures.append(f"run({argv!r}): unclear error {exc}")
        else:
            failures.append(f"run({argv!r}) did not refuse it")
    for argv in good:
        try:
            t = cli.run(argv)
        except BaseException as exc:  # noqa: BLE001
            failures.append(f"run({argv!r}) raised {type(exc).__name__}: {exc}")
            continue
        if t.status in (0, 2) and "Traceback" not in t.stderr and t.html() and t.text() == repr(t):
            right += 1
        else:
            failures.append(f"run({argv!r}) gave status {t.status}")
    return len(bad), clear, len(good), right, failures


EXAMPLES["cli.run"] = Example({"argv": Arg(["plan", "--compute", "5.76e23"], "fixed")}, custom=_check_run)
RECORDS.add("cli.Transcript")  # a record of one run, made by cli.run (which the sweep checks)
EXAMPLES["cli.Transcript.text"] = Example({}, bound=lambda: cli.run(["overhead", "--kn", "0.5"]),
                                          factory_bound=True)
EXAMPLES["cli.Transcript.html"] = Example({}, bound=lambda: cli.run(["overhead", "--kn", "0.5"]),
                                          factory_bound=True)


# ================================================================== lab_analysis (Part IV), appended
from scaling import lab_analysis  # noqa: E402

LAB_RUNS = lab_analysis.load_runs()
_LAB_COLUMNS = dict(budget="positive", N="positive", D="positive", C="positive", val_loss="positive",
                    seed="finite", d_model="positive", epochs="positive")
_LAB_ERRORS = ("no run of seed", "two seeds", "at least 2 budgets", "seed noise must be small",
               "not convex", "has its minimum", "at least 2 budgets with")
EXAMPLES.update({
    "lab_analysis.load_runs": Example({"name": Arg("sweep.csv", "text", choices=("sweep.csv",))}, valid_examples=2),
    "lab_analysis.profile_runs": Example(
        {"runs": _frame(LAB_RUNS, **_LAB_COLUMNS), "seed": _count(0, 0, 0, optional=True)},
        domain_errors=_LAB_ERRORS, valid_examples=6),
    "lab_analysis.tokens_at": Example({"C": _pos(1e12), "N": _pos(24576.0)}, shapes=[("C", "N")]),
    "lab_analysis.seed_noise": Example({"runs": _frame(LAB_RUNS, **_LAB_COLUMNS)}, domain_errors=_LAB_ERRORS,
                                       valid_examples=6),
    "lab_analysis.pooled_seed_noise": Example({"runs": _frame(LAB_RUNS, **_LAB_COLUMNS)},
                                              domain_errors=_LAB_ERRORS, valid_examples=6),
    "lab_analysis.parabola_optima": Example(
        {"runs": _frame(LAB_RUNS, **_LAB_COLUMNS), "seed": _count(0, 0, 0)}, domain_errors=_LAB_ERRORS,
        valid_examples=6),
    "lab_analysis.fit_exponents": Example(
        {"runs": _frame(LAB_RUNS, **_LAB_COLUMNS), "noise_sd": _pos1(0.007, default_extremes=False,
                                                                     extreme=[1e-9, 0.05]),
         "n_resamples": _count(20, 20, 24), "seed": _count(0, 0, 10**9),
         "level": Arg(0.95, "range", lo=0.0, hi=1.0, open=(True, True))},
        domain_errors=_LAB_ERRORS, valid_examples=4),
    "lab_analysis.frontier": Example({"runs": _frame(LAB_RUNS, **_LAB_COLUMNS)}, domain_errors=_LAB_ERRORS,
                                     valid_examples=6),
    "lab_analysis.throughput": Example(
        {"runs": _frame(LAB_RUNS, d_model="positive", N="positive", tokens_per_s="positive",
                        flops_per_s="positive", threads="positive"),
         "peak": _pos1(175e9)}, valid_examples=6),
})
RECORDS.add("lab_analysis.LabExponents")

# The sweep's tests were parametrized before these examples were added: run the same checks on them.
_LAB_NAMES = sorted(n for n in EXAMPLES if n.startswith("lab_analysis."))


@pytest.mark.parametrize("name", _LAB_NAMES)
def test_lab_analysis_bad_inputs_raise_clear_errors(name: str) -> None:
    test_bad_inputs_raise_clear_errors(name)


@pytest.mark.parametrize("name", _LAB_NAMES)
def test_lab_analysis_valid_and_extreme_inputs_give_right_answers(name: str) -> None:
    test_valid_and_extreme_inputs_give_right_answers(name)


@pytest.mark.parametrize("name", _LAB_NAMES)
def test_lab_analysis_valid_domain_by_hypothesis(name: str) -> None:
    test_valid_domain_by_hypothesis(name)


@pytest.mark.parametrize("name", _LAB_NAMES)
def test_lab_analysis_bad_domain_by_hypothesis(name: str) -> None:
    test_bad_domain_by_hypothesis(name)
