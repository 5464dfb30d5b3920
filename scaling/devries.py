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

from ._validate import finite, positive
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
            f"got {type(law).__name__}{hint}"
        )
    return law


def _k_N(k_N: ArrayLike) -> NDArray[np.float64]:
    k = finite(k_N, "k_N")
    bad = k <= 0
    if bad.any():
        raise ValueError(
            f"k_N is the model size as a fraction of the compute-optimal size and must be > 0, "
            f"got {k.ravel()[np.flatnonzero(bad.ravel())[0]]:g}"
        )
    return k


# ------------------------------------------------------------------ the trade-off
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
    """
    law = _law(law)
    return float((1.0 + law.alpha / law.beta) ** (-1.0 / law.alpha))


def _bracket(k: NDArray[np.float64], law: ChinchillaLaw) -> NDArray[np.float64]:
    return 1.0 - (law.beta / law.alpha) * (k ** (-law.alpha) - 1.0)


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
        If ``k_N`` is not finite or not positive, or if ``k_N <= asymptote(law)``
        (then no finite amount of data reaches the loss).
    """
    law = _law(law)
    k = _k_N(k_N)
    inner = _bracket(k, law)
    bad = inner <= 0
    if bad.any():
        first = k.ravel()[np.flatnonzero(bad.ravel())[0]]
        raise ValueError(
            f"k_N = {first:g} is at or below the asymptote k_N* = {asymptote(law):.4g} of this law: a model of "
            f"{first:g} x N_opt parameters cannot reach the compute-optimal loss with any finite number of "
            "tokens; choose k_N above the asymptote"
        )
    return _out(inner ** (-1.0 / law.beta))


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
    return _out(k * np.asarray(data_factor(k, law)) - 1.0)


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
        Overhead (fraction) at each ``k_N``; ``inf`` at or below :func:`asymptote`.
    """
    law = _law(law)
    k = _k_N(k_N)
    inner = _bracket(k, law)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(inner > 0, k * np.abs(inner) ** (-1.0 / law.beta) - 1.0, np.inf)
    return np.asarray(out, dtype=float)


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
    """
    law = _law(law)
    level = float(positive(overhead, "overhead"))
    lo = asymptote(law)

    def f(log_k: float) -> float:
        k = math.exp(log_k)
        return k * _bracket(np.asarray(k), law).item() ** (-1.0 / law.beta) - 1.0 - level

    # just above the asymptote the overhead exceeds any finite level
    left = math.log(lo) + 1e-12
    if f(left) <= 0:  # pragma: no cover - an overhead of ~1e30 or more
        raise ValueError(f"overhead {level:g} is beyond what any model above the asymptote needs")
    return float(math.exp(brentq(f, left, 0.0, xtol=1e-14, rtol=1e-13)))


# ------------------------------------------------------ the budget drops out
def optimum_term_ratio(C: ArrayLike, law: ChinchillaLaw) -> NDArray[np.float64] | float:
    """``A N_opt**-alpha / (B D_opt**-beta)`` at budgets ``C`` (FLOPs), computed from the allocation.

    The first-order condition makes this ``beta / alpha`` at every budget;
    this function computes it numerically from :meth:`ChinchillaLaw.optimal_allocation`
    so that the book can show it.
    """
    law = _law(law)
    n_opt, d_opt = law.optimal_allocation(C)
    return _out(np.asarray(law.A * np.asarray(n_opt) ** (-law.alpha) / (law.B * np.asarray(d_opt) ** (-law.beta))))


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
    n_opt, d_opt = (np.asarray(x) for x in law.optimal_allocation(c))
    l_opt = law.E + law.A * n_opt ** (-law.alpha) + law.B * d_opt ** (-law.beta)
    rest = l_opt - law.E - law.A * (k * n_opt) ** (-law.alpha)
    if (rest <= 0).any():
        raise ValueError(
            f"no finite number of tokens reaches the loss: k_N must exceed the asymptote {asymptote(law):.4g}"
        )
    d = (law.B / rest) ** (1.0 / law.beta)
    return _out(d / d_opt)


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
    c = float(positive(C, "C"))
    k = float(_k_N(k_N))
    k_d = float(data_factor(k, law))
    n_opt, d_opt = (float(x) for x in law.optimal_allocation(c))
    return ShrunkModel(
        C=c, N_opt=n_opt, D_opt=d_opt, k_N=k, k_D=k_d, N=k * n_opt, D=k_d * d_opt,
        compute=6.0 * k * n_opt * k_d * d_opt, overhead=k * k_d - 1.0, loss=float(law.loss(n_opt, d_opt)),
    )


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
    n = float(positive(N, "N"))
    d = float(positive(D, "D"))
    c = 6.0 * n * d
    n_opt, d_opt = (float(x) for x in law.optimal_allocation(c))
    lo = math.log(asymptote(law))

    def dist(log_k: float) -> float:
        k = math.exp(log_k)
        inner = _bracket(np.asarray(k), law).item()
        if inner <= 0:
            return math.inf
        k_d = inner ** (-1.0 / law.beta)
        return math.log(k * n_opt / n) ** 2 + math.log(k_d * d_opt / d) ** 2

    hi = max(0.0, math.log(n / n_opt)) + 1.0
    res = minimize_scalar(dist, bounds=(lo + 1e-9, hi), method="bounded", options={"xatol": 1e-10})
    return shrunk_model(math.exp(res.x), c, law)


# ------------------------------------------------------- locating a model
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
    loss = positive(L, "L")
    if (loss <= law.E).any():
        raise ValueError(
            f"loss {loss.ravel()[np.flatnonzero((loss <= law.E).ravel())[0]]:g} is at or below this law's "
            f"irreducible loss E = {law.E:g} nats/token: no budget reaches it"
        )
    return _out(_compute_for_reducible(loss - law.E, law))


def _compute_for_reducible(reducible: NDArray[np.float64] | float, law: ChinchillaLaw) -> NDArray[np.float64]:
    """:func:`compute_for_loss` from the reducible loss ``L - E`` (> 0), without subtracting ``E`` again."""
    gamma = law.alpha * law.beta / (law.alpha + law.beta)
    K = law.A * law.G ** (-law.alpha) + law.B * law.G**law.beta
    return np.asarray(6.0 * (K / np.asarray(reducible, dtype=float)) ** (1.0 / gamma))


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
        If ``N`` or ``D`` is not a positive finite number, or if the budget
        ``6 N D`` overflows double precision (above about 1.8e308 FLOPs).
    """
    law = _law(law)
    n = float(positive(N, "N"))
    d = float(positive(D, "D"))
    c = 6.0 * n * d
    if not math.isfinite(c):
        raise ValueError(
            f"the budget 6 N D = 6 x {n:g} parameters x {d:g} tokens is above the largest double-precision "
            f"number (1.8e308 FLOPs), so the model cannot be placed; use N and D with N x D below 3e307"
        )
    # The reducible loss A/N**alpha + B/D**beta, computed directly: L - E would lose every digit once it
    # falls below E's rounding error (sizes beyond about 1e45), and compute_for_loss would then see L = E.
    reducible = float(law.A * n ** (-law.alpha) + law.B * d ** (-law.beta))
    loss = law.E + reducible
    c_iso = float(_compute_for_reducible(reducible, law))
    n_opt, d_opt = (float(x) for x in law.optimal_allocation(c_iso))
    k_n = n / n_opt
    return Placement(
        N=n, D=d, compute=c, loss=loss, iso_loss_compute=c_iso, N_opt=n_opt, D_opt=d_opt,
        k_N=k_n, k_D=d / d_opt, overhead=c / c_iso - 1.0,
        k_N_same_budget=n / float(law.optimal_allocation(c)[0]),
        beyond_critical=bool(k_n < critical_model_size(law)),
    )


# ----------------------------------------------------------- inference
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
    rho = finite(inference_ratio, "inference_ratio")
    if (rho < 0).any():
        raise ValueError("inference_ratio (inference tokens / D_opt) must be >= 0")
    t = float(positive(train_flops_per_token, "train_flops_per_token"))
    i = float(positive(inference_flops_per_token, "inference_flops_per_token"))
    lo = math.log(asymptote(law))

    def cost(log_k: float, r: float) -> float:
        k = math.exp(log_k)
        inner = 1.0 - (law.beta / law.alpha) * (k ** (-law.alpha) - 1.0)
        if inner <= 0:
            return math.inf
        return k * inner ** (-1.0 / law.beta) + (i / t) * k * r

    out = np.empty(rho.shape)
    for idx, r in np.ndenumerate(rho):
        if r == 0:
            out[idx] = 1.0
            continue
        res = minimize_scalar(cost, bounds=(lo + 1e-12, 0.0), args=(float(r),), method="bounded",
                              options={"xatol": 1e-10})
        out[idx] = math.exp(res.x)
    return _out(out)


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
        raise ValueError("k_N above 1 is never the lifetime optimum (inference only favours smaller models)")
    data_factor(k, law)  # raises below the asymptote
    t = float(positive(train_flops_per_token, "train_flops_per_token"))
    i = float(positive(inference_flops_per_token, "inference_flops_per_token"))
    u = _bracket(k, law)
    return _out((t / i) * u ** (-1.0 / law.beta - 1.0) * (k ** (-law.alpha) - u))


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
    c0 = float(compute_for_loss(loss, law))
    d_inf = float(finite(inference_tokens, "inference_tokens"))
    if d_inf < 0:
        raise ValueError(f"inference_tokens must be >= 0, got {d_inf:g}")
    n_opt, d_opt = (float(x) for x in law.optimal_allocation(c0))
    k = float(best_model_fraction(d_inf / d_opt, law, train_flops_per_token, inference_flops_per_token))
    k_d = float(data_factor(k, law))
    n, d = k * n_opt, k_d * d_opt
    train = train_flops_per_token * n * d
    infer = inference_flops_per_token * n * d_inf
    chin = train_flops_per_token * n_opt * d_opt + inference_flops_per_token * n_opt * d_inf
    return InferencePlan(
        loss=float(loss), inference_tokens=d_inf, k_N=k, k_D=k_d, N=n, D=d, training_flops=train,
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
        If ``N`` or ``D`` is not a positive finite number, if ``6 N D`` overflows, or if
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
    k = n / float(law.optimal_allocation(c)[0])
    if k <= asymptote(law):
        raise ValueError(
            f"N = {n:g} is {k:.4g} x N_opt of its own budget 6 N D = {c:.3g} FLOPs, at or below the asymptote "
            f"{asymptote(law):.4g}: no model of that size reaches the budget's optimal loss, so this reading has "
            "no overhead; use shrink(N, D, law), which compares with the optimum of the model's own loss"
        )
    return shrunk_model(k, c, law)

