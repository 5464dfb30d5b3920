"""The lab's scaling law, measured from its own runs (Part IV): NumPy, pandas and SciPy only.

The lab (:mod:`scaling.lab`) trains small byte-level transformers and ships its runs in
``data/lab/`` (``sweep.csv``: the IsoFLOP sweep; ``rerun.csv``: one configuration of it
trained again; ``sweep_rerun.csv``: the whole sweep trained again, on the idle machine).
This module reads them, checked, and measures on them what Parts I and II measured on the
papers' runs, with the same estimators:

* the IsoFLOP profiles and their optima: Hoffmann et al.'s parabola
  (:func:`scaling.chinchilla.isoflop_profiles`) and Porian et al.'s spline with a
  seed-noise bootstrap (:func:`scaling.chinchilla.fit_spline_optima`), the bootstrap fed
  with the seed noise measured on the lab's own repeated runs (:func:`seed_noise`);
* ``N_opt ∝ C**a`` and ``D_opt ∝ C**b`` with percentile intervals (:func:`fit_exponents`);
* the loss frontier, against Kaplan et al.'s ``L(C_min)`` (:func:`frontier`);
* the throughput (:func:`throughput`).

Nothing here imports PyTorch: the book builds Part IV from the shipped files alone.

Units: ``N`` is Kaplan's non-embedding parameter count; ``D`` tokens, which are bytes
(the lab's tokenizer is the byte); ``C`` FLOPs counted as the lab counts them,
``(6 N + 6 n_layer n_ctx d_model) D`` (:mod:`scaling.lab.plan`); losses in nats per byte.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from ._validate import at_least, broadcast_shape, frame, in_range, positive, representable, text, whole
from .chinchilla import PORIAN_LEVEL, SplineOptimaFit, fit_spline_optima, isoflop_profiles
from .datasets import ChecksumMismatchError, DataFileMissingError, DataFileUnreadableError
from .lab import plan
from .lab.results import read_results
from .powerlaw import PowerLawFit, fit_power_law
from .published import DATA_DIR

__all__ = [
    "LAB_FILES",
    "MATMUL_FLOPS_PER_THREAD",
    "load_runs",
    "profile_runs",
    "tokens_at",
    "seed_noise",
    "pooled_seed_noise",
    "parabola_optima",
    "LabExponents",
    "fit_exponents",
    "frontier",
    "throughput",
]

LAB_FILES: dict[str, str] = {
    "sweep.csv": "00cbdf165f36d9b0931c52b8696488c17e3d7ef72b4be33879cdbcadd55b1f69",
    "rerun.csv": "e32003097f763ed2fa6a2e3356ef7cdab889ad1526a163837a499e47f0756868",
    "sweep_rerun.csv": "9aec651fc4884b93776b2b117c4a77fcae685c3dd72d7f84f0737164bbc4558d",
}
"""The shipped lab results under ``data/lab/`` and their SHA-256 (how each was made: ``data/lab/README.md``)."""

MATMUL_FLOPS_PER_THREAD: float = 175e9
"""The sweep machine's float32 matrix-multiply rate on one thread, FLOP/s: a 1024^3 product timed by
``make benchmark`` (``benchmarks/bench_lab.py``) on the 2-core Intel Xeon that ran the sweep
(``data/lab/README.md``). The practical peak a run on one thread can approach."""

_PROFILE_COLUMNS = ["budget", "d_model", "N", "D", "C", "loss", "seed", "epochs"]


def load_runs(name: str = "sweep.csv") -> pd.DataFrame:
    """One of the lab's shipped results files, its SHA-256 checked before anything is read.

    Parameters
    ----------
    name
        A key of :data:`LAB_FILES` (``"sweep.csv"``: the IsoFLOP sweep; ``"rerun.csv"``: one of
        its configurations trained again, later, in another process; ``"sweep_rerun.csv"``: the
        whole sweep trained again with the same command, on the same machine when it was idle).

    Returns
    -------
    pandas.DataFrame
        One row per run, the columns of :data:`scaling.lab.results.COLUMNS` (losses in nats
        per byte, ``N`` non-embedding parameters, ``D`` tokens = bytes, ``C`` FLOPs).

    Raises
    ------
    ValueError
        ``name`` is not a shipped file (the message lists them).
    scaling.datasets.DataFileMissingError, scaling.datasets.DataFileUnreadableError
        The file is not in ``data/lab/`` of the repository (install from a clone) or cannot be read.
    scaling.datasets.ChecksumMismatchError
        The file's SHA-256 is not the shipped one: it was changed (restore it with ``git checkout``).
    """
    name = text(name, "name", choices=LAB_FILES)
    path = Path(DATA_DIR) / "lab" / name
    if not path.is_file():
        raise DataFileMissingError(
            f"the lab's results file {name} is not at {path}: it ships with the repository's data/lab/ "
            f"folder; install the package from a clone (pip install -e .)"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataFileUnreadableError(f"the lab's results file {path} cannot be read: {exc}") from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != LAB_FILES[name]:
        raise ChecksumMismatchError(
            f"the lab's results file {path} has SHA-256 {actual}, expected {LAB_FILES[name]}: it is not "
            f"the shipped file. Restore it (git checkout -- data/lab/{name}); put runs of your own in "
            f"another file and read it with scaling.lab.results.read_results"
        )
    return read_results(path)


@representable
def profile_runs(runs: pd.DataFrame, seed: int | None = 0) -> pd.DataFrame:
    """The runs of an IsoFLOP sweep as the Part II estimators take them.

    Parameters
    ----------
    runs
        A lab results table (:func:`load_runs`, :func:`scaling.lab.results.read_results`):
        columns ``budget`` (FLOPs), ``N``, ``D``, ``C``, ``val_loss`` (nats per byte),
        ``seed``, ``d_model`` and ``epochs``.
    seed
        Keep the runs of this seed only (0: one run per size at every budget, the same design
        at each budget), or None for all seeds.

    Returns
    -------
    pandas.DataFrame
        Columns ``budget``, ``d_model``, ``N``, ``D``, ``C``, ``loss`` (the held-out loss,
        nats per byte), ``seed``, ``epochs``, sorted by budget and size.

    Raises
    ------
    ValueError, TypeError
        Missing columns or values that are not finite and positive; no run of ``seed``.
    """
    frame(runs, "runs", {"budget": "positive", "N": "positive", "D": "positive", "C": "positive",
                         "val_loss": "positive", "seed": "finite", "d_model": "positive",
                         "epochs": "positive"})
    out = runs.rename(columns={"val_loss": "loss"})
    if seed is not None:
        seed = whole(seed, "seed", minimum=0)
        out = out[out["seed"] == seed]
        if out.empty:
            raise ValueError(f"seed: no run of seed {seed} in runs (seeds there: {sorted(set(runs['seed']))})")
    return out[_PROFILE_COLUMNS].sort_values(["budget", "N", "seed"]).reset_index(drop=True)


@representable(positive=True)
def tokens_at(C: ArrayLike, N: ArrayLike) -> NDArray[np.float64] | float:
    """Tokens a model of the lab's family trains on at a budget: ``C / (6 N + 6 L n_ctx d_model)``.

    The lab's accounting (:mod:`scaling.lab.plan`), with the family's depth ``L`` = 2 and
    context 128, and ``d_model = sqrt(N / (12 L))`` (continuous in ``N``, so that it applies
    to a fitted optimum between the family's widths). At this scale the context term is
    8-25 % of the cost of a token, so ``D`` is well below ``C / (6 N)``.

    Parameters
    ----------
    C
        Compute, FLOPs (> 0).
    N
        Non-embedding parameters (> 0); broadcast against ``C``.

    Returns
    -------
    float or numpy.ndarray
        Tokens (bytes).
    """
    c, n = positive(C, "C"), positive(N, "N")
    broadcast_shape(C=c, N=n)
    width = np.sqrt(n / (12.0 * plan.DEPTH))
    out = c / (6.0 * n + 6.0 * plan.DEPTH * plan.N_CTX * width)
    return float(out) if out.ndim == 0 else out


@representable
def seed_noise(runs: pd.DataFrame) -> pd.DataFrame:
    """The spread of the held-out loss over seeds, for every configuration run with several seeds.

    Parameters
    ----------
    runs
        A lab results table (as :func:`profile_runs` takes it).

    Returns
    -------
    pandas.DataFrame
        One row per (budget, size) with at least two seeds: ``budget`` (FLOPs), ``d_model``,
        ``N``, ``n_seeds``, ``mean`` and ``std`` of the held-out loss (nats per byte; ``std``
        with ``n - 1`` in the denominator) and ``range`` (largest minus smallest).

    Raises
    ------
    ValueError, TypeError
        As :func:`profile_runs`; no configuration run with two seeds or more.
    """
    r = profile_runs(runs, seed=None)
    g = r.groupby(["budget", "d_model", "N"])["loss"]
    out = pd.DataFrame({"n_seeds": g.size(), "mean": g.mean(), "std": g.std(ddof=1),
                        "range": g.max() - g.min()}).reset_index()
    out = out[out["n_seeds"] >= 2].reset_index(drop=True)
    if out.empty:
        raise ValueError("runs: no configuration was run with two seeds or more, so there is no seed noise to measure")
    return out


@representable
def pooled_seed_noise(runs: pd.DataFrame) -> float:
    """The seed noise of one run's held-out loss, pooled over configurations: ``sqrt(mean(std**2))``.

    Each configuration's variance (``n - 1`` in the denominator, :func:`seed_noise`) is
    weighted by its degrees of freedom ``n - 1``. Nats per byte.

    Parameters
    ----------
    runs
        A lab results table (as :func:`seed_noise` takes it).

    Raises
    ------
    ValueError, TypeError
        As :func:`seed_noise`.
    """
    s = seed_noise(runs)
    dof = s["n_seeds"].to_numpy(float) - 1.0
    return float(math.sqrt(np.sum(dof * s["std"].to_numpy(float) ** 2) / np.sum(dof)))


@representable
def parabola_optima(runs: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Hoffmann et al.'s Approach 2 on the lab's profiles: a parabola in ``ln N`` per budget.

    :func:`scaling.chinchilla.isoflop_profiles` on the runs of one seed, with ``D_opt`` from
    the lab's accounting (:func:`tokens_at`) instead of ``C / (6 N_opt)``.

    Parameters
    ----------
    runs
        A lab results table (as :func:`profile_runs` takes it).
    seed
        The seed whose runs make the profiles.

    Returns
    -------
    pandas.DataFrame
        Per budget: ``budget`` (FLOPs), ``n_runs``, ``N_opt`` (parameters), ``D_opt`` (bytes),
        ``loss_opt`` (nats per byte), ``curvature`` (nats), ``tokens_per_param`` (``D_opt / N_opt``),
        ``N_min``, ``N_max`` (the profile's smallest and largest size) and ``inside`` (whether
        ``N_opt`` lies strictly between them).

    Raises
    ------
    ValueError, TypeError
        As :func:`profile_runs` and :func:`scaling.chinchilla.isoflop_profiles`.
    """
    r = profile_runs(runs, whole(seed, "seed", minimum=0))
    budgets = np.sort(r["budget"].unique())
    out = isoflop_profiles(r[["budget", "N", "C", "loss"]], budgets=budgets, rtol=0.07)
    out["D_opt"] = tokens_at(out["budget"].to_numpy(), out["N_opt"].to_numpy())
    out["tokens_per_param"] = out["D_opt"] / out["N_opt"]
    span = r.groupby("budget")["N"].agg(["min", "max"])
    out["N_min"] = span.loc[out["budget"], "min"].to_numpy(float)
    out["N_max"] = span.loc[out["budget"], "max"].to_numpy(float)
    out["inside"] = (out["N_opt"] > out["N_min"]) & (out["N_opt"] < out["N_max"])
    return out


@dataclass(frozen=True)
class LabExponents:
    """``N_opt ∝ C**a`` and ``D_opt ∝ C**b`` of the lab's sweep: the result of :func:`fit_exponents`.

    Attributes
    ----------
    a, a_lo, a_hi
        The exponent of the optimal size in compute and its percentile interval.
    b, b_lo, b_hi
        The exponent of the optimal tokens in compute (``D_opt`` from :func:`tokens_at`, so not
        exactly ``1 - a``) and its interval, from the same resamples.
    level
        The intervals' coverage (two-sided).
    noise_sd
        The seed noise the bootstrap added to every loss, nats per byte.
    budgets
        The budgets of the point fit (FLOPs): those whose spline minimum lies inside the profile.
    dropped
        The sweep's budgets left out of the point fit (their optimum is at a profile's edge).
    N_opt, D_opt
        Per budget of ``budgets``: the optimal size (parameters) and its tokens (bytes).
    spline
        The full :class:`scaling.chinchilla.SplineOptimaFit`.
    """

    a: float
    a_lo: float
    a_hi: float
    b: float
    b_lo: float
    b_hi: float
    level: float
    noise_sd: float
    budgets: NDArray[np.float64]
    dropped: NDArray[np.float64]
    N_opt: NDArray[np.float64]
    D_opt: NDArray[np.float64]
    spline: SplineOptimaFit

    @property
    def tokens_per_param(self) -> NDArray[np.float64]:
        """``D_opt / N_opt`` at each budget of ``budgets`` (bytes per parameter)."""
        return self.D_opt / self.N_opt


def _token_slope(C: NDArray[np.float64], coef: NDArray[np.float64], a: NDArray[np.float64]) -> NDArray[np.float64]:
    """Slope of ``ln D_opt`` against ``ln C`` over ``C`` for each power law ``N_opt = coef C**a``."""
    n = coef[:, None] * C[None, :] ** a[:, None]
    d = tokens_at(np.broadcast_to(C, n.shape), n)
    x = np.log(C) - np.log(C).mean()
    y = np.log(d)
    return ((y - y.mean(axis=1, keepdims=True)) @ x) / (x @ x)


@representable
def fit_exponents(
    runs: pd.DataFrame, noise_sd: float, n_resamples: int = 1000, seed: int = 0, level: float = PORIAN_LEVEL
) -> LabExponents:
    """``N_opt ∝ C**a`` and ``D_opt ∝ C**b`` from the lab's profiles, by Porian et al.'s estimator.

    :func:`scaling.chinchilla.fit_spline_optima` on the seed-0 runs: per budget an Akima spline
    of ``ln L`` in ``ln N`` and its minimum, a bootstrap that adds Gaussian noise of ``noise_sd``
    (the measured seed noise, :func:`pooled_seed_noise`) to every loss, and a weighted line
    through the per-budget optima. A budget whose minimum is at the edge of its profile gives
    no optimum and is dropped. ``b`` is the slope of ``ln D_opt`` on ``ln C`` over the fitted
    budgets with ``D_opt`` from the lab's accounting (:func:`tokens_at`), per resample.

    Parameters
    ----------
    runs
        A lab results table (as :func:`profile_runs` takes it).
    noise_sd
        Seed noise of a loss, nats per byte (> 0).
    n_resamples
        Bootstrap resamples (>= 20).
    seed
        Seed of the bootstrap's random numbers (the result is a deterministic function of it).
    level
        Coverage of the two-sided percentile intervals, in (0, 1).

    Returns
    -------
    LabExponents

    Raises
    ------
    ValueError, TypeError
        As :func:`profile_runs` and :func:`scaling.chinchilla.fit_spline_optima` (e.g. fewer
        than two budgets with an optimum inside their profile).
    """
    r = profile_runs(runs, seed=0)
    sd = float(positive(noise_sd, "noise_sd", scalar=True))
    n_resamples = whole(n_resamples, "n_resamples", minimum=20)
    seed = whole(seed, "seed", minimum=0)
    lv = float(in_range(level, "level", 0.0, 1.0, low_open=True, high_open=True, scalar=True))
    fit = fit_spline_optima(r[["budget", "N", "loss"]], sd, n_resamples, seed)
    a_lo, a_hi = fit.exponent_interval(lv)
    budgets = np.asarray(fit.budgets, dtype=float)
    at_least(2, budgets.size, "budgets with an optimum inside their profile", name="runs")
    d_opt = np.asarray(tokens_at(budgets, fit.N_opt), dtype=float)
    b = float(_token_slope(budgets, np.array([fit.coefficient]), np.array([fit.exponent]))[0])
    boot_b = _token_slope(np.asarray(fit.boot_budgets, float), np.asarray(fit.boot_coefficient),
                          np.asarray(fit.boot_exponent))
    b_lo, b_hi = np.quantile(boot_b, [(1 - lv) / 2, (1 + lv) / 2])
    all_budgets = np.sort(r["budget"].unique())
    return LabExponents(
        a=float(fit.exponent), a_lo=a_lo, a_hi=a_hi, b=b, b_lo=float(b_lo), b_hi=float(b_hi), level=lv,
        noise_sd=sd, budgets=budgets, dropped=all_budgets[~np.isin(all_budgets, budgets)],
        N_opt=np.asarray(fit.N_opt, dtype=float), D_opt=d_opt, spline=fit,
    )


@representable
def frontier(runs: pd.DataFrame) -> tuple[pd.DataFrame, PowerLawFit]:
    """The loss frontier of the sweep: the best run of each budget, and ``L = k C**p`` through them.

    The empirical counterpart of Kaplan et al.'s ``L(C_min) = (C_c / C_min)**0.050``
    (a pure power law, so ``p`` is to be compared with ``-0.050``).

    Parameters
    ----------
    runs
        A lab results table (as :func:`profile_runs` takes it); the seed-0 runs are used.

    Returns
    -------
    (pandas.DataFrame, scaling.powerlaw.PowerLawFit)
        Per budget the lowest-loss run (``budget``, ``d_model``, ``N``, ``D``, ``C``, ``loss``,
        ``epochs``), and the power law of ``loss`` (nats per byte) in ``C`` (FLOPs).

    Raises
    ------
    ValueError, TypeError
        As :func:`profile_runs`; fewer than two budgets.
    """
    r = profile_runs(runs, seed=0)
    best = r.loc[r.groupby("budget")["loss"].idxmin()].reset_index(drop=True)
    at_least(2, len(best), "budgets", name="runs")
    return best, fit_power_law(best["C"].to_numpy(float), best["loss"].to_numpy(float))


@representable
def throughput(runs: pd.DataFrame, peak: float = MATMUL_FLOPS_PER_THREAD) -> pd.DataFrame:
    """Training speed by model width: tokens per second and model FLOP/s against the machine's peak.

    Parameters
    ----------
    runs
        A lab results table: columns ``d_model``, ``N``, ``tokens_per_s`` and ``flops_per_s``
        (``C_total``, embeddings included, over the training time) and ``threads``.
    peak
        The FLOP/s one thread can reach, FLOP/s (> 0): by default the machine's measured
        matrix-multiply rate, :data:`MATMUL_FLOPS_PER_THREAD`.

    Returns
    -------
    pandas.DataFrame
        Per width: ``d_model``, ``N``, ``runs``, the median and the best ``tokens_per_s`` and
        ``flops_per_s`` of its runs, and ``peak_share``: the best FLOP/s over ``peak`` times
        the threads of a run. Machine-dependent: for showing, not for checking.

    Raises
    ------
    ValueError, TypeError
        Missing columns, values that are not finite and positive, a bad ``peak``.
    """
    frame(runs, "runs", {"d_model": "positive", "N": "positive", "tokens_per_s": "positive",
                         "flops_per_s": "positive", "threads": "positive"})
    p = float(positive(peak, "peak", scalar=True))
    g = runs.groupby(["d_model", "N"])
    out = pd.DataFrame({
        "runs": g.size(),
        "tokens_per_s_median": g["tokens_per_s"].median(),
        "tokens_per_s_best": g["tokens_per_s"].max(),
        "flops_per_s_median": g["flops_per_s"].median(),
        "flops_per_s_best": g["flops_per_s"].max(),
        "threads": g["threads"].max(),
    }).reset_index()
    out["peak_share"] = out["flops_per_s_best"] / (p * out["threads"])
    return out.drop(columns="threads")
