"""Generate the graded assignment's data: IsoFLOP runs from a law the students are not shown.

    python teaching/make_assignment_data.py                      # the book's data, from teaching/assignment/spec.json
    python teaching/make_assignment_data.py --spec my_spec.json --out-dir my_course/   # a private law
    python teaching/make_assignment_data.py --check-noise        # the real runs' scatter that sets the noise

Writes, for the students (the book links them; ``--out-dir`` default ``data/assignment``):

* ``isoflop_runs.csv``: one row per run, ``run, budget_flops, params, tokens, loss``;
* ``heldout_runs.csv``: the held-out runs' configurations, ``run, budget_flops, params, tokens``
  (their losses are what the students predict);

and, for the teacher (``--teacher-dir``, default ``teaching/assignment``):

* ``heldout_losses.csv``: the held-out runs' measured losses.

Every run is a draw from the spec's ``hidden_law`` (a :class:`scaling.laws.ChinchillaLaw`) with
multiplicative log-normal noise of standard deviation ``noise_sd_log`` in ``ln(loss)``, seeded by
``seed`` (NumPy's PCG64 stream, identical on every machine): the same spec always gives the same
files. Each budget's sweep is centred on the 20-tokens-per-parameter guess and spans a factor
``sweep.factor`` either way on a fixed grid of model sizes, as an experimenter who does not know
the optimum would lay it out.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from scaling.laws import ChinchillaLaw

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "teaching" / "assignment" / "spec.json"
STUDENT_DIR = ROOT / "data" / "assignment"
TEACHER_DIR = ROOT / "teaching" / "assignment"


class SpecError(ValueError):
    """A spec file that cannot be used (the message says which key)."""


@dataclass(frozen=True)
class Spec:
    law: ChinchillaLaw
    noise_sd_log: float
    seed: int
    budgets: tuple[float, ...]
    sizes: np.ndarray
    center_tokens_per_parameter: float
    factor: float
    target_budget: float
    heldout: tuple[dict, ...]
    path: Path


def load_spec(path: str | Path = SPEC) -> Spec:
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        law = ChinchillaLaw(**raw["hidden_law"], source=f"the hidden law of {path.name}")
        grid = raw["size_grid"]
        per_decade = int(grid["per_decade"])
        lo, hi = math.log10(float(grid["from"])), math.log10(float(grid["to"]))
        sizes = np.round(10 ** np.arange(lo, hi + 1e-9, 1.0 / per_decade))
        spec = Spec(
            law=law,
            noise_sd_log=float(raw["noise_sd_log"]),
            seed=int(raw["seed"]),
            budgets=tuple(float(b) for b in raw["budgets"]),
            sizes=sizes,
            center_tokens_per_parameter=float(raw["sweep"]["center_tokens_per_parameter"]),
            factor=float(raw["sweep"]["factor"]),
            target_budget=float(raw["target_budget"]),
            heldout=tuple({"run": str(h["run"]), "budget_flops": float(h["budget_flops"]),
                           "params": float(h["params"])} for h in raw["heldout"]),
            path=path,
        )
    except OSError as err:
        raise SpecError(f"{path}: cannot read the spec ({err.strerror})") from None
    except (ValueError, KeyError, TypeError) as err:
        raise SpecError(f"{path}: not a usable spec ({type(err).__name__}: {err})") from None
    if not (0 < spec.noise_sd_log < 0.1 and spec.factor > 1 and len(spec.budgets) >= 3):
        raise SpecError(f"{path}: noise_sd_log must be in (0, 0.1), sweep.factor above 1, and there must be "
                        "at least three budgets")
    return spec


def design(spec: Spec) -> pd.DataFrame:
    """The runs' configurations: per budget, the grid's sizes within the sweep (no losses yet)."""
    rows = []
    for budget in spec.budgets:
        center = math.sqrt(budget / (6.0 * spec.center_tokens_per_parameter))
        chosen = spec.sizes[(spec.sizes >= center / spec.factor) & (spec.sizes <= center * spec.factor)]
        for n in chosen:
            rows.append({"budget_flops": budget, "params": int(n), "tokens": int(round(budget / (6.0 * n)))})
    runs = pd.DataFrame(rows)
    runs.insert(0, "run", [f"R{i + 1:03d}" for i in range(len(runs))])
    return runs


def noisy_losses(spec: Spec, params: np.ndarray, tokens: np.ndarray, stream: int, draw: int = 0) -> np.ndarray:
    """Losses of the hidden law with log-normal noise; ``stream`` 0 for the runs, 1 for the held-out
    runs; ``draw`` 0 is the book's data, 1, 2, ... are the fresh draws make_answer_key.py refits."""
    rng = np.random.default_rng([spec.seed, stream, draw])
    clean = np.asarray(spec.law.loss(params, tokens), dtype=float)
    return clean * np.exp(rng.normal(0.0, spec.noise_sd_log, clean.shape))


def generate(spec: Spec, draw: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(runs, heldout)``: the students' runs with losses, and the held-out runs with their losses."""
    runs = design(spec)
    runs["loss"] = np.round(noisy_losses(spec, runs["params"].to_numpy(float), runs["tokens"].to_numpy(float), 0, draw), 6)
    held = pd.DataFrame(list(spec.heldout))
    held["params"] = held["params"].astype("int64")
    held["tokens"] = [int(round(c / (6.0 * n))) for c, n in zip(held["budget_flops"], held["params"])]
    held["loss"] = np.round(noisy_losses(spec, held["params"].to_numpy(float), held["tokens"].to_numpy(float), 1, draw), 6)
    return runs, held


def read_runs(path: str | Path) -> pd.DataFrame:
    """The students' runs file, as a DataFrame with the package's column names added (N, D, C, loss)."""
    runs = pd.read_csv(path)
    return runs.assign(N=runs["params"].astype(float), D=runs["tokens"].astype(float),
                       C=runs["budget_flops"].astype(float))


def write(spec: Spec, student_dir: Path, teacher_dir: Path) -> list[Path]:
    runs, held = generate(spec)
    student_dir.mkdir(parents=True, exist_ok=True)
    teacher_dir.mkdir(parents=True, exist_ok=True)
    out = [student_dir / "isoflop_runs.csv", student_dir / "heldout_runs.csv", teacher_dir / "heldout_losses.csv"]
    def text(table: pd.DataFrame) -> pd.DataFrame:
        table = table.copy()
        table["budget_flops"] = [f"{b:.6g}" for b in table["budget_flops"]] if "budget_flops" in table else None
        if "loss" in table:
            table["loss"] = [f"{x:.6f}" for x in table["loss"]]
        return table.dropna(axis=1, how="all")

    text(runs).to_csv(out[0], index=False)
    text(held.drop(columns="loss")).to_csv(out[1], index=False)
    text(held[["run", "loss"]]).to_csv(out[2], index=False)
    return out


def check_noise() -> float:
    """The robust scatter of ln(loss) of the 240 Chinchilla runs around the replication's law."""
    from scaling import chinchilla, datasets, published

    runs = datasets.chinchilla_runs(drop_highest_loss=5)
    r = chinchilla.log_residuals(published.BESIROGLU2024, runs["N"], runs["D"], runs["loss"])
    return float(1.4826 * np.median(np.abs(r - np.median(r))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python teaching/make_assignment_data.py", description=__doc__.split("\n")[0])
    parser.add_argument("--spec", type=Path, default=SPEC, help=f"the spec (default {SPEC.relative_to(ROOT)})")
    parser.add_argument("--out-dir", type=Path, default=STUDENT_DIR, help="the students' files (default data/assignment)")
    parser.add_argument("--teacher-dir", type=Path, default=TEACHER_DIR,
                        help="the held-out losses (default teaching/assignment)")
    parser.add_argument("--check-noise", action="store_true",
                        help="print the real runs' scatter around the replication's law and exit (needs the data)")
    args = parser.parse_args(argv)
    try:
        if args.check_noise:
            print(f"robust sd of ln(loss) of the 240 Chinchilla runs around Besiroglu et al.'s law: {check_noise():.4f}")
            return 0
        spec = load_spec(args.spec)
        for path in write(spec, args.out_dir, args.teacher_dir):
            print(f"wrote {path}")
    except (SpecError, OSError, ValueError) as err:
        print(f"make_assignment_data: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
