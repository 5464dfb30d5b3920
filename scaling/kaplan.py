"""Kaplan et al. (2020), "Scaling Laws for Neural Language Models": the laws and what follows from them.

Every function evaluates one of the paper's equations, or derives a result
from them numerically (with SciPy), with the constants of
:mod:`scaling.published` as defaults. Nothing here holds a published
*result*: the exponents of the compute-efficient frontier, the 10 % / 2.7x /
7.7x / 65 % comparison, the 0.6x-2.2x window and the breakdown point are all
computed from the fitted laws.

Units (the paper's): ``N`` non-embedding parameters, ``D`` tokens, ``S``
optimisation steps, ``B`` batch size in tokens, compute ``C`` in **PF-days**
(1 PF-day = 8.64e19 FLOPs, :data:`scaling.units.PF_DAY`), losses ``L`` in
nats per token (WebText2 test loss).

Sections
--------
* single-variable laws: :func:`loss_N`, :func:`loss_D`, :func:`loss_C`, :func:`loss_C_min`,
  :func:`per_doubling`;
* L(N, D) and overfitting (Section 4): :func:`loss_ND`, :func:`overfitting`,
  :func:`data_to_avoid_overfitting`, :func:`overfitting_rule`, :func:`data_growth_factor`,
  :func:`early_stopping_steps`;
* batch size and learning curves (Section 5): :func:`critical_batch`, :func:`min_steps`,
  :func:`min_compute`, :func:`loss_NS`, :func:`steps_to_loss`, :func:`learning_curve`;
* the compute-efficient frontier (Section 6, Appendix B): :func:`predicted_exponents`,
  :func:`predicted_scale`, :func:`loss_at_compute`, :func:`compute_efficient_frontier`,
  :func:`convergence_comparison`, :func:`excess_compute`, :func:`excess_steps`,
  :func:`size_window`, :func:`growth_factors`;
* where the trends break (Section 6.3): :func:`data_per_compute`, :func:`breakdown_point`;
* fitting real runs: :func:`isoflop_minima`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq, curve_fit, elementwise

from ._validate import at_least, finite, positive, same_shape
from .published import (
    KAPLAN2020,
    KAPLAN2020_ALLOCATION,
    KAPLAN2020_ND,
    KAPLAN2020_NS,
    KaplanAllocation,
    KaplanConstants,
    KaplanJointND,
    KaplanJointNS,
)
from .units import PF_DAY

__all__ = [
    "loss_N",
    "loss_D",
    "loss_C",
    "loss_C_min",
    "per_doubling",
    "loss_ND",
    "overfitting",
    "data_to_avoid_overfitting",
    "overfitting_rule",
    "data_growth_factor",
    "early_stopping_steps",
    "critical_batch",
    "min_steps",
    "min_compute",
    "loss_NS",
    "steps_to_loss",
    "learning_curve",
    "LearningCurveFit",
    "fit_learning_curve",
    "predicted_exponents",
    "predicted_scale",
    "loss_at_compute",
    "compute_efficient_frontier",
    "ConvergenceComparison",
    "convergence_comparison",
    "excess_compute",
    "excess_steps",
    "size_window",
    "growth_factors",
    "data_per_compute",
    "BreakdownPoint",
    "breakdown_point",
    "isoflop_minima",
]

Array = NDArray[np.float64]


def _out(a: Array) -> Array | float:
    return float(a) if np.ndim(a) == 0 else a


def _check_alpha(value: float, name: str) -> float:
    v = float(positive(value, name))
    return v


# ---------------------------------------------------------------- single-variable laws (Section 1.2)
def loss_N(N: ArrayLike, constants: KaplanConstants = KAPLAN2020) -> Array | float:
    """``L(N) = (N_c / N)**alpha_N`` (eq. 1.1): loss of a model of ``N`` parameters trained to convergence.

    Parameters
    ----------
    N
        Non-embedding parameters (> 0).
    constants
        The fitted constants (default: Kaplan Table 5).

    Returns
    -------
    Loss in nats per token.
    """
    n = positive(N, "N")
    return _out((constants.N_c / n) ** constants.alpha_N)


def loss_D(D: ArrayLike, constants: KaplanConstants = KAPLAN2020) -> Array | float:
    """``L(D) = (D_c / D)**alpha_D`` (eq. 1.2): a large model trained on ``D`` tokens with early stopping (nats/token)."""
    d = positive(D, "D")
    return _out((constants.D_c / d) ** constants.alpha_D)


def loss_C(C: ArrayLike, constants: KaplanConstants = KAPLAN2020) -> Array | float:
    """The naive ``L(C) = (C_c / C)**alpha_C`` of Figure 1, fixed batch size; ``C`` in PF-days (nats/token)."""
    c = positive(C, "C")
    return _out((constants.C_c / c) ** constants.alpha_C)


def loss_C_min(C_min: ArrayLike, constants: KaplanConstants = KAPLAN2020, scale: float | None = None) -> Array | float:
    """``L(C_min) = (C_c_min / C_min)**alpha_C_min`` (eq. 1.3); ``C_min`` in PF-days (nats/token).

    Parameters
    ----------
    C_min
        Compute at the optimal allocation with ``B << B_crit``, PF-days.
    constants
        Fitted constants; their ``C_c_min`` (3.1e8 PF-days, the text's value) is used
        unless ``scale`` is given.
    scale
        Another scale in PF-days, e.g. ``constants.C_c_min_figure1`` (2.3e8, Figure 1's legend).
    """
    c = positive(C_min, "C_min")
    s = constants.C_c_min if scale is None else float(positive(scale, "scale"))
    return _out((s / c) ** constants.alpha_C_min)


def per_doubling(alpha: ArrayLike) -> Array | float:
    """Factor by which a power law ``L ∝ X**-alpha`` multiplies the loss when ``X`` doubles: ``2**-alpha``."""
    a = finite(alpha, "alpha")
    return _out(2.0 ** (-a))


# ---------------------------------------------------------------- L(N, D) and overfitting (Section 4)
def loss_ND(N: ArrayLike, D: ArrayLike, params: KaplanJointND = KAPLAN2020_ND) -> Array | float:
    """``L(N, D) = [(N_c/N)**(alpha_N/alpha_D) + D_c/D]**alpha_D`` (eq. 1.5 / 4.1), nats/token.

    ``N`` (non-embedding parameters) and ``D`` (tokens) broadcast against each other.
    """
    n = positive(N, "N")
    d = positive(D, "D")
    p = params
    return _out(((p.N_c / n) ** (p.alpha_N / p.alpha_D) + p.D_c / d) ** p.alpha_D)


def overfitting(N: ArrayLike, D: ArrayLike, params: KaplanJointND = KAPLAN2020_ND) -> Array | float:
    """The overfitting measure ``delta L = L(N, D) / L(N, inf) - 1`` (eq. 4.3).

    ``delta L = (1 + (N/N_c)**(alpha_N/alpha_D) D_c/D)**alpha_D - 1``: it depends on ``N`` and
    ``D`` only through ``N**(alpha_N/alpha_D) / D`` (dimensionless, a fraction of the loss).
    """
    n = positive(N, "N")
    d = positive(D, "D")
    p = params
    return _out((1.0 + (n / p.N_c) ** (p.alpha_N / p.alpha_D) * p.D_c / d) ** p.alpha_D - 1.0)


def overfitting_rule(delta: float = 0.02, params: KaplanJointND = KAPLAN2020_ND) -> tuple[float, float]:
    """The data rule ``D >= k N**e`` that keeps :func:`overfitting` below ``delta`` (eq. 4.4).

    Solving eq. 4.3 for ``D`` gives ``D = D_c (N/N_c)**(alpha_N/alpha_D) / ((1 + delta)**(1/alpha_D) - 1)``.

    Parameters
    ----------
    delta
        Tolerated relative loss penalty (the paper uses its seed-to-seed noise, about 0.02).

    Returns
    -------
    (k, e)
        Prefactor in tokens and exponent ``alpha_N / alpha_D`` (Kaplan: ``5e3``, ``0.74``).
    """
    d = float(positive(delta, "delta"))
    p = params
    e = p.alpha_N / p.alpha_D
    k = p.D_c * p.N_c ** (-e) / ((1.0 + d) ** (1.0 / p.alpha_D) - 1.0)
    return k, e


def data_to_avoid_overfitting(
    N: ArrayLike, delta: float = 0.02, params: KaplanJointND = KAPLAN2020_ND
) -> Array | float:
    """Tokens needed to keep the overfitting penalty :func:`overfitting` at ``delta`` for ``N`` parameters."""
    n = positive(N, "N")
    k, e = overfitting_rule(delta, params)
    return _out(k * n**e)


def data_growth_factor(model_factor: ArrayLike, params: KaplanJointND = KAPLAN2020_ND) -> Array | float:
    """How much more data keeps overfitting constant when the model grows by ``model_factor``.

    At fixed :func:`overfitting`, ``D ∝ N**(alpha_N/alpha_D)``, so the factor is
    ``model_factor**(alpha_N/alpha_D)`` (Kaplan: 8x the model needs about 5x the data).
    """
    m = positive(model_factor, "model_factor")
    return _out(m ** (params.alpha_N / params.alpha_D))


def early_stopping_steps(
    N: ArrayLike,
    D: ArrayLike,
    nd: KaplanJointND = KAPLAN2020_ND,
    ns: KaplanJointNS = KAPLAN2020_NS,
) -> Array | float:
    """Lower bound on the early-stopping step, ``S_c / [L(N, D) - L(N, inf)]**(1/alpha_S)`` (eq. 5.7), in steps."""
    n = positive(N, "N")
    gap = np.asarray(loss_ND(n, D, nd)) - (nd.N_c / n) ** nd.alpha_N
    return _out(ns.S_c / gap ** (1.0 / ns.alpha_S))


# ---------------------------------------------------------------- batch size and learning curves (Section 5)
def critical_batch(L: ArrayLike, constants: KaplanConstants = KAPLAN2020) -> Array | float:
    """``B_crit(L) = B_star / L**(1/alpha_B)`` (eq. 5.3), tokens, at loss ``L`` (nats/token)."""
    loss = positive(L, "L")
    return _out(constants.B_star / loss ** (1.0 / constants.alpha_B))


def min_steps(S: ArrayLike, B: ArrayLike, L: ArrayLike, constants: KaplanConstants = KAPLAN2020) -> Array | float:
    """``S_min = S / (1 + B_crit(L)/B)`` (eq. 5.4): steps that batch ``B`` >> B_crit would need to reach ``L``."""
    s = positive(S, "S")
    b = positive(B, "B")
    return _out(s / (1.0 + np.asarray(critical_batch(L, constants)) / b))


def min_compute(C: ArrayLike, B: ArrayLike, L: ArrayLike, constants: KaplanConstants = KAPLAN2020) -> Array | float:
    """``C_min = C / (1 + B/B_crit(L))`` (eq. 5.5): compute that ``B`` << B_crit would need (same unit as ``C``)."""
    c = positive(C, "C")
    b = positive(B, "B")
    return _out(c / (1.0 + b / np.asarray(critical_batch(L, constants))))


def loss_NS(N: ArrayLike, S_min: ArrayLike, params: KaplanJointNS = KAPLAN2020_NS) -> Array | float:
    """``L(N, S_min) = (N_c/N)**alpha_N + (S_c/S_min)**alpha_S`` (eq. 1.6 / 5.6), nats/token."""
    n = positive(N, "N")
    s = positive(S_min, "S_min")
    p = params
    return _out((p.N_c / n) ** p.alpha_N + (p.S_c / s) ** p.alpha_S)


def steps_to_loss(N: ArrayLike, L: ArrayLike, params: KaplanJointNS = KAPLAN2020_NS) -> Array | float:
    """Minimum steps ``S_min`` for a model of ``N`` parameters to reach loss ``L``: eq. 5.6 solved for ``S_min``.

    ``S_min = S_c (L - (N_c/N)**alpha_N)**(-1/alpha_S)``.

    Raises
    ------
    ValueError
        If some ``L`` is at or below the model's converged loss ``(N_c/N)**alpha_N``: no number of
        steps reaches it; choose a larger model or a higher target.
    """
    n = positive(N, "N")
    loss = positive(L, "L")
    p = params
    gap = loss - (p.N_c / n) ** p.alpha_N
    if np.any(gap <= 0):
        raise ValueError(
            "target loss must lie above the model's converged loss (N_c/N)**alpha_N; "
            "no number of steps reaches it: pick a larger N or a higher L"
        )
    return _out(p.S_c * gap ** (-1.0 / p.alpha_S))


def learning_curve(
    N: float,
    losses: ArrayLike,
    batch: float = 2.0**19,
    params: KaplanJointNS = KAPLAN2020_NS,
    constants: KaplanConstants = KAPLAN2020,
) -> pd.DataFrame:
    """The learning curve of one model at a fixed batch size, parametrised by the loss it reaches.

    For each target ``L``: ``S_min`` from :func:`steps_to_loss`, the steps at batch ``B``
    ``S = S_min (1 + B_crit(L)/B)`` (eq. 5.4 inverted), the tokens ``E = B S`` and the compute
    ``C = 6 N B S`` (Section 2.1), converted to PF-days, and ``C_min`` (eq. 5.5).

    Parameters
    ----------
    N
        Non-embedding parameters.
    losses
        Target losses (nats/token), each above the converged loss of ``N``.
    batch
        Batch size in tokens (Kaplan trained at 2**19 = 512 x 1024).

    Returns
    -------
    pandas.DataFrame
        Columns ``loss``, ``S_min``, ``S`` (steps), ``tokens``, ``C`` and ``C_min`` (PF-days).
    """
    n = float(positive(N, "N"))
    b = float(positive(batch, "batch"))
    loss = np.atleast_1d(positive(losses, "losses")).astype(float)
    s_min = np.asarray(steps_to_loss(n, loss, params), dtype=float)
    s = s_min * (1.0 + np.asarray(critical_batch(loss, constants)) / b)
    tokens = b * s
    c = 6.0 * n * tokens / PF_DAY
    c_min = np.asarray(min_compute(c, b, loss, constants))
    return pd.DataFrame({"loss": loss, "S_min": s_min, "S": s, "tokens": tokens, "C": c, "C_min": np.atleast_1d(c_min)})


@dataclass(frozen=True)
class LearningCurveFit:
    """A fitted learning curve ``L(S) = L_inf + (S_c / S)**alpha_S`` (the form of eq. 5.6 at fixed ``N``)."""

    L_inf: float
    """The converged loss the curve approaches, nats/token."""
    S_c: float
    """Step scale, steps."""
    alpha_S: float
    """Exponent of the steps term."""

    def __call__(self, S: ArrayLike) -> Array | float:
        """The fitted loss after ``S`` steps (nats/token)."""
        s = positive(S, "S")
        return _out(self.L_inf + (self.S_c / s) ** self.alpha_S)


def fit_learning_curve(S: ArrayLike, L: ArrayLike) -> LearningCurveFit:
    """Fit ``L = L_inf + (S_c/S)**alpha_S`` to one learning curve by least squares on ``ln L``.

    Uses :func:`scipy.optimize.curve_fit` with positive bounds, starting from
    ``L_inf = 0.9 min(L)``, ``S_c = min(S)``, ``alpha_S = 0.5``.

    Parameters
    ----------
    S
        Steps (``S_min`` for Kaplan's form), at least 4 distinct values.
    L
        Losses at those steps, nats/token.

    Raises
    ------
    ValueError
        Bad values, mismatched shapes, or fewer than 4 points (3 parameters need a residual).
    """
    s = positive(S, "S").ravel()
    loss = positive(L, "L").ravel()
    same_shape(S=s, L=loss)
    at_least(4, s.size, "points to fit a learning curve")

    def model(log_s: Array, l_inf: float, log_sc: float, a: float) -> Array:
        return np.log(l_inf + np.exp(a * (log_sc - log_s)))

    p0 = (0.9 * loss.min(), math.log(s.min()), 0.5)
    popt, _ = curve_fit(
        model, np.log(s), np.log(loss), p0=p0,
        bounds=([0.0, -50.0, 1e-3], [loss.min(), 50.0, 10.0]), maxfev=20000,
    )
    return LearningCurveFit(L_inf=float(popt[0]), S_c=float(math.exp(popt[1])), alpha_S=float(popt[2]))


# ---------------------------------------------------------------- the compute-efficient frontier (Appendix B)
def predicted_exponents(
    params: KaplanJointNS = KAPLAN2020_NS, constants: KaplanConstants = KAPLAN2020
) -> dict[str, float]:
    """Exponents of the compute-efficient frontier predicted from the fitted exponents (eqs. 6.4, 6.5, B.7).

    ``alpha_C_min = 1 / (1/alpha_S + 1/alpha_B + 1/alpha_N)``, and ``N ∝ C_min**(alpha_C_min/alpha_N)``,
    ``B ∝ C_min**(alpha_C_min/alpha_B)``, ``S_min ∝ C_min**(alpha_C_min/alpha_S)``.

    Parameters
    ----------
    params
        Supplies ``alpha_N`` and ``alpha_S`` (default: the L(N, S) fit, Table 3).
    constants
        Supplies ``alpha_B`` (default: Table 5).

    Returns
    -------
    dict
        Keys ``alpha_C_min``, ``N``, ``B``, ``S``. The last three add up to 1 (``C = 6 N B S``).
    """
    a_n = _check_alpha(params.alpha_N, "alpha_N")
    a_s = _check_alpha(params.alpha_S, "alpha_S")
    a_b = _check_alpha(constants.alpha_B, "alpha_B")
    a_c = 1.0 / (1.0 / a_s + 1.0 / a_b + 1.0 / a_n)
    return {"alpha_C_min": a_c, "N": a_c / a_n, "B": a_c / a_b, "S": a_c / a_s}


def predicted_scale(params: KaplanJointNS = KAPLAN2020_NS, constants: KaplanConstants = KAPLAN2020) -> float:
    """The scale ``C_c`` of the predicted ``L(C_min) = (C_c/C_min)**alpha_C_min`` (eq. B.8), in PF-days.

    ``C_c = 6 N_c B_star S_c (1 + alpha_N/alpha_S)**(1/alpha_S + 1/alpha_N) (alpha_S/alpha_N)**(1/alpha_S)``.
    """
    p, k = params, constants
    r = p.alpha_N / p.alpha_S
    flops = 6.0 * p.N_c * k.B_star * p.S_c * (1.0 + r) ** (1.0 / p.alpha_S + 1.0 / p.alpha_N) * r ** (-1.0 / p.alpha_S)
    return flops / PF_DAY


def _solve_loss(N: Array, C_flops: Array, p: KaplanJointNS, k: KaplanConstants) -> Array:
    """Solve eq. B.3, ``L = (N_c/N)**a_N + (6 B* S_c N / (L**(1/a_B) C))**a_S``, for ``L`` (elementwise)."""
    ln = (p.N_c / N) ** p.alpha_N
    q = 6.0 * k.B_star * p.S_c * N / C_flops

    def residual(L: Array, ln: Array, q: Array) -> Array:
        return L - ln - (q / L ** (1.0 / k.alpha_B)) ** p.alpha_S

    # residual(ln) < 0 and residual(ln + term(ln)) > 0 because the steps term falls as L rises.
    hi = ln + (q / ln ** (1.0 / k.alpha_B)) ** p.alpha_S
    res = elementwise.find_root(residual, (ln, hi), args=(ln, q), tolerances={"xrtol": 1e-13})
    return np.asarray(res.x, dtype=float)


def loss_at_compute(
    N: ArrayLike,
    C_min: ArrayLike,
    params: KaplanJointNS = KAPLAN2020_NS,
    constants: KaplanConstants = KAPLAN2020,
) -> Array | float:
    """Loss a model of ``N`` parameters reaches with compute ``C_min`` (PF-days) at the critical batch (eq. B.3).

    ``S_min = C_min / (6 N B_crit(L))`` couples steps to the loss reached, so ``L`` solves
    ``L = L(N, S_min(L))``; it is found by a bracketing root search, elementwise over the broadcast inputs.
    """
    n = positive(N, "N")
    c = positive(C_min, "C_min")
    n, c = np.broadcast_arrays(n, c)
    return _out(_solve_loss(n.astype(float), c * PF_DAY, params, constants))


def compute_efficient_frontier(
    C_min: ArrayLike,
    params: KaplanJointNS = KAPLAN2020_NS,
    constants: KaplanConstants = KAPLAN2020,
) -> pd.DataFrame:
    """The compute-efficient allocation at each budget, by minimising the loss over ``N`` numerically.

    For each ``C_min`` (PF-days) the loss :func:`loss_at_compute` is minimised over ``log N``
    (SciPy's elementwise bracket and Chandrupatla minimiser, vectorised over budgets). At the
    optimum the batch is ``B = B_crit(L)`` and the steps are ``S_min = C_min / (6 N B)``; the
    tokens processed are ``B S_min`` (``E_min``).

    Returns
    -------
    pandas.DataFrame
        Columns ``C_min`` (PF-days), ``N`` (parameters), ``loss`` (nats/token), ``loss_converged``
        (``(N_c/N)**alpha_N``), ``B`` (tokens), ``S_min`` (steps) and ``tokens``.

    Raises
    ------
    ValueError
        Non-positive or non-finite budgets; RuntimeError if the minimiser fails to converge.
    """
    c = np.atleast_1d(positive(C_min, "C_min")).astype(float).ravel()
    flops = c * PF_DAY
    p, k = params, constants

    def objective(u: Array, flops: Array) -> Array:
        return _solve_loss(np.exp(u), flops, p, k)

    start = np.full_like(flops, math.log(1e6))
    br = elementwise.bracket_minimum(objective, start, xl0=start - 1.0, xr0=start + 1.0, args=(flops,))
    if not np.all(br.success):
        raise RuntimeError("could not bracket the optimal model size for some budgets")
    res = elementwise.find_minimum(objective, br.bracket, args=(flops,), tolerances={"xatol": 1e-10})
    if not np.all(res.success):
        raise RuntimeError("the minimiser did not converge for some budgets")
    n = np.exp(np.asarray(res.x, dtype=float))
    loss = _solve_loss(n, flops, p, k)
    b = np.asarray(critical_batch(loss, k), dtype=float)
    s_min = flops / (6.0 * n * b)
    return pd.DataFrame(
        {
            "C_min": c,
            "N": n,
            "loss": loss,
            "loss_converged": (p.N_c / n) ** p.alpha_N,
            "B": b,
            "S_min": s_min,
            "tokens": b * s_min,
        }
    )


@dataclass(frozen=True)
class ConvergenceComparison:
    """Compute-efficient training (stop at ``f`` above converged) against near-convergence (``f_prime``).

    All ratios are efficient / near-convergence at the same final loss (eqs. B.12-B.14).
    """

    f: float
    """Convergence factor of compute-efficient training, ``alpha_N / alpha_S`` unless given."""
    f_prime: float
    """Convergence factor of the comparison (the paper's 2 %)."""
    params_ratio: float
    """``N_f / N_f'`` (eq. B.12, about 2.7)."""
    steps_ratio: float
    """``S_f / S_f'`` (eq. B.13, about 0.13, i.e. 7.7x fewer steps)."""
    compute_ratio: float
    """``C_f / C_f'`` (eq. B.14, about 0.35, i.e. 65 % less compute)."""


def convergence_comparison(
    f: float | None = None,
    f_prime: float = 0.02,
    target_loss: float = 3.0,
    params: KaplanJointNS = KAPLAN2020_NS,
    constants: KaplanConstants = KAPLAN2020,
) -> ConvergenceComparison:
    """Compare two ways to reach ``target_loss`` using L(N, S_min) (Appendix B.3).

    Training that stops at ``(1 + f)`` times the converged loss uses the model with
    ``(N_c/N)**alpha_N = L/(1+f)`` and the steps :func:`steps_to_loss`; the batch is ``B_crit(L)``
    for both, so compute scales as ``N S``. The ratios do not depend on ``target_loss``.

    Raises
    ------
    ValueError
        If ``f`` or ``f_prime`` is not positive.
    """
    p = params
    ff = p.alpha_N / p.alpha_S if f is None else float(positive(f, "f"))
    fp = float(positive(f_prime, "f_prime"))
    L = float(positive(target_loss, "target_loss"))

    def size_and_steps(conv: float) -> tuple[float, float]:
        n = p.N_c * (L / (1.0 + conv)) ** (-1.0 / p.alpha_N)
        return n, float(steps_to_loss(n, L, p))

    n_f, s_f = size_and_steps(ff)
    n_p, s_p = size_and_steps(fp)
    b = float(critical_batch(L, constants))
    c_f, c_p = 6 * n_f * b * s_f, 6 * n_p * b * s_p
    return ConvergenceComparison(ff, fp, n_f / n_p, s_f / s_p, c_f / c_p)


def excess_steps(size_ratio: ArrayLike, params: KaplanJointNS = KAPLAN2020_NS) -> Array | float:
    """Steps a model ``size_ratio`` times the efficient size needs, relative to the efficient one (eq. B.17).

    ``[1 + (alpha_S/alpha_N)(1 - size_ratio**-alpha_N)]**(-1/alpha_S)`` at the same loss.

    Raises
    ------
    ValueError
        If a model is so small that it cannot reach the efficient model's loss at all.
    """
    x = positive(size_ratio, "size_ratio")
    p = params
    base = 1.0 + (p.alpha_S / p.alpha_N) * (1.0 - x ** (-p.alpha_N))
    if np.any(base <= 0):
        raise ValueError(
            "size_ratio too small: such a model converges above the loss the efficient model reaches"
        )
    return _out(base ** (-1.0 / p.alpha_S))


def excess_compute(size_ratio: ArrayLike, params: KaplanJointNS = KAPLAN2020_NS) -> Array | float:
    """Compute a model ``size_ratio`` times the efficient size needs to reach the same loss, relative (eq. B.16)."""
    x = positive(size_ratio, "size_ratio")
    return _out(x * np.asarray(excess_steps(x, params)))


def size_window(excess: float = 0.2, params: KaplanJointNS = KAPLAN2020_NS) -> tuple[float, float]:
    """The range of model sizes (relative to the efficient size) that cost at most ``1 + excess`` the compute.

    Solves ``excess_compute(x) = 1 + excess`` on each side of ``x = 1`` with :func:`scipy.optimize.brentq`.

    Returns
    -------
    (low, high)
        Size ratios (the paper: about 0.6 and 2.2 for 20 %).
    """
    e = float(positive(excess, "excess"))
    p = params
    x_floor = (1.0 + p.alpha_N / p.alpha_S) ** (-1.0 / p.alpha_N)  # smallest model that can reach the loss

    def g(u: float) -> float:
        return math.log(float(excess_compute(math.exp(u), p))) - math.log1p(e)

    lo_edge = math.log(x_floor) + 1e-9
    low = math.exp(brentq(g, lo_edge, 0.0, xtol=1e-13))
    hi_edge = 1.0
    while g(hi_edge) < 0:
        hi_edge *= 2.0
    high = math.exp(brentq(g, 0.0, hi_edge, xtol=1e-13))
    return low, high


def growth_factors(compute_factor: float, exponents: dict[str, float]) -> dict[str, float]:
    """Multiplicative growth of ``N``, ``B`` and ``S`` when compute grows by ``compute_factor``.

    Parameters
    ----------
    compute_factor
        Growth of ``C_min`` (e.g. 1e9 for Figure 3's billion-fold increase).
    exponents
        A dict with keys ``N``, ``B``, ``S`` (e.g. :func:`predicted_exponents`).
    """
    c = float(positive(compute_factor, "compute_factor"))
    missing = {"N", "B", "S"} - set(exponents)
    if missing:
        raise KeyError(f"exponents lacks {sorted(missing)}; pass a dict with keys 'N', 'B', 'S'")
    return {key: c ** exponents[key] for key in ("N", "B", "S")}


# ---------------------------------------------------------------- the breakdown point (Section 6.3)
def data_per_compute(
    C_min: ArrayLike,
    allocation: KaplanAllocation = KAPLAN2020_ALLOCATION,
    prefactor: float | None = None,
    exponent: float | None = None,
) -> Array | float:
    """Tokens used by compute-efficient training at the critical batch, one epoch (eq. 6.7).

    By default ``D = 2 C_min / (6 N(C_min))`` with ``N(C_min)`` from Table 6 (``C = 2 C_min`` at
    ``B = B_crit``). Give ``prefactor`` and ``exponent`` to use a printed law instead
    (eq. 6.7 prints ``4e10 C_min**0.26``). ``C_min`` in PF-days; tokens returned.
    """
    c = positive(C_min, "C_min")
    if (prefactor is None) != (exponent is None):
        raise ValueError("give both prefactor and exponent, or neither")
    if prefactor is not None:
        return _out(float(positive(prefactor, "prefactor")) * c ** float(finite(exponent, "exponent")))
    n = allocation.N_prefactor * c**allocation.N_exponent
    return _out(2.0 * c * PF_DAY / (6.0 * n))


@dataclass(frozen=True)
class BreakdownPoint:
    """Where ``L(D(C_min))`` meets ``L(C_min)`` (eq. 6.8)."""

    C: float
    """Compute, PF-days."""
    N: float
    """Compute-efficient model size there (Table 6's ``N(C_min)``), parameters."""
    D: float
    """Tokens of compute-efficient training there (eq. 6.7), tokens."""
    L: float
    """Loss there, nats/token."""


def breakdown_point(
    constants: KaplanConstants = KAPLAN2020,
    allocation: KaplanAllocation = KAPLAN2020_ALLOCATION,
    scale: float | None = None,
    data_prefactor: float | None = None,
    data_exponent: float | None = None,
) -> BreakdownPoint:
    """Solve ``L(D(C_min)) = L(C_min)`` for ``C_min`` (Section 6.3).

    The data-limited loss :func:`loss_D` of the tokens :func:`data_per_compute` falls as
    ``C_min**(-alpha_D p_D)``, more slowly than :func:`loss_C_min`; the two lines cross once.
    The crossing is found by :func:`scipy.optimize.brentq` on ``log C_min``.

    Parameters
    ----------
    scale
        ``C_c_min`` of :func:`loss_C_min` (default the text's 3.1e8 PF-days).
    data_prefactor, data_exponent
        Passed to :func:`data_per_compute`.

    Raises
    ------
    ValueError
        If the two laws do not cross between 1e-10 and 1e20 PF-days.
    """

    def gap(u: float) -> float:
        c = 10.0**u
        d = data_per_compute(c, allocation, data_prefactor, data_exponent)
        return math.log(float(loss_D(d, constants))) - math.log(float(loss_C_min(c, constants, scale)))

    lo, hi = -10.0, 20.0
    if gap(lo) * gap(hi) > 0:
        raise ValueError("L(D(C_min)) and L(C_min) do not cross between 1e-10 and 1e20 PF-days")
    u = brentq(gap, lo, hi, xtol=1e-12)
    c = 10.0**u
    n = allocation.N_prefactor * c**allocation.N_exponent
    d = float(data_per_compute(c, allocation, data_prefactor, data_exponent))
    return BreakdownPoint(C=c, N=n, D=d, L=float(loss_C_min(c, constants, scale)))


# ---------------------------------------------------------------- real runs: IsoFLOP minima
def isoflop_minima(runs: pd.DataFrame, window: float = 1.0, min_points: int = 3) -> pd.DataFrame:
    """The loss-minimising model size at each budget, from a parabola in ``log N`` (an IsoFLOP profile).

    For every budget, the runs whose ``ln N`` lies within ``window`` of the best run's are
    fitted with ``loss = a (ln N)**2 + b ln N + c``; the vertex gives ``N_opt`` and ``loss_opt``.

    Parameters
    ----------
    runs
        Columns ``budget`` (FLOPs), ``N`` (parameters) and ``loss`` (nats/token), one row per run.
    window
        Half-width of the fitting window in ``ln N`` around the best run (1.0 = a factor of e).
    min_points
        Fewest runs a budget needs inside the window (at least 3 for a parabola).

    Returns
    -------
    pandas.DataFrame
        One row per budget: ``budget``, ``N_opt``, ``loss_opt``, ``curvature`` (``a``) and ``n_points``.

    Raises
    ------
    ValueError
        Missing columns, bad values, a budget with too few runs, or a profile that is not convex
        (no minimum inside the window).
    """
    missing = {"budget", "N", "loss"} - set(runs.columns)
    if missing:
        raise ValueError(f"runs lacks the columns {sorted(missing)}; it needs budget, N and loss")
    at_least(3, int(min_points), "points per parabola (min_points)")
    w = float(positive(window, "window"))
    positive(runs["budget"].to_numpy(), "budget")
    positive(runs["N"].to_numpy(), "N")
    positive(runs["loss"].to_numpy(), "loss")
    rows = []
    for budget, group in runs.groupby("budget", sort=True):
        x = np.log(group["N"].to_numpy(dtype=float))
        y = group["loss"].to_numpy(dtype=float)
        keep = np.abs(x - x[np.argmin(y)]) <= w
        if keep.sum() < min_points:
            raise ValueError(
                f"budget {budget:.3g}: only {int(keep.sum())} runs within the window; widen `window` "
                f"or lower `min_points` (at least 3)"
            )
        a, b, c = np.polyfit(x[keep], y[keep], 2)
        if a <= 0:
            raise ValueError(f"budget {budget:.3g}: the profile is not convex, so it has no minimum; widen `window`")
        x_opt = -b / (2.0 * a)
        rows.append(
            {
                "budget": float(budget),
                "N_opt": math.exp(x_opt),
                "loss_opt": c - b * b / (4.0 * a),
                "curvature": a,
                "n_points": int(keep.sum()),
            }
        )
    return pd.DataFrame(rows)
