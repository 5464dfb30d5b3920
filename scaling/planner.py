"""Planning a training run in closed form: the engine of ``python -m scaling`` and of the book's calculator.

Scalar versions of the formulas of :mod:`scaling.devries` (de Vries 2023; Sardana et al. 2023's
inference question) on any :class:`~scaling.laws.ChinchillaLaw`, written so that they need only
the standard library's :mod:`math` and the law itself (NumPy). :mod:`scaling.devries` imports
``scipy.optimize``, whose import alone takes about 0.3 s, twice the start-up time of NumPy: a
command-line calculator that imports it cannot answer in the quarter of a second a calculator
should. The two places where devries calls SciPy, the critical model size (``brentq``) and the best
model size under an inference load (``minimize_scalar``), are solved here by :func:`bisect`, a
bracketed root finder on the logarithm of the model fraction. The browser calculator
(``_static/calculator.js``) is a line-by-line port of this module, root finder included, and is
tested against ``python -m scaling ... --json``.

Every function agrees with its :mod:`scaling.devries` counterpart (``tests/test_planner.py`` checks
them on a grid of laws and inputs): to a few units in the last place for the closed forms, and to
the minimiser's tolerance (about 1e-8 relative) for :func:`best_model_fraction`, where this module
is the more accurate one: it solves the stationarity condition of the lifetime cost (the closed-form
inverse :func:`scaling.devries.inference_ratio_for_fraction`) to the last bit instead of
minimising a function that is flat at its minimum.

Units: compute in FLOPs (``C = 6 N D``), parameters and tokens as counts, losses in nats per token,
fractions and overheads as plain numbers (0.2 = 20 %). Results are plain dicts with the field names
of the corresponding :mod:`scaling.devries` dataclasses (for JSON).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._validate import TINY, NotRepresentable, finite, positive, representable, show
from .laws import ChinchillaLaw

__all__ = [
    "FITTED_RANGE",
    "EXTRAPOLATION_FACTOR",
    "bisect",
    "asymptote",
    "data_factor",
    "compute_overhead",
    "critical_model_size",
    "compute_for_loss",
    "optimal",
    "optimal_for_loss",
    "shrunk_model",
    "shrink",
    "same_budget_placement",
    "inference_ratio_for_fraction",
    "best_model_fraction",
    "optimal_with_inference",
    "extrapolation_warnings",
    "hardware",
]

HUGE = 1.7976931348623157e308
"""The largest double."""

FITTED_RANGE: dict[str, tuple[float, float]] = {
    "N": (57334197.40687078, 16183346310.730501),
    "D": (245105957.9245427, 317754489343.9688),
    "C": (1.3972367362937152e18, 1.2956022673438285e22),
}
"""The smallest and largest parameters ``N``, tokens ``D`` and budgets ``C`` (FLOPs) of the 245 Chinchilla
training runs (Hoffmann et al. 2022, Figure 4, as extracted by Besiroglu et al. 2024:
:func:`scaling.datasets.chinchilla_runs`, with ``D = C / 6N``). Every law of the book was fitted on these
runs (the printed and unrounded laws by Hoffmann et al. on theirs, the replicated law on the extraction,
de Vries' law adjusts the printed one), so this is where the laws were measured. Copied here so that the
command line need not load the data; ``tests/test_planner.py`` checks it against the data."""

EXTRAPOLATION_FACTOR: float = 100.0
"""How far outside :data:`FITTED_RANGE` a question may go before a warning is printed: a factor of 100.

Hoffmann et al.'s own headline prediction, Chinchilla at 5.76e23 FLOPs, lies 44 times beyond their largest
run; questions within two orders of magnitude are of the kind the paper made and tested, and beyond that
the tool says the answer is an extrapolation the data never checked (the law still gives a number: one
parameter on one token has a "loss" of 818.7 under de Vries' values)."""


# ------------------------------------------------------------------ the root finder
def bisect(f: Callable[[float], float], lo: float, hi: float) -> float:
    """A root of ``f`` in ``[lo, hi]`` by bisection, to adjacent doubles.

    Every root this module needs is that of a monotone function of ``x = ln k_N`` (the log
    of a model fraction) on a bracket ``(ln k_N*, 0]`` whose ends give opposite signs, often
    with ``+inf`` at the asymptote. Bisection needs nothing more: it cannot fail on a
    bracket, takes infinite values at the ends as the signs they are, and halves the interval
    until ``lo`` and ``hi`` are neighbouring doubles (about 60 halvings for a root of order 1;
    at most about 1,100 for any bracket of finite doubles), so the answer is the root to the
    last bit that ``f`` resolves. Its steps are the same in any language, which lets the
    browser calculator reproduce the command line's answers to the last digits. SciPy's
    ``brentq`` is faster per root but costs 0.3 s to import, more than the whole answer.

    Parameters
    ----------
    f
        A function of one float; finite or ``+-inf`` on ``[lo, hi]``, never NaN.
    lo, hi
        The bracket, finite, ``lo < hi``, with ``f(lo)`` and ``f(hi)`` of opposite signs (or one
        of them zero).

    Returns
    -------
    float
        The end of the final bracket with the smaller ``|f|`` (``lo`` on a tie), or a point
        where ``f`` is exactly zero.

    Raises
    ------
    ValueError
        If the bracket is not finite and ordered, ``f(lo)`` and ``f(hi)`` have the same sign,
        or ``f`` returns NaN.
    TypeError
        If ``f`` is not callable, or ``lo`` or ``hi`` is not a number.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of one float, got {show(f)}")
    lo = float(finite(lo, "lo", scalar=True))
    hi = float(finite(hi, "hi", scalar=True))
    if not lo < hi:
        raise ValueError(f"lo must be below hi (a bracket [lo, hi]), got lo = {lo!r}, hi = {hi!r}")
    f_lo, f_hi = float(f(lo)), float(f(hi))
    if math.isnan(f_lo) or math.isnan(f_hi):
        raise ValueError(f"f must not be NaN: f(lo) = {f_lo!r}, f(hi) = {f_hi!r} at [{lo!r}, {hi!r}]")
    if f_lo == 0:
        return lo
    if f_hi == 0:
        return hi
    if (f_lo > 0) == (f_hi > 0):
        raise ValueError(f"f must change sign on the bracket: f(lo) = {f_lo!r} and f(hi) = {f_hi!r} at "
                         f"[{lo!r}, {hi!r}]")
    while True:
        mid = 0.5 * lo + 0.5 * hi  # (not lo + (hi - lo) / 2, which overflows for a bracket of +-1e308)
        if not lo < mid < hi:
            break
        f_mid = float(f(mid))
        if math.isnan(f_mid):
            raise ValueError(f"f must not be NaN: f({mid!r}) is NaN")
        if f_mid == 0:
            return mid
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi, f_hi = mid, f_mid
    return lo if abs(f_lo) <= abs(f_hi) else hi


# ------------------------------------------------------------------ helpers
def _law(law: object) -> ChinchillaLaw:
    if not isinstance(law, ChinchillaLaw):
        raise TypeError(f"law must be a scaling.laws.ChinchillaLaw (e.g. scaling.published.DEVRIES2023), "
                        f"got {type(law).__name__} {show(law)}")
    return law


def _scalar(value: object, name: str) -> float:
    """``value`` as one positive finite float (TypeError/ValueError naming ``name``)."""
    return float(positive(value, name, scalar=True))  # type: ignore[arg-type]


def _exp(x: float) -> float:
    """``exp(x)``, ``inf`` above the double range (``math.exp`` raises there)."""
    return math.exp(x) if x < 709.782712893384 else math.inf


def _expm1(x: float) -> float:
    return math.expm1(x) if x < 709.782712893384 else math.inf


def _logaddexp(x: float, y: float) -> float:
    """``ln(e**x + e**y)`` without overflow."""
    big, small = (x, y) if x >= y else (y, x)
    return big + math.log1p(math.exp(small - big))


def _log_asymptote(law: ChinchillaLaw) -> float:
    """``ln k_N* = -log1p(alpha/beta) / alpha`` (as :func:`scaling.devries.asymptote`, in logs)."""
    log_r = math.log(law.alpha) - math.log(law.beta)
    if log_r < -30.0:  # log1p(r)/alpha = (1 - r/2 + ...)/beta to double precision
        return -(1.0 - 0.5 * math.exp(log_r)) / law.beta
    r = law.alpha / law.beta
    log1p_r = math.log1p(r) if r < 1e300 else log_r + math.log1p(math.exp(-log_r))
    out = -log1p_r / law.alpha
    return out if math.isfinite(out) else -math.inf


def _q(u: float) -> float:
    """``expm1(-u) / u`` (``-1`` at ``u = 0``), so that ``k**-alpha - 1 = u q`` with ``u = alpha ln k``."""
    if abs(u) < 1e-8:
        return -1.0 + 0.5 * u
    return _expm1(-u) / u


def _log_data_factor(x: float, law: ChinchillaLaw) -> tuple[float, float]:
    """``(y, ln k_D)`` at ``x = ln k_N``; ``1 + y`` is the bracket ``1 - (beta/alpha)(k_N**-alpha - 1)``.

    ``y <= -1`` (returned with ``ln k_D = inf``) means ``k_N`` is at or below the asymptote.
    ``ln k_D = -log1p(y)/beta`` is computed as ``(x q) log1p(y)/y`` (with ``y = -beta x q``), exact
    as ``k_N -> 1``; the same formulation as :mod:`scaling.devries`.
    """
    u = law.alpha * x
    if -u > 700.0:  # k**-alpha beyond e**700: y = -(beta/alpha) k**-alpha, from logs
        log_neg_y = math.log(law.beta) - math.log(law.alpha) - u
        if log_neg_y >= 0.0:
            return -math.inf, math.inf
        y = -math.exp(log_neg_y)
        xq = -y / law.beta
    else:
        xq = x * _q(u)
        y = -law.beta * xq
    if y <= -1.0:
        return y, math.inf
    over = 1.0 - 0.5 * y if abs(y) < 1e-8 else math.log1p(y) / y
    return y, xq * over


def _log_overhead(x: float, law: ChinchillaLaw) -> float:
    """``ln(1 + overhead) = ln k_N + ln k_D`` at ``x = ln k_N`` (``inf`` at or below the asymptote)."""
    return x + _log_data_factor(x, law)[1]


def _below_asymptote(k: float, law: ChinchillaLaw) -> ValueError:
    # (the book prints this message: the same words as scaling.devries)
    return ValueError(
        f"k_N = {k:g} is at or below the asymptote k_N* = {math.exp(max(_log_asymptote(law), -745.0)):.4g} of "
        f"this law: a model of {k:g} x N_opt parameters cannot reach the compute-optimal loss with any finite "
        "number of tokens; choose k_N above the asymptote"
    )


def _k(k_N: object, law: ChinchillaLaw) -> tuple[float, float]:
    """``(k_N, ln k_D)`` for a valid ``k_N`` above the asymptote."""
    k = float(finite(k_N, "k_N", scalar=True, allowed="> 0"))  # type: ignore[arg-type]
    if k <= 0:
        raise ValueError(f"k_N must be > 0 (the model size as a fraction of the compute-optimal size), got {k:g}")
    y, log_kd = _log_data_factor(math.log(k), law)
    if y <= -1.0:
        raise _below_asymptote(k, law)
    return k, log_kd


# ------------------------------------------------------------------ the overhead curve
@representable(positive=True)
def asymptote(law: ChinchillaLaw) -> float:
    """``k_N* = (1 + alpha/beta)**(-1/alpha)``: at or below it no data reach the optimal loss (fraction of ``N_opt``)."""
    return _exp(_log_asymptote(_law(law)))


@representable(positive=True)
def data_factor(k_N: float, law: ChinchillaLaw) -> float:
    """``k_D = (1 - (beta/alpha)(k_N**-alpha - 1))**(-1/beta)``, the same at every budget (dimensionless).

    Raises
    ------
    TypeError, ValueError
        If ``k_N`` is not a positive finite number, is at or below :func:`asymptote`, or
        ``k_D`` is beyond double precision.
    """
    k, log_kd = _k(k_N, _law(law))
    return _exp(log_kd)


@representable
def compute_overhead(k_N: float, law: ChinchillaLaw) -> float:
    """``k_N k_D - 1``: the extra training compute of a ``k_N N_opt`` model at the optimal loss (fraction).

    Raises as :func:`data_factor`.
    """
    k, log_kd = _k(k_N, _law(law))
    return _expm1(math.log(k) + log_kd)  # exact near k_N = 1


@representable(positive=True)
def critical_model_size(law: ChinchillaLaw, overhead: float = 1.0) -> float:
    """The ``k_N < 1`` at which the overhead reaches ``overhead`` (1.0 = 100 %, the book's critical model size).

    Solved by :func:`bisect` on ``ln k_N`` between the asymptote (overhead infinite) and 0 (overhead 0).

    Raises
    ------
    TypeError, ValueError
        If ``overhead`` is not a positive finite number, or the answer is below the smallest double.
    """
    law = _law(law)
    target = math.log1p(_scalar(overhead, "overhead"))
    lo = _log_asymptote(law)
    if lo >= 0.0:  # the asymptote rounds to 1: so does every k_N between it and 1
        return 1.0
    lo = max(lo, -745.0)  # exp(-745) is the smallest double: below it no k_N is representable

    def f(v: float) -> float:
        return _log_overhead(v, law) - target

    if f(lo) <= 0:
        raise NotRepresentable(f"the model fraction with this overhead is below exp({lo:g}), the smallest double")
    return math.exp(bisect(f, lo, 0.0))


# ------------------------------------------------------------------ budgets and losses
def _log_compute_for_reducible(reducible: float, law: ChinchillaLaw) -> float:
    """``ln C`` of the compute-optimal budget whose reducible loss ``L - E`` is ``reducible`` (> 0).

    On the optimal path ``L - E = K (C/6)**-gamma`` with ``K = A G**-alpha + B G**beta`` and
    ``1/gamma = 1/alpha + 1/beta``, so ``ln C = ln 6 + (ln K - ln(L - E)) / gamma``.
    """
    log_g = law._log_G
    if not math.isfinite(log_g):
        raise NotRepresentable(f"ln G = {log_g} for this law: the compute-optimal budgets are beyond double precision")
    log_k = _logaddexp(math.log(law.A) - law.alpha * log_g, math.log(law.B) + law.beta * log_g)
    diff = log_k - math.log(reducible)
    return math.log(6.0) + (0.0 if diff == 0 else diff * (1.0 / law.alpha + 1.0 / law.beta))


def _reducible(loss: float, name: str, law: ChinchillaLaw) -> float:
    if loss <= law.E:
        raise ValueError(
            f"{name} must be above this law's irreducible loss E = {law.E:g} nats/token, got {loss:g}: "
            "no budget reaches it"
        )
    return loss - law.E


@representable(positive=True)
def compute_for_loss(loss: float, law: ChinchillaLaw) -> float:
    """The smallest budget (FLOPs) whose compute-optimal model reaches ``loss`` (nats per token).

    Raises
    ------
    ValueError
        If ``loss <= E`` (unreachable with any budget) or the budget is outside double precision.
    """
    law = _law(law)
    return _exp(_log_compute_for_reducible(_reducible(_scalar(loss, "loss"), "loss", law), law))


@representable
def optimal(C: float, law: ChinchillaLaw) -> dict[str, float]:
    """The compute-optimal model of a budget ``C`` (FLOPs): ``C``, ``N_opt``, ``D_opt``, ``tokens_per_parameter``, ``loss``."""
    law = _law(law)
    c = _scalar(C, "C")
    n, d = (float(v) for v in law.optimal_allocation(c))
    if not (TINY <= n and TINY <= d):
        raise NotRepresentable(f"N_opt = {n:g} and D_opt = {d:g} must both be above the smallest double")
    return {"C": c, "N_opt": n, "D_opt": d, "tokens_per_parameter": d / n, "loss": float(law.loss(n, d))}


@representable
def optimal_for_loss(loss: float, law: ChinchillaLaw) -> dict[str, float]:
    """The cheapest model reaching ``loss``: as :func:`optimal` at the budget :func:`compute_for_loss` gives."""
    law = _law(law)
    return optimal(compute_for_loss(loss, law), law)


# ------------------------------------------------------------------ smaller models
@representable
def shrunk_model(k_N: float, C: float, law: ChinchillaLaw) -> dict[str, float]:
    """The compute-optimal model of budget ``C`` shrunk to ``k_N N_opt`` and trained to the same loss.

    A row of de Vries' updated Table A3. Fields as :class:`scaling.devries.ShrunkModel`: ``C``,
    ``N_opt``, ``D_opt``, ``k_N``, ``k_D``, ``N`` (``k_N N_opt``), ``D`` (``k_D D_opt``), ``compute``
    (``6 N D = (1 + overhead) C``), ``overhead``, ``loss`` (of both models).
    """
    law = _law(law)
    c = _scalar(C, "C")
    k, log_kd = _k(k_N, law)
    k_d = data_factor(k, law)
    opt = optimal(c, law)
    n_opt, d_opt = opt["N_opt"], opt["D_opt"]
    return {
        "C": c, "N_opt": n_opt, "D_opt": d_opt, "k_N": k, "k_D": k_d, "N": k * n_opt, "D": k_d * d_opt,
        "compute": 6.0 * k * n_opt * k_d * d_opt, "overhead": compute_overhead(k, law), "loss": opt["loss"],
    }


@representable
def shrink(N: float, D: float, law: ChinchillaLaw) -> dict[str, Any]:
    """Where a model of ``N`` parameters trained on ``D`` tokens sits on the overhead curve (equal-loss reading).

    Fields as :class:`scaling.devries.Placement`: its budget ``compute = 6 N D``, ``loss``, the budget
    ``iso_loss_compute`` of the compute-optimal model with the same loss and that model's ``N_opt``,
    ``D_opt``; ``k_N = N / N_opt``, ``k_D = D / D_opt``, ``overhead = compute / iso_loss_compute - 1``
    (how much more compute the model cost than the cheapest model as good as it),
    ``k_N_same_budget = N / N_opt(6 N D)`` and ``beyond_critical`` (``k_N`` below the critical size,
    overhead above 100 %; always False for ``k_N >= 1``).

    Raises
    ------
    ValueError
        If ``N`` or ``D`` is not a positive finite number, ``6 N D`` overflows, or the placement
        is outside double precision.
    """
    law = _law(law)
    n, d = _scalar(N, "N"), _scalar(D, "D")
    c = 6.0 * n * d
    if not math.isfinite(c):
        raise ValueError(
            f"the budget 6 N D = 6 x {n:g} parameters x {d:g} tokens is not representable in double precision "
            f"(above 1.8e308 FLOPs), so the model cannot be placed; N and D must have N x D below 3e307"
        )
    # the reducible loss computed directly (as devries.shrink): L - E would lose its digits for huge models
    reducible = float(law._term(law.A, n, law.alpha)) + float(law._term(law.B, d, law.beta))  # type: ignore[arg-type]
    if not reducible > 0.0:
        raise NotRepresentable(
            "the model's reducible loss A/N^alpha + B/D^beta underflows to 0 in double precision, so no "
            "compute-optimal model of the same loss can be found"
        )
    log_c_iso = _log_compute_for_reducible(reducible, law)
    c_iso = _exp(log_c_iso)
    if not (TINY <= c and TINY <= c_iso <= HUGE):
        raise NotRepresentable(
            f"the budget 6 N D = {c:.4g} FLOPs or that of the compute-optimal model with the same loss, "
            f"{c_iso:.4g} FLOPs, is outside double precision"
        )
    n_opt, d_opt = (float(v) for v in law.optimal_allocation(c_iso))
    k_n = n / n_opt
    return {
        "N": n, "D": d, "compute": c, "loss": law.E + reducible, "iso_loss_compute": c_iso,
        "N_opt": n_opt, "D_opt": d_opt, "k_N": k_n, "k_D": d / d_opt, "overhead": c / c_iso - 1.0,
        "k_N_same_budget": n / float(law.optimal_allocation(c)[0]),
        "beyond_critical": bool(k_n < 1.0 and k_n < critical_model_size(law)),
    }


@representable
def same_budget_placement(N: float, D: float, law: ChinchillaLaw) -> dict[str, float]:
    """A model's overhead against the optimum of its own budget, as the ``lvwerra/harms-law`` space reports it.

    ``k_N = N / N_opt(6 N D)`` read on the overhead curve: :func:`shrunk_model` at that ``k_N``
    and ``C = 6 N D``. Its overhead answers "how much more than my budget would a model of my
    size need to be as good as the best model of my budget?"; :func:`shrink`'s answers "how
    much more did my model cost than the cheapest model as good as it?" (LLaMA-7B under de
    Vries' values: 14.4 % here, 11.7 % there).

    Raises
    ------
    ValueError
        As :func:`shrink`, and if ``k_N`` is at or below the asymptote (no model of that size
        reaches its budget's optimal loss).
    """
    law = _law(law)
    n, d = _scalar(N, "N"), _scalar(D, "D")
    c = 6.0 * n * d
    if not math.isfinite(c):
        raise ValueError(
            f"the budget 6 N D = 6 x {n:g} parameters x {d:g} tokens is not representable in double precision "
            f"(above 1.8e308 FLOPs); N and D must have N x D below 3e307"
        )
    if c < TINY:
        raise NotRepresentable(f"the budget 6 N D = {c:.4g} FLOPs is below the smallest double")
    k = n / float(law.optimal_allocation(c)[0])
    if k <= asymptote(law):
        raise ValueError(
            f"N = {n:g} is {k:.4g} x N_opt of its own budget 6 N D = {c:.3g} FLOPs, at or below the asymptote "
            f"{asymptote(law):.4g}: no model of that size reaches the budget's optimal loss, so this reading has "
            "no overhead"
        )
    return shrunk_model(k, c, law)


# ------------------------------------------------------------------ inference
def _log_inference_ratio(x: float, law: ChinchillaLaw, t: float, i: float) -> float:
    """``ln rho`` at ``x = ln k_N`` in ``(ln k_N*, 0]``: ``rho = (t/i) u**(-1/beta - 1) (k_N**-alpha - u)``.

    ``u = 1 + y`` is the bracket; ``k**-alpha - u = (alpha + beta) x q``. ``-inf`` at ``x = 0``
    (``rho = 0``), ``+inf`` at or below the asymptote. The closed form of
    :func:`scaling.devries.inference_ratio_for_fraction`.
    """
    if x == 0.0:
        return -math.inf
    y, log_kd = _log_data_factor(x, law)
    if y <= -1.0:
        return math.inf
    log_sum = _logaddexp(math.log(law.alpha), math.log(law.beta))
    q = _q(law.alpha * x)
    return (math.log(t) - math.log(i) + log_kd - math.log1p(y) + log_sum
            + math.log(abs(x)) + math.log(abs(q)))


@representable
def inference_ratio_for_fraction(k_N: float, law: ChinchillaLaw, train_flops_per_token: float = 6.0,
                                 inference_flops_per_token: float = 2.0) -> float:
    """The inference load ``rho = D_inf / D_opt`` for which ``k_N`` (in ``(k_N*, 1]``) is the cheapest size over a lifetime.

    Raises
    ------
    ValueError
        If ``k_N`` is above 1 or at or below the asymptote.
    """
    law = _law(law)
    k, _ = _k(k_N, law)
    if k > 1:
        raise ValueError(f"k_N must be at most 1, got {k:g}: k_N above 1 is never the lifetime optimum")
    t = _scalar(train_flops_per_token, "train_flops_per_token")
    i = _scalar(inference_flops_per_token, "inference_flops_per_token")
    return _exp(_log_inference_ratio(math.log(k), law, t, i))


@representable(positive=True)
def best_model_fraction(inference_ratio: float, law: ChinchillaLaw, train_flops_per_token: float = 6.0,
                        inference_flops_per_token: float = 2.0) -> float:
    """The ``k_N`` that minimises training plus inference FLOPs at a fixed loss, for ``rho = D_inf / D_opt``.

    The lifetime cost over the optimum's training, ``k_N k_D + (i/t) k_N rho``, is convex in
    ``ln k_N`` on ``(ln k_N*, 0]``; its minimum is where its derivative vanishes, i.e. where
    :func:`inference_ratio_for_fraction` equals ``rho``, which falls monotonically from infinity
    at the asymptote to 0 at ``k_N = 1``. That equation is solved by :func:`bisect` in ``ln k_N``
    (``rho = 0`` gives 1).

    Raises
    ------
    TypeError, ValueError
        If ``rho`` is not a finite number >= 0, or the FLOPs per token are not positive.
    """
    law = _law(law)
    rho = float(finite(inference_ratio, "inference_ratio", scalar=True, allowed=">= 0"))  # type: ignore[arg-type]
    if rho < 0:
        raise ValueError(f"inference_ratio (inference tokens / D_opt) must be >= 0, got {rho:g}")
    t = _scalar(train_flops_per_token, "train_flops_per_token")
    i = _scalar(inference_flops_per_token, "inference_flops_per_token")
    if rho == 0:
        return 1.0
    lo = _log_asymptote(law)
    if lo >= 0.0:
        return 1.0
    target = math.log(rho)
    lo = max(lo, -745.0)  # exp(-745) is the smallest double

    def f(v: float) -> float:
        return _log_inference_ratio(v, law, t, i) - target

    if f(lo) <= 0:
        raise NotRepresentable(f"the best model fraction is below exp({lo:g}), the smallest double")
    return math.exp(bisect(f, lo, 0.0))


@representable
def optimal_with_inference(loss: float, inference_tokens: float, law: ChinchillaLaw,
                           train_flops_per_token: float = 6.0,
                           inference_flops_per_token: float = 2.0) -> dict[str, float]:
    """Minimise ``6 N D + 2 N D_inf`` at ``L(N, D) = loss`` (Sardana et al. 2023's question).

    Fields as :class:`scaling.devries.InferencePlan`: ``loss``, ``inference_tokens``, ``k_N``, ``k_D``,
    ``N``, ``D``, ``training_flops``, ``inference_flops``, ``total_flops``, ``chinchilla_total_flops``
    (training plus inference of the compute-optimal model of the same loss) and ``saving``
    (``1 - total_flops / chinchilla_total_flops``).

    Raises
    ------
    ValueError
        If ``loss <= E``, ``inference_tokens`` is negative or not finite, or a result is outside
        double precision.
    """
    law = _law(law)
    c0 = compute_for_loss(loss, law)
    d_inf = float(finite(inference_tokens, "inference_tokens", scalar=True, allowed=">= 0"))  # type: ignore[arg-type]
    if d_inf < 0:
        raise ValueError(f"inference_tokens must be >= 0, got {d_inf:g}")
    t = _scalar(train_flops_per_token, "train_flops_per_token")
    i = _scalar(inference_flops_per_token, "inference_flops_per_token")
    n_opt, d_opt = (float(v) for v in law.optimal_allocation(c0))
    rho = d_inf / d_opt
    if not math.isfinite(rho):
        raise NotRepresentable("inference_tokens / D_opt is above the largest double")
    k = best_model_fraction(rho, law, t, i)
    k_d = data_factor(k, law)
    n, d = k * n_opt, k_d * d_opt
    train, infer = t * n * d, i * n * d_inf
    chin = t * n_opt * d_opt + i * n_opt * d_inf
    return {
        "loss": float(loss), "inference_tokens": d_inf, "k_N": k, "k_D": k_d, "N": n, "D": d,
        "training_flops": train, "inference_flops": infer, "total_flops": train + infer,
        "chinchilla_total_flops": chin, "saving": 1.0 - (train + infer) / chin,
    }


# ------------------------------------------------------------------ the user's terms
_QUANTITY = {"N": "parameters", "D": "tokens", "C": "FLOPs"}


def extrapolation_warnings(N: ArrayLike | None = None, D: ArrayLike | None = None,
                           C: ArrayLike | None = None) -> list[str]:
    """Warnings for the quantities that lie more than :data:`EXTRAPOLATION_FACTOR` outside :data:`FITTED_RANGE`.

    Parameters
    ----------
    N, D, C
        Parameters, tokens and budgets (FLOPs) a question involves: a number or an array of
        them (> 0), or None.

    Returns
    -------
    list of str
        One sentence per quantity with a value out of range (the farthest one), in the
        order N, D, C; empty when everything is within a factor of 100 of the Chinchilla runs.
    """
    out = []
    for key, values in (("N", N), ("D", D), ("C", C)):
        if values is None:
            continue
        v = np.ravel(positive(values, key))
        lo, hi = FITTED_RANGE[key]
        log_v = np.log(v)
        log_factors = np.maximum(log_v - math.log(hi), math.log(lo) - log_v)  # in logs: 1e-300 / 1e22 underflows
        i = int(np.argmax(log_factors))
        worst, log_factor = float(v[i]), float(log_factors[i])
        if log_factor > math.log(EXTRAPOLATION_FACTOR):
            factor = f"{math.exp(log_factor):.3g}" if log_factor < 709 else f"1e{log_factor / math.log(10):.0f}"
            out.append(
                f"{key} = {worst:.3g} {_QUANTITY[key]} lies a factor of {factor} outside the Chinchilla runs the laws "
                f"were fitted on ({key} from {lo:.3g} to {hi:.3g}): the answer is an extrapolation the data never "
                "checked"
            )
    return out


@representable
def hardware(compute: float, peak_flops: float, utilisation: float, accelerators: float | None = None,
             price_per_hour: float | None = None) -> dict[str, float | None]:
    """Training time and cost of ``compute`` FLOPs on accelerators of ``peak_flops`` FLOP/s at ``utilisation``.

    Parameters
    ----------
    compute
        Training FLOPs.
    peak_flops
        One accelerator's peak rate (FLOP/s, e.g. 9.89e14 for an H100's dense BF16).
    utilisation
        The fraction of the peak the training run sustains (model FLOPs utilisation, in (0, 1]).
    accelerators
        How many accelerators train together (>= 1), or None: then no wall-clock time.
    price_per_hour
        Price of one accelerator-hour (any currency), or None: then no cost.

    Returns
    -------
    dict
        ``accelerator_hours`` (``compute / (peak_flops utilisation) / 3600``), ``days`` (wall clock,
        ``accelerator_hours / accelerators / 24``, None without ``accelerators``) and ``cost``
        (``accelerator_hours price_per_hour``, None without a price).
    """
    c = _scalar(compute, "compute")
    peak = _scalar(peak_flops, "peak_flops")
    u = _scalar(utilisation, "utilisation")
    if u > 1:
        raise ValueError(f"utilisation must be at most 1 (a fraction of the peak rate), got {u:g}")
    count = None if accelerators is None else _scalar(accelerators, "accelerators")
    if count is not None and count < 1:
        raise ValueError(f"accelerators must be at least 1, got {count:g}")
    price = None if price_per_hour is None else _scalar(price_per_hour, "price_per_hour")
    hours = c / peak / u / 3600.0  # (peak * u could underflow to 0)
    days = None if count is None else hours / count / 24.0
    cost = None if price is None else hours * price
    return {"accelerator_hours": hours, "days": days, "cost": cost}
