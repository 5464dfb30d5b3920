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
prints a message saying what was wrong and exits with status 2; with ``--json``
the message is also printed on standard output as a JSON object
``{"error": ..., "exit_status": 2, ...}``. No input shows a traceback.

Exit status: 0 the answer was printed; 1 it could not be written (standard
output closed or full); 2 bad input, or no solution for it; 70 an internal
error (a bug: please report the command line).

Reading numbers: sizes and budgets take a K/M/B/G/T/P suffix *or* an exponent
(``7B`` or ``7e9``, never ``7e9B``), and a comma only as a thousands separator
(``7,500,000,000``; ``7,5B`` is refused rather than read as 75B). An option
that takes one value may be given once; ``--kn`` may be repeated and collects
every value. Options cannot be abbreviated (``--comp`` is refused), so that a
later option cannot change what an old command line means.

Adding a sub-command: write ``_name(args) -> (dict, str)`` (the JSON record and
the table), register it in :func:`build_parser` with :func:`_command`, give
single-valued options ``action=_Once``, and raise :class:`ValueError` with a
message in the user's terms for input that has no answer.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import textwrap
from collections.abc import Sequence
from typing import Any, NoReturn

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
    """Keeps the units table's line breaks."""


_NON_FINITE = {"nan", "inf", "infinity"}

# An ASCII number, its exponent and an optional suffix (letters or %), spaces allowed before the suffix.
# float() checks the digits and underscores of the mantissa; the grammar only splits the parts.
_NUMBER = re.compile(r"(?P<mantissa>[+-]?[0-9_.,]*[0-9][0-9_.,]*)(?P<exponent>[eE][+-]?[0-9_]+)?\s*(?P<suffix>[A-Za-z%]*)")
_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?")


def _split_number(text: str, what: str) -> tuple[float, str, bool]:
    """Split ``text`` into (number, suffix, had an exponent), refusing what could be misread.

    Raises ``argparse.ArgumentTypeError`` for non-finite values, non-ASCII digits, a comma
    that is not a thousands separator, and text that is not a number; ``what`` describes
    the expected input in those messages.
    """
    s = text.strip()
    if s.lstrip("+-").lower() in _NON_FINITE:
        raise argparse.ArgumentTypeError(f"{text!r} is not finite: give a finite number ({what})")
    m = _NUMBER.fullmatch(s) if s.isascii() else None
    if m is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number ({what})")
    mantissa = m["mantissa"]
    if "," in mantissa:
        if not _THOUSANDS.fullmatch(mantissa) or m["exponent"]:
            raise argparse.ArgumentTypeError(
                f"{text!r}: a comma is read only as a thousands separator (7,500,000,000); "
                f"for a decimal use a point (7.5B, 0.5)"
            )
        mantissa = mantissa.replace(",", "")
    try:
        value = float(mantissa + (m["exponent"] or ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number ({what})") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(
            f"{text!r} is too large: beyond double precision (about 1.8e308)"
        )
    if value == 0 and any(c in "123456789" for c in mantissa):
        raise argparse.ArgumentTypeError(
            f"{text!r} is too small: it rounds to 0 in double precision (below about 5e-324)"
        )
    if 0 < abs(value) < sys.float_info.min:
        raise argparse.ArgumentTypeError(
            f"{text!r} is too small for double precision: below about 2.2e-308 a number keeps only some of "
            f"its digits (it would be read as {value:.6g}); give a number of at least 2.2e-308"
        )
    return value, m["suffix"], bool(m["exponent"])


def parse_quantity(text: str) -> float:
    """Parse a positive finite number, with an optional K/M/B/G/T/P suffix (``'6.9B'`` -> 6.9e9).

    Accepted: ``7e9``, ``7B``, ``7.5B``, ``7 B``, ``7,500,000,000`` (commas only as
    thousands separators), ``1_000``. Refused rather than guessed: ``7,5B`` (a
    decimal comma), ``7e9B`` (an exponent and a suffix), non-ASCII digits, and numbers
    below about 2.2e-308, which double precision holds only approximately (``5e-324``
    would be read as 4.94e-324).

    Raises
    ------
    argparse.ArgumentTypeError
        If the text is not a number in that form, or is not finite and positive.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__} {text!r}")
    value, suffix, exponent = _split_number(text, "write e.g. 5.76e23, 7e9 or 7B")
    if suffix:
        if suffix.upper() not in _SUFFIXES:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a number: unknown suffix {suffix!r} (K=1e3, M=1e6, B or G=1e9, T=1e12, P=1e15)"
            )
        if exponent:
            raise argparse.ArgumentTypeError(
                f"{text!r} has both an exponent and a suffix: write 7e9 or 7B, not 7e9B"
            )
        value *= _SUFFIXES[suffix.upper()]
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is too large: beyond double precision (about 1.8e308)")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be positive (sizes, token counts and budgets are > 0)")
    return value


def parse_fraction(text: str) -> float:
    """Parse ``--kn``: a model size as a positive finite fraction of the compute-optimal size (``'0.5'``, ``'50%'``).

    Unlike :func:`parse_quantity` it takes no K/M/B/T suffix: ``0.5K`` is a
    mistake, not 500; nor a comma (``0,5``).

    Raises
    ------
    argparse.ArgumentTypeError
        If the text is not a number (or a percentage), or is not finite and positive.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__} {text!r}")
    what = ("k_N is the model size as a fraction of the compute-optimal size, a plain number such as 0.5 "
            "(half) or 50%, without a K/M/B/T suffix")
    try:
        value, suffix, _ = _split_number(text, what)
    except argparse.ArgumentTypeError as exc:
        msg = str(exc)
        if "not finite" in msg:
            raise argparse.ArgumentTypeError(f"k_N {text!r} is not finite: give a fraction such as 0.5") from None
        if "not a number" in msg:
            raise argparse.ArgumentTypeError(f"{text!r} is not a model fraction: {what}") from None
        raise argparse.ArgumentTypeError(f"k_N {msg}") from None
    if suffix == "%":
        value *= 0.01
    elif suffix:
        raise argparse.ArgumentTypeError(f"{text!r} is not a model fraction: {what}")
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
def _representable(*values: float) -> bool:
    """True if every value is finite and above zero: a size, count or budget that double precision holds."""
    return all(math.isfinite(v) and v > 0 for v in values)


def _plan(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    C = args.compute
    outside = f"--compute {C:g} FLOPs is too small for this calculation in double precision"
    records = []
    for name, law in _laws(args.law).items():
        try:
            n, d = (float(x) for x in law.optimal_allocation(C))
        except ValueError as exc:
            raise ValueError(f"cannot plan --compute {C:g}: {exc}") from None
        if not _representable(n, d):
            raise ValueError(f"{outside}: under the {name!r} law N_opt = {n:g} and D_opt = {d:g}")
        records.append({"law": name, "N_opt": n, "D_opt": d, "tokens_per_parameter": d / n,
                        "loss": float(law.loss(n, d))})
    k = KAPLAN2020_ALLOCATION
    c_pf = C / PF_DAY
    n_k = k.N_prefactor * c_pf**k.N_exponent if c_pf > 0 else 0.0
    d_k = k.D_prefactor * c_pf**k.D_exponent if c_pf > 0 else 0.0
    if not _representable(c_pf, n_k, d_k):
        raise ValueError(f"{outside}: Kaplan et al.'s allocation needs C in PF-days ({c_pf:g}), "
                         f"N = {n_k:g}, D = {d_k:g}")
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
        given = f"--params {args.params:g} --tokens {args.tokens:g}"
        try:
            p = devries.shrink(args.params, args.tokens, law)
        except ValueError as exc:
            said = re.match(r"(\w+) must", str(exc))
            if said and said[1] not in ("N", "D"):
                # devries reports a quantity it derived (e.g. "C must be positive"), which the user never
                # passed: say what it means for the model instead.
                raise ValueError(
                    f"cannot place {given} under the {name!r} law: the compute-optimal model with the same "
                    f"loss is outside double precision (its budget underflows to 0 FLOPs); use a larger "
                    f"model or more tokens") from None
            raise ValueError(f"cannot place {given}: {exc}") from None
        row = p.as_dict()
        if not all(math.isfinite(v) for v in row.values() if isinstance(v, float)):
            raise ValueError(f"cannot place {given} under the {name!r} law: the result is outside double "
                             f"precision ({', '.join(f'{k}={v:g}' for k, v in row.items() if isinstance(v, float))})")
        records.append({"law": name, **row})
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
class _UsageError(Exception):
    """Bad command line: raised by :meth:`_Parser.error` instead of exiting, so that ``main`` decides."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser


class _HelpShown(Exception):
    """``--help`` was printed (argparse would exit 0)."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of exiting, prints help through :func:`_emit`, and takes no
    abbreviated options."""

    commands: dict[str, argparse.ArgumentParser] = {}
    """The sub-commands' parsers by name (set on the top-level parser)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(**kwargs)

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        raise _UsageError(self, message)

    def print_help(self, file: Any = None) -> None:
        _emit(self.format_help().rstrip("\n"))

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:  # type: ignore[override]
        if status:  # argparse exits non-zero only through error()
            raise _UsageError(self, (message or "").strip())
        raise _HelpShown


class _Once(argparse.Action):
    """Store an option's value, refusing it the second time (``-C 1e24 -C 1e25`` would keep one silently)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        given: dict[str, str] = vars(namespace).setdefault("_given_once", {})
        if self.dest in given:
            raise argparse.ArgumentError(
                self, f"given more than once ({given[self.dest]} {_show(getattr(namespace, self.dest))}, "
                      f"then {option_string} {_show(values)}): give it once")
        given[self.dest] = option_string or self.dest
        setattr(namespace, self.dest, values)


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


ONCE = "Options that take one value may be given only once (more than once is an error)."


def _command(sub: Any, name: str, run: Any, help: str, description: str) -> argparse.ArgumentParser:
    """Add a sub-command whose ``run(args)`` returns ``(json record, table text)``."""
    p = sub.add_parser(name, help=help, description=textwrap.fill(description + " " + ONCE, 88),
                       epilog=UNITS_HELP)
    p.set_defaults(run=run)
    return p


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m scaling`` (exposed for the tests and the docs)."""
    parser = _Parser(
        prog="scaling",
        description="Compute-optimal and smaller-than-optimal language models under the Chinchilla laws "
                    "(Hoffmann et al. 2022; Besiroglu et al. 2024; de Vries 2023).",
        epilog=UNITS_HELP,
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--law", choices=[*CHINCHILLA_LAWS, "all"], default="all", action=_Once,
                       help="which fitted law to use (default: all, one row each)")
        p.add_argument("--json", action="store_true",
                       help="print JSON instead of a table (for scripts); errors too, as "
                            '{"error": ..., "exit_status": 2}')

    p = _command(sub, "plan", _plan, help="compute-optimal N and D for a budget",
                 description="The compute-optimal parameters N_opt and tokens D_opt for a training budget "
                             "of C FLOPs, tokens per parameter and predicted loss; also Kaplan et al.'s "
                             "(2020) Table 6 allocation (C_min in PF-days, non-embedding N).")
    p.add_argument("--compute", "-C", type=parse_quantity, required=True, metavar="C", action=_Once,
                   help="training budget in FLOPs, e.g. 5.76e23")
    common(p)

    p = _command(sub, "shrink", _shrink, help="where a model (N params, D tokens) sits on the overhead curve",
                 description="Locate a model of N parameters trained on D tokens: its budget 6ND, its "
                             "predicted loss, the compute-optimal model with the same loss, its k_N and "
                             "its compute overhead; and N / N_opt(6ND), its size over the compute-optimal "
                             "size of its own budget (de Vries' same-budget reading).")
    p.add_argument("--params", "-N", type=parse_quantity, required=True, metavar="N", action=_Once,
                   help="parameters, e.g. 6.9e9 or 6.9B")
    p.add_argument("--tokens", "-D", type=parse_quantity, required=True, metavar="D", action=_Once,
                   help="training tokens, e.g. 1e12 or 1T")
    common(p)

    p = _command(sub, "overhead", _overhead, help="data factor and compute overhead of a k_N-sized model",
                 description="The data factor k_D and compute overhead k_N k_D - 1 of a model k_N times "
                             "the compute-optimal size (the same at every budget), with the law's "
                             "asymptote and critical model size (overhead 100 %).")
    p.add_argument("--kn", type=parse_fraction, nargs="+", required=True, metavar="K", action="extend",
                   help="model size as a fraction of the compute-optimal size, e.g. 0.5 or 50%%; one or "
                        "more, and the option may be repeated: --kn 0.5 --kn 0.3 is --kn 0.5 0.3")
    common(p)

    parser.commands = sub.choices
    sub.metavar = "{" + ",".join(sub.choices) + "}"
    return parser


# ------------------------------------------------------------------ output
class _OutputError(Exception):
    """Standard output cannot take the answer (closed, or the disk is full)."""


def _detach_stdout() -> None:
    """Point file descriptor 1 at /dev/null, so that the interpreter's last flush cannot fail again."""
    try:
        fd = sys.stdout.fileno() if sys.stdout is not None else 1
        null = os.open(os.devnull, os.O_WRONLY)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
    except (OSError, ValueError, AttributeError):  # no real descriptor (e.g. captured by a test)
        pass


def _emit(text: str) -> None:
    """Print ``text`` on standard output and flush it; raise :class:`_OutputError` if it cannot be written.

    A reader that leaves early (``scaling plan -C 1e23 | head -3``) is not an error.
    """
    if sys.stdout is None:
        raise _OutputError("standard output is closed")
    try:
        print(text, file=sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        _detach_stdout()
    except (OSError, ValueError) as exc:  # ENOSPC, EBADF; ValueError: the stream was closed
        _detach_stdout()
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise _OutputError(reason) from None


def _say(text: str) -> None:
    """Print ``text`` on standard error if there is one (a closed stderr is not worth a traceback)."""
    try:
        if sys.stderr is not None:
            print(text, file=sys.stderr)
            sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _wants_json(argv: Sequence[str]) -> bool:
    """True if ``--json`` is among the options (before a ``--``), even when the command line is bad."""
    tokens = list(argv)
    if "--" in tokens:
        tokens = tokens[:tokens.index("--")]
    return "--json" in tokens


def _fail(message: str, prog: str, command: str | None, as_json: bool, usage: str = "") -> int:
    """Report bad input: ``prog: error: message`` on stderr (after the usage, if any), and as JSON on
    stdout if asked."""
    _say(f"{usage}{prog}: error: {message}")
    if as_json:
        try:
            _emit(json.dumps({"command": command, "error": message, "exit_status": 2}, indent=2))
        except _OutputError:
            pass
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    0: the answer was printed; 1: it could not be written (standard output closed or
    full); 2: bad input, or no solution for it; 70: an internal error (a bug).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["lab"]:  # `scaling lab ...`: the lab's own command line (scaling.lab.cli)
        from .lab.cli import main as lab_main

        return lab_main(argv[1:])
    as_json = _wants_json(argv)
    parser = build_parser()
    assert isinstance(parser, _Parser)
    command: str | None = None
    try:
        try:
            args, extra = parser.parse_known_args(argv)
            command = args.command
            if extra:  # report them with the sub-command's usage, not the top level's
                parser.commands[command].error(f"unrecognized arguments: {' '.join(extra)}")
        except _UsageError as exc:
            return _fail(str(exc), exc.parser.prog, command, as_json, exc.parser.format_usage())
        except _HelpShown:
            return 0
        try:
            out, text = args.run(args)
            _check_finite(out)
        except (ValueError, ArithmeticError) as exc:
            return _fail(str(exc), f"scaling {command}", command, as_json)
        _emit(json.dumps(_clean(out), indent=2, allow_nan=False) if args.json else text)
        return 0
    except _OutputError as exc:
        _say(f"scaling: error: could not write the result: {exc}")
        return 1
    except Exception as exc:  # a bug: say so in one paragraph rather than a traceback
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        where = f" at {tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb is not None else ""
        _say(f"scaling: internal error: {type(exc).__name__}: {exc}{where}. This is a bug; please report "
             f"it with the command line: scaling {' '.join(argv)}")
        return 70


def _check_finite(record: Any, path: str = "") -> None:
    """Refuse a result holding inf or NaN: JSON would print it as null, which means "unreachable"."""
    if isinstance(record, float) and not math.isfinite(record):
        raise ValueError(f"the result {path} = {record} is outside double precision; the input is too "
                         f"extreme for this tool")
    if isinstance(record, dict):
        for k, v in record.items():
            _check_finite(v, f"{path}.{k}" if path else str(k))
    if isinstance(record, list):
        for i, v in enumerate(record):
            _check_finite(v, f"{path}[{i}]")
