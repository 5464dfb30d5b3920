import math

import pytest

from scaling.report import Row, check, compare, fmt, format_table


def test_fmt_is_stable():
    assert fmt(0.95) == "0.9500"
    assert fmt(1.5e12) == "1.500e+12"
    assert fmt(None) == "-"
    assert fmt(math.nan) == "nan"
    assert fmt(0) == "0"
    assert fmt("text") == "text"


def test_rows_and_checks():
    good = Row("a", paper=1.0, reproduced=1.004, rtol=0.01)
    bad = Row("b", paper=1.0, reproduced=1.2, rtol=0.01)
    shown = Row("c", paper=2.0, reproduced=3.0)
    absolute = Row("d", paper=0.0, reproduced=0.01, atol=0.02)
    assert good.ok and not bad.ok and shown.ok is None and absolute.ok
    check([good, shown, absolute])
    with pytest.raises(AssertionError, match="b: paper 1.000, reproduced 1.200"):
        check([good, bad])
    df = compare([good, bad, shown])
    assert list(df["ok"]) == ["yes", "NO", "-"]
    assert "quantity" in format_table([good])


def test_nan_reproduction_is_refused_naming_the_row():
    # a NaN reproduction is a failed computation: refused where the row is made, naming it
    with pytest.raises(ValueError, match="Row.reproduced of 'x' must be finite.*nan"):
        Row("x", paper=1.0, reproduced=math.nan, rtol=0.5)


def test_a_check_of_nothing_is_refused():
    # a check that cannot fail is a defect
    with pytest.raises(ValueError, match="rows must hold at least one Row"):
        check([])
    with pytest.raises(TypeError, match=r"rows\[1\] must be a scaling.report.Row"):
        check([Row("a", 1.0, 1.0, rtol=0.1), (1.0, 1.0)])


def test_a_difference_that_rounds_to_zero_prints_without_a_sign_of_its_own():
    # the sign of a rounding-level difference depends on the machine: both print "+0.00%"
    below, above = Row("x", 3.0, 3.0 - 4e-16, rtol=0.1), Row("y", 3.0, 3.0 + 4e-16, rtol=0.1)
    assert below.rel_diff < 0 < above.rel_diff
    assert list(compare([below, above])["rel. diff"]) == ["+0.00%", "+0.00%"]
    assert list(compare([Row("z", 1.0, 1.0 - 4.9e-5), Row("w", 1.0, 1.0 - 5.1e-5)])["rel. diff"]) == ["+0.00%", "-0.01%"]
    with pytest.raises(AssertionError, match=r"rel. diff \+0.00%"):
        check([Row("v", 1.0, 1.0 - 1e-9, atol=1e-12)])


# ------------------------------------------------------------------ the tables a reader sees
import doctest  # noqa: E402
import re  # noqa: E402
from html.parser import HTMLParser  # noqa: E402

import pandas as pd  # noqa: E402

from scaling import report  # noqa: E402
from scaling.report import Table, comparison, table  # noqa: E402

ROWS = [
    Row("overhead at k_N = 0.75 (fraction)", 0.028, 0.02846, atol=0.0005),
    Row("asymptote k_N* (not in the post)", None, 0.09736),
    Row("a paper's own slip", 1.0, 9.0264, rtol=0.01),
    Row("agrees to rounding, from below", 1.0, 0.99999999, rtol=0.01),
]


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.rows, self._row, self.attrs = [], [], None, []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._row.append("")

    def handle_endtag(self, tag):
        if tag == "tr":
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._row:
            self._row[-1] += data


def test_comparison_is_an_html_table_with_text_status_and_a_stable_text_form():
    t = comparison(ROWS, check=False)
    parsed = _Cells()
    parsed.feed(t._repr_html_())
    assert "table" in parsed.tags and "pre" not in parsed.tags
    header, *body = parsed.rows
    assert header == ["quantity", "paper", "reproduced", "rel. diff", "tolerance", "check"]
    assert [r[-1] for r in body] == ["ok", "shown", "OUTSIDE", "ok"]
    # nbval compares text/plain and text/html: no ids, hashes or addresses that change between runs
    assert "id" not in parsed.attrs and "0x" not in t.html()
    assert t.html() == comparison(ROWS, check=False).html()
    # the disagreement stands out by a word and a colour, in the book (class) and in plain Jupyter (inline)
    assert re.search(r'<tr class="status-outside">.*<strong style="color:#b3261e[^"]*">OUTSIDE</strong>',
                     t.html())
    # the box scrolls sideways, never the page
    assert t.html().startswith('<div class="scaling-table-scroll" style="overflow-x:auto')
    text = repr(t)
    assert text == str(t) == t.text()
    assert text.splitlines()[0].split() == ["quantity", "paper", "reproduced", "rel.", "diff", "tolerance", "check"]
    assert "+802.64 %" in text and "OUTSIDE" in text


def test_ipython_shows_the_text_not_an_object_address():
    from IPython.core.formatters import HTMLFormatter, PlainTextFormatter

    t = comparison(ROWS[:2])
    assert PlainTextFormatter()(t) == t.text()
    assert HTMLFormatter()(t) == t.html()


def test_a_difference_that_rounds_to_zero_is_plus_zero():
    t = comparison([Row("x", 1.0, 1.0 - 1e-9, rtol=0.01), Row("y", -2.0, -2.0 + 1e-12, rtol=0.01)])
    assert "-0.00 %" not in t.text() and t.text().count("+0.00 %") == 2


def test_significant_figures_round_first():
    t = comparison([Row("x", 1.0, 0.999999, rtol=0.01)])
    assert t.cells[0][2] == "1.000"


def test_comparison_checks_and_shows_the_table_in_its_error():
    with pytest.raises(AssertionError, match=r"a paper's own slip: paper 1.000, reproduced 9.026(.|\n)*quantity"):
        comparison(ROWS)
    assert comparison(ROWS[:2], reference="their code").columns[1] == "their code"


def test_results_table_units_digits_and_index():
    df = pd.DataFrame({"C": [1e18, 1e20], "ratio": [0.8422619048, 0.84226], "runs": [5, 123456],
                       "name": ["a", "b"]})
    t = table(df, digits={"C": 1, "ratio": 10}, units={"C": "FLOPs"}, caption="k_D at every budget")
    assert t.columns == ("C (FLOPs)", "ratio", "runs", "name")
    assert t.cells[0] == ("1e+18", "0.8422619048", "5", "a")
    assert t.cells[1][2] == "123,456"
    assert t.numeric == (True, True, True, False)
    assert t.text().splitlines()[0] == "k_D at every budget"
    named = table(df.set_index("name"))
    assert named.columns[0] == "name" and named.row_headers
    assert table(df, formats={"ratio": "{:.1%}"}).cells[0][1] == "84.2%"
    with pytest.raises(ValueError, match="units must name columns of data; \\['nope'\\]"):
        table(df, units={"nope": "x"})


def test_table_refuses_what_it_cannot_show():
    with pytest.raises(TypeError, match="data must be a pandas DataFrame, got list"):
        table([1, 2])
    with pytest.raises(ValueError, match="at least one row"):
        table(pd.DataFrame({"a": []}))
    with pytest.raises(ValueError, match=r"Table.cells\[0\] must hold 2 cells"):
        Table(columns=("a", "b"), cells=(("1",),))
    with pytest.raises(ValueError, match=r"Table.status\[0\] must be one of"):
        Table(columns=("a",), cells=(("1",),), status=("fine",))


def test_module_examples_run():
    failures, _ = doctest.testmod(report, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
