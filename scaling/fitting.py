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
   so :func:`_profile_starts` scans ``(alpha, beta)`` on a 40 x 40 grid, solves for
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

The result is deterministic (no randomness anywhere). Its objective matched
the per-start method's to 2e-11 relative on the 240 and the 245 Chinchilla
runs; ``benchmarks/bench_fit.py`` checks this and times both, and the tests
check it on synthetic laws it was not tuned on (including one on which the grid
alone, pruned, lands in a local minimum twice as high). Pruning is a heuristic:
a start that is far behind after 8 iterations but would have overtaken every other
is dropped. Pass ``schedule=((200, 0),)`` to descend every start to the end.

Where the data cannot identify a term (an exponent whose best value is 0, or ``E``
traded against ``A`` along a valley as ``alpha -> 0``), the objective keeps falling
along a valley to the edge of the domain: any two methods stop at slightly different
points of it, and :func:`fit_parametric` raises if the best fit has an exponent at 0.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize, nnls
from scipy.special import logsumexp

from ._validate import at_least, positive, same_shape
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
]

PARAM_NAMES = ("a", "b", "e", "alpha", "beta")
"""Order of the log-parameters in ``theta`` (``A = e**a``, ``B = e**b``, ``E = e**e``)."""


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
    """
    rows = itertools.product(np.ravel(a), np.ravel(b), np.ravel(e), np.ravel(alpha), np.ravel(beta))
    return np.array(list(rows), dtype=float).reshape(-1, 5)


PAPER_GRID: NDArray[np.float64] = start_grid()
"""Hoffmann et al.'s 4,500 starts, columns ``(a, b, e, alpha, beta)``."""


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
        Whether the polish ended at a stationary point: L-BFGS-B reported success, or the
        projected gradient vanishes (below 1e-6 of ``n * delta`` in every component).
    """

    law: ChinchillaLaw
    objective: float
    theta: tuple[float, float, float, float, float] = field(default=(math.nan,) * 5)
    n_starts: int = 0
    n_basins: int = 0
    converged: bool = True


# ----------------------------------------------------------------- objective
def _huber(r: NDArray[np.float64], delta: float) -> NDArray[np.float64]:
    ar = np.abs(r)
    return np.where(ar <= delta, 0.5 * r * r, delta * (ar - 0.5 * delta))


def _check_data(N: ArrayLike, D: ArrayLike, L: ArrayLike, delta: float, min_points: int = 5):
    n = positive(N, "N").ravel() if np.ndim(N) <= 1 else None
    if n is None:
        raise ValueError(f"N must be one-dimensional (one value per run), got shape {np.shape(N)}")
    d = positive(D, "D")
    loss = positive(L, "L")
    if d.ndim != 1 or loss.ndim != 1:
        raise ValueError(
            f"D and L must be one-dimensional (one value per run), got shapes {d.shape} and {loss.shape}"
        )
    same_shape(N=n, D=d, L=loss)
    at_least(min_points, n.size, "runs to fit the five parameters E, A, B, alpha, beta")
    if isinstance(delta, bool) or not isinstance(delta, (int, float, np.floating, np.integer)):
        raise TypeError(f"delta must be a positive number, got {delta!r}")
    if not (math.isfinite(delta) and delta > 0):
        raise ValueError(f"delta is the Huber threshold on log-loss residuals and must be > 0, got {delta!r}")
    if np.unique(n).size < 2 or np.unique(d).size < 2:
        raise ValueError(
            "N and D must each take at least two distinct values: with one model size (or one "
            "token count) the exponent alpha (or beta) cannot be identified"
        )
    return np.log(n), np.log(d), np.log(loss)


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
    x, z, y = _check_data(N, D, L, delta, min_points=1)
    t = np.asarray(theta, dtype=float)
    if t.shape != (5,):
        raise ValueError(f"theta must hold the five numbers (a, b, e, alpha, beta), got shape {t.shape}")
    return float(_fun_grad(t, x, z, y, delta, None)[0])


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
    X = np.exp(-grid[:, None] * x[None, :]) * inv_l  # (n_grid, n): N^-alpha / L
    Z = np.exp(-grid[:, None] * z[None, :]) * inv_l
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
            [math.log(max(coef[i, j, 1], floor)), math.log(max(coef[i, j, 2], floor)),
             math.log(max(coef[i, j, 0], floor)), grid[i], grid[j]]
            for i, j in picked
        ]
    ).reshape(-1, 5)


def _distinct(T: NDArray[np.float64], f: NDArray[np.float64], tol: float = 1e-3) -> NDArray[np.intp]:
    """Indices of the distinct end points, best objective first (points within ``tol`` merged)."""
    order = np.argsort(f, kind="stable")
    keys = np.round(T[order] / tol).astype(np.int64)
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
    x, z, y = _check_data(N, D, L, delta)
    starts = PAPER_GRID if grid is None else np.asarray(grid, dtype=float)
    if starts.ndim != 2 or starts.shape[1] != 5 or starts.shape[0] < 1:
        raise ValueError(f"grid must have one row (a, b, e, alpha, beta) per start, got shape {starts.shape}")
    if not np.isfinite(starts).all():
        raise ValueError("grid must be finite")
    extra = _profile_starts(x, z, y) if profile else np.empty((0, 5))
    T, f, _ = _batch_descend(np.vstack([starts, extra]), x, z, y, float(delta), None, tuple(schedule), irls=bool(irls))
    basins = _distinct(T, f)
    # the best basins of the batched descent, and the structured starts polished as they are (the
    # batched descent can stall a start in a flat valley that L-BFGS-B crosses)
    candidates = [T[i] for i in basins[: max(int(n_polish), 1)]] + list(extra)
    best_t, best_f, ok = None, math.inf, False
    for t0 in candidates:
        t, fv, conv = _polish(t0, x, z, y, float(delta))
        if fv < best_f:
            best_t, best_f, ok = t, fv, conv
    assert best_t is not None
    law = _law(best_t, source=f"fit_parametric (Huber delta={delta:g}, {starts.shape[0]} starts)")
    return ParametricFit(
        law=law,
        objective=best_f,
        theta=tuple(float(v) for v in best_t),  # type: ignore[arg-type]
        n_starts=int(starts.shape[0]),
        n_basins=int(basins.size),
        converged=ok,
    )


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
    baseline that ``benchmarks/bench_fit.py`` times :func:`fit_parametric` against.
    Same parameters and result as :func:`fit_parametric`; ``analytic_gradient=False``
    lets SciPy difference the objective numerically, as the replication's code does.
    ``reduction="mean"`` minimises the average Huber loss instead of the sum (same minimiser
    in exact arithmetic; with default tolerances L-BFGS-B stops elsewhere). The returned
    ``objective`` is always the **summed** loss, so the two can be compared.
    """
    x, z, y = _check_data(N, D, L, delta)
    starts = PAPER_GRID if grid is None else np.asarray(grid, dtype=float)
    if reduction not in ("sum", "mean"):
        raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")
    w = None if reduction == "sum" else np.full(x.size, 1.0 / x.size)

    def fun(t: NDArray[np.float64]) -> float:
        return _fun_grad(t, x, z, y, float(delta), w)[0]

    best_t, best_f, ok = None, math.inf, False
    for t0 in starts:
        if analytic_gradient:
            res = minimize(_fun_grad, t0, args=(x, z, y, float(delta), w), jac=True, method="L-BFGS-B")
        else:
            res = minimize(fun, t0, method="L-BFGS-B")
        if np.isfinite(res.fun) and res.fun < best_f:
            best_t, best_f, ok = np.asarray(res.x, dtype=float), float(res.fun), bool(res.success)
    assert best_t is not None
    if w is not None:
        best_f = _fun_grad(best_t, x, z, y, float(delta), None)[0]
    return ParametricFit(
        law=_law(best_t, source=f"per-start L-BFGS-B ({starts.shape[0]} starts)"),
        objective=best_f,
        theta=tuple(float(v) for v in best_t),  # type: ignore[arg-type]
        n_starts=int(starts.shape[0]),
        n_basins=0,
        converged=ok,
    )


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
        The seed of the resampling.
    """

    params: pd.DataFrame
    fit: ParametricFit
    seed: int

    def laws(self) -> list[ChinchillaLaw]:
        """One :class:`~scaling.laws.ChinchillaLaw` per resample."""
        cols = ["E", "A", "B", "alpha", "beta"]
        return [
            ChinchillaLaw(*map(float, row), source=f"bootstrap resample {i} (seed {self.seed})")
            for i, row in enumerate(self.params[cols].to_numpy())
        ]

    def interval(self, column: str, level: float = 0.8) -> tuple[float, float]:
        """Central percentile interval of a column (``level=0.8``: the 10th and 90th percentiles)."""
        if column not in self.params.columns:
            raise KeyError(f"no column {column!r}; have {', '.join(self.params.columns)}")
        if not 0 < level < 1:
            raise ValueError(f"level must be between 0 and 1, got {level!r}")
        lo, hi = np.percentile(self.params[column], [50 * (1 - level), 50 * (1 + level)])
        return float(lo), float(hi)


def bootstrap_parametric(
    N: ArrayLike,
    D: ArrayLike,
    L: ArrayLike,
    n_resamples: int = 1000,
    seed: int = 0,
    delta: float = 1e-3,
    *,
    fraction: float = 1.0,
) -> BootstrapResult:
    """Bootstrap Hoffmann et al.'s fit: refit on resamples of the runs drawn with replacement.

    The full data are fitted once with :func:`fit_parametric` (all 4,500 starts);
    each resample is then fitted from the best distinct basins of that fit
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
        Number of bootstrap resamples (>= 1).
    seed
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same result.
    delta
        Huber threshold on log-loss residuals.
    fraction
        Size of each resample as a fraction of the runs (1.0: the usual bootstrap;
        Hoffmann et al. resampled 80 %).

    Returns
    -------
    BootstrapResult
        ``.params`` (DataFrame, one row per resample: ``E, A, B, alpha, beta, objective``),
        ``.laws()``, ``.interval(column, level)``.
    """
    x, z, y = _check_data(N, D, L, delta)
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, (int, np.integer)) or n_resamples < 1:
        raise ValueError(f"n_resamples must be a whole number >= 1, got {n_resamples!r}")
    if not (isinstance(fraction, (int, float)) and 0 < fraction <= 1):
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    n = x.size
    size = max(int(round(fraction * n)), 5)
    full = fit_parametric(np.exp(x), np.exp(z), np.exp(y), delta)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(int(n_resamples), size))
    W = np.zeros((int(n_resamples), n))
    np.add.at(W, (np.repeat(np.arange(int(n_resamples)), size), idx.ravel()), 1.0)
    T0 = np.repeat(np.asarray(full.theta)[None, :], int(n_resamples), axis=0)
    T, f, moving = _batch_descend(T0, x, z, y, float(delta), W, ((60, 0),), irls=False)
    rows = []
    for k in range(int(n_resamples)):
        t, fv = T[k], float(f[k])
        if moving[k]:  # the batched descent ran out of iterations: let L-BFGS-B finish
            t, fv, _ok = _polish(T[k], x, z, y, float(delta), W[k])
        a, b, e, al, be = t
        rows.append((math.exp(e), math.exp(a), math.exp(b), al, be, fv))
    params = pd.DataFrame(rows, columns=["E", "A", "B", "alpha", "beta", "objective"])
    return BootstrapResult(params=params, fit=full, seed=int(seed))
