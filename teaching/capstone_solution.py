"""The teacher's solution of the capstone (book/capstone.md): TinyLlama on the overhead curve.

    python teaching/capstone_solution.py                       # a table and the memo's numbers
    python teaching/capstone_solution.py --json out.json --figure tinyllama.svg --resamples 1000

Needs the Chinchilla runs (``scaling.datasets.chinchilla_runs``: ``SCALING_DATA_DIR`` or the
network). Every number is computed here from the package; the only typed numbers are the ones
the papers print (TinyLlama's size and tokens; Muennighoff et al.'s repetition constant).

1. Fit Approach 3 to the 240 runs the replication used (``fitting.fit_parametric``) and
   bootstrap it (``fitting.bootstrap_parametric``): E, alpha, beta with 5-95 % intervals.
2. Place TinyLlama exactly (``devries.shrink``): k_N, k_D, overhead, past the critical size or
   not, under the student's own law with a bootstrap interval, and under the book's four laws.
3. Inference: the lifetime load for which TinyLlama's size is the best
   (``devries.inference_ratio_for_fraction``), as rho and in tokens.
4. Repetition: TinyLlama saw about 1 T unique tokens three times. Muennighoff et al. (2023) value
   repeated tokens less: ``D' = U + U R* (1 - exp(-R / R*))`` with ``R`` the repetitions
   (epochs - 1); the placement with ``D'`` instead of ``D``, for their fitted ``R*`` and for a
   much harsher one (to show how much the conclusion depends on it).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

from scaling import datasets, devries, fitting
from scaling.laws import ChinchillaLaw
from scaling.published import CHINCHILLA_LAWS

# TinyLlama (Zhang, Zeng, Wang & Lu 2024, arXiv:2401.02385): "a compact 1.1B language model
# pretrained on around 1 trillion tokens for approximately 3 epochs" (abstract).
TINYLLAMA_PARAMS = 1.1e9
TINYLLAMA_UNIQUE_TOKENS = 1.0e12
TINYLLAMA_EPOCHS = 3
TINYLLAMA_TOKENS = TINYLLAMA_UNIQUE_TOKENS * TINYLLAMA_EPOCHS
# Muennighoff et al. (2023), "Scaling Data-Constrained Language Models" (arXiv:2305.16264): the fitted
# "half-life" of repeated data, R*_D, as the paper prints it. A teacher should check it against the
# paper; the answer below is also given for a much harsher value, 5, to show it hardly matters here.
R_STAR_D = 15.4
R_STAR_HARSH = 5.0


def effective_tokens(unique: float, epochs: float, r_star: float) -> float:
    """Muennighoff et al.'s effective data ``U + U R* (1 - exp(-R/R*))``, ``R = epochs - 1``."""
    r = epochs - 1.0
    return unique + unique * r_star * (1.0 - math.exp(-r / r_star))


def place(law: ChinchillaLaw, tokens: float = TINYLLAMA_TOKENS) -> dict:
    p = devries.shrink(TINYLLAMA_PARAMS, tokens, law)
    out = {"k_N": p.k_N, "k_D": p.k_D, "overhead": p.overhead, "beyond_critical": p.beyond_critical,
           "critical_k_N": devries.critical_model_size(law), "asymptote": devries.asymptote(law),
           "iso_loss_N_opt": p.N_opt, "iso_loss_D_opt": p.D_opt, "loss": p.loss}
    if p.k_N < 1:
        rho = float(devries.inference_ratio_for_fraction(p.k_N, law))
        out |= {"rho": rho, "inference_tokens": rho * p.D_opt, "inference_over_training_tokens": rho * p.D_opt / tokens}
    return out


def solve(n_resamples: int = 1000, seed: int = 0) -> dict:
    runs = datasets.chinchilla_runs(drop_highest_loss=5)
    N, D, L = (runs[c].to_numpy(float) for c in ("N", "D", "loss"))
    boot = fitting.bootstrap_parametric(N, D, L, n_resamples=n_resamples, seed=seed)
    fit = boot.fit  # the fit on all runs (fit_parametric), which the resamples start from
    own = place(fit.law)
    placements = []
    for law in boot.laws():
        try:
            placements.append(place(law))
        except ValueError:  # a resample whose law cannot place the model (none seen; kept honest)
            continue
    band = {k: [float(np.percentile([p[k] for p in placements], q)) for q in (5, 95)]
            for k in ("k_N", "overhead", "rho", "inference_tokens") if all(k in p for p in placements)}
    params = {k: getattr(fit.law, k) for k in ("E", "alpha", "beta")}
    params_band = {k: [float(np.percentile(boot.params[k], q)) for q in (5, 95)] for k in ("E", "alpha", "beta")}
    repetition = {}
    for r_star in (R_STAR_D, R_STAR_HARSH):
        d_eff = effective_tokens(TINYLLAMA_UNIQUE_TOKENS, TINYLLAMA_EPOCHS, r_star)
        repetition[f"R*={r_star:g}"] = {"effective_tokens": d_eff, **place(fit.law, d_eff)}
    return {
        "model": {"name": "TinyLlama 1.1B", "params": TINYLLAMA_PARAMS, "tokens": TINYLLAMA_TOKENS,
                  "unique_tokens": TINYLLAMA_UNIQUE_TOKENS, "epochs": TINYLLAMA_EPOCHS,
                  "tokens_per_parameter": TINYLLAMA_TOKENS / TINYLLAMA_PARAMS},
        "own_law": {**params, "A": fit.law.A, "B": fit.law.B, "interval_5_95": params_band,
                    "resamples": len(boot.params), "tokens_per_parameter_at_its_budget":
                        fit.law.tokens_per_parameter(6 * TINYLLAMA_PARAMS * TINYLLAMA_TOKENS)},
        "own_placement": own,
        "own_placement_interval_5_95": band,
        "book_laws": {name: place(law) for name, law in CHINCHILLA_LAWS.items()},
        "repetition": repetition,
    }


def figure(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    law = ChinchillaLaw(E=result["own_law"]["E"], A=result["own_law"]["A"], B=result["own_law"]["B"],
                        alpha=result["own_law"]["alpha"], beta=result["own_law"]["beta"])
    k = np.linspace(0.12, 1.0, 300)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(k, 100 * devries.overhead_curve(k, law), label="own Approach-3 fit")
    for name, law_ in CHINCHILLA_LAWS.items():
        p = result["book_laws"][name]
        ax.plot(p["k_N"], 100 * p["overhead"], "o", mfc="none", label=f"TinyLlama under {name}")
    own = result["own_placement"]
    lo, hi = result["own_placement_interval_5_95"]["overhead"]
    ax.errorbar(own["k_N"], 100 * own["overhead"], yerr=[[100 * (own["overhead"] - lo)], [100 * (hi - own["overhead"])]],
                fmt="s", color="k", label="TinyLlama, own fit (5-95 % bootstrap)")
    ax.set(yscale="log", ylim=(1, 5e3), xlabel="k_N = N / N_opt of the same loss", ylabel="compute overhead (%)",
           title="TinyLlama 1.1B on 3 T tokens on the overhead curve")
    ax.legend(fontsize=8)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python teaching/capstone_solution.py", description=__doc__.split("\n")[0])
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--json", type=Path, help="write every number as JSON here")
    parser.add_argument("--figure", type=Path, help="write the figure (SVG) here")
    args = parser.parse_args(argv)
    try:
        result = solve(args.resamples)
    except (OSError, ValueError, datasets.DataError) as err:
        print(f"capstone_solution: error: {err}", file=sys.stderr)
        return 2
    own, band, law = result["own_placement"], result["own_placement_interval_5_95"], result["own_law"]
    print(f"own law: E = {law['E']:.3f}, alpha = {law['alpha']:.3f} [{law['interval_5_95']['alpha'][0]:.3f}, "
          f"{law['interval_5_95']['alpha'][1]:.3f}], beta = {law['beta']:.3f} [{law['interval_5_95']['beta'][0]:.3f}, "
          f"{law['interval_5_95']['beta'][1]:.3f}] ({law['resamples']} resamples)")
    print(f"TinyLlama, {result['model']['tokens_per_parameter']:.0f} tokens per parameter:")
    print(f"{'law':<11} {'k_N':>6} {'k_D':>6} {'overhead':>9} {'critical':>8} {'beyond':>6} {'rho':>7} {'D_inf (T)':>9}")
    rows = [("own", own)] + list(result["book_laws"].items())
    for name, p in rows:
        print(f"{name:<11} {p['k_N']:>6.3f} {p['k_D']:>6.2f} {100 * p['overhead']:>8.0f}% {p['critical_k_N']:>8.3f} "
              f"{'yes' if p['beyond_critical'] else 'no':>6} {p.get('rho', float('nan')):>7.1f} "
              f"{p.get('inference_tokens', float('nan')) / 1e12:>9.1f}")
    print(f"own fit, 5-95 %: k_N {band['k_N'][0]:.3f}-{band['k_N'][1]:.3f}, overhead {100 * band['overhead'][0]:.0f}-"
          f"{100 * band['overhead'][1]:.0f} %, lifetime inference {band['inference_tokens'][0] / 1e12:.1f}-"
          f"{band['inference_tokens'][1] / 1e12:.1f} T tokens")
    for name, p in result["repetition"].items():
        print(f"repetition ({name}): effective tokens {p['effective_tokens'] / 1e12:.2f} T -> k_N {p['k_N']:.3f}, "
              f"overhead {100 * p['overhead']:.0f} %")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    if args.figure:
        figure(result, args.figure)
    return 0


if __name__ == "__main__":
    sys.exit(main())
