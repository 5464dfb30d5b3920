"""Tests of scaling.chinchilla: IsoFLOP profiles, envelope, tables, goodness of fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scaling import chinchilla, published
from scaling.laws import ChinchillaLaw

LAW = ChinchillaLaw(E=1.8, A=480.0, B=2100.0, alpha=0.35, beta=0.37)


def isoflop_runs(law=LAW, budgets=chinchilla.ISOFLOP_BUDGETS, per_budget=9):
    rows = []
    for c in budgets:
        n_opt = law.optimal_allocation(c)[0]
        for n in n_opt * np.geomspace(0.2, 5, per_budget):
            d = c / (6 * n)
            rows.append({"N": n, "D": d, "C": c, "loss": law.loss(n, d)})
    return pd.DataFrame(rows)


def test_isoflop_recovers_the_allocation_exponent():
    prof = chinchilla.isoflop_profiles(isoflop_runs())
    assert len(prof) == 9 and (prof["n_runs"] == 9).all()
    fit = chinchilla.fit_allocation(prof["budget"], prof["N_opt"], prof["D_opt"])
    # a parabola in log N approximates the true profile, so the minima are close but not exact
    assert fit.a == pytest.approx(LAW.a, abs=0.02)
    assert fit.a + fit.b == pytest.approx(1.0)


def test_select_isoflop_runs_and_errors():
    runs = pd.DataFrame({"N": [1e8, 1e8, 1e8], "C": [6.2e18, 7e18, 1e19], "loss": [3, 3, 3]})
    sel = chinchilla.select_isoflop_runs(runs, rtol=0.07)
    assert sel["budget"].tolist() == [6e18, 1e19]
    with pytest.raises(ValueError, match="columns"):
        chinchilla.select_isoflop_runs(runs.drop(columns="loss"))
    with pytest.raises(ValueError, match="rtol"):
        chinchilla.select_isoflop_runs(runs, rtol=0.9)
    with pytest.raises(ValueError, match="at least 2"):
        chinchilla.isoflop_profiles(runs)


def test_isoflop_bootstrap_is_seeded():
    runs = isoflop_runs()
    rng = np.random.default_rng(0)
    runs["loss"] = runs["loss"] * np.exp(rng.normal(0, 0.005, len(runs)))
    b1 = chinchilla.isoflop_bootstrap(runs, n_resamples=50, seed=1)
    b2 = chinchilla.isoflop_bootstrap(runs, n_resamples=50, seed=1)
    pd.testing.assert_frame_equal(b1, b2)
    assert np.allclose(b1["a"] + b1["b"], 1.0)


def test_envelope_picks_the_best_size_at_each_compute():
    rows = []
    sizes = np.geomspace(1e7, 1e9, 9)
    budgets = np.geomspace(1e17, 1e20, 7)
    for n in sizes:
        for c in budgets:
            rows.append({"N": n, "budget": c, "loss": LAW.loss(n, c / (6 * n))})
    env = chinchilla.envelope(pd.DataFrame(rows), n_grid=20)
    for _, r in env.iterrows():
        best = min(sizes, key=lambda n: LAW.loss(n, r["C"] / (6 * n)))
        # interpolated curves may swap neighbours near a crossover; the chosen size is within one step
        assert abs(np.log(r["N_opt"] / best)) <= np.log(sizes[1] / sizes[0]) + 1e-9
    with pytest.raises(ValueError, match="columns"):
        chinchilla.envelope(pd.DataFrame({"N": [1.0]}))


def test_allocation_table_inverts_the_law():
    t = chinchilla.allocation_table([1e9, 7e10], published.HOFFMANN2022_UNROUNDED)
    n_back = published.HOFFMANN2022_UNROUNDED.optimal_allocation(t["FLOPs"].to_numpy())[0]
    np.testing.assert_allclose(n_back, [1e9, 7e10], rtol=1e-10)
    np.testing.assert_allclose(6 * t["N"] * t["tokens"], t["FLOPs"], rtol=1e-12)
    with pytest.raises(ValueError, match="positive"):
        chinchilla.allocation_table([-1.0], LAW)


def test_likelihood_ratio_test():
    rng = np.random.default_rng(0)
    N = np.exp(rng.uniform(np.log(1e8), np.log(1e10), 200))
    D = np.exp(rng.uniform(np.log(1e9), np.log(1e11), 200))
    L = np.asarray(LAW.loss(N, D)) * np.exp(rng.normal(0, 0.01, 200))
    same = chinchilla.likelihood_ratio_test(LAW, LAW, N, D, L)
    assert same.statistic == pytest.approx(0.0) and same.p_value == pytest.approx(1.0)
    wrong = ChinchillaLaw(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
    t = chinchilla.likelihood_ratio_test(wrong, LAW, N, D, L)
    assert t.statistic > 50 and t.p_value < 1e-8 and t.df == 5 and t.n == 200
    r = chinchilla.log_residuals(LAW, N, D, L)
    assert abs(r.mean()) < 0.005


def test_runs_needed():
    assert chinchilla.runs_needed(0.04, 0.01, 100) == pytest.approx(1600)
    with pytest.raises(ValueError):
        chinchilla.runs_needed(0.0, 0.01, 100)


def test_setting_exponents_window():
    with pytest.raises(ValueError, match="window"):
        chinchilla.setting_exponents(pd.DataFrame(), window=2)


# ------------------------------------------------------------------ regression tests (issue 10, section 3)
def _lrt_data(n=40):
    rng = np.random.default_rng(1)
    N = np.exp(rng.uniform(np.log(1e8), np.log(1e10), n))
    D = np.exp(rng.uniform(np.log(1e9), np.log(1e11), n))
    return N, D


def test_likelihood_ratio_test_with_an_exact_alternative():
    N, D = _lrt_data()
    L = np.asarray(LAW.loss(N, D))
    wrong = ChinchillaLaw(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
    with pytest.raises(ValueError, match="alternative.*fits the runs exactly"):  # was ZeroDivisionError
        chinchilla.likelihood_ratio_test(wrong, LAW, N, D, L)


@pytest.mark.parametrize("df, got", [(0, "got 0"), (2.5, "got 2.5"), (True, "True"), (-1, "got -1")])
def test_likelihood_ratio_test_degrees_of_freedom(df, got):
    # df=0 gave p_value=nan; df=2.5 was reported as 2 but computed with 2.5
    N, D = _lrt_data()
    L = np.asarray(LAW.loss(N, D)) * np.exp(np.random.default_rng(2).normal(0, 0.01, N.size))
    with pytest.raises((ValueError, TypeError), match=rf"df must be a positive whole number \(>= 1\).*{got}"):
        chinchilla.likelihood_ratio_test(LAW, LAW, N, D, L, df=df)


def test_isoflop_profiles_refuse_bad_losses_and_sizes():
    runs = isoflop_runs()
    neg = runs.copy()
    neg.loc[4, "loss"] = -5.0  # gave loss_opt = -1.4
    with pytest.raises(ValueError, match=r"runs\['loss'\] must be positive.*-5"):
        chinchilla.isoflop_profiles(neg)
    small = runs.copy()
    small.loc[4, "N"] = -1e8  # raised a bare LinAlgError with LAPACK output
    with pytest.raises(ValueError, match=r"runs\['N'\] must be positive.*-1e\+08"):
        chinchilla.isoflop_profiles(small)


def test_envelope_refuses_a_nan_loss():
    rows = [{"N": n, "budget": c, "loss": LAW.loss(n, c / (6 * n))}
            for n in np.geomspace(1e7, 1e9, 9) for c in np.geomspace(1e17, 1e20, 7)]
    runs = pd.DataFrame(rows)
    runs.loc[10, "loss"] = np.nan  # made the envelope return 2 of its 30 rows
    with pytest.raises(ValueError, match=r"runs\['loss'\] must be finite.*nan"):
        chinchilla.envelope(runs)


def test_runs_needed_and_bootstrap_fraction_are_checked():
    with pytest.raises(TypeError, match="width must be .*True"):  # returned 0.0
        chinchilla.runs_needed(True, float("inf"), 1.5)
    with pytest.raises(ValueError, match="target_width must be finite.*inf"):
        chinchilla.runs_needed(0.04, float("inf"), 100)
    with pytest.raises(ValueError, match="n_runs must be a positive whole number.*1.5"):
        chinchilla.runs_needed(0.04, 0.01, 1.5)
    with pytest.raises(ValueError, match=r"fraction must be in \(0, 1\].*-1"):  # was accepted
        chinchilla.isoflop_bootstrap(isoflop_runs(), fraction=-1)


def test_allocation_table_refuses_a_missing_allocation():
    with pytest.raises(TypeError, match="allocation must be .*ChinchillaLaw.*AllocationFit.*got NoneType"):
        chinchilla.allocation_table([1e9], None)  # was AttributeError


def test_replication_resamples_are_their_resamples_of_our_rows():
    from scaling import datasets

    runs = datasets.chinchilla_runs(drop_highest_loss=5)
    res = chinchilla.replication_resamples(n_resamples=3)
    assert res.shape == (3, 240) and res.min() >= 0 and res.max() < len(runs)
    # the first resample of their notebook, drawn from their file's rows and looked up in ours
    raw = datasets._chinchilla_raw()
    kept = np.flatnonzero(raw["loss"].to_numpy() < np.sort(raw["loss"].to_numpy())[-5])
    first = np.random.RandomState(42).choice(kept, size=kept.size, replace=True)
    ours = runs.iloc[res[0]]
    assert np.array_equal(ours["loss"].to_numpy(), raw["loss"].to_numpy()[first])
    assert np.array_equal(ours["N"].to_numpy(), raw["Model Size"].to_numpy(dtype=float)[first])
    # the first k resamples do not depend on how many are drawn, and another seed draws others
    assert np.array_equal(chinchilla.replication_resamples(n_resamples=5)[:3], res)
    assert not np.array_equal(chinchilla.replication_resamples(n_resamples=1, seed=0)[0], res[0])


def test_replication_resamples_checks_its_counts():
    with pytest.raises(ValueError, match="n_resamples must be"):
        chinchilla.replication_resamples(n_resamples=0)
    with pytest.raises(ValueError, match="seed must be"):
        chinchilla.replication_resamples(seed=1.5)
    with pytest.raises(TypeError, match="seed must be"):
        chinchilla.replication_resamples(seed="42")


# ------------------------------------------------------------------ rounding_failures, rounding_band

def test_rounding_failures_finds_the_rows_that_break_6nd():
    # 6 * 1e9 * 2e10 = 1.2e20: printed exactly, printed to the tables' rounding, and off by 10 %
    N = np.array([1e9, 1e9, 1e9, 1e9])
    flops = np.array([1.2e20, 1.204e20, 1.2e20, 1.2e21])
    tokens = np.array([2.0e10, 2.0e10, 2.2e10, 2.0e10])
    assert chinchilla.rounding_failures(N, flops, tokens).tolist() == [False, False, True, True]


def test_rounding_failures_on_table_a3_approach3():
    a3 = published.table("hoffmann2022_tableA3")
    off = chinchilla.rounding_failures(a3["parameters"], a3["flops_approach3"], a3["tokens_approach3"])
    assert np.flatnonzero(off).tolist() == [3, 4, 5]  # 67 B, 175 B (misprinted FLOPs), 280 B


def test_rounding_failures_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="shape"):
        chinchilla.rounding_failures([1e9, 2e9], [1.2e20], [2e10, 2e10])


def test_rounding_band_brackets_the_law_and_matches_a_direct_corner():
    law = published.DEVRIES2023
    N = np.array([4e8, 1e13])
    lo, hi = chinchilla.rounding_band(law, N, 5e-4, 0.05)
    assert (lo < 1).all() and (hi > 1).all()
    corner = ChinchillaLaw(E=law.E, A=law.A - 0.05, B=law.B + 0.05, alpha=law.alpha - 5e-4, beta=law.beta + 5e-4)
    ratio = np.asarray(corner.compute_for_params(N)) / np.asarray(law.compute_for_params(N))
    assert (lo <= ratio + 1e-12).all() and (ratio <= hi + 1e-12).all()
    lo0, hi0 = chinchilla.rounding_band(law, N, 0.0, 0.0)
    np.testing.assert_allclose(lo0, 1.0, rtol=1e-12)
    np.testing.assert_allclose(hi0, 1.0, rtol=1e-12)


def test_rounding_band_refuses_steps_as_large_as_the_parameters():
    law = published.DEVRIES2023
    with pytest.raises(ValueError, match="exponent_step must be smaller"):
        chinchilla.rounding_band(law, 1e9, 0.5, 0.05)
    with pytest.raises(ValueError, match="scale_step must be smaller"):
        chinchilla.rounding_band(law, 1e9, 5e-4, 1e4)
    with pytest.raises(ValueError, match="exponent_step must be in"):
        chinchilla.rounding_band(law, 1e9, -1e-3, 0.05)
