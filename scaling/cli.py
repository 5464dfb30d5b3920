"""``python -m scaling``: a command-line calculator for compute-optimal and smaller-than-optimal models.

Three sub-commands, built on :mod:`scaling.laws` and :mod:`scaling.planner` (the closed forms of
:mod:`scaling.devries` without SciPy, so that an answer takes about a quarter of a second):

``plan --compute C`` or ``plan --loss L``
    The compute-optimal parameters and tokens for a budget of ``C`` FLOPs, tokens per parameter
    and predicted loss, under each Chinchilla law, with Kaplan et al.'s (2020) allocation for
    comparison; or the cheapest budget that reaches a loss ``L``, and its model.
    ``--kn K``: the compute-optimal model shrunk to ``K`` times its size and trained to the same
    loss (a row of de Vries' updated Table A3): its parameters, tokens and extra compute.
    ``--inference-tokens T``: the model that minimises training plus lifetime inference compute
    at that loss (Sardana et al. 2023), with the compute saved against the compute-optimal model.
``shrink --params N --tokens D``
    Where a model of ``N`` parameters trained on ``D`` tokens sits, read two ways, each labelled
    with the question it answers: against the compute-optimal model of the same *loss* (its
    ``k_N``, ``k_D`` and overhead: how much more compute did it cost than the cheapest model as
    good as it?), and against the compute-optimal model of the same *budget* ``6ND``, as the
    Hugging Face space ``lvwerra/harms-law`` reads it (how much more than its budget would a
    model of its size need to match the best model of its budget?).
``overhead --kn K [K ...]``
    The data factor ``k_D`` and compute overhead of a model ``K`` times the compute-optimal
    size, with the law's asymptote and critical model size.

Every sub-command takes ``--law`` (``all`` by default; ``custom`` with ``--E --A --B --alpha
--beta``) or ``--law-file law.json`` (the JSON of :meth:`scaling.laws.ChinchillaLaw.to_json`),
and ``--json``; ``plan`` and ``shrink`` take hardware (``--peak-flops``, ``--utilisation``,
``--accelerators``, ``--price``) and then give accelerator-hours, days and a cost. Bad input
prints a message saying what was wrong and exits with status 2; with ``--json`` the message is
also printed on standard output as a JSON object ``{"error": ..., "exit_status": 2, ...}``. No
input shows a traceback. A question more than 100 times outside the data the laws were fitted on
(:data:`scaling.planner.FITTED_RANGE`) is answered with a warning: on standard error under the
table, in ``"warnings"`` in the JSON.

Exit status: 0 the answer was printed; 1 it could not be written (standard
output closed or full); 2 bad input, or no solution for it; 70 an internal
error (a bug: please report the command line).

Reading numbers: sizes and budgets take a K/M/B/G/T/P suffix *or* an exponent
(``7B`` or ``7e9``, never ``7e9B``), and a comma only as a thousands separator
(``7,500,000,000``; ``7,5B`` is refused rather than read as 75B). An option
that takes one value may be given once; ``--kn`` of ``overhead`` may be repeated and collects
every value. Options cannot be abbreviated (``--comp`` is refused), so that a
later option cannot change what an old command line means.

Start-up: this module imports NumPy (through :mod:`scaling.laws`) and the standard library,
never pandas or SciPy; ``benchmarks/bench_cli.py`` (``make benchmark``) times each command
against ``python -c "import numpy"``.

Adding a sub-command: write ``_name(args) -> (dict, str)`` (the JSON record and
the table; warnings go in the record's ``"warnings"`` list, and :func:`main` prints them on
standard error under the table), register it in :func:`build_parser` with ``_command``,
give single-valued options ``action=_Once``, and raise :class:`ValueError` with a
message in the user's terms for input that has no answer. Import anything heavy inside
``_name``, not at the top of this module. (``lab`` is dispatched by :func:`main` to
:mod:`scaling.lab.cli` before this parser runs.)
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

from . import planner
from .laws import ChinchillaLaw
from .published import CHINCHILLA_BUDGET_FLOPS, CHINCHILLA_LAWS, KAPLAN2020_ALLOCATION
from .units import PF_DAY

__all__ = ["main", "build_parser", "parse_quantity", "parse_fraction", "parse_number", "parse_utilisation",
           "parse_count"]

LAW_DESCRIPTIONS = {
    "printed": "Hoffmann et al. (2022) Approach 3, as printed",
    "unrounded": "Hoffmann et al. (2022) Approach 3, unrounded (TeX source)",
    "replicated": "Besiroglu et al. (2024), Approach 3 refitted to the extracted runs",
    "devries": "de Vries (2023): alpha, beta adjusted to match Table A3; A, B as printed",
}
"""What each of the book's laws is; the constants shown beside it come from :data:`CHINCHILLA_LAWS`."""

_SUFFIXES = {"K": 1e3, "M": 1e6, "B": 1e9, "G": 1e9, "T": 1e12, "P": 1e15}


def _constants(law: ChinchillaLaw) -> str:
    return " ".join(f"{k}={v:.6g}" for k, v in law.as_dict().items())


def _units_help() -> str:
    """The units, the laws (constants read from the law objects) and the fitted range, for ``--help``."""
    rng = planner.FITTED_RANGE
    laws = "\n".join(f"  {k:<11} {v}:\n  {'':<11} {_constants(CHINCHILLA_LAWS[k])}" for k, v in LAW_DESCRIPTIONS.items())
    return f"""\
units:
  compute C       training FLOPs (C = 6 N D); 5.76e23 is Chinchilla's budget.
                  One PF-day is 8.64e19 FLOPs.
  params N        parameters (a count); 7e9 or 7B.
  tokens D        training tokens (a count); 1e12 or 1T.
  k_N             model size as a fraction of the compute-optimal size: a plain number
                  (0.5 = half; 50% is also accepted), no K/M/B/T suffix.
  overhead        extra training FLOPs over a compute-optimal model, in per cent
                  (20 % = 1.2x the compute); shrink says which optimum.
  loss            predicted cross-entropy, nats per token, under the chosen law
                  (Chinchilla's MassiveText losses; not comparable across data sets).
Numbers accept a suffix: K=1e3, M=1e6, B or G=1e9, T=1e12, P=1e15 (e.g. 6.9B, 1.4T).

laws (--law):
{laws}
  all         every law above (the default), one row each.
  custom      your own constants: --E --A --B --alpha --beta (all five).
  Or --law-file law.json: {{"E": ..., "A": ..., "B": ..., "alpha": ..., "beta": ...}}, as
  ChinchillaLaw.to_json() writes it (e.g. a fit: fit.law.to_json()).

fitted range: the laws were fitted on the Chinchilla runs, N {rng['N'][0]:.2g} to {rng['N'][1]:.2g} parameters,
  D {rng['D'][0]:.2g} to {rng['D'][1]:.2g} tokens, C {rng['C'][0]:.2g} to {rng['C'][1]:.2g} FLOPs. A question more than
  {planner.EXTRAPOLATION_FACTOR:g}x outside that range gets a warning (Chinchilla itself, at {CHINCHILLA_BUDGET_FLOPS:.3g} FLOPs,
  was a {CHINCHILLA_BUDGET_FLOPS / rng['C'][1]:.0f}x extrapolation).
"""


def _law_advice() -> str:
    """Which law to use, with the spread of N_opt at 1e24 FLOPs computed from the laws."""
    n = {name: float(law.optimal_allocation(1e24)[0]) for name, law in CHINCHILLA_LAWS.items()}
    lo, hi = min(n, key=n.__getitem__), max(n, key=n.__getitem__)
    return f"""\
which law?
  replicated  to plan a run: Besiroglu et al.'s refit fits the runs Hoffmann et al. published,
              and its optimum (about 20 tokens per parameter) agrees with their Approaches 1 and 2.
  devries     to reproduce de Vries (2023): his post's figures and updated Table A3.
  printed, unrounded
              Hoffmann et al.'s Approach 3 as published, which does not fit their own runs
              (Part II of the book); for comparison.
  all         the default: every law, one row each. The spread is the uncertainty of the
              answer: at 1e24 FLOPs N_opt runs from {_count(n[lo])} ({lo}) to {_count(n[hi])} ({hi}),
              a factor of {n[hi] / n[lo]:.2g}.
  The losses are on Chinchilla's data (MassiveText). For your own data, fit a law and pass
  it with --law-file.
"""


_EXAMPLES = """\
examples:
  scaling plan --compute 1e24                  the compute-optimal N and D of a budget, under each law
  scaling plan --loss 2.0                      the cheapest budget that reaches a loss, and its model
  scaling plan --compute 1e24 --kn 0.5         half the optimal size: its tokens and extra compute (de Vries' Table A3)
  scaling plan --loss 2.0 --inference-tokens 1e13 --law replicated
                                               the cheapest model over training plus 1e13 inference tokens
  scaling plan -C 1e24 --peak-flops 989T --utilisation 40% --accelerators 1024 --price 2.5
                                               the same budget in days and accelerator-hours, and its cost
  scaling shrink --params 8B --tokens 15T      where Llama 3 8B sits: both overheads, each with its question
  scaling overhead --kn 0.75 0.5 0.3           k_D and overhead of smaller models; asymptote, critical size
  scaling plan -C 1e24 --law custom --E 1.8 --A 480 --B 2100 --alpha 0.35 --beta 0.37
  scaling plan -C 1e24 --law-file law.json     a law of your own (ChinchillaLaw.to_json())
  scaling --version
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




def parse_number(text: str) -> float:
    """Parse a finite real number without a suffix: a law's constant (``'406.4'``, ``'0.34'``), a loss, a price.

    Raises
    ------
    argparse.ArgumentTypeError
        If the text is not a number, not finite, or carries a suffix.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__} {text!r}")
    value, suffix, _ = _split_number(text, "write e.g. 1.69, 406.4 or 2e-3")
    if suffix:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a plain number: no K/M/B/T suffix or % here; write e.g. 406.4 or 4.064e2")
    return value


def _positive_number(what: str) -> Any:
    def parse(text: str) -> float:
        value = parse_number(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be positive ({what})")
        return value
    parse.__name__ = what
    return parse


def parse_utilisation(text: str) -> float:
    """Parse ``--utilisation``: the fraction of the accelerators' peak rate a run sustains, in (0, 1] (``'0.4'``, ``'40%'``).

    Raises
    ------
    argparse.ArgumentTypeError
        If the text is not a fraction or percentage in (0, 1].
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__} {text!r}")
    what = "the fraction of the peak rate the run sustains, e.g. 0.4 or 40%"
    value, suffix, _ = _split_number(text, what)
    if suffix == "%":
        value *= 0.01
    elif suffix:
        raise argparse.ArgumentTypeError(f"{text!r} is not a utilisation: {what}")
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"utilisation {text!r} must be above 0 and at most 1 (100%): {what}")
    return value


def parse_count(text: str) -> float:
    """Parse ``--accelerators``: a whole number >= 1, with an optional suffix (``'1024'``, ``'16K'``).

    Raises
    ------
    argparse.ArgumentTypeError
        If the text is not a whole number of at least 1.
    """
    value = parse_quantity(text)
    if value < 1 or value != math.floor(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of accelerators: give a whole number >= 1")
    return value


# ------------------------------------------------------------------ which laws
_CUSTOM = ("E", "A", "B", "alpha", "beta")


def _select_laws(args: argparse.Namespace) -> dict[str, ChinchillaLaw]:
    """The laws the command line asks for: ``--law`` (``all`` by default), ``custom`` with its five constants,
    or ``--law-file``."""
    given = [f"--{k}" for k in _CUSTOM if getattr(args, k, None) is not None]
    if args.law_file is not None:
        if args.law is not None:
            raise ValueError(f"give either --law or --law-file, not both (--law {args.law} --law-file {args.law_file})")
        if given:
            raise ValueError(f"{', '.join(given)} set the constants of --law custom; --law-file gives its own: "
                             "drop one or the other")
        return {"file": _read_law_file(args.law_file)}
    if args.law == "custom":
        missing = [f"--{k}" for k in _CUSTOM if getattr(args, k) is None]
        if missing:
            raise ValueError(f"--law custom needs all five constants --E --A --B --alpha --beta; missing "
                             f"{' '.join(missing)}")
        try:
            return {"custom": ChinchillaLaw(**{k: getattr(args, k) for k in _CUSTOM}, source="--law custom")}
        except (TypeError, ValueError) as exc:
            raise ValueError(f"--law custom: {_user_terms(str(exc))}") from None
    if given:
        raise ValueError(f"{', '.join(given)} set the constants of a law of your own: add --law custom "
                         "(with all five of --E --A --B --alpha --beta)")
    name = args.law or "all"
    return dict(CHINCHILLA_LAWS) if name == "all" else {name: CHINCHILLA_LAWS[name]}


def _user_terms(message: str) -> str:
    """``ChinchillaLaw.alpha must ...`` -> ``--alpha must ...``: the option the user typed."""
    return re.sub(r"ChinchillaLaw\.(\w+)", r"--\1", message)


def _read_law_file(path: str) -> ChinchillaLaw:
    """The law saved in ``path`` (JSON of :meth:`ChinchillaLaw.to_json`); ValueError saying what is wrong."""
    where = f"--law-file {path}"
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read(1_000_001)
    except FileNotFoundError:
        raise ValueError(f"{where}: no such file (looked for {os.path.abspath(path)})") from None
    except IsADirectoryError:
        raise ValueError(f"{where}: is a folder; give the JSON file of a law") from None
    except UnicodeDecodeError:
        raise ValueError(f"{where}: not a text file (not UTF-8); give the JSON of a law") from None
    except OSError as exc:
        raise ValueError(f"{where}: cannot be read ({exc.strerror or exc})") from None
    if len(text) > 1_000_000:
        raise ValueError(f"{where}: larger than a law's JSON can be (over 1 MB)")
    try:
        return ChinchillaLaw.from_json(text)
    except (TypeError, ValueError) as exc:
        said = re.sub(r"ChinchillaLaw[.](\w+)", r'"\1"', str(exc))
        raise ValueError(f"{where}: {said}; the file must hold "
                         '{"E": ..., "A": ..., "B": ..., "alpha": ..., "beta": ...}') from None


def _hardware(args: argparse.Namespace) -> dict[str, float | None] | None:
    """The hardware options, checked together: None when none is given."""
    names = {"peak_flops": "--peak-flops", "utilisation": "--utilisation", "accelerators": "--accelerators",
             "price": "--price"}
    given = {k: getattr(args, k, None) for k in names}
    if all(v is None for v in given.values()):
        return None
    missing = [names[k] for k in ("peak_flops", "utilisation") if given[k] is None]
    if missing:
        said = " ".join(names[k] for k, v in given.items() if v is not None)
        raise ValueError(f"{said} needs {' and '.join(missing)}: the time and cost of a run follow from the "
                         "accelerators' peak FLOP/s and the fraction of it the run sustains")
    return {"peak_flops": given["peak_flops"], "utilisation": given["utilisation"],
            "accelerators": given["accelerators"], "price_per_hour": given["price"]}


def _on_hardware(compute: float, hw: dict[str, float | None] | None) -> dict[str, float | None]:
    if hw is None:
        return {}
    return planner.hardware(compute, hw["peak_flops"], hw["utilisation"], hw["accelerators"],  # type: ignore[arg-type]
                            hw["price_per_hour"])


def _hardware_line(hw: dict[str, float | None] | None) -> str:
    if hw is None:
        return ""
    parts = [f"accelerators of {hw['peak_flops']:.4g} FLOP/s peak at {100 * hw['utilisation']:.4g}% utilisation"]  # type: ignore[operator]
    if hw["accelerators"] is not None:
        parts.insert(0, f"{hw['accelerators']:.10g}")
    if hw["price_per_hour"] is not None:
        parts.append(f"at {hw['price_per_hour']:.6g} per accelerator-hour")
    return "Hardware: " + " ".join(parts) + "\n"
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


def _sig(x: float, digits: int) -> str:
    """``x`` at ``digits`` significant figures: fixed decimals between 1e-3 and 1e6, scientific outside."""
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e6:
        return f"{x:.{max(digits - 1 - int(math.floor(math.log10(abs(x)))), 0)}f}"
    return f"{x:.{digits - 1}e}"


def _table(rows: list[dict[str, str]], fill: str = "") -> str:
    """A plain-text table; the columns are those of the widest row, in its order. A row without some of
    them (a law with no answer) shows ``fill`` in the first missing cell and nothing in the rest."""
    cols = list(max(rows, key=len))
    full = []
    for r in rows:
        missing = [c for c in cols if c not in r]
        full.append({c: r.get(c, fill if missing and c == missing[0] else "") for c in cols})
    widths = {c: max(len(c), *(len(r[c]) for r in full)) for c in cols}
    lines = ["  ".join(c.ljust(widths[c]) if i == 0 else c.rjust(widths[c]) for i, c in enumerate(cols))]
    lines.append("  ".join("-" * widths[c] for c in cols))
    for r in full:
        lines.append("  ".join(r[c].ljust(widths[c]) if i == 0 else r[c].rjust(widths[c])
                               for i, c in enumerate(cols)).rstrip())
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


def _why(exc: Exception) -> str:
    """An error's reason in the user's terms: a result outside double precision is said so, without the
    internal call that :func:`scaling._validate.representable` names."""
    detail = getattr(exc, "detail", None)
    return f"the result is outside double precision ({detail})" if detail else str(exc)


def _law_record(laws: dict[str, ChinchillaLaw]) -> dict[str, dict[str, float]]:
    return {name: law.as_dict() for name, law in laws.items()}


def _optimal(C: float, name: str, law: ChinchillaLaw, given: str) -> dict[str, float]:
    """``planner.optimal`` with the messages of the command line (``given``: what the user passed)."""
    try:
        rec = planner.optimal(C, law)
    except ValueError as exc:
        raise ValueError(f"cannot plan {given}: {_why(exc)}") from None
    if not _representable(rec["N_opt"], rec["D_opt"]):
        raise ValueError(f"{given} is too small for this calculation in double precision: under the {name!r} law "
                         f"N_opt = {rec['N_opt']:g} and D_opt = {rec['D_opt']:g}")
    return rec


def _plan(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    laws = _select_laws(args)
    hw = _hardware(args)
    by_loss = args.loss is not None
    given = f"--loss {args.loss:g}" if by_loss else f"--compute {args.compute:g}"
    mode = "kn" if args.kn is not None else "inference" if args.inference_tokens is not None else "optimal"
    rows: list[dict[str, Any]] = []
    unreachable: dict[str, str] = {}
    computes: list[float] = [] if by_loss else [args.compute]  # for the fitted-range warnings
    sizes: list[float] = []
    tokens: list[float] = []
    for name, law in laws.items():
        if by_loss and args.loss <= law.E:
            unreachable[name] = f"the loss {args.loss:g} is at or below its irreducible loss E = {law.E:g}"
            rows.append({"law": name, "unreachable": True})
            continue
        try:
            C = planner.compute_for_loss(args.loss, law) if by_loss else args.compute
        except ValueError as exc:
            raise ValueError(f"cannot plan {given} under the {name!r} law: {_why(exc)}") from None
        opt = _optimal(C, name, law, given if not by_loss else f"{given} (C = {C:g} FLOPs)")
        if mode == "kn":
            if args.kn <= planner.asymptote(law):
                unreachable[name] = (f"k_N = {args.kn:g} is at or below its asymptote "
                                     f"k_N* = {planner.asymptote(law):.4g}")
                rows.append({"law": name, "unreachable": True})
                continue
            try:
                rec = planner.shrunk_model(args.kn, C, law)
            except ValueError as exc:
                raise ValueError(f"cannot plan {given} --kn {args.kn:g} under the {name!r} law: {_why(exc)}") from None
            trained, n, d = rec["compute"], rec["N"], rec["D"]
        elif mode == "inference":
            try:
                rec = planner.optimal_with_inference(args.loss if by_loss else opt["loss"], args.inference_tokens, law)
            except ValueError as exc:
                raise ValueError(f"cannot plan {given} --inference-tokens {args.inference_tokens:g} under the "
                                 f"{name!r} law: {_why(exc)}") from None
            rec = {"C": C, "N_opt": opt["N_opt"], "D_opt": opt["D_opt"], **rec,
                   "saved_flops": rec["chinchilla_total_flops"] - rec["total_flops"]}
            trained, n, d = rec["training_flops"], rec["N"], rec["D"]
        else:
            rec = opt
            trained, n, d = C, opt["N_opt"], opt["D_opt"]
        computes.append(trained)
        sizes.append(n)
        tokens.append(d)
        rows.append({"law": name, "unreachable": False, **rec, **_on_hardware(trained, hw)})
    if len(unreachable) == len(laws):
        reasons = "; ".join(f"{k}: {v}" for k, v in unreachable.items())
        raise ValueError(f"no law can answer {given}{' --kn %g' % args.kn if mode == 'kn' else ''}: {reasons}")
    warnings = planner.extrapolation_warnings(N=sizes or None, D=tokens or None, C=computes or None)

    out: dict[str, Any] = {
        "command": "plan", "question": "loss" if by_loss else "compute",
        "compute_flops": None if by_loss else args.compute,
        "compute_pf_days": None if by_loss else args.compute / PF_DAY,
        "loss": args.loss, "k_N": args.kn, "inference_tokens": args.inference_tokens,
        "laws": _law_record(laws), "hardware": hw, "rows": rows,
    }
    text_rows: list[dict[str, str]] = []
    hw_cols = _hardware_columns(hw)
    for r in rows:
        if r["unreachable"]:
            cells = {"law": r["law"]}
        elif mode == "kn":
            cells = {"law": r["law"], "N_opt (params)": _count(r["N_opt"]), "D_opt (tokens)": _count(r["D_opt"]),
                     "N (params)": _count(r["N"]), "D (tokens)": _count(r["D"]), "k_D": _fixed(r["k_D"], 3),
                     "compute (FLOPs)": _flops(r["compute"]), "extra compute": _pct(r["overhead"])}
        elif mode == "inference":
            cells = {"law": r["law"], "N (params)": _count(r["N"]), "D (tokens)": _count(r["D"]),
                     "k_N": _fixed(r["k_N"], 3), "training (FLOPs)": _flops(r["training_flops"]),
                     "lifetime (FLOPs)": _flops(r["total_flops"]),
                     "N_opt lifetime": _flops(r["chinchilla_total_flops"]), "saved": _pct(r["saving"])}
        else:
            cells = {"law": r["law"]}
            if by_loss:
                cells["compute (FLOPs)"] = _flops(r["C"])
            cells.update({"N_opt (params)": _count(r["N_opt"]), "D_opt (tokens)": _count(r["D_opt"]),
                          "tokens/param": _sig(r["tokens_per_parameter"], 3)})
            if not by_loss:
                cells["loss (nats/token)"] = _fixed(r["loss"], 4)
        if not r["unreachable"]:
            cells.update({label: fmt(r[key]) for label, key, fmt in hw_cols})
        text_rows.append(cells)

    notes = []
    if not by_loss and mode == "optimal":
        k = KAPLAN2020_ALLOCATION
        c_pf = args.compute / PF_DAY
        n_k = k.N_prefactor * c_pf**k.N_exponent if c_pf > 0 else 0.0
        d_k = k.D_prefactor * c_pf**k.D_exponent if c_pf > 0 else 0.0
        if not _representable(c_pf, n_k, d_k):
            raise ValueError(f"--compute {args.compute:g} FLOPs is too small for this calculation in double precision: "
                             f"Kaplan et al.'s allocation needs C in PF-days ({c_pf:g}), N = {n_k:g}, D = {d_k:g}")
        out["kaplan"] = {"law": "kaplan", "N_opt": n_k, "D_opt": d_k, "tokens_per_parameter": d_k / n_k, "loss": None}
        kaplan_cells = {"law": "kaplan*", "N_opt (params)": _count(n_k), "D_opt (tokens)": _count(d_k),
                        "tokens/param": _sig(d_k / n_k, 3), "loss (nats/token)": "-"}
        kaplan_cells.update({label: fmt(h[key]) for label, key, fmt in hw_cols
                             for h in [_on_hardware(args.compute, hw)]})
        text_rows.append(kaplan_cells)
        notes.append("* kaplan: Kaplan et al. (2020) Table 6, N = 1.3e9 C^0.73 and D = 2e10 C^0.27 with C in PF-days;"
                     "\n  N counts non-embedding parameters, and 6 N D need not equal C. No loss: its law is for "
                     "another data set.")
    if mode == "kn":
        notes.append(f"N = k_N N_opt on D = k_D D_opt tokens reaches the loss of the compute-optimal (N_opt, D_opt); "
                     f"extra compute = k_N k_D - 1.")
    if mode == "inference":
        notes.append(f"lifetime = training 6 N D + inference 2 N x {args.inference_tokens:g} tokens; N_opt lifetime: "
                     "the same for the compute-optimal\nmodel of that loss; saved = 1 - lifetime / N_opt lifetime.")
    if unreachable:
        notes.append("unreachable: " + "; ".join(f"{k}: {v}" for k, v in unreachable.items())
                     + (" (no budget reaches it)." if mode != "kn" else " (no amount of data reaches the loss)."))
    if by_loss:
        head = f"The cheapest model that reaches a loss of {args.loss:g} nats/token"
    else:
        head = f"Compute-optimal allocation for C = {_flops(args.compute)} FLOPs ({args.compute / PF_DAY:.4g} PF-days)"
    if mode == "kn":
        head += f", shrunk to k_N = {args.kn:g} of its size and trained to the same loss (de Vries' Table A3)"
    elif mode == "inference":
        head = (head.replace("The cheapest model", "The model with the least training plus inference compute")
                if by_loss else f"The model with the least training plus inference compute at the loss of the "
                                f"compute-optimal model of C = {_flops(args.compute)} FLOPs")
        head += f", run on {_count(args.inference_tokens)} inference tokens"
    text = (textwrap.fill(head, 100) + "\n" + _hardware_line(hw) + "\n" + _table(text_rows, fill="unreachable")
            + ("\n\n" + "\n".join(notes) if notes else ""))
    out["warnings"] = warnings
    return out, text


def _hardware_columns(hw: dict[str, float | None] | None) -> list[tuple[str, str, Any]]:
    if hw is None:
        return []
    cols: list[tuple[str, str, Any]] = [("accel-hours", "accelerator_hours", _count)]
    if hw["accelerators"] is not None:
        cols.append(("days", "days", lambda v: _fixed(v, 1)))
    if hw["price_per_hour"] is not None:
        cols.append(("cost", "cost", _count))
    return cols


def _shrink(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    laws = _select_laws(args)
    hw = _hardware(args)
    given = f"--params {args.params:g} --tokens {args.tokens:g}"
    records = []
    for name, law in laws.items():
        try:
            p = planner.shrink(args.params, args.tokens, law)
        except ValueError as exc:
            raise ValueError(f"cannot place {given} under the {name!r} law: {_why(exc)}") from None
        try:
            same: dict[str, float] | None = planner.same_budget_placement(args.params, args.tokens, law)
            why = ""
        except ValueError as exc:
            same, why = None, ("unreachable" if "asymptote" in str(exc) else "outside double precision")
        row = {"law": name, **p, "beyond_critical": p["beyond_critical"] if p["k_N"] < 1 else None,
               "same_budget": same, "same_budget_unreachable": why == "unreachable"}
        records.append(row)
    r0 = records[0]
    hardware_record = _on_hardware(r0["compute"], hw) or None
    warnings = planner.extrapolation_warnings(N=args.params, D=args.tokens, C=r0["compute"])
    out = {"command": "shrink", "params": args.params, "tokens": args.tokens, "compute_flops": r0["compute"],
           "laws": _law_record(laws), "hardware": hw, "training": hardware_record, "rows": records,
           "warnings": warnings}
    equal = [
        {"law": r["law"], "loss (nats/token)": _fixed(r["loss"], 4), "N_opt (params)": _count(r["N_opt"]),
         "D_opt (tokens)": _count(r["D_opt"]), "k_N": _fixed(r["k_N"], 3), "k_D": _fixed(r["k_D"], 3),
         "overhead": _pct(r["overhead"]),
         "beyond critical": "-" if r["beyond_critical"] is None else "yes" if r["beyond_critical"] else "no"}
        for r in records
    ]
    budget = []
    for r in records:
        s = r["same_budget"]
        cells = {"law": r["law"], "N_opt(6ND)": _count(r["N"] / r["k_N_same_budget"]),
                 "k_N": _fixed(r["k_N_same_budget"], 3)}
        if s:
            cells.update({"D needed (tokens)": _count(s["D"]), "k_D": _fixed(s["k_D"], 3), "overhead": _pct(s["overhead"])})
        else:
            cells["D needed (tokens)"] = "unreachable" if r["same_budget_unreachable"] else "-"
        budget.append(cells)
    larger = any(r["beyond_critical"] is None for r in records)
    unreachable = any(r["same_budget_unreachable"] for r in records)
    lines = [
        f"A model of {_count(args.params)} parameters trained on {_count(args.tokens)} tokens "
        f"({_sig(args.tokens / args.params, 3)} tokens/param), budget C = 6ND = {_flops(r0['compute'])} FLOPs",
    ]
    if hardware_record:
        lines.append(_hardware_line(hw).rstrip("\n") + ": " + _training_time(hardware_record))
    lines += [
        "",
        "Equal loss: how much more compute did this model cost than the cheapest model as good as it?",
        "",
        _table(equal),
        "",
        "N_opt, D_opt: the compute-optimal model with the same loss; k_N = N / N_opt, k_D = D / D_opt;",
        "overhead = 6ND / (6 N_opt D_opt) - 1; beyond critical: k_N below the size where the overhead reaches 100 %"
        + ("\n(-: a larger-than-optimal model, k_N > 1; the critical size concerns smaller ones)." if larger else "."),
        "",
        "Same budget (as the harms-law space reads it): how much more than its budget would a model of this size",
        "need to be as good as the best model of its budget 6ND?",
        "",
        _table(budget, fill=""),
        "",
        "N_opt(6ND): the compute-optimal size of the model's own budget; k_N = N / N_opt(6ND); D needed: the",
        "tokens a model of N parameters needs to reach that optimum's (lower) loss, k_D D_opt(6ND); overhead:",
        "its compute over 6ND, minus 1.",
    ]
    if unreachable:
        lines.append("unreachable: k_N at or below the law's asymptote: no model of this size reaches the loss of "
                     "its budget's optimum.")
    return out, "\n".join(lines)


def _training_time(h: dict[str, float | None]) -> str:
    parts = [f"{_count(h['accelerator_hours'])} accelerator-hours"]  # type: ignore[arg-type]
    if h.get("days") is not None:
        parts.append(f"{_fixed(h['days'], 1)} days")  # type: ignore[arg-type]
    if h.get("cost") is not None:
        parts.append(f"cost {_count(h['cost'])}")  # type: ignore[arg-type]
    return ", ".join(parts)


def _overhead(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    laws = _select_laws(args)
    records = []
    for k_n in args.kn:
        for name, law in laws.items():
            try:
                k_d: float | None = planner.data_factor(k_n, law)
                ov: float | None = planner.compute_overhead(k_n, law)
            except ValueError:
                if len(laws) == 1:
                    raise
                k_d = ov = None
            records.append({"law": name, "k_N": k_n, "k_D": k_d, "overhead": ov,
                            "asymptote": planner.asymptote(law),
                            "critical_model_size": planner.critical_model_size(law)})
    if all(r["overhead"] is None for r in records):
        raise ValueError("no law reaches the compute-optimal loss at these k_N: every one is at or below "
                         "the asymptote (see `scaling overhead --kn 0.5` for the asymptotes)")
    out = {"command": "overhead", "laws": _law_record(laws), "rows": records, "warnings": []}
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
        + ("\nunreachable: k_N at or below the asymptote k_N*, where no amount of data reaches the loss."
           if any(r["overhead"] is None for r in records) else "")
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


class _Version(argparse.Action):
    """``--version``: print ``scaling <version>`` through :func:`_emit` and stop, as ``--help`` does;
    ``{"version": ...}`` when ``--json`` is on the command line (:func:`main` sets ``parser.as_json``)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        from . import __version__

        if getattr(parser, "as_json", False):
            _emit(json.dumps({"command": None, "version": __version__}, indent=2))
        else:
            _emit(f"scaling {__version__}")
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


def _epilog() -> str:
    return _EXAMPLES + "\n" + _law_advice() + "\n" + _units_help()


def _command(sub: Any, name: str, run: Any, help: str, description: str) -> argparse.ArgumentParser:
    """Add a sub-command whose ``run(args)`` returns ``(json record, table text)``."""
    p = sub.add_parser(name, help=help, description=textwrap.fill(description + " " + ONCE, 88),
                       epilog=_epilog())
    p.set_defaults(run=run)
    return p


def _law_options(p: argparse.ArgumentParser) -> None:
    """``--law``, ``--law-file``, the five constants of ``--law custom``, and ``--json``."""
    p.add_argument("--law", choices=[*CHINCHILLA_LAWS, "all", "custom"], default=None, action=_Once,
                   help="which law to use (default: all of the book's four, one row each); custom: your "
                        "own, with --E --A --B --alpha --beta")
    p.add_argument("--law-file", metavar="FILE", action=_Once,
                   help='a law saved as JSON, {"E": ..., "A": ..., "B": ..., "alpha": ..., "beta": ...} '
                        "(ChinchillaLaw.to_json())")
    for name, what in (("E", "irreducible loss, nats/token (>= 0)"), ("A", "parameter-term scale (> 0)"),
                       ("B", "data-term scale (> 0)"), ("alpha", "parameter exponent (> 0)"),
                       ("beta", "data exponent (> 0)")):
        p.add_argument(f"--{name}", dest=name, type=parse_number, action=_Once, metavar=name.upper()[:1] if
                       len(name) == 1 else name.upper(), help=f"with --law custom: {what}")
    p.add_argument("--json", action="store_true",
                   help="print JSON instead of a table (for scripts); errors too, as "
                        '{"error": ..., "exit_status": 2}')


def _hardware_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("hardware (optional: time and cost of the training run)")
    g.add_argument("--peak-flops", type=parse_quantity, action=_Once, metavar="F",
                   help="one accelerator's peak FLOP/s, e.g. 989T (an H100's dense BF16)")
    g.add_argument("--utilisation", "--utilization", dest="utilisation", type=parse_utilisation, action=_Once,
                   metavar="U", help="the fraction of the peak the run sustains (MFU), e.g. 0.4 or 40%%")
    g.add_argument("--accelerators", type=parse_count, action=_Once, metavar="K",
                   help="how many accelerators train together: gives the days of training")
    g.add_argument("--price", type=_positive_number("a price per accelerator-hour, e.g. 2.5"), action=_Once,
                   metavar="P", help="price of one accelerator-hour (any currency): gives the cost")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m scaling`` (exposed for the tests and the docs)."""
    parser = _Parser(
        prog="scaling",
        description="Compute-optimal and smaller-than-optimal language models under the Chinchilla laws "
                    "(Hoffmann et al. 2022; Besiroglu et al. 2024; de Vries 2023).",
        epilog=_epilog(),
    )
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = _command(sub, "plan", _plan, help="compute-optimal N and D for a budget or a loss",
                 description="The compute-optimal parameters N_opt and tokens D_opt for a training budget "
                             "of C FLOPs (--compute), or the cheapest budget that reaches a loss (--loss), with "
                             "tokens per parameter and predicted loss; for a budget also Kaplan et al.'s "
                             "(2020) Table 6 allocation (C_min in PF-days, non-embedding N). --kn K: that "
                             "model shrunk to K times its size and trained to the same loss, with its extra "
                             "compute (de Vries' Table A3). --inference-tokens T: the model with the least "
                             "training plus inference compute at that loss (Sardana et al. 2023).")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--compute", "-C", type=parse_quantity, metavar="C", action=_Once,
                      help="training budget in FLOPs, e.g. 5.76e23")
    what.add_argument("--loss", type=_positive_number("a loss in nats per token, e.g. 2.0"), metavar="L",
                      action=_Once, help="target loss in nats per token, e.g. 2.0 (above the law's E)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--kn", type=parse_fraction, metavar="K", action=_Once,
                     help="a model K times the compute-optimal size, e.g. 0.5 or 50%%")
    how.add_argument("--inference-tokens", type=parse_quantity, metavar="T", action=_Once,
                     help="lifetime inference tokens, e.g. 1e13 or 10T")
    _law_options(p)
    _hardware_options(p)

    p = _command(sub, "shrink", _shrink, help="where a model (N params, D tokens) sits on the overhead curve",
                 description="Locate a model of N parameters trained on D tokens, read two ways. Equal loss: "
                             "the compute-optimal model with the same loss, the model's k_N, k_D and overhead, "
                             "and whether it is past the critical size. Same budget (de Vries' reading, as "
                             "the harms-law space computes it): its size over the compute-optimal size of its "
                             "own budget 6ND, and the overhead of a model of its size trained to that "
                             "optimum's loss.")
    p.add_argument("--params", "-N", type=parse_quantity, required=True, metavar="N", action=_Once,
                   help="parameters, e.g. 6.9e9 or 6.9B")
    p.add_argument("--tokens", "-D", type=parse_quantity, required=True, metavar="D", action=_Once,
                   help="training tokens, e.g. 1e12 or 1T")
    _law_options(p)
    _hardware_options(p)

    p = _command(sub, "overhead", _overhead, help="data factor and compute overhead of a k_N-sized model",
                 description="The data factor k_D and compute overhead k_N k_D - 1 of a model k_N times "
                             "the compute-optimal size (the same at every budget), with the law's "
                             "asymptote and critical model size (overhead 100 %).")
    p.add_argument("--kn", type=parse_fraction, nargs="+", required=True, metavar="K", action="extend",
                   help="model size as a fraction of the compute-optimal size, e.g. 0.5 or 50%%; one or "
                        "more, and the option may be repeated: --kn 0.5 --kn 0.3 is --kn 0.5 0.3")
    _law_options(p)

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
    parser.as_json = as_json  # read by --version
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
        if not args.json:  # under the table; in the JSON they are its "warnings"
            for warning in out.get("warnings", []):
                _say(f"scaling {command}: warning: {warning}")
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


# ------------------------------------------------------- the command line inside a notebook
from dataclasses import dataclass as _dataclass  # noqa: E402

_RULE = re.compile(r"^-+(?:  -+)*$")


def _columns(rule: str) -> list[tuple[int, int]]:
    """The character spans of a plain-text table's columns, read from its line of dashes."""
    return [(m.start(), m.end()) for m in re.finditer(r"-+", rule)]


def _blocks(text: str) -> list[tuple[str, Any]]:
    """``text`` as the CLI prints it, cut into ``("text", lines)`` and ``("table", (head, rows))`` blocks.

    A table is a heading line, a line of dashes and the rows up to the next blank line, as
    :func:`_table` writes it; each row is cut at the dashes' spans (values are aligned inside them).
    """
    lines, out, i = text.splitlines(), [], 0
    para: list[str] = []
    while i < len(lines):
        if i + 1 < len(lines) and lines[i].strip() and _RULE.match(lines[i + 1]):
            if para:
                out.append(("text", para))
                para = []
            spans = _columns(lines[i + 1])
            cut = [(a, b if k + 1 < len(spans) else None) for k, (a, b) in enumerate(spans)]
            head = [lines[i][a:b].strip() for a, b in cut]
            rows, i = [], i + 2
            while i < len(lines) and lines[i].strip():
                rows.append([lines[i][a:b].strip() for a, b in cut])
                i += 1
            out.append(("table", (head, rows)))
        elif not lines[i].strip():
            if para:
                out.append(("text", para))
                para = []
            i += 1
        else:
            para.append(lines[i])
            i += 1
    if para:
        out.append(("text", para))
    return out


@_dataclass(frozen=True)
class Transcript:
    """What one run of ``python -m scaling ...`` wrote, made by :func:`run` for a notebook.

    In a notebook it shows itself as the answer a reader wants: the command line, each of the
    CLI's plain-text tables as an HTML table (the CLI's own headings and digits, through
    :class:`scaling.report.Table`), the titles, footnotes, warnings and errors as text, and the
    exit status when it is not 0. Its plain-text form (``repr``, what nbval compares) is exactly
    what a terminal shows: standard output, then standard error, then ``exit status: N``.

    Attributes
    ----------
    argv
        The arguments, without ``python -m scaling``.
    stdout, stderr
        What the command wrote on standard output and on standard error.
    status
        Its exit status: 0 for an answer, 2 for bad input (see :func:`main`).
    """

    argv: tuple[str, ...]
    stdout: str
    stderr: str
    status: int

    def text(self) -> str:
        """The run as a terminal shows it: standard output, standard error, a non-zero exit status."""
        parts = [self.stdout.rstrip("\n")] if self.stdout.strip() else []
        if self.stderr.strip():
            parts.append(self.stderr.rstrip("\n"))
        if self.status:
            parts.append(f"exit status: {self.status}")
        return "\n".join(parts)

    def __repr__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())

    def html(self) -> str:
        """The run as HTML: the command line, its tables as ``<table>``, the rest as wrapped text."""
        import html as _html

        from .report import Table

        esc = _html.escape
        mono = "font-family:var(--pst-font-family-monospace,monospace);font-size:0.875em"
        out = ['<div class="scaling-cli">',
               f'<p class="scaling-cli-command"><code>$ python -m scaling {esc(" ".join(self.argv))}'
               "</code></p>"]
        for kind, body in _blocks(self.stdout):
            if kind == "table":
                head, rows = body
                numeric = tuple(j > 0 for j in range(len(head)))
                out.append(Table(columns=tuple(head), cells=tuple(tuple(r) for r in rows),
                                 numeric=numeric, row_headers=True).html())
            else:
                out.append(f'<p class="scaling-cli-text" style="white-space:pre-wrap;{mono}">'
                           f"{esc(chr(10).join(body))}</p>")
        for line in self.stderr.splitlines():
            if line.strip():
                out.append(f'<p class="scaling-cli-stderr" style="white-space:pre-wrap;{mono}">'
                           f"{esc(line)}</p>")
        if self.status:
            out.append(f'<p class="scaling-cli-status" style="{mono}">exit status: {self.status}</p>')
        out.append("</div>")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        return self.html()


def run(argv: Sequence[str]) -> Transcript:
    """Run ``python -m scaling`` with ``argv`` inside this process and keep what it writes.

    The same entry point as the shell (:func:`main`), with standard output and standard error
    captured: a notebook shows the result as tables (see :class:`Transcript`), and
    ``json.loads(run([..., "--json"]).stdout)`` gives the unrounded record.

    Parameters
    ----------
    argv
        The arguments after ``python -m scaling``, as strings: ``["plan", "--compute", "5.76e23"]``.

    Returns
    -------
    Transcript
        What the command wrote and its exit status. Bad input for the command line is not an
        exception: it is a message on standard error and status 2, as in the shell.

    Raises
    ------
    TypeError
        If ``argv`` is not a list or tuple of strings.
    """
    import contextlib
    import io

    if not isinstance(argv, (list, tuple)):
        raise TypeError(f"argv must be a list of strings (the arguments after python -m scaling), "
                        f"got {type(argv).__name__} {argv!r:.80}")
    for i, a in enumerate(argv):
        if not isinstance(a, str):
            raise TypeError(f"argv[{i}] must be a string, got {type(a).__name__} {a!r:.80}")
    if list(argv[:1]) == ["lab"]:
        raise ValueError("argv must be a command of python -m scaling (plan, shrink, overhead); "
                         "the lab's commands are not run here")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return Transcript(tuple(argv), out.getvalue(), err.getvalue(), status)


__all__ += ["run", "Transcript"]
