"""The graded assignment (book/assignment.md) and its teacher's side (teaching/).

* the students' data are exactly what the spec generates, and the budgets the page names;
* the answer key holds what the teacher's solution computes, with the points the page lists;
* the grader gives the teacher's solution (computed here by running it) full marks, an empty
  submission none, a student's independent but sound analysis full marks, wrong methods less,
  and a malformed submission a clear error without a traceback;
* the capstone's teacher's solution runs and agrees with the package.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from scipy.special import logsumexp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "teaching"))

import assignment_solution as solution  # noqa: E402
import grade  # noqa: E402
import make_answer_key  # noqa: E402
import make_assignment_data as data  # noqa: E402

STUDENT = ROOT / "data" / "assignment"


@pytest.fixture(scope="module")
def spec():
    return data.load_spec()


@pytest.fixture(scope="module")
def key():
    return grade.load_key()


@pytest.fixture(scope="module")
def runs():
    return solution.read(STUDENT / "isoflop_runs.csv")


@pytest.fixture(scope="module")
def heldout():
    return solution.read(STUDENT / "heldout_runs.csv")


@pytest.fixture(scope="module")
def teacher(runs, heldout):
    """The teacher's submission, computed now by the teacher's solution (nothing typed)."""
    return solution.solve(runs, heldout)


def _grade(submission: dict, key: dict, tmp_path: Path) -> list[grade.Result]:
    path = tmp_path / "submission.json"
    path.write_text(json.dumps(submission), encoding="utf-8")
    return grade.grade(grade.read_submission(path, key), key)


# ------------------------------------------------------------------ the data
def test_the_students_files_are_what_the_spec_generates(spec):
    runs, held = data.generate(spec)
    shipped = solution.read(STUDENT / "isoflop_runs.csv")
    assert list(shipped["run"]) == list(runs["run"])
    assert np.array_equal(shipped["params"], runs["params"]) and np.array_equal(shipped["tokens"], runs["tokens"])
    np.testing.assert_allclose(shipped["budget_flops"], runs["budget_flops"], rtol=1e-12)
    np.testing.assert_allclose(shipped["loss"], runs["loss"], rtol=0, atol=2e-6)
    shipped_held = solution.read(STUDENT / "heldout_runs.csv")
    assert list(shipped_held["run"]) == list(held["run"]) and np.array_equal(shipped_held["tokens"], held["tokens"])
    losses = pd.read_csv(ROOT / "teaching" / "assignment" / "heldout_losses.csv")
    np.testing.assert_allclose(losses["loss"], held["loss"], rtol=0, atol=2e-6)
    # the design the page describes: Hoffmann et al.'s nine budgets, sizes on both sides of each optimum
    from scaling.chinchilla import ISOFLOP_BUDGETS

    assert sorted(set(shipped["budget_flops"])) == pytest.approx(sorted(ISOFLOP_BUDGETS))
    for budget, group in shipped.groupby("budget_flops"):
        n_opt = spec.law.optimal_allocation(budget)[0]
        assert group["params"].min() < n_opt / 2 and group["params"].max() > 2 * n_opt, budget
        assert np.allclose(6.0 * group["params"].astype(float) * group["tokens"].astype(float), budget, rtol=1e-9)
    assert spec.target_budget == solution.TARGET


def test_the_noise_is_the_size_of_the_real_runs_scatter(spec):
    """spec.json's noise is the robust scatter of the 240 Chinchilla runs around the replication's law."""
    try:
        real = data.check_noise()
    except Exception as err:  # noqa: BLE001 - the third-party data may be absent
        pytest.skip(f"the Chinchilla runs are not available here: {err}")
    assert spec.noise_sd_log == pytest.approx(real, rel=0.1)


# ------------------------------------------------------------------ the key
def test_the_key_holds_the_teachers_answers_and_the_pages_points(key, teacher, spec):
    expected = make_answer_key.flatten(teacher)
    questions = key["questions"]
    assert set(questions) == set(expected)
    for name, q in questions.items():
        if name.startswith("heldout."):
            continue  # graded against the measured loss
        assert q["reference"] == pytest.approx(expected[name], rel=1e-4), name
    measured = dict(zip(*data.generate(spec)[1][["run", "loss"]].T.values))
    for run, loss in measured.items():
        assert questions[f"heldout.{run}"]["reference"] == pytest.approx(loss, abs=1e-12)
    assert sum(q["points"] for q in questions.values()) + key["rubric_points"] == 100
    assert key["draws"] >= 100

    # the points table of book/assignment.md lists the same points for the same answers
    page = (ROOT / "book" / "assignment.md").read_text(encoding="utf-8")
    listed: dict[str, int] = {}
    rubric = 0
    for row in re.findall(r"^\|(.+)\|\s*$", page, flags=re.M):
        cells = [c.strip() for c in row.split("|")]
        names = re.findall(r"`([a-z0-9]+\.[A-Za-z0-9_]+)`", cells[3]) if len(cells) == 5 else []
        points = re.fullmatch(r"(?:(\d+) × )?(\d+)", cells[-1]) if len(cells) == 5 else None
        if not points:
            continue
        each = int(points.group(2))
        if "to" in cells[3] and len(names) == 2:  # `heldout.H1` to `heldout.H4`
            section, first = names[0].split(".")
            last = names[1].split(".")[1]
            runs_ = [f"H{i}" for i in range(int(first[1:]), int(last[1:]) + 1)]
            names = [f"{section}.{r}" for r in runs_]
            assert int(points.group(1)) == len(names)
        if names:
            for n in names:
                listed[n] = each
        elif cells[2] == "rubric":
            rubric += each
    assert listed == {n: q["points"] for n, q in questions.items()}
    assert rubric == key["rubric_points"]


def test_tolerances_come_from_the_noise_and_the_truth_lies_within_them(key):
    """Every tolerance is at least its floor and at most a few standard deviations; the shipped data
    set is a typical draw (the hidden truth is within each answer's tolerance of the reference), and
    the rubric's claim holds: the two approaches' N_opt differ by less than one standard deviation."""
    for name, q in key["questions"].items():
        tol = next(iter(q["tolerance"].values()))
        sd = math.hypot(q["sd_over_draws"], q.get("noise_sd", 0.0))
        assert tol <= max(3.0 * sd, 0.005) + 1e-12, name
        lo, hi = grade.accepted(q)
        assert lo <= q["truth"] <= hi, f"{name}: the hidden truth {q['truth']} is outside [{lo}, {hi}]"
    a2, a3 = key["questions"]["approach2.N_opt"], key["questions"]["approach3.N_opt"]
    assert abs(math.log(a2["reference"] / a3["reference"])) < min(a2["sd_over_draws"], a3["sd_over_draws"])


def test_make_answer_key_runs(tmp_path):
    out = tmp_path / "key.json"
    assert make_answer_key.main(["--draws", "3", "--out", str(out)]) == 0
    small = json.loads(out.read_text())
    assert small["draws"] == 3 and set(small["questions"]) == set(grade.load_key()["questions"])


# ------------------------------------------------------------------ the grader
def test_the_teachers_solution_gets_full_marks_and_an_empty_one_none(key, teacher, tmp_path):
    results = _grade(teacher, key, tmp_path)
    assert all(r.earned == r.points for r in results), [r for r in results if not r.earned]
    assert sum(r.earned for r in results) == 60
    for empty in ({}, json.loads((STUDENT / "submission_template.json").read_text())):
        results = _grade(empty, key, tmp_path)
        assert sum(r.earned for r in results) == 0 and all(r.status == "no answer" for r in results)


def _independent_analysis(runs, heldout, target: float = 1e24) -> dict:
    """A student's own analysis, written without the package: log10 parabolas and least squares for
    Approach 2, L-BFGS-B on the Huber objective from a small grid for Approach 3."""
    a2 = {}
    logc, logn = [], []
    for budget, group in runs.groupby("C"):
        c2, c1, _ = np.polyfit(np.log10(group["N"]), group["loss"], 2)
        logc.append(math.log10(budget))
        logn.append(-c1 / (2 * c2))
    slope, intercept = np.polyfit(logc, logn, 1)
    n2 = 10 ** (intercept + slope * math.log10(target))
    a2 = {"a": slope, "N_opt": n2, "D_opt": target / (6 * n2)}

    lnN, lnD, lnL = (np.log(runs[c].to_numpy(float)) for c in ("N", "D", "loss"))

    def objective(t):  # the summed Huber loss and its gradient
        a, b, e, al, be = t
        terms = np.array([a - al * lnN, b - be * lnD, np.full_like(lnN, e)])
        lse = logsumexp(terms, axis=0)
        r = lse - lnL
        w = np.exp(terms - lse)  # d lse / d (a, b, e)
        h = np.clip(r, -1e-3, 1e-3)  # Huber's derivative
        value = np.sum(np.where(np.abs(r) <= 1e-3, 0.5 * r * r, 1e-3 * (np.abs(r) - 0.5e-3)))
        grad = np.array([h @ w[0], h @ w[1], h @ w[2], -(h * w[0]) @ lnN, -(h * w[1]) @ lnD])
        return value, grad

    best = None
    # a small grid of starts (a, b, e, alpha, beta); fewer starts can stop in a worse basin
    for start in itertools.product((2, 6, 10), (2, 6, 10), (0, 0.5), (0.3,), (0.3,)):
        res = minimize(objective, start, jac=True, method="L-BFGS-B", options={"maxiter": 2000})
        if best is None or res.fun < best.fun:
            best = res
    a, b, e, al, be = best.x
    A, B, E = math.exp(a), math.exp(b), math.exp(e)
    G = (al * A / (be * B)) ** (1 / (al + be))
    n3 = G * (target / 6) ** (be / (al + be))
    d3 = target / (6 * n3)
    a3 = {"E": E, "alpha": al, "beta": be, "N_opt": n3, "D_opt": d3, "loss": E + A / n3**al + B / d3**be}
    held = {r: E + A / n**al + B / d**be for r, n, d in zip(heldout["run"], heldout["N"], heldout["D"])}
    return {"name": "an independent analysis", "approach2": a2, "approach3": a3, "heldout": held}


def test_an_independent_sound_analysis_gets_full_marks(key, runs, heldout, tmp_path):
    results = _grade(_independent_analysis(runs, heldout), key, tmp_path)
    assert [r.question for r in results if not r.earned] == []


def test_wrong_methods_and_wrong_numbers_lose_points(key, teacher, tmp_path):
    # the 20-tokens-per-parameter rule instead of a fit
    rule = json.loads(json.dumps(teacher))
    n20 = math.sqrt(1e24 / 120)
    rule["approach2"].update(N_opt=n20, D_opt=20 * n20)
    rule["approach3"].update(N_opt=n20, D_opt=20 * n20)
    lost = {r.question for r in _grade(rule, key, tmp_path) if not r.earned}
    assert lost == {"approach2.N_opt", "approach2.D_opt", "approach3.N_opt", "approach3.D_opt"}
    # Kaplan's allocation exponent
    kaplan = json.loads(json.dumps(teacher))
    kaplan["approach2"]["a"] = 0.73
    assert {r.question for r in _grade(kaplan, key, tmp_path) if not r.earned} == {"approach2.a"}
    # every answer moved just beyond its tolerance, one way and the other, fails
    for sign in (1, -1):
        moved = json.loads(json.dumps(teacher))
        for name, q in key["questions"].items():
            section, item = name.split(".")
            lo, hi = grade.accepted(q)
            moved[section][item] = hi * 1.0001 if sign > 0 else lo * 0.9999
        assert sum(r.earned for r in _grade(moved, key, tmp_path)) == 0


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "teaching" / "grade.py"), *args],
                          capture_output=True, text=True, timeout=60)


def test_command_line_prints_the_score(teacher, tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(teacher))
    done = _cli(str(path))
    assert done.returncode == 0 and "Score: 60 / 60 points for the numbers" in done.stdout
    done = _cli(str(path), "--json")
    assert done.returncode == 0 and json.loads(done.stdout)["score"] == 60
    path.write_text("{}")
    assert "Score: 0 / 60" in _cli(str(path)).stdout


@pytest.mark.parametrize("content, message", [
    ("not json at all", "is not valid JSON"),
    ("[1, 2]", "a submission is a JSON object"),
    ('{"approach2": {"a": NaN}}', "NaN is not a number JSON allows"),
    ('{"approach2": {"a": "0.47"}}', 'approach2.a must be a number (or null), got "0.47"'),
    ('{"approach2": {"a": true}}', "approach2.a must be a number"),
    ('{"approach2": {"Nopt": 6e10}}', "did you mean approach2.N_opt?"),
    ('{"approach5": {}}', "unknown section 'approach5'"),
    ('{"heldout": [2.1, 2.0]}', "heldout must be an object of answers"),
    ('{"approach3": {"E": 1e999}}', "approach3.E must be finite"),
    (b"\xff\xfe\x00", "is not a text file"),
])
def test_a_malformed_submission_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    done = _cli(str(path))
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr + done.stdout


def test_missing_files_are_clear_errors(tmp_path, teacher):
    done = _cli(str(tmp_path / "nowhere.json"))
    assert done.returncode == 2 and "cannot read" in done.stderr and "Traceback" not in done.stderr
    path = tmp_path / "s.json"
    path.write_text(json.dumps(teacher))
    done = _cli(str(path), "--key", str(tmp_path / "nokey.json"))
    assert done.returncode == 2 and "make_answer_key.py" in done.stderr and "Traceback" not in done.stderr


# ------------------------------------------------------------------ the capstone
def test_the_capstone_solution_runs_and_agrees_with_the_package():
    import capstone_solution as capstone
    from scaling import devries
    from scaling.published import BESIROGLU2024

    try:
        result = capstone.solve(n_resamples=40)
    except Exception as err:  # noqa: BLE001
        if type(err).__name__.startswith("DataFile") or "SCALING_DATA_DIR" in str(err):
            pytest.skip(f"the Chinchilla runs are not available here: {err}")
        raise
    law = result["own_law"]
    assert law["alpha"] == pytest.approx(BESIROGLU2024.alpha, abs=0.002)  # the replication's fit, refitted
    assert law["beta"] == pytest.approx(BESIROGLU2024.beta, abs=0.002)
    own = result["own_placement"]
    exact = devries.shrink(capstone.TINYLLAMA_PARAMS, capstone.TINYLLAMA_TOKENS, BESIROGLU2024)
    assert own["k_N"] == pytest.approx(exact.k_N, rel=0.02)
    lo, hi = result["own_placement_interval_5_95"]["k_N"]
    assert lo < own["k_N"] < hi
    # repetition lowers the effective tokens, never below the unique ones
    for rep in result["repetition"].values():
        assert capstone.TINYLLAMA_UNIQUE_TOKENS < rep["effective_tokens"] < capstone.TINYLLAMA_TOKENS
    # TinyLlama is one of the models the book never mentions
    book = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "book").rglob("*")
                    if p.suffix in (".md", ".ipynb") and p.name != "capstone.md")
    assert "tinyllama" not in book.lower()
