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
