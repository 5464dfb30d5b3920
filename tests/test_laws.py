import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scaling import ChinchillaLaw
from scaling.published import HOFFMANN2022


def law(**kw):
    base = dict(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
    base.update(kw)
    return ChinchillaLaw(**base)


def test_loss_scalar_matches_formula():
    N, D = 70e9, 1.4e12
    expected = 1.69 + 406.4 / N**0.34 + 410.7 / D**0.28
    assert HOFFMANN2022.loss(N, D) == pytest.approx(expected, rel=1e-12)
    assert isinstance(HOFFMANN2022.loss(N, D), float)


def test_loss_vectorised_and_broadcasts():
    N = np.array([1e9, 1e10])
    D = np.array([2e10, 2e11])
    out = HOFFMANN2022.loss(N, D)
    assert out.shape == (2,)
    grid = HOFFMANN2022.loss(N[:, None], D[None, :])
    assert grid.shape == (2, 2)
    np.testing.assert_allclose(np.diag(grid), out)


def test_loss_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape or shapes that broadcast") as info:
        HOFFMANN2022.loss(np.ones(3) * 1e9, np.ones(2) * 1e9)
    assert "N (3,)" in str(info.value) and "D (2,)" in str(info.value)


@pytest.mark.parametrize("flag", [True, False, np.bool_(True), np.array([True, True])])
def test_loss_refuses_booleans(flag):
    """``True`` would otherwise be read as 1 parameter (or 1 token) and give a finite loss."""
    with pytest.raises(TypeError, match="N must be a number.*booleans are not sizes"):
        HOFFMANN2022.loss(flag, 1e9)
    with pytest.raises(TypeError, match="D must be a number"):
        HOFFMANN2022.loss(1e9, flag)


@pytest.mark.parametrize("bad", [0.0, -5.0, math.nan, math.inf])
def test_loss_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="N must be"):
        HOFFMANN2022.loss(bad, 1e9)


@pytest.mark.parametrize(
    "field,value,match",
    [("A", 0.0, "A must be > 0"), ("alpha", -0.1, "alpha must be > 0"), ("E", -1.0, "E is an irreducible"),
     ("beta", math.nan, "finite"), ("B", math.inf, "finite")],
)
def test_law_rejects_bad_parameters(field, value, match):
    with pytest.raises(ValueError, match=match):
        law(**{field: value})


def test_law_rejects_non_numbers():
    with pytest.raises(TypeError, match="real number"):
        law(A="406")


def test_law_is_frozen_and_source_not_in_equality():
    a = law(source="x")
    b = law(source="y")
    assert a == b
    with pytest.raises(AttributeError):
        a.E = 2.0  # type: ignore[misc]


def test_allocation_exponents():
    assert HOFFMANN2022.a == pytest.approx(0.28 / 0.62)
    assert HOFFMANN2022.b == pytest.approx(0.34 / 0.62)


def test_optimal_allocation_is_the_numerical_minimum():
    C = 5.76e23
    n_opt, d_opt = HOFFMANN2022.optimal_allocation(C)
    ns = n_opt * np.logspace(-0.3, 0.3, 601)
    losses = HOFFMANN2022.loss(ns, C / (6 * ns))
    assert ns[np.argmin(losses)] == pytest.approx(n_opt, rel=2e-3)


def test_compute_for_params_inverts_allocation():
    n_opt, _ = HOFFMANN2022.optimal_allocation(1e22)
    assert HOFFMANN2022.compute_for_params(n_opt) == pytest.approx(1e22, rel=1e-10)


def test_tokens_per_parameter_and_optimal_loss():
    C = 1e21
    n, d = HOFFMANN2022.optimal_allocation(C)
    assert HOFFMANN2022.tokens_per_parameter(C) == pytest.approx(d / n)
    assert HOFFMANN2022.optimal_loss(C) == pytest.approx(HOFFMANN2022.loss(n, d))


def test_optimal_allocation_rejects_bad_budget():
    with pytest.raises(ValueError, match="C must be positive"):
        HOFFMANN2022.optimal_allocation(-1.0)


def test_from_log_params_round_trip():
    l2 = ChinchillaLaw.from_log_params(math.log(406.4), math.log(410.7), math.log(1.69), 0.34, 0.28)
    assert l2.as_dict() == pytest.approx(HOFFMANN2022.as_dict())


laws = st.builds(
    ChinchillaLaw,
    E=st.floats(0, 5),
    A=st.floats(1, 1e4),
    B=st.floats(1, 1e4),
    alpha=st.floats(0.05, 1.0),
    beta=st.floats(0.05, 1.0),
)


@settings(max_examples=200, deadline=None)
@given(law=laws, log_c=st.floats(15, 30))
def test_allocation_properties(law, log_c):
    C = 10.0**log_c
    n, d = law.optimal_allocation(C)
    assert 6 * n * d == pytest.approx(C, rel=1e-9)
    assert law.a + law.b == pytest.approx(1.0)
    # Stationarity of the constrained optimum: alpha A N^-alpha = beta B D^-beta.
    assert law.alpha * law.A * n ** (-law.alpha) == pytest.approx(law.beta * law.B * d ** (-law.beta), rel=1e-8)
    # Scaling the budget by 10 scales N_opt by 10**a.
    n10, _ = law.optimal_allocation(10 * C)
    assert n10 / n == pytest.approx(10**law.a, rel=1e-9)
