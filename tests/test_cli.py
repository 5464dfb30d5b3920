"""Tests for the command-line tool `python -m scaling` (scaling.cli), including its error paths."""

import argparse
import contextlib
import io
import json
import subprocess
import sys
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaling import cli, compute_overhead, data_factor
from scaling import devries as dv
from scaling.published import CHINCHILLA_LAWS, DEVRIES2023, KAPLAN2020_ALLOCATION
from scaling.units import PF_DAY


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_json_matches_the_laws(capsys):
    code, out, err = run(capsys, "plan", "--compute", "5.76e23", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["compute_flops"] == 5.76e23
    assert [r["law"] for r in data["rows"]] == list(CHINCHILLA_LAWS)
    for r in data["rows"]:
        law = CHINCHILLA_LAWS[r["law"]]
        n, d = law.optimal_allocation(5.76e23)
        assert r["N_opt"] == pytest.approx(n) and r["D_opt"] == pytest.approx(d)
        assert r["tokens_per_parameter"] == pytest.approx(d / n)
        assert r["loss"] == pytest.approx(law.loss(n, d))
    k = KAPLAN2020_ALLOCATION
    assert data["kaplan"]["N_opt"] == pytest.approx(k.N_prefactor * (5.76e23 / PF_DAY) ** k.N_exponent)
    assert data["kaplan"]["loss"] is None


def test_plan_table_is_readable(capsys):
    code, out, _ = run(capsys, "plan", "-C", "1e21", "--law", "devries")
    assert code == 0
    assert "devries" in out and "printed" not in out.split("\n\n")[1]
    assert "kaplan" in out and "PF-days" in out
    assert "tokens/param" in out


def test_shrink_json_matches_the_package(capsys):
    code, out, _ = run(capsys, "shrink", "--params", "6.9B", "--tokens", "1T", "--law", "devries", "--json")
    assert code == 0
    (row,) = json.loads(out)["rows"]
    p = dv.shrink(6.9e9, 1e12, DEVRIES2023)
    assert row["k_N"] == pytest.approx(p.k_N)
    assert row["overhead"] == pytest.approx(p.overhead)
    assert row["compute"] == pytest.approx(4.14e22)
    assert row["beyond_critical"] is False


def test_shrink_table_flags_beyond_critical(capsys):
    code, out, _ = run(capsys, "shrink", "-N", "8e9", "-D", "15e12", "--law", "devries")
    assert code == 0
    assert "yes" in out  # Llama 3 8B lies beyond the critical size under de Vries' law


def test_overhead_several_k_and_all_laws(capsys):
    code, out, _ = run(capsys, "overhead", "--kn", "0.75", "0.5", "--json")
    assert code == 0
    rows = json.loads(out)["rows"]
    assert len(rows) == 2 * len(CHINCHILLA_LAWS)
    for r in rows:
        law = CHINCHILLA_LAWS[r["law"]]
        assert r["k_D"] == pytest.approx(data_factor(r["k_N"], law))
        assert r["overhead"] == pytest.approx(compute_overhead(r["k_N"], law))
        assert r["critical_model_size"] == pytest.approx(dv.critical_model_size(law))


def test_overhead_unreachable_for_some_laws_is_shown_not_fatal(capsys):
    code, out, _ = run(capsys, "overhead", "--kn", "0.12")
    assert code == 0
    assert "unreachable" in out  # below the replication's asymptote (0.147), above the others'
    code, out, _ = run(capsys, "overhead", "--kn", "0.12", "--json")
    rows = {r["law"]: r for r in json.loads(out)["rows"]}
    assert rows["replicated"]["overhead"] is None and rows["printed"]["overhead"] > 0


@pytest.mark.parametrize(
    "argv, message",
    [
        (["overhead", "--kn", "0.05", "--law", "devries"], "asymptote"),
        (["overhead", "--kn", "0.05"], "no law reaches"),
        (["overhead", "--kn", "0"], "must be positive"),
        (["overhead", "--kn", "-0.5"], "must be positive"),
        (["overhead", "--kn", "nan"], "not finite"),
        (["overhead", "--kn", "inf"], "not finite"),
        (["overhead", "--kn", "0.5K"], "not a model fraction"),  # a size suffix is a mistake, not 500
        (["overhead", "--kn", "7B"], "not a model fraction"),
        (["overhead", "--kn", "half"], "not a model fraction"),
        (["shrink", "--params", "1e300", "--tokens", "1e300"], "--params 1e+300 --tokens 1e+300"),
        (["plan", "--compute", "inf"], "not finite"),
        (["plan", "--compute", "abc"], "not a number"),
        (["plan", "--compute=-1e20"], "must be positive"),
        (["plan"], "required"),
        (["plan", "--compute", "1e21", "--law", "kaplan"], "invalid choice"),
        (["shrink", "--params", "7B"], "required"),
        (["shrink", "--params", "7B", "--tokens", "0"], "must be positive"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
    ],
)
def test_bad_input_exits_2_with_a_message(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert message in err


def test_help_explains_units(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for word in ["FLOPs", "PF-day", "nats per token", "k_N", "--law", "replicated"]:
        assert word in out
    code, out, _ = run(capsys, "plan", "--help")
    assert code == 0 and "PF-days" in out and "non-embedding" in out


@pytest.mark.parametrize("text, value", [("6.9B", 6.9e9), ("1T", 1e12), ("70m", 7e7), ("5.76e23", 5.76e23),
                                         ("1_000", 1000.0), ("2G", 2e9)])
def test_parse_quantity(text, value):
    assert cli.parse_quantity(text) == pytest.approx(value)


def test_module_entry_point_runs():
    res = subprocess.run([sys.executable, "-m", "scaling", "overhead", "--kn", "0.5", "--law", "devries"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0 and "20.8%" in res.stdout
    res = subprocess.run([sys.executable, "-m", "scaling", "overhead", "--kn", "0.01", "--law", "devries"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "asymptote" in res.stderr


def test_kn_errors_talk_about_k_N_not_sizes(capsys):
    code, _, err = run(capsys, "overhead", "--kn", "0.5K")
    assert code == 2
    assert "fraction of the compute-optimal size" in err and "suffix" in err
    assert "7B" not in err and "token" not in err  # the size parser's wording does not apply to k_N
    code, _, err = run(capsys, "overhead", "--kn", "-0.5")
    assert code == 2 and "k_N '-0.5' must be positive" in err


@pytest.mark.parametrize("text, value", [("0.5", 0.5), ("50%", 0.5), (" 2.5 ", 2.5), ("1e-1", 0.1)])
def test_parse_fraction(text, value):
    assert cli.parse_fraction(text) == pytest.approx(value)


def test_kn_accepts_a_percentage(capsys):
    code, out, _ = run(capsys, "overhead", "--kn", "50%", "--law", "devries", "--json")
    assert code == 0
    (row,) = json.loads(out)["rows"]
    assert row["k_N"] == 0.5 and row["overhead"] == pytest.approx(compute_overhead(0.5, DEVRIES2023))


def test_tokens_per_parameter_keeps_significant_figures(capsys):
    """Kaplan's allocation trains on fewer tokens than parameters: 0.268, not '0.3' (or '0.0' at huge budgets)."""
    code, out, _ = run(capsys, "plan", "-C", "5.76e23", "--law", "devries")
    assert code == 0
    kaplan_row = next(line for line in out.splitlines() if line.startswith("kaplan*"))
    assert kaplan_row.split()[3] == "0.268"
    code, out, _ = run(capsys, "plan", "-C", "1e40")
    assert code == 0
    table = out.split("\n\n")[1].splitlines()
    cells = [line.split() for line in table[2:]]
    assert all(len(c) == 5 for c in cells)  # every row keeps its five columns
    assert all(c[3] not in ("0.0", "0.00") for c in cells)
    assert next(c for c in cells if c[0] == "kaplan*")[3] == "9.08e-09"


@pytest.mark.parametrize("x, text", [(12.518e9, "12.52B"), (1.088e12, "1.088T"), (999.96e9, "1T"),
                                     (2.4e21, "2.400e+21"), (694.6e15, "694.6P"), (0.5719, "0.5719"),
                                     (3.633e-6, "3.633e-06"), (950.0, "950")])
def test_counts_keep_a_readable_width(x, text):
    assert cli._count(x) == text


def test_huge_and_tiny_inputs_stay_readable(capsys):
    for argv in (["plan", "-C", "1e40"], ["plan", "-C", "1"], ["shrink", "-N", "1e150", "-D", "1e150"],
                 ["shrink", "-N", "1e-3", "-D", "1e-3"], ["overhead", "--kn", "1e9"]):
        code, out, err = run(capsys, *argv)
        assert code == 0 and err == "", argv
        assert "e+06P" not in out and "inf" not in out and "nan" not in out
        for line in out.split("\n\n")[1].splitlines()[2:]:  # the data rows, below header and rule
            assert max(len(cell) for cell in line.split()) <= 12, line  # e.g. 1.234e+21, 5.310e+23%


def test_shrink_beyond_double_precision_explains_in_the_users_terms(capsys):
    code, out, err = run(capsys, "shrink", "--params", "1e300", "--tokens", "1e300")
    assert code == 2 and out == ""
    assert "--params 1e+300 --tokens 1e+300" in err and "1.8e308" in err
    assert "irreducible" not in err  # the old, misleading reason


def test_shrink_table_shows_the_same_budget_reading(capsys):
    code, out, _ = run(capsys, "shrink", "-N", "6.9B", "-D", "1T", "--law", "devries")
    assert code == 0
    header, _, row = out.split("\n\n")[1].splitlines()
    assert "k_N same budget" in header
    p = dv.shrink(6.9e9, 1e12, DEVRIES2023)
    assert row.split()[-1] == f"{p.k_N_same_budget:.3f}" == "0.551"  # the post's N / N_opt(6ND)
    assert f"{p.k_N:.3f}" in row.split()  # beside the equal-loss k_N, 0.580
    assert "N / N_opt(6ND)" in out


# ---------------------------------------------------------------- issue 10, section 4: no traceback, no misreading
def _shell(command, **kwargs):
    """Run ``python -m scaling`` through bash, so that redirections such as ``>&-`` apply."""
    return subprocess.run(["bash", "-c", f'"{sys.executable}" -m scaling {command}'], capture_output=True,
                          text=True, timeout=60, **kwargs)


@pytest.mark.parametrize("budget", ["5e-324", "1e-310", "2.2e-308"])
def test_plan_budget_too_small_for_double_precision_is_refused(capsys, budget):
    code, out, err = run(capsys, "plan", "--compute", budget)
    assert code == 2 and out == ""
    assert "--compute" in err and "double precision" in err
    assert "N must be positive" not in err  # the caller passed no N


def test_shrink_model_too_small_names_what_the_caller_passed(capsys):
    """devries.shrink says "C must be positive" here; the caller passed N and D, not C."""
    code, out, err = run(capsys, "shrink", "--params", "1e-300", "--tokens", "1e12", "--law", "devries")
    assert code == 2 and out == ""
    assert "--params 1e-300 --tokens 1e+12" in err and "double precision" in err
    assert "C must be positive" not in err


@pytest.mark.parametrize("argv, redirect, words", [
    ("plan -C 1e23", ">&-", "standard output is closed"),
    ("plan -C 1e23", "> /dev/full", "No space left on device"),
    ("overhead --kn 0.5 --json", "> /dev/full", "No space left on device"),
    ("plan --help", ">&-", "standard output is closed"),
    ("--help", "> /dev/full", "No space left on device"),
])
def test_unwritable_stdout_is_a_message_not_a_traceback(argv, redirect, words):
    res = _shell(f"{argv} {redirect}")
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr and "Exception ignored" not in res.stderr
    assert words in res.stderr and "could not write" in res.stderr


def test_reader_leaving_early_is_fine():
    res = _shell("plan -C 1e23 --json | head -c 1 >/dev/null")
    assert "Traceback" not in res.stderr and "Exception ignored" not in res.stderr and res.stderr == ""


@pytest.mark.parametrize("text, value", [("7,500,000,000", 7.5e9), ("7,500B", 7.5e12), ("1,000", 1000.0),
                                         ("12,345.5", 12345.5), ("7.5B", 7.5e9), ("7 B", 7e9), ("+7B", 7e9),
                                         (".5T", 5e11), ("1e3", 1e3), ("1E+3", 1e3), ("7b", 7e9)])
def test_parse_quantity_accepts_unambiguous_forms(text, value):
    assert cli.parse_quantity(text) == value


@pytest.mark.parametrize("text", ["7,5B", "7,5", "1,00", "1,0000", ",500", "1,,000", "1000,000", "7,500e3",
                                  "1,000,00", "7,"])
def test_parse_quantity_refuses_a_comma_that_is_not_a_thousands_separator(text):
    with pytest.raises(argparse.ArgumentTypeError, match="comma"):
        cli.parse_quantity(text)


@pytest.mark.parametrize("text", ["7e9B", "1e3K", "5E-1T", "1e0M"])
def test_parse_quantity_refuses_an_exponent_with_a_suffix(text):
    with pytest.raises(argparse.ArgumentTypeError, match="exponent and a suffix"):
        cli.parse_quantity(text)


def test_decimal_comma_in_shrink_is_refused_not_read_as_75B(capsys):
    code, out, err = run(capsys, "shrink", "--params", "7,5B", "--tokens", "15T")
    assert code == 2 and out == ""
    assert "--params" in err and "7.5B" in err  # says how to write the decimal
    code, out, err = run(capsys, "shrink", "--params", "7e9B", "--tokens", "15T")
    assert code == 2 and out == "" and "7e9 or 7B" in err


def test_repeated_kn_uses_every_value(capsys):
    code, out, _ = run(capsys, "overhead", "--kn", "0.5", "--kn", "0.3", "0.75", "--law", "devries", "--json")
    assert code == 0
    assert [r["k_N"] for r in json.loads(out)["rows"]] == [0.5, 0.3, 0.75]


@pytest.mark.parametrize("argv, option", [
    (["plan", "-C", "1e24", "-C", "1e25"], "--compute"),
    (["plan", "--compute", "1e24", "-C", "1e24"], "--compute"),
    (["plan", "-C", "1e24", "--law", "devries", "--law", "printed"], "--law"),
    (["shrink", "-N", "7B", "--params", "8B", "-D", "1T"], "--params"),
    (["shrink", "-N", "7B", "-D", "1T", "--tokens", "2T"], "--tokens"),
])
def test_repeated_single_value_options_are_refused(capsys, argv, option):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert f"{option}" in err and "more than once" in err


def test_help_says_how_repeated_options_are_read(capsys):
    code, out, _ = run(capsys, "overhead", "--help")
    assert code == 0 and "may be repeated" in " ".join(out.split())
    code, out, _ = run(capsys, "plan", "--help")
    assert code == 0 and "more than once" in " ".join(out.split())


@pytest.mark.parametrize("argv, message", [
    (["overhead", "--kn", "0.05", "--json"], "no law reaches"),
    (["overhead", "--kn", "0.05", "--law", "devries", "--json"], "asymptote"),
    (["plan", "--compute", "abc", "--json"], "not a number"),
    (["plan", "--json"], "required"),
    (["plan", "--json", "-C", "1e23", "--bogus"], "unrecognized arguments"),
    (["shrink", "--json", "-N", "1e300", "-D", "1e300"], "1.8e308"),
    (["--json", "frobnicate"], "invalid choice"),
])
def test_json_errors_are_json_on_stdout_and_a_message_on_stderr(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    data = json.loads(out)
    assert message in data["error"] and data["exit_status"] == 2
    assert message in err


def test_unknown_option_of_a_sub_command_shows_its_usage(capsys):
    code, out, err = run(capsys, "plan", "-C", "1e23", "--bogus")
    assert code == 2 and out == ""
    assert err.startswith("usage: scaling plan") and "--compute" in err.splitlines()[0]
    assert "scaling plan: error: unrecognized arguments: --bogus" in err
    code, out, err = run(capsys, "overhead", "--kn", "0.5", "--compute", "1e23")
    assert err.startswith("usage: scaling overhead") and "--compute" in err


def test_abbreviated_options_are_refused(capsys):
    """`--comp` would silently change meaning once another option starts the same way."""
    code, _, err = run(capsys, "plan", "--comp", "1e23")
    assert code == 2 and "usage: scaling plan" in err


_HOSTILE = ["", " ", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e400", "-1e400", "1e-400", "-0", "0",
            "+0", "0x10", "1_", "_1", "1__0", "٣", "１２", "7B", "7BB", "1e3K", "1P", "1000000P", "9e307P",
            "1.7e308", "5e-324", "7,5", "1,000", "--", "-", "%", "50%", "1e", "e3", ".", "1..2", "B", "0.5",
            "--json", "--help", "-C", "--kn", "--law", "devries", "all", "\x00", "1\n", "True", "None", "½"]


_OPTIONS = {"plan": ["-C", "--compute"], "shrink": ["-N", "--params", "-D", "--tokens"], "overhead": ["--kn"]}
_values = st.one_of(st.sampled_from(_HOSTILE), st.text(max_size=8),
                    st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.builds(lambda m, s: f"{m}{s}", st.sampled_from(["7", "1e400", "0.0", "-1", "9e307", "5e-324",
                                                                      "1e-300", "1,000", "7,5"]),
                              st.sampled_from(["", "K", "M", "B", "T", "P", "%", "e3", " "])))


@st.composite
def _argv(draw):
    """A sub-command, each of its options with a hostile value (or none), and stray tokens."""
    command = draw(st.sampled_from([*_OPTIONS, "", "frobnicate"]))
    argv = [command] if command else []
    for option in _OPTIONS.get(command, [])[::2] if draw(st.booleans()) else _OPTIONS.get(command, []):
        argv += [option, *draw(st.lists(_values, min_size=0, max_size=3))]
    extra = st.sampled_from(["--json", "--law", "devries", "all", "--help", "-C", "--kn", *_HOSTILE])
    argv += draw(st.lists(extra, max_size=3))
    return draw(st.permutations(argv)) if draw(st.integers(0, 4)) == 0 else argv


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_argv())
def test_hostile_argv_never_escapes(argv):
    """Any argv: exit status 0 or 2, a message rather than an exception or a warning."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("error")
        code = cli.main(argv)
    assert code in (0, 2), (argv, err.getvalue())
    assert "Traceback" not in err.getvalue()
    if code == 2:
        assert err.getvalue().strip(), argv
    options = argv[:argv.index("--")] if "--" in argv else argv  # after "--", "--json" is a value
    if "--json" in options and "--help" not in options and "-h" not in options:
        json.loads(out.getvalue())  # with --json, stdout is JSON whether it worked or not


@pytest.mark.parametrize("argv", [["plan", "-C", "5e-324"], ["plan", "-C", "1e400"], ["plan", "-C", ""],
                                  ["shrink", "-N", "1e-300", "-D", "1e12"], ["overhead", "--kn"],
                                  ["overhead", "--kn", "١"], ["plan", "-C", "1e23", "--json", "--bogus"]])
def test_hostile_argv_in_a_real_process_prints_no_traceback(argv):
    res = subprocess.run([sys.executable, "-W", "error", "-m", "scaling", *argv], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and "Warning" not in res.stderr and res.stderr.strip()
