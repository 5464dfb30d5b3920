"""Tests for scaling.devries: the data factor, the overhead, the asymptote, placing models, inference."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scaling import ChinchillaLaw, compute_overhead, data_factor
from scaling import devries as dv
from scaling.published import CHINCHILLA_LAWS, DEVRIES2023, HOFFMANN2022, MODELS

LAWS = list(CHINCHILLA_LAWS.values())


def test_data_factor_matches_the_formula_by_hand():
    a, b = DEVRIES2023.alpha, DEVRIES2023.beta
    k = 0.5
    expected = (1 - (b / a) * (k**-a - 1)) ** (-1 / b)
    assert data_factor(k, DEVRIES2023) == pytest.approx(expected, rel=1e-13)
    assert compute_overhead(k, DEVRIES2023) == pytest.approx(k * expected - 1, rel=1e-13)


def test_scalar_in_float_out_and_arrays_keep_shape():
    assert isinstance(data_factor(0.5, DEVRIES2023), float)
    assert isinstance(compute_overhead(np.float64(0.5), DEVRIES2023), float)
    k = np.array([[0.4, 0.5], [0.75, 1.0]])
    out = compute_overhead(k, DEVRIES2023)
    assert out.shape == (2, 2)
    assert out[1, 1] == pytest.approx(0.0, abs=1e-15)
    np.testing.assert_allclose(out.ravel(), [compute_overhead(x, DEVRIES2023) for x in k.ravel()])


@pytest.mark.parametrize("law", LAWS)
def test_loss_is_kept_at_every_budget(law):
    """The shrunk model reaches exactly the optimal loss: the defining property, checked through law.loss."""
    for C in [1e19, 1e22, 1e25, 1e28]:
        for k in [0.3, 0.5, 0.9, 2.0]:
            m = dv.shrunk_model(k, C, law)
            assert law.loss(m.N, m.D) == pytest.approx(m.loss, rel=1e-12)
            assert m.compute == pytest.approx((1 + m.overhead) * C, rel=1e-12)


def test_data_factor_does_not_depend_on_budget():
    C = np.logspace(15, 30, 16)
    for law in LAWS:
        direct = dv.data_factor_at_budget(0.5, C, law)
        np.testing.assert_allclose(direct, data_factor(0.5, law), rtol=1e-9)
        np.testing.assert_allclose(dv.optimum_term_ratio(C, law), law.beta / law.alpha, rtol=1e-12)


def test_data_factor_does_not_depend_on_E():
    other = ChinchillaLaw(E=0.0, A=DEVRIES2023.A, B=DEVRIES2023.B, alpha=DEVRIES2023.alpha, beta=DEVRIES2023.beta)
    assert data_factor(0.4, other) == data_factor(0.4, DEVRIES2023)


@pytest.mark.parametrize("bad", [0.0, -0.5, math.nan, math.inf, -math.inf])
def test_non_positive_or_non_finite_k_N_raise(bad):
    with pytest.raises(ValueError, match="k_N"):
        data_factor(bad, DEVRIES2023)
    with pytest.raises(ValueError, match="k_N"):
        compute_overhead(bad, DEVRIES2023)


def test_below_the_asymptote_raises_and_says_why():
    k_star = dv.asymptote(DEVRIES2023)
    for k in [k_star, k_star * 0.999, 0.05, np.array([0.5, 0.05])]:
        with pytest.raises(ValueError, match="asymptote.*finite number of tokens"):
            compute_overhead(k, DEVRIES2023)
    # just above, the overhead is finite and enormous
    assert compute_overhead(k_star * 1.001, DEVRIES2023) > 100


def test_asymptote_formula_and_divergence():
    for law in LAWS:
        k_star = dv.asymptote(law)
        assert (1 + law.alpha / law.beta) * k_star**law.alpha == pytest.approx(1.0, rel=1e-12)
        curve = dv.overhead_curve(np.array([k_star * 0.9, k_star * 0.999, k_star * 1.01, 0.5]), law)
        assert np.isinf(curve[:2]).all()
        assert np.isfinite(curve[2:]).all()
        assert curve[3] == pytest.approx(compute_overhead(0.5, law))


def test_type_of_law_is_checked():
    with pytest.raises(TypeError, match="ChinchillaLaw"):
        data_factor(0.5, {"alpha": 0.3})


def test_a_fit_instead_of_its_law_suggests_fit_law():
    from scaling.fitting import ParametricFit

    fit = ParametricFit(law=DEVRIES2023, objective=0.0)
    for call in (lambda: data_factor(0.5, fit), lambda: compute_overhead(0.5, fit), lambda: dv.asymptote(fit),
                 lambda: dv.critical_model_size(fit)):
        with pytest.raises(TypeError, match=r"got ParametricFit.*pass fit\.law"):
            call()
    assert data_factor(0.5, fit.law) == data_factor(0.5, DEVRIES2023)


def test_swapped_arguments_say_the_order():
    for f in (data_factor, compute_overhead):
        with pytest.raises(TypeError, match=r"\(k_N, law\), in that order"):
            f(DEVRIES2023, 0.5)


@pytest.mark.parametrize("bad", [None, True, False, np.True_, "0.5", b"0.5", [0.5, None], [0.5, True],
                                 np.array([True, False]), np.array(["0.5"]), np.array([0.5, None], dtype=object)])
def test_k_N_that_is_not_a_number_is_a_type_error(bad):
    """None used to read as NaN ("NaN or infinite"), a string as its number: both are type errors."""
    for f in (data_factor, compute_overhead, dv.overhead_curve):
        with pytest.raises(TypeError, match="k_N must be a number"):
            f(bad, DEVRIES2023)


def test_numeric_k_N_of_any_numeric_type_is_accepted():
    expected = data_factor(0.5, DEVRIES2023)
    for k in (0.5, np.float32(0.5), np.array(0.5), [0.5], (0.5,), np.array([0.5], dtype=object)):
        assert np.asarray(data_factor(k, DEVRIES2023)).item() == pytest.approx(expected, rel=1e-7)
    assert data_factor(1, DEVRIES2023) == pytest.approx(1.0)  # an int is a number, not a flag


@settings(max_examples=60, deadline=None)
@given(k1=st.floats(0.11, 0.999), k2=st.floats(0.11, 0.999))
def test_overhead_falls_monotonically_towards_one(k1, k2):
    lo, hi = sorted((k1, k2))
    if hi - lo < 1e-9:
        return
    assert compute_overhead(lo, DEVRIES2023) > compute_overhead(hi, DEVRIES2023) >= 0


def test_overhead_has_its_minimum_at_one():
    k = np.linspace(0.5, 3.0, 251)
    ov = compute_overhead(k, HOFFMANN2022)
    assert k[np.argmin(ov)] == pytest.approx(1.0, abs=0.01)
    assert (ov >= -1e-12).all()


def test_critical_model_size_reaches_the_level():
    for law in LAWS:
        for level in [0.1, 1.0, 5.0]:
            k = dv.critical_model_size(law, level)
            assert dv.asymptote(law) < k < 1
            assert compute_overhead(k, law) == pytest.approx(level, rel=1e-9)
    with pytest.raises(ValueError, match="overhead"):
        dv.critical_model_size(DEVRIES2023, 0.0)
    with pytest.raises(ValueError, match="overhead"):
        dv.critical_model_size(DEVRIES2023, math.nan)


def test_compute_for_loss_inverts_optimal_loss():
    C = np.logspace(18, 27, 10)
    for law in LAWS:
        np.testing.assert_allclose(dv.compute_for_loss(law.optimal_loss(C), law), C, rtol=1e-10)
    with pytest.raises(ValueError, match="irreducible"):
        dv.compute_for_loss(1.0, HOFFMANN2022)


def test_shrink_is_consistent_with_the_curve():
    for law in LAWS:
        for m in MODELS.values():
            if m.tokens is None:
                continue
            p = dv.shrink(m.params, m.tokens, law)
            assert p.k_D == pytest.approx(data_factor(p.k_N, law), rel=1e-9)
            assert p.overhead == pytest.approx(compute_overhead(p.k_N, law), rel=1e-8, abs=1e-12)
            assert law.loss(p.N_opt, p.D_opt) == pytest.approx(p.loss, rel=1e-12)
            assert p.beyond_critical == (p.k_N < dv.critical_model_size(law))


def test_shrink_of_a_compute_optimal_model_is_the_identity():
    n, d = DEVRIES2023.optimal_allocation(1e23)
    p = dv.shrink(n, d, DEVRIES2023)
    assert p.k_N == pytest.approx(1.0, rel=1e-9)
    assert p.overhead == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("N,D", [(0, 1e12), (7e9, -1), (math.nan, 1e12), (7e9, math.inf)])
def test_shrink_rejects_bad_sizes(N, D):
    with pytest.raises(ValueError):
        dv.shrink(N, D, DEVRIES2023)


def test_shrink_of_enormous_models():
    """Far beyond any real model the placement still works (the reducible loss is not computed as L - E) ..."""
    for n in (1e50, 1e150):
        p = dv.shrink(n, n, DEVRIES2023)
        assert np.isfinite([p.k_N, p.overhead, p.iso_loss_compute]).all() and p.overhead > 0
        # the iso-loss optimum reaches the model's reducible loss
        r = DEVRIES2023.A * n ** -DEVRIES2023.alpha + DEVRIES2023.B * n ** -DEVRIES2023.beta
        r_opt = DEVRIES2023.A * p.N_opt ** -DEVRIES2023.alpha + DEVRIES2023.B * p.D_opt ** -DEVRIES2023.beta
        assert r_opt == pytest.approx(r, rel=1e-9)
    # ... until 6 N D overflows, which is said in those terms
    with pytest.raises(ValueError, match=r"6 N D = 6 x 1e\+300 parameters x 1e\+300 tokens.*1\.8e308"):
        dv.shrink(1e300, 1e300, DEVRIES2023)


def test_best_model_fraction_limits_and_monotone():
    rho = np.array([0.0, 0.01, 1.0, 100.0, 1e6])
    k = dv.best_model_fraction(rho, DEVRIES2023)
    assert k[0] == 1.0
    assert (np.diff(k) < 0).all()
    # with ever more inference the best model creeps down towards the asymptote, slowly
    assert dv.asymptote(DEVRIES2023) < k[-1] < 1.15 * dv.asymptote(DEVRIES2023)
    with pytest.raises(ValueError, match=">= 0"):
        dv.best_model_fraction(-1.0, DEVRIES2023)


def test_best_model_fraction_is_a_minimum_of_the_lifetime_cost():
    rho = 3.0
    k = dv.best_model_fraction(rho, DEVRIES2023)
    grid = np.linspace(0.15, 1.0, 4001)
    cost = grid * data_factor(grid, DEVRIES2023) + grid * rho / 3
    assert k == pytest.approx(grid[np.argmin(cost)], abs=1e-3)


def test_optimal_with_inference_beats_chinchilla_and_keeps_the_loss():
    plan = dv.optimal_with_inference(2.0, 1e13, HOFFMANN2022)
    assert HOFFMANN2022.loss(plan.N, plan.D) == pytest.approx(2.0, rel=1e-10)
    assert plan.total_flops <= plan.chinchilla_total_flops
    assert 0 < plan.saving < 1
    none = dv.optimal_with_inference(2.0, 0.0, HOFFMANN2022)
    assert none.k_N == 1.0 and none.saving == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError):
        dv.optimal_with_inference(1.5, 1e12, HOFFMANN2022)
    with pytest.raises(ValueError):
        dv.optimal_with_inference(2.0, -1.0, HOFFMANN2022)


def test_nearest_shrunk_model_is_on_the_curve_and_nearest():
    m = dv.nearest_shrunk_model(1.1e9, 236e9, DEVRIES2023)
    assert m.C == pytest.approx(6 * 1.1e9 * 236e9)
    assert DEVRIES2023.loss(m.N, m.D) == pytest.approx(m.loss, rel=1e-12)

    def dist(k):
        s = dv.shrunk_model(k, m.C, DEVRIES2023)
        return np.log(s.N / 1.1e9) ** 2 + np.log(s.D / 236e9) ** 2

    for k in [m.k_N * 0.98, m.k_N * 1.02]:
        assert dist(k) > dist(m.k_N)
    with pytest.raises(ValueError):
        dv.nearest_shrunk_model(-1, 1e12, DEVRIES2023)


def test_inference_ratio_for_fraction_inverts_best_model_fraction():
    rho = np.array([0.05, 1.0, 30.0, 1000.0])
    for law in LAWS:
        k = dv.best_model_fraction(rho, law)
        np.testing.assert_allclose(dv.inference_ratio_for_fraction(k, law), rho, rtol=1e-5)
    assert dv.inference_ratio_for_fraction(1.0, DEVRIES2023) == 0.0
    with pytest.raises(ValueError, match="above 1"):
        dv.inference_ratio_for_fraction(1.5, DEVRIES2023)
    with pytest.raises(ValueError, match="asymptote"):
        dv.inference_ratio_for_fraction(0.05, DEVRIES2023)


# ------------------------------------------------------------------ regression tests (issue 10, section 3)
LOW_BETA = ChinchillaLaw(E=1.7, A=400.0, B=400.0, alpha=0.34, beta=0.035)


def test_shrink_under_a_law_with_a_small_beta():
    p = dv.shrink(7e9, 1e12, LOW_BETA)  # raised OverflowError for any beta below about 0.039
    assert math.isfinite(p.overhead) and p.overhead >= 0
    assert LOW_BETA.loss(p.N_opt, p.D_opt) == pytest.approx(p.loss, rel=1e-12)
    assert p.compute / p.iso_loss_compute - 1 == pytest.approx(p.overhead, rel=1e-9, abs=1e-12)
    k = dv.critical_model_size(LOW_BETA)
    assert dv.compute_overhead(k, LOW_BETA) == pytest.approx(1.0, rel=1e-9)


def test_a_tiny_alpha_gives_the_limit_not_rounding_noise():
    law = ChinchillaLaw(E=1.7, A=400.0, B=400.0, alpha=1e-300, beta=0.3)
    # as alpha -> 0: k_N* -> exp(-1/beta) and k_D -> (1 + beta ln k_N)**(-1/beta)
    assert dv.asymptote(law) == pytest.approx(math.exp(-1 / 0.3), rel=1e-12)  # was 1.0
    expected = 0.5 * (1 + 0.3 * math.log(0.5)) ** (-1 / 0.3) - 1
    assert dv.compute_overhead(0.5, law) == pytest.approx(expected, rel=1e-12)  # was -0.5


def test_shrink_names_what_the_caller_passed():
    with pytest.raises(ValueError) as info:  # said "C must be positive": the caller passed no C
        dv.shrink(1e-300, 1e12, HOFFMANN2022)
    msg = str(info.value)
    assert "N=1e-300" in msg and "D=1e+12" in msg and "representable" in msg
    assert "C must" not in msg
