import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scaling import units
from scaling.units import PF_DAY, forward_flops, kaplan_params, training_compute


def test_pf_day_value():
    assert PF_DAY == 8.64e19
    assert units.to_pf_days(8.64e19) == 1.0
    assert units.from_pf_days(2.0) == 2 * 8.64e19


def test_training_compute_scalar_and_array():
    assert training_compute(70e9, 1.4e12) == pytest.approx(5.88e23)
    out = training_compute(np.array([1e9, 2e9]), 1e10)
    np.testing.assert_allclose(out, [6e19, 1.2e20])
    assert isinstance(training_compute(1, 1), float)


def test_tokens_for_compute_inverts_training_compute():
    assert units.tokens_for_compute(training_compute(3e9, 7e10), 3e9) == pytest.approx(7e10)


@pytest.mark.parametrize("bad", [0, -1, math.nan, math.inf])
def test_training_compute_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="N must be"):
        training_compute(bad, 1e9)
    with pytest.raises(ValueError, match="D must be"):
        training_compute(1e9, bad)


@pytest.mark.parametrize("func,names", [(training_compute, ("N", "D")), (units.tokens_for_compute, ("C", "N"))])
def test_two_array_functions_name_mismatched_shapes(func, names):
    first, second = names
    with pytest.raises(ValueError, match="same shape or shapes that broadcast") as info:
        func(np.full(3, 1e9), np.full(2, 1e9))
    msg = str(info.value)
    assert f"{first} (3,)" in msg and f"{second} (2,)" in msg


@pytest.mark.parametrize("func", [training_compute, units.tokens_for_compute])
def test_two_array_functions_broadcast_a_column_against_a_row(func):
    out = func(np.array([[1e20], [2e20]]), np.array([1e9, 2e9, 3e9]))
    assert out.shape == (2, 3)


@pytest.mark.parametrize("bad", [0, -1.0, math.nan, math.inf, -math.inf])
def test_tokens_for_compute_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="C must be"):
        units.tokens_for_compute(bad, 1e9)
    with pytest.raises(ValueError, match="N must be"):
        units.tokens_for_compute(1e20, bad)


@pytest.mark.parametrize("func,name", [(units.to_pf_days, "flops"), (units.from_pf_days, "pf_days")])
@pytest.mark.parametrize("bad,match", [(0.0, "positive"), (-1.0, "positive"), (math.nan, "finite"),
                                       (math.inf, "finite"), (-math.inf, "finite")])
def test_pf_day_conversions_reject_bad_values(func, name, bad, match):
    with pytest.raises(ValueError, match=f"{name} must be {match}"):
        func(bad)
    with pytest.raises(ValueError, match=f"{name} must be {match}"):
        func(np.array([1.0, bad]))


def test_pf_day_conversions_round_trip_arrays():
    flops = np.array([1e18, 8.64e19, 3e23])
    np.testing.assert_allclose(units.from_pf_days(units.to_pf_days(flops)), flops, rtol=1e-15)


@pytest.mark.parametrize("bad", [True, False, np.bool_(True), np.array([True, False]), [1e9, True]])
def test_booleans_are_not_sizes(bad):
    with pytest.raises(TypeError, match="booleans are not sizes"):
        training_compute(bad, 1e9)
    with pytest.raises(TypeError, match="booleans are not sizes"):
        units.to_pf_days(bad)


def test_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError, match="must be a number"):
        training_compute("seventy billion", 1e9)


def test_kaplan_params_standard_shape():
    # GPT-2 XL: 48 layers, d_model 1600 -> 12 * 48 * 1600^2 = 1.47e9 non-embedding parameters.
    assert kaplan_params(48, 1600) == 12 * 48 * 1600**2
    assert kaplan_params(2, 8, d_attn=8, d_ff=32) == 12 * 2 * 64


def test_kaplan_params_general_shape():
    assert kaplan_params(1, 10, d_attn=20, d_ff=30) == 2 * 10 * 1 * (2 * 20 + 30)


@pytest.mark.parametrize("args", [(0, 10), (2, -1), (1.5, 10), (True, 10)])
def test_kaplan_params_rejects_bad_shapes(args):
    with pytest.raises((ValueError, TypeError), match="positive whole number"):
        kaplan_params(*args)


def test_forward_flops_matches_table_1():
    f = forward_flops(n_layer=12, d_model=768, n_ctx=1024, n_vocab=50257)
    n = kaplan_params(12, 768)
    assert f.without_context == pytest.approx(2 * n)
    assert f.non_embedding == pytest.approx(2 * n + 2 * 12 * 1024 * 768)
    assert f.total == pytest.approx(f.non_embedding + 4 * 768 + 2 * 768 * 50257)
    # Context term relative to 2N is n_ctx / (12 d_model) for the standard shape.
    assert f.attention_mask / f.without_context == pytest.approx(1024 / (12 * 768))
    # context_fraction is relative to the whole non-embedding cost, as its docstring says.
    assert f.context_fraction == pytest.approx(f.attention_mask / f.non_embedding)
    assert f.context_fraction == pytest.approx(1024 / (12 * 768 + 1024))
    assert 0 < f.context_fraction < 1


def test_forward_flops_rejects_bad_context():
    with pytest.raises(ValueError, match="n_ctx"):
        forward_flops(12, 768, n_ctx=0)


@given(
    n_layer=st.integers(1, 200),
    d_model=st.integers(1, 50_000),
)
def test_standard_shape_is_12_l_d_squared(n_layer, d_model):
    assert kaplan_params(n_layer, d_model) == 12 * n_layer * d_model**2


# ------------------------------------------------------------------ regression tests (issue 10, section 3)
def test_training_compute_beyond_double_precision_is_an_error():
    with pytest.raises(ValueError, match=r"N=1e\+300, D=1e\+300.*not representable"):  # was inf
        training_compute(1e300, 1e300)


@pytest.mark.parametrize(
    "bad, what",
    [
        (np.array([5e9 + 1j]), "complex"),  # was 3e22: the imaginary part silently dropped
        (5e9 + 0j, "complex"),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), "date"),  # was read as a count of days
        (np.timedelta64(5, "s"), "date"),
        (np.array([]), "empty"),
    ],
)
def test_training_compute_refuses_complex_dates_and_empty(bad, what):
    with pytest.raises((TypeError, ValueError), match=rf"N must .*{what}"):
        training_compute(bad, 1e12)


def test_kaplan_params_refuses_infinite_layers():
    with pytest.raises(ValueError, match=r"n_layer must be a positive whole number \(>= 1\), got inf"):  # was OverflowError
        kaplan_params(float("inf"), 768)
    with pytest.raises(TypeError, match="n_layer"):
        kaplan_params("12", 768)


def test_total_params_counts_blocks_and_embeddings():
    from scaling import published
    from scaling.units import kaplan_params, total_params

    gpt3 = published.MODELS["GPT-3 175B"]
    n = total_params(gpt3.n_layer, gpt3.d_model, gpt3.n_vocab, gpt3.n_ctx)
    assert n == kaplan_params(gpt3.n_layer, gpt3.d_model) + (gpt3.n_vocab + gpt3.n_ctx) * gpt3.d_model
    assert abs(n / gpt3.params - 1) < 0.01  # 174.6 B against the printed 175 B
    chinchilla = published.MODELS["Chinchilla"]  # relative positions: no position embeddings
    assert total_params(chinchilla.n_layer, chinchilla.d_model, chinchilla.n_vocab, per_layer=13) == (
        13 * 80 * 8192**2 + 32000 * 8192)
    with pytest.raises(ValueError, match="n_ctx must be a whole number >= 0, got -1"):
        total_params(2, 64, 256, -1)
