"""Paper-vs-reproduced tables, results tables, and the checks behind them.

Every chapter ends a computation the same way: a table that sets each
published number beside the value the book recomputed, and an assertion per
row with a tolerance the text justifies. :func:`comparison` does both: it
checks the rows and returns a :class:`Table`, which a notebook shows as an
HTML table (a row outside its tolerance says ``OUTSIDE`` and is coloured) and
whose plain-text form, at fixed precision, is what nbval compares.
:func:`table` shows any other results (a :class:`pandas.DataFrame`) the same
way, with units and significant figures.

>>> rows = [Row("doubling N multiplies L by", paper=0.95, reproduced=2**-0.076, rtol=0.01)]
>>> comparison(rows)  # doctest: +NORMALIZE_WHITESPACE
quantity                    paper  reproduced  rel. diff  tolerance  check
doubling N multiplies L by  0.9500 0.9487      -0.14 %    ±1.00 %    ok
>>> check(rows)

:func:`format_table` and :func:`compare` are the older plain-text and DataFrame
forms of the same comparison (``ok`` column ``yes``/``NO``/``-``), kept for the
notebooks that still print them.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from ._validate import finite, instance, show, text, whole

__all__ = ["Row", "Table", "comparison", "table", "compare", "format_table", "check", "fmt"]


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


# ------------------------------------------------------------------ tables a reader sees
STATUS_WORDS: dict[bool | None, str] = {True: "ok", False: "OUTSIDE", None: "shown"}
"""The status column of a comparison: within tolerance, outside it, or shown without a check."""

_OUTSIDE_STYLE = "color:#b3261e;font-weight:700"
"""Inline style of an ``OUTSIDE`` cell, so that it stands out in plain Jupyter too (no book CSS there)."""


def _sig(value: float | None, digits: int) -> str:
    """Like :func:`fmt`, but rounded to ``digits`` significant figures first, so that 0.999999 at four
    figures prints ``1.000`` (not ``1.0000``) and 999,999.9 prints ``1.000e+06``."""
    if value is None or isinstance(value, str) or not math.isfinite(value) or value == 0:
        return fmt(value, digits)
    return fmt(float(f"{value:.{digits - 1}e}"), digits)


def _percent_spaced(fraction: float) -> str:
    """``+1.63 %`` (the book's style, a space before the sign): :func:`_percent` with its space;
    a value that rounds to zero prints as ``+0.00 %``, never ``-0.00 %``."""
    return _percent(fraction)[:-1] + " %"


@dataclass(frozen=True)
class Table:
    """A table of results as a notebook shows it: an HTML ``<table>`` on the page, aligned text elsewhere.

    Made by :func:`comparison` (published numbers against their reproductions) or :func:`table`
    (any results as a DataFrame); the cells are already formatted strings, so both forms show
    the same digits on every machine. In a notebook the last expression of a cell shows it: as
    HTML (``_repr_html_``: the table inside a box that scrolls sideways when the table is wider
    than the page, numbers right-aligned, a row outside its tolerance marked ``OUTSIDE`` in red),
    and as plain text (``repr``), which is what nbval compares and what a terminal prints.

    Parameters
    ----------
    columns
        The column headings.
    cells
        One tuple of strings per row, as many as there are columns.
    numeric
        Per column, whether it holds numbers (right-aligned); by default none.
    status
        Per row, ``"ok"``, ``"OUTSIDE"``, ``"shown"`` or ``None`` (no status), for the CSS class
        and colour of the row; by default none.
    caption
        A line shown above the table, or ``None``.
    row_headers
        Whether the first column names the rows (an HTML ``<th scope="row">``).
    """

    columns: tuple[str, ...]
    cells: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()
    status: tuple[str | None, ...] = ()
    caption: str | None = None
    row_headers: bool = False

    def __post_init__(self) -> None:
        cols = _strings(self.columns, "Table.columns")
        if not cols:
            raise ValueError("Table.columns must hold at least one heading, got none")
        object.__setattr__(self, "columns", cols)
        if isinstance(self.cells, (str, bytes)) or not hasattr(self.cells, "__iter__"):
            raise TypeError(f"Table.cells must be a sequence of rows of strings, got {type(self.cells).__name__} "
                            f"{show(self.cells)}")
        rows = tuple(_strings(r, f"Table.cells[{i}]") for i, r in enumerate(self.cells))
        for i, r in enumerate(rows):
            if len(r) != len(cols):
                raise ValueError(f"Table.cells[{i}] must hold {len(cols)} cells (one per column), got {len(r)}")
        object.__setattr__(self, "cells", rows)
        numeric = tuple(self.numeric) if self.numeric else (False,) * len(cols)
        if len(numeric) != len(cols) or not all(isinstance(n, bool) for n in numeric):
            raise ValueError(f"Table.numeric must hold {len(cols)} booleans (one per column), got {show(self.numeric)}")
        object.__setattr__(self, "numeric", numeric)
        status = tuple(self.status) if self.status else (None,) * len(rows)
        if len(status) != len(rows):
            raise ValueError(f"Table.status must hold {len(rows)} entries (one per row), got {len(status)}")
        for i, st in enumerate(status):
            if st is not None and st not in STATUS_WORDS.values():
                raise ValueError(f"Table.status[{i}] must be one of {sorted(STATUS_WORDS.values())} or None, "
                                 f"got {show(st)}")
        object.__setattr__(self, "status", status)
        if self.caption is not None:
            text(self.caption, "Table.caption")
        if not isinstance(self.row_headers, bool):
            raise TypeError(f"Table.row_headers must be True or False, got {show(self.row_headers)}")

    # -------------------------------------------------------------- plain text
    def text(self) -> str:
        """The table as aligned plain text: numbers right-aligned, two spaces between columns."""
        widths = [max([len(c)] + [len(r[j]) for r in self.cells]) for j, c in enumerate(self.columns)]

        def line(cells: Sequence[str]) -> str:
            parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, self.numeric)]
            return "  ".join(parts).rstrip()

        lines = ([self.caption] if self.caption else []) + [line(self.columns)] + [line(r) for r in self.cells]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: object, cycle: bool) -> None:
        """IPython's plain-text form (``text/plain``): the aligned text, never an object address."""
        printer.text(self.text())  # type: ignore[attr-defined]

    # -------------------------------------------------------------- HTML
    def html(self) -> str:
        """The table as HTML: a ``<table class="scaling-table">`` in a ``<div>`` that scrolls sideways.

        The markup carries no ids, hashes or dates, so the same numbers always give the same HTML
        (nbval compares it too, in the cells it checks). The book's stylesheet
        (``_static/book.css``) styles the classes: on a phone a comparison's rows become cards,
        each value under its heading (``data-label``), and any other table scrolls sideways in
        its box. The few inline styles keep the table readable in plain Jupyter: the box
        scrolls, and ``OUTSIDE`` is bold and red.
        """
        esc = html.escape
        stack = any(self.status)  # a comparison: on a phone each row becomes a card (book.css)
        out = ['<div class="scaling-table-scroll" style="overflow-x:auto;max-width:100%">',
               f'<table class="scaling-table{" scaling-comparison" if stack else ""}">']
        if self.caption:
            out.append(f"<caption>{esc(self.caption)}</caption>")
        heads = "".join(f'<th scope="col" class="{"num" if n else "text"}">{esc(c)}</th>'
                        for c, n in zip(self.columns, self.numeric))
        out.append(f"<thead><tr>{heads}</tr></thead>")
        out.append("<tbody>")
        for row, st in zip(self.cells, self.status):
            cls = f' class="status-{st.lower()}"' if st else ""
            cells = []
            for j, (cell, num) in enumerate(zip(row, self.numeric)):
                kind = "num" if num else "text"
                if st is not None and j == len(row) - 1 and cell == st:
                    kind = "status"
                    body = (f'<strong style="{_OUTSIDE_STYLE}">{esc(cell)}</strong>' if st == "OUTSIDE"
                            else esc(cell))
                else:
                    body = esc(cell)
                tag = "th" if j == 0 and self.row_headers else "td"
                scope = ' scope="row"' if tag == "th" else ""
                label = f' data-label="{esc(self.columns[j])}"' if stack and j > 0 else ""
                cells.append(f'<{tag}{scope} class="{kind}"{label}>{body}</{tag}>')
            out.append(f"<tr{cls}>{''.join(cells)}</tr>")
        out.append("</tbody></table></div>")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        return self.html()

    # -------------------------------------------------------------- data
    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame of its formatted strings (one column per heading)."""
        return pd.DataFrame(list(self.cells), columns=list(self.columns))


def _strings(values: object, name: str) -> tuple[str, ...]:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a sequence of strings, got {type(values).__name__} {show(values)}")
    out = tuple(values)  # type: ignore[arg-type]
    for i, v in enumerate(out):
        if not isinstance(v, str):
            raise TypeError(f"{name}[{i}] must be a string, got {type(v).__name__} {show(v)}")
    return out


def comparison(
    rows: Iterable[Row],
    digits: int = 4,
    *,
    reference: str = "paper",
    computed: str = "reproduced",
    caption: str | None = None,
    check: bool = True,
) -> Table:
    """Check published numbers against their reproductions and return the table that shows them.

    The columns are the quantity, the published value, the reproduction, their relative
    difference (``+1.63 %``; ``+0.00 %`` when it rounds to zero), the tolerance (``±1.00 %``
    relative, or ``±0.010`` absolute) and the check: ``ok`` within tolerance, ``OUTSIDE``
    beyond it (bold and red in HTML), ``shown`` for a row without a tolerance or a published
    value (a number the text discusses rather than asserts).

    Parameters
    ----------
    rows
        The :class:`Row` objects, in the order to show them.
    digits
        Significant figures of the two values (1 to 17).
    reference, computed
        Headings of the two value columns. Keep the defaults for published numbers and their
        reproductions; rename them where the reference is not a published number (for example
        ``reference="their code"``).
    caption
        A line shown above the table, or ``None``.
    check
        Assert every checked row (as :func:`check` does) before returning. Pass ``False`` only to
        show a disagreement the text explains (its row then reads ``OUTSIDE``), and assert in the
        same cell what the text claims about it.

    Returns
    -------
    Table
        Shown as an HTML table by the notebook; its ``repr`` is the aligned text nbval compares.

    Raises
    ------
    AssertionError
        With ``check=True``, naming every row outside its tolerance, followed by the whole table.
    TypeError, ValueError
        If ``rows`` is not a non-empty iterable of :class:`Row`, ``digits`` is not in [1, 17], or
        a heading or the caption is not a string.
    """
    rows = _rows(rows)
    digits = whole(digits, "digits", minimum=1, maximum=17)
    text(reference, "reference")
    text(computed, "computed")
    if caption is not None:
        text(caption, "caption")
    if not isinstance(check, bool):
        raise TypeError(f"check must be True or False, got {type(check).__name__} {show(check)}")
    cells, status = [], []
    for r in rows:
        if r.atol is not None:
            tol = f"±{fmt(r.atol, 2)}"
        elif r.rtol is not None:
            pct = 100 * r.rtol
            tol = f"±{pct:.2f} %" if pct >= 0.01 or pct == 0 else f"±{fmt(pct, 1)} %"
        else:
            tol = "-"
        rel = r.rel_diff
        word = STATUS_WORDS[r.ok]
        cells.append((r.quantity, _sig(r.paper, digits), _sig(r.reproduced, digits),
                      "-" if math.isnan(rel) else _percent_spaced(rel), tol, word))
        status.append(word)
    result = Table(
        columns=("quantity", reference, computed, "rel. diff", "tolerance", "check"),
        cells=tuple(cells),
        numeric=(False, True, True, True, True, False),
        status=tuple(status),
        caption=caption,
        row_headers=True,
    )
    if check:
        try:
            globals()["check"](rows)
        except AssertionError as err:
            raise AssertionError(f"{err}\n\n{result.text()}") from None
    return result


def _format_value(value: object, digits: int, column: str) -> str:
    """One cell of :func:`table`: numbers at ``digits`` significant figures, whole numbers in full."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return "yes" if value else "no"
    if isinstance(value, int) or (hasattr(value, "dtype") and getattr(value, "dtype").kind in "iu"):
        return f"{int(value):,}"  # type: ignore[call-overload]
    if isinstance(value, float) or (hasattr(value, "dtype") and getattr(value, "dtype").kind == "f"):
        v = float(value)  # type: ignore[arg-type]
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if v == int(v) and abs(v) < 10 ** digits:
            return f"{int(v):,}" if abs(v) >= 1e4 else _sig(v, digits)
        return _sig(v, digits)
    raise TypeError(f"data[{column!r}] must hold numbers, text, booleans or None, got "
                    f"{type(value).__name__} {show(value)}")


def table(
    data: pd.DataFrame,
    digits: int | Mapping[str, int] = 4,
    *,
    units: Mapping[str, str] | None = None,
    formats: Mapping[str, str | Callable[[object], str]] | None = None,
    caption: str | None = None,
    index: bool | None = None,
) -> Table:
    """Show any results as a formatted table: numbers at fixed significant figures, units in the headings.

    Use it for every table a notebook shows other than a paper-vs-reproduced comparison (which
    :func:`comparison` makes), instead of printing ``DataFrame.to_string()``.

    Parameters
    ----------
    data
        The results, one row per item. Its column names become the headings.
    digits
        Significant figures of real numbers (1 to 17): one for every column, or a mapping from
        column name to figures (columns not named get 4). Whole numbers print in full, with
        thousands separators (``12,345``); real numbers outside 1e-3 to 1e6 in scientific notation.
    units
        Column name -> unit, shown in the heading as ``name (unit)``.
    formats
        Column name -> a format string (``"{:.1%}"``) or a function of the value returning a
        string, for columns that need their own form (percentages, ranges).
    caption
        A line shown above the table, or ``None``.
    index
        Whether to show the DataFrame's index as a first column: by default, when the index is
        named or is not the plain 0, 1, 2, ... range.

    Returns
    -------
    Table
        Shown as an HTML table by the notebook; its ``repr`` is the aligned text nbval compares.

    Raises
    ------
    TypeError, ValueError
        If ``data`` is not a DataFrame with at least one row and one column, a mapping names a column that
        ``data`` lacks, a digit count is not in [1, 17], a format is neither a format string nor
        a function, or a cell holds something other than numbers, text, booleans or None.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__} {show(data)}")
    if data.shape[1] == 0 or data.shape[0] == 0:
        raise ValueError(f"data must hold at least one row and one column, got a DataFrame of shape {data.shape}")
    if caption is not None:
        text(caption, "caption")
    if index is None:
        index = data.index.name is not None or not isinstance(data.index, pd.RangeIndex) or not (
            data.index.start == 0 and data.index.step == 1)
    elif not isinstance(index, bool):
        raise TypeError(f"index must be True, False or None, got {type(index).__name__} {show(index)}")
    frame = data.reset_index() if index else data
    columns = [str(c) for c in frame.columns]
    names = {str(c) for c in data.columns} | ({str(c) for c in frame.columns} if index else set())

    def mapping(value: object, name: str) -> dict[str, object]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise TypeError(f"{name} must be a mapping from column name to value, got "
                            f"{type(value).__name__} {show(value)}")
        unknown = [k for k in value if str(k) not in names]
        if unknown:
            raise ValueError(f"{name} must name columns of data; {unknown} are not among {sorted(names)}")
        return {str(k): v for k, v in value.items()}

    if isinstance(digits, Mapping):
        per_column = {k: whole(v, f"digits[{k!r}]", minimum=1, maximum=17)
                      for k, v in mapping(digits, "digits").items()}
        default = 4
    else:
        default = whole(digits, "digits", minimum=1, maximum=17)
        per_column = {}
    unit_of = {k: text(v, f"units[{k!r}]") for k, v in mapping(units, "units").items()}
    form = mapping(formats, "formats")
    for k, f in form.items():
        if not (isinstance(f, str) or callable(f)):
            raise TypeError(f"formats[{k!r}] must be a format string such as '{{:.1%}}' or a function, "
                            f"got {type(f).__name__} {show(f)}")
    headings = tuple(f"{c} ({unit_of[c]})" if c in unit_of else c for c in columns)
    cells, numeric = [], []
    for j, c in enumerate(columns):
        col = frame.iloc[:, j]
        numeric.append(col.dtype.kind in "iuf")
    for i in range(len(frame)):
        row = []
        for j, c in enumerate(columns):
            value = frame.iloc[i, j]
            f = form.get(c)
            if f is None:
                row.append(_format_value(value, per_column.get(c, default), c))
            elif isinstance(f, str):
                row.append(f.format(value))
            else:
                shown = f(value)
                if not isinstance(shown, str):
                    raise TypeError(f"formats[{c!r}] must return a string, got {type(shown).__name__} {show(shown)}")
                row.append(shown)
        cells.append(tuple(row))
    return Table(columns=headings, cells=tuple(cells), numeric=tuple(numeric), caption=caption,
                 row_headers=bool(index))
