"""Fitting Hoffmann et al.'s parametric law (Approach 3), fast, and bootstrapping it.

The fit of Hoffmann et al. (2022), Appendix D.2, as replicated by Besiroglu
et al. (2024): with ``A = e**a``, ``B = e**b``, ``E = e**e``, minimise over
``theta = (a, b, e, alpha, beta)``

.. math::
    \\sum_i \\mathrm{Huber}_\\delta\\big(\\mathrm{LSE}(a - \\alpha \\log N_i,\\;
    b - \\beta \\log D_i,\\; e) - \\log L_i\\big)

(``delta = 1e-3``; the Huber loss is **summed**, not averaged) by L-BFGS from a
grid of 4,500 starts and keep the best.

How this module makes that fast, and robust
-------------------------------------------
The straightforward method (:func:`fit_parametric_per_start`) calls
:func:`scipy.optimize.minimize` (L-BFGS-B) once per start. :func:`fit_parametric`
reaches the same optimum in four steps:

1. **Structured starts.** For fixed exponents the law is linear in ``(E, A, B)``,
   so ``_profile_starts`` scans ``(alpha, beta)`` on a 40 x 40 grid, solves for
   non-negative ``(E, A, B)`` by NNLS at each point, and adds the 8 best (distinct)
   points to the 4,500 grid starts. The objective's distant local minima differ in
   the exponents; this scan covers them exhaustively, where a sparse grid in five
   coordinates, pruned early, can miss the right one on a new data set.
2. **All starts at once.** The starts are advanced together as one
   ``(4508, 5)`` array by a damped Newton (Levenberg-Marquardt) iteration with
   the analytic gradient and Hessian of the objective, so each step costs a
   few array operations over ``4508 x n`` residuals instead of 4,508 Python
   calls. Each start keeps its own damping and only accepts steps that lower
   its own objective, so every start descends, as it would under L-BFGS.
3. **Prune.** Starts that converge together (same point to 1e-3 in every
   coordinate) are merged, and starts that fall far behind are dropped in
   stages (:data:`DEFAULT_SCHEDULE`): after 8 iterations the best 1,200
   distinct starts go on, after 16 the best 300, after 32 the best 80, which
   run up to 48 more iterations. On the Chinchilla runs about 145 of the
   4,500 grid starts end at the global optimum and the best of them ranks first
   from the 10th iteration on, so the pruning keeps it with a wide margin.
4. **Polish.** The best few basins, and the structured starts as they are, are each
   finished by SciPy's L-BFGS-B with the analytic gradient, tight tolerances and the
   bounds ``alpha, beta >= 0`` (the law's domain); the best result is kept.

The result is deterministic (no randomness anywhere). ``benchmarks/bench_fit.py`` times it
against the replication's own method (``benchmarks/replication_baseline.py``: one L-BFGS-B call per
start with a numerical gradient) on the 240 Chinchilla runs and checks that its objective is no
worse, to 1e-6 relative (it is 2.6e-8 lower; the README reports the run); the tests check it
against :func:`fit_parametric_per_start` on synthetic laws it was not tuned on (including one on
which the grid alone, pruned, lands in a local minimum twice as high). Pruning is a heuristic:
a start that is far behind after 8 iterations but would have overtaken every other
is dropped. Pass ``schedule=((200, 0),)`` to descend every start to the end.

Where the data cannot identify a term (an exponent whose best value is 0, or ``E``
traded against ``A`` along a valley as ``alpha -> 0``), the objective keeps falling
along a valley to the edge of the domain: any two methods stop at slightly different
points of it, and :func:`fit_parametric` raises if the best fit has an exponent at 0.
Where the design itself cannot pin the law down (fewer than 3 distinct model sizes or token
counts, or a flat direction at the optimum), the fit is returned with ``identifiable=False``
and ``converged=False`` and a :class:`NotIdentifiableWarning`.

The estimates Besiroglu et al. *report* come from another fit, by maximum likelihood under a
Huber density of the residuals with a fitted scale: :func:`fit_parametric_likelihood`.

The fits run with one BLAS thread (``threadpoolctl``): their linear algebra is on 5 x 5 systems
and vectors of a few hundred runs, where a second thread only adds waiting.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq, linprog, minimize, nnls
from scipy.special import logsumexp
from threadpoolctl import threadpool_limits

from ._validate import UnknownName, finite, positive, same_shape, show
from .laws import ChinchillaLaw

__all__ = [
    "ParametricFit",
    "BootstrapResult",
    "PAPER_GRID",
    "start_grid",
    "huber_objective",
    "fit_parametric",
    "fit_parametric_per_start",
    "bootstrap_parametric",
    "LikelihoodFit",
    "huber_negative_log_likelihood",
    "fit_parametric_likelihood",
    "DEFAULT_SCHEDULE",
    "NotIdentifiableWarning",
]

PARAM_NAMES = ("a", "b", "e", "alpha", "beta")
"""Order of the log-parameters in ``theta`` (``A = e**a``, ``B = e**b``, ``E = e**e``)."""


_NON_REAL = (complex, np.complexfloating, datetime.date, datetime.timedelta, np.datetime64, np.timedelta64)


def _reject_non_real(value: object, name: str) -> None:
    """TypeError for complex numbers, datetimes and time spans, which a float conversion would
    silently cast (a complex array loses its imaginary part) or misread."""
    if isinstance(value, _NON_REAL):
        raise TypeError(f"{name} must be a real number or an array of real numbers, got {show(value)}")
    try:
        kind = np.asarray(value).dtype.kind
    except (TypeError, ValueError):
        return  # ragged or otherwise unreadable: positive()/finite() say so, naming the argument
    if kind in "cmM":
        what = {"c": "complex numbers", "m": "time spans", "M": "datetimes"}[kind]
        raise TypeError(f"{name} must be real numbers, got an array of {what} (shape {np.shape(value)})")
    if kind == "O":
        for item in np.asarray(value, dtype=object).ravel():
            if isinstance(item, _NON_REAL):
                raise TypeError(f"{name} must be real numbers, got {show(item)} among them")


def _real_number(value: object, name: str, what: str) -> float:
    """A single real number (not a boolean, text, None, complex or datetime), finite; else raise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number ({what}), got {show(value)} of type {type(value).__name__}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite ({what}), got {show(value)}")
    return v


DELTA_RANGE: tuple[float, float] = (1e-8, 1e3)
"""Accepted Huber thresholds ``delta`` (on log-loss residuals). Below 1e-8 every fit is already a
least-absolute-deviations fit (residuals of real data are far larger) and the objective's scale
approaches rounding; above 1e3 every residual is in the quadratic part, a least-squares fit."""


def _check_delta(delta: object) -> float:
    d = _real_number(delta, "delta", "the Huber threshold on log-loss residuals")
    lo, hi = DELTA_RANGE
    if not lo <= d <= hi:
        raise ValueError(
            f"delta is the Huber threshold on log-loss residuals and must be between {lo:g} and {hi:g} "
            f"(the paper's 1e-3), got {show(delta)}"
        )
    return d


def _whole(value: object, name: str, minimum: int, what: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number >= {minimum} ({what}), got {show(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum} ({what}), got {show(value)}")
    return int(value)


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {show(value)}")
    return bool(value)


def start_grid(
    alpha: ArrayLike = np.arange(0.0, 2.01, 0.5),
    beta: ArrayLike = np.arange(0.0, 2.01, 0.5),
    e: ArrayLike = np.arange(-1.0, 1.01, 0.5),
    a: ArrayLike = np.arange(0.0, 25.01, 5.0),
    b: ArrayLike = np.arange(0.0, 25.01, 5.0),
) -> NDArray[np.float64]:
    """The grid of initialisations, one row ``(a, b, e, alpha, beta)`` per start.

    The defaults are Hoffmann et al.'s grid (Appendix D.2): ``alpha, beta`` in
    ``{0, 0.5, ..., 2}``, ``e`` in ``{-1, -0.5, ..., 1}``, ``a, b`` in
    ``{0, 5, ..., 25}``: 5 * 5 * 5 * 6 * 6 = 4,500 starts.

    Parameters
    ----------
    alpha, beta
        Starting exponents: a number or a non-empty one-dimensional array of finite numbers
        ``>= 0`` (the fits keep ``alpha, beta >= 0``, the law's domain).
    e, a, b
        Starting log-prefactors (``E = e**e``, ``A = e**a``, ``B = e**b``): a number or a
        non-empty one-dimensional array of finite numbers ``<= 700`` (``exp(700)`` is near the
        largest double; the fits keep the log-prefactors below it).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_starts, 5)``: every combination, columns ``(a, b, e, alpha, beta)``.

    Raises
    ------
    TypeError, ValueError
        If an argument is not numeric, is empty or has more than one dimension, or holds a
        value outside its domain (naming the argument).
    """
    axes = {}
    for name, value in (("a", a), ("b", b), ("e", e), ("alpha", alpha), ("beta", beta)):
        _reject_non_real(value, name)
        if (isinstance(value, np.ndarray) and value.size == 0) or (isinstance(value, (list, tuple)) and not value):
            raise ValueError(f"{name} must be a number or a non-empty one-dimensional array, got an empty array")
        arr = finite(value, name)
        if arr.ndim > 1:
            raise ValueError(f"{name} must be a number or a non-empty one-dimensional array, got shape {arr.shape}")
        if name in ("alpha", "beta") and (arr < 0).any():
            raise ValueError(f"{name} starts must be >= 0 (the law's exponents are non-negative), got {arr.min():g}")
        if name in ("a", "b", "e") and (arr > 700).any():
            raise ValueError(f"{name} starts are log-prefactors and must be at most 700, got {arr.max():g}")
        axes[name] = arr.ravel()
    rows = itertools.product(*axes.values())
    return np.array(list(rows), dtype=float).reshape(-1, 5)


PAPER_GRID: NDArray[np.float64] = start_grid()
"""Hoffmann et al.'s 4,500 starts, columns ``(a, b, e, alpha, beta)``."""


def _one_blas_thread(fn):
    """Run ``fn`` with one BLAS thread (threadpoolctl): the fit's linear algebra works on 5 x 5
    systems and vectors of a few hundred runs, where waking a second BLAS thread costs more than it
    saves, and on a busy machine several times more (``make benchmark`` times both)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return fn(*args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class ParametricFit:
    """Result of :func:`fit_parametric`.

    Attributes
    ----------
    law
        The fitted :class:`~scaling.laws.ChinchillaLaw` (losses in the units of ``L``).
    objective
        The **summed** Huber loss of the log-residuals at the optimum (dimensionless).
    theta
        The optimum in log form ``(a, b, e, alpha, beta)``: ``A = e**a, B = e**b, E = e**e``.
    n_starts
        How many starts of the grid were tried (the 8 structured starts of ``profile`` come on top).
    n_basins
        How many distinct end points the starts converged to (after merging).
    converged
        Whether the reported law is *the* optimum: the polish ended at a stationary point
        (L-BFGS-B reported success, or the projected gradient vanishes, below 1e-6 of
        ``n * delta`` in every component) **and** the law is identifiable there.
    identifiable
        Whether the runs pin all five parameters down: N and D each take at least 3 distinct
        values, and no direction of the parameters leaves every prediction unchanged (the
        Jacobian of the predicted log-losses has a condition number below 1e8; 1e3 to 1e4 on
        well-spread designs, 1e16 or more where a direction is flat). If not, the law is one
        point of a valley of equally good fits, ``converged`` is False and the fit warns.
    """

    law: ChinchillaLaw
    objective: float
    theta: tuple[float, float, float, float, float] = field(default=(math.nan,) * 5)
    n_starts: int = 0
    n_basins: int = 0
    converged: bool = True
    identifiable: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.law, ChinchillaLaw):
            raise TypeError(f"law must be a ChinchillaLaw, got {self.law!r}")
        objective = _real_number(self.objective, "objective", "the summed Huber loss, >= 0")
        if objective < 0:
            raise ValueError(f"objective is a summed Huber loss and must be >= 0, got {self.objective!r}")
        if len(self.theta) != 5:
            raise ValueError(f"theta must hold the 5 numbers (a, b, e, alpha, beta), got {self.theta!r}")
        _whole(self.n_starts, "n_starts", 0, "starts tried")
        _whole(self.n_basins, "n_basins", 0, "distinct end points")
        _flag(self.converged, "converged")
        _flag(self.identifiable, "identifiable")


class NotIdentifiableWarning(UserWarning):
    """The runs cannot pin down all five parameters of the law (see ``ParametricFit.identifiable``)."""


IDENTIFIABILITY_CONDITION: float = 1e8
"""Largest condition number of the Jacobian of the predicted log-losses (columns ``a, b, e, alpha,
beta``) for which a fit counts as identifiable. Well-spread designs give 1e3 to 1e4 (the 240
Chinchilla runs: 2e3); a design with a flat direction gives 1e16 or more."""


def _identifiability(t: NDArray[np.float64], x: NDArray[np.float64], z: NDArray[np.float64]) -> str | None:
    """Why the law at ``t`` is not identified by the design ``(log N, log D)``, or None if it is."""
    for name, v, term in (("N", x, "E + A/N^alpha"), ("D", z, "E + B/D^beta")):
        k = np.unique(v).size
        if k < 3:
            return (f"{name} takes only {k} distinct values, and {term} has three parameters: at least "
                    f"3 distinct values of {name} are needed")
    a, b, e, al, be = t
    u = np.stack([a - al * x, b - be * z, np.full_like(x, e)])
    p = np.exp(u - u.max(axis=0))
    p /= p.sum(axis=0)
    J = np.column_stack([p[0], p[1], p[2], -p[0] * x, -p[1] * z])
    sv = np.linalg.svd(J, compute_uv=False)
    cond = sv[0] / sv[-1] if sv[-1] > 0 else math.inf
    if not cond < IDENTIFIABILITY_CONDITION:
        return (f"a direction of the parameters leaves every prediction unchanged (the Jacobian's condition "
                f"number is {cond:.1e}; identifiable fits have below {IDENTIFIABILITY_CONDITION:.0e})")
    return None


def _warn_if_not_identifiable(reason: str | None, who: str) -> None:
    if reason is not None:
        warnings.warn(
            f"{who}: the runs cannot identify the law ({reason}); the reported parameters are one point of "
            "a valley of equally good fits, not an estimate (identifiable=False, converged=False)",
            NotIdentifiableWarning,
            stacklevel=3,
        )


# ----------------------------------------------------------------- objective
def _huber(r: NDArray[np.float64], delta: float) -> NDArray[np.float64]:
    ar = np.abs(r)
    return np.where(ar <= delta, 0.5 * r * r, delta * (ar - 0.5 * delta))


def _check_data(
    N: ArrayLike, D: ArrayLike, L: ArrayLike, min_points: int = 5, min_distinct: int = 2
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Validate the runs and return ``(log N, log D, log L)``.

    Each of N, D, L must be a one-dimensional array of finite positive real numbers, all of one
    length, with at least ``min_points`` runs; N and D must each take ``min_distinct`` distinct values.
    """
    arrays = {}
    for name, value in (("N", N), ("D", D), ("L", L)):
        _reject_non_real(value, name)
        arr = positive(value, name)
        if arr.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional (one value per run), got shape {arr.shape}")
        arrays[name] = arr
    same_shape(**arrays)
    n, d, loss = arrays["N"], arrays["D"], arrays["L"]
    if n.size < min_points:
        raise ValueError(
            f"N, D and L must hold at least {min_points} runs (one value each per run), got {n.size}"
        )
    for name, arr in (("N", n), ("D", d)):
        k = np.unique(arr).size
        if k < min_distinct:
            raise ValueError(
                f"{name} must take at least two distinct values, got {k} ({arr[0]:g}): with a single "
                f"{'model size' if name == 'N' else 'token count'} the exponent "
                f"{'alpha' if name == 'N' else 'beta'} cannot be identified"
            )
    return np.log(n), np.log(d), np.log(loss)


def _check_grid(grid: object) -> NDArray[np.float64]:
    if grid is None:
        return PAPER_GRID
    _reject_non_real(grid, "grid")
    starts = finite(grid, "grid")
    if starts.ndim != 2 or starts.shape[1] != 5 or starts.shape[0] < 1:
        raise ValueError(
            f"grid must have one row (a, b, e, alpha, beta) per start, at least one row, got shape {starts.shape}"
        )
    return starts


def _check_schedule(schedule: object) -> tuple[tuple[int, int], ...]:
    if isinstance(schedule, (str, bytes)) or not isinstance(schedule, (tuple, list)) or not schedule:
        raise TypeError(f"schedule must be a non-empty sequence of (iterations, keep) pairs, got {schedule!r}")
    out = []
    for stage in schedule:
        if not isinstance(stage, (tuple, list)) or len(stage) != 2:
            raise TypeError(f"schedule must hold (iterations, keep) pairs, got the stage {stage!r}")
        out.append((_whole(stage[0], "schedule iterations", 1, "iterations of a stage"),
                    _whole(stage[1], "schedule keep", 0, "starts kept after a stage; 0 keeps all")))
    return tuple(out)


def huber_objective(
    theta: ArrayLike, N: ArrayLike, D: ArrayLike, L: ArrayLike, delta: float = 1e-3
) -> float:
    """The summed Huber loss of Hoffmann et al.'s fit at ``theta = (a, b, e, alpha, beta)``.

    Parameters
    ----------
    theta
        Log-parameters ``(a, b, e, alpha, beta)`` with ``A = e**a``, ``B = e**b``, ``E = e**e``.
    N, D, L
        Parameters, tokens and final losses (nats per token) of the runs.
    delta
        Huber threshold on the log-loss residuals (dimensionless).

    Returns
    -------
    float
        ``sum_i Huber_delta(LSE(a - alpha log N_i, b - beta log D_i, e) - log L_i)``.
    """
    x, z, y = _check_data(N, D, L, min_points=1, min_distinct=1)
    d = _check_delta(delta)
    t = _check_theta(theta)
    value = float(_fun_grad(t, x, z, y, d, None)[0])
    if not math.isfinite(value):  # a prefactor so large that the law overflows
        raise ValueError(f"theta = {theta!r} predicts losses beyond floating point; use log-prefactors below 700")
    return value


def _check_theta(
    theta: object, size: int = 5, what: str = "(a, b, e, alpha, beta)", name: str = "theta"
) -> NDArray[np.float64]:
    _reject_non_real(theta, name)
    t = finite(theta, name)
    if t.shape != (size,):
        raise ValueError(f"{name} must hold the {size} numbers {what}, got shape {t.shape}")
    if not (t[:3] <= 700.0).all():
        raise ValueError(
            f"{name}'s log-prefactors (a, b, e) must be at most 700 (exp(700) is near the largest float), "
            f"got {', '.join(f'{v:g}' for v in t[:3])}"
        )
    return t


def _fun_grad(
    t: NDArray[np.float64],
    x: NDArray[np.float64],
    z: NDArray[np.float64],
    y: NDArray[np.float64],
    delta: float,
    w: NDArray[np.float64] | None,
) -> tuple[float, NDArray[np.float64]]:
    """Objective and analytic gradient for one ``theta`` (optionally weighted: bootstrap counts)."""
    a, b, e, al, be = t
    u = np.stack([a - al * x, b - be * z, np.full_like(x, e)])
    lse = logsumexp(u, axis=0)
    p = np.exp(u - lse)
    r = lse - y
    hp = np.clip(r, -delta, delta)
    h = _huber(r, delta)
    if w is not None:
        h = h * w
        hp = hp * w
    g = np.array(
        [
            np.dot(hp, p[0]),
            np.dot(hp, p[1]),
            np.dot(hp, p[2]),
            -np.dot(hp, p[0] * x),
            -np.dot(hp, p[1] * z),
        ]
    )
    return float(h.sum()), g


def _batch_fun(
    T: NDArray[np.float64],
    x: NDArray[np.float64],
    z: NDArray[np.float64],
    y: NDArray[np.float64],
    delta: float,
    W: NDArray[np.float64] | None,
) -> NDArray[np.float64]:
    """Objective for every row of ``T`` (shape ``(K, 5)``) at once; ``W`` is ``(K, n)`` or None."""
    u1 = T[:, 0:1] - T[:, 3:4] * x
    u2 = T[:, 1:2] - T[:, 4:5] * z
    u3 = np.broadcast_to(T[:, 2:3], u1.shape)
    m = np.maximum(np.maximum(u1, u2), u3)
    lse = m + np.log(sum(np.exp(np.maximum(u - m, -200.0)) for u in (u1, u2, u3)))
    h = _huber(lse - y, delta)
    if W is not None:
        h = h * W
    return h.sum(axis=1)


def _batch_newton_system(
    T: NDArray[np.float64],
    x: NDArray[np.float64],
    z: NDArray[np.float64],
    y: NDArray[np.float64],
    delta: float,
    W: NDArray[np.float64] | None,
    irls: bool = False,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Objective, gradient ``(K, 5)`` and Hessian ``(K, 5, 5)`` for every row of ``T``.

    With ``p`` the soft-max weights of the three LSE terms and ``r`` the
    residual, the gradient of ``LSE`` is ``g = (p1, p2, p3, -p1 x, -p2 z)`` and
    its Hessian ``sum_j p_j v_j v_j' - g g'`` (``v_1 = (1, 0, 0, -x, 0)``,
    ``v_2 = (0, 1, 0, 0, -z)``, ``v_3 = e_3``), so the objective's Hessian is
    ``sum_i [(h''_i - h'_i) g_i g_i' + h'_i sum_j p_ij v_ij v_ij']``. With ``irls=True``
    (an option of :func:`fit_parametric`), ``h''`` is replaced by the IRLS weight ``min(1, delta/|r|)``
    (Huber's own reweighting): equal to the true ``h'' = 1`` inside ``|r| <= delta``,
    and the secant ``h'(r)/r`` outside, where the true ``h'' = 0`` would give the
    nearly-L1 objective no curvature at all; the step is still only accepted if it
    lowers the exact objective. The exact Hessian (``irls=False``, the default)
    converges about twice as fast, and near an optimum much faster.
    """
    u1 = T[:, 0:1] - T[:, 3:4] * x
    u2 = T[:, 1:2] - T[:, 4:5] * z
    u3 = np.broadcast_to(T[:, 2:3], u1.shape)
    m = np.maximum(np.maximum(u1, u2), u3)
    # exp(-200) = 1e-87 is nothing next to 1 (the largest term), and clamping there keeps the
    # products below out of the subnormal range, where floating point is 100x slower
    e1, e2, e3 = (np.exp(np.maximum(u - m, -200.0)) for u in (u1, u2, u3))
    s = e1 + e2 + e3
    lse = m + np.log(s)
    p1, p2, p3 = e1 / s, e2 / s, e3 / s
    r = lse - y
    inside = np.abs(r) <= delta
    h = np.where(inside, 0.5 * r * r, delta * (np.abs(r) - 0.5 * delta))
    hp = np.clip(r, -delta, delta)
    # curvature of the Huber loss for the Newton model: IRLS weights min(1, delta/|r|) (exact
    # inside, and a secant slope h'(r)/r outside, where the true second derivative 0 would leave
    # the linear part of the loss without curvature)
    hpp = np.minimum(1.0, delta / np.maximum(np.abs(r), 1e-300)) if irls else inside.astype(float)
    if W is not None:
        h, hp, hpp = h * W, hp * W, hpp * W
    grad = np.empty((T.shape[0], 5))
    q1, q2, q3 = hp * p1, hp * p2, hp * p3
    grad[:, 0], grad[:, 1], grad[:, 2] = q1.sum(1), q2.sum(1), q3.sum(1)
    grad[:, 3], grad[:, 4] = -(q1 @ x), -(q2 @ z)
    # Gauss-Newton-like part: sum_i c_i g_i g_i' with c = h'' - h', entry by entry
    c = hpp - hp
    c11, c22, c33 = c * p1 * p1, c * p2 * p2, c * p3 * p3
    c12, c13, c23 = c * p1 * p2, c * p1 * p3, c * p2 * p3
    x2, z2, xz = x * x, z * z, x * z
    H = np.empty((T.shape[0], 5, 5))
    entries = {
        (0, 0): c11.sum(1),
        (0, 1): c12.sum(1),
        (0, 2): c13.sum(1),
        (0, 3): -(c11 @ x),
        (0, 4): -(c12 @ z),
        (1, 1): c22.sum(1),
        (1, 2): c23.sum(1),
        (1, 3): -(c12 @ x),
        (1, 4): -(c22 @ z),
        (2, 2): c33.sum(1),
        (2, 3): -(c13 @ x),
        (2, 4): -(c23 @ z),
        (3, 3): c11 @ x2,
        (3, 4): c12 @ xz,
        (4, 4): c22 @ z2,
    }
    for (i, j), v in entries.items():
        H[:, i, j] = v
        H[:, j, i] = v
    # the soft-max curvature of the LSE, weighted by h'
    s10, s11, s12 = grad[:, 0], q1 @ x, q1 @ x2
    s20, s21, s22 = grad[:, 1], q2 @ z, q2 @ z2
    H[:, 0, 0] += s10
    H[:, 0, 3] -= s11
    H[:, 3, 0] -= s11
    H[:, 3, 3] += s12
    H[:, 1, 1] += s20
    H[:, 1, 4] -= s21
    H[:, 4, 1] -= s21
    H[:, 4, 4] += s22
    H[:, 2, 2] += grad[:, 2]
    return h.sum(axis=1), grad, H


DEFAULT_SCHEDULE: tuple[tuple[int, int], ...] = ((8, 1200), (8, 300), (16, 80), (48, 80))
"""Stages of :func:`fit_parametric`'s batched descent: ``(iterations, starts kept after the stage)``."""


def _batch_descend(
    T: NDArray[np.float64],
    x: NDArray[np.float64],
    z: NDArray[np.float64],
    y: NDArray[np.float64],
    delta: float,
    W: NDArray[np.float64] | None = None,
    schedule: tuple[tuple[int, int], ...] = ((60, 0),),
    irls: bool = False,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Advance the rows of ``T`` by damped Newton (Levenberg-Marquardt) steps, all at once.

    Each row keeps its own damping ``lam``: a step is accepted only if it
    lowers that row's objective (then ``lam`` shrinks), otherwise it is
    rejected and ``lam`` grows, so each row descends monotonically.

    ``schedule`` is a sequence of stages ``(iterations, keep)``: after a stage,
    rows that converged onto the same point as a better row (to 1e-3) are
    merged, and only the ``keep`` best distinct rows go on (``keep=0``: all).
    Rows that stop are frozen where they are. Returns all rows, their objectives, and
    which rows were still moving when the iterations ran out (not converged).
    """
    T = T.copy()
    K = T.shape[0]
    lam = np.full(K, 1e-3)
    eye = np.eye(5)
    f, g, H = _batch_newton_system(T, x, z, y, delta, W, irls)
    active = np.ones(K, dtype=bool)
    for iterations, keep in schedule:
        for _ in range(iterations):
            idx = np.flatnonzero(active)
            if idx.size == 0:
                break
            Hi, gi = H[idx], g[idx]
            scale = np.maximum(np.abs(np.diagonal(Hi, axis1=1, axis2=2)), 1e-12)
            M = Hi + lam[idx, None, None] * (scale[:, :, None] * eye)
            try:
                step = -np.linalg.solve(M, gi[:, :, None])[:, :, 0]
            except np.linalg.LinAlgError:
                step = -gi / (lam[idx, None] * scale)
            step = np.where(np.isfinite(step), step, 0.0)
            cand = T[idx] + step
            fc = _batch_fun(cand, x, z, y, delta, None if W is None else W[idx])
            better = np.isfinite(fc) & (fc < f[idx])
            acc = idx[better]
            rej = idx[~better]
            gain = np.where(better, (f[idx] - fc) / np.maximum(np.abs(f[idx]), 1e-300), 0.0)
            T[acc] = cand[better]
            lam[acc] = np.maximum(lam[acc] / 3.0, 1e-9)
            lam[rej] = lam[rej] * 4.0
            # a row stops once its steps no longer change anything or its damping has blown up
            stalled = (better & (gain < 1e-12)) | (lam[idx] > 1e10)
            active[idx[stalled]] = False
            if acc.size:
                fa, ga, Ha = _batch_newton_system(T[acc], x, z, y, delta, None if W is None else W[acc], irls)
                f[acc], g[acc], H[acc] = fa, ga, Ha
        if keep:
            survivors = _distinct(T, f)[:keep]
            still = np.zeros(K, dtype=bool)
            still[survivors] = True
            active &= still
    return T, f, active


_BOUNDS: list[tuple[float | None, float | None]] = [(None, 700.0), (None, 700.0), (None, 700.0), (0.0, None), (0.0, None)]
"""Bounds of the polish: exponents alpha, beta >= 0 (the law's domain: the loss falls with N and D),
and log-prefactors below 700 (``exp(700)`` is near the largest float). On data that follow the law the
optimum is inside them, and they change nothing; they keep a start from running off to a point where
the law is not defined."""
_LOWER = np.array([-np.inf if lo is None else lo for lo, _ in _BOUNDS])
_UPPER = np.array([np.inf if hi is None else hi for _, hi in _BOUNDS])


def _polish(
    t0: NDArray[np.float64],
    x: NDArray[np.float64],
    z: NDArray[np.float64],
    y: NDArray[np.float64],
    delta: float,
    w: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], float, bool]:
    """Finish one start with SciPy's L-BFGS-B (analytic gradient, tight tolerances, :data:`_BOUNDS`)."""
    t0 = np.clip(t0, _LOWER, _UPPER)
    res = minimize(
        _fun_grad,
        t0,
        args=(x, z, y, delta, w),
        jac=True,
        method="L-BFGS-B",
        bounds=_BOUNDS,
        options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-12},
    )
    t = np.asarray(res.x, dtype=float)
    f = float(res.fun)
    f0, g0 = _fun_grad(t0, x, z, y, delta, w)
    if not np.isfinite(f) or f > f0:
        return t0.copy(), float(f0), _stationary(t0, g0, x.size, delta)
    # with ftol 1e-14 L-BFGS-B often ends on a failed line search *at* the optimum (no step can
    # lower the objective in floating point); a vanishing projected gradient says it is there
    return t, f, bool(res.success) or _stationary(t, np.asarray(res.jac, dtype=float), x.size, delta)


def _stationary(t: NDArray[np.float64], g: NDArray[np.float64], n: int, delta: float) -> bool:
    """Whether the projected gradient vanishes: every component below 1e-6 of its scale ``n * delta``
    (a component pushing a coordinate below its lower bound in :data:`_BOUNDS` does not count)."""
    g = g.copy()
    g[(t <= _LOWER) & (g > 0.0)] = 0.0
    return bool(np.max(np.abs(g)) <= 1e-6 * n * delta)


def _scaled_columns(
    log_size_term: NDArray[np.float64], y: NDArray[np.float64], inv_l: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Rows ``exp(log_size_term) / L`` and the log of the factor each row was divided by.

    A row whose values stay within ``exp(+-700)`` is computed as it is (factor 1, shift 0); a row
    that would overflow or underflow is divided by its largest value (computed in log space)."""
    plain = (np.abs(log_size_term).max(axis=1) < 700.0) & (np.abs(log_size_term - y).max(axis=1) < 700.0)
    shift = np.where(plain, 0.0, (log_size_term - y).max(axis=1))
    with np.errstate(over="ignore", under="ignore"):  # only the rows kept as they are use the product
        direct = np.exp(log_size_term) * inv_l
        scaled = np.exp(log_size_term - y - shift[:, None])
    return np.where(plain[:, None], direct, scaled), shift


def _profile_starts(
    x: NDArray[np.float64], z: NDArray[np.float64], y: NDArray[np.float64], n_grid: int = 40, keep: int = 8
) -> NDArray[np.float64]:
    """Starts from the structure of the law: linear in ``(E, A, B)`` once ``(alpha, beta)`` are fixed.

    For every ``(alpha, beta)`` on an ``n_grid x n_grid`` grid over ``[0.02, 2.5]^2``, the
    non-negative ``(E, A, B)`` that minimise the squared *relative* residuals
    ``sum_i ((E + A N_i^-alpha + B D_i^-beta) / L_i - 1)^2`` (a first-order stand-in for the
    log-residuals) are found by NNLS (:func:`scipy.optimize.nnls`). The ``keep`` best pairs,
    at least one grid step apart, become starts ``(a, b, e, alpha, beta)``. This searches the two
    exponents, where the objective has its distant local minima, exhaustively, and so finds basins
    that a grid of starts in all five coordinates can miss.
    """
    grid = np.linspace(0.02, 2.5, n_grid)
    inv_l = np.exp(-y)
    # Each column of the NNLS may be scaled (its coefficient takes the inverse scale): where a column
    # would leave the double range (sizes or tokens far from 1, e.g. N ~ 1e-300), it is divided by its
    # largest entry and the coefficient multiplied back in log space; elsewhere it is used as it is.
    X, shift_x = _scaled_columns(-grid[:, None] * x[None, :], y, inv_l)  # (n_grid, n): N^-alpha / L
    Z, shift_z = _scaled_columns(-grid[:, None] * z[None, :], y, inv_l)
    ones = np.ones_like(x)
    res = np.full((n_grid, n_grid), np.inf)
    coef = np.zeros((n_grid, n_grid, 3))
    for i in range(n_grid):
        for j in range(n_grid):
            M = np.column_stack([inv_l, X[i], Z[j]])
            try:
                c, r = nnls(M, ones)
            except RuntimeError:  # NNLS did not converge for this pair: skip it
                continue
            res[i, j], coef[i, j] = r, c
    order = np.argsort(res, axis=None)
    picked: list[tuple[int, int]] = []
    for k in order:
        i, j = divmod(int(k), n_grid)
        if not np.isfinite(res[i, j]):
            break
        if all(abs(i - p) > 1 or abs(j - q) > 1 for p, q in picked):
            picked.append((i, j))
        if len(picked) == keep:
            break
    floor = 1e-8  # NNLS may set a prefactor to 0; its log must be finite
    return np.array(
        [
            [math.log(max(coef[i, j, 1], floor)) - shift_x[i], math.log(max(coef[i, j, 2], floor)) - shift_z[j],
             math.log(max(coef[i, j, 0], floor)), grid[i], grid[j]]
            for i, j in picked
        ]
    ).reshape(-1, 5)


def _distinct(T: NDArray[np.float64], f: NDArray[np.float64], tol: float = 1e-3) -> NDArray[np.intp]:
    """Indices of the distinct end points, best objective first (points within ``tol`` merged)."""
    order = np.argsort(f, kind="stable")
    # whole numbers held as floats: a point that ran far off (beyond int64) stays a key; + 0.0 makes -0 equal 0
    keys = np.round(T[order] / tol) + 0.0
    _, first = np.unique(keys, axis=0, return_index=True)
    return order[np.sort(first)]


def _law(t: NDArray[np.float64], source: str) -> ChinchillaLaw:
    a, b, e, al, be = (float(v) for v in t)
    if not (al > 0 and be > 0):
        raise ValueError(
            f"the best fit has a non-positive exponent (alpha={al:.4g}, beta={be:.4g}): the losses do not "
            "fall with both N and D, so the law L = E + A/N^alpha + B/D^beta does not describe these data"
        )
    return ChinchillaLaw.from_log_params(a, b, e, al, be, source=source)


@_one_blas_thread
def fit_parametric(
    N: ArrayLike,
    D: ArrayLike,
    L: ArrayLike,
    delta: float = 1e-3,
    *,
    grid: ArrayLike | None = None,
    n_polish: int = 3,
    schedule: tuple[tuple[int, int], ...] = DEFAULT_SCHEDULE,
    irls: bool = False,
    profile: bool = True,
) -> ParametricFit:
    """Fit ``L = E + A/N**alpha + B/D**beta`` as Hoffmann et al. did (Approach 3), fast.

    Minimises the summed Huber loss of the log-loss residuals
    (:func:`huber_objective`) from every start of ``grid`` (plus the structured
    starts of ``profile``) and keeps the best; see the module docstring for the
    steps that make it fast.

    Parameters
    ----------
    N
        Parameters of each run (> 0).
    D
        Training tokens of each run (> 0).
    L
        Final loss of each run, nats per token (> 0).
    delta
        Huber threshold on log-loss residuals (dimensionless; the paper's 1e-3).
    grid
        Starts, one row ``(a, b, e, alpha, beta)`` each; default :data:`PAPER_GRID` (4,500 starts).
    n_polish
        How many of the best distinct basins are finished with L-BFGS-B.
    schedule
        Stages of the batched damped Newton, ``(iterations, starts kept after the stage)``;
        the default :data:`DEFAULT_SCHEDULE` runs all 4,500 starts for 8 iterations, keeps the
        best 1,200 distinct ones for 8 more, then 300 for 16, then 80 for up to 48 more.
    irls
        Model the Huber loss's curvature outside ``|r| <= delta`` by Huber's IRLS weights
        ``min(1, delta/|r|)`` instead of its exact value 0 in the batched search. About
        twice as slow; makes the search itself converge when ``delta`` is much smaller than
        the residuals (e.g. 1e-4 here), where otherwise the L-BFGS-B polish has to finish it.
    profile
        Add the 8 structured starts of the ``(alpha, beta)`` scan (module docstring, step 1).
        On by default; ``False`` runs the grid alone, as the paper did.

    Returns
    -------
    ParametricFit
        ``.law`` (a :class:`~scaling.laws.ChinchillaLaw`), ``.objective`` (summed Huber
        loss at the optimum), ``.theta``, ``.n_starts``, ``.n_basins``, ``.converged``.

    Raises
    ------
    ValueError
        If any value is non-positive or not finite, the arrays differ in length, there are
        fewer than 5 runs, or N or D takes a single value; or if the best fit has a
        non-positive exponent (the data do not follow the law).
    TypeError
        If an input is not numeric.

    Examples
    --------
    >>> import numpy as np
    >>> from scaling.laws import ChinchillaLaw
    >>> true = ChinchillaLaw(E=1.8, A=480.0, B=2100.0, alpha=0.35, beta=0.37)
    >>> N = np.repeat(np.geomspace(5e7, 1e10, 8), 6)
    >>> D = np.tile(np.geomspace(1e9, 3e11, 6), 8)
    >>> fit = fit_parametric(N, D, true.loss(N, D))
    >>> round(fit.law.alpha, 3), round(fit.law.beta, 3)
    (0.35, 0.37)
    """
    x, z, y = _check_data(N, D, L)
    d = _check_delta(delta)
    starts = _check_grid(grid)
    n_polish = _whole(n_polish, "n_polish", 1, "basins finished by L-BFGS-B")
    stages = _check_schedule(schedule)
    irls, profile = _flag(irls, "irls"), _flag(profile, "profile")
    extra = _profile_starts(x, z, y) if profile else np.empty((0, 5))
    T, f, _ = _batch_descend(np.vstack([starts, extra]), x, z, y, d, None, stages, irls=irls)
    basins = _distinct(T, f)
    # the best basins of the batched descent, and the structured starts polished as they are (the
    # batched descent can stall a start in a flat valley that L-BFGS-B crosses)
    candidates = [T[i] for i in basins[:n_polish]] + list(extra)
    best_t, best_f, ok = None, math.inf, False
    for t0 in candidates:
        t, fv, conv = _polish(t0, x, z, y, d)
        if fv < best_f:
            best_t, best_f, ok = t, fv, conv
    if best_t is None:
        raise ValueError("no start of grid reached a finite objective: the starts are outside the range "
                         "where the law can be evaluated (log-prefactors must stay below 700)")
    return _result(best_t, best_f, ok, x, z, "fit_parametric",
                   f"fit_parametric (Huber delta={d:g}, {starts.shape[0]} starts)", starts.shape[0], basins.size)


def _result(
    t: NDArray[np.float64], f: float, stationary: bool, x: NDArray[np.float64], z: NDArray[np.float64],
    who: str, source: str, n_starts: int, n_basins: int,
) -> ParametricFit:
    """The :class:`ParametricFit` at ``t``, with its identifiability checked (and warned about)."""
    law = _law(t, source=source)
    reason = _identifiability(t, x, z)
    _warn_if_not_identifiable(reason, who)
    return ParametricFit(
        law=law,
        objective=float(f),
        theta=tuple(float(v) for v in t),  # type: ignore[arg-type]
        n_starts=int(n_starts),
        n_basins=int(n_basins),
        converged=bool(stationary) and reason is None,
        identifiable=reason is None,
    )


@_one_blas_thread
def fit_parametric_per_start(
    N: ArrayLike,
    D: ArrayLike,
    L: ArrayLike,
    delta: float = 1e-3,
    *,
    grid: ArrayLike | None = None,
    analytic_gradient: bool = False,
    reduction: str = "sum",
) -> ParametricFit:
    """The straightforward method: one SciPy L-BFGS-B call per start, default tolerances.

    This is what Hoffmann et al. describe and Besiroglu et al. ran; it is kept as the
    reference the tests hold :func:`fit_parametric` to (``benchmarks/bench_fit.py`` times the
    replication's own code, ``benchmarks/replication_baseline.py``).
    Same parameters and result as :func:`fit_parametric`; ``analytic_gradient=False``
    lets SciPy difference the objective numerically, as the replication's code does.
    ``reduction="mean"`` minimises the average Huber loss instead of the sum (same minimiser
    in exact arithmetic; with default tolerances L-BFGS-B stops elsewhere). The returned
    ``objective`` is always the **summed** loss, so the two can be compared.
    """
    x, z, y = _check_data(N, D, L)
    d = _check_delta(delta)
    starts = _check_grid(grid)
    analytic_gradient = _flag(analytic_gradient, "analytic_gradient")
    if not isinstance(reduction, str):
        raise TypeError(f"reduction must be the text 'sum' or 'mean', got {reduction!r}")
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")
    w = None if reduction == "sum" else np.full(x.size, 1.0 / x.size)

    def fun(t: NDArray[np.float64]) -> float:
        return _fun_grad(t, x, z, y, d, w)[0]

    best_t, best_f, ok = None, math.inf, False
    for t0 in starts:
        if analytic_gradient:
            res = minimize(_fun_grad, t0, args=(x, z, y, d, w), jac=True, method="L-BFGS-B")
        else:
            res = minimize(fun, t0, method="L-BFGS-B")
        if np.isfinite(res.fun) and res.fun < best_f:
            best_t, best_f, ok = np.asarray(res.x, dtype=float), float(res.fun), bool(res.success)
    if best_t is None:
        raise ValueError("no start of grid reached a finite objective: the starts are outside the range "
                         "where the law can be evaluated (log-prefactors must stay below 700)")
    if w is not None:
        best_f = _fun_grad(best_t, x, z, y, d, None)[0]
    return _result(best_t, best_f, ok, x, z, "fit_parametric_per_start",
                   f"per-start L-BFGS-B ({starts.shape[0]} starts)", starts.shape[0], 0)


# ----------------------------------------------------------------- bootstrap
@dataclass(frozen=True)
class BootstrapResult:
    """Result of :func:`bootstrap_parametric`.

    Attributes
    ----------
    params
        One row per resample; columns ``E, A, B, alpha, beta, objective``
        (``objective``: the summed Huber loss on that resample).
    fit
        The fit on the full data that the resamples start from.
    seed
        The seed of the resampling (with ``seed=None``, the fresh entropy that was drawn, so that
        passing it back reproduces the run); None when the resamples were given explicitly.
    indices
        The resamples, one row of run indices (into the arrays passed) per resample.
    """

    params: pd.DataFrame
    fit: ParametricFit
    seed: int | None
    indices: NDArray[np.intp] = field(default_factory=lambda: np.empty((0, 0), dtype=np.intp),
                                      compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.params, pd.DataFrame):
            raise TypeError(f"params must be a pandas DataFrame, got {type(self.params).__name__}")
        missing = {"E", "A", "B", "alpha", "beta"} - set(self.params.columns)
        if missing:
            raise ValueError(f"params lacks the columns {sorted(missing)}")
        if not isinstance(self.fit, ParametricFit):
            raise TypeError(f"fit must be a ParametricFit, got {self.fit!r}")
        if self.seed is not None:
            _whole(self.seed, "seed", 0, "the seed of the resampling, or None")

    def laws(self) -> list[ChinchillaLaw]:
        """One :class:`~scaling.laws.ChinchillaLaw` per resample."""
        cols = ["E", "A", "B", "alpha", "beta"]
        origin = "given resamples" if self.seed is None else f"seed {self.seed}"
        return [
            ChinchillaLaw(*map(float, row), source=f"bootstrap resample {i} ({origin})")
            for i, row in enumerate(self.params[cols].to_numpy())
        ]

    def interval(self, column: str, level: float = 0.8) -> tuple[float, float]:
        """Central percentile interval of a column (``level=0.8``: the 10th and 90th percentiles)."""
        if not isinstance(column, str):
            raise TypeError(f"column must be a column name (text), got {show(column)}")
        if column not in self.params.columns:
            raise UnknownName(f"column must be one of {', '.join(self.params.columns)}; got {column!r}")
        lv = _real_number(level, "level", "the coverage of the interval, between 0 and 1")
        if not 0 < lv < 1:
            raise ValueError(f"level must be between 0 and 1 (exclusive), got {show(level)}")
        lo, hi = np.percentile(self.params[column], [50 * (1 - lv), 50 * (1 + lv)])
        return float(lo), float(hi)


def _check_resamples(resamples: object, n: int) -> NDArray[np.intp]:
    _reject_non_real(resamples, "resamples")
    try:
        arr = np.asarray(resamples)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"resamples must be an integer array of shape (n_resamples, size), got {show(resamples)}") from exc
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iu":
        got = show(resamples) if arr.ndim == 0 else f"an array of dtype {arr.dtype}"
        raise TypeError(
            f"resamples must hold run indices as integers (an integer array of shape (n_resamples, size)), got {got}"
        )
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 5:
        raise ValueError(
            f"resamples must have shape (n_resamples, size) with n_resamples >= 1 and size >= 5 (one row of run "
            f"indices per resample), got shape {arr.shape}"
        )
    if arr.min() < 0 or arr.max() >= n:
        raise ValueError(
            f"resamples must hold indices of the runs, 0 to {n - 1}, got values from {arr.min()} to {arr.max()}"
        )
    return arr.astype(np.intp)


def _check_seed(seed: object) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be a whole number >= 0 or None, got {show(seed)}")
    if seed < 0:
        raise ValueError(f"seed must be a whole number >= 0 or None, got {show(seed)}")
    return int(seed)


@_one_blas_thread
def bootstrap_parametric(
    N: ArrayLike,
    D: ArrayLike,
    L: ArrayLike,
    n_resamples: int | None = None,
    seed: int | None = 0,
    delta: float = 1e-3,
    *,
    fraction: float | None = None,
    resamples: ArrayLike | None = None,
) -> BootstrapResult:
    """Bootstrap Hoffmann et al.'s fit: refit on resamples of the runs drawn with replacement.

    The full data are fitted once with :func:`fit_parametric` (all 4,500 starts);
    each resample is then fitted from that optimum
    (resampling moves the optimum a little, not across the parameter space).
    All resamples are advanced together by the batched damped Newton of
    :func:`fit_parametric` (a resample is the objective with integer weights,
    the number of times each run was drawn) until each stops improving (relative
    gain below 1e-12); any resample still moving after 60 iterations is finished
    by L-BFGS-B.

    Parameters
    ----------
    N, D, L
        Parameters, tokens and final losses (nats per token) of the runs.
    n_resamples
        Number of bootstrap resamples (>= 1; default 1,000). Leave unset with ``resamples``.
    seed
        Seed of :func:`numpy.random.default_rng` (a whole number >= 0); the same seed gives the
        same result. ``None`` draws fresh entropy, recorded in the result's ``seed``.
    delta
        Huber threshold on log-loss residuals (between 1e-8 and 1e3; the paper's 1e-3).
    fraction
        Size of each resample as a fraction of the runs, in (0, 1] (default 1.0: the usual
        bootstrap; Hoffmann et al. resampled 80 %). Leave unset with ``resamples``.
    resamples
        Explicit resamples instead of drawing them: an integer array of shape
        ``(n_resamples, size)``, each row the indices (0 to ``len(N) - 1``) of the runs drawn,
        with ``size >= 5`` (e.g. someone else's resamples, to rerun their bootstrap).

    Returns
    -------
    BootstrapResult
        ``.params`` (DataFrame, one row per resample: ``E, A, B, alpha, beta, objective``),
        ``.laws()``, ``.interval(column, level)``, ``.indices`` (the resamples).

    Raises
    ------
    ValueError, TypeError
        For invalid runs (as :func:`fit_parametric`) or arguments, naming the argument; or if
        ``resamples`` is given together with ``n_resamples`` or ``fraction``.
    """
    x, z, y = _check_data(N, D, L)
    d = _check_delta(delta)
    n = x.size
    if resamples is not None:
        idx = _check_resamples(resamples, n)
        if n_resamples is not None or fraction is not None:
            raise ValueError(
                "give either resamples or n_resamples/fraction, not both: with resamples, n_resamples and fraction "
                "must be left unset, as the resamples fix how many there are and their size "
                f"(got n_resamples={show(n_resamples)}, fraction={show(fraction)})"
            )
        used_seed: int | None = None
    else:
        k = 1000 if n_resamples is None else _whole(n_resamples, "n_resamples", 1, "bootstrap resamples")
        frac = 1.0 if fraction is None else _real_number(fraction, "fraction", "share of the runs per resample")
        if not 0 < frac <= 1:
            raise ValueError(f"fraction is the share of the runs in each resample and must be in (0, 1], got {show(fraction)}")
        used_seed = _check_seed(seed)
        size = max(int(round(frac * n)), 5)
        idx = np.random.default_rng(used_seed).integers(0, n, size=(k, size))
    full = fit_parametric(np.exp(x), np.exp(z), np.exp(y), d)
    k, size = idx.shape
    W = np.zeros((k, n))
    np.add.at(W, (np.repeat(np.arange(k), size), idx.ravel()), 1.0)
    T0 = np.repeat(np.asarray(full.theta)[None, :], k, axis=0)
    T, f, moving = _batch_descend(T0, x, z, y, d, W, ((60, 0),), irls=False)
    rows = []
    for r in range(k):
        t, fv = T[r], float(f[r])
        if moving[r]:  # the batched descent ran out of iterations: let L-BFGS-B finish
            t, fv, _ok = _polish(T[r], x, z, y, d, W[r])
        a, b, e, al, be = t
        rows.append((math.exp(e), math.exp(a), math.exp(b), al, be, fv))
    params = pd.DataFrame(rows, columns=["E", "A", "B", "alpha", "beta", "objective"])
    return BootstrapResult(params=params, fit=full, seed=used_seed, indices=idx)


# ----------------------------------------------------------------- maximum likelihood
def _log_normaliser(delta: float) -> float:
    """``log`` of the integral of ``exp(-Huber_delta(u))`` over the real line.

    ``sqrt(2 pi) erf(delta / sqrt 2)`` from the quadratic part ``|u| <= delta`` and
    ``2 exp(-delta**2 / 2) / delta`` from the two linear tails."""
    return math.log(math.sqrt(2.0 * math.pi) * math.erf(delta / math.sqrt(2.0)) + 2.0 * math.exp(-0.5 * delta * delta) / delta)


def _residuals(t: NDArray[np.float64], x: NDArray[np.float64], z: NDArray[np.float64], y: NDArray[np.float64]):
    """Residuals ``r = LSE(...) - log L`` and their Jacobian ``(n, 5)`` in ``(a, b, e, alpha, beta)``."""
    a, b, e, al, be = t
    u = np.stack([a - al * x, b - be * z, np.full_like(x, e)])
    m = u.max(axis=0)
    ex = np.exp(u - m)
    s = ex.sum(axis=0)
    p = ex / s
    J = np.column_stack([p[0], p[1], p[2], -p[0] * x, -p[1] * z])
    return m + np.log(s) - y, J


def _nll(p: NDArray[np.float64], x, z, y, delta: float, log_z: float, hessian: bool = True):
    """Negative log-likelihood of the Huber density at ``p = (a, b, e, alpha, beta, log_scale)``,
    with its gradient and Hessian.

    With ``s = exp(log_scale)`` and ``u_i = r_i / s``, ``-log-lik = sum Huber_delta(u_i) + n log s + n log Z``,
    and ``sum Huber_delta(r_i / s) = sum Huber_{delta s}(r_i) / s**2``: for a fixed scale this is the summed
    Huber objective with threshold ``delta * s``, whose derivatives :func:`_batch_newton_system` gives.
    """
    t, sg = p[:5], float(p[5])
    s = math.exp(sg)
    n = x.size
    r, J = _residuals(t, x, z, y)
    u = r / s
    psi = np.clip(u, -delta, delta)
    inside = (np.abs(u) <= delta).astype(float)
    rho = np.where(inside > 0, 0.5 * u * u, delta * (np.abs(u) - 0.5 * delta))
    F = float(rho.sum() + n * sg + n * log_z)
    g = np.empty(6)
    g[:5] = (psi[:, None] * J).sum(axis=0) / s
    g[5] = n - float(np.dot(psi, u))
    if not hessian:
        return F, g, None
    _, _, Hc = _batch_newton_system(t[None, :], x, z, y, delta * s, None, False)
    H = np.empty((6, 6))
    H[:5, :5] = Hc[0] / (s * s)
    H[:5, 5] = H[5, :5] = ((-inside * u - psi)[:, None] * J).sum(axis=0) / s
    H[5, 5] = float(np.dot(inside * u, u) + np.dot(psi, u))
    return F, g, H


def _profile_log_scale(r: NDArray[np.float64], delta: float) -> float:
    """The scale that maximises the likelihood for fixed residuals: the root in ``s`` of
    ``sum psi(r_i / s) r_i / s = n`` (decreasing in ``s``); ``delta * mean|r|`` when every ``|r_i| > delta s``."""
    n = r.size
    ar = np.abs(r)

    def excess(sg: float) -> float:
        u = ar / math.exp(sg)
        return float(np.dot(np.minimum(u, delta), u)) - n

    guess = math.log(max(delta * ar.mean(), 1e-300))
    lo, hi = guess - 1.0, guess + 1.0
    while excess(lo) < 0:
        lo -= 5.0
    while excess(hi) > 0:
        hi += 5.0
    return float(brentq(excess, lo, hi, xtol=1e-14, rtol=1e-15))


def _lad(t0: NDArray[np.float64], x, z, y, max_iter: int = 100) -> NDArray[np.float64]:
    """Least absolute deviations ``min sum |r_i|`` from ``t0`` by sequential linear programming.

    Each step linearises the residuals, ``r + J d``, and solves ``min sum |r_i + J_i d|`` over the
    box ``|d_j| <= radius`` as a linear program (HiGHS, :func:`scipy.optimize.linprog`, with
    ``sum |.|`` split into positive and negative parts); the step is kept if the true sum falls, and
    the radius adapts to how well the linear model predicted the fall. The optimum of a nonlinear
    L1 fit is a vertex where as many residuals vanish as there are parameters, and this finds it
    exactly, where a gradient method stalls at the kinks.
    """
    n = x.size
    t = np.clip(np.asarray(t0, dtype=float), _LOWER, _UPPER)
    r, J = _residuals(t, x, z, y)
    f = float(np.abs(r).sum())
    radius = 0.1
    c = np.concatenate([np.zeros(5), np.ones(2 * n)])
    eye = np.eye(n)
    for _ in range(max_iter):
        A_eq = np.hstack([J, -eye, eye])
        bounds = [(-radius, radius)] * 5 + [(0.0, None)] * (2 * n)
        res = linprog(c, A_eq=A_eq, b_eq=-r, bounds=bounds, method="highs")
        if res.status != 0:
            break
        step = res.x[:5]
        predicted = f - float(res.fun)
        if predicted <= 1e-15 * max(f, 1e-300):
            break
        cand = np.clip(t + step, _LOWER, _UPPER)
        rn, Jn = _residuals(cand, x, z, y)
        fn = float(np.abs(rn).sum())
        ratio = (f - fn) / predicted
        if ratio > 0:
            t, r, J, f = cand, rn, Jn, fn
        size = float(np.max(np.abs(step)))
        if ratio < 0.25:
            radius = 0.25 * size
        elif ratio > 0.75 and size > 0.99 * radius:
            radius *= 2.0
        if radius < 1e-14:
            break
    return t


def _newton_nll(p0: NDArray[np.float64], x, z, y, delta: float, log_z: float, max_iter: int = 200):
    """Minimise :func:`_nll` from ``p0`` by damped Newton steps (exact Hessian, Levenberg-Marquardt
    damping on the diagonally scaled system); a step is kept only if it lowers the objective.
    Returns the point, its objective and whether it is a minimum: the Newton decrement ``-g.d`` fell
    below 1e-10 nats with a positive definite Hessian."""
    p = np.asarray(p0, dtype=float).copy()
    F, g, H = _nll(p, x, z, y, delta, log_z)
    lam = 1e-6
    eye = np.eye(6)
    converged = False
    for _ in range(max_iter):
        sc = np.sqrt(np.maximum(np.abs(np.diag(H)), 1e-300))
        Hs = H / np.outer(sc, sc)
        try:
            step = -np.linalg.solve(Hs + lam * eye, g / sc) / sc
        except np.linalg.LinAlgError:
            lam *= 10.0
            continue
        cand = p + step
        cand[:5] = np.clip(cand[:5], _LOWER, _UPPER)
        Fc, gc, Hc = _nll(cand, x, z, y, delta, log_z)
        decrement = -float(np.dot(g, step))
        if np.isfinite(Fc) and Fc <= F:
            p, F, g, H = cand, Fc, gc, Hc
            lam = max(lam / 10.0, 1e-12)
            if decrement < 1e-10:
                try:
                    np.linalg.cholesky(H / np.outer(sc, sc))
                    converged = True
                except np.linalg.LinAlgError:
                    converged = False
                break
        else:
            lam *= 10.0
            if lam > 1e10:
                break
    return p, F, converged


@dataclass(frozen=True)
class LikelihoodFit:
    """Result of :func:`fit_parametric_likelihood`.

    Attributes
    ----------
    law
        The fitted :class:`~scaling.laws.ChinchillaLaw`.
    scale
        The fitted scale ``s`` of the Huber density of the log-loss residuals (dimensionless,
        like the residuals): the density is ``exp(-Huber_delta(r / s)) / (s Z(delta))``.
    objective
        The negative log-likelihood at the optimum (nats, summed over the runs).
    theta
        The optimum ``(a, b, e, alpha, beta)`` with ``A = e**a, B = e**b, E = e**e``.
    delta
        The Huber threshold, in units of the scale (the quadratic part is ``|r| <= delta * scale``).
    n_interpolated
        How many runs the law passes through to within ``delta * scale`` (the residuals in the
        quadratic part); with a small ``delta`` the fit is a least-absolute-deviations fit and this is
        the number of parameters, 5.
    converged
        Whether the optimum was reached: the Newton decrement fell below 1e-10 nats with a positive
        definite Hessian, and the law is identifiable.
    identifiable
        As :attr:`ParametricFit.identifiable`.
    """

    law: ChinchillaLaw
    scale: float
    objective: float
    theta: tuple[float, float, float, float, float]
    delta: float
    n_interpolated: int
    converged: bool
    identifiable: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.law, ChinchillaLaw):
            raise TypeError(f"law must be a ChinchillaLaw, got {self.law!r}")
        scale = _real_number(self.scale, "scale", "the fitted scale of the residuals, > 0")
        if scale <= 0:
            raise ValueError(f"scale must be > 0, got {self.scale!r}")
        _real_number(self.objective, "objective", "the negative log-likelihood")
        _check_delta(self.delta)
        if len(self.theta) != 5:
            raise ValueError(f"theta must hold the 5 numbers (a, b, e, alpha, beta), got {self.theta!r}")
        _whole(self.n_interpolated, "n_interpolated", 0, "runs in the quadratic part")
        _flag(self.converged, "converged")
        _flag(self.identifiable, "identifiable")

    @property
    def log_likelihood(self) -> float:
        """The maximised log-likelihood (nats): ``-objective``."""
        return -self.objective

    @property
    def log_scale(self) -> float:
        """``log(scale)``, the sixth parameter of the fit as Besiroglu et al. parametrise it."""
        return math.log(self.scale)


def huber_negative_log_likelihood(
    params: ArrayLike, N: ArrayLike, D: ArrayLike, L: ArrayLike, delta: float = 1e-3
) -> float:
    """Negative log-likelihood of the runs under a Huber density of the log-loss residuals.

    Besiroglu et al.'s maximum-likelihood objective: the residuals ``r_i = log L_i - LSE(...)`` are
    independent with density ``exp(-Huber_delta(r / s)) / (s Z(delta))``, where ``Z(delta) =
    sqrt(2 pi) erf(delta / sqrt 2) + 2 exp(-delta**2 / 2) / delta`` normalises it.

    Parameters
    ----------
    params
        ``(a, b, e, alpha, beta, log_scale)``: the law's log-parameters and ``log s``.
    N, D, L
        Parameters, tokens and final losses (nats per token) of the runs.
    delta
        Huber threshold in units of the scale (between 1e-8 and 1e3; the replication's 1e-3).

    Returns
    -------
    float
        ``sum_i Huber_delta(r_i / s) + n log s + n log Z(delta)`` (nats).
    """
    x, z, y = _check_data(N, D, L, min_points=1, min_distinct=1)
    d = _check_delta(delta)
    p = _check_theta(params, size=6, what="(a, b, e, alpha, beta, log_scale)", name="params")
    if not -700.0 <= p[5] <= 700.0:
        raise ValueError(f"params' log_scale must be between -700 and 700, got {p[5]:g}")
    value = _nll(p, x, z, y, d, _log_normaliser(d), hessian=False)[0]
    if not math.isfinite(value):
        raise ValueError(f"params = {params!r} give a likelihood beyond floating point")
    return value


@_one_blas_thread
def fit_parametric_likelihood(N: ArrayLike, D: ArrayLike, L: ArrayLike, delta: float = 1e-3) -> LikelihoodFit:
    """Fit the law by maximum likelihood under a Huber density, as Besiroglu et al. estimated it.

    The replication's reported estimates do not come from the summed Huber loss of
    :func:`fit_parametric` but from this fit: the log-loss residuals have the density
    ``exp(-Huber_delta(r / s)) / (s Z(delta))`` with a fitted scale ``s``, and the five
    parameters and ``log s`` maximise the likelihood (:func:`huber_negative_log_likelihood`).

    For a fixed scale the negative log-likelihood is the summed Huber loss with threshold
    ``delta * s`` (divided by ``s**2``), and the best scale for fixed residuals is close to
    ``delta * mean|r|``: on data whose residuals are much larger than ``delta * s`` the fit is a
    least-absolute-deviations (median) fit. It is found in three steps: the summed-Huber optimum
    (:func:`fit_parametric`, the global search over the 4,500 starts); from there the
    least-absolute-deviations optimum by sequential linear programming; and from the better of the
    two (each with its best scale) damped Newton steps on all six parameters with the exact Hessian.

    Parameters
    ----------
    N, D, L
        Parameters, tokens and final losses (nats per token) of the runs (at least 6 runs: five
        parameters and the scale).
    delta
        Huber threshold in units of the scale (between 1e-8 and 1e3; the replication's 1e-3).

    Returns
    -------
    LikelihoodFit
        ``.law``, ``.scale``, ``.objective`` (negative log-likelihood), ``.log_likelihood``,
        ``.theta``, ``.n_interpolated``, ``.converged``, ``.identifiable``.

    Raises
    ------
    ValueError, TypeError
        For invalid runs or ``delta`` (as :func:`fit_parametric`); if the law fits every run
        exactly (the scale would be 0 and the likelihood unbounded).
    """
    x, z, y = _check_data(N, D, L, min_points=6)
    d = _check_delta(delta)
    log_z = _log_normaliser(d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotIdentifiableWarning)  # judged below, on this fit's optimum
        start = np.asarray(fit_parametric(np.exp(x), np.exp(z), np.exp(y), d).theta)
    best = None
    for t in (start, _lad(start, x, z, y)):
        r, _ = _residuals(t, x, z, y)
        if float(np.abs(r).max()) < 1e-13:
            raise ValueError(
                "the law fits every run exactly (all log-loss residuals below 1e-13): the scale of the "
                "residuals is 0 and the likelihood has no maximum; fit noisy data, or use fit_parametric"
            )
        p = np.append(t, _profile_log_scale(r, d))
        F = _nll(p, x, z, y, d, log_z, hessian=False)[0]
        if best is None or F < best[1]:
            best = (p, F)
    assert best is not None
    p, F, stationary = _newton_nll(best[0], x, z, y, d, log_z)
    t = p[:5]
    law = _law(t, source=f"fit_parametric_likelihood (Huber density, delta={d:g}, fitted scale)")
    reason = _identifiability(t, x, z)
    _warn_if_not_identifiable(reason, "fit_parametric_likelihood")
    s = math.exp(float(p[5]))
    r, _ = _residuals(t, x, z, y)
    return LikelihoodFit(
        law=law,
        scale=s,
        objective=float(F),
        theta=tuple(float(v) for v in t),  # type: ignore[arg-type]
        delta=d,
        n_interpolated=int(np.count_nonzero(np.abs(r) <= d * s)),
        converged=bool(stationary) and reason is None,
        identifiable=reason is None,
    )
