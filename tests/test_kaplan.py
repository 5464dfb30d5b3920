"""Tests of scaling.kaplan: the equations, the numerical frontier against the closed forms, error paths."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from scaling import kaplan as k
from scaling.powerlaw import fit_power_law
from scaling.published import KAPLAN2020, KAPLAN2020_ND, KAPLAN2020_NS, KaplanJointNS
from scaling.units import PF_DAY


# ------------------------------------------------------------------ single-variable laws
def test_single_laws_equal_one_at_their_scale():
    K = KAPLAN2020
    assert k.loss_N(K.N_c) == pytest.approx(1.0)
    assert k.loss_D(K.D_c) == pytest.approx(1.0)
    assert k.loss_C(K.C_c) == pytest.approx(1.0)
    assert k.loss_C_min(K.C_c_min) == pytest.approx(1.0)
    assert k.loss_C_min(K.C_c_min_figure1, scale=K.C_c_min_figure1) == pytest.approx(1.0)


def test_doubling_N_multiplies_loss_by_per_doubling():
    ratio = k.loss_N(2e9) / k.loss_N(1e9)
    assert ratio == pytest.approx(k.per_doubling(KAPLAN2020.alpha_N))
    assert k.per_doubling(0.076) == pytest.approx(0.9487, abs=1e-4)


def test_laws_broadcast_and_return_float_for_scalars():
    out = k.loss_N(np.array([1e6, 1e9]))
    assert isinstance(out, np.ndarray) and out.shape == (2,)
    assert isinstance(k.loss_D(1e9), float)
    assert k.loss_ND(np.array([[1e6], [1e9]]), np.array([1e9, 1e10, 1e11])).shape == (2, 3)


@pytest.mark.parametrize("fn", [k.loss_N, k.loss_D, k.loss_C, k.loss_C_min, k.critical_batch])
@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_single_laws_reject_bad_input(fn, bad):
    with pytest.raises(ValueError):
        fn(bad)


def test_laws_reject_non_numbers():
    with pytest.raises(TypeError):
        k.loss_N("big")


# ------------------------------------------------------------------ L(N, D) and overfitting
def test_loss_ND_limits():
    p = KAPLAN2020_ND
    # infinite data: L(N) with the joint fit's constants; infinite model: L(D)
    assert k.loss_ND(1e8, 1e30) == pytest.approx((p.N_c / 1e8) ** p.alpha_N, rel=1e-6)
    assert k.loss_ND(1e30, 1e9) == pytest.approx((p.D_c / 1e9) ** p.alpha_D, rel=1e-6)


def test_overfitting_is_ratio_minus_one_and_inverts():
    N, D = 3e8, 5e9
    p = KAPLAN2020_ND
    assert k.overfitting(N, D) == pytest.approx(k.loss_ND(N, D) / (p.N_c / N) ** p.alpha_N - 1)
    d_needed = k.data_to_avoid_overfitting(N, delta=0.02)
    assert k.overfitting(N, d_needed) == pytest.approx(0.02, rel=1e-9)


def test_overfitting_rule_matches_paper_form():
    pref, expo = k.overfitting_rule(0.02)
    assert expo == pytest.approx(0.076 / 0.103)
    assert 4e3 < pref < 7e3  # eq. 4.4 prints 5e3 (one significant figure)
    assert k.data_growth_factor(8) == pytest.approx(8 ** (0.076 / 0.103))


def test_overfitting_rule_rejects_bad_delta():
    with pytest.raises(ValueError):
        k.overfitting_rule(0.0)
    with pytest.raises(ValueError):
        k.data_to_avoid_overfitting(-5)


def test_early_stopping_steps_positive_and_increasing_in_data():
    s = k.early_stopping_steps(3e8, np.array([1e8, 1e9, 1e10]))
    assert np.all(s > 0) and np.all(np.diff(s) > 0)  # more data: stop later


# ------------------------------------------------------------------ batch and learning curves
def test_critical_batch_doubles_for_about_13_percent_lower_loss():
    factor = 2 ** (-KAPLAN2020.alpha_B)
    assert k.critical_batch(3.0 * factor) / k.critical_batch(3.0) == pytest.approx(2.0)
    assert 1 - factor == pytest.approx(0.135, abs=0.005)


def test_min_steps_and_compute_at_critical_batch_are_halves():
    L = 3.0
    b = k.critical_batch(L)
    assert k.min_steps(1000.0, b, L) == pytest.approx(500.0)
    assert k.min_compute(8.0, b, L) == pytest.approx(4.0)


def test_batch_relation_5_1_holds():
    # (S/S_min - 1)(E/E_min - 1) = 1 with E = B S, E_min = B_crit S_min
    L, S = 3.2, 1e4
    for B in [1e4, 1e6, 1e8]:
        s_min = k.min_steps(S, B, L)
        e_min = k.critical_batch(L) * s_min
        assert (S / s_min - 1) * (B * S / e_min - 1) == pytest.approx(1.0)


def test_steps_to_loss_inverts_loss_NS():
    N, L = 1e8, 3.5
    s = k.steps_to_loss(N, L)
    assert k.loss_NS(N, s) == pytest.approx(L)


def test_steps_to_loss_rejects_unreachable_loss():
    with pytest.raises(ValueError, match="converged loss"):
        k.steps_to_loss(1e6, 1.0)


def test_learning_curve_columns_and_monotone():
    curve = k.learning_curve(1e8, np.linspace(3.0, 5.0, 9))
    assert list(curve.columns) == ["loss", "S_min", "S", "tokens", "C", "C_min"]
    assert np.all(np.diff(curve["tokens"]) < 0)  # lower loss needs more tokens
    assert np.all(curve["S"] > curve["S_min"]) and np.all(curve["C"] > curve["C_min"])
    np.testing.assert_allclose(curve["C"] * PF_DAY, 6 * 1e8 * curve["tokens"])


def test_larger_models_are_more_sample_efficient():
    L = 3.5
    small = k.learning_curve(1e7, [L])["tokens"].iloc[0]
    large = k.learning_curve(1e9, [L])["tokens"].iloc[0]
    assert large < small


def test_learning_curve_rejects_bad_batch():
    with pytest.raises(ValueError):
        k.learning_curve(1e8, [4.0], batch=0)


# ------------------------------------------------------------------ frontier
def test_predicted_exponents_keys_and_closure():
    e = k.predicted_exponents()
    assert set(e) == {"alpha_C_min", "N", "B", "S"}
    a = KAPLAN2020_NS
    assert e["alpha_C_min"] == pytest.approx(1 / (1 / a.alpha_S + 1 / KAPLAN2020.alpha_B + 1 / a.alpha_N))
    assert e["N"] + e["B"] + e["S"] == pytest.approx(1.0)  # C = 6 N B S


def test_predicted_exponents_follow_inputs():
    other = KaplanJointNS(alpha_N=0.1, alpha_S=1.0, N_c=1e13, S_c=1e3)
    e = k.predicted_exponents(other)
    assert e["alpha_C_min"] == pytest.approx(1 / (1 + 1 / 0.21 + 10))
    with pytest.raises(ValueError):
        k.predicted_exponents(KaplanJointNS(alpha_N=0.0, alpha_S=1.0, N_c=1e13, S_c=1e3))


def test_loss_at_compute_solves_B3():
    N, C = 1e8, 1e-2
    L = k.loss_at_compute(N, C)
    s_min = C * PF_DAY / (6 * N * k.critical_batch(L))
    assert k.loss_NS(N, s_min) == pytest.approx(L, rel=1e-10)


def test_numerical_frontier_matches_closed_form():
    C = np.logspace(-6, 2, 9)
    f = k.compute_efficient_frontier(C)
    e = k.predicted_exponents()
    assert fit_power_law(f["C_min"], f["N"]).exponent == pytest.approx(e["N"], rel=1e-6)
    assert fit_power_law(f["C_min"], f["B"]).exponent == pytest.approx(e["B"], rel=1e-6)
    assert fit_power_law(f["C_min"], f["S_min"]).exponent == pytest.approx(e["S"], rel=1e-5)
    # eq. B.5: stop alpha_N/alpha_S above the converged loss
    np.testing.assert_allclose(f["loss"] / f["loss_converged"] - 1, KAPLAN2020_NS.alpha_N / KAPLAN2020_NS.alpha_S, rtol=1e-6)
    # eq. B.6/B.8: L = (C_c/C)**alpha_C
    np.testing.assert_allclose(f["loss"], (k.predicted_scale() / C) ** e["alpha_C_min"], rtol=1e-8)


def test_frontier_is_a_minimum():
    C = 1e-1
    f = k.compute_efficient_frontier([C])
    n = f["N"].iloc[0]
    best = f["loss"].iloc[0]
    others = k.loss_at_compute(np.array([0.8 * n, 1.25 * n]), C)
    assert np.all(others > best)


def test_frontier_rejects_bad_budgets():
    with pytest.raises(ValueError):
        k.compute_efficient_frontier([1.0, -1.0])
    with pytest.raises(ValueError):
        k.compute_efficient_frontier([float("nan")])


def test_convergence_comparison_reproduces_B12_B14_and_is_loss_independent():
    a = k.convergence_comparison(target_loss=2.5)
    b = k.convergence_comparison(target_loss=3.5)
    assert a.params_ratio == pytest.approx(b.params_ratio)
    f = KAPLAN2020_NS.alpha_N / KAPLAN2020_NS.alpha_S
    assert a.params_ratio == pytest.approx(((1 + f) / 1.02) ** (1 / KAPLAN2020_NS.alpha_N))
    assert a.steps_ratio == pytest.approx(((1 + 1 / f) / (1 + 1 / 0.02)) ** (1 / KAPLAN2020_NS.alpha_S))
    assert a.compute_ratio == pytest.approx(a.params_ratio * a.steps_ratio)
    with pytest.raises(ValueError):
        k.convergence_comparison(f_prime=0.0)


def test_excess_compute_is_one_at_optimum_and_window_brackets():
    assert k.excess_compute(1.0) == pytest.approx(1.0)
    low, high = k.size_window(0.2)
    assert low < 1 < high
    assert k.excess_compute(low) == pytest.approx(1.2)
    assert k.excess_compute(high) == pytest.approx(1.2)
    assert k.excess_compute(0.5 * (1 + high)) < 1.2


def test_excess_steps_rejects_too_small_models():
    with pytest.raises(ValueError, match="too small"):
        k.excess_steps(0.1)
    with pytest.raises(ValueError):
        k.size_window(-0.1)


def test_growth_factors_multiply_to_compute():
    g = k.growth_factors(1e9, k.predicted_exponents())
    assert g["N"] * g["B"] * g["S"] == pytest.approx(1e9)
    with pytest.raises(ValueError, match=r"exponents must have the keys 'N', 'B', 'S'; it lacks \['B', 'S'\]"):
        k.growth_factors(1e9, {"N": 0.7})


# ------------------------------------------------------------------ breakdown
def test_breakdown_point_is_a_crossing():
    bp = k.breakdown_point()
    d = k.data_per_compute(bp.C)
    assert k.loss_D(d) == pytest.approx(bp.L, rel=1e-9)
    assert k.loss_C_min(bp.C) == pytest.approx(bp.L, rel=1e-9)
    assert bp.D == pytest.approx(d)


def test_data_per_compute_default_and_printed():
    c = 10.0
    assert k.data_per_compute(c) == pytest.approx(2 * c * PF_DAY / (6 * 1.3e9 * c**0.73))
    assert k.data_per_compute(c, prefactor=4e10, exponent=0.26) == pytest.approx(4e10 * c**0.26)
    with pytest.raises(ValueError, match="both"):
        k.data_per_compute(c, prefactor=4e10)


def test_breakdown_point_without_crossing_raises():
    with pytest.raises(ValueError, match="do not cross"):
        # data growing as fast as compute: L(D(C)) always falls faster than L(C_min)
        k.breakdown_point(data_prefactor=1e30, data_exponent=1.0)


# ------------------------------------------------------------------ IsoFLOP minima
def _synthetic_runs(exponent=0.8, noise=0.0, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for budget in [1e17, 1e18, 1e19]:
        n_opt = 1e3 * budget**exponent / 1e10
        for n in n_opt * np.exp(np.linspace(-2, 2, 9)):
            loss = 3.0 + 0.1 * np.log(n / n_opt) ** 2 + noise * rng.normal()
            rows.append({"budget": budget, "N": n, "loss": loss})
    return pd.DataFrame(rows), exponent


def test_isoflop_minima_recovers_vertex_and_exponent():
    runs, expo = _synthetic_runs()
    m = k.isoflop_minima(runs, window=3.0)
    assert list(m.columns) == ["budget", "N_opt", "loss_opt", "curvature", "n_points"]
    np.testing.assert_allclose(m["loss_opt"], 3.0, atol=1e-9)
    assert fit_power_law(m["budget"], m["N_opt"]).exponent == pytest.approx(expo, rel=1e-9)


def test_isoflop_minima_error_paths():
    runs, _ = _synthetic_runs()
    with pytest.raises(ValueError, match="columns"):
        k.isoflop_minima(runs.drop(columns="loss"))
    with pytest.raises(ValueError, match="within the window"):
        k.isoflop_minima(runs, window=0.1)
    with pytest.raises(ValueError, match="at least 3"):
        k.isoflop_minima(runs, min_points=2)
    bad = runs.copy()
    bad.loc[0, "N"] = -1.0
    with pytest.raises(ValueError):
        k.isoflop_minima(bad)
    concave = runs.assign(loss=lambda d: 5.0 - (np.log(d["N"]) - np.log(d["N"]).groupby(d["budget"]).transform("mean")) ** 2)
    with pytest.raises(ValueError, match="convex"):
        k.isoflop_minima(concave, window=10.0)
    with pytest.raises(ValueError):
        k.isoflop_minima(runs, window=0.0)


def test_isoflop_minima_on_real_kaplan_setting():
    from scaling import datasets

    try:
        runs = datasets.porian_runs("rw")
    except datasets.DataError:
        pytest.skip("Porian et al. data not available offline")
    kap = runs[runs["setting"] == "rw/base/long/kaplan/kaplan"]
    m = k.isoflop_minima(kap, window=2.0)
    assert len(m) == kap["budget"].nunique()
    expo = fit_power_law(m["budget"], m["N_opt"]).exponent
    assert 0.75 < expo < 0.95  # Porian et al.: about 0.83 in Kaplan's set-up
    assert math.isfinite(m["loss_opt"].sum())


# ------------------------------------------------------------------ learning-curve fit
def test_fit_learning_curve_recovers_parameters_and_extrapolates():
    p = KAPLAN2020_NS
    N = 1e8
    S = np.logspace(3, 4.5, 20)
    L = k.loss_NS(N, S)
    fit = k.fit_learning_curve(S, L)
    assert fit.alpha_S == pytest.approx(p.alpha_S, rel=1e-4)
    assert fit.L_inf == pytest.approx((p.N_c / N) ** p.alpha_N, rel=1e-4)
    assert fit(1e6) == pytest.approx(k.loss_NS(N, 1e6), rel=1e-5)


def test_fit_learning_curve_error_paths():
    with pytest.raises(ValueError, match="at least 4"):
        k.fit_learning_curve([1, 2, 3], [4.0, 3.5, 3.2])
    with pytest.raises(ValueError, match="same shape"):
        k.fit_learning_curve([1, 2, 3, 4], [4.0, 3.5, 3.2])
    with pytest.raises(ValueError):
        k.fit_learning_curve([1, 2, 3, 0], [4.0, 3.5, 3.2, 3.0])


def test_setup_constants_are_consistent():
    from scaling.published import KAPLAN2020_SETUP as s

    assert s.batch_tokens == 2**19
    assert s.N_range[0] < s.N_range[1] and s.D_range[0] < s.D_range[1]
    # the learning-rate fit (eq. D.1) stays positive over the sizes studied
    assert s.lr_intercept + s.lr_slope * math.log(s.N_range[1]) > 0


# ------------------------------------------------------------------ regression tests (issue 10, section 3)
def _eq_b3_residual(N, C_min, L, p=KAPLAN2020_NS, c=KAPLAN2020):
    """Relative residual of eq. B.3, L = (N_c/N)**a_N + (6 B* S_c N / (L**(1/a_B) C))**a_S."""
    steps = (6.0 * c.B_star * p.S_c * N / (L ** (1.0 / c.alpha_B) * C_min * PF_DAY)) ** p.alpha_S
    return (L - (p.N_c / N) ** p.alpha_N - steps) / L


def test_loss_at_compute_has_no_nan_over_kaplans_range_of_N():
    # The bracketing root search used to fail where the steps term is below the rounding of
    # the converged loss: loss_at_compute(1435, 67) was NaN, and so were 577 points of this grid.
    assert math.isfinite(k.loss_at_compute(1435, 67))
    assert abs(_eq_b3_residual(1435.0, 67.0, k.loss_at_compute(1435, 67))) < 1e-12
    N = np.geomspace(768, 1.5e9, 200)[:, None]
    C = np.geomspace(1e-8, 1e4, 200)[None, :]
    L = k.loss_at_compute(N, C)
    assert np.isfinite(L).all()
    assert np.abs(_eq_b3_residual(N, C, L)).max() < 1e-12


def test_compute_efficient_frontier_at_large_budgets():
    # used to raise RuntimeError ("could not bracket") because of the NaNs above
    f = k.compute_efficient_frontier([1e-3, 1e7])
    assert np.isfinite(f.to_numpy(dtype=float)).all()
    assert f["N"].iloc[1] > f["N"].iloc[0]


def _dec(x):
    from decimal import Decimal

    return Decimal(repr(float(x)))


def test_overfitting_rule_at_extreme_deltas():
    from decimal import Decimal, getcontext

    getcontext().prec = 400  # 1 + 1e-300 needs 300 digits
    p = KAPLAN2020_ND
    kk, e = k.overfitting_rule(1e-300)  # used to raise ZeroDivisionError
    e_d = _dec(p.alpha_N) / _dec(p.alpha_D)
    ref = _dec(p.D_c) * _dec(p.N_c) ** (-e_d) / ((1 + _dec(1e-300)) ** (1 / _dec(p.alpha_D)) - 1)
    assert kk == pytest.approx(float(ref), rel=1e-12)
    with pytest.raises(ValueError, match=r"delta=1e\+300.*representable"):  # used to raise OverflowError
        k.overfitting_rule(1e300)


def test_early_stopping_steps_at_a_tiny_model_is_finite_and_right():
    from decimal import getcontext

    getcontext().prec = 400  # the two losses agree to about 230 digits
    nd, ns = KAPLAN2020_ND, KAPLAN2020_NS
    N, D = _dec(1e-300), _dec(1e10)
    l_nd = ((_dec(nd.N_c) / N) ** (_dec(nd.alpha_N) / _dec(nd.alpha_D)) + _dec(nd.D_c) / D) ** _dec(nd.alpha_D)
    gap = l_nd - (_dec(nd.N_c) / N) ** _dec(nd.alpha_N)
    ref = float(_dec(ns.S_c) / gap ** (1 / _dec(ns.alpha_S)))
    assert k.early_stopping_steps(1e-300, 1e10) == pytest.approx(ref, rel=1e-9)  # was NaN


@pytest.mark.parametrize(
    "call",
    [
        lambda: k.loss_ND(np.full(3, 1e9), np.full(2, 1e10)),
        lambda: k.overfitting(np.full(3, 1e9), np.full(2, 1e10)),
        lambda: k.early_stopping_steps(np.full(3, 1e9), np.full(2, 1e10)),
        lambda: k.loss_NS(np.full(3, 1e9), np.full(2, 1e4)),
        lambda: k.steps_to_loss(np.full(3, 1e9), np.full(2, 3.0)),
        lambda: k.min_steps(np.full(3, 1e4), np.full(2, 1e6), 3.0),
        lambda: k.min_compute(np.full(3, 1.0), 1e6, np.full(2, 3.0)),
        lambda: k.loss_at_compute(np.full(3, 1e9), np.full(2, 1.0)),
    ],
)
def test_shape_mismatches_name_the_arguments(call):
    # used to be NumPy's bare "operands could not be broadcast together"
    with pytest.raises(ValueError, match=r"must have the same shape or shapes that broadcast.*\(3,\).*\(2,\)"):
        call()


def test_fit_learning_curve_needs_distinct_steps():
    with pytest.raises(ValueError, match=r"S must hold at least 4 distinct"):
        k.fit_learning_curve([10, 10, 10, 10], [3.0, 2.9, 2.8, 2.7])


def test_kaplan_functions_refuse_wrong_constants():
    with pytest.raises(TypeError, match=r"constants must be a .*KaplanConstants.*got KaplanJointND"):
        k.loss_N(1e9, KAPLAN2020_ND)
    with pytest.raises(TypeError, match="params must be"):
        k.loss_ND(1e9, 1e10, None)


def test_extrapolation_errors_repeats_the_fit_seed_by_seed():
    errs = k.extrapolation_errors(1e8, 2e4, 0.005, seeds=5)
    assert list(errs["seed"]) == [0, 1, 2, 3, 4]
    # seed 3 by hand: the same draw, the same fit
    steps = np.exp(np.linspace(math.log(2e3), math.log(2e4), 25))
    noisy = k.loss_NS(1e8, steps) * np.exp(np.random.default_rng(3).normal(0.0, 0.005, 25))
    fit = k.fit_learning_curve(steps, noisy)
    row = errs.iloc[3]
    assert row["L_inf"] == pytest.approx(fit.L_inf, rel=1e-12)
    assert row["error_end"] == pytest.approx(abs(fit(2.5e5) / k.loss_NS(1e8, 2.5e5) - 1), rel=1e-9)
    floor = (KAPLAN2020_NS.N_c / 1e8) ** KAPLAN2020_NS.alpha_N
    assert row["error_floor"] == pytest.approx(abs(fit.L_inf / floor - 1), rel=1e-9)


def test_extrapolation_errors_without_noise_recover_the_truth():
    errs = k.extrapolation_errors(1e8, 2e4, 0.0, seeds=2)
    assert errs["error_end"].max() < 1e-6 and errs["error_floor"].max() < 1e-6
    assert errs["alpha_S"].to_numpy() == pytest.approx(KAPLAN2020_NS.alpha_S, rel=1e-6)


def test_extrapolation_errors_grow_with_noise_and_a_shorter_view():
    easy = k.extrapolation_errors(1e8, 2e4, 0.005, seeds=40)["error_floor"].quantile(0.95)
    hard = k.extrapolation_errors(1e8, 1e4, 0.01, seeds=40)["error_floor"].quantile(0.95)
    assert hard > 2 * easy


@pytest.mark.parametrize("kwargs, message", [
    ({"last_step": 1e3}, "last_step must be larger than first_step"),
    ({"noise": 1.5}, "noise must be in [0, 1]"),
    ({"points": 3}, "points"),
    ({"seeds": 0}, "seeds"),
])
def test_extrapolation_errors_refuse_bad_input(kwargs, message):
    args = {"N": 1e8, "last_step": 2e4, "noise": 0.005, **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        k.extrapolation_errors(**args)


def test_naive_crossing_solves_the_equal_loss_condition():
    from dataclasses import replace

    for constants in (KAPLAN2020, replace(KAPLAN2020, C_c=2.0e7, C_c_min=2.3e8)):
        c = k.naive_crossing(constants)
        assert math.isclose(k.loss_C(c, constants), k.loss_C_min(c, constants), rel_tol=1e-12)
        # below the crossing the naive law lies above L(C_min), as it should; above, below it
        assert k.loss_C(c / 10, constants) > k.loss_C_min(c / 10, constants)
        assert k.loss_C(c * 10, constants) < k.loss_C_min(c * 10, constants)
    assert math.isclose(k.naive_crossing(), 1.02e-2, rel_tol=0.01)  # Table 5's scales


def test_naive_crossing_refuses_parallel_laws_and_wrong_constants():
    from dataclasses import replace

    with pytest.raises(ValueError, match="parallel"):
        k.naive_crossing(replace(KAPLAN2020, alpha_C=KAPLAN2020.alpha_C_min))
    with pytest.raises(TypeError, match="constants must be"):
        k.naive_crossing(KAPLAN2020_ND)
