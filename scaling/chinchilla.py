"""Hoffmann et al. (2022), Approaches 1 and 2, the tables, and the tests of Approach 3.

Approach 3 itself (the parametric fit and its bootstrap) lives in
:mod:`scaling.fitting`; this module holds what Part II builds around it:

* :func:`isoflop_profiles` and :func:`isoflop_bootstrap`: Approach 2, a parabola
  in ``log N`` per compute budget and power laws through the minima;
* :func:`envelope`: Approach 1, the minimum loss over model sizes at each compute;
* :func:`setting_exponents`: the IsoFLOP exponent of each Porian et al. setting;
* :func:`allocation_table`: Table 3 / Table A3 (FLOPs and tokens per model size);
* :func:`log_residuals`, :func:`likelihood_ratio_test`: does a law fit the runs?
* :func:`runs_needed`: how many runs an interval of a given width needs;
* :func:`fit_spline_optima`, :func:`porian_exponents`: Porian et al.'s estimator (spline minima,
  seed-noise bootstrap, weighted fit) on their sweeps, and :func:`porian_file_exponents`, what
  their own code stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats
from scipy.interpolate import Akima1DInterpolator

from ._validate import (
    at_least,
    exact_or_log,
    finite,
    frame,
    in_range,
    instance,
    positive,
    renamed,
    representable,
    same_shape,
    show,
    text,
    whole,
)
from .laws import ChinchillaLaw
from .powerlaw import PowerLawFit, fit_power_law

__all__ = [
    "ISOFLOP_BUDGETS",
    "select_isoflop_runs",
    "isoflop_profiles",
    "AllocationFit",
    "fit_allocation",
    "isoflop_bootstrap",
    "envelope",
    "setting_exponents",
    "allocation_table",
    "log_residuals",
    "LikelihoodRatio",
    "likelihood_ratio_test",
    "runs_needed",
    "SPLINE_POINTS_PER_GAP",
    "SPLINE_MIN_SD_STEPS",
    "PORIAN_SEED_NOISE",
    "PORIAN_LEVEL",
    "SplineOptimaFit",
    "fit_spline_optima",
    "porian_fits",
    "porian_exponents",
    "porian_file_exponents",
]

ISOFLOP_BUDGETS: tuple[float, ...] = (6e18, 1e19, 3e19, 6e19, 1e20, 3e20, 6e20, 1e21, 3e21)
"""The nine IsoFLOP budgets of Hoffmann et al. (2022), Figure 3 (FLOPs)."""


# ------------------------------------------------------------------ Approach 2
def select_isoflop_runs(
    runs: pd.DataFrame, budgets: ArrayLike = ISOFLOP_BUDGETS, rtol: float = 0.07
) -> pd.DataFrame:
    """The runs whose compute lies within ``rtol`` of one of the budgets.

    Parameters
    ----------
    runs
        A table with columns ``N`` (parameters), ``C`` (FLOPs) and ``loss`` (nats per token),
        e.g. :func:`scaling.datasets.chinchilla_runs`.
    budgets
        IsoFLOP budgets in FLOPs.
    rtol
        Relative tolerance on compute (0.07: within ±7 % of the budget).

    Returns
    -------
    pandas.DataFrame
        The selected rows with an extra column ``budget`` (the budget each run belongs to).

    Raises
    ------
    TypeError
        If ``runs`` is not a DataFrame or a value is not a number.
    ValueError
        If a column is missing or holds a value that is not finite and positive, or
        ``rtol`` is not in (0, 0.5).
    """
    frame(runs, "runs", {"N": "positive", "C": "positive", "loss": "positive"})
    b = positive(budgets, "budgets").ravel()
    rtol = float(in_range(rtol, "rtol", 0.0, 0.5, low_open=True, high_open=True, scalar=True))
    c = runs["C"].to_numpy(dtype=float)
    with np.errstate(over="ignore", under="ignore"):
        rel = np.abs(c[:, None] / b[None, :] - 1.0)
    nearest = rel.argmin(axis=1)
    keep = rel[np.arange(c.size), nearest] <= rtol
    out = runs.loc[keep].copy()
    out["budget"] = b[nearest[keep]]
    return out.reset_index(drop=True)


def _parabola_minimum(logn: NDArray[np.float64], loss: NDArray[np.float64]) -> tuple[float, float, float]:
    """Vertex of ``loss = c2 logN^2 + c1 logN + c0``: ``(log N_opt, loss_opt, c2)`` (NaN if not convex)."""
    c2, c1, c0 = np.polyfit(logn, loss, 2)
    if not c2 > 0:
        return math.nan, math.nan, float(c2)
    x = -c1 / (2 * c2)
    return float(x), float(c0 - c1 * c1 / (4 * c2)), float(c2)


def _profile_groups(sel: pd.DataFrame) -> list[tuple[float, pd.DataFrame]]:
    """The budgets of selected runs with at least three distinct model sizes (a parabola needs three)."""
    return [(float(b), g) for b, g in sel.groupby("budget", sort=True) if g["N"].nunique() >= 3]


@representable
def isoflop_profiles(
    runs: pd.DataFrame, budgets: ArrayLike = ISOFLOP_BUDGETS, rtol: float = 0.07
) -> pd.DataFrame:
    """Approach 2: per budget, fit a parabola of loss in ``log N`` and take its minimum.

    Parameters
    ----------
    runs, budgets, rtol
        As in :func:`select_isoflop_runs`. A budget needs at least three runs.

    Returns
    -------
    pandas.DataFrame
        One row per budget with runs of at least three distinct sizes: ``budget`` (FLOPs),
        ``n_runs``, ``N_opt`` (parameters), ``D_opt = budget / (6 N_opt)`` (tokens),
        ``loss_opt`` (nats per token) and ``curvature`` (the parabola's coefficient of
        ``(ln N)**2``, nats).

    Raises
    ------
    ValueError
        As :func:`select_isoflop_runs`; if fewer than two budgets have three or more sizes;
        or if a profile has no minimum (not convex) or a minimum at a loss <= 0 (the runs are
        not parabolic in ``ln N`` there): drop that budget from ``budgets`` or fix the runs.
    """
    sel = select_isoflop_runs(runs, budgets, rtol)
    groups = _profile_groups(sel)
    at_least(2, len(groups), "budgets with runs of three or more distinct sizes (within rtol)", name="runs")
    rows = []
    for budget, grp in groups:
        x, lo, c2 = _parabola_minimum(np.log(grp["N"].to_numpy()), grp["loss"].to_numpy())
        if not (math.isfinite(x) and lo > 0):
            what = f"is not convex (curvature {c2:.3g})" if not math.isfinite(x) else f"has its minimum at loss {lo:.4g}"
            raise ValueError(
                f"runs: the IsoFLOP profile at budget {budget:.3g} {what}, but each profile must have a minimum "
                f"at a positive loss; drop {budget:.3g} from `budgets` or check its runs"
            )
        n_opt = float(np.exp(x))
        rows.append(
            {
                "budget": float(budget),
                "n_runs": len(grp),
                "N_opt": n_opt,
                "D_opt": float(budget) / (6.0 * n_opt),
                "loss_opt": lo,
                "curvature": c2,
            }
        )
    return pd.DataFrame(rows, columns=["budget", "n_runs", "N_opt", "D_opt", "loss_opt", "curvature"])


@dataclass(frozen=True)
class AllocationFit:
    """Power laws ``N_opt = k_N C**a`` and ``D_opt = k_D C**b`` (Table 2's a and b).

    Attributes
    ----------
    a, b
        Exponents of parameters and tokens in compute.
    N_fit, D_fit
        The two :class:`~scaling.powerlaw.PowerLawFit` (C in FLOPs).
    """

    N_fit: PowerLawFit
    D_fit: PowerLawFit

    @property
    def a(self) -> float:
        """Exponent of ``N_opt`` in compute."""
        return self.N_fit.exponent

    @property
    def b(self) -> float:
        """Exponent of ``D_opt`` in compute."""
        return self.D_fit.exponent

    @representable(positive=True)
    def N_opt(self, C: ArrayLike) -> NDArray[np.float64] | float:
        """Compute-optimal parameters at ``C`` FLOPs (> 0)."""
        positive(C, "C")
        return self.N_fit(C)

    @representable(positive=True)
    def compute_for_params(self, N: ArrayLike) -> NDArray[np.float64] | float:
        """The budget (FLOPs) at which ``N`` parameters (> 0) is optimal: the inverse of ``N_opt(C)``."""
        positive(N, "N")
        return self.N_fit.inverse(N)


def fit_allocation(C: ArrayLike, N_opt: ArrayLike, D_opt: ArrayLike) -> AllocationFit:
    """Fit ``N_opt ∝ C**a`` and ``D_opt ∝ C**b`` on log-log axes.

    Parameters
    ----------
    C
        Budgets, FLOPs (finite, > 0).
    N_opt, D_opt
        Compute-optimal parameters and tokens at each budget (finite, > 0), as many as ``C``.

    Raises
    ------
    TypeError, ValueError
        Values that are not finite and positive (a budget without an optimum must be dropped
        first), arrays of different lengths, or fewer than two distinct budgets.
    """
    c, n, d = (positive(v, name).ravel() for v, name in ((C, "C"), (N_opt, "N_opt"), (D_opt, "D_opt")))
    same_shape(C=c, N_opt=n, D_opt=d)
    at_least(2, c.size, "budgets", name="C")
    with renamed("fit_allocation", C=c, N_opt=n, D_opt=d):
        return AllocationFit(fit_power_law(c, n), fit_power_law(c, d))


@representable
def isoflop_bootstrap(
    runs: pd.DataFrame,
    budgets: ArrayLike = ISOFLOP_BUDGETS,
    rtol: float = 0.07,
    n_resamples: int = 1000,
    seed: int = 0,
    fraction: float = 1.0,
) -> pd.DataFrame:
    """Bootstrap Approach 2: resample runs within each budget, redo the parabolas and the power laws.

    Parameters
    ----------
    runs, budgets, rtol
        As in :func:`isoflop_profiles`.
    n_resamples
        Number of resamples.
    seed
        Seed of :func:`numpy.random.default_rng`.
    fraction
        Resample size per budget as a fraction of its runs (Hoffmann et al.: 80 % of the data).

    Returns
    -------
    pandas.DataFrame
        One row per resample in which at least two budgets have a convex profile, columns ``a``
        and ``b``.

    Raises
    ------
    TypeError, ValueError
        As :func:`select_isoflop_runs`; ``n_resamples`` or ``seed`` not a whole number (>= 1,
        >= 0); ``fraction`` not in (0, 1]; fewer than two budgets with three or more sizes; or
        no resample with two convex profiles.
    """
    sel = select_isoflop_runs(runs, budgets, rtol)
    n_resamples = whole(n_resamples, "n_resamples", minimum=1)
    seed = whole(seed, "seed", minimum=0)
    fraction = float(in_range(fraction, "fraction", 0.0, 1.0, low_open=True, scalar=True))
    rng = np.random.default_rng(seed)
    groups = [(b, np.log(g["N"].to_numpy()), g["loss"].to_numpy()) for b, g in _profile_groups(sel)]
    at_least(2, len(groups), "budgets with runs of three or more distinct sizes (within rtol)", name="runs")
    logc = np.log([g[0] for g in groups])
    out = np.full((n_resamples, 2), np.nan)
    for k in range(n_resamples):
        xs = np.full(len(groups), np.nan)
        for j, (_, x, loss) in enumerate(groups):
            m = max(int(round(fraction * x.size)), 3)
            idx = rng.integers(0, x.size, m)
            if np.unique(x[idx]).size < 3:
                continue
            xs[j] = _parabola_minimum(x[idx], loss[idx])[0]
        ok = np.isfinite(xs)
        if ok.sum() < 2:
            continue
        a = np.polyfit(logc[ok], xs[ok], 1)[0]
        out[k] = a, 1.0 - a  # D_opt = C / (6 N_opt), so b = 1 - a exactly
    result = pd.DataFrame(out, columns=["a", "b"]).dropna().reset_index(drop=True)
    if result.empty:
        raise ValueError(
            f"runs: none of the {n_resamples} resamples had two budgets with a convex IsoFLOP profile; "
            "runs must have convex profiles (or use a larger `fraction`)"
        )
    return result


# ------------------------------------------------------------------ Approach 1
@representable(positive=True)
def envelope(runs: pd.DataFrame, n_grid: int = 30) -> pd.DataFrame:
    """Approach 1: the smallest loss over model sizes at each compute, and who reaches it.

    Each model size's final losses at its several budgets are joined into a
    loss-versus-compute curve (linear interpolation in ``log C``); on a grid of
    computes spanning the budgets, the envelope is the minimum over sizes.

    Parameters
    ----------
    runs
        Columns ``N`` (parameters), ``budget`` (FLOPs), ``tokens`` and ``loss``, several
        budgets per size (e.g. one setting of :func:`scaling.datasets.porian_runs`).
    n_grid
        Number of log-spaced computes between the smallest and largest budget.

    Returns
    -------
    pandas.DataFrame
        Columns ``C`` (FLOPs), ``N_opt`` (the size on the envelope), ``D_opt`` (tokens,
        ``C / 6 N_opt``) and ``loss`` (nats per token).

    Raises
    ------
    TypeError, ValueError
        ``runs`` not a DataFrame, a column missing or holding a value that is not finite and
        positive, ``n_grid`` not a whole number >= 2, or fewer than two sizes with two budgets.
    """
    frame(runs, "runs", {"N": "positive", "budget": "positive", "loss": "positive"})
    n_grid = whole(n_grid, "n_grid", minimum=2)
    curves = []
    for n, g in runs.groupby("N", sort=True):
        g = g.groupby("budget", as_index=False)["loss"].min().sort_values("budget")
        if len(g) >= 2:
            curves.append((float(n), np.log(g["budget"].to_numpy()), g["loss"].to_numpy()))
    at_least(2, len(curves), "model sizes with two or more budgets", name="runs")
    lo = min(c[1][0] for c in curves)
    hi = max(c[1][-1] for c in curves)
    grid = np.linspace(lo, hi, n_grid)
    L = np.full((len(curves), n_grid), np.inf)
    for i, (_, lc, loss) in enumerate(curves):
        inside = (grid >= lc[0]) & (grid <= lc[-1])
        L[i, inside] = np.interp(grid[inside], lc, loss)
    best = L.argmin(axis=0)
    ok = np.isfinite(L[best, np.arange(n_grid)])
    sizes = np.array([c[0] for c in curves])
    C = np.exp(grid[ok])
    n_opt = sizes[best[ok]]
    return pd.DataFrame({"C": C, "N_opt": n_opt, "D_opt": C / (6 * n_opt), "loss": L[best, np.arange(n_grid)][ok]})


def setting_exponents(runs: pd.DataFrame, window: int = 5) -> pd.DataFrame:
    """The IsoFLOP exponent ``a`` of ``N_opt ∝ C**a`` for each setting of a Porian et al. sweep.

    Per setting and budget, a parabola in ``log N`` is fitted to the ``window`` runs
    nearest (in ``log N``) to the lowest loss, its vertex gives ``N_opt``; then
    ``N_opt ∝ C**a`` is fitted across budgets.

    Parameters
    ----------
    runs
        :func:`scaling.datasets.porian_runs` output (columns ``setting, budget, N, loss``).
    window
        Runs used per parabola (>= 3).

    Returns
    -------
    pandas.DataFrame
        One row per setting: ``setting``, ``a`` (exponent), ``a_se`` (its standard error;
        NaN for a setting with exactly two budgets, where a line through two points has none)
        and ``n_budgets``.

    Raises
    ------
    TypeError, ValueError
        ``runs`` not a DataFrame, a column missing or holding a bad value, ``window`` not a
        whole number >= 3, or a setting with fewer than two budgets of three or more runs.
    """
    window = whole(window, "window")
    if window < 3:
        raise ValueError(f"window must be >= 3 runs (a parabola has three coefficients), got {window}")
    frame(runs, "runs", {"setting": "any", "budget": "positive", "N": "positive", "loss": "positive"})
    rows = []
    for setting, s in runs.groupby("setting", sort=False):
        cs, ns = [], []
        for budget, g in s.groupby("budget", sort=True):
            if len(g) < 3:
                continue
            x = np.log(g["N"].to_numpy())
            loss = g["loss"].to_numpy()
            near = np.argsort(np.abs(x - x[loss.argmin()]), kind="stable")[:window]
            xv, _, _ = _parabola_minimum(x[near], loss[near])
            if not (math.isfinite(xv) and x[near].min() <= xv <= x[near].max()):
                xv = float(x[loss.argmin()])  # no interior vertex: fall back on the best run
            cs.append(float(budget))
            ns.append(math.exp(xv))
        if np.unique(cs).size < 2:
            raise ValueError(
                f"runs: setting {setting!r} has {len(cs)} budget(s) with three or more runs, but each setting "
                "must have at least two to fit N_opt ∝ C**a"
            )
        fit = fit_power_law(cs, ns)
        rows.append({"setting": setting, "a": fit.exponent, "a_se": fit.exponent_se, "n_budgets": len(cs)})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ tables
@representable(positive=True)
def allocation_table(N: ArrayLike, allocation: ChinchillaLaw | AllocationFit) -> pd.DataFrame:
    """Table 3 / Table A3: for each model size, the budget at which it is optimal and its tokens.

    Parameters
    ----------
    N
        Model sizes (parameters).
    allocation
        A :class:`~scaling.laws.ChinchillaLaw` (Approach 3, eq. 4) or an
        :class:`AllocationFit` (Approaches 1 and 2: ``N_opt = k C**a`` inverted).

    Returns
    -------
    pandas.DataFrame
        Columns ``N`` (parameters), ``FLOPs`` and ``tokens`` (``FLOPs / 6N``).

    Raises
    ------
    TypeError
        If ``N`` is not numeric or ``allocation`` is neither kind.
    ValueError
        If ``N`` is not finite and positive, or a budget is outside the range of double precision.
    """
    n = positive(N, "N").ravel()
    instance(allocation, "allocation", (ChinchillaLaw, AllocationFit))
    c = np.asarray(allocation.compute_for_params(n), dtype=float).ravel()
    return pd.DataFrame({"N": n, "FLOPs": c, "tokens": c / (6.0 * n)})


# ------------------------------------------------------------------ goodness of fit
@representable
def log_residuals(law: ChinchillaLaw, N: ArrayLike, D: ArrayLike, L: ArrayLike) -> NDArray[np.float64]:
    """``log L_i - log law(N_i, D_i)``: the residuals the Huber loss sees (dimensionless).

    ``N``, ``D`` and ``L`` (nats per token) are finite and positive, of the same shape;
    ``law`` a :class:`~scaling.laws.ChinchillaLaw`.
    """
    law = instance(law, "law", ChinchillaLaw)
    n, d, loss = positive(N, "N"), positive(D, "D"), positive(L, "L")
    same_shape(N=n, D=d, L=loss)
    return np.log(loss) - np.log(np.asarray(law.loss(n, d)))


@dataclass(frozen=True)
class LikelihoodRatio:
    """Result of :func:`likelihood_ratio_test`.

    Attributes
    ----------
    statistic
        ``Lambda = 2 (loglik_alt - loglik_null)``.
    df
        Degrees of freedom of the chi-squared reference (5: the five fixed parameters).
    p_value
        ``P(chi2_df > Lambda)``.
    sigma_null, sigma_alt
        Maximum-likelihood residual scales (RMS of the log-residuals) under each law.
    mean_null, mean_alt
        Mean log-residual under each law (a good fit has mean near 0).
    n
        Number of runs.
    """

    statistic: float
    df: int
    p_value: float
    sigma_null: float
    sigma_alt: float
    mean_null: float
    mean_alt: float
    n: int


@representable
def likelihood_ratio_test(
    null: ChinchillaLaw, alternative: ChinchillaLaw, N: ArrayLike, D: ArrayLike, L: ArrayLike, df: int = 5
) -> LikelihoodRatio:
    """Likelihood-ratio test of a fixed law (``null``) against a fitted one, as in Besiroglu et al.

    The log-residuals are modelled as independent normal with a common scale,
    profiled out (``sigma**2`` = mean squared residual), so
    ``Lambda = n log(sigma_null**2 / sigma_alt**2)``, compared with a chi-squared
    of ``df`` degrees of freedom (the five parameters that the null fixes). The
    alternative here is the Huber fit, not the normal maximum-likelihood fit; the
    latter would have an even smaller ``sigma_alt``, so ``Lambda`` is a lower
    bound and the test errs on the side of not rejecting.

    Raises
    ------
    TypeError, ValueError
        Laws that are not :class:`~scaling.laws.ChinchillaLaw`, bad runs (as
        :func:`log_residuals`), ``df`` not a whole number >= 1, fewer than ``df + 2`` runs, or a
        law that fits the runs exactly (residual scale 0, so the ratio is infinite or undefined).
    """
    instance(null, "null", ChinchillaLaw)
    instance(alternative, "alternative", ChinchillaLaw)
    df = whole(df, "df", minimum=1)
    r0 = log_residuals(null, N, D, L).ravel()
    r1 = log_residuals(alternative, N, D, L).ravel()
    n = r0.size
    at_least(df + 2, n, f"runs for a test with df={df}", name="N")
    log_s = []
    for name, r in (("null", r0), ("alternative", r1)):
        m = float(np.max(np.abs(r)))
        if m == 0:
            raise ValueError(
                f"{name} fits the runs exactly (every log-residual is 0): the likelihood ratio is undefined; "
                f"{name} must leave some scatter, as fitted laws do on real runs"
            )
        log_s.append(2.0 * math.log(m) + math.log(float(np.mean((r / m) ** 2))))  # ln mean(r**2), scaled
    lam = n * (log_s[0] - log_s[1])
    return LikelihoodRatio(
        statistic=lam,
        df=df,
        p_value=float(stats.chi2.sf(lam, df)),
        sigma_null=math.exp(0.5 * log_s[0]),
        sigma_alt=math.exp(0.5 * log_s[1]),
        mean_null=float(r0.mean()),
        mean_alt=float(r1.mean()),
        n=n,
    )


@representable(positive=True)
def runs_needed(width: float, target_width: float, n_runs: int) -> float:
    """Runs needed to shrink an interval of ``width`` (from ``n_runs`` runs) to ``target_width``.

    Bootstrap intervals narrow like ``1 / sqrt(n)``, so ``n_needed = n_runs (width / target_width)**2``.

    ``width`` and ``target_width`` are positive numbers, ``n_runs`` a whole number >= 1.
    """
    w = float(positive(width, "width", scalar=True))
    t = float(positive(target_width, "target_width", scalar=True))
    n = whole(n_runs, "n_runs", minimum=1)
    return float(np.float64(n) * (w / t) ** 2)



# ------------------------------------------------------------------ Porian et al.'s estimator
# Kept apart from the functions above (appended, not merged into them): the spline-and-bootstrap
# estimator that Porian et al. (2024) use for the optimal size at each budget of their sweeps.

SPLINE_POINTS_PER_GAP: int = 25
"""Grid points per gap between sampled sizes: a budget with ``k`` sizes is searched on
``25 (k - 1)`` log-spaced sizes (Porian et al.'s ``interp_num_multiplier``)."""

SPLINE_MIN_SD_STEPS: float = 0.33 * SPLINE_POINTS_PER_GAP
"""Floor of the bootstrap standard deviation of ``ln N_opt``, in grid steps (their
``min_std_factor * interp_num_multiplier``): about a third of the mean gap between sampled sizes."""

PORIAN_SEED_NOISE: dict[str, float] = {"rw": 0.002, "owt2": 0.01}
"""Seed-to-seed standard deviation of a loss reading (nats), by data set, as Porian et al. model it.

Their model lets the standard deviation grow with the loss, but it compares ``ln L`` with 3 and 7:
below ``L = e**3 ≈ 20`` nats it is the constant low value, which covers every loss in their files
(all below 8). So it is a constant: 0.002 nats on RefinedWeb, 0.01 on OpenWebText2."""

PORIAN_LEVEL: float = 0.95
"""Level of Porian et al.'s bootstrap intervals (their 2.5th and 97.5th percentiles)."""


@dataclass(frozen=True)
class SplineOptimaFit:
    """Compute-optimal sizes from spline minima with a seed-noise bootstrap, and ``N_opt = k C**a``.

    The result of :func:`fit_spline_optima`. Budgets (``C``) are in FLOPs, sizes in parameters.

    Attributes
    ----------
    setting, loss
        The setting's label and which loss its readings are (``"train"``: smoothed training
        loss, ``"val"``: validation loss); empty for data not from Porian et al.'s files.
    budgets
        The budgets of the point fit: those whose spline minimum lies strictly inside the
        sampled sizes, both without noise and in at least half of the noisy resamples.
    N_opt
        Per budget of ``budgets``, the median of the resampled optima (the observation fitted).
    log_sd
        Per budget, the standard deviation of ``ln N_opt`` over the resamples (floored and
        inflated for the resamples lost at the edge); the weight of a budget is ``1 / log_sd**2``.
    exponent, coefficient
        The weighted least-squares fit ``ln N_opt = ln coefficient + exponent ln C``.
    boot_budgets
        The budgets entering the bootstrap fits (at least half of their resamples have an
        interior minimum; Porian et al. do not also require the noise-free minimum to be interior).
    boot_exponent, boot_coefficient
        The same weighted fit on each resample (one resampled optimum per budget).
    """

    setting: str
    loss: str
    budgets: NDArray[np.float64]
    N_opt: NDArray[np.float64]
    log_sd: NDArray[np.float64]
    exponent: float
    coefficient: float
    boot_budgets: NDArray[np.float64]
    boot_exponent: NDArray[np.float64]
    boot_coefficient: NDArray[np.float64]

    @property
    def n_budgets(self) -> int:
        """Number of budgets in the point fit."""
        return int(self.budgets.size)

    @property
    def token_exponent(self) -> float:
        """``b`` of ``D_opt ∝ C**b``: ``1 - a``, since every reading has ``D = C / (6 N)``."""
        return 1.0 - self.exponent

    def exponent_interval(self, level: float = PORIAN_LEVEL) -> tuple[float, float]:
        """Percentile interval of the exponent ``a`` over the resamples (two-sided, ``level``)."""
        return _percentiles(self.boot_exponent, level)

    def token_exponent_interval(self, level: float = PORIAN_LEVEL) -> tuple[float, float]:
        """Percentile interval of ``b = 1 - a`` over the resamples."""
        lo, hi = self.exponent_interval(level)
        return 1.0 - hi, 1.0 - lo

    @representable(positive=True)
    def N_opt_at(self, C: float, level: float = PORIAN_LEVEL) -> tuple[float, float, float]:
        """The fitted optimal size at budget ``C`` (FLOPs) and its percentile interval: ``(N, lo, hi)``."""
        c = _one_budget(C)
        lo, hi = _percentiles(self.boot_coefficient * c**self.boot_exponent, level)
        return float(self.coefficient * c**self.exponent), lo, hi

    @representable(positive=True)
    def tokens_per_parameter_at(self, C: float, level: float = PORIAN_LEVEL) -> tuple[float, float, float]:
        """``D_opt / N_opt = C / (6 N_opt**2)`` at budget ``C`` and its interval: ``(ratio, lo, hi)``."""
        c = _one_budget(C)
        n, lo, hi = self.N_opt_at(c, level)
        sizes = np.array([n, hi, lo])
        with np.errstate(over="ignore", under="ignore"):  # n * n may leave the double range; the ratio not
            direct = c / (6.0 * sizes * sizes)
        ratio = exact_or_log(direct, lambda: math.log(c) - math.log(6.0) - 2.0 * np.log(sizes), sizes * sizes)
        return float(ratio[0]), float(ratio[1]), float(ratio[2])


def _one_budget(C: float) -> float:
    c = positive(C, "C")
    if c.size != 1:
        raise ValueError(f"C must be one budget in FLOPs, got an array of shape {c.shape}")
    return float(c.ravel()[0])


def _check_level(level: float) -> float:
    return float(in_range(level, "level", 0.0, 1.0, low_open=True, high_open=True, scalar=True,
                          meaning="the coverage of the two-sided interval"))


def _percentiles(values: NDArray[np.float64], level: float) -> tuple[float, float]:
    lv = _check_level(level)
    lo, hi = np.quantile(values, [(1.0 - lv) / 2.0, (1.0 + lv) / 2.0])  # linear, as Porian et al.
    return float(lo), float(hi)


def _whole(value: object, name: str, minimum: int) -> int:
    """A whole number >= ``minimum``, given as an integer (a float such as 100.0 is refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number >= {minimum} (an integer), got {show(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {show(value)}")
    return int(value)


def _weighted_lines(
    x: NDArray[np.float64], Y: NDArray[np.float64], w: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Weighted least-squares lines ``Y[:, j] = c_j + s_j x`` for every column: ``(s, c)``."""
    w = w / w.sum()
    xm = w @ x
    dx = x - xm
    slope = ((w * dx) @ Y) / (w @ (dx * dx))
    return slope, w @ Y - slope * xm


def _spline_minima(
    n: NDArray[np.float64], loss: NDArray[np.float64], noise_sd: float, n_resamples: int, rng: np.random.Generator
) -> tuple[bool, NDArray[np.float64], float]:
    """One budget: the noise-free and the resampled spline minima over ``ln N``.

    Returns ``(central_inside, stars, step)``: whether the noise-free minimum is interior, the
    ``ln N`` of the interior resampled minima (in draw order) and the grid step in ``ln N``.
    """
    x = np.log(n)
    grid = np.linspace(x[0], x[-1], SPLINE_POINTS_PER_GAP * (x.size - 1))
    with np.errstate(over="ignore"):  # a noise beyond the double range is refused just below
        noisy = loss[:, None] + noise_sd * rng.standard_normal((x.size, n_resamples))
    if not ((noisy > 0) & np.isfinite(noisy)).all():
        raise ValueError(
            f"noise_sd = {noise_sd:g} nats makes some resampled losses <= 0 (smallest loss {loss.min():g}); "
            f"the seed noise must be small against the losses"
        )
    # column 0: the readings without noise; one spline per column, all evaluated at once
    ys = np.log(np.column_stack([loss, noisy]))
    idx = Akima1DInterpolator(x, ys, axis=0)(grid).argmin(axis=0)
    central, idx = idx[0], idx[1:]
    inside = (idx > 0) & (idx < grid.size - 1)
    return bool(0 < central < grid.size - 1), grid[idx[inside]], float(grid[1] - grid[0])


def fit_spline_optima(
    runs: pd.DataFrame,
    noise_sd: float,
    n_resamples: int = 1000,
    seed: int = 0,
    *,
    setting: str = "",
    loss: str = "",
) -> SplineOptimaFit:
    """Porian et al.'s estimator of ``N_opt ∝ C**a`` from IsoFLOP readings of one setting.

    Per budget: an Akima spline of ``ln L`` against ``ln N`` through the readings, its minimum
    on a grid of ``25 (k - 1)`` log-spaced sizes between the smallest and largest of the ``k``
    sizes; a bootstrap that adds Gaussian seed noise of ``noise_sd`` nats to every reading and
    takes the minimum again, ``n_resamples`` times. A minimum on the first or last grid point is
    not an optimum (the runs do not bracket it): a budget is dropped when more than half of its
    resamples end there, and left out of the point fit also when the noise-free minimum does.
    The observation per budget is the median resampled optimum, weighted by ``1 / sd**2`` where
    ``sd`` is the standard deviation of ``ln N_opt`` over the interior resamples, floored at a
    third of the mean gap between sampled sizes and multiplied by ``n_resamples / interior``.
    The interval comes from refitting with the ``i``-th interior resample of every budget.

    Parameters
    ----------
    runs
        One setting's readings: columns ``budget`` (FLOPs), ``N`` (parameters) and ``loss``
        (nats per token), e.g. one setting of :func:`scaling.datasets.porian_runs`. A budget
        needs three sizes; repeated sizes keep their lowest loss.
    noise_sd
        Standard deviation of the seed noise added to a loss, nats (see :data:`PORIAN_SEED_NOISE`).
    n_resamples
        Noisy resamples per budget (Porian et al.: 1000); at least 20.
    seed
        Seed of :func:`numpy.random.default_rng`; the result is a deterministic function of it.
    setting, loss
        Labels carried into the result.

    Returns
    -------
    SplineOptimaFit

    Raises
    ------
    ValueError
        Missing columns, non-positive or non-finite values, a noise too large for the losses,
        or fewer than two budgets with an interior optimum.
    TypeError
        Non-numeric values, a boolean or fractional ``n_resamples`` or ``seed``.
    """
    frame(runs, "runs", {"budget": "positive", "N": "positive", "loss": "positive"})
    sd = positive(noise_sd, "noise_sd", scalar=True)
    n_resamples = _whole(n_resamples, "n_resamples", 20)
    seed = _whole(seed, "seed", 0)
    text(setting, "setting")
    text(loss, "loss")
    budget, N, L = (runs[c].to_numpy(dtype=float) for c in ("budget", "N", "loss"))
    table = pd.DataFrame({"budget": budget, "N": N, "loss": L}).groupby(["budget", "N"], as_index=False)["loss"].min()

    rng = np.random.default_rng(seed)
    point_c, point_x, point_sd, boot_c, boot_sd, boot_x = [], [], [], [], [], []
    for c, g in table.groupby("budget", sort=True):
        if len(g) < 3:
            continue
        central_inside, stars, step = _spline_minima(
            g["N"].to_numpy(), g["loss"].to_numpy(), float(sd.ravel()[0]), n_resamples, rng
        )
        if stars.size < n_resamples // 2:
            continue
        log_sd = max(float(np.std(stars)), SPLINE_MIN_SD_STEPS * step) * n_resamples / stars.size
        boot_c.append(float(c))
        boot_sd.append(log_sd)
        boot_x.append(stars)
        if central_inside:
            point_c.append(float(c))
            point_x.append(float(np.median(stars)))
            point_sd.append(log_sd)
    at_least(2, len(point_c), "budgets whose spline minimum lies inside the sampled sizes")
    at_least(2, len(boot_c), "budgets with interior resampled minima")

    pc, psd = np.array(point_c), np.array(point_sd)
    slope, icept = _weighted_lines(np.log(pc), np.array(point_x)[:, None], psd**-2)
    m = min(s.size for s in boot_x)
    bc, bsd = np.array(boot_c), np.array(boot_sd)
    bslope, bicept = _weighted_lines(np.log(bc), np.stack([s[:m] for s in boot_x]), bsd**-2)
    return SplineOptimaFit(
        setting=setting,
        loss=loss,
        budgets=pc,
        N_opt=np.exp(np.array(point_x)),
        log_sd=psd,
        exponent=float(slope[0]),
        coefficient=float(np.exp(icept[0])),
        boot_budgets=bc,
        boot_exponent=bslope,
        boot_coefficient=np.exp(bicept),
    )


def _porian_which(which: object) -> str:
    from .datasets import PORIAN_FILES

    if not isinstance(which, str) or which not in PORIAN_FILES:
        raise ValueError(f"which must be one of {', '.join(repr(k) for k in PORIAN_FILES)}; got {which!r}")
    return which


@lru_cache(maxsize=None)
def _porian_fits_cached(which: str, n_resamples: int, seed: int) -> tuple[SplineOptimaFit, ...]:
    from .datasets import DataError, _porian_raw, _setting_label, porian_runs

    raw = _porian_raw(which)
    if "val" not in raw.columns:
        raise DataError(f"the Porian et al. file {which!r} lacks the column 'val' (which loss each setting reads)")
    runs = porian_runs(which)
    fits = []
    for _, row in raw.iterrows():
        label, dataset, kind = _setting_label(row), str(row["dataset"]), str(row["val"])
        if dataset not in PORIAN_SEED_NOISE or kind not in ("train", "val"):
            raise DataError(f"unexpected setting {label!r} (data set {dataset!r}, loss {kind!r}) in {which!r}")
        fit = fit_spline_optima(
            runs[runs["setting"] == label], PORIAN_SEED_NOISE[dataset], n_resamples, seed, setting=label, loss=kind
        )
        for arr in (fit.budgets, fit.N_opt, fit.log_sd, fit.boot_budgets, fit.boot_exponent, fit.boot_coefficient):
            arr.flags.writeable = False  # cached and shared: keep it unchanged
        fits.append(fit)
    return tuple(fits)


def porian_fits(which: str, n_resamples: int = 1000, seed: int = 0) -> tuple[SplineOptimaFit, ...]:
    """:func:`fit_spline_optima` on every setting of one Porian et al. file, in the file's order.

    Parameters
    ----------
    which
        ``"rw"`` (RefinedWeb, Kaplan's set-up then the corrections), ``"owt2"`` (the same on
        OpenWebText2), ``"rw_attention"`` (attention FLOPs counted) or ``"rw_kaplan_tuned"``
        (Kaplan's count, tuned hyperparameters): the keys of :data:`scaling.datasets.PORIAN_FILES`.
    n_resamples, seed
        As in :func:`fit_spline_optima`; the seed noise is :data:`PORIAN_SEED_NOISE` of the data set.
        Results are cached per ``(which, n_resamples, seed)``.
    """
    which = _porian_which(which)
    return _porian_fits_cached(which, _whole(n_resamples, "n_resamples", 20), _whole(seed, "seed", 0))


def porian_exponents(which: str, n_resamples: int = 1000, seed: int = 0) -> pd.DataFrame:
    """The exponents of ``N_opt ∝ C**a`` and ``D_opt ∝ C**b`` of every setting, by Porian et al.'s method.

    Parameters
    ----------
    which
        ``"rw"``, ``"owt2"``, ``"rw_attention"`` or ``"rw_kaplan_tuned"`` (see :func:`porian_fits`).
    n_resamples, seed
        Noisy resamples per budget and the seed of the bootstrap.

    Returns
    -------
    pandas.DataFrame
        One row per setting in the file's order: ``setting``, ``loss`` (``"train"``: smoothed
        training loss, ``"val"``: validation loss), ``a`` with its 95 % bootstrap interval
        ``a_lo``, ``a_hi``; ``b = 1 - a`` with ``b_lo``, ``b_hi``; ``n_budgets`` (budgets in the fit).

    Raises
    ------
    ValueError
        An unknown ``which`` (the message lists the valid names).
    """
    rows = []
    for f in porian_fits(which, n_resamples, seed):
        a_lo, a_hi = f.exponent_interval()
        b_lo, b_hi = f.token_exponent_interval()
        rows.append(
            {
                "setting": f.setting,
                "loss": f.loss,
                "a": f.exponent,
                "a_lo": a_lo,
                "a_hi": a_hi,
                "b": f.token_exponent,
                "b_lo": b_lo,
                "b_hi": b_hi,
                "n_budgets": f.n_budgets,
            }
        )
    return pd.DataFrame(rows, columns=["setting", "loss", "a", "a_lo", "a_hi", "b", "b_lo", "b_hi", "n_budgets"])


@representable
def porian_file_exponents(which: str, C: float = 5.76e23) -> pd.DataFrame:
    """What Porian et al.'s own code reported for every setting, read from the fits stored in their file.

    Their point estimate is the weighted fit of the median resampled optima
    (``fit_results['bs_median_weighted']``), their interval the 2.5th and 97.5th percentiles
    of the weighted resample fits (``fit_results['bootstrap_weighted']``), as their
    ``paper_tables.py`` computes them. Running their code on the readings stored in the same
    file, with their seed, reproduces these numbers to 1e-13.

    Parameters
    ----------
    which
        As in :func:`porian_exponents`.
    C
        A budget (FLOPs) at which to report their ``N_opt`` and its interval (default: Chinchilla's).

    Returns
    -------
    pandas.DataFrame
        Columns ``setting``, ``loss``, ``a``, ``a_lo``, ``a_hi``, ``b``, ``b_lo``, ``b_hi``
        (their token fit, from noise drawn separately), ``n_budgets`` and ``N_C``, ``N_C_lo``,
        ``N_C_hi`` (``N_opt`` at ``C``).
    """
    from .datasets import DataError, _porian_raw, _setting_label

    which = _porian_which(which)
    c = _one_budget(C)
    raw = _porian_raw(which)
    rows = []
    for _, row in raw.iterrows():
        try:
            fr = row["fit_results"]
            point = fr["bs_median_weighted"]
            boot = [d for d in fr["bootstrap_weighted"] if "n_coef" in d]
            a_b = np.array([d["n_exponent"] for d in boot], dtype=float)
            b_b = np.array([d["t_exponent"] for d in boot], dtype=float)
            k_b = np.array([d["n_coef"] for d in boot], dtype=float)
            a, k, b = float(point["n_exponent"]), float(point["n_coef"]), float(point["t_exponent"])
        except (KeyError, TypeError) as exc:
            raise DataError(f"the fits stored in the Porian et al. file {which!r} lack {exc}") from exc
        a_lo, a_hi = _percentiles(a_b, PORIAN_LEVEL)
        b_lo, b_hi = _percentiles(b_b, PORIAN_LEVEL)
        n_lo, n_hi = _percentiles(k_b * c**a_b, PORIAN_LEVEL)
        pairs = row["optimal_pairs"]
        rows.append(
            {
                "setting": _setting_label(row),
                "loss": str(row["val"]),
                "a": a,
                "a_lo": a_lo,
                "a_hi": a_hi,
                "b": b,
                "b_lo": b_lo,
                "b_hi": b_hi,
                "n_budgets": int(pd.to_numeric(pairs["n"], errors="coerce").notna().sum()),
                "N_C": k * c**a,
                "N_C_lo": n_lo,
                "N_C_hi": n_hi,
            }
        )
    return pd.DataFrame(rows)

