"""Tests for the command-line tool `python -m scaling` (scaling.cli), including its error paths."""

import json
import subprocess
import sys

import pytest

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
