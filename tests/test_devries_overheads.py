"""Tests for scaling.devries.same_budget_placement and the two readings of a model's compute overhead."""

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scaling import devries as dv
from scaling.published import CHINCHILLA_LAWS, DEVRIES2023, MODELS

LAWS = list(CHINCHILLA_LAWS.values())


def by_hand(N, D, law):
    """The same-budget overhead written out from eq. 4 of Hoffmann et al. and the post's k_D."""
    a, b = law.alpha, law.beta
    G = (a * law.A / (b * law.B)) ** (1 / (a + b))
    n_opt = G * (6 * N * D / 6) ** (b / (a + b))
    k = N / n_opt
    ratio = (law.A / law.B) * G ** (-a - b)  # A N_opt^-a / (B D_opt^-b), = beta / alpha
    k_d = (1 - (k**-a - 1) * ratio) ** (-1 / b)
    return k, k * k_d - 1


@pytest.mark.parametrize("name, expected", [("LLaMA-7B", 0.144), ("SantaCoder", 0.459)])
def test_the_two_examples_of_the_post_by_the_same_budget_reading(name, expected):
    m = MODELS[name]
    p = dv.same_budget_placement(m.params, m.tokens, DEVRIES2023)
    k, overhead = by_hand(m.params, m.tokens, DEVRIES2023)
    assert p.k_N == pytest.approx(k, rel=1e-12)
    assert p.overhead == pytest.approx(overhead, rel=1e-12)
    assert p.overhead == pytest.approx(expected, abs=5e-4)  # the space's figures, to their printed digits
    assert p.k_N == pytest.approx(dv.shrink(m.params, m.tokens, DEVRIES2023).k_N_same_budget, rel=1e-14)


@pytest.mark.parametrize("name", ["LLaMA-7B", "SantaCoder", "Llama 2 7B", "Llama 3 70B"])
def test_same_budget_reads_higher_than_equal_loss_for_these_small_models(name):
    m = MODELS[name]
    same = dv.same_budget_placement(m.params, m.tokens, DEVRIES2023).overhead
    equal = dv.shrink(m.params, m.tokens, DEVRIES2023).overhead
    assert same > equal > 0


@pytest.mark.parametrize("law", LAWS)
def test_the_result_is_a_model_of_the_same_size_at_the_budgets_optimal_loss(law):
    for N, D in [(1e9, 1e11), (7e9, 2e12), (7e10, 1.4e12), (1.75e11, 3e11)]:
        C = 6 * N * D
        p = dv.same_budget_placement(N, D, law)
        n_opt, d_opt = law.optimal_allocation(C)
        assert p.C == pytest.approx(C, rel=1e-15)
        assert p.N == pytest.approx(N, rel=1e-12)
        assert p.loss == pytest.approx(float(law.loss(n_opt, d_opt)), rel=1e-14)
        assert float(law.loss(p.N, p.D)) == pytest.approx(p.loss, rel=1e-11)
        assert p.compute == pytest.approx((1 + p.overhead) * C, rel=1e-12)


@pytest.mark.parametrize("law", LAWS)
def test_both_readings_vanish_on_the_compute_optimal_line(law):
    for C in [1e20, 1e23, 1e26]:
        n_opt, d_opt = (float(x) for x in law.optimal_allocation(C))
        assert dv.same_budget_placement(n_opt, d_opt, law).overhead == pytest.approx(0.0, abs=1e-12)
        assert dv.shrink(n_opt, d_opt, law).overhead == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=0.0, max_value=5.0), st.floats(min_value=8.0, max_value=12.0),
       st.floats(min_value=0.5, max_value=3.5))
def test_neither_reading_depends_on_E(E, log_n, log_ratio):
    """E cancels from both placements: every field but the loss is the same for any E."""
    N = 10.0**log_n
    D = N * 10.0**log_ratio
    base, shifted = DEVRIES2023, replace(DEVRIES2023, E=E)
    a, b = dv.shrink(N, D, base), dv.shrink(N, D, shifted)
    for field in ("k_N", "k_D", "overhead", "iso_loss_compute", "k_N_same_budget"):
        assert getattr(b, field) == pytest.approx(getattr(a, field), rel=1e-9)
    assert b.loss - a.loss == pytest.approx(E - base.E, abs=1e-9)
    try:
        s_a = dv.same_budget_placement(N, D, base)
    except ValueError:
        with pytest.raises(ValueError):
            dv.same_budget_placement(N, D, shifted)
        return
    s_b = dv.same_budget_placement(N, D, shifted)
    assert s_b.overhead == pytest.approx(s_a.overhead, rel=1e-12)
    assert s_b.k_N == pytest.approx(s_a.k_N, rel=1e-12)


def test_a_model_below_the_asymptote_of_its_own_budget_has_no_same_budget_overhead():
    C = 1e24
    n_opt, d_opt = (float(x) for x in DEVRIES2023.optimal_allocation(C))
    N = 0.5 * dv.asymptote(DEVRIES2023) * n_opt
    D = C / (6 * N)
    with pytest.raises(ValueError, match="asymptote"):
        dv.same_budget_placement(N, D, DEVRIES2023)
    assert math.isfinite(dv.shrink(N, D, DEVRIES2023).overhead)  # the equal-loss reading still places it


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf, np.array([1e9, 2e9])])
def test_bad_sizes_raise_value_error_naming_the_argument(bad):
    with pytest.raises(ValueError, match="N"):
        dv.same_budget_placement(bad, 1e11, DEVRIES2023)
    with pytest.raises(ValueError, match="D"):
        dv.same_budget_placement(1e9, bad, DEVRIES2023)


@pytest.mark.parametrize("bad", [None, "1e9", True, 1e9 + 1j])
def test_non_numbers_raise(bad):
    with pytest.raises((TypeError, ValueError)):
        dv.same_budget_placement(bad, 1e11, DEVRIES2023)


def test_law_must_be_a_law_and_overflow_is_refused():
    with pytest.raises(TypeError, match="law"):
        dv.same_budget_placement(1e9, 1e11, (1.0, 2.0))
    with pytest.raises(ValueError, match="double-precision"):
        dv.same_budget_placement(1e200, 1e200, DEVRIES2023)
