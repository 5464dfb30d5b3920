"""Write the grader's answer key: reference answers, tolerances from the noise, points.

    python teaching/make_answer_key.py                 # about 2 minutes: 200 refits of fresh data
    python teaching/make_answer_key.py --draws 50 --out /tmp/key.json

* **Reference** of every numeric answer: the teacher's solution (``teaching/assignment_solution.py``)
  run on the students' data (``data/assignment/``). A student analysing the same data the same
  way gets the same number; the tolerance says how far a different but sound analysis may land.
* **Tolerance**: twice the answer's standard deviation over ``--draws`` fresh data sets (the same
  hidden law, design and noise, other noise draws), each analysed by the teacher's solution:
  differences smaller than the data's own uncertainty cannot be called wrong, and a method that
  misses by more than two of its standard errors is not the method asked for. Positive sizes
  (``N_opt``, ``D_opt``) are compared on a log scale (a relative tolerance), exponents and
  losses on a linear one. A floor keeps a tolerance from falling below the rounding of three
  significant figures.
* **Held-out runs** are graded against their measured losses (``teaching/assignment/heldout_losses.csv``),
  not the teacher's prediction: the tolerance is three standard deviations of the difference,
  combining the spread of the prediction over the draws with the runs' own noise.

The key also records, for the teacher, the hidden law's true value of each answer and the mean
of the estimates over the draws (their bias: Approach 2's parabolas are biased where the profile
is not parabolic in ln N).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import assignment_solution as solution
import make_assignment_data as data

ROOT = Path(__file__).resolve().parents[1]
KEY = ROOT / "teaching" / "assignment" / "answer_key.json"

# (points, scale, floor, what): the auto-graded 60 points; the other 40 are the rubric's.
QUESTIONS: dict[str, tuple[int, str, float, str]] = {
    "approach2.a": (6, "linear", 0.002, "Approach 2: exponent a of N_opt ∝ C^a"),
    "approach2.N_opt": (6, "log", 0.005, "Approach 2: N_opt at the target budget (parameters)"),
    "approach2.D_opt": (6, "log", 0.005, "Approach 2: D_opt at the target budget (tokens)"),
    "approach3.E": (3, "linear", 0.005, "Approach 3: E (nats/token)"),
    "approach3.alpha": (4, "linear", 0.002, "Approach 3: alpha"),
    "approach3.beta": (4, "linear", 0.002, "Approach 3: beta"),
    "approach3.N_opt": (6, "log", 0.005, "Approach 3: N_opt at the target budget (parameters)"),
    "approach3.D_opt": (6, "log", 0.005, "Approach 3: D_opt at the target budget (tokens)"),
    "approach3.loss": (7, "linear", 0.002, "Approach 3: loss of the compute-optimal model at the target budget"),
}
HELDOUT_POINTS = 3
RUBRIC_POINTS = 40
K_SD = 2.0          # tolerance: K_SD standard deviations over the draws (answers)
K_SD_HELDOUT = 3.0  # tolerance: standard deviations of prediction minus measurement (held-out runs)


def flatten(submission: dict) -> dict[str, float]:
    return {f"{section}.{key}": value for section in ("approach2", "approach3", "heldout")
            for key, value in (submission.get(section) or {}).items()}


def true_values(spec: data.Spec) -> dict[str, float]:
    law, c = spec.law, spec.target_budget
    n, d = law.optimal_allocation(c)
    return {"approach2.a": law.a, "approach2.N_opt": n, "approach2.D_opt": d, "approach3.E": law.E,
            "approach3.alpha": law.alpha, "approach3.beta": law.beta, "approach3.N_opt": n, "approach3.D_opt": d,
            "approach3.loss": law.optimal_loss(c)}


def build_key(spec_path: Path, draws: int, data_dir: Path = data.STUDENT_DIR) -> dict:
    spec = data.load_spec(spec_path)
    if spec.target_budget != solution.TARGET:
        raise ValueError(f"{spec_path}: target_budget {spec.target_budget:g} is not the solution's {solution.TARGET:g}")
    # the students' files must be what the spec generates
    shipped_runs = solution.read(data_dir / "isoflop_runs.csv")
    runs, held = data.generate(spec)
    if not np.allclose(shipped_runs["loss"], runs["loss"], rtol=0, atol=1e-9) or len(shipped_runs) != len(runs):
        raise ValueError(f"{data_dir / 'isoflop_runs.csv'} is not what {spec_path} generates: "
                         "run make_assignment_data.py with that spec")
    heldout = solution.read(data_dir / "heldout_runs.csv")
    reference = flatten(solution.solve(shipped_runs, heldout))

    samples: dict[str, list[float]] = {k: [] for k in reference}
    for draw in range(1, draws + 1):
        r, h = data.generate(spec, draw)
        got = flatten(solution.solve(solution.read(r), solution.read(h.drop(columns="loss"))))
        for k, v in got.items():
            samples[k].append(v)

    truth = true_values(spec)
    measured = dict(zip(held["run"], held["loss"]))
    questions = {}
    for name, (points, scale, floor, what) in QUESTIONS.items():
        values = np.asarray(samples[name], dtype=float)
        if scale == "log":
            sd = float(np.std(np.log(values), ddof=1))
            tol = {"relative_log": max(K_SD * sd, floor)}
            bias = float(np.exp(np.mean(np.log(values))) / truth[name] - 1)
        else:
            sd = float(np.std(values, ddof=1))
            tol = {"absolute": max(K_SD * sd, floor)}
            bias = float(np.mean(values) - truth[name])
        questions[name] = {"what": what, "points": points, "reference": reference[name], "tolerance": tol,
                           "sd_over_draws": sd, "truth": float(truth[name]), "bias_over_draws": bias}
    for run in heldout["run"]:
        name = f"heldout.{run}"
        sd_pred = float(np.std(samples[name], ddof=1))
        noise = spec.noise_sd_log * measured[run]
        questions[name] = {
            "what": f"held-out run {run}: predicted loss (nats/token)", "points": HELDOUT_POINTS,
            "reference": float(measured[run]), "reference_is": "the measured loss",
            "tolerance": {"absolute": K_SD_HELDOUT * math.hypot(sd_pred, noise)},
            "sd_over_draws": sd_pred, "noise_sd": noise, "teacher_prediction": reference[name],
            "truth": float(spec.law.loss(float(heldout.set_index("run").loc[run, "N"]),
                                         float(heldout.set_index("run").loc[run, "D"]))),
        }
    return {
        "about": "Answer key of the graded assignment (book/assignment.md), written by teaching/make_answer_key.py. "
                 "Teacher's eyes only.",
        "spec": spec_path.resolve().relative_to(ROOT).as_posix() if spec_path.resolve().is_relative_to(ROOT) else str(spec_path),
        "target_budget": spec.target_budget,
        "draws": draws,
        "tolerance_rule": f"{K_SD:g} standard deviations over the draws (floor: 3 significant figures); held-out runs: "
                          f"{K_SD_HELDOUT:g} standard deviations of prediction minus measurement",
        "rubric_points": RUBRIC_POINTS,
        "questions": questions,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python teaching/make_answer_key.py", description=__doc__.split("\n")[0])
    parser.add_argument("--spec", type=Path, default=data.SPEC)
    parser.add_argument("--draws", type=int, default=200, help="fresh data sets to refit (default 200)")
    parser.add_argument("--data-dir", type=Path, default=data.STUDENT_DIR,
                        help="the students' files made from the spec (default data/assignment)")
    parser.add_argument("--out", type=Path, default=KEY)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        key = build_key(args.spec, args.draws, args.data_dir)
    except (OSError, ValueError, data.SpecError) as err:
        print(f"make_answer_key: error: {err}", file=sys.stderr)
        return 2
    args.out.write_text(json.dumps(key, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.draws} draws, {time.perf_counter() - start:.0f} s)")
    for name, q in key["questions"].items():
        tol = q["tolerance"]
        t = f"±{100 * tol['relative_log']:.1f} %" if "relative_log" in tol else f"±{tol['absolute']:.4f}"
        print(f"  {name:<17} {q['points']:>2} pts  reference {q['reference']:<12.5g} {t:<11} truth {q['truth']:.5g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
