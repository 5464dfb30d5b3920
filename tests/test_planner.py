"""scaling.planner (the command line's closed forms without SciPy) against scaling.devries; its root finder;
the fitted range; a law saved as JSON; and ``import scaling`` loading its submodules only when used."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scaling import devries as dv
from scaling import planner as pl
from scaling.laws import ChinchillaLaw
from scaling.published import BESIROGLU2024, CHINCHILLA_LAWS, DEVRIES2023, HOFFMANN2022

LAWS = list(CHINCHILLA_LAWS.values())
K = [0.1, 0.15, 0.2, 0.3, 0.305, 0.5, 0.75, 0.99, 0.999999, 1.0, 1.000001, 1.5, 3.0, 1e3, 1e9]

# laws far from the book's, but with exponents and scales a fit could produce
laws_st = st.builds(
    ChinchillaLaw,
    E=st.floats(0.0, 5.0),
    A=st.floats(1e-2, 1e6),
    B=st.floats(1e-2, 1e6),
    alpha=st.floats(0.02, 3.0),
    beta=st.floats(0.02, 3.0),
)


def rel(a: float, b: float) -> float:
    return abs(a / b - 1.0) if b else abs(a)


# ---------------------------------------------------------------- the closed forms agree with devries
@pytest.mark.parametrize("law", LAWS, ids=list(CHINCHILLA_LAWS))
def test_curve_agrees_with_devries(law):
    assert rel(pl.asymptote(law), dv.asymptote(law)) < 1e-15
    assert rel(pl.critical_model_size(law), dv.critical_model_size(law)) < 1e-13
    for level in (0.01, 0.5, 1.0, 10.0, 1e6):
        assert rel(pl.critical_model_size(law, level), dv.critical_model_size(law, level)) < 1e-12
    for k in K:
        if k <= dv.asymptote(law):
            with pytest.raises(ValueError, match="asymptote"):
                pl.data_factor(k, law)
            continue
        assert rel(pl.data_factor(k, law), dv.data_factor(k, law)) < 1e-14
        assert abs(pl.compute_overhead(k, law) - dv.compute_overhead(k, law)) <= 1e-14 * max(
            1.0, dv.compute_overhead(k, law))


@pytest.mark.parametrize("law", LAWS, ids=list(CHINCHILLA_LAWS))
def test_placements_agree_with_devries(law):
    for n, d in [(6.9e9, 1e12), (8e9, 15e12), (175e9, 300e9), (1.1e9, 236e9), (70e9, 1.4e12), (1.0, 1.0),
                 (1e150, 1e150), (1e-3, 1e-3)]:
        ours, ref = pl.shrink(n, d, law), dv.shrink(n, d, law).as_dict()
        assert ours.keys() == ref.keys()
        for key, value in ref.items():
            if isinstance(value, bool):
                assert ours[key] == value, key
            else:
                assert rel(ours[key], value) < 1e-12 or abs(ours[key] - value) < 1e-13, (n, d, key)
        try:
            ref_same = dv.same_budget_placement(n, d, law).as_dict()
        except ValueError as exc:
            with pytest.raises(ValueError, match="asymptote" if "asymptote" in str(exc) else "representable"):
                pl.same_budget_placement(n, d, law)
            continue
        ours_same = pl.same_budget_placement(n, d, law)
        for key, value in ref_same.items():
            assert rel(ours_same[key], value) < 1e-12 or abs(ours_same[key] - value) < 1e-13, (n, d, key)


@pytest.mark.parametrize("law", LAWS, ids=list(CHINCHILLA_LAWS))
def test_budgets_and_shrunk_models_agree_with_devries(law):
    for loss in (law.E + 1e-6, law.E + 0.1, 2.0, 3.0, 100.0):
        if loss <= law.E:
            continue
        assert rel(pl.compute_for_loss(loss, law), dv.compute_for_loss(loss, law)) < 1e-12
    with pytest.raises(ValueError, match="irreducible"):
        pl.compute_for_loss(law.E, law)
    for c in (1e18, 5.76e23, 1e30):
        opt = pl.optimal(c, law)
        n, d = law.optimal_allocation(c)
        assert opt["N_opt"] == n and opt["D_opt"] == d and opt["loss"] == law.loss(n, d)
        for k in (0.3, 0.5, 2.0):
            if k <= dv.asymptote(law):
                continue
            ours, ref = pl.shrunk_model(k, c, law), dv.shrunk_model(k, c, law).as_dict()
            assert ours.keys() == ref.keys()
            for key, value in ref.items():
                assert rel(ours[key], value) < 1e-13 or abs(ours[key] - value) < 1e-14, key


@pytest.mark.parametrize("law", LAWS, ids=list(CHINCHILLA_LAWS))
def test_inference_agrees_with_devries(law):
    for rho in (1e-8, 1e-3, 0.1, 1.0, 30.0, 1e4, 1e12):
        k = pl.best_model_fraction(rho, law)
        # devries minimises a function that is flat at its minimum: agreement to its tolerance
        assert rel(k, dv.best_model_fraction(rho, law)) < 5e-8
        # the planner solves the stationarity condition itself: the closed-form inverse gives rho back, to
        # the precision k holds (near k = 1, rho is proportional to ln k, known to 1e-16 / |ln k|)
        assert rel(dv.inference_ratio_for_fraction(k, law), rho) < 1e-12 + 4e-16 / abs(math.log(k))
        assert rel(pl.inference_ratio_for_fraction(k, law), dv.inference_ratio_for_fraction(k, law)) < 1e-12
        # and it is the minimum: the lifetime cost is higher on either side
        def cost(x):
            return x * dv.data_factor(x, law) + x * rho / 3
        assert cost(k) <= min(cost(k * (1 + 1e-4)), cost(k * (1 - 1e-4)) if k * (1 - 1e-4) > dv.asymptote(law)
                              else math.inf)
    assert pl.best_model_fraction(0.0, law) == 1.0
    ours, ref = pl.optimal_with_inference(2.0, 1e13, law), dv.optimal_with_inference(2.0, 1e13, law).as_dict()
    assert ours.keys() == ref.keys()
    for key, value in ref.items():
        assert rel(ours[key], value) < 1e-6, key


@settings(max_examples=150, deadline=None)
@given(law=laws_st, k=st.floats(-12.0, 12.0))
def test_any_law_agrees_with_devries(law, k):
    k = math.exp(k)
    assert rel(pl.critical_model_size(law), dv.critical_model_size(law)) < 1e-12
    try:
        ref = dv.compute_overhead(k, law)
    except ValueError as exc:
        with pytest.raises(ValueError, match="asymptote" if "asymptote" in str(exc) else "representable"):
            pl.compute_overhead(k, law)
        return
    ours = pl.compute_overhead(k, law)
    assert abs(ours - ref) <= 1e-12 * max(1.0, abs(ref))


@settings(max_examples=100, deadline=None)
@given(law=laws_st, n=st.floats(0.0, 15.0), d=st.floats(0.0, 15.0))
def test_any_placement_agrees_with_devries(law, n, d):
    n, d = 10.0**n, 10.0**d
    try:
        ref = dv.shrink(n, d, law).as_dict()
    except ValueError as exc:  # beyond double precision: the planner says so too, or answers at the edge
        assert "representable" in str(exc)
        try:
            pl.shrink(n, d, law)
        except ValueError as ours_exc:
            assert "representable" in str(ours_exc)
        return
    try:
        ours = pl.shrink(n, d, law)
    except ValueError as exc:  # at the edge of the double range, rounding may decide the other way
        assert "representable" in str(exc) and (ref["iso_loss_compute"] < 1e-300 or ref["k_N"] > 1e300
                                                or ref["k_D"] < 1e-300 or ref["iso_loss_compute"] > 1e300)
        return
    for key, value in ref.items():
        if isinstance(value, bool):
            # at the critical size itself the two root finders may land on neighbouring doubles
            if abs(ref["k_N"] / dv.critical_model_size(law) - 1) > 1e-9:
                assert ours[key] == value
        else:
            assert rel(ours[key], value) < 1e-11 or abs(ours[key] - value) < 1e-12, key


# ---------------------------------------------------------------- the hand checks
def test_hand_checks():
    assert f"{pl.data_factor(0.5, DEVRIES2023):.6f}" == "2.415645"
    opt = pl.optimal(1e24, DEVRIES2023)
    assert f"{opt['N_opt'] / 1e9:.2f}" == "53.68" and f"{opt['D_opt'] / 1e12:.3f}" == "3.105"
    llama3 = pl.shrink(8e9, 15e12, DEVRIES2023)
    assert f"{llama3['loss']:.4f}" == "1.8879" and f"{100 * llama3['overhead']:.2f}" == "154.85"
    llama = pl.shrink(6.9e9, 1e12, DEVRIES2023)  # the two readings of LLaMA-7B, as the book and the space
    assert f"{100 * llama['overhead']:.1f}" == "11.7"
    assert f"{100 * pl.same_budget_placement(6.9e9, 1e12, DEVRIES2023)['overhead']:.1f}" == "14.4"


# ---------------------------------------------------------------- the root finder
@settings(max_examples=300, deadline=None)
@given(root=st.floats(-700.0, 700.0), width=st.floats(1e-3, 1e3))
def test_bisect_finds_a_root_to_adjacent_doubles(root, width):
    lo, hi = root - width, root + width
    if not lo < root < hi:
        return
    x = pl.bisect(lambda v: v - root, lo, hi)
    assert x == root or abs(x - root) <= abs(np.spacing(root)) * 2
    y = pl.bisect(lambda v: root - v, lo, hi)  # decreasing functions too
    assert y == root or abs(y - root) <= abs(np.spacing(root)) * 2


def test_bisect_properties():
    calls = []

    def f(v):
        calls.append(v)
        return math.exp(v) - 2.0

    x = pl.bisect(f, -745.0, 700.0)
    assert abs(x - math.log(2.0)) <= 2 * np.spacing(math.log(2.0))
    assert len(calls) < 100
    # infinite values at the ends are signs, as at an asymptote
    assert pl.bisect(lambda v: math.inf if v <= 0 else 1.0 / v - 4.0, 0.0, 1.0) == pytest.approx(0.25, rel=1e-15)
    # the widest bracket does not overflow; a root near zero is found among the tiny doubles (bounded steps)
    calls.clear()
    assert pl.bisect(lambda v: calls.append(v) or v - 1e-300, -1.7976931348623157e308, 1.7976931348623157e308) \
        == pytest.approx(1e-300, rel=1e-15)
    assert len(calls) < 2200
    assert pl.bisect(lambda v: v, -1.0, 0.0) == 0.0  # an exact zero at an end
    with pytest.raises(ValueError, match="must change sign"):
        pl.bisect(lambda v: v + 5.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="must be below hi"):
        pl.bisect(lambda v: v, 1.0, 0.0)
    with pytest.raises(ValueError, match="must not be NaN"):
        pl.bisect(lambda v: math.nan if v > 0.2 else -1.0, 0.0, 0.25)
    with pytest.raises(ValueError, match="must not be NaN"):
        pl.bisect(lambda v: math.nan if 0.3 < v < 0.7 else v - 0.5, 0.0, 1.0)
    with pytest.raises(ValueError, match="lo must be finite"):
        pl.bisect(lambda v: v, -math.inf, 1.0)
    with pytest.raises(TypeError, match="f must be a function"):
        pl.bisect(None, 0.0, 1.0)


# ---------------------------------------------------------------- the fitted range, warnings, hardware
def test_fitted_range_is_that_of_the_chinchilla_runs():
    from scaling import datasets

    runs = datasets.chinchilla_runs()
    for key, (lo, hi) in pl.FITTED_RANGE.items():
        assert lo == pytest.approx(runs[key].min(), rel=1e-15) and hi == pytest.approx(runs[key].max(), rel=1e-15)
    # the 240 runs the replication fitted span the same parameters and budgets
    fitted = datasets.chinchilla_runs(drop_highest_loss=5)
    for key in ("N", "C"):
        assert (fitted[key].min(), fitted[key].max()) == (runs[key].min(), runs[key].max())


def test_extrapolation_warnings():
    lo, hi = pl.FITTED_RANGE["N"]
    assert pl.extrapolation_warnings(N=[lo / 99, hi * 99]) == []
    (w,) = pl.extrapolation_warnings(N=[1e9, hi * 101, hi * 1000])
    assert w.startswith(f"N = {hi * 1000:.3g} parameters lies a factor of 1e+03 outside")
    assert [w[0] for w in pl.extrapolation_warnings(N=1.0, D=1.0, C=6.0)] == ["N", "D", "C"]
    assert pl.extrapolation_warnings() == []
    with pytest.raises(ValueError, match="N must be"):
        pl.extrapolation_warnings(N=-1.0)


def test_hardware():
    h = pl.hardware(1e24, 1e15, 0.5, accelerators=1000, price_per_hour=2.0)
    assert h["accelerator_hours"] == pytest.approx(1e24 / 5e14 / 3600, rel=1e-15)
    assert h["days"] == pytest.approx(h["accelerator_hours"] / 1000 / 24, rel=1e-15)
    assert h["cost"] == pytest.approx(2 * h["accelerator_hours"], rel=1e-15)
    assert pl.hardware(1e24, 1e15, 0.5) == {"accelerator_hours": h["accelerator_hours"], "days": None, "cost": None}
    for kwargs, message in (({"utilisation": 1.5}, "utilisation must be at most 1"),
                            ({"utilisation": 0.0}, "utilisation must be positive"),
                            ({"accelerators": 0.5}, "accelerators must be at least 1"),
                            ({"price_per_hour": -1.0}, "price_per_hour must be positive")):
        args = {"compute": 1e24, "peak_flops": 1e15, "utilisation": 0.5, **kwargs}
        with pytest.raises(ValueError, match=message):
            pl.hardware(**args)


# ---------------------------------------------------------------- a law saved as JSON
@pytest.mark.parametrize("law", [*LAWS, BESIROGLU2024, ChinchillaLaw(0.0, 1e-300, 1e300, 1e-300, 7.5)])
def test_law_json_round_trip(law):
    text = law.to_json()
    assert json.loads(text) == {**law.as_dict(), "source": law.source}
    back = ChinchillaLaw.from_json(text)
    assert back == law and back.source == law.source
    assert ChinchillaLaw.from_dict(law.as_dict()) == law


@settings(max_examples=100, deadline=None)
@given(law=laws_st)
def test_any_law_round_trips_exactly(law):
    assert ChinchillaLaw.from_json(law.to_json()).as_dict() == law.as_dict()


def test_law_json_errors():
    good = HOFFMANN2022.as_dict()
    for data, error, message in (
        ({**good, "alpha": -1}, ValueError, "alpha must be > 0"),
        ({**good, "E": "1.69"}, TypeError, "E must be a real number"),
        ({k: v for k, v in good.items() if k != "B"}, ValueError, "missing B"),
        ({**good, "gamma": 1.0}, ValueError, "unknown law parameter"),
        ({**good, "source": 3}, TypeError, "source must be a string"),
        ([1.0], TypeError, "mapping"),
    ):
        with pytest.raises(error, match=message):
            ChinchillaLaw.from_dict(data)  # type: ignore[arg-type]
    for text, message in (("{", "not valid JSON"), ("null", "must be an object"), ('{"E": NaN}', "NaN"),
                          ('{"E": -Infinity}', "-Infinity")):
        with pytest.raises(ValueError, match=message):
            ChinchillaLaw.from_json(text)
    with pytest.raises(TypeError, match="text must be a str"):
        ChinchillaLaw.from_json(b"{}")  # type: ignore[arg-type]


# ---------------------------------------------------------------- import scaling: nothing until used (PEP 562)
def _fresh(code: str) -> str:
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


def test_import_scaling_loads_nothing_until_used():
    out = _fresh("import sys, scaling\n"
                 "print(sorted(m for m in sys.modules if m.startswith('scaling.')), 'numpy' in sys.modules)")
    assert out == "[] False"


def test_submodules_and_reexports_work_after_a_plain_import():
    out = _fresh(
        "import scaling\n"
        "assert scaling.kaplan.__name__ == 'scaling.kaplan'\n"
        "assert scaling.published.KAPLAN2020.alpha_N > 0\n"
        "assert scaling.devries.data_factor(0.5, scaling.published.DEVRIES2023) > 1\n"
        "from scaling import ChinchillaLaw, PF_DAY, fit_parametric, data_factor, compute_overhead\n"
        "from scaling import ParametricFit, PowerLawFit, fit_power_law, training_compute\n"
        "from scaling import chinchilla, datasets, fitting, laws, planner, powerlaw, report, units, plotting\n"
        "assert ChinchillaLaw is scaling.laws.ChinchillaLaw and fit_parametric is scaling.fitting.fit_parametric\n"
        "assert set(scaling.__all__) <= set(dir(scaling))\n"
        "for name in scaling.__all__:\n"
        "    getattr(scaling, name)\n"
        "try:\n"
        "    scaling.nonexistent\n"
        "except AttributeError as exc:\n"
        "    assert 'nonexistent' in str(exc)\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')\n"
        "try:\n"
        "    from scaling import nonexistent\n"
        "except ImportError:\n"
        "    pass\n"
        "print('ok')")
    assert out == "ok"


def test_plotting_and_pandas_only_when_asked():
    out = _fresh("import sys, scaling\n"
                 "scaling.devries\n"
                 "a = 'matplotlib' in sys.modules\n"
                 "scaling.plotting\n"
                 "print(a, 'matplotlib' in sys.modules)")
    assert out == "False True"
    out = _fresh("import sys\nfrom scaling import planner, cli\n"
                 "print(sorted(m for m in ('pandas', 'scipy', 'matplotlib') if m in sys.modules))")
    assert out == "[]"


def test_shrink_refuses_a_reducible_loss_that_underflows():
    """Both terms of A/N^alpha + B/D^beta below the smallest double: a clear error, not 'math domain error'."""
    law = ChinchillaLaw(E=0.0, A=5e-324, B=1.41453402162065e308, alpha=1e7, beta=6.604774761821208e16)
    with pytest.raises(ValueError, match="underflows"):
        pl.shrink(1.1, 4.800458679448414e16, law)
