"""scaling.lab_analysis: the lab's shipped runs, read checked, and the Part II estimators on them."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from scaling import lab_analysis as la
from scaling.datasets import ChecksumMismatchError, DataFileMissingError
from scaling.lab import plan

LAW = dict(E=1.2, A=40.0, B=400.0, alpha=0.35, beta=0.40)  # a made-up law in nats per byte


def _loss(N, D):
    return LAW["E"] + LAW["A"] / N ** LAW["alpha"] + LAW["B"] / D ** LAW["beta"]


def synthetic_runs(budgets=(1e12, 3e12, 1e13, 3e13), widths=range(32, 257, 8), per_budget=7, noise=0.0, seed=0):
    """A sweep of the lab's family whose losses follow LAW exactly (plus optional noise)."""
    rng = np.random.default_rng(seed)
    rows = []
    for C in budgets:
        # sizes spread evenly in log N around the law's optimum of this budget (a factor 8)
        grid = np.array([plan.kaplan_params(2, w) for w in widths], dtype=float)
        loss = _loss(grid, la.tokens_at(C, grid))
        centre = grid[np.argmin(loss)]
        targets = centre * np.geomspace(1 / 3, 3, per_budget)
        chosen = sorted({int(np.argmin(abs(np.log(grid / t)))) for t in targets})
        for i in chosen:
            N, d = grid[i], list(widths)[i]
            D = la.tokens_at(C, N)
            rows.append({"budget": C, "d_model": d, "N": N, "D": D, "C": C, "seed": 0, "epochs": D / 11e6,
                         "val_loss": _loss(N, D) + noise * rng.standard_normal(),
                         "tokens_per_s": 1e5, "flops_per_s": 3e10, "threads": 1})
    return pd.DataFrame(rows)


def true_exponent(budgets):
    """The law's exact N_opt(C) under the lab's accounting, found on a fine grid, and its log-log slope."""
    n = np.geomspace(1e3, 1e8, 200_001)
    opt = [n[np.argmin(_loss(n, la.tokens_at(C, n)))] for C in budgets]
    return np.polyfit(np.log(budgets), np.log(opt), 1)[0], np.array(opt)


# ------------------------------------------------------------------ the shipped file
def test_load_runs_reads_the_shipped_sweep():
    runs = la.load_runs()
    assert len(runs) == 42 and runs["config_id"].is_unique
    assert sorted(runs["budget"].unique()) == [1e12, 1.8e12, 3.2e12, 5.6e12, 1e13]
    assert runs.groupby("budget")["N"].nunique().eq(6).all()
    assert (runs.loc[runs["seed"] > 0, "budget"] == 3.2e12).all()


def test_the_sweep_trained_twice_gives_bitwise_the_same_losses():
    """data/lab/sweep_rerun.csv is the shipped sweep's command run again (another day's load, another
    commit with the lab's code unchanged): the same 42 configurations, every loss bitwise equal, and its
    wall time, first start to last finish, within the hour the lab's issue allows."""
    first, again = la.load_runs(), la.load_runs("sweep_rerun.csv")
    both = first.merge(again, on="config_id", suffixes=("", "_again"), validate="one_to_one")
    assert len(both) == len(first) == len(again) == 42
    assert (both["val_loss"] == both["val_loss_again"]).all()
    assert (both["train_loss"] == both["train_loss_again"]).all()
    assert (both["machine"] == both["machine_again"]).all() and (again["threads"] == 1).all()
    assert set(again["command"].str.replace(r" --out \S+$", "", regex=True)) == set(
        first["command"].str.replace(r" --out \S+$", "", regex=True))
    done = la.pd.to_datetime(again["finished_utc"])
    started = done - la.pd.to_timedelta(again["wall_time_s"], unit="s")
    assert (done.max() - started.min()).total_seconds() < 60 * 60


def test_load_runs_refuses_a_changed_or_missing_file(tmp_path, monkeypatch):
    (tmp_path / "lab").mkdir()
    monkeypatch.setattr(la, "DATA_DIR", tmp_path)
    with pytest.raises(DataFileMissingError, match=r"sweep\.csv is not at .*pip install -e"):
        la.load_runs()
    src = la.Path(la.__file__).resolve().parent.parent / "data" / "lab" / "sweep.csv"
    text = src.read_text().replace("1.793134", "1.793135", 1)
    (tmp_path / "lab" / "sweep.csv").write_text(text)
    with pytest.raises(ChecksumMismatchError, match="git checkout -- data/lab/sweep.csv"):
        la.load_runs()
    shutil.copy(src, tmp_path / "lab" / "sweep.csv")
    assert len(la.load_runs()) == 42


@pytest.mark.parametrize("name, error", [("other.csv", ValueError), (3, TypeError), (None, TypeError)])
def test_load_runs_names_the_files_it_has(name, error):
    with pytest.raises(error, match="sweep.csv"):
        la.load_runs(name)


def test_the_module_does_not_import_torch():
    code = "import sys, scaling.lab_analysis as la; la.load_runs(); assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------ accounting
def test_tokens_at_is_the_lab_accounting_of_every_shipped_run():
    runs = la.load_runs()
    expected = la.tokens_at(runs["budget"].to_numpy(), runs["N"].to_numpy())
    per_step = plan.BATCH_SIZE * plan.N_CTX
    # the lab rounds D down to whole batches of 1,024 tokens
    assert np.all((expected - runs["D"] >= 0) & (expected - runs["D"] < per_step))
    assert la.tokens_at(6e12, 1e5) == pytest.approx(6e12 / (6e5 + 6 * 2 * 128 * math.sqrt(1e5 / 24)))


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf, "1e12", None, True])
def test_tokens_at_refuses_bad_input(bad):
    with pytest.raises((ValueError, TypeError), match="C"):
        la.tokens_at(bad, 1e5)


# ------------------------------------------------------------------ seed noise
def test_seed_noise_and_its_pooling():
    runs = pd.concat([synthetic_runs().assign(seed=s) for s in range(3)], ignore_index=True)
    runs.loc[runs["seed"] == 1, "val_loss"] += 0.01
    runs.loc[runs["seed"] == 2, "val_loss"] -= 0.01
    s = la.seed_noise(runs)
    assert (s["n_seeds"] == 3).all() and np.allclose(s["std"], 0.01) and np.allclose(s["range"], 0.02)
    assert la.pooled_seed_noise(runs) == pytest.approx(0.01)
    with pytest.raises(ValueError, match="two seeds"):
        la.seed_noise(synthetic_runs())


def test_shipped_seed_noise_is_that_of_the_three_seeds():
    runs = la.load_runs()
    s = la.seed_noise(runs)
    assert len(s) == 6 and (s["n_seeds"] == 3).all() and (s["budget"] == 3.2e12).all()
    by_hand = runs[runs["budget"] == 3.2e12].groupby("N")["val_loss"].std().to_numpy()
    assert np.allclose(np.sort(s["std"]), np.sort(by_hand))
    assert la.pooled_seed_noise(runs) == pytest.approx(math.sqrt(np.mean(by_hand**2)))


# ------------------------------------------------------------------ the estimators
def test_fit_exponents_recovers_a_known_law():
    runs = synthetic_runs()
    a_true, n_true = true_exponent(np.array([1e12, 3e12, 1e13, 3e13]))
    ex = la.fit_exponents(runs, noise_sd=0.001, n_resamples=200)
    # a spline through 7 sizes a factor 1.4 apart puts the minimum within a few per cent in N
    assert ex.a == pytest.approx(a_true, abs=0.03)
    assert ex.a_lo <= ex.a <= ex.a_hi and ex.b_lo <= ex.b <= ex.b_hi
    assert np.allclose(ex.N_opt, n_true, rtol=0.1)
    assert np.allclose(ex.D_opt, la.tokens_at(ex.budgets, ex.N_opt))
    # the context term makes a token dearer for a wider model: a + b is a little above 1
    assert 1.0 < ex.a + ex.b < 1.1
    assert ex.dropped.size == 0 and np.allclose(ex.tokens_per_param, ex.D_opt / ex.N_opt)


def test_fit_exponents_drops_a_budget_whose_optimum_is_at_the_edge():
    runs = synthetic_runs()
    C = 1e12
    keep = (runs["budget"] != C) | (runs["N"] >= runs.loc[runs["budget"] == C, "N"].median())
    ex = la.fit_exponents(runs[keep], noise_sd=0.001, n_resamples=200)
    assert list(ex.dropped) == [C] and C not in ex.budgets


def test_parabola_optima_use_the_lab_accounting():
    runs = synthetic_runs()
    p = la.parabola_optima(runs)
    assert np.allclose(p["D_opt"], la.tokens_at(p["budget"].to_numpy(), p["N_opt"].to_numpy()))
    assert p["inside"].all() and (p["D_opt"] < p["budget"] / (6 * p["N_opt"])).all()
    _, n_true = true_exponent(p["budget"].to_numpy())
    assert np.allclose(p["N_opt"], n_true, rtol=0.1)


def test_frontier_is_the_best_run_of_each_budget():
    runs = synthetic_runs()
    best, fit = la.frontier(runs)
    assert len(best) == 4
    for _, row in best.iterrows():
        assert row["loss"] == runs.loc[runs["budget"] == row["budget"], "val_loss"].min()
    assert fit.exponent < 0 and fit.r2 > 0.99


def test_throughput_against_the_peak():
    runs = synthetic_runs()
    t = la.throughput(runs, peak=1e11)
    assert np.allclose(t["peak_share"], 0.3) and (t["runs"] >= 1).all()
    with pytest.raises(ValueError, match="peak"):
        la.throughput(runs, peak=-1.0)


def test_profile_runs_errors_name_the_problem():
    runs = synthetic_runs()
    with pytest.raises(ValueError, match="val_loss"):
        la.profile_runs(runs.drop(columns="val_loss"))
    with pytest.raises(ValueError, match="seed 4"):
        la.profile_runs(runs, seed=4)
    with pytest.raises(TypeError, match="runs"):
        la.profile_runs([1, 2, 3])
