import math

import numpy as np
import pytest

from scaling import fit_power_law
from scaling.powerlaw import power_law


def test_exact_power_law_is_recovered():
    x = np.logspace(6, 10, 9)
    fit = fit_power_law(x, 3.0 * x**-0.076)
    assert fit.exponent == pytest.approx(-0.076, abs=1e-12)
    assert fit.prefactor == pytest.approx(3.0, rel=1e-10)
    assert fit.r2 == pytest.approx(1.0)
    assert fit(1e8) == pytest.approx(3.0 * 1e8**-0.076)


def test_standard_errors_cover_the_truth():
    rng = np.random.default_rng(0)
    x = np.logspace(18, 22, 40)
    y = 2e-8 * x**0.5 * np.exp(rng.normal(0, 0.05, x.size))
    fit = fit_power_law(x, y)
    lo, hi = fit.exponent_interval(0.99)
    assert lo < 0.5 < hi
    assert 0 < fit.exponent_se < 0.02
    assert fit.prefactor_se == pytest.approx(fit.prefactor * fit.log_prefactor_se)


def test_two_points_give_exact_line_and_nan_errors():
    fit = fit_power_law([1, 10], [5, 50])
    assert fit.exponent == pytest.approx(1.0)
    assert math.isnan(fit.exponent_se)
    with pytest.raises(ValueError, match="at least 3"):
        fit.exponent_interval()


def test_inverse():
    fit = fit_power_law([1, 10, 100], [2, 20, 200])
    assert fit.inverse(20.0) == pytest.approx(10.0)


@pytest.mark.parametrize(
    "x,y,match",
    [([1, 2, -3], [1, 2, 3], "x must be positive"), ([1, 2, 3], [1, np.nan, 3], "y must be finite"),
     ([1, 2, 3], [1, 2], "same shape"), ([1], [1], "at least 2"), ([2, 2, 2], [1, 2, 3], "distinct x")],
)
def test_bad_input(x, y, match):
    with pytest.raises(ValueError, match=match):
        fit_power_law(x, y)


def test_shapes_checked_before_flattening():
    """(2, 3) and (3, 2) have the same size; flattening both would silently pair the wrong points."""
    x = np.arange(1.0, 7.0).reshape(2, 3)
    with pytest.raises(ValueError, match=r"same shape, got x \(2, 3\), y \(3, 2\)"):
        fit_power_law(x, 2.0 * x.T)
    with pytest.raises(ValueError, match="same shape"):
        fit_power_law(x.ravel(), (2.0 * x).reshape(6, 1))


def test_same_shape_2d_inputs_are_paired_elementwise():
    x = np.logspace(0, 5, 6).reshape(2, 3)
    fit = fit_power_law(x, 2.0 * x**0.5)
    assert fit.exponent == pytest.approx(0.5)
    assert fit.n == 6


def test_booleans_are_refused():
    with pytest.raises(TypeError, match="booleans are not sizes"):
        fit_power_law([1.0, 2.0, True], [1.0, 2.0, 3.0])


def test_power_law_function():
    assert power_law(4.0, 2.0, 0.5) == pytest.approx(4.0)
    with pytest.raises(ValueError):
        power_law(0.0, 1.0, 1.0)


def test_interval_level_checked():
    fit = fit_power_law([1, 2, 3, 4], [1, 2, 3, 4.5])
    with pytest.raises(ValueError, match="level"):
        fit.exponent_interval(1.5)


# ------------------------------------------------------------------ regression tests (issue 10, section 3)
def test_power_law_refuses_a_nan_prefactor():
    with pytest.raises(ValueError, match="prefactor must be finite.*nan"):  # returned nan
        power_law(10, float("nan"), 1)


def test_fit_power_law_with_an_unrepresentable_prefactor_says_so():
    # y = 1e310 x: the prefactor is beyond double precision (was a bare OverflowError)
    with pytest.raises(ValueError, match=r"x=.*y=.*not representable.*prefactor"):
        fit_power_law([1e-300, 1e-299, 1e-298], [1e10, 1e11, 1e12])
