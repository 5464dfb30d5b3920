"""de Vries (2023), "Go smol or go home": the compute overhead of smaller-than-optimal models.

Under a Chinchilla law ``L(N, D) = E + A/N**alpha + B/D**beta`` take the
compute-optimal model ``(N_opt, D_opt)`` of a budget ``C`` and shrink it to
``k_N N_opt`` parameters. The data factor ``k_D`` is the factor by which the
tokens must grow so that the loss stays ``L(N_opt, D_opt)``:

.. math::
    \\frac{A}{(k_N N_{opt})^\\alpha} + \\frac{B}{(k_D D_{opt})^\\beta}
    = \\frac{A}{N_{opt}^\\alpha} + \\frac{B}{D_{opt}^\\beta}
    \\;\\Longrightarrow\\;
    k_D = \\left(1 - (k_N^{-\\alpha} - 1)\\frac{A N_{opt}^{-\\alpha}}{B D_{opt}^{-\\beta}}\\right)^{-1/\\beta}.

At the optimum the first-order condition gives ``alpha A N_opt**-alpha =
beta B D_opt**-beta``, so the ratio in the bracket is ``beta/alpha`` at every
budget and ``k_D`` does not depend on ``C``:

.. math:: k_D = \\left(1 - \\frac{\\beta}{\\alpha}(k_N^{-\\alpha} - 1)\\right)^{-1/\\beta}.

The training compute grows by ``k_N k_D`` (``C = 6 N D``): the *compute
overhead* is ``k_N k_D - 1``. The bracket vanishes at

.. math:: k_N^* = (1 + \\alpha/\\beta)^{-1/\\alpha},

the asymptote: a model of ``k_N^* N_opt`` parameters or fewer cannot reach the
loss with any amount of data, and the overhead diverges as ``k_N -> k_N^*``.

Everything here works for any :class:`~scaling.laws.ChinchillaLaw`. ``E``
plays no part anywhere: it cancels from ``k_D``, and :func:`shrink`, which
compares losses, compares them through the reducible part ``L - E`` alone, so
a model's placement is the same for every ``E``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq, minimize_scalar

from ._validate import (
    TINY,
    NotRepresentable,
    broadcast_shape,
    exact_or_log,
    finite,
    positive,
    representable,
    show,
)
from .laws import ChinchillaLaw

__all__ = [
    "asymptote",
    "data_factor",
    "compute_overhead",
    "overhead_curve",
    "critical_model_size",
    "optimum_term_ratio",
    "data_factor_at_budget",
    "ShrunkModel",
    "shrunk_model",
    "nearest_shrunk_model",
    "compute_for_loss",
    "Placement",
    "shrink",
    "best_model_fraction",
    "inference_ratio_for_fraction",
    "InferencePlan",
    "optimal_with_inference",
    "same_budget_placement",
]


def _out(x: NDArray[np.float64]) -> NDArray[np.float64] | float:
    return float(x) if np.ndim(x) == 0 else x


def _law(law: object) -> ChinchillaLaw:
    if not isinstance(law, ChinchillaLaw):
        hint = ""
        if isinstance(getattr(law, "law", None), ChinchillaLaw):
            # e.g. a scaling.fitting.ParametricFit: the law is one attribute away
            hint = f"; a {type(law).__name__} holds its fitted law in .law: pass fit.law"
        elif isinstance(law, (int, float, np.ndarray)) and not isinstance(law, bool):
            hint = "; the arguments are (k_N, law), in that order"
        raise TypeError(
            f"law must be a scaling.laws.ChinchillaLaw (e.g. scaling.published.DEVRIES2023), "
            f"got {type(law).__name__} {show(law)}{hint}"
        )
    return law


def _k_N(k_N: ArrayLike, scalar: bool = False) -> NDArray[np.float64]:
    k = finite(k_N, "k_N", scalar=scalar, allowed="> 0")
    bad = k <= 0
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        raise ValueError(
            f"k_N must be > 0 (the model size as a fraction of the compute-optimal size), "
            f"got {show(k.ravel()[i])}"
        )
    return k


def _log_asymptote(law: ChinchillaLaw) -> float:
    """``ln k_N* = -log1p(alpha/beta) / alpha``, kept exact for any exponents (alpha = 1e-300 gives -1/beta).

    May be ``-inf`` for a law whose asymptote is below the smallest double.
    """
    log_r = math.log(law.alpha) - math.log(law.beta)
    if log_r < -30.0:  # log1p(r)/alpha = (1 - r/2 + ...)/beta to double precision
        return -(1.0 - 0.5 * math.exp(log_r)) / law.beta
    r = law.alpha / law.beta
    log1p_r = math.log1p(r) if r < 1e300 else log_r + math.log1p(math.exp(-log_r))
    with np.errstate(over="ignore"):
        return float(-np.float64(log1p_r) / law.alpha)


def _log1p_over(y: NDArray[np.float64]) -> NDArray[np.float64]:
    """``log1p(y) / y`` for ``y > -1`` (1 at ``y = 0``), without cancellation for small ``y``."""
    small = np.abs(y) < 1e-8
    with np.errstate(all="ignore"):
        return np.where(small, 1.0 - 0.5 * y, np.log1p(y) / np.where(small, 1.0, y))


def _log_data_factor(
    L: NDArray[np.float64], law: ChinchillaLaw, c: float | NDArray[np.float64] | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(y, ln k_D)`` at ``L = ln k_N``, where ``1 + y`` is the bracket ``1 - (beta/alpha)(k**-alpha - 1)``.

    ``y <= -1`` means ``k`` is at or below the asymptote. Written with ``L = ln k``, ``u = alpha L``
    and ``q = expm1(-u)/u`` (so ``k**-alpha - 1 = u q``): ``y = -c L q`` with ``c = beta`` (the closed
    form; :func:`data_factor_at_budget` passes its own ``c``), and ``ln k_D = -log1p(y)/beta =
    (c/beta) L q log1p(y)/y``. Each piece is exact in its limits (``alpha -> 0``, ``beta -> 0``, ``k -> 1``) and
    none overflows before the result does.
    """
    c = np.asarray(law.beta if c is None else c, dtype=float)
    L = np.asarray(L, dtype=float)
    u = law.alpha * L
    with np.errstate(all="ignore"):
        small = np.abs(u) < 1e-8
        q = np.where(small, -1.0 + 0.5 * u, np.expm1(-u) / np.where(small, 1.0, u))
        y = -c * (L * q)  # L q first: finite (0 where k**-alpha underflows), so c (L q) is never inf * 0
        # k**-alpha beyond e**700: y = -(c/alpha) k**-alpha, from logs
        huge = u < -700.0
        if huge.any():
            y = np.where(huge, -np.exp(np.log(c) - math.log(law.alpha) - u), y)
        log_kd = np.where(
            y > 1e300,
            -(np.log(c) + np.log(np.abs(L)) + np.log(np.abs(q))) / law.beta,
            (c / law.beta) * (L * q) * _log1p_over(y),  # -log1p(y)/beta, as y = -c L q
        )
    return y, np.where(y <= -1.0, np.inf, log_kd)


def _log1mexp(log_x: float) -> float:
    """``ln(1 - exp(-x))`` for ``x > 0`` given ``ln x``, exact for tiny and for large ``x``."""
    if log_x < -20.0:
        return log_x - 0.5 * math.exp(log_x)
    x = math.exp(log_x)
    return math.log(-math.expm1(-x)) if x < 0.6931 else math.log1p(-math.exp(-x))


def _log_overhead_near(t_log: float, law: ChinchillaLaw, log_lo: float) -> float:
    """``ln(1 + overhead)`` at ``ln k_N = ln k_N* + e**t_log``, where the bracket is
    ``(1 + beta/alpha)(1 - exp(-alpha t))``, exact next to the asymptote."""
    log1p_ba = float(np.logaddexp(0.0, math.log(law.beta) - math.log(law.alpha)))
    return log_lo + math.exp(t_log) - (log1p_ba + _log1mexp(math.log(law.alpha) + t_log)) / law.beta


# ------------------------------------------------------------------ the trade-off
@representable(positive=True)
def asymptote(law: ChinchillaLaw) -> float:
    """The smallest model fraction that can still reach the optimal loss: ``k_N* = (1 + alpha/beta)**(-1/alpha)``.

    For ``k_N <= k_N*`` the parameter term alone, ``A / (k_N N_opt)**alpha``,
    is at least the whole reducible loss of the compute-optimal model, so no
    finite number of tokens reaches that loss; the overhead diverges as
    ``k_N`` falls to ``k_N*``. Independent of the budget.

    Parameters
    ----------
    law
        The loss law.

    Returns
    -------
    float
        ``k_N*`` (dimensionless fraction of ``N_opt``); about 0.097 under de Vries' values.
        Computed as ``exp(-log1p(alpha/beta)/alpha)``, which keeps its digits for any exponents
        (as ``alpha -> 0`` it tends to ``exp(-1/beta)``).

    Raises
    ------
    TypeError
        If ``law`` is not a :class:`~scaling.laws.ChinchillaLaw`.
    ValueError
        If ``k_N*`` is below the smallest double (a law with ``beta`` far below ``alpha``).
    """
    law = _law(law)
    return float(math.exp(_log_asymptote(law)))


def _below_asymptote(k: NDArray[np.float64], bad: NDArray[np.bool_], law: ChinchillaLaw) -> ValueError:
    first = np.broadcast_to(k, bad.shape).ravel()[np.flatnonzero(bad.ravel())[0]]
    # (the notebooks print this message: keep its wording)
    return ValueError(
        f"k_N = {first:g} is at or below the asymptote k_N* = {math.exp(max(_log_asymptote(law), -745.0)):.4g} of "
        f"this law: a model of {first:g} x N_opt parameters cannot reach the compute-optimal loss with any finite "
        "number of tokens; choose k_N above the asymptote"
    )


@representable(positive=True)
def data_factor(k_N: ArrayLike, law: ChinchillaLaw) -> NDArray[np.float64] | float:
    """The factor ``k_D`` on the compute-optimal tokens that keeps the loss when the model is ``k_N N_opt``.

    ``k_D = (1 - (beta/alpha) (k_N**-alpha - 1))**(-1/beta)``, the same at every
    budget (de Vries 2023, appendix). ``k_N > 1`` (a larger model) gives
    ``k_D < 1``.

    Parameters
    ----------
    k_N
        Model size as a fraction of the compute-optimal size ``N_opt``
        (dimensionless, > 0; scalar or array).
    law
        The loss law whose exponents are used.

    Returns
    -------
    float or ndarray
        ``k_D`` (dimensionless): train on ``k_D D_opt`` tokens. A float for scalar input.

    Raises
    ------
    TypeError
        If ``k_N`` is not a number (``None``, text, a boolean) or ``law`` is not a
        :class:`~scaling.laws.ChinchillaLaw` (for a fit, pass ``fit.law``).
    ValueError
        If ``k_N`` is not finite or not positive, if ``k_N <= asymptote(law)``
        (then no finite amount of data reaches the loss), or if ``k_D`` is beyond
        double precision (just above the asymptote of a law with a small ``beta``).
    """
    law = _law(law)
    k = _k_N(k_N)
    y, log_kd = _log_data_factor(np.log(k), law)
    if (y <= -1).any():
        raise _below_asymptote(k, y <= -1, law)
    return _out(np.exp(log_kd))


@representable
def compute_overhead(k_N: ArrayLike, law: ChinchillaLaw) -> NDArray[np.float64] | float:
    """Extra training compute, as a fraction, of a ``k_N N_opt`` model trained to the optimal loss.

    ``overhead = k_N k_D - 1``: 0.2 means 20 % more FLOPs than the
    compute-optimal model needs for the same loss. Independent of the budget.

    Parameters
    ----------
    k_N
        Model size as a fraction of ``N_opt`` (dimensionless, > 0; scalar or array).
    law
        The loss law.

    Returns
    -------
    float or ndarray
        The overhead (fraction, >= 0; zero at ``k_N = 1``). A float for scalar input.

    Raises
    ------
    TypeError, ValueError
        As :func:`data_factor`.
    """
    law = _law(law)
    k = _k_N(k_N)
    y, log_kd = _log_data_factor(np.log(k), law)
    if (y <= -1).any():
        raise _below_asymptote(k, y <= -1, law)
    return _out(np.expm1(np.log(k) + log_kd))  # k_N k_D - 1, exact near k_N = 1


def overhead_curve(k_N: ArrayLike, law: ChinchillaLaw) -> NDArray[np.float64]:
    """:func:`compute_overhead` on a grid, with ``inf`` where no finite data reaches the loss.

    For plotting and for bands over many laws, where some grid points lie
    below a law's asymptote.

    Parameters
    ----------
    k_N
        Model fractions (dimensionless, > 0), an array.
    law
        The loss law.

    Returns
    -------
    ndarray
        Overhead (fraction) at each ``k_N``; ``inf`` at or below :func:`asymptote`, and where
        the overhead exceeds the largest double (about 1.8e308; just above the asymptote of a
        law with a small ``beta``).
    """
    law = _law(law)
    k = _k_N(k_N)
    with np.errstate(all="ignore"):
        y, log_kd = _log_data_factor(np.log(k), law)
        out = np.where(y > -1, np.expm1(np.log(k) + log_kd), np.inf)
    return np.asarray(out, dtype=float)


@representable(positive=True)
def critical_model_size(law: ChinchillaLaw, overhead: float = 1.0) -> float:
    """The model fraction ``k_N < 1`` at which the compute overhead reaches ``overhead``.

    de Vries calls the critical model size the point past which shrinking
    the model further "is hardly possible": about 30 % of ``N_opt`` at about
    100 % overhead. The book makes that precise as the ``k_N`` where the
    overhead equals 100 % (the default); pass another level for another
    definition. Solved with :func:`scipy.optimize.brentq` between the
    asymptote and 1 (the overhead falls monotonically there).

    Parameters
    ----------
    law
        The loss law.
    overhead
        The overhead level (fraction, > 0): 1.0 means twice the optimal compute.

    Returns
    -------
    float
        ``k_N`` (fraction of ``N_opt``), between :func:`asymptote` and 1.

    Raises
    ------
    ValueError
        If ``overhead`` is not a positive finite number.

    Notes
    -----
    The equation is solved in logarithms, ``ln k_N - ln(bracket)/beta = ln(1 + overhead)``, so that
    the overhead may be as large as a double allows. Within ``1e-12`` (in ``ln k_N``) of the
    asymptote it is solved in ``ln t`` with ``ln k_N = ln k_N* + t``, where the bracket is
    ``-(1 + beta/alpha) expm1(-alpha t)``, exact there; an overhead so large that ``t`` is below
    1e-304 returns the asymptote itself (the two differ by less than a double resolves).
    """
    law = _law(law)
    target = math.log1p(float(positive(overhead, "overhead", scalar=True)))
    log_k = _log_k_for_overhead(target, law)
    if log_k < -708.0:
        raise NotRepresentable(f"the critical model size exp({log_k:.6g}) N_opt is below the smallest double")
    return float(math.exp(log_k))


def _log_overhead(log_k: float, law: ChinchillaLaw) -> float:
    """``ln(1 + overhead) = ln k_N + ln k_D`` (``inf`` at or below the asymptote)."""
    return log_k + float(_log_data_factor(np.asarray(log_k), law)[1])


def _log_k_for_overhead(target: float, law: ChinchillaLaw) -> float:
    """``ln k_N`` in (``ln k_N*``, 0) where ``ln(1 + overhead) = target`` (the overhead falls monotonically there)."""
    log_lo = _log_asymptote(law)

    def g(log_k: float) -> float:
        return _log_overhead(log_k, law) - target

    if log_lo >= 0.0:  # the asymptote rounds to 1: so does every k_N between it and 1
        return 0.0
    if log_lo < -700.0:  # the asymptote is below the double range: bracket in ln k_N alone
        left = -700.0
        while not g(left) > 0:
            left *= 2.0
            if left < -1e300:
                return -math.inf
        return float(brentq(g, left, 0.0, xtol=1e-14, rtol=1e-13))
    delta = min(1e-12, -log_lo / 2.0)
    left = log_lo + delta
    if 0 < g(left) < math.inf:
        return float(brentq(g, left, 0.0, xtol=1e-14, rtol=1e-13))

    # within delta of the asymptote: solve in ln t, ln k_N = ln k_N* + t, where the bracket is exact
    def g_near(v: float) -> float:
        return _log_overhead_near(v, law, log_lo) - target

    if g_near(-700.0) <= 0:
        return log_lo  # the two differ by less than a double resolves
    if g_near(math.log(delta)) >= 0:
        return left
    return log_lo + math.exp(brentq(g_near, -700.0, math.log(delta), xtol=1e-13))


# ------------------------------------------------------ the budget drops out
@representable(positive=True)
def optimum_term_ratio(C: ArrayLike, law: ChinchillaLaw) -> NDArray[np.float64] | float:
    """``A N_opt**-alpha / (B D_opt**-beta)`` at budgets ``C`` (FLOPs), computed from the allocation.

    The first-order condition makes this ``beta / alpha`` at every budget;
    this function computes it numerically from :meth:`~scaling.laws.ChinchillaLaw.optimal_allocation`
    so that the book can show it.
    """
    law = _law(law)
    c = positive(C, "C")
    log_n, log_d, n_opt, d_opt = law._log_allocation(c)
    pn, pd_ = n_opt ** (-law.alpha), d_opt ** (-law.beta)
    direct = law.A * pn / (law.B * pd_)
    log_ratio = _log_term_ratio(law, log_n, log_d)
    return _out(exact_or_log(direct, lambda: log_ratio, n_opt, d_opt, pn, pd_, law.B * pd_))


def _log_term_ratio(law: ChinchillaLaw, log_n: NDArray[np.float64], log_d: NDArray[np.float64]) -> NDArray[np.float64]:
    """``ln(A N_opt**-alpha / (B D_opt**-beta))`` from the allocation's logs; raises if a term is beyond any double."""
    log_ratio = math.log(law.A) - math.log(law.B) - law.alpha * log_n + law.beta * log_d
    if not np.all(np.isfinite(log_ratio)):
        raise NotRepresentable("the terms A N_opt**-alpha and B D_opt**-beta are beyond double precision")
    return log_ratio


@representable(positive=True)
def data_factor_at_budget(k_N: ArrayLike, C: ArrayLike, law: ChinchillaLaw) -> NDArray[np.float64] | float:
    """``k_D`` solved directly at a budget, without the ``beta/alpha`` shortcut.

    At budget ``C`` (FLOPs) take ``(N_opt, D_opt)`` and ``L_opt = L(N_opt, D_opt)``,
    then solve ``B / D**beta = L_opt - E - A / (k_N N_opt)**alpha`` for ``D``
    and return ``D / D_opt``. Equal to :func:`data_factor` at every budget
    up to rounding: the book's numerical check of the post's appendix.
    ``k_N`` and ``C`` broadcast.

    Raises
    ------
    ValueError
        If ``k_N`` or ``C`` are not positive, or no finite ``D`` reaches the loss.
    """
    law = _law(law)
    k = _k_N(k_N)
    c = positive(C, "C")
    broadcast_shape(k_N=k, C=c)
    log_n, log_d, _, _ = law._log_allocation(c)
    # The data term B/D**beta that the shrunk model needs: the optimum's two reducible terms minus the
    # shrunk parameter term, B D_opt**-beta - A N_opt**-alpha (k**-alpha - 1) (E cancels: computed
    # without it, the difference keeps its digits at any budget). Relative to B D_opt**-beta this is
    # 1 - R (k**-alpha - 1), with R = A N_opt**-alpha / (B D_opt**-beta) taken from the allocation
    # (not the shortcut beta/alpha), so k_D follows as in data_factor with alpha R in place of beta.
    log_r = _log_term_ratio(law, log_n, log_d)
    L = np.log(k)
    L, log_r = np.broadcast_arrays(L, log_r)
    with np.errstate(over="ignore"):
        c_num = np.exp(log_r + math.log(law.alpha))  # alpha R: beta, up to rounding
    if not np.all(np.isfinite(c_num)):
        raise NotRepresentable("alpha A N_opt**-alpha / (B D_opt**-beta) is beyond double precision")
    y, log_kd = _log_data_factor(L, law, c_num)
    if (y <= -1).any():
        raise _below_asymptote(np.broadcast_to(k, L.shape), y <= -1, law)
    return _out(np.exp(log_kd))


@dataclass(frozen=True)
class ShrunkModel:
    """A compute-optimal model of budget ``C`` shrunk to ``k_N N_opt`` and trained to the same loss."""

    C: float
    """The budget whose optimum is shrunk (FLOPs)."""
    N_opt: float
    """Compute-optimal parameters at ``C``."""
    D_opt: float
    """Compute-optimal tokens at ``C``."""
    k_N: float
    k_D: float
    N: float
    """``k_N N_opt`` parameters."""
    D: float
    """``k_D D_opt`` tokens."""
    compute: float
    """``6 N D`` FLOPs, equal to ``(1 + overhead) C``."""
    overhead: float
    """``k_N k_D - 1`` (fraction)."""
    loss: float
    """The loss both models reach (nats per token)."""

    def as_dict(self) -> dict[str, float]:
        """The fields as a plain dict."""
        return asdict(self)


@representable
def shrunk_model(k_N: float, C: float, law: ChinchillaLaw) -> ShrunkModel:
    """The model of ``k_N N_opt(C)`` parameters on ``k_D D_opt(C)`` tokens (the rows of de Vries' updated Table A3).

    Parameters
    ----------
    k_N
        Model fraction (dimensionless, above :func:`asymptote`).
    C
        Budget of the compute-optimal model being shrunk (FLOPs, > 0).
    law
        The loss law.
    """
    law = _law(law)
    k = float(_k_N(k_N, scalar=True))
    c = float(positive(C, "C", scalar=True))
    k_d = float(data_factor(k, law))
    n_opt, d_opt = (float(x) for x in law.optimal_allocation(c))
    return ShrunkModel(
        C=c, N_opt=n_opt, D_opt=d_opt, k_N=k, k_D=k_d, N=k * n_opt, D=k_d * d_opt,
        compute=6.0 * k * n_opt * k_d * d_opt, overhead=k * k_d - 1.0, loss=float(law.loss(n_opt, d_opt)),
    )


@representable
def nearest_shrunk_model(N: float, D: float, law: ChinchillaLaw) -> ShrunkModel:
    """de Vries' reading of a model: the shrunk optimum *of its own budget* that lies nearest to it.

    The post takes the budget ``C = 6 N D`` of a model, the compute-optimal
    ``(N_opt, D_opt)`` of that budget, and looks for the ``k_N`` whose
    ``(k_N N_opt, k_D D_opt)`` is "close" to ``(N, D)``. This makes "close"
    precise as the smallest squared distance in log space,
    ``log(k_N N_opt / N)**2 + log(k_D D_opt / D)**2``, minimised with
    :func:`scipy.optimize.minimize_scalar`. The result costs
    ``(1 + overhead) C``, not ``C``: it is a neighbour of the model, not the
    model itself (for that, see :func:`shrink`).

    Parameters
    ----------
    N, D
        Parameters and training tokens of the model (> 0).
    law
        The loss law.
    """
    law = _law(law)
    n = float(positive(N, "N", scalar=True))
    d = float(positive(D, "D", scalar=True))
    c = 6.0 * n * d
    if not TINY <= c <= 1.7976931348623157e308:
        raise NotRepresentable(f"the budget 6 N D would be {'above the largest' if c > 1 else 'below the smallest'} double")
    log_n, log_d, _, _ = (float(x) for x in law._log_allocation(np.asarray(c)))
    lo = _log_asymptote(law)

    def dist(log_k: float) -> float:
        log_kd = float(_log_data_factor(np.asarray(log_k), law)[1])
        if not math.isfinite(log_kd):
            return math.inf
        return (log_k + log_n - math.log(n)) ** 2 + (log_kd + log_d - math.log(d)) ** 2

    hi = max(0.0, math.log(n) - log_n) + 1.0
    lo = max(lo, -745.0)
    res = minimize_scalar(dist, bounds=(lo + min(1e-9, (hi - lo) / 2), hi), method="bounded", options={"xatol": 1e-10})
    try:
        return shrunk_model(math.exp(res.x), c, law)
    except ValueError as exc:
        raise NotRepresentable(f"its nearest shrunk optimum is not: {exc}") from None


# ------------------------------------------------------- locating a model
@representable(positive=True)
def compute_for_loss(L: ArrayLike, law: ChinchillaLaw) -> NDArray[np.float64] | float:
    """The smallest budget (FLOPs) whose compute-optimal model reaches loss ``L``.

    On the optimal path both reducible terms fall as ``(C/6)**-gamma`` with
    ``gamma = alpha beta / (alpha + beta)``, so ``L_opt(C) = E + K (C/6)**-gamma``
    with ``K = A G**-alpha + B G**beta``; this inverts it in closed form.

    Raises
    ------
    ValueError
        If ``L <= E``: the irreducible loss cannot be reached with any budget.
    """
    law = _law(law)
    loss = _above_E(L, "L", law)
    return _out(_compute_for_reducible(loss - law.E, law))


def _above_E(L: ArrayLike, name: str, law: ChinchillaLaw) -> NDArray[np.float64]:
    loss = positive(L, name)
    if (loss <= law.E).any():
        raise ValueError(
            f"{name} must be above this law's irreducible loss E = {law.E:g} nats/token, got "
            f"{show(loss.ravel()[np.flatnonzero((loss <= law.E).ravel())[0]])}: no budget reaches it"
        )
    return loss


def _compute_for_reducible(reducible: NDArray[np.float64] | float, law: ChinchillaLaw) -> NDArray[np.float64]:
    """:func:`compute_for_loss` from the reducible loss ``L - E`` (> 0), without subtracting ``E`` again.

    ``C = 6 (K / (L - E))**(1/gamma)``, computed in log space where a step leaves the double range.
    """
    red = np.asarray(reducible, dtype=float)
    log_g = law._log_G
    if not math.isfinite(log_g):
        raise NotRepresentable(f"ln G = {log_g} for this law: the compute-optimal budgets are beyond double precision")
    inv_gamma = 1.0 / law.alpha + 1.0 / law.beta  # 1/gamma, gamma = alpha beta / (alpha + beta)
    log_k = float(np.logaddexp(math.log(law.A) - law.alpha * log_g, math.log(law.B) + law.beta * log_g))

    def log_c() -> NDArray[np.float64]:
        diff = log_k - np.log(red)
        with np.errstate(invalid="ignore", over="ignore"):
            return math.log(6.0) + np.where(diff == 0, 0.0, diff * inv_gamma)

    gamma = law.alpha * law.beta / (law.alpha + law.beta)
    if not (-708.0 < log_g < 709.0 and gamma >= TINY):
        return np.asarray(np.exp(log_c()))
    try:
        K = law.A * law.G ** (-law.alpha) + law.B * law.G**law.beta
    except OverflowError:
        return np.asarray(np.exp(log_c()))
    ratio = K / red
    with np.errstate(over="ignore", under="ignore"):
        power = ratio ** (1.0 / gamma)
    return exact_or_log(6.0 * power, log_c, ratio, power)


@dataclass(frozen=True)
class Placement:
    """Where a model of ``N`` parameters trained on ``D`` tokens sits on the ``k_N``-overhead curve."""

    N: float
    """Parameters."""
    D: float
    """Training tokens."""
    compute: float
    """Its budget ``6 N D`` (FLOPs)."""
    loss: float
    """Its predicted loss (nats per token)."""
    iso_loss_compute: float
    """Budget of the compute-optimal model with the same loss (FLOPs)."""
    N_opt: float
    """Parameters of that compute-optimal model."""
    D_opt: float
    """Tokens of that compute-optimal model."""
    k_N: float
    """``N / N_opt``."""
    k_D: float
    """``D / D_opt`` (equal to :func:`data_factor` at ``k_N``)."""
    overhead: float
    """``compute / iso_loss_compute - 1`` (fraction)."""
    k_N_same_budget: float
    """``N / N_opt(6 N D)``: the size relative to the optimum *of its own budget* (the post's reading)."""
    beyond_critical: bool
    """Whether ``k_N`` is below the critical model size (overhead above 100 %)."""

    def as_dict(self) -> dict[str, float | bool]:
        """The fields as a plain dict (for tables and JSON)."""
        return asdict(self)


@representable
def shrink(N: float, D: float, law: ChinchillaLaw) -> Placement:
    """Locate a model of ``N`` parameters trained on ``D`` tokens on the ``k_N``-overhead curve.

    Its loss ``L(N, D)`` is reached most cheaply by the compute-optimal model
    of budget ``C' =`` :func:`compute_for_loss` ``(L)``; the model is that
    optimum shrunk by ``k_N = N / N_opt(C')`` (or grown, if ``k_N > 1``), and
    its overhead is ``6 N D / C' - 1``. Every finite ``(N, D)`` has a
    placement strictly above the asymptote. ``E`` cancels: both losses are
    ``E`` plus a reducible part, and only the reducible parts are compared,
    so the placement does not depend on ``E``.

    This is the overhead against the optimum *of the model's loss*; against
    the optimum *of its budget* ``6 N D``, as the Hugging Face space
    ``lvwerra/harms-law`` computes it, see :func:`same_budget_placement`.

    Parameters
    ----------
    N
        Parameters (> 0).
    D
        Training tokens (> 0).
    law
        The loss law.

    Raises
    ------
    ValueError
        If ``N`` or ``D`` is not a positive finite number, if the budget ``6 N D`` overflows
        double precision (above about 1.8e308 FLOPs), or if the placement is otherwise not
        representable (e.g. ``N = 1e-300``, whose iso-loss budget is below 1e-308 FLOPs).
    """
    law = _law(law)
    n = float(positive(N, "N", scalar=True))
    d = float(positive(D, "D", scalar=True))
    c = 6.0 * n * d
    if not math.isfinite(c):
        raise ValueError(
            f"the budget 6 N D = 6 x {n:g} parameters x {d:g} tokens is not representable in double precision "
            f"(above 1.8e308 FLOPs), so the model cannot be placed; N and D must have N x D below 3e307"
        )
    # The reducible loss A/N**alpha + B/D**beta, computed directly: L - E would lose every digit once it
    # falls below E's rounding error (sizes beyond about 1e45), and compute_for_loss would then see L = E.
    reducible = float(law._term(law.A, np.asarray(n), law.alpha) + law._term(law.B, np.asarray(d), law.beta))
    loss = law.E + reducible
    c_iso = float(_compute_for_reducible(reducible, law))
    if not (TINY <= c and TINY <= c_iso <= 1.7976931348623157e308):
        raise NotRepresentable(
            f"the budget 6 N D = {c:.4g} FLOPs or that of the compute-optimal model with the same loss, "
            f"{c_iso:.4g} FLOPs, is outside the double range"
        )
    n_opt, d_opt = (float(x) for x in law.optimal_allocation(c_iso))
    k_n = n / n_opt
    return Placement(
        N=n, D=d, compute=c, loss=loss, iso_loss_compute=c_iso, N_opt=n_opt, D_opt=d_opt,
        k_N=k_n, k_D=d / d_opt, overhead=c / c_iso - 1.0,
        k_N_same_budget=n / float(law.optimal_allocation(c)[0]),
        beyond_critical=bool(math.log(k_n) < _log_k_for_overhead(math.log(2.0), law)),
    )


# ----------------------------------------------------------- inference
@representable(positive=True)
def best_model_fraction(inference_ratio: ArrayLike, law: ChinchillaLaw,
                        train_flops_per_token: float = 6.0,
                        inference_flops_per_token: float = 2.0) -> NDArray[np.float64] | float:
    """The ``k_N`` that minimises training plus inference FLOPs at a fixed loss.

    For the compute-optimal model ``(N_opt, D_opt)`` of a target loss, a model
    ``k_N N_opt`` trained on ``k_D D_opt`` tokens and then run on ``D_inf``
    tokens costs, relative to the optimum's training budget ``6 N_opt D_opt``,

    ``k_N k_D + (2/6) k_N D_inf / D_opt``,

    which depends on the target only through ``rho = D_inf / D_opt``. The
    minimum (by :func:`scipy.optimize.minimize_scalar` on ``log k_N``) lies
    between the asymptote (``rho -> inf``) and 1 (``rho = 0``).

    Parameters
    ----------
    inference_ratio
        ``rho = D_inf / D_opt``: lifetime inference tokens over the
        compute-optimal training tokens (dimensionless, >= 0; scalar or array).
    law
        The loss law.
    train_flops_per_token, inference_flops_per_token
        FLOPs per parameter per token: 6 for training, 2 for a forward pass.

    Returns
    -------
    float or ndarray
        The best ``k_N`` for each ``rho``.
    """
    law = _law(law)
    rho = finite(inference_ratio, "inference_ratio", allowed=">= 0")
    if (rho < 0).any():
        raise ValueError(
            f"inference_ratio (inference tokens / D_opt) must be >= 0, got {show(rho.ravel()[np.argmax(rho.ravel() < 0)])}"
        )
    t = float(positive(train_flops_per_token, "train_flops_per_token", scalar=True))
    i = float(positive(inference_flops_per_token, "inference_flops_per_token", scalar=True))
    return _out(_best_fraction(rho, law, t, i))


def _best_fraction(rho: NDArray[np.float64], law: ChinchillaLaw, t: float, i: float) -> NDArray[np.float64]:
    lo = max(_log_asymptote(law), -745.0)

    def cost(log_k: float, r: float, scale: float) -> float:
        # the lifetime cost relative to the optimum's training, divided by max(1, rho) so that it
        # stays finite for any rho (the minimiser does not care about a constant factor)
        log_train = _log_overhead(log_k, law)  # ln(k_N k_D); inf below the asymptote
        if log_train > 709.0:  # k_D beyond 1.8e308: far from the minimum
            return math.inf
        return math.exp(log_train) / scale + (i / t) * math.exp(log_k) * (r / scale)

    out = np.empty(rho.shape)
    for idx, r in np.ndenumerate(rho):
        if r == 0 or lo >= 0.0:  # no inference, or no room between the asymptote and 1
            out[idx] = 1.0 if r == 0 else math.exp(lo)
            continue
        res = minimize_scalar(cost, bounds=(lo + min(1e-12, -lo / 2.0), 0.0), args=(float(r), max(1.0, float(r))),
                              method="bounded", options={"xatol": 1e-10})
        out[idx] = math.exp(res.x)
    return out


@representable
def inference_ratio_for_fraction(k_N: ArrayLike, law: ChinchillaLaw,
                                 train_flops_per_token: float = 6.0,
                                 inference_flops_per_token: float = 2.0) -> NDArray[np.float64] | float:
    """The inverse of :func:`best_model_fraction`: the inference load for which ``k_N`` is the best size.

    With ``u = 1 - (beta/alpha)(k_N**-alpha - 1)`` (so ``k_D = u**(-1/beta)``), the
    derivative of the training cost ``k_N k_D`` is ``u**(-1/beta - 1) (u - k_N**-alpha)``;
    the lifetime cost ``k_N k_D + (i/t) k_N rho`` is stationary where

    ``rho = (t/i) u**(-1/beta - 1) (k_N**-alpha - u)``:

    the marginal training overhead of a smaller model equals its marginal
    inference saving.

    Parameters
    ----------
    k_N
        Model fraction, in ``(asymptote(law), 1]`` (scalar or array).
    law
        The loss law.

    Returns
    -------
    float or ndarray
        ``rho = D_inf / D_opt`` (dimensionless, >= 0; 0 at ``k_N = 1``).

    Raises
    ------
    ValueError
        If ``k_N`` is above 1 (a larger-than-optimal model is never the best
        once inference costs anything) or at or below the asymptote.
    """
    law = _law(law)
    k = _k_N(k_N)
    if (k > 1).any():
        raise ValueError(
            f"k_N must be at most 1, got {show(k.ravel()[np.argmax(k.ravel() > 1)])}: k_N above 1 is never the "
            "lifetime optimum (inference only favours smaller models)"
        )
    L = np.log(k)
    y, log_kd = _log_data_factor(L, law)
    if (y <= -1).any():
        raise _below_asymptote(k, y <= -1, law)
    t = float(positive(train_flops_per_token, "train_flops_per_token", scalar=True))
    i = float(positive(inference_flops_per_token, "inference_flops_per_token", scalar=True))
    # rho = (t/i) u**(-1/beta - 1) (k**-alpha - u), u = 1 + y the bracket; k**-alpha - u is
    # (1 + beta/alpha)(k**-alpha - 1) = (alpha + beta) ln(k) q with q = expm1(-alpha ln k)/(alpha ln k).
    u_ = law.alpha * L
    with np.errstate(all="ignore"):
        small = np.abs(u_) < 1e-8
        q = np.where(small, -1.0 + 0.5 * u_, np.expm1(-u_) / np.where(small, 1.0, u_))
        log_sum = float(np.logaddexp(math.log(law.alpha), math.log(law.beta)))
        log_rho = (math.log(t) - math.log(i) + log_kd - np.log1p(y) + log_sum
                   + np.log(np.abs(L)) + np.log(np.abs(q)))
        out = np.where(L == 0, 0.0, np.exp(log_rho))
    return _out(out)


@dataclass(frozen=True)
class InferencePlan:
    """The cheapest model over its lifetime for a target loss and a number of inference tokens."""

    loss: float
    """Target loss (nats per token)."""
    inference_tokens: float
    """Lifetime inference tokens."""
    k_N: float
    k_D: float
    N: float
    """Parameters of the cheapest model."""
    D: float
    """Its training tokens."""
    training_flops: float
    inference_flops: float
    total_flops: float
    chinchilla_total_flops: float
    """Training plus inference FLOPs of the compute-optimal model of the same loss."""
    saving: float
    """``1 - total_flops / chinchilla_total_flops`` (fraction)."""

    def as_dict(self) -> dict[str, float]:
        """The fields as a plain dict."""
        return asdict(self)


@representable
def optimal_with_inference(loss: float, inference_tokens: float, law: ChinchillaLaw,
                           train_flops_per_token: float = 6.0,
                           inference_flops_per_token: float = 2.0) -> InferencePlan:
    """Minimise ``6 N D + 2 N D_inf`` subject to ``L(N, D) = loss`` (the question of Sardana et al. 2023).

    Parameters
    ----------
    loss
        Target loss (nats per token, above the law's ``E``).
    inference_tokens
        Tokens the model will process over its lifetime (>= 0).
    law
        The loss law.
    train_flops_per_token, inference_flops_per_token
        FLOPs per parameter per token (6 and 2).

    Returns
    -------
    InferencePlan
        The cheapest model and its cost beside the compute-optimal one's.
    """
    law = _law(law)
    target = float(_above_E(positive(loss, "loss", scalar=True), "loss", law))
    d_inf = float(finite(inference_tokens, "inference_tokens", scalar=True, allowed=">= 0"))
    if d_inf < 0:
        raise ValueError(f"inference_tokens must be >= 0, got {show(d_inf)}")
    t = float(positive(train_flops_per_token, "train_flops_per_token", scalar=True))
    i = float(positive(inference_flops_per_token, "inference_flops_per_token", scalar=True))
    c0 = float(_compute_for_reducible(target - law.E, law))
    if not TINY <= c0 <= 1.7976931348623157e308:
        raise NotRepresentable(f"the compute-optimal budget for this loss would be {c0:.4g} FLOPs")
    n_opt, d_opt = (float(x) for x in law.optimal_allocation(c0))
    rho = d_inf / d_opt
    if not math.isfinite(rho):
        raise NotRepresentable("inference_tokens / D_opt would be above the largest double")
    k = float(_best_fraction(np.asarray(rho), law, t, i))
    k_d = float(data_factor(k, law))
    n, d = k * n_opt, k_d * d_opt
    train = t * n * d
    infer = i * n * d_inf
    chin = t * n_opt * d_opt + i * n_opt * d_inf
    return InferencePlan(
        loss=target, inference_tokens=d_inf, k_N=k, k_D=k_d, N=n, D=d, training_flops=train,
        inference_flops=infer, total_flops=train + infer, chinchilla_total_flops=chin,
        saving=1.0 - (train + infer) / chin,
    )


# ------------------------------------------------------- the other reading of a model's overhead
def _one_positive(value: object, name: str) -> float:
    """``value`` as one positive finite float; ValueError naming ``name`` for an array of several values."""
    v = positive(value, name)  # type: ignore[arg-type]
    if v.size != 1:
        raise ValueError(f"{name} must be a single number, got an array of shape {v.shape}")
    return float(v.reshape(()))


@representable
def same_budget_placement(N: float, D: float, law: ChinchillaLaw) -> ShrunkModel:
    """A model's overhead read against the optimum of its own budget, as the ``lvwerra/harms-law`` space does.

    Takes the budget ``C = 6 N D`` (FLOPs), its compute-optimal size ``N_opt(C)``, and
    reads ``k_N = N / N_opt(C)`` on the overhead curve. The result is the model of
    ``N`` parameters that reaches the loss of ``C``'s compute-optimal model: it
    trains on ``k_D D_opt(C)`` tokens, not on the model's own ``D``, and costs
    ``(1 + overhead) C``. Its overhead answers "how much more than my budget would
    a model of my size need to be as good as the best model of my budget?".
    :func:`shrink` answers a different question, "how much more did my model cost
    than the cheapest model as good as it?", and the two overheads differ for
    every model off the compute-optimal line (for LLaMA-7B under de Vries'
    values, 14.4 % here against 11.7 % there).

    Parameters
    ----------
    N
        Parameters of the model (> 0).
    D
        Its training tokens (> 0).
    law
        The loss law.

    Returns
    -------
    ShrunkModel
        ``C`` is ``6 N D``; ``k_N`` is ``N / N_opt(C)``; ``N`` equals the model's
        ``N``; ``D``, ``compute`` and ``overhead`` describe the model of that size
        trained to the optimal loss of ``C``.

    Raises
    ------
    TypeError
        If ``law`` is not a :class:`~scaling.laws.ChinchillaLaw`, or ``N``, ``D`` are not numbers.
    ValueError
        If ``N`` or ``D`` is not a positive finite number, if ``6 N D`` or the result is outside
        double precision, or if
        ``N / N_opt(6 N D)`` is at or below :func:`asymptote` (a model that small cannot reach
        its budget's optimal loss with any number of tokens; :func:`shrink` still places it).
    """
    law = _law(law)
    n, d = _one_positive(N, "N"), _one_positive(D, "D")
    c = 6.0 * n * d
    if not math.isfinite(c):
        raise ValueError(
            f"the budget 6 N D = 6 x {n:g} parameters x {d:g} tokens is above the largest double-precision "
            f"number (1.8e308 FLOPs); use N and D with N x D below 3e307"
        )
    if c < TINY:
        raise NotRepresentable(f"the budget 6 N D = 6 x {n:g} parameters x {d:g} tokens is below the smallest double")
    k = n / float(law.optimal_allocation(c)[0])
    if k <= asymptote(law):
        raise ValueError(
            f"N = {n:g} is {k:.4g} x N_opt of its own budget 6 N D = {c:.3g} FLOPs, at or below the asymptote "
            f"{asymptote(law):.4g}: no model of that size reaches the budget's optimal loss, so this reading has "
            "no overhead; use shrink(N, D, law), which compares with the optimum of the model's own loss"
        )
    return shrunk_model(k, c, law)

