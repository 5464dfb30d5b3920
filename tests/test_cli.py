"""Tests for the command-line tool `python -m scaling` (scaling.cli), including its error paths."""

import argparse
import contextlib
import io
import json
import re
import subprocess
import sys
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scaling
from scaling import cli, compute_overhead, data_factor, planner
from scaling import devries as dv
from scaling.published import BESIROGLU2024, CHINCHILLA_LAWS, DEVRIES2023, KAPLAN2020_ALLOCATION
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


def data_rows(out):
    """The data rows of every table in a command's output (the lines below a rule of dashes, to a blank line)."""
    rows, inside = [], False
    for line in out.splitlines():
        if set(line.replace(" ", "")) == {"-"}:
            inside = True
        elif not line.strip():
            inside = False
        elif inside:
            rows.append(line)
    return rows


def only_warnings(err):
    """True if standard error holds nothing but the fitted-range warnings."""
    return all(line.startswith("scaling ") and ": warning: " in line for line in err.splitlines())


def test_huge_and_tiny_inputs_stay_readable(capsys):
    for argv in (["plan", "-C", "1e40"], ["plan", "-C", "1"], ["shrink", "-N", "1e150", "-D", "1e150"],
                 ["shrink", "-N", "1e-3", "-D", "1e-3"], ["overhead", "--kn", "1e9"], ["plan", "--loss", "1e6"],
                 ["plan", "-C", "1e40", "--kn", "3"], ["plan", "--loss", "1.7", "--inference-tokens", "1e30"]):
        code, out, err = run(capsys, *argv)
        assert code == 0 and only_warnings(err), (argv, err)
        assert "e+06P" not in out and not re.search(r"\b(inf|nan)\b", out)
        assert data_rows(out), argv
        for line in data_rows(out):
            assert max(len(cell) for cell in line.split()) <= 12, line  # e.g. 1.234e+21, 5.310e+23%


def test_shrink_beyond_double_precision_explains_in_the_users_terms(capsys):
    code, out, err = run(capsys, "shrink", "--params", "1e300", "--tokens", "1e300")
    assert code == 2 and out == ""
    assert "--params 1e+300 --tokens 1e+300" in err and "1.8e308" in err
    assert "irreducible" not in err  # the old, misleading reason


def test_shrink_table_shows_the_same_budget_reading(capsys):
    code, out, _ = run(capsys, "shrink", "-N", "6.9B", "-D", "1T", "--law", "devries")
    assert code == 0
    equal, budget = data_rows(out)
    p = dv.shrink(6.9e9, 1e12, DEVRIES2023)
    assert budget.split()[2] == f"{p.k_N_same_budget:.3f}" == "0.551"  # the post's N / N_opt(6ND)
    assert equal.split()[4] == f"{p.k_N:.3f}" == "0.580"  # the equal-loss k_N, in its own table
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


_OPTIONS = {"plan": ["-C", "--compute", "--loss", "--kn", "--inference-tokens", "--peak-flops", "--utilisation",
                     "--accelerators", "--price", "--law-file", "--E", "--alpha"],
            "shrink": ["-N", "--params", "-D", "--tokens", "--peak-flops", "--utilization", "--law", "--beta"],
            "overhead": ["--kn", "--law", "--A", "--B"]}
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
    extra = st.sampled_from(["--json", "--law", "devries", "all", "custom", "--help", "-C", "--kn", "--version",
                             "--law-file", "/dev/null", "/", "--E", "--loss", *_HOSTILE])
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


@pytest.mark.parametrize("argv", [["--json", "--version"], ["--version", "--json"], ["plan", "--json", "--version"]])
def test_version_with_json_prints_json(argv, capsys):
    """Found by test_hostile_argv_never_escapes: ``--json --version`` printed plain text."""
    code = cli.main(argv)
    out = capsys.readouterr().out
    if code == 0:
        assert json.loads(out)["version"] == __import__("scaling").__version__
    else:  # --version belongs to the top level, not to a sub-command: an error, as JSON
        assert code == 2 and json.loads(out)["error"]


@pytest.mark.parametrize("argv", [["plan", "-C", "5e-324"], ["plan", "-C", "1e400"], ["plan", "-C", ""],
                                  ["shrink", "-N", "1e-300", "-D", "1e12"], ["overhead", "--kn"],
                                  ["overhead", "--kn", "١"], ["plan", "-C", "1e23", "--json", "--bogus"]])
def test_hostile_argv_in_a_real_process_prints_no_traceback(argv):
    res = subprocess.run([sys.executable, "-W", "error", "-m", "scaling", *argv], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and "Warning" not in res.stderr and res.stderr.strip()



# ---------------------------------------------------------------- issue 12: the planner a practitioner reaches for
def run_json(capsys, *argv):
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_hand_checks(capsys):
    """The numbers a reader can check by hand keep holding."""
    (row,) = run_json(capsys, "overhead", "--kn", "0.5", "--law", "devries")["rows"]
    assert f"{row['k_D']:.6f}" == "2.415645"
    (row,) = run_json(capsys, "plan", "--compute", "1e24", "--law", "devries")["rows"]
    assert f"{row['N_opt'] / 1e9:.2f}" == "53.68" and f"{row['D_opt'] / 1e12:.3f}" == "3.105"
    (row,) = run_json(capsys, "shrink", "--params", "8B", "--tokens", "15T", "--law", "devries")["rows"]
    assert f"{row['loss']:.4f}" == "1.8879" and f"{100 * row['overhead']:.2f}" == "154.85"


def test_plan_for_a_loss_is_the_cheapest_budget_under_each_law(capsys):
    data = run_json(capsys, "plan", "--loss", "2.0")
    assert data["question"] == "loss" and data["compute_flops"] is None and data["warnings"] == []
    assert [r["law"] for r in data["rows"]] == list(CHINCHILLA_LAWS)
    for r in data["rows"]:
        law = CHINCHILLA_LAWS[r["law"]]
        assert not r["unreachable"]
        assert r["C"] == pytest.approx(dv.compute_for_loss(2.0, law), rel=1e-12)
        assert law.loss(r["N_opt"], r["D_opt"]) == pytest.approx(2.0, rel=1e-12)  # reaches the loss
        assert 6 * r["N_opt"] * r["D_opt"] == pytest.approx(r["C"], rel=1e-12)
        # cheapest: a slightly smaller budget's optimum does not reach it
        assert law.optimal_loss(r["C"] * (1 - 1e-6)) > 2.0
    code, out, _ = run(capsys, "plan", "--loss", "2.0")
    assert code == 0 and "cheapest model that reaches a loss of 2" in out
    assert "unreachable" not in out  # the footnote only when something is unreachable
    assert "kaplan" not in out  # Kaplan's law is for another data set: no loss to aim at


def test_plan_for_a_loss_at_or_below_E_is_unreachable(capsys):
    loss = 1.8  # above E of three laws, below the replication's 1.8172
    assert BESIROGLU2024.E > loss > max(law.E for name, law in CHINCHILLA_LAWS.items() if name != "replicated")
    code, out, err = run(capsys, "plan", "--loss", str(loss))
    assert code == 0
    row = next(line for line in data_rows(out) if line.startswith("replicated"))
    assert row.split() == ["replicated", "unreachable"]
    assert "unreachable: replicated: the loss 1.8 is at or below its irreducible loss E = 1.8172" in out
    rows = {r["law"]: r for r in run_json(capsys, "plan", "--loss", str(loss))["rows"]}
    assert rows["replicated"] == {"law": "replicated", "unreachable": True}
    assert rows["devries"]["unreachable"] is False
    for argv in (["plan", "--loss", "1.8", "--law", "replicated"], ["plan", "--loss", "1.5"],
                 ["plan", "--loss", "1.62", "--law", "devries"]):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "" and "no law can answer" in err and "irreducible loss E" in err


def test_plan_with_inference_matches_the_package(capsys):
    data = run_json(capsys, "plan", "--loss", "2.0", "--inference-tokens", "1e13")
    for r in data["rows"]:
        law = CHINCHILLA_LAWS[r["law"]]
        ref = dv.optimal_with_inference(2.0, 1e13, law).as_dict()
        for key in ref:  # devries minimises numerically (to about 1e-8); the planner solves the stationarity
            assert r[key] == pytest.approx(ref[key], rel=1e-6, abs=1e-9), key
        assert r["saved_flops"] == pytest.approx(r["chinchilla_total_flops"] - r["total_flops"])
        assert r["saving"] > 0 and r["k_N"] < 1
        # the chosen size is where the marginal training overhead equals the marginal inference saving
        assert dv.inference_ratio_for_fraction(r["k_N"], law) == pytest.approx(1e13 / r["D_opt"], rel=1e-9)
    code, out, _ = run(capsys, "plan", "--loss", "2.0", "--inference-tokens", "1e13")
    assert "least training plus inference compute" in out and "saved" in out


def test_plan_with_inference_at_a_budget_aims_at_its_optimal_loss(capsys):
    (r,) = run_json(capsys, "plan", "-C", "1e24", "--inference-tokens", "1e13", "--law", "devries")["rows"]
    assert r["loss"] == pytest.approx(DEVRIES2023.optimal_loss(1e24), rel=1e-12)
    assert r["chinchilla_total_flops"] == pytest.approx(1e24 + 2 * r["N_opt"] * 1e13, rel=1e-12)


def test_plan_shrunk_model_is_de_vries_table_a3_row(capsys):
    data = run_json(capsys, "plan", "--compute", "1e24", "--kn", "0.5")
    assert "kaplan" not in data and data["k_N"] == 0.5
    for r in data["rows"]:
        ref = dv.shrunk_model(0.5, 1e24, CHINCHILLA_LAWS[r["law"]]).as_dict()
        for key in ref:
            assert r[key] == pytest.approx(ref[key], rel=1e-12), key
    code, out, _ = run(capsys, "plan", "--compute", "1e24", "--kn", "0.5", "--law", "devries")
    assert "Table A3" in out and "extra compute" in out and "20.8%" in out and "kaplan" not in out
    (r,) = run_json(capsys, "plan", "--loss", "2.0", "--kn", "50%", "--law", "devries")["rows"]
    assert r["loss"] == pytest.approx(2.0, rel=1e-12) and r["N"] == pytest.approx(0.5 * r["N_opt"])


def test_plan_kn_below_an_asymptote(capsys):
    code, out, _ = run(capsys, "plan", "-C", "1e24", "--kn", "0.12")
    assert code == 0
    assert next(line for line in data_rows(out) if line.startswith("replicated")).split() == ["replicated",
                                                                                              "unreachable"]
    assert "asymptote k_N* = 0.1471" in out
    code, out, err = run(capsys, "plan", "-C", "1e24", "--kn", "0.12", "--law", "replicated")
    assert code == 2 and out == "" and "asymptote" in err
    code, out, _ = run(capsys, "plan", "-C", "1e24", "--kn", "0.5")
    assert "unreachable" not in out


@pytest.mark.parametrize("argv, message", [
    (["plan", "-C", "1e24", "--loss", "2"], "not allowed with argument"),
    (["plan", "-C", "1e24", "--kn", "0.5", "--inference-tokens", "1e13"], "not allowed with argument"),
    (["plan", "--kn", "0.5"], "one of the arguments"),
    (["plan", "--loss", "0"], "must be positive"),
    (["plan", "--loss", "-2"], "must be positive"),
    (["plan", "--loss", "2B"], "not a plain number"),
    (["plan", "--loss", "nan"], "not finite"),
    (["plan", "--loss", "2", "--inference-tokens", "0"], "must be positive"),
    (["plan", "--loss", "2", "--inference-tokens", "-1"], "must be positive"),
    (["plan", "--loss", "2", "--kn", "0"], "must be positive"),
    (["plan", "--loss", "2", "--loss", "3"], "more than once"),
    (["plan", "-C", "1e24", "--kn", "0.5", "--kn", "0.3"], "more than once"),
    (["plan", "--infer", "1e13", "--loss", "2"], "unrecognized arguments"),
    (["plan", "-C", "1e24", "--util", "0.4", "--peak-flops", "1e15"], "unrecognized arguments"),
])
def test_plan_bad_input_exits_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and message in err, err
    code, out, err = run(capsys, *argv, "--json")
    assert code == 2 and message in json.loads(out)["error"]


# ---------------------------------------------------------------- any law
DEVRIES_FLAGS = ["--law", "custom", "--E", "1.62", "--A", "406.4", "--B", "410.7", "--alpha", "0.336",
                 "--beta", "0.283"]


def _without_law_names(data):
    for r in data["rows"]:
        r.pop("law")
    data.pop("laws")
    return data


def test_custom_law_gives_the_same_answers_as_the_named_one(capsys):
    for argv in (["plan", "-C", "1e24"], ["plan", "--loss", "2", "--kn", "0.4"], ["shrink", "-N", "7B", "-D", "2T"],
                 ["overhead", "--kn", "0.5", "0.3"]):
        named = run_json(capsys, *argv, "--law", "devries")
        custom = run_json(capsys, *argv, *DEVRIES_FLAGS)
        assert custom["laws"] == {"custom": DEVRIES2023.as_dict()}
        named.pop("kaplan", None), custom.pop("kaplan", None)
        assert _without_law_names(custom) == _without_law_names(named), argv


def test_law_file_gives_the_same_answers_and_a_fit_can_be_saved(capsys, tmp_path):
    path = tmp_path / "law.json"
    path.write_text(DEVRIES2023.to_json())
    for argv in (["plan", "-C", "1e24"], ["shrink", "-N", "7B", "-D", "2T"], ["overhead", "--kn", "0.5"]):
        named = run_json(capsys, *argv, "--law", "devries")
        from_file = run_json(capsys, *argv, "--law-file", str(path))
        assert list(from_file["laws"]) == ["file"] and from_file["laws"]["file"] == DEVRIES2023.as_dict()
        named.pop("kaplan", None), from_file.pop("kaplan", None)
        assert _without_law_names(from_file) == _without_law_names(named), argv
    # a fitted law, saved the documented way, is read back exactly
    from scaling.fitting import ParametricFit
    fit = ParametricFit(law=CHINCHILLA_LAWS["unrounded"], objective=1e-3)
    path.write_text(fit.law.to_json())
    data = run_json(capsys, "plan", "-C", "1e22", "--law-file", str(path))
    assert data["laws"]["file"] == CHINCHILLA_LAWS["unrounded"].as_dict()


@pytest.mark.parametrize("argv, message", [
    (["--law", "custom", "--E", "1.62", "--A", "406.4", "--B", "410.7", "--alpha", "0.336"], "missing --beta"),
    (["--law", "custom"], "missing --E --A --B --alpha --beta"),
    (["--E", "1.62"], "add --law custom"),
    (["--law", "devries", "--alpha", "0.3"], "add --law custom"),
    ([*DEVRIES_FLAGS[:-1], "0"], "--beta must be > 0"),
    ([*DEVRIES_FLAGS[:3], "-1", *DEVRIES_FLAGS[4:]], "--E is an irreducible loss and must be >= 0"),
    ([*DEVRIES_FLAGS[:-1], "nan"], "not finite"),
    ([*DEVRIES_FLAGS[:-1], "inf"], "not finite"),
    ([*DEVRIES_FLAGS[:-1], "0.3B"], "not a plain number"),
    ([*DEVRIES_FLAGS[:-1], "abc"], "not a number"),
    ([*DEVRIES_FLAGS, "--beta", "0.3"], "more than once"),
    (["--law", "kaplan"], "invalid choice"),
])
def test_custom_law_errors(capsys, argv, message):
    code, out, err = run(capsys, "plan", "-C", "1e24", *argv)
    assert code == 2 and out == "" and message in err, err


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("", "not valid JSON"),
    ("{", "not valid JSON (line 1, column 2"),
    ("[1.69, 406.4]", "must be an object"),
    ('{"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34}', "missing beta"),
    ('{"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28, "Alpha": 1}', "unknown law parameter(s) 'Alpha'"),
    ('{"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": NaN}', "NaN is not a finite number"),
    ('{"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": Infinity}', "Infinity is not a finite number"),
    ('{"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 1e999}', '"beta" must be finite'),
    ('{"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": "0.28"}', '"beta" must be a real number'),
    ('{"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": true}', '"beta" must be a real number'),
    ('{"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0, "beta": 0.28}', '"alpha" must be > 0'),
    (b"\xff\xfe", "not a text file"),
])
def test_law_file_errors_say_what_is_wrong(capsys, tmp_path, content, message):
    path = tmp_path / "law.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    code, out, err = run(capsys, "plan", "-C", "1e24", "--law-file", str(path))
    assert code == 2 and out == "" and message in err and str(path) in err, err
    code, out, err = run(capsys, "plan", "-C", "1e24", "--law-file", str(path), "--json")
    assert code == 2 and message in json.loads(out)["error"]


def test_law_file_conflicts(capsys, tmp_path):
    path = tmp_path / "law.json"
    path.write_text(DEVRIES2023.to_json())
    for extra, message in ((["--law", "devries"], "either --law or --law-file"),
                           (["--law", "all"], "either --law or --law-file"),
                           (["--E", "1.7"], "--law-file gives its own"),
                           (["--law-file", str(path)], "more than once")):
        code, out, err = run(capsys, "plan", "-C", "1e24", "--law-file", str(path), *extra)
        assert code == 2 and message in err, err
    code, _, err = run(capsys, "plan", "-C", "1e24", "--law-file", str(tmp_path))
    assert code == 2 and "is a folder" in err


# ---------------------------------------------------------------- hardware
def test_hardware_gives_days_and_cost(capsys):
    data = run_json(capsys, "plan", "-C", "1e24", "--law", "devries", "--peak-flops", "1e15", "--utilisation", "50%",
                    "--accelerators", "100", "--price", "2")
    (r,) = data["rows"]
    hours = 1e24 / (1e15 * 0.5) / 3600
    assert r["accelerator_hours"] == pytest.approx(hours, rel=1e-15)
    assert r["days"] == pytest.approx(hours / 100 / 24, rel=1e-15)
    assert r["cost"] == pytest.approx(2 * hours, rel=1e-15)
    assert data["hardware"] == {"peak_flops": 1e15, "utilisation": 0.5, "accelerators": 100, "price_per_hour": 2}
    assert data["kaplan"]["N_opt"] > 0
    code, out, _ = run(capsys, "plan", "-C", "1e24", "--law", "devries", "--peak-flops", "1P", "--utilization", "0.5",
                       "--accelerators", "100")
    assert code == 0 and "days" in out and "cost" not in out.split("\n\n")[1]
    assert f"{hours / 2400:.1f}" in out
    # the shrunk model's extra compute costs extra time
    (r,) = run_json(capsys, "plan", "-C", "1e24", "--kn", "0.5", "--law", "devries", "--peak-flops", "1e15",
                    "--utilisation", "0.5")["rows"]
    assert r["accelerator_hours"] == pytest.approx(r["compute"] / 5e14 / 3600, rel=1e-15)
    assert r["days"] is None and r["cost"] is None
    data = run_json(capsys, "shrink", "-N", "8B", "-D", "15T", "--law", "devries", "--peak-flops", "1e15",
                    "--utilisation", "0.5", "--price", "3")
    assert data["training"]["cost"] == pytest.approx(3 * 7.2e23 / 5e14 / 3600, rel=1e-15)
    code, out, _ = run(capsys, "shrink", "-N", "8B", "-D", "15T", "--peak-flops", "1e15", "--utilisation", "0.5")
    assert "accelerator-hours" in out


@pytest.mark.parametrize("argv, message", [
    (["--peak-flops", "1e15"], "needs --utilisation"),
    (["--utilisation", "0.5"], "needs --peak-flops"),
    (["--accelerators", "8"], "needs --peak-flops and --utilisation"),
    (["--price", "2"], "needs --peak-flops and --utilisation"),
    (["--peak-flops", "1e15", "--utilisation", "150%"], "at most 1"),
    (["--peak-flops", "1e15", "--utilisation", "0"], "above 0"),
    (["--peak-flops", "1e15", "--utilisation", "0.4K"], "not a utilisation"),
    (["--peak-flops", "1e15", "--utilisation", "0.5", "--accelerators", "2.5"], "whole number"),
    (["--peak-flops", "1e15", "--utilisation", "0.5", "--accelerators", "0"], "must be positive"),
    (["--peak-flops", "1e15", "--utilisation", "0.5", "--price", "0"], "must be positive"),
    (["--peak-flops", "1e15", "--utilisation", "0.5", "--price", "2K"], "not a plain number"),
    (["--peak-flops=-1e15", "--utilisation", "0.5"], "must be positive"),
    (["--peak-flops", "1e15", "--peak-flops", "2e15", "--utilisation", "0.5"], "more than once"),
    (["--peak-flops", "1e15", "--utilisation", "0.5", "--utilization", "0.4"], "more than once"),
])
def test_hardware_errors(capsys, argv, message):
    code, out, err = run(capsys, "plan", "-C", "1e24", *argv)
    assert code == 2 and out == "" and message in err, err


# ---------------------------------------------------------------- warnings outside the fitted range
def test_extrapolation_warning_only_far_outside_the_data(capsys):
    top = planner.FITTED_RANGE["C"][1]
    for budget, warned in ((1e23, False), (top * 99, False), (top * 101, True), (1e26, True)):
        data = run_json(capsys, "plan", "-C", repr(budget), "--law", "replicated")
        assert bool(data["warnings"]) == warned, (budget, data["warnings"])
        code, out, err = run(capsys, "plan", "-C", repr(budget), "--law", "replicated")
        assert code == 0 and bool(err) == warned and only_warnings(err)
    data = run_json(capsys, "plan", "-C", "1e26", "--law", "replicated")
    assert any(w.startswith("C = 1e+26 FLOPs lies a factor of 7.72e+03 outside") for w in data["warnings"])


def test_one_parameter_on_one_token_is_flagged(capsys):
    (row,) = run_json(capsys, "shrink", "-N", "1", "-D", "1", "--law", "devries")["rows"]
    assert row["loss"] == pytest.approx(DEVRIES2023.E + DEVRIES2023.A + DEVRIES2023.B)  # 818.72 "nats per token"
    code, out, err = run(capsys, "shrink", "-N", "1", "-D", "1", "--law", "devries")
    assert code == 0 and "818.7200" in out
    assert [line.split(": warning: ")[1][:1] for line in err.splitlines()] == ["N", "D", "C"]
    code, out, err = run(capsys, "overhead", "--kn", "0.5")  # no sizes, no budget: nothing to extrapolate
    assert err == ""


# ---------------------------------------------------------------- both overheads, beyond critical
def test_shrink_prints_both_overheads_each_with_its_question(capsys):
    (row,) = run_json(capsys, "shrink", "-N", "6.9B", "-D", "1T", "--law", "devries")["rows"]
    same = dv.same_budget_placement(6.9e9, 1e12, DEVRIES2023).as_dict()
    assert row["same_budget"] == pytest.approx(same, rel=1e-12)
    assert f"{100 * row['overhead']:.1f}" == "11.7" and f"{100 * row['same_budget']['overhead']:.1f}" == "14.4"
    code, out, _ = run(capsys, "shrink", "-N", "6.9B", "-D", "1T", "--law", "devries")
    assert "Equal loss: how much more compute did this model cost than the cheapest model as good as it?" in out
    assert "Same budget (as the harms-law space reads it): how much more than its budget" in out
    equal, budget = data_rows(out)
    assert "11.7%" in equal.split() and "14.4%" in budget.split()
    assert "unreachable" not in out


def test_same_budget_reading_can_be_unreachable(capsys):
    rows = {r["law"]: r for r in run_json(capsys, "shrink", "-N", "8B", "-D", "15T")["rows"]}
    assert rows["replicated"]["same_budget"] is None and rows["replicated"]["same_budget_unreachable"]
    assert rows["replicated"]["k_N_same_budget"] < dv.asymptote(BESIROGLU2024)
    assert rows["devries"]["same_budget"]["overhead"] > 0
    code, out, _ = run(capsys, "shrink", "-N", "8B", "-D", "15T")
    assert "unreachable: k_N at or below the law's asymptote" in out


def test_beyond_critical_only_for_smaller_than_optimal_models(capsys):
    rows = run_json(capsys, "shrink", "-N", "175B", "-D", "300B")["rows"]  # GPT-3: larger than optimal
    assert all(r["k_N"] > 1 and r["beyond_critical"] is None for r in rows)
    code, out, _ = run(capsys, "shrink", "-N", "175B", "-D", "300B")
    equal = data_rows(out)[:len(rows)]
    assert all(line.split()[-1] == "-" for line in equal)
    assert "larger-than-optimal model" in out
    code, out, _ = run(capsys, "shrink", "-N", "8B", "-D", "15T")
    assert "larger-than-optimal" not in out
    assert [line.split()[-1] for line in data_rows(out)[:4]] == ["no", "yes", "yes", "yes"]


# ---------------------------------------------------------------- help and version
def test_help_has_examples_and_advice_with_computed_numbers(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    n = {name: law.optimal_allocation(1e24)[0] for name, law in CHINCHILLA_LAWS.items()}
    spread = max(n.values()) / min(n.values())
    text = " ".join(out.split())
    assert f"a factor of {spread:.2g}" in text and f"{spread:.2g}" == "2.4"
    assert "examples:" in out and "which law?" in out and "scaling plan --loss 2.0" in out
    assert "--inference-tokens" in out and "--law-file" in out and "--peak-flops" in out
    lo, hi = planner.FITTED_RANGE["C"]
    assert f"C {lo:.2g} to {hi:.2g} FLOPs" in text
    for law in CHINCHILLA_LAWS.values():
        assert f"alpha={law.alpha:.6g}" in out  # the constants come from the laws, not typed into the help
    code, out, _ = run(capsys, "plan", "--help")
    assert code == 0 and "--loss" in out and "--utilisation" in out and "hardware" in out


def test_version(capsys):
    code, out, err = run(capsys, "--version")
    assert code == 0 and out == f"scaling {scaling.__version__}\n" and err == ""
    res = _shell("--version")
    assert res.returncode == 0 and res.stdout.strip() == f"scaling {scaling.__version__}"


# ---------------------------------------------------------------- start-up: only what the answer needs
@pytest.mark.parametrize("argv", [["plan", "-C", "1e24"], ["plan", "--loss", "2", "--inference-tokens", "1e13"],
                                  ["plan", "-C", "1e24", "--kn", "0.5"], ["shrink", "-N", "8B", "-D", "15T"],
                                  ["overhead", "--kn", "0.5", "0.1"], ["--help"], ["plan", "-C", "nan"],
                                  ["plan", "-C", "1e24", *DEVRIES_FLAGS[:-1], "abc"]])
def test_commands_import_neither_pandas_nor_scipy(argv):
    code = ("import io, sys, contextlib\n"
            "from scaling import cli\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
            f"    status = cli.main({argv!r})\n"
            "print(status, sorted(m for m in ('pandas', 'scipy', 'matplotlib') if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    status, heavy = res.stdout.split(" ", 1)
    assert status in ("0", "2") and heavy.strip() == "[]", res.stdout + res.stderr


@pytest.mark.parametrize("argv, message", [
    (["plan", "--loss", "1.8", "--law", "replicated"], "no law can answer"),
    (["plan", "-C", "1e24", "--law", "custom"], "missing"),
    (["plan", "-C", "1e24", "--law-file", "/nonexistent/law.json"], "no such file"),
    (["plan", "-C", "1e24", "--peak-flops", "1e15"], "needs --utilisation"),
    (["shrink", "-N", "7B", "-D", "1T", "--utilisation", "2"], "at most 1"),
])
def test_new_errors_in_a_real_process_print_no_traceback(argv, message):
    res = subprocess.run([sys.executable, "-W", "error", "-m", "scaling", *argv], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 2 and message in res.stderr and "Traceback" not in res.stderr


# ------------------------------------------------------------- cli.run: the command line in a notebook
def test_run_keeps_what_the_shell_shows_and_its_tables_become_html(capsys):
    t = cli.run(["plan", "--loss", "1.8"])
    assert cli.main(["plan", "--loss", "1.8"]) == 0 == t.status
    shell = capsys.readouterr()
    assert t.stdout == shell.out and t.stderr == shell.err  # the same run, captured
    assert repr(t) == t.text() == (shell.out.rstrip("\n") + "\n" + shell.err.rstrip("\n"))
    page = t.html()
    assert page.count("<table") == 1 and "<pre" not in page
    assert '<th scope="col" class="num">compute (FLOPs)</th>' in page
    assert '<th scope="row" class="text">replicated</th><td class="num">unreachable</td>' in page
    assert "warning: D = 4.89e+13 tokens" in page  # standard error, as text under the table


def test_run_splits_several_tables_and_reports_a_refusal():
    two = cli.run(["shrink", "-N", "8B", "-D", "15T"]).html()
    assert two.count("<table") == 2 and "827.9%" in two
    refused = cli.run(["overhead", "--kn", "0.12", "--law", "replicated"])
    assert refused.status == 2 and refused.stdout == ""
    assert refused.text().endswith("exit status: 2") and "<table" not in refused.html()
    assert "asymptote" in refused.html()


@pytest.mark.parametrize("argv", ["plan -C 1e24", None, ["plan", 1e24], ["lab", "plan"]])
def test_run_refuses_what_is_not_a_list_of_strings(argv):
    with pytest.raises((TypeError, ValueError), match="argv"):
        cli.run(argv)
