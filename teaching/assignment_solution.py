"""The teacher's solution of the graded assignment (book/assignment.md): every number and figure.

    python teaching/assignment_solution.py                       # prints the submission JSON
    python teaching/assignment_solution.py --out solution.json --figures figs/

Approach 2 as Hoffmann et al. (2022) describe it (a parabola in ln N per budget, power laws
through the vertices) with :func:`scaling.chinchilla.isoflop_profiles` and
:func:`scaling.chinchilla.fit_allocation`; Approach 3 (the parametric law fitted with the summed
Huber loss of the log-loss residuals, delta = 1e-3, best of the paper's 4,500-start grid) with
:func:`scaling.fitting.fit_parametric`. The held-out runs are predicted with the fitted law.
The grader (``teaching/grade.py``) compares a student's numbers with these, computed afresh
by ``teaching/make_answer_key.py``; nothing here is typed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from scaling import chinchilla, fitting

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "data" / "assignment" / "isoflop_runs.csv"
HELDOUT = ROOT / "data" / "assignment" / "heldout_runs.csv"
TARGET = 1e24
"""The budget of the predictions, FLOPs (the assignment page says so; spec.json's target_budget)."""


def read(source: str | Path | pd.DataFrame) -> pd.DataFrame:
    """A runs (or held-out runs) table, from its CSV file or as a DataFrame, with the package's
    column names added: N (params), C (budget_flops), D (tokens)."""
    table = source.copy() if isinstance(source, pd.DataFrame) else pd.read_csv(source)
    return table.assign(N=table["params"].astype(float), C=table["budget_flops"].astype(float),
                        **({"D": table["tokens"].astype(float)} if "tokens" in table else {}))


def approach2(runs: pd.DataFrame, target: float = TARGET) -> tuple[dict, pd.DataFrame, chinchilla.AllocationFit]:
    budgets = np.unique(runs["C"])
    profiles = chinchilla.isoflop_profiles(runs[["N", "C", "loss"]], budgets=budgets, rtol=0.01)
    fit = chinchilla.fit_allocation(profiles["budget"], profiles["N_opt"], profiles["D_opt"])
    answers = {"a": float(fit.a), "N_opt": float(fit.N_opt(target)), "D_opt": float(fit.D_fit(target))}
    return answers, profiles, fit


def approach3(runs: pd.DataFrame, target: float = TARGET) -> tuple[dict, fitting.ParametricFit]:
    fit = fitting.fit_parametric(runs["N"], runs["D"], runs["loss"])
    law = fit.law
    n_opt, d_opt = law.optimal_allocation(target)
    answers = {"E": law.E, "alpha": law.alpha, "beta": law.beta, "N_opt": float(n_opt), "D_opt": float(d_opt),
               "loss": float(law.optimal_loss(target))}
    return answers, fit


def solve(runs: pd.DataFrame, heldout: pd.DataFrame, target: float = TARGET) -> dict:
    """The submission (the JSON the grader reads) computed from the runs."""
    a2, _, _ = approach2(runs, target)
    a3, fit = approach3(runs, target)
    predicted = fit.law.loss(heldout["N"].to_numpy(float), heldout["D"].to_numpy(float))
    return {
        "name": "teacher's solution (teaching/assignment_solution.py)",
        "approach2": a2,
        "approach3": a3,
        "heldout": {run: float(x) for run, x in zip(heldout["run"], np.atleast_1d(predicted))},
    }


def figures(runs: pd.DataFrame, outdir: Path, target: float = TARGET) -> list[Path]:
    """The two figures the assignment asks for, as SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outdir.mkdir(parents=True, exist_ok=True)
    _, profiles, alloc = approach2(runs, target)
    _, fit = approach3(runs, target)
    colours = plt.cm.viridis(np.linspace(0, 0.9, len(profiles)))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for colour, (budget, group) in zip(colours, runs.groupby("C")):
        x = np.log(group["N"].to_numpy())
        c2, c1, c0 = np.polyfit(x, group["loss"].to_numpy(), 2)
        grid = np.linspace(x.min(), x.max(), 100)
        ax.plot(group["N"], group["loss"], "o", color=colour, ms=4, label=f"{budget:.0e} FLOPs")
        ax.plot(np.exp(grid), c2 * grid**2 + c1 * grid + c0, "-", color=colour, lw=1)
        ax.plot(np.exp(-c1 / (2 * c2)), c0 - c1**2 / (4 * c2), "k*", ms=8)
    ax.set(xscale="log", xlabel="parameters N", ylabel="final loss (nats/token)",
           title="IsoFLOP profiles, parabolas in ln N and their minima (Approach 2)")
    ax.legend(fontsize=7, ncol=2)
    first = outdir / "figure1_isoflop_profiles.svg"
    fig.savefig(first, bbox_inches="tight")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.5))
    c = np.geomspace(runs["C"].min(), target, 100)
    ax.plot(profiles["budget"], profiles["N_opt"], "o", label="Approach 2: parabola minima")
    ax.plot(c, alloc.N_opt(c), "-", label=f"Approach 2 fit, a = {alloc.a:.3f}")
    ax.plot(c, fit.law.optimal_allocation(c)[0], "--", label=f"Approach 3 law, a = {fit.law.a:.3f}")
    ax.axvline(target, color="grey", lw=0.8, ls=":")
    ax.set(xscale="log", yscale="log", xlabel="compute C (FLOPs)", ylabel="compute-optimal parameters N_opt",
           title=f"N_opt(C), extrapolated to {target:.0e} FLOPs")
    ax.legend()
    second = outdir / "figure2_allocation.svg"
    fig.savefig(second, bbox_inches="tight")
    plt.close(fig)
    return [first, second]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python teaching/assignment_solution.py", description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=Path, default=RUNS)
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    parser.add_argument("--out", type=Path, help="write the submission JSON here (default: print it)")
    parser.add_argument("--figures", type=Path, help="write the two figures (SVG) into this folder")
    args = parser.parse_args(argv)
    try:
        runs, heldout = read(args.runs), read(args.heldout)
        submission = solve(runs, heldout)
        text = json.dumps(submission, indent=2)
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
            print(f"wrote {args.out}")
        else:
            print(text)
        if args.figures:
            for path in figures(runs, args.figures):
                print(f"wrote {path}")
    except (OSError, ValueError, KeyError) as err:
        print(f"assignment_solution: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
