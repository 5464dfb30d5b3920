"""The replication's method, as Besiroglu et al. (2024) ran it: the baseline of ``make benchmark``.

Written from the description of their notebook (``data_analysis.ipynb`` in
epoch-research/analyzing-chinchilla), not copied from it:

* **The fit** ("Replicate exactly"): one :func:`scipy.optimize.minimize` call with
  ``method="L-BFGS-B"`` per start of Hoffmann et al.'s 4,500-point grid, visited in the order
  ``alpha, beta, e, a, b``; SciPy's default tolerances and its finite-difference gradient (they
  pass no ``jac``); the objective is the summed Huber loss (``delta = 1e-3``) of
  ``log L - log(exp(a - alpha log N) + exp(b - beta log D) + exp(e))``, written directly in
  NumPy and taking logs of the data inside each call, as theirs does. The best start among those
  that report success is kept.
* **The bootstrap**: for each of the resamples, one ``method="BFGS"`` call from Hoffmann et al.'s
  unrounded parameters with the exact gradient (theirs comes from autograd; here it is written out,
  which is faster than autograd's tape, so the baseline is if anything quicker than theirs) and
  default tolerances, on the resampled runs (repeated runs repeated, not weighted).

Nothing here is part of the ``scaling`` package: it exists to be timed against it.
"""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import minimize

DELTA = 1e-3
HOFFMANN_UNROUNDED = np.array([6.0073404, 6.0179186, 0.5267228, 0.33917084, 0.2849083])
"""``(a, b, e, alpha, beta)`` of Hoffmann et al. from their TeX source: the bootstrap's start."""


def grid_in_their_order() -> np.ndarray:
    """The 4,500 starts ``(a, b, e, alpha, beta)``, visited alpha-major as their loop does."""
    alpha = beta = np.arange(0.0, 2.5, 0.5)
    e = np.arange(-1.0, 1.5, 0.5)
    a = b = np.arange(0.0, 30.0, 5.0)
    return np.array([[ai, bi, ei, al, be] for al, be, ei, ai, bi in itertools.product(alpha, beta, e, a, b)])


def objective(params: np.ndarray, N: np.ndarray, D: np.ndarray, losses: np.ndarray) -> float:
    """Summed Huber loss (delta 1e-3) of the log-loss residuals, computed as plainly as theirs."""
    a, b, e, alpha, beta = params
    pred = np.log(np.exp(a - alpha * np.log(N)) + np.exp(b - beta * np.log(D)) + np.exp(e))
    diff = np.log(losses) - pred
    small = np.abs(diff) <= DELTA
    return float(np.sum(np.where(small, 0.5 * diff**2, DELTA * (np.abs(diff) - 0.5 * DELTA))))


def objective_and_gradient(params: np.ndarray, N: np.ndarray, D: np.ndarray, losses: np.ndarray):
    """:func:`objective` and its exact gradient (what autograd computes for them)."""
    a, b, e, alpha, beta = params
    logN, logD = np.log(N), np.log(D)
    t1, t2, t3 = np.exp(a - alpha * logN), np.exp(b - beta * logD), np.exp(e)
    total = t1 + t2 + t3
    diff = np.log(losses) - np.log(total)
    small = np.abs(diff) <= DELTA
    f = float(np.sum(np.where(small, 0.5 * diff**2, DELTA * (np.abs(diff) - 0.5 * DELTA))))
    w = -np.clip(diff, -DELTA, DELTA) / total  # d loss / d total
    grad = np.array([np.dot(w, t1), np.dot(w, t2), w.sum() * t3, -np.dot(w, t1 * logN), -np.dot(w, t2 * logD)])
    return f, grad


def fit(N: np.ndarray, D: np.ndarray, L: np.ndarray, starts: np.ndarray | None = None):
    """One L-BFGS-B per start (default tolerances, numerical gradient); the best successful one.

    Returns ``(params, objective)``.
    """
    starts = grid_in_their_order() if starts is None else starts
    best, best_f = None, np.inf
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for x0 in starts:
            res = minimize(objective, x0, args=(N, D, L), method="L-BFGS-B")
            if res.success and res.fun < best_f:
                best, best_f = res.x, float(res.fun)
    return best, best_f


def bootstrap(N: np.ndarray, D: np.ndarray, L: np.ndarray, resamples: np.ndarray) -> np.ndarray:
    """One BFGS per resample from Hoffmann et al.'s parameters; rows ``(a, b, e, alpha, beta)``."""
    out = np.empty((len(resamples), 5))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k, idx in enumerate(resamples):
            res = minimize(objective_and_gradient, HOFFMANN_UNROUNDED, args=(N[idx], D[idx], L[idx]),
                           jac=True, method="BFGS")
            out[k] = res.x
    return out
