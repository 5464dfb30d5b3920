"""``python -m scaling``: a command-line calculator for compute-optimal and smaller-than-optimal models.

Three sub-commands, built on :mod:`scaling.laws` and :mod:`scaling.devries`:

``plan --compute C``
    The compute-optimal parameters and tokens for a budget of ``C`` FLOPs,
    tokens per parameter and predicted loss, under each Chinchilla law, and
    Kaplan et al.'s (2020) allocation for comparison.
``shrink --params N --tokens D``
    Where a model of ``N`` parameters trained on ``D`` tokens sits: its
    budget, predicted loss, ``k_N`` (its size over the compute-optimal size for
    its loss) and compute overhead; also its size over the compute-optimal size
    of its own budget (de Vries' reading, ``k_N same budget``).
``overhead --kn K [K ...]``
    The data factor ``k_D`` and compute overhead of a model ``K`` times the
    compute-optimal size, with the law's asymptote and critical model size.

Every sub-command takes ``--law`` (``all`` by default) and ``--json``. Bad input
prints a message saying what was wrong and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from typing import Any

from . import devries
from .laws import ChinchillaLaw
from .published import CHINCHILLA_LAWS, KAPLAN2020_ALLOCATION
from .report import fmt
from .units import PF_DAY

__all__ = ["main", "build_parser", "parse_quantity", "parse_fraction"]

LAW_DESCRIPTIONS = {
    "printed": "Hoffmann et al. (2022) Approach 3, as printed: E=1.69 A=406.4 B=410.7 alpha=0.34 beta=0.28",
    "unrounded": "Hoffmann et al. (2022) Approach 3, unrounded (TeX source): E=1.6934 A=406.40 B=410.72 "
                 "alpha=0.33917 beta=0.28491",
    "replicated": "Besiroglu et al. (2024) refit on the extracted data: E=1.8172 A=477.84 B=2143.86 "
                  "alpha=0.3473 beta=0.3672",
    "devries": "de Vries (2023): alpha=0.336 beta=0.283 (adjusted to match Table A3), A, B as printed, E=1.62",
}

_SUFFIXES = {"K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "T": 1e12, "P": 1e15}

UNITS_HELP = """\
units:
  compute C       training FLOPs (C = 6 N D); 5.76e23 is Chinchilla's budget.
                  One PF-day is 8.64e19 FLOPs.
  params N        parameters (a count); 7e9 or 7B.
  tokens D        training tokens (a count); 1e12 or 1T.
  k_N             model size as a fraction of the compute-optimal size: a plain number
                  (0.5 = half; 50% is also accepted), no K/M/B/T suffix.
  overhead        extra training FLOPs over the compute-optimal model of the same loss,
                  in per cent (20 % = 1.2x the compute).
  loss            predicted cross-entropy, nats per token, under the chosen law
                  (Chinchilla's MassiveText losses; not comparable across data sets).
Numbers accept a suffix: K=1e3, M=1e6, B or G=1e9, T=1e12, P=1e15 (e.g. 6.9B, 1.4T).

laws (--law):
""" + "\n".join(f"  {k:<11} {v}" for k, v in LAW_DESCRIPTIONS.items()) + """
  all         every law above (the default), one row each.
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


def parse_quantity(text: str) -> float:
    """Parse a positive finite number, with an optional K/M/B/G/T/P suffix (``'6.9B'`` -> 6.9e9).

    Raises
    ------
    argparse.ArgumentTypeError
        If the text is not a number, or is not finite and positive.
    """
    s = text.strip().replace("_", "").replace(",", "")
    scale = 1.0
    if s and s[-1].upper() in _SUFFIXES and not s[-1].isdigit():
        scale = _SUFFIXES[s[-1].upper()]
        s = s[:-1]
    try:
        value = float(s) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number (write e.g. 5.76e23, 7e9 or 7B)"
        ) from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not finite")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be positive (sizes, token counts and budgets are > 0)")
    return value


def parse_fraction(text: str) -> float:
    """Parse ``--kn``: a model size as a positive finite fraction of the compute-optimal size (``'0.5'``, ``'50%'``).

    Unlike :func:`parse_quantity` it takes no K/M/B/T suffix: ``0.5K`` is a
    mistake, not 500.

    Raises
    ------
    argparse.ArgumentTypeError
        If the text is not a number (or a percentage), or is not finite and positive.
    """
    s = text.strip().replace("_", "")
    scale = 1.0
    if s.endswith("%"):
        scale, s = 0.01, s[:-1].strip()
    try:
        value = float(s) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a model fraction: k_N is the model size as a fraction of the compute-optimal "
            "size, a plain number such as 0.5 (half) or 50%, without a K/M/B/T suffix"
        ) from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"k_N {text!r} is not finite: give a fraction such as 0.5")
    if value <= 0:
        raise argparse.ArgumentTypeError(
            f"k_N {text!r} must be positive: it is the model size over the compute-optimal size "
            "(0.5 = half the optimal size)"
        )
    return value


def _laws(name: str) -> dict[str, ChinchillaLaw]:
    return dict(CHINCHILLA_LAWS) if name == "all" else {name: CHINCHILLA_LAWS[name]}


# ------------------------------------------------------------------ formatting
def _count(x: float) -> str:
    """A count (parameters, tokens) at 4 significant figures with a suffix: 12.52B, 1.088T.

    Beyond 1000P, and below 0.001, scientific notation (``2.400e+21``): a
    suffix would need a mantissa of many digits there.
    """
    r = float(f"{x:.4g}")  # round first, so that 999.96B prints as 1T, not 1000B
    if not math.isfinite(r) or abs(r) >= 1e18 or (r != 0 and abs(r) < 1e-3):
        return f"{x:.3e}"
    for suffix, scale in (("P", 1e15), ("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(r) >= scale:
            return f"{r / scale:.4g}{suffix}"
    return f"{r:.4g}"


def _fixed(x: float, decimals: int) -> str:
    """``x`` with a fixed number of decimals between 1e-3 and 1e6, in scientific notation outside."""
    return f"{x:.{decimals}f}" if 1e-3 <= abs(x) < 1e6 else f"{x:.3e}"


def _flops(x: float) -> str:
    return f"{x:.3e}"


def _pct(x: float | None) -> str:
    if x is None:
        return "unreachable"
    return f"{100 * x:.1f}%" if abs(100 * x) < 1e6 else f"{100 * x:.3e}%"


def _table(rows: list[dict[str, str]]) -> str:
    cols = list(rows[0])
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in cols}
    lines = ["  ".join(c.ljust(widths[c]) if i == 0 else c.rjust(widths[c]) for i, c in enumerate(cols))]
    lines.append("  ".join("-" * widths[c] for c in cols))
    for r in rows:
        lines.append("  ".join(r[c].ljust(widths[c]) if i == 0 else r[c].rjust(widths[c])
                               for i, c in enumerate(cols)))
    return "\n".join(lines)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


# ------------------------------------------------------------------ commands
def _plan(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    C = args.compute
    records = []
    for name, law in _laws(args.law).items():
        n, d = (float(x) for x in law.optimal_allocation(C))
        records.append({"law": name, "N_opt": n, "D_opt": d, "tokens_per_parameter": d / n,
                        "loss": float(law.loss(n, d))})
    k = KAPLAN2020_ALLOCATION
    c_pf = C / PF_DAY
    n_k = k.N_prefactor * c_pf**k.N_exponent
    d_k = k.D_prefactor * c_pf**k.D_exponent
    kaplan = {"law": "kaplan", "N_opt": n_k, "D_opt": d_k, "tokens_per_parameter": d_k / n_k, "loss": None}
    out = {"command": "plan", "compute_flops": C, "compute_pf_days": c_pf, "rows": records, "kaplan": kaplan}
    text_rows = [
        {"law": r["law"], "N_opt (params)": _count(r["N_opt"]), "D_opt (tokens)": _count(r["D_opt"]),
         "tokens/param": fmt(r["tokens_per_parameter"], 3), "loss (nats/token)": _fixed(r["loss"], 4)}
        for r in records
    ]
    text_rows.append({"law": "kaplan*", "N_opt (params)": _count(n_k), "D_opt (tokens)": _count(d_k),
                      "tokens/param": fmt(d_k / n_k, 3), "loss (nats/token)": "-"})
    text = (
        f"Compute-optimal allocation for C = {_flops(C)} FLOPs ({c_pf:.4g} PF-days)\n\n"
        + _table(text_rows)
        + "\n\n* kaplan: Kaplan et al. (2020) Table 6, N = 1.3e9 C^0.73 and D = 2e10 C^0.27 with C in PF-days;"
        "\n  N counts non-embedding parameters, and 6 N D need not equal C. No loss: its law is for another data set."
    )
    return out, text


def _shrink(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    records = []
    for name, law in _laws(args.law).items():
        try:
            p = devries.shrink(args.params, args.tokens, law)
        except ValueError as exc:
            raise ValueError(f"cannot place --params {args.params:g} --tokens {args.tokens:g}: {exc}") from None
        records.append({"law": name, **p.as_dict()})
    r0 = records[0]
    out = {"command": "shrink", "params": args.params, "tokens": args.tokens, "compute_flops": r0["compute"],
           "rows": records}
    text_rows = [
        {"law": r["law"], "loss (nats/token)": _fixed(r["loss"], 4), "N_opt (params)": _count(r["N_opt"]),
         "D_opt (tokens)": _count(r["D_opt"]), "k_N": _fixed(r["k_N"], 3), "k_D": _fixed(r["k_D"], 3),
         "overhead": _pct(r["overhead"]), "beyond critical": "yes" if r["beyond_critical"] else "no",
         "k_N same budget": _fixed(r["k_N_same_budget"], 3)}
        for r in records
    ]
    text = (
        f"A model of {_count(args.params)} parameters trained on {_count(args.tokens)} tokens "
        f"({fmt(args.tokens / args.params, 3)} tokens/param), budget C = 6ND = {_flops(r0['compute'])} FLOPs\n\n"
        + _table(text_rows)
        + "\n\nN_opt, D_opt: the compute-optimal model that reaches the same loss with the least compute."
        "\nk_N = N / N_opt (equal loss); overhead = 6ND / (6 N_opt D_opt) - 1; beyond critical: k_N below"
        "\nthe size at which the overhead reaches 100 %."
        "\nk_N same budget = N / N_opt(6ND): the size over the compute-optimal size of the model's own"
        "\nbudget (de Vries' reading; that optimum reaches a lower loss, so this is not the k_N of the curve)."
    )
    return out, text


def _overhead(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    laws = _laws(args.law)
    records = []
    for k_n in args.kn:
        for name, law in laws.items():
            try:
                k_d: float | None = float(devries.data_factor(k_n, law))
                ov: float | None = float(devries.compute_overhead(k_n, law))
            except ValueError:
                if len(laws) == 1:
                    raise
                k_d = ov = None
            records.append({"law": name, "k_N": k_n, "k_D": k_d, "overhead": ov,
                            "asymptote": devries.asymptote(law),
                            "critical_model_size": devries.critical_model_size(law)})
    if all(r["overhead"] is None for r in records):
        raise ValueError("no law reaches the compute-optimal loss at these k_N: every one is at or below "
                         "the asymptote (see `scaling overhead --kn 0.5` for the asymptotes)")
    out = {"command": "overhead", "rows": records}
    text_rows = [
        {"law": r["law"], "k_N": f"{r['k_N']:.4g}", "k_D": "-" if r["k_D"] is None else _fixed(r["k_D"], 4),
         "overhead": _pct(r["overhead"]), "asymptote k_N*": f"{r['asymptote']:.4f}",
         "critical k_N (100 %)": f"{r['critical_model_size']:.4f}"}
        for r in records
    ]
    text = (
        "A model k_N times the compute-optimal size, trained on k_D times the tokens to the same loss\n\n"
        + _table(text_rows)
        + "\n\noverhead = k_N k_D - 1 (extra training FLOPs); the same at every budget."
        "\nunreachable: k_N at or below the asymptote k_N*, where no amount of data reaches the loss."
    )
    return out, text


# ------------------------------------------------------------------ parser
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m scaling`` (exposed for the tests and the docs)."""
    parser = argparse.ArgumentParser(
        prog="scaling",
        description="Compute-optimal and smaller-than-optimal language models under the Chinchilla laws "
                    "(Hoffmann et al. 2022; Besiroglu et al. 2024; de Vries 2023).",
        epilog=UNITS_HELP, formatter_class=_Formatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="{plan,shrink,overhead}", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--law", choices=[*CHINCHILLA_LAWS, "all"], default="all",
                       help="which fitted law to use (default: all, one row each)")
        p.add_argument("--json", action="store_true", help="print JSON instead of a table (for scripts)")

    p = sub.add_parser("plan", help="compute-optimal N and D for a budget", epilog=UNITS_HELP,
                       formatter_class=_Formatter,
                       description="The compute-optimal parameters N_opt and tokens D_opt for a training budget "
                                   "of C FLOPs, tokens per parameter and predicted loss; also Kaplan et al.'s "
                                   "(2020) Table 6 allocation (C_min in PF-days, non-embedding N).")
    p.add_argument("--compute", "-C", type=parse_quantity, required=True, metavar="C",
                   help="training budget in FLOPs, e.g. 5.76e23")
    common(p)
    p.set_defaults(run=_plan)

    p = sub.add_parser("shrink", help="where a model (N params, D tokens) sits on the overhead curve",
                       epilog=UNITS_HELP, formatter_class=_Formatter,
                       description="Locate a model of N parameters trained on D tokens: its budget 6ND, its "
                                   "predicted loss, the compute-optimal model with the same loss, its k_N and "
                                   "its compute overhead; and N / N_opt(6ND), its size over the compute-optimal "
                                   "size of its own budget (de Vries' same-budget reading).")
    p.add_argument("--params", "-N", type=parse_quantity, required=True, metavar="N",
                   help="parameters, e.g. 6.9e9 or 6.9B")
    p.add_argument("--tokens", "-D", type=parse_quantity, required=True, metavar="D",
                   help="training tokens, e.g. 1e12 or 1T")
    common(p)
    p.set_defaults(run=_shrink)

    p = sub.add_parser("overhead", help="data factor and compute overhead of a k_N-sized model",
                       epilog=UNITS_HELP, formatter_class=_Formatter,
                       description="The data factor k_D and compute overhead k_N k_D - 1 of a model k_N times "
                                   "the compute-optimal size (the same at every budget), with the law's "
                                   "asymptote and critical model size (overhead 100 %).")
    p.add_argument("--kn", type=parse_fraction, nargs="+", required=True, metavar="K",
                   help="model size as a fraction of the compute-optimal size, e.g. 0.5 or 50%% (one or more)")
    common(p)
    p.set_defaults(run=_overhead)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 bad input or no solution)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["lab"]:  # `scaling lab ...`: the lab's own command line (scaling.lab.cli)
        from .lab.cli import main as lab_main

        return lab_main(argv[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad input and 0 after --help
        return int(exc.code) if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    try:
        out, text = args.run(args)
    except ValueError as exc:
        print(f"scaling {args.command}: error: {exc}", file=sys.stderr)
        return 2
    try:
        print(json.dumps(_clean(out), indent=2, allow_nan=False) if args.json else text)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `scaling plan -C 1e23 | head -3`: the reader left, which is fine
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
