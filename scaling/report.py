"""Paper-vs-reproduced tables and the checks behind them.

Every chapter ends a computation the same way: a table that sets each
published number beside the value the book recomputed, printed at a fixed
precision (so that nbval can compare it), and an assertion per row with a
tolerance the text justifies.

>>> rows = [Row("doubling N multiplies L by", paper=0.95, reproduced=2**-0.076, rtol=0.01)]
>>> print(format_table(rows))  # doctest: +NORMALIZE_WHITESPACE
quantity                    paper reproduced rel. diff tolerance  ok
doubling N multiplies L by 0.9500 0.9487 -0.14% 1.00% yes
>>> check(rows)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from ._validate import finite, instance, show, text, whole

__all__ = ["Row", "compare", "format_table", "check", "fmt"]


def fmt(value: float | str | None, digits: int = 4) -> str:
    """Format a number at ``digits`` significant figures, stably (scientific notation outside 1e-3..1e6).

    ``value`` is a real number (NaN and infinities print as ``nan``, ``inf``, ``-inf``), a string
    (returned as it is) or None (printed ``-``); ``digits`` a whole number from 1 to 17.

    Raises
    ------
    TypeError
        If ``value`` is a boolean, a complex number, a date, an array or another object.
    ValueError
        If ``digits`` is not a whole number in [1, 17].
    """
    digits = whole(digits, "digits", minimum=1, maximum=17)
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    v = _real(value, "value")
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e6:
        decimals = max(digits - 1 - int(math.floor(math.log10(abs(v)))), 0)
        return f"{v:.{decimals}f}"
    return f"{v:.{digits - 1}e}"


def _real(value: object, name: str) -> float:
    """A real number (NaN and infinities included): refuse booleans, complex numbers, dates, text, arrays."""
    if isinstance(value, (bool, complex, str, bytes)) or not isinstance(value, (int, float)) and not (
        hasattr(value, "dtype") and getattr(value, "ndim", 1) == 0 and getattr(value, "dtype").kind in "iuf"
    ):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {show(value)}")
    try:
        return float(value)  # type: ignore[arg-type]
    except OverflowError:
        raise ValueError(f"{name} must be at most 1.8e308 in magnitude, got {show(value)}") from None


def _percent(rel: float) -> str:
    """``rel`` as a signed percentage at 2 decimals; one that rounds to zero prints ``+0.00%``.

    A difference at the level of rounding (``reproduced / paper - 1`` of about 1e-16) has a sign
    that depends on the machine; printed as ``-0.00%`` on one and ``+0.00%`` on another, it would
    make the stored output of a notebook machine-dependent.
    """
    shown = f"{100 * rel:+.2f}%"
    return "+0.00%" if float(shown[:-1]) == 0 else shown


def _rows(rows: object, name: str = "rows") -> list["Row"]:
    if isinstance(rows, (str, bytes, Row)) or not hasattr(rows, "__iter__"):
        raise TypeError(f"{name} must be an iterable of Row, got {type(rows).__name__} {show(rows)}")
    out = list(rows)  # type: ignore[call-overload]
    for i, r in enumerate(out):
        instance(r, f"{name}[{i}]", Row)
    if not out:
        raise ValueError(f"{name} must hold at least one Row, got an empty list (a table or a check of nothing)")
    return out


@dataclass(frozen=True)
class Row:
    """One published number and its reproduction.

    Parameters
    ----------
    quantity
        What the number is, with its unit and where it was published.
    paper
        The published value (``None`` where the paper prints none).
    reproduced
        The value the book computed.
    rtol
        Relative tolerance of the check ``|reproduced - paper| <= rtol |paper|``;
        ``None`` to show the row without checking it (a disagreement the text explains).
    atol
        Absolute tolerance, used instead of ``rtol`` when given.
    """

    quantity: str
    paper: float | None
    reproduced: float
    rtol: float | None = None
    atol: float | None = None

    def __post_init__(self) -> None:
        text(self.quantity, "Row.quantity")
        if self.paper is not None:
            object.__setattr__(self, "paper", float(finite(self.paper, "Row.paper", scalar=True)))
        # a reproduction that is NaN or infinite is a failed computation: refuse it here, naming the row
        v = finite(self.reproduced, f"Row.reproduced of {self.quantity!r}", scalar=True)
        object.__setattr__(self, "reproduced", float(v))
        for name in ("rtol", "atol"):
            tol = getattr(self, name)
            if tol is not None:
                t = float(finite(tol, f"Row.{name}", scalar=True, allowed=">= 0"))
                if t < 0:
                    raise ValueError(f"Row.{name} must be >= 0, got {show(t)}")
                object.__setattr__(self, name, t)

    @property
    def rel_diff(self) -> float:
        """``reproduced / paper - 1`` (NaN without a published value or when it is 0)."""
        if self.paper is None or self.paper == 0:
            return math.nan
        return self.reproduced / self.paper - 1.0

    @property
    def checked(self) -> bool:
        """Whether this row carries a tolerance and so is asserted."""
        return self.paper is not None and (self.rtol is not None or self.atol is not None)

    @property
    def ok(self) -> bool | None:
        """Whether the reproduction is within tolerance (``None`` if unchecked)."""
        if not self.checked:
            return None
        assert self.paper is not None
        if not math.isfinite(self.reproduced):
            return False
        if self.atol is not None:
            return abs(self.reproduced - self.paper) <= self.atol
        assert self.rtol is not None
        return abs(self.reproduced - self.paper) <= self.rtol * abs(self.paper)


def compare(rows: Iterable[Row], digits: int = 4) -> pd.DataFrame:
    """The rows as a DataFrame of strings at fixed precision (stable output for nbval).

    Raises
    ------
    TypeError, ValueError
        If ``rows`` is not a non-empty iterable of :class:`Row`, or ``digits`` is not in [1, 17].
    """
    digits = whole(digits, "digits", minimum=1, maximum=17)
    records = []
    for r in _rows(rows):
        if r.atol is not None:
            tol = f"±{fmt(r.atol, 2)}"
        elif r.rtol is not None:
            tol = f"{100 * r.rtol:.2f}%"
        else:
            tol = "-"
        rel = r.rel_diff
        records.append(
            {
                "quantity": r.quantity,
                "paper": fmt(r.paper, digits),
                "reproduced": fmt(r.reproduced, digits),
                "rel. diff": "-" if math.isnan(rel) else _percent(rel),
                "tolerance": tol,
                "ok": {True: "yes", False: "NO", None: "-"}[r.ok],
            }
        )
    return pd.DataFrame.from_records(
        records, columns=["quantity", "paper", "reproduced", "rel. diff", "tolerance", "ok"]
    )


def format_table(
    rows: Iterable[Row], digits: int = 4, *, reference: str = "paper", computed: str = "reproduced"
) -> str:
    """The comparison as plain text, left-aligned quantities (what notebooks print).

    Parameters
    ----------
    rows
        The rows to print.
    digits
        Significant figures of the values.
    reference, computed
        Headings of the two value columns (strings). Keep the defaults for published numbers and
        their reproductions; rename them where the reference is not a published number (for example
        ``reference="truth (eq. 5.6)"``) or the table checks the paper's numbers against each other.
    """
    text(reference, "reference")
    text(computed, "computed")
    df = compare(rows, digits)
    width = max([len(q) for q in df["quantity"]] + [len("quantity")])
    df["quantity"] = [q.ljust(width) for q in df["quantity"]]
    names = {"quantity": "quantity".ljust(width), "paper": reference, "reproduced": computed}
    return df.rename(columns=names).to_string(index=False)


def check(rows: Sequence[Row] | Iterable[Row]) -> None:
    """Assert every checked row is within its tolerance; the message lists each failure.

    Raises
    ------
    AssertionError
        Naming every row outside its tolerance, with both values.
    TypeError, ValueError
        If ``rows`` is not a non-empty iterable of :class:`Row` (a check of nothing cannot fail).
    """
    rows = _rows(rows)
    failures = [
        f"{r.quantity}: paper {fmt(r.paper)}, reproduced {fmt(r.reproduced)} "
        f"(rel. diff {'-' if math.isnan(r.rel_diff) else _percent(r.rel_diff)}, tolerance "
        f"{'±' + fmt(r.atol) if r.atol is not None else f'{100 * (r.rtol or 0):.2f}%'})"
        for r in rows
        if r.checked and not r.ok
    ]
    if failures:
        raise AssertionError("reproduction outside tolerance:\n  " + "\n  ".join(failures))
