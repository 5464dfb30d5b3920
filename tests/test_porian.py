"""Tests of Porian et al.'s estimator: scaling.chinchilla.fit_spline_optima and porian_exponents."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.interpolate import Akima1DInterpolator

from scaling import chinchilla, datasets

A_TRUE, K_TRUE = 0.6, 0.05
BUDGETS = np.geomspace(1e16, 1e19, 8)


def synthetic_runs(a=A_TRUE, k=K_TRUE, budgets=BUDGETS, per_budget=7, curvature=0.04, noise=0.0, seed=1):
    """IsoFLOP readings whose minimum is ``N_opt = k C**a``: loss = L0(C) + curvature (ln N/N_opt)^2."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in budgets:
        n_opt = k * c**a
        for n in n_opt * np.geomspace(1 / 8, 8, per_budget) * np.exp(rng.uniform(-0.2, 0.2)):
            loss = 3.0 * (c / 1e16) ** -0.05 + curvature * np.log(n / n_opt) ** 2 + noise * rng.standard_normal()
            rows.append({"budget": c, "N": n, "loss": loss})
    return pd.DataFrame(rows)


def test_recovers_the_exponent_with_an_interval_that_covers_it():
    fit = chinchilla.fit_spline_optima(synthetic_runs(), noise_sd=0.002, n_resamples=400, seed=0)
    assert fit.n_budgets == BUDGETS.size
    assert fit.exponent == pytest.approx(A_TRUE, abs=0.01)
    lo, hi = fit.exponent_interval()
    assert lo < A_TRUE < hi and hi - lo < 0.05
    assert fit.token_exponent == pytest.approx(1 - fit.exponent)
    assert fit.token_exponent_interval() == pytest.approx((1 - hi, 1 - lo))
    n, n_lo, n_hi = fit.N_opt_at(5.76e23)
    assert n_lo < n < n_hi
    assert n == pytest.approx(K_TRUE * 5.76e23**A_TRUE, rel=0.3)
    r, r_lo, r_hi = fit.tokens_per_parameter_at(1e18)
    n18 = fit.N_opt_at(1e18)
    assert r == pytest.approx(1e18 / (6 * n18[0] ** 2)) and r_lo < r < r_hi


def test_seeded_deterministic_and_independent_of_row_order():
    runs = synthetic_runs(noise=0.003)
    f1 = chinchilla.fit_spline_optima(runs, 0.003, n_resamples=200, seed=3)
    f2 = chinchilla.fit_spline_optima(runs.sample(frac=1.0, random_state=0), 0.003, n_resamples=200, seed=3)
    assert f1.exponent == f2.exponent
    np.testing.assert_array_equal(f1.boot_exponent, f2.boot_exponent)
    f3 = chinchilla.fit_spline_optima(runs, 0.003, n_resamples=200, seed=4)
    assert not np.array_equal(f1.boot_exponent, f3.boot_exponent)


def test_a_budget_whose_best_run_is_the_smallest_model_is_dropped():
    runs = synthetic_runs()
    c0 = BUDGETS[0]
    edge = runs["budget"] == c0
    # at the smallest budget, make the loss rise steeply with size: the minimum sits on the first size
    runs.loc[edge, "loss"] = 4.0 + 0.5 * np.log(runs.loc[edge, "N"] / runs.loc[edge, "N"].min())
    fit = chinchilla.fit_spline_optima(runs, 0.002, n_resamples=200)
    assert c0 not in fit.budgets and c0 not in fit.boot_budgets
    assert fit.n_budgets == BUDGETS.size - 1
    assert fit.exponent == pytest.approx(A_TRUE, abs=0.01)


def test_budgets_with_fewer_than_three_sizes_are_skipped_and_duplicates_keep_the_lowest_loss():
    runs = synthetic_runs()
    extra = pd.DataFrame({"budget": [3e19, 3e19], "N": [1e8, 2e8], "loss": [2.0, 2.1]})
    dup = runs.iloc[[0]].assign(loss=runs["loss"].iloc[0] + 1.0)
    f = chinchilla.fit_spline_optima(pd.concat([runs, extra, dup]), 0.002, n_resamples=100)
    g = chinchilla.fit_spline_optima(runs, 0.002, n_resamples=100)
    assert 3e19 not in f.budgets
    assert f.exponent == g.exponent


def test_akima_is_reflection_invariant_so_b_is_one_minus_a():
    # Porian et al. also interpolate loss against ln D = ln C - ln 6 - ln N; Akima's spline of the
    # mirrored points is the mirrored spline, so the token optimum is C / (6 N_opt) and b = 1 - a.
    rng = np.random.default_rng(0)
    x = np.sort(rng.uniform(0, 5, 9))
    y = rng.normal(size=9)
    grid = np.linspace(x[0], x[-1], 200)
    np.testing.assert_allclose(Akima1DInterpolator(-x[::-1], y[::-1])(-grid), Akima1DInterpolator(x, y)(grid), atol=1e-12)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"runs": [1, 2, 3]}, TypeError, "DataFrame"),
        ({"runs": pd.DataFrame({"N": [1.0], "loss": [1.0]})}, ValueError, "budget"),
        ({"noise_sd": 0.0}, ValueError, "noise_sd"),
        ({"noise_sd": np.nan}, ValueError, "noise_sd"),
        ({"noise_sd": True}, TypeError, "noise_sd"),
        ({"noise_sd": "0.002"}, TypeError, "noise_sd"),
        ({"noise_sd": [0.1, 0.2]}, ValueError, "noise_sd"),
        ({"noise_sd": 5.0}, ValueError, "noise_sd"),
        ({"n_resamples": 10}, ValueError, "n_resamples"),
        ({"n_resamples": 100.0}, TypeError, "n_resamples"),
        ({"n_resamples": True}, TypeError, "n_resamples"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": None}, TypeError, "seed"),
        ({"setting": 3}, TypeError, "setting"),
    ],
)
def test_fit_spline_optima_refuses_bad_input(kwargs, error, match):
    args = {"runs": synthetic_runs(), "noise_sd": 0.002, "n_resamples": 50, "seed": 0} | kwargs
    with pytest.raises(error, match=match):
        chinchilla.fit_spline_optima(**args)


@pytest.mark.parametrize("column, value", [("N", np.nan), ("loss", -1.0), ("budget", np.inf), ("N", None)])
def test_fit_spline_optima_refuses_bad_values(column, value):
    runs = synthetic_runs().astype({column: object})
    runs.loc[3, column] = value
    with pytest.raises((ValueError, TypeError), match=column):
        chinchilla.fit_spline_optima(runs, 0.002, n_resamples=50)


def test_fewer_than_two_budgets_with_an_optimum_is_an_error():
    runs = synthetic_runs(budgets=BUDGETS[:1])
    with pytest.raises(ValueError, match="at least 2 budgets"):
        chinchilla.fit_spline_optima(runs, 0.002, n_resamples=50)


def test_result_methods_refuse_bad_input():
    fit = chinchilla.fit_spline_optima(synthetic_runs(), 0.002, n_resamples=50)
    for bad in (0.0, 1.0, np.nan, "0.9"):
        with pytest.raises((ValueError, TypeError), match="level"):
            fit.exponent_interval(bad)
    for bad in (-1.0, [1e20, 1e21], None):
        with pytest.raises((ValueError, TypeError), match="C"):
            fit.N_opt_at(bad)


@pytest.mark.parametrize("which", ["RW", "", None, 1, "summary_df.pickle.xz"])
def test_unknown_file_lists_the_valid_names(which):
    with pytest.raises(ValueError, match="'rw', 'rw_attention', 'rw_kaplan_tuned', 'owt2'"):
        chinchilla.porian_exponents(which)
    with pytest.raises(ValueError, match="which"):
        chinchilla.porian_file_exponents(which)


# ------------------------------------------------------------------ on Porian et al.'s files
@pytest.mark.parametrize("which", list(datasets.PORIAN_FILES))
def test_every_exponent_lies_inside_the_interval_of_the_authors_code(which):
    ours = chinchilla.porian_exponents(which)
    theirs = chinchilla.porian_file_exponents(which)
    assert list(ours.columns) == ["setting", "loss", "a", "a_lo", "a_hi", "b", "b_lo", "b_hi", "n_budgets"]
    assert ours["setting"].tolist() == datasets.porian_settings(which)["setting"].tolist()
    assert ours["setting"].tolist() == theirs["setting"].tolist()
    assert ((theirs["a_lo"] < ours["a"]) & (ours["a"] < theirs["a_hi"])).all()
    # the same estimator with other draws: point and bounds move by Monte Carlo noise only
    np.testing.assert_allclose(ours["a"], theirs["a"], atol=0.003)
    np.testing.assert_allclose(ours[["a_lo", "a_hi"]], theirs[["a_lo", "a_hi"]], atol=0.005)
    np.testing.assert_allclose(ours["b"], theirs["b"], atol=0.005)
    assert (ours["n_budgets"] == theirs["n_budgets"]).all()
    np.testing.assert_allclose(ours["a"] + ours["b"], 1.0)
    assert ((ours["a_lo"] < ours["a"]) & (ours["a"] < ours["a_hi"])).all()


def test_which_loss_each_setting_reads():
    # smoothed training loss for Kaplan's count and for every attention setting, validation loss otherwise
    for which in datasets.PORIAN_FILES:
        e = chinchilla.porian_exponents(which)
        expected = ["train" if s.endswith(("/kaplan", "/attention")) else "val" for s in e["setting"]]
        assert e["loss"].tolist() == expected


def test_porian_fits_are_cached_and_read_only():
    f1 = chinchilla.porian_fits("rw_kaplan_tuned")
    assert chinchilla.porian_fits("rw_kaplan_tuned") is f1
    with pytest.raises(ValueError):
        f1[0].boot_exponent[0] = 0.0


def test_every_loss_lies_below_the_authors_noise_threshold():
    # their seed-noise model is constant below L = e**3; PORIAN_SEED_NOISE relies on it
    for which in datasets.PORIAN_FILES:
        assert datasets.porian_runs(which)["loss"].max() < np.exp(3.0)
