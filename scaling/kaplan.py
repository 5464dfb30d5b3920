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
* fitting real runs: :func:`isoflop_minima`;
* predicting a learning curve from its start: :func:`extrapolation_errors`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import OptimizeWarning, brentq, curve_fit, elementwise

from ._validate import (
    at_least,
    broadcast_shape,
    exact_or_log,
    finite,
    frame,
    in_range,
    instance,
    positive,
    ratio_power,
    representable,
    same_shape,
    show,
    whole,
)
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
    "extrapolation_errors",
    "naive_crossing",
]

Array = NDArray[np.float64]
_LOG_PF_DAY = math.log(PF_DAY)


def _out(a: Array) -> Array | float:
    return float(a) if np.ndim(a) == 0 else a


def _constants(value: object, name: str = "constants") -> KaplanConstants:
    return instance(value, name, KaplanConstants, " (e.g. scaling.published.KAPLAN2020)")


def _nd(value: object, name: str = "params") -> KaplanJointND:
    return instance(value, name, KaplanJointND, " (e.g. scaling.published.KAPLAN2020_ND)")


def _ns(value: object, name: str = "params") -> KaplanJointNS:
    return instance(value, name, KaplanJointNS, " (e.g. scaling.published.KAPLAN2020_NS)")


def _allocation(value: object, name: str = "allocation") -> KaplanAllocation:
    return instance(value, name, KaplanAllocation, " (e.g. scaling.published.KAPLAN2020_ALLOCATION)")


def _check_alpha(value: float, name: str) -> float:
    v = float(positive(value, name))
    return v


# ---------------------------------------------------------------- single-variable laws (Section 1.2)
# Every law below is evaluated as the paper writes it wherever each step is an ordinary double,
# and in log space where an intermediate would overflow or underflow (``ratio_power``), so that a
# representable result comes out right at any input; a result beyond double precision raises.
@representable(positive=True)
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

    Raises
    ------
    TypeError
        If ``N`` is not numeric or ``constants`` is not a :class:`~scaling.published.KaplanConstants`.
    ValueError
        If ``N`` is not finite and positive, or the loss is outside the range of double precision.
    """
    n = positive(N, "N")
    k = _constants(constants)
    return _out(ratio_power(k.N_c, n, k.alpha_N))


@representable(positive=True)
def loss_D(D: ArrayLike, constants: KaplanConstants = KAPLAN2020) -> Array | float:
    """``L(D) = (D_c / D)**alpha_D`` (eq. 1.2): a large model trained on ``D`` tokens with early stopping (nats/token)."""
    d = positive(D, "D")
    k = _constants(constants)
    return _out(ratio_power(k.D_c, d, k.alpha_D))


@representable(positive=True)
def loss_C(C: ArrayLike, constants: KaplanConstants = KAPLAN2020) -> Array | float:
    """The naive ``L(C) = (C_c / C)**alpha_C`` of Figure 1, fixed batch size; ``C`` in PF-days (nats/token)."""
    c = positive(C, "C")
    k = _constants(constants)
    return _out(ratio_power(k.C_c, c, k.alpha_C))


@representable(positive=True)
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
        Another scale in PF-days (> 0), e.g. ``constants.C_c_min_figure1`` (2.3e8, Figure 1's legend).
    """
    c = positive(C_min, "C_min")
    k = _constants(constants)
    s = k.C_c_min if scale is None else float(positive(scale, "scale", scalar=True))
    return _out(ratio_power(s, c, k.alpha_C_min))


@representable(positive=True)
def per_doubling(alpha: ArrayLike) -> Array | float:
    """Factor by which a power law ``L ∝ X**-alpha`` multiplies the loss when ``X`` doubles: ``2**-alpha``.

    ``alpha`` is any finite exponent (scalar or array) whose factor is representable
    (``|alpha|`` below about 1,000).
    """
    a = finite(alpha, "alpha")
    return _out(2.0 ** (-a))


# ---------------------------------------------------------------- L(N, D) and overfitting (Section 4)
def _log_terms_nd(n: Array, d: Array, p: KaplanJointND) -> tuple[Array, Array]:
    """``ln u`` and ``ln v`` of ``L(N, D) = (u + v)**alpha_D``, ``u = (N_c/N)**(alpha_N/alpha_D)``, ``v = D_c/D``."""
    e = p.alpha_N / p.alpha_D
    return e * (math.log(p.N_c) - np.log(n)), math.log(p.D_c) - np.log(d)


@representable(positive=True)
def loss_ND(N: ArrayLike, D: ArrayLike, params: KaplanJointND = KAPLAN2020_ND) -> Array | float:
    """``L(N, D) = [(N_c/N)**(alpha_N/alpha_D) + D_c/D]**alpha_D`` (eq. 1.5 / 4.1), nats/token.

    ``N`` (non-embedding parameters, > 0) and ``D`` (tokens, > 0) broadcast against each other.
    """
    n = positive(N, "N")
    d = positive(D, "D")
    p = _nd(params)
    broadcast_shape(N=n, D=d)
    u = ratio_power(p.N_c, n, p.alpha_N / p.alpha_D)
    v = p.D_c / d
    return _out(exact_or_log((u + v) ** p.alpha_D,
                             lambda: p.alpha_D * np.logaddexp(*_log_terms_nd(n, d, p)), u, v, u + v))


@representable
def overfitting(N: ArrayLike, D: ArrayLike, params: KaplanJointND = KAPLAN2020_ND) -> Array | float:
    """The overfitting measure ``delta L = L(N, D) / L(N, inf) - 1`` (eq. 4.3).

    ``delta L = (1 + (N/N_c)**(alpha_N/alpha_D) D_c/D)**alpha_D - 1``: it depends on ``N`` and
    ``D`` only through ``N**(alpha_N/alpha_D) / D`` (dimensionless, a fraction of the loss).
    Computed as ``expm1(alpha_D log1p(w))``, so that it keeps its digits when it is small
    (it is 0 only where the true value is below 1e-308).
    """
    n = positive(N, "N")
    d = positive(D, "D")
    p = _nd(params)
    broadcast_shape(N=n, D=d)
    log_u, log_v = _log_terms_nd(n, d, p)
    return _out(np.expm1(p.alpha_D * np.logaddexp(0.0, log_v - log_u)))


@representable(positive=True)
def overfitting_rule(delta: float = 0.02, params: KaplanJointND = KAPLAN2020_ND) -> tuple[float, float]:
    """The data rule ``D >= k N**e`` that keeps :func:`overfitting` below ``delta`` (eq. 4.4).

    Solving eq. 4.3 for ``D`` gives ``D = D_c (N/N_c)**(alpha_N/alpha_D) / ((1 + delta)**(1/alpha_D) - 1)``
    (the bracket computed as ``expm1(log1p(delta) / alpha_D)``, exact for tiny ``delta``).

    Parameters
    ----------
    delta
        Tolerated relative loss penalty (> 0; the paper uses its seed-to-seed noise, about 0.02).

    Returns
    -------
    (k, e)
        Prefactor in tokens and exponent ``alpha_N / alpha_D`` (Kaplan: ``5e3``, ``0.74``).

    Raises
    ------
    ValueError
        If ``delta`` is not finite and positive, or ``k`` is outside the range of double
        precision (``delta`` above about 1e3 makes ``k`` underflow).
    """
    d = float(positive(delta, "delta", scalar=True))
    p = _nd(params)
    e = p.alpha_N / p.alpha_D
    bracket = np.expm1(np.log1p(d) / p.alpha_D)
    k = p.D_c * p.N_c ** (-e) / bracket
    return float(k), e


@representable(positive=True)
def data_to_avoid_overfitting(
    N: ArrayLike, delta: float = 0.02, params: KaplanJointND = KAPLAN2020_ND
) -> Array | float:
    """Tokens needed to keep the overfitting penalty :func:`overfitting` at ``delta`` for ``N`` parameters."""
    n = positive(N, "N")
    k, e = overfitting_rule(delta, params)
    power = n**e
    return _out(exact_or_log(k * power, lambda: math.log(k) + e * np.log(n), power))


@representable(positive=True)
def data_growth_factor(model_factor: ArrayLike, params: KaplanJointND = KAPLAN2020_ND) -> Array | float:
    """How much more data keeps overfitting constant when the model grows by ``model_factor``.

    At fixed :func:`overfitting`, ``D ∝ N**(alpha_N/alpha_D)``, so the factor is
    ``model_factor**(alpha_N/alpha_D)`` (Kaplan: 8x the model needs about 5x the data).
    """
    m = positive(model_factor, "model_factor")
    p = _nd(params)
    return _out(ratio_power(m, 1.0, p.alpha_N / p.alpha_D))


@representable(positive=True)
def early_stopping_steps(
    N: ArrayLike,
    D: ArrayLike,
    nd: KaplanJointND = KAPLAN2020_ND,
    ns: KaplanJointNS = KAPLAN2020_NS,
) -> Array | float:
    """Lower bound on the early-stopping step, ``S_c / [L(N, D) - L(N, inf)]**(1/alpha_S)`` (eq. 5.7), in steps.

    The gap ``L(N, D) - L(N, inf) = u**alpha_D ((1 + v/u)**alpha_D - 1)`` (``u``, ``v`` as in
    :func:`loss_ND`) is computed from logarithms with ``log1p`` and ``expm1``, so that it keeps its
    digits where the two losses nearly cancel (large ``D``, small ``N``).
    """
    n = positive(N, "N")
    d = positive(D, "D")
    nd = _nd(nd, "nd")
    ns = _ns(ns, "ns")
    broadcast_shape(N=n, D=d)
    log_u, log_v = _log_terms_nd(n, d, nd)
    log_w = log_v - log_u
    x = nd.alpha_D * np.logaddexp(0.0, log_w)  # alpha_D log1p(w) > 0
    # ln expm1(x): for tiny w, expm1(alpha_D log1p(w)) = alpha_D w to double precision
    log_expm1 = np.where(
        log_w < -700.0,
        math.log(nd.alpha_D) + log_w,
        np.where(x > 30.0, x + np.log1p(-np.exp(-x)), np.log(np.expm1(np.maximum(x, 1e-300)))),
    )
    log_gap = nd.alpha_D * log_u + log_expm1
    return _out(np.exp(math.log(ns.S_c) - log_gap / ns.alpha_S))


# ---------------------------------------------------------------- batch size and learning curves (Section 5)
def _bcrit(loss: Array, k: KaplanConstants) -> tuple[Array, Callable[[], Array]]:
    """``B_crit(L)`` as eq. 5.3 writes it (``inf`` or 0 where it leaves the double range) and a function giving its log."""
    power = loss ** (1.0 / k.alpha_B)
    log_b = lambda: math.log(k.B_star) - np.log(loss) / k.alpha_B  # noqa: E731
    return exact_or_log(k.B_star / power, log_b, power), log_b


@representable(positive=True)
def critical_batch(L: ArrayLike, constants: KaplanConstants = KAPLAN2020) -> Array | float:
    """``B_crit(L) = B_star / L**(1/alpha_B)`` (eq. 5.3), tokens, at loss ``L`` (nats/token, > 0)."""
    loss = positive(L, "L")
    return _out(_bcrit(loss, _constants(constants))[0])


@representable(positive=True)
def min_steps(S: ArrayLike, B: ArrayLike, L: ArrayLike, constants: KaplanConstants = KAPLAN2020) -> Array | float:
    """``S_min = S / (1 + B_crit(L)/B)`` (eq. 5.4): steps that batch ``B`` >> B_crit would need to reach ``L``.

    ``S`` (steps), ``B`` (tokens) and ``L`` (nats/token), all > 0, broadcast against each other.
    """
    s = positive(S, "S")
    b = positive(B, "B")
    loss = positive(L, "L")
    k = _constants(constants)
    broadcast_shape(S=s, B=b, L=loss)
    bc, log_bc = _bcrit(loss, k)
    ratio = bc / b
    return _out(exact_or_log(s / (1.0 + ratio), lambda: np.log(s) - np.logaddexp(0.0, log_bc() - np.log(b)),
                             bc, 1.0 + ratio))


@representable(positive=True)
def min_compute(C: ArrayLike, B: ArrayLike, L: ArrayLike, constants: KaplanConstants = KAPLAN2020) -> Array | float:
    """``C_min = C / (1 + B/B_crit(L))`` (eq. 5.5): compute that ``B`` << B_crit would need (same unit as ``C``).

    ``C``, ``B`` (tokens) and ``L`` (nats/token), all > 0, broadcast against each other.
    """
    c = positive(C, "C")
    b = positive(B, "B")
    loss = positive(L, "L")
    k = _constants(constants)
    broadcast_shape(C=c, B=b, L=loss)
    bc, log_bc = _bcrit(loss, k)
    ratio = b / bc
    return _out(exact_or_log(c / (1.0 + ratio), lambda: np.log(c) - np.logaddexp(0.0, np.log(b) - log_bc()),
                             bc, 1.0 + ratio))


@representable(positive=True)
def loss_NS(N: ArrayLike, S_min: ArrayLike, params: KaplanJointNS = KAPLAN2020_NS) -> Array | float:
    """``L(N, S_min) = (N_c/N)**alpha_N + (S_c/S_min)**alpha_S`` (eq. 1.6 / 5.6), nats/token.

    ``N`` (> 0) and ``S_min`` (steps, > 0) broadcast against each other.
    """
    n = positive(N, "N")
    s = positive(S_min, "S_min")
    p = _ns(params)
    broadcast_shape(N=n, S_min=s)
    return _out(ratio_power(p.N_c, n, p.alpha_N) + ratio_power(p.S_c, s, p.alpha_S))


def _steps_to_loss(n: Array, loss: Array, p: KaplanJointNS, name: str) -> Array:
    """Eq. 5.6 solved for ``S_min``; ``name`` is the caller's name for the losses (for the message)."""
    converged = ratio_power(p.N_c, n, p.alpha_N)
    gap = loss - converged
    if np.any(gap <= 0):
        i = int(np.flatnonzero(np.broadcast_to(gap <= 0, np.broadcast(n, loss).shape).ravel())[0])
        ln, nn, cv = (np.broadcast_to(x, np.broadcast(n, loss).shape).ravel()[i] for x in (loss, n, converged))
        raise ValueError(
            f"{name} must lie above the model's converged loss (N_c/N)**alpha_N, got {name} = {show(ln)} for "
            f"N = {show(nn)}, whose converged loss is {show(cv)}: no number of steps reaches it; "
            "pick a larger N or a higher target loss"
        )
    power = gap ** (-1.0 / p.alpha_S)
    return exact_or_log(p.S_c * power, lambda: math.log(p.S_c) - np.log(gap) / p.alpha_S, power)


@representable(positive=True)
def steps_to_loss(N: ArrayLike, L: ArrayLike, params: KaplanJointNS = KAPLAN2020_NS) -> Array | float:
    """Minimum steps ``S_min`` for a model of ``N`` parameters to reach loss ``L``: eq. 5.6 solved for ``S_min``.

    ``S_min = S_c (L - (N_c/N)**alpha_N)**(-1/alpha_S)``; ``N`` and ``L`` broadcast.

    Raises
    ------
    ValueError
        If some ``L`` is at or below the model's converged loss ``(N_c/N)**alpha_N``: no number of
        steps reaches it; choose a larger model or a higher target.
    """
    n = positive(N, "N")
    loss = positive(L, "L")
    p = _ns(params)
    broadcast_shape(N=n, L=loss)
    return _out(_steps_to_loss(n, loss, p, "L"))


@representable(positive=True)
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
        Non-embedding parameters (a single number, > 0).
    losses
        Target losses (nats/token), each above the converged loss of ``N``.
    batch
        Batch size in tokens (a single number, > 0; Kaplan trained at 2**19 = 512 x 1024).

    Returns
    -------
    pandas.DataFrame
        Columns ``loss``, ``S_min``, ``S`` (steps), ``tokens``, ``C`` and ``C_min`` (PF-days).

    Raises
    ------
    ValueError
        If a loss is at or below the converged loss of ``N``, or a column is outside the
        range of double precision.
    """
    n = float(positive(N, "N", scalar=True))
    b = float(positive(batch, "batch", scalar=True))
    loss = np.atleast_1d(positive(losses, "losses")).astype(float).ravel()
    p = _ns(params)
    k = _constants(constants)
    s_min = _steps_to_loss(np.asarray(n), loss, p, "losses")
    bc, log_bc = _bcrit(loss, k)
    s = exact_or_log(s_min * (1.0 + bc / b), lambda: np.log(s_min) + np.logaddexp(0.0, log_bc() - math.log(b)),
                     bc, 1.0 + bc / b)
    tokens = exact_or_log(b * s, lambda: math.log(b) + np.log(s))
    c = exact_or_log(6.0 * n * tokens / PF_DAY, lambda: math.log(6.0 * n) + np.log(tokens) - _LOG_PF_DAY, 6.0 * n * tokens)
    c_min = exact_or_log(c / (1.0 + b / bc), lambda: np.log(c) - np.logaddexp(0.0, math.log(b) - log_bc()),
                         bc, 1.0 + b / bc)
    return pd.DataFrame({"loss": loss, "S_min": s_min, "S": s, "tokens": tokens, "C": c, "C_min": c_min})


@dataclass(frozen=True)
class LearningCurveFit:
    """A fitted learning curve ``L(S) = L_inf + (S_c / S)**alpha_S`` (the form of eq. 5.6 at fixed ``N``)."""

    L_inf: float
    """The converged loss the curve approaches, nats/token."""
    S_c: float
    """Step scale, steps."""
    alpha_S: float
    """Exponent of the steps term."""

    @representable(positive=True)
    def __call__(self, S: ArrayLike) -> Array | float:
        """The fitted loss after ``S`` steps (nats/token; ``S`` > 0)."""
        s = positive(S, "S")
        return _out(self.L_inf + ratio_power(self.S_c, s, self.alpha_S))


@representable
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
        Bad values, mismatched shapes, fewer than 4 distinct step counts (3 parameters need a
        residual), or data the form cannot be fitted to.
    """
    s = positive(S, "S").ravel()
    loss = positive(L, "L").ravel()
    same_shape(S=s, L=loss)
    at_least(4, s.size, "points to fit a learning curve", name="S")
    distinct = np.unique(s).size
    if distinct < 4:
        raise ValueError(
            f"S must hold at least 4 distinct step counts (three parameters and a residual), got {distinct} "
            f"distinct value(s) among its {s.size} points (e.g. {show(s[0])})"
        )

    def model(log_s: Array, l_inf: float, log_sc: float, a: float) -> Array:
        return np.log(l_inf + np.exp(a * (log_sc - log_s)))

    p0 = (0.9 * loss.min(), math.log(s.min()), 0.5)
    # S_c's bounds cover the steps given (the usual +-50 in ln S unless the steps lie beyond)
    lo_sc = min(-50.0, math.log(s.min()) - 1.0)
    hi_sc = max(50.0, math.log(s.max()) + 1.0)
    try:
        with warnings.catch_warnings():  # the covariance is not used: no warning when it is undefined
            warnings.simplefilter("ignore", OptimizeWarning)
            popt, _ = curve_fit(
                model, np.log(s), np.log(loss), p0=p0,
                bounds=([0.0, lo_sc, 1e-3], [loss.min(), hi_sc, 10.0]), maxfev=20000,
            )
    except (RuntimeError, ValueError) as exc:
        raise ValueError(
            f"fit_learning_curve(S from {show(s.min())} to {show(s.max())}, L from {show(loss.min())} to "
            f"{show(loss.max())}): L = L_inf + (S_c/S)**alpha_S could not be fitted to these points ({exc}); "
            "S and L must follow a falling learning curve"
        ) from None
    return LearningCurveFit(L_inf=float(popt[0]), S_c=float(math.exp(popt[1])), alpha_S=float(popt[2]))


# ---------------------------------------------------------------- the compute-efficient frontier (Appendix B)
@representable(positive=True)
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
    p, k = _ns(params), _constants(constants)
    a_n = _check_alpha(p.alpha_N, "params.alpha_N")
    a_s = _check_alpha(p.alpha_S, "params.alpha_S")
    a_b = _check_alpha(k.alpha_B, "constants.alpha_B")
    a_c = 1.0 / (1.0 / a_s + 1.0 / a_b + 1.0 / a_n)
    return {"alpha_C_min": a_c, "N": a_c / a_n, "B": a_c / a_b, "S": a_c / a_s}


@representable(positive=True)
def predicted_scale(params: KaplanJointNS = KAPLAN2020_NS, constants: KaplanConstants = KAPLAN2020) -> float:
    """The scale ``C_c`` of the predicted ``L(C_min) = (C_c/C_min)**alpha_C_min`` (eq. B.8), in PF-days.

    ``C_c = 6 N_c B_star S_c (1 + alpha_N/alpha_S)**(1/alpha_S + 1/alpha_N) (alpha_S/alpha_N)**(1/alpha_S)``.
    """
    p, k = _ns(params), _constants(constants)
    r = np.float64(p.alpha_N / p.alpha_S)
    flops = 6.0 * p.N_c * k.B_star * p.S_c * (1.0 + r) ** (1.0 / p.alpha_S + 1.0 / p.alpha_N) * r ** (-1.0 / p.alpha_S)
    log_c = (
        math.log(6.0 * p.N_c) + math.log(k.B_star) + math.log(p.S_c) - _LOG_PF_DAY
        + (1.0 / p.alpha_S + 1.0 / p.alpha_N) * math.log1p(float(r)) - math.log(float(r)) / p.alpha_S
    )
    return float(exact_or_log(flops / PF_DAY, lambda: log_c, flops))


def _log_loss(log_n: Array, log_flops: Array, p: KaplanJointNS, k: KaplanConstants) -> Array:
    """``ln L`` solving eq. B.3, ``L = (N_c/N)**a_N + (6 B* S_c N / (L**(1/a_B) C))**a_S``, elementwise.

    Inputs are ``ln N`` and ``ln C`` (C in FLOPs). With ``L = L_N + t`` (``L_N = (N_c/N)**a_N``)
    the root is sought in ``u = ln t``: ``h(u) = u - a_S ln q + (a_S/a_B) ln(L_N + e**u)`` rises
    strictly in ``u``, and ``[u0 - h(u0) - 1, u0]`` with ``u0 = a_S ln q - (a_S/a_B) ln L_N`` (the
    steps term at ``L = L_N``) brackets it. Working with ``t`` rather than ``L`` keeps the steps
    term's digits where it is far below the rounding of ``L_N`` (there the old search on ``L``
    found no sign change and returned NaN), and with logs keeps every step in range.
    """
    r = p.alpha_S / k.alpha_B
    log_ln = p.alpha_N * (math.log(p.N_c) - log_n)
    log_q = math.log(6.0 * k.B_star * p.S_c) + log_n - log_flops
    u0 = p.alpha_S * log_q - r * log_ln
    h0 = r * (np.logaddexp(log_ln, u0) - log_ln)  # h(u0) >= 0

    def h(u: Array, log_ln: Array, log_q: Array) -> Array:
        return u - p.alpha_S * log_q + r * np.logaddexp(log_ln, u)

    res = elementwise.find_root(h, (u0 - h0 - 1.0, u0), args=(log_ln, log_q), tolerances={"xatol": 1e-14})
    u = np.where(h0 == 0, u0, np.asarray(res.x, dtype=float))  # h0 == 0: the steps term is below L_N's rounding
    if not np.all(np.asarray(res.success) | (h0 == 0)):
        raise FloatingPointError("the root search of eq. B.3 did not converge; this is a defect, please report it")
    return np.logaddexp(log_ln, u)


@representable(positive=True)
def loss_at_compute(
    N: ArrayLike,
    C_min: ArrayLike,
    params: KaplanJointNS = KAPLAN2020_NS,
    constants: KaplanConstants = KAPLAN2020,
) -> Array | float:
    """Loss a model of ``N`` parameters reaches with compute ``C_min`` (PF-days) at the critical batch (eq. B.3).

    ``S_min = C_min / (6 N B_crit(L))`` couples steps to the loss reached, so ``L`` solves
    ``L = L(N, S_min(L))``; it is found by a bracketing root search, elementwise over the broadcast
    inputs (``N`` > 0 parameters, ``C_min`` > 0 PF-days).
    """
    n = positive(N, "N")
    c = positive(C_min, "C_min")
    p, k = _ns(params), _constants(constants)
    broadcast_shape(N=n, C_min=c)
    n, c = np.broadcast_arrays(n, c)
    return _out(np.exp(_log_loss(np.log(n), np.log(c) + _LOG_PF_DAY, p, k)))


@representable(positive=True)
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
        Non-positive or non-finite budgets, or a column outside the range of double precision.
    """
    c = np.atleast_1d(positive(C_min, "C_min")).astype(float).ravel()
    log_flops = np.log(c) + _LOG_PF_DAY
    p, k = _ns(params), _constants(constants)

    def objective(u: Array, log_flops: Array) -> Array:
        return _log_loss(u, log_flops, p, k)

    start = np.full_like(log_flops, math.log(1e6))
    br = elementwise.bracket_minimum(objective, start, xl0=start - 1.0, xr0=start + 1.0, args=(log_flops,))
    res = elementwise.find_minimum(objective, br.bracket, args=(log_flops,), tolerances={"xatol": 1e-10})
    if not (np.all(br.success) and np.all(res.success)):
        raise FloatingPointError("the minimisation over log N did not converge; this is a defect, please report it")
    log_n = np.asarray(res.x, dtype=float)
    log_loss = _log_loss(log_n, log_flops, p, k)
    log_b = math.log(k.B_star) - log_loss / k.alpha_B
    log_s = log_flops - math.log(6.0) - log_n - log_b
    n, loss, b = np.exp(log_n), np.exp(log_loss), np.exp(log_b)
    s_min = exact_or_log(c * PF_DAY / (6.0 * n * b), lambda: log_s, c * PF_DAY, 6.0 * n * b)
    return pd.DataFrame(
        {
            "C_min": c,
            "N": n,
            "loss": loss,
            "loss_converged": np.exp(p.alpha_N * (math.log(p.N_c) - log_n)),
            "B": b,
            "S_min": s_min,
            "tokens": exact_or_log(b * s_min, lambda: log_b + log_s),
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


@representable(positive=True)
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
    for both, so compute scales as ``N S``. The ratios do not depend on ``target_loss``. They are
    computed from logarithms (the gap ``L - L/(1+f)`` as ``L f/(1+f)``), so that they stay right for
    convergence factors from 1e-300 to 1e300 as long as the ratios themselves are representable.

    Raises
    ------
    ValueError
        If ``f``, ``f_prime`` or ``target_loss`` is not a positive number, or a ratio is outside
        the range of double precision.
    """
    p = _ns(params)
    _constants(constants)  # the batch B_crit(L) is the same for both and cancels
    ff = p.alpha_N / p.alpha_S if f is None else float(positive(f, "f", scalar=True))
    fp = float(positive(f_prime, "f_prime", scalar=True))
    log_l = math.log(float(positive(target_loss, "target_loss", scalar=True)))

    def log_size_and_steps(conv: float) -> tuple[float, float]:
        log_n = math.log(p.N_c) - (log_l - math.log1p(conv)) / p.alpha_N
        log_gap = log_l + math.log(conv) - math.log1p(conv)  # L - L/(1 + conv)
        return log_n, math.log(p.S_c) - log_gap / p.alpha_S

    n_f, s_f = log_size_and_steps(ff)
    n_p, s_p = log_size_and_steps(fp)
    ratios = np.exp([n_f - n_p, s_f - s_p, n_f + s_f - n_p - s_p])
    return ConvergenceComparison(ff, fp, float(ratios[0]), float(ratios[1]), float(ratios[2]))


def _log_excess_steps(x: Array, p: KaplanJointNS) -> Array:
    """``ln`` of eq. B.17 at size ratios ``x``, raising (naming ``size_ratio``) below the smallest useful model."""
    base = 1.0 - (p.alpha_S / p.alpha_N) * np.expm1(-p.alpha_N * np.log(x))
    if np.any(base <= 0):
        x_floor = (1.0 + p.alpha_N / p.alpha_S) ** (-1.0 / p.alpha_N)
        bad = np.flatnonzero(np.broadcast_to(base <= 0, x.shape).ravel())
        raise ValueError(
            f"size_ratio must be above {x_floor:.6g} (the smallest model that can reach the efficient "
            f"model's loss), got {show(x.ravel()[bad[0]])}: size_ratio too small, such a model converges "
            "above the loss the efficient model reaches"
        )
    return -np.log(base) / p.alpha_S


@representable(positive=True)
def excess_steps(size_ratio: ArrayLike, params: KaplanJointNS = KAPLAN2020_NS) -> Array | float:
    """Steps a model ``size_ratio`` times the efficient size needs, relative to the efficient one (eq. B.17).

    ``[1 + (alpha_S/alpha_N)(1 - size_ratio**-alpha_N)]**(-1/alpha_S)`` at the same loss (the
    bracket computed with ``expm1``, exact near ``size_ratio = 1``).

    Raises
    ------
    ValueError
        If a model is so small that it cannot reach the efficient model's loss at all.
    """
    x = positive(size_ratio, "size_ratio")
    return _out(np.exp(_log_excess_steps(x, _ns(params))))


@representable(positive=True)
def excess_compute(size_ratio: ArrayLike, params: KaplanJointNS = KAPLAN2020_NS) -> Array | float:
    """Compute a model ``size_ratio`` times the efficient size needs to reach the same loss, relative (eq. B.16)."""
    x = positive(size_ratio, "size_ratio")
    log_steps = _log_excess_steps(x, _ns(params))
    steps = np.exp(log_steps)
    return _out(exact_or_log(x * steps, lambda: np.log(x) + log_steps, steps))


@representable(positive=True)
def size_window(excess: float = 0.2, params: KaplanJointNS = KAPLAN2020_NS) -> tuple[float, float]:
    """The range of model sizes (relative to the efficient size) that cost at most ``1 + excess`` the compute.

    Solves ``excess_compute(x) = 1 + excess`` on each side of ``x = 1`` with :func:`scipy.optimize.brentq`,
    in logarithms: ``ln excess_compute(e**u) = u - ln(base)/alpha_S``. Near the smallest useful model
    ``x_floor`` (where the compute diverges) the low side is solved in ``ln(ln x - ln x_floor)``, with
    ``base = (1 + alpha_S/alpha_N)(1 - exp(-alpha_N (ln x - ln x_floor)))`` exact there, so that any
    ``excess`` up to 1.8e308 has its window.

    Returns
    -------
    (low, high)
        Size ratios (the paper: about 0.6 and 2.2 for 20 %).

    Raises
    ------
    ValueError
        If ``excess`` is not a positive number, or ``high`` is beyond double precision.
    """
    target = math.log1p(float(positive(excess, "excess", scalar=True)))
    p = _ns(params)
    a_n, a_s = p.alpha_N, p.alpha_S
    log_floor = -math.log1p(a_n / a_s) / a_n  # ln x_floor
    c1 = math.log1p(a_s / a_n)

    def g(u: float) -> float:  # ln excess_compute(e**u) - ln(1 + excess), for u > ln x_floor
        return u - math.log1p(-(a_s / a_n) * math.expm1(-a_n * u)) / a_s - target

    def g_near_floor(v: float) -> float:  # the same with u = ln x_floor + e**v
        t = math.exp(v)
        return log_floor + t - (c1 + math.log(-math.expm1(-a_n * t))) / a_s - target

    lo_edge = log_floor + 1e-9
    if g(lo_edge) > 0:
        low = math.exp(brentq(g, lo_edge, 0.0, xtol=1e-13))
    else:
        low = math.exp(log_floor + math.exp(brentq(g_near_floor, -700.0, math.log(1e-9), xtol=1e-13)))
    hi_edge = 1.0
    while g(hi_edge) < 0:
        hi_edge *= 2.0
    high = math.exp(brentq(g, 0.0, hi_edge, xtol=1e-13))
    return low, high


@representable(positive=True)
def growth_factors(compute_factor: float, exponents: Mapping[str, float]) -> dict[str, float]:
    """Multiplicative growth of ``N``, ``B`` and ``S`` when compute grows by ``compute_factor``.

    Parameters
    ----------
    compute_factor
        Growth of ``C_min`` (> 0; e.g. 1e9 for Figure 3's billion-fold increase).
    exponents
        A mapping with keys ``N``, ``B``, ``S`` and finite exponents (e.g. :func:`predicted_exponents`).

    Raises
    ------
    TypeError
        If ``exponents`` is not a mapping or an exponent is not a number.
    ValueError
        If ``compute_factor`` is not positive, a key is missing, or a factor is outside the range
        of double precision.
    """
    c = float(positive(compute_factor, "compute_factor", scalar=True))
    if not isinstance(exponents, Mapping):
        raise TypeError(
            f"exponents must be a mapping with keys 'N', 'B', 'S' (e.g. predicted_exponents()), got {show(exponents)}"
        )
    missing = {"N", "B", "S"} - set(exponents)
    if missing:
        raise ValueError(f"exponents must have the keys 'N', 'B', 'S'; it lacks {sorted(missing)}")
    out = {}
    for key in ("N", "B", "S"):
        e = float(finite(exponents[key], f"exponents[{key!r}]", scalar=True))
        out[key] = float(exact_or_log(np.float64(c) ** e, lambda: e * math.log(c)))
    return out


# ---------------------------------------------------------------- the breakdown point (Section 6.3)
def _log_data_per_compute(
    log_c: Array | float, allocation: KaplanAllocation, prefactor: float | None, exponent: float | None
) -> Array | float:
    if prefactor is not None and exponent is not None:
        return math.log(prefactor) + exponent * log_c
    log_n = math.log(allocation.N_prefactor) + allocation.N_exponent * log_c
    return math.log(2.0 / 6.0) + log_c + _LOG_PF_DAY - log_n


def _data_law(prefactor: float | None, exponent: float | None, names: tuple[str, str]) -> tuple[float | None, float | None]:
    if (prefactor is None) != (exponent is None):
        raise ValueError(
            f"{names[0]} and {names[1]} must be given together (give both, or neither), got "
            f"{names[0]}={show(prefactor)}, {names[1]}={show(exponent)}"
        )
    if prefactor is None:
        return None, None
    return float(positive(prefactor, names[0], scalar=True)), float(finite(exponent, names[1], scalar=True))


@representable(positive=True)
def data_per_compute(
    C_min: ArrayLike,
    allocation: KaplanAllocation = KAPLAN2020_ALLOCATION,
    prefactor: float | None = None,
    exponent: float | None = None,
) -> Array | float:
    """Tokens used by compute-efficient training at the critical batch, one epoch (eq. 6.7).

    By default ``D = 2 C_min / (6 N(C_min))`` with ``N(C_min)`` from Table 6 (``C = 2 C_min`` at
    ``B = B_crit``). Give ``prefactor`` (> 0) and ``exponent`` (finite) to use a printed law instead
    (eq. 6.7 prints ``4e10 C_min**0.26``). ``C_min`` in PF-days; tokens returned.
    """
    c = positive(C_min, "C_min")
    a = _allocation(allocation)
    k, e = _data_law(prefactor, exponent, ("prefactor", "exponent"))
    if k is not None and e is not None:
        power = c**e
        return _out(exact_or_log(k * power, lambda: _log_data_per_compute(np.log(c), a, k, e), power))
    power = c**a.N_exponent
    n = a.N_prefactor * power
    return _out(exact_or_log(2.0 * c * PF_DAY / (6.0 * n), lambda: _log_data_per_compute(np.log(c), a, None, None),
                             power, n, c * PF_DAY))


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


@representable(positive=True)
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
    The crossing is found by :func:`scipy.optimize.brentq` on ``log C_min``, with both losses
    in logarithms.

    Parameters
    ----------
    scale
        ``C_c_min`` of :func:`loss_C_min` (> 0; default the text's 3.1e8 PF-days).
    data_prefactor, data_exponent
        Passed to :func:`data_per_compute` (both or neither).

    Raises
    ------
    ValueError
        If the two laws do not cross between 1e-10 and 1e20 PF-days, or an argument is invalid.
    """
    k = _constants(constants)
    a = _allocation(allocation)
    s = k.C_c_min if scale is None else float(positive(scale, "scale", scalar=True))
    pref, expo = _data_law(data_prefactor, data_exponent, ("data_prefactor", "data_exponent"))

    def gap(u: float) -> float:
        log_c = u * math.log(10.0)
        log_d = _log_data_per_compute(log_c, a, pref, expo)
        return k.alpha_D * (math.log(k.D_c) - log_d) - k.alpha_C_min * (math.log(s) - log_c)

    lo, hi = -10.0, 20.0
    if gap(lo) * gap(hi) > 0:
        raise ValueError(
            f"L(D(C_min)) and L(C_min) do not cross between 1e-10 and 1e20 PF-days for scale={show(s)}, "
            f"data_prefactor={show(data_prefactor)}, data_exponent={show(data_exponent)}: these must make the "
            "data-limited loss fall more slowly than L(C_min) and meet it in that range"
        )
    u = brentq(gap, lo, hi, xtol=1e-12)
    c = 10.0**u
    log_c = math.log(c)
    return BreakdownPoint(
        C=c,
        N=float(np.exp(math.log(a.N_prefactor) + a.N_exponent * log_c)),
        D=float(np.exp(_log_data_per_compute(log_c, a, pref, expo))),
        L=float(loss_C_min(c, k, s)),
    )


# ---------------------------------------------------------------- real runs: IsoFLOP minima
@representable
def isoflop_minima(runs: pd.DataFrame, window: float = 1.0, min_points: int = 3) -> pd.DataFrame:
    """The loss-minimising model size at each budget, from a parabola in ``log N`` (an IsoFLOP profile).

    For every budget, the runs whose ``ln N`` lies within ``window`` of the best run's are
    fitted with ``loss = a (ln N)**2 + b ln N + c``; the vertex gives ``N_opt`` and ``loss_opt``.

    Parameters
    ----------
    runs
        Columns ``budget`` (FLOPs), ``N`` (parameters) and ``loss`` (nats/token), one row per run,
        all finite and > 0.
    window
        Half-width of the fitting window in ``ln N`` around the best run (> 0; 1.0 = a factor of e).
    min_points
        Fewest runs a budget needs inside the window (a whole number, at least 3 for a parabola).

    Returns
    -------
    pandas.DataFrame
        One row per budget: ``budget``, ``N_opt``, ``loss_opt``, ``curvature`` (``a``) and ``n_points``.

    Raises
    ------
    ValueError
        Missing columns, bad values, a budget with too few runs (or fewer than 3 distinct sizes), a
        profile that is not convex (no minimum inside the window), or a vertex whose loss is not
        positive (the runs are not parabolic near their minimum).
    """
    frame(runs, "runs", {"budget": "positive", "N": "positive", "loss": "positive"})
    min_points = whole(min_points, "min_points")
    if min_points < 3:
        raise ValueError(f"min_points must be at least 3 (points per parabola), got {min_points}")
    w = float(positive(window, "window", scalar=True))
    rows = []
    for budget, group in runs.groupby("budget", sort=True):
        x = np.log(group["N"].to_numpy(dtype=float))
        y = group["loss"].to_numpy(dtype=float)
        keep = np.abs(x - x[np.argmin(y)]) <= w
        if keep.sum() < min_points or np.unique(x[keep]).size < 3:
            raise ValueError(
                f"budget {budget:.3g}: only {int(keep.sum())} runs ({np.unique(x[keep]).size} distinct sizes) "
                f"within the window; runs must have at least max(3, min_points) distinct sizes within window="
                f"{show(w)} of the best run at every budget: widen `window` or lower `min_points` (at least 3)"
            )
        a, b, c = np.polyfit(x[keep], y[keep], 2)
        if a <= 0:
            raise ValueError(f"budget {budget:.3g}: the profile is not convex, so it has no minimum; widen `window`")
        x_opt = -b / (2.0 * a)
        loss_opt = c - b * b / (4.0 * a)
        if not loss_opt > 0:
            raise ValueError(
                f"budget {budget:.3g}: the parabola's minimum loss is {show(loss_opt)}, but a loss must be > 0: "
                "runs['loss'] is not parabolic in ln N near its minimum; narrow `window`"
            )
        rows.append(
            {
                "budget": float(budget),
                "N_opt": float(np.exp(x_opt)),
                "loss_opt": loss_opt,
                "curvature": a,
                "n_points": int(keep.sum()),
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- predicting a learning curve from its start
@representable
def extrapolation_errors(
    N: float,
    last_step: float,
    noise: float,
    seeds: int = 100,
    *,
    first_step: float = 2e3,
    points: int = 25,
    horizon: float = 2.5e5,
    params: KaplanJointNS = KAPLAN2020_NS,
) -> pd.DataFrame:
    """How well the start of a learning curve predicts its end, over many noisy draws (Section 5.2).

    The experiment: the learning curve of eq. 5.6 for a model of ``N`` parameters, sampled at
    ``points`` step counts spaced evenly in ``ln S_min`` from ``first_step`` to ``last_step``,
    each loss multiplied by ``exp(e)`` with ``e`` drawn from a normal distribution of standard
    deviation ``noise`` (:func:`numpy.random.default_rng` seeded with the draw's number, 0 to
    ``seeds - 1``), fitted with :func:`fit_learning_curve`, and the fit read at ``horizon``
    steps and at its floor ``L_inf``. Each draw is compared with the truth of eq. 5.6:
    ``L(N, horizon)`` and the converged loss ``(N_c/N)**alpha_N``.

    Parameters
    ----------
    N
        Non-embedding parameters (a single number, > 0).
    last_step
        The last step count the fit sees (``S_min``, > ``first_step``).
    noise
        Standard deviation of the log-normal noise on each loss (in [0, 1]; 0.005 is 0.5 %).
    seeds
        Number of draws (a whole number, at least 1), seeded 0, 1, ..., ``seeds - 1``.
    first_step
        The first step count the fit sees (> 0; 2,000 skips the early transient).
    points
        Losses per curve (a whole number, at least 4: three parameters and a residual).
    horizon
        The step count the fit predicts (> 0; 2.5e5 is a standard run of Kaplan et al.).
    params
        The constants of eq. 5.6.

    Returns
    -------
    pandas.DataFrame
        One row per draw: ``seed``, the fitted ``L_inf``, ``S_c`` and ``alpha_S``,
        ``loss_at_horizon`` (the fit at ``horizon``, nats/token), ``error_end`` and ``error_floor``
        (relative errors, ``|fit / truth - 1|``, of the loss at ``horizon`` and of the floor).

    Raises
    ------
    ValueError
        Bad values; ``last_step`` not larger than ``first_step``; or a draw whose losses could
        not be fitted (the message names its seed).
    """
    n = float(positive(N, "N", scalar=True))
    s_last = float(positive(last_step, "last_step", scalar=True))
    s_first = float(positive(first_step, "first_step", scalar=True))
    sigma = float(in_range(noise, "noise", 0.0, 1.0, scalar=True))
    count = whole(seeds, "seeds", minimum=1)
    k = whole(points, "points", minimum=4)
    h = float(positive(horizon, "horizon", scalar=True))
    p = _ns(params)
    if not s_last > s_first:
        raise ValueError(f"last_step must be larger than first_step = {show(s_first)}, got {show(s_last)}")
    steps = np.exp(np.linspace(math.log(s_first), math.log(s_last), k))
    clean = np.asarray(loss_NS(n, steps, p), dtype=float)
    end_truth = float(loss_NS(n, h, p))
    floor_truth = float(ratio_power(p.N_c, np.asarray(n), p.alpha_N))
    rows = []
    for seed in range(count):
        noisy = clean * np.exp(np.random.default_rng(seed).normal(0.0, sigma, k))
        try:
            fit = fit_learning_curve(steps, noisy)
        except ValueError as exc:
            raise ValueError(f"seed {seed}: {exc}") from None
        at_h = float(fit(h))
        rows.append({"seed": seed, "L_inf": fit.L_inf, "S_c": fit.S_c, "alpha_S": fit.alpha_S,
                     "loss_at_horizon": at_h, "error_end": abs(at_h / end_truth - 1.0),
                     "error_floor": abs(fit.L_inf / floor_truth - 1.0)})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- L(C) against L(C_min) (Figure 13)
def naive_crossing(constants: KaplanConstants = KAPLAN2020) -> float:
    """Budget at which the naive fixed-batch :func:`loss_C` meets :func:`loss_C_min` (PF-days).

    Since ``C_min <= C`` for every run (eq. 5.5), the compute-efficient ``L(C_min)`` should lie
    at or below the naive ``L(C)`` at every budget; the two separately fitted power laws instead
    cross once, where ``(C_c / C)**alpha_C = (C_c_min / C)**alpha_C_min``:

    ``log C = (alpha_C log C_c - alpha_C_min log C_c_min) / (alpha_C - alpha_C_min)``.

    Above the crossing the naive law runs below ``L(C_min)`` when ``alpha_C > alpha_C_min``.
    Used in the chapter *The three power laws* (Part I).

    Parameters
    ----------
    constants
        The fitted constants (default: Kaplan Table 5, ``C_c = 1.6e7``, ``C_c_min = 3.1e8``
        PF-days); pass ``dataclasses.replace(KAPLAN2020, C_c=..., C_c_min=...)`` for other
        scales, such as those printed in Figure 13's legend.

    Returns
    -------
    float
        The budget ``C`` in PF-days at which both laws give the same loss.

    Raises
    ------
    TypeError
        If ``constants`` is not a :class:`~scaling.published.KaplanConstants`.
    ValueError
        If the two exponents are equal (parallel lines never cross), or the crossing lies
        outside the range of double precision.
    """
    k = _constants(constants)
    if k.alpha_C == k.alpha_C_min:
        raise ValueError(
            f"alpha_C and alpha_C_min are equal ({show(k.alpha_C)}): the two laws are parallel on "
            "log-log axes and do not cross"
        )
    log_c = (k.alpha_C * math.log(k.C_c) - k.alpha_C_min * math.log(k.C_c_min)) / (k.alpha_C - k.alpha_C_min)
    if not -708.0 < log_c < 709.0:
        raise ValueError(
            f"the laws cross at C = exp({show(log_c)}) PF-days, outside the range of double precision"
        )
    return float(math.exp(log_c))
