"""The calculator page (book/devries/07_calculator) in headless Chromium with the network cut.

A grid of inputs (every law of the book and a custom one; budgets, target losses, models,
k_N values and inference loads, including unreachable ones) is typed into the page, and
every number it shows (its ``data-value``, at full precision) is checked against
``python -m scaling ... --json`` (``scaling.cli.main``, the same entry point) to a relative
1e-9; "unreachable" where the command line has no answer. Then the page on a phone: no
sideways scroll, inputs a finger can use, the curve inside the screen.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
from urllib.parse import urlsplit

import pytest

from scaling import cli
from scaling.published import CHINCHILLA_LAWS

PAGE = "book/devries/07_calculator.html"
RTOL = 1e-9
CUSTOM = {"E": "2.0", "A": "300", "B": "1500", "alpha": "0.3", "beta": "0.4"}
LAWS = [*CHINCHILLA_LAWS, "custom"]

READ_JS = """() => {
  const root = document.getElementById('scaling-calculator');
  const values = {};
  for (const el of root.querySelectorAll('.sc-section:not([hidden]) [data-key]')) values[el.dataset.key] = el.dataset.value;
  const point = root.querySelector('circle.sc-point');
  return {
    state: root.dataset.state, error: root.dataset.error, values: values,
    warnings: Array.from(root.querySelectorAll('.sc-warnings li')).map(li => li.textContent),
    point: point ? {k: point.dataset.k, overhead: point.dataset.overhead} : null,
  };
}"""


class Calculator:
    def __init__(self, page, external, errors):
        self.page, self.external, self.errors = page, external, errors

    def ask(self, law: str, mode: str, **inputs: str) -> dict:
        page = self.page
        page.select_option("#sc-law", law)
        if law == "custom":
            for name, value in CUSTOM.items():
                page.fill(f"#sc-{name}", value)
        page.check(f'input[name="sc-mode"][value="{mode}"]')
        for name, value in inputs.items():
            page.fill(f"#sc-{name}", value)
        return page.evaluate(READ_JS)


@pytest.fixture(scope="module")
def calc(site, base_url, browser):
    if not (site / PAGE).is_file():
        pytest.fail(f"no calculator page at {site / PAGE}: build the book first (`make book`)", pytrace=False)
    local = urlsplit(base_url).netloc
    external: list[str] = []
    errors: list[str] = []
    context = browser.new_context(service_workers="block", viewport={"width": 1280, "height": 900})
    context.on("request", lambda r: external.append(r.url)
               if urlsplit(r.url).scheme not in ("data", "blob", "about") and urlsplit(r.url).netloc != local else None)
    page = context.new_page()
    page.on("pageerror", lambda err: errors.append(f"uncaught: {err}"))
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.goto(base_url + PAGE, wait_until="load")
    page.wait_for_function("document.getElementById('scaling-calculator').dataset.ready === 'true'")
    yield Calculator(page, external, errors)
    context.close()


# ---------------------------------------------------------------- the command line's answers
def law_args(law: str) -> list[str]:
    if law == "custom":
        return ["--law", "custom", *[x for name, value in CUSTOM.items() for x in (f"--{name}", value)]]
    return ["--law", law]


def cli_json(*argv: str) -> tuple[int, dict]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([*argv, "--json"])
    return code, json.loads(out.getvalue())


def cli_row(*argv: str) -> dict | None:
    """The command's one row, or None where it has no answer (unreachable)."""
    code, data = cli_json(*argv)
    if code == 2:
        assert "asymptote" in data["error"] or "irreducible" in data["error"], data["error"]
        return None
    assert code == 0, data
    (row,) = data["rows"]
    return None if row.get("unreachable") else row


def cli_warned(*commands: list[str]) -> set[str]:
    """The quantities (N, D, C) the command line warns about in any of ``commands``."""
    keys = set()
    for argv in commands:
        code, data = cli_json(*argv)
        if code == 0:
            keys |= {w.split(" ")[0] for w in data["warnings"]}
    return keys


def check(got: dict, expected: dict[str, object], where: str) -> list[str]:
    """Every expected key against the page's value: a number to RTOL, "unreachable", or a flag."""
    problems = []
    values = got["values"]
    for key, want in expected.items():
        if key not in values:
            problems.append(f"{where}: {key} is not shown (state {got['state']!r}: {got['error']})")
            continue
        have = values[key]
        if want is None:
            if have != "unreachable":
                problems.append(f"{where}: {key} = {have}, expected unreachable")
        elif isinstance(want, bool) or want == "":
            if have != ("" if want == "" else str(want).lower()):
                problems.append(f"{where}: {key} = {have!r}, expected {want!r}")
        else:
            try:
                value = float(have)
            except ValueError:
                problems.append(f"{where}: {key} = {have!r}, expected {want!r}")
                continue
            if not (math.isclose(value, want, rel_tol=RTOL, abs_tol=1e-300)):  # type: ignore[arg-type]
                problems.append(f"{where}: {key} = {value!r}, expected {want!r} (relative {value / want - 1:.2e})")
    return problems


def curve_constants(law: str) -> dict[str, object]:
    row = cli_row("overhead", "--kn", "1", *law_args(law))
    assert row is not None
    return {"overhead.asymptote": row["asymptote"], "overhead.critical_model_size": row["critical_model_size"]}


def expected_for_budget_or_loss(law: str, mode: str, value: str, k: str, t: str) -> tuple[dict, set[str]]:
    given = ["--compute", value] if mode == "compute" else ["--loss", value]
    la = law_args(law)
    expected: dict[str, object] = {}
    plan = cli_row("plan", *given, *la)
    keys = ("C", "N_opt", "D_opt", "tokens_per_parameter", "loss")
    if plan is None:
        expected["plan.C"] = None
    else:
        expected.update({f"plan.{key}": plan[key] for key in keys})
        shrunk = cli_row("plan", *given, "--kn", k, *la)
        if shrunk is None:
            expected["shrunk.N"] = None
        else:
            expected.update({f"shrunk.{key}": shrunk[key] for key in ("N", "D", "k_D", "compute", "overhead")})
        if t:
            inf = cli_row("plan", *given, "--inference-tokens", t, *la)
            assert inf is not None
            expected.update({f"inference.{key}": inf[key] for key in
                             ("N", "D", "k_N", "training_flops", "total_flops", "chinchilla_total_flops", "saving")})
    over = cli_row("overhead", "--kn", k, *la)
    if over is None:
        expected["overhead.k_D"] = None
    else:
        expected.update({"overhead.k_D": over["k_D"], "overhead.overhead": over["overhead"]})
    expected.update(curve_constants(law))
    commands = [["plan", *given, *la], ["plan", *given, "--kn", k, *la]]
    if t:
        commands.append(["plan", *given, "--inference-tokens", t, *la])
    return expected, cli_warned(*commands)


BUDGETS = ["1e20", "5.76e23", "1e26"]
LOSSES = ["1.8", "2.0", "2.5"]
MODELS = [("6.9B", "1T"), ("8B", "15T"), ("175B", "300B"), ("1.1B", "236B"), ("70B", "1.4T")]


@pytest.mark.parametrize("law", LAWS)
def test_budget_and_loss_questions_match_the_command_line(calc, law):
    problems, states = [], 0
    for mode, values, ks, ts in (("compute", BUDGETS, ["0.12", "0.5", "2"], ["", "1e13"]),
                                 ("loss", LOSSES, ["0.3", "0.75"], ["", "1e12"])):
        for value in values:
            for k in ks:
                for t in ts:
                    got = calc.ask(law, mode, **{mode: value}, kn=k, inference=t)
                    where = f"{law} {mode}={value} k_N={k} T={t or '-'}"
                    assert got["state"] == "ok", f"{where}: {got['error']}"
                    expected, warned = expected_for_budget_or_loss(law, mode, value, k, t)
                    problems += check(got, expected, where)
                    shown = {w.split(" ")[1] for w in got["warnings"]}  # "warning: N = ..."
                    if shown != warned:
                        problems.append(f"{where}: warnings about {sorted(shown)}, the command line {sorted(warned)}")
                    if expected.get("overhead.k_D") is not None:  # the curve's point is the chosen k_N
                        assert float(got["point"]["k"]) == float(k), where
                        assert got["point"]["overhead"] == got["values"]["overhead.overhead"], where
                    else:
                        assert got["point"] is None, where
                    states += 1
    assert not problems, f"{len(problems)} mismatches in {states} states:\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("law", LAWS)
def test_model_questions_match_the_command_line(calc, law):
    problems = []
    for n, d in MODELS:
        got = calc.ask(law, "model", params=n, tokens=d)
        where = f"{law} N={n} D={d}"
        assert got["state"] == "ok", f"{where}: {got['error']}"
        code, data = cli_json("shrink", "--params", n, "--tokens", d, *law_args(law))
        assert code == 0
        (row,) = data["rows"]
        expected: dict[str, object] = {f"shrink.{key}": row[key] for key in
                                       ("compute", "loss", "N_opt", "D_opt", "k_N", "k_D", "overhead")}
        expected["shrink.beyond_critical"] = "" if row["beyond_critical"] is None else row["beyond_critical"]
        expected.update({"overhead.k_D": row["k_D"], "overhead.overhead": row["overhead"], **curve_constants(law)})
        expected["same.k_N"] = row["k_N_same_budget"]
        if row["same_budget"] is None:
            expected["same.N_opt"] = None
        else:
            expected.update({f"same.{key}": row["same_budget"][key] for key in ("N_opt", "D", "k_D", "overhead")})
        problems += check(got, expected, where)
        shown = {w.split(" ")[1] for w in got["warnings"]}
        if shown != {w.split(" ")[0] for w in data["warnings"]}:
            problems.append(f"{where}: warnings {sorted(shown)} against {data['warnings']}")
        assert got["point"] == {"k": got["values"]["shrink.k_N"], "overhead": got["values"]["shrink.overhead"]}
    assert not problems, "\n".join(problems)


def test_unreachable_answers_say_so(calc):
    got = calc.ask("replicated", "loss", loss="1.8", kn="0.5", inference="")
    assert got["state"] == "ok" and got["values"]["plan.C"] == "unreachable"
    text = calc.page.locator('[data-section="plan"] .sc-note').text_content()
    assert "irreducible loss E = 1.8172" in text
    got = calc.ask("replicated", "compute", compute="1e24", kn="0.12", inference="")
    assert got["values"]["shrunk.N"] == "unreachable" and got["values"]["overhead.k_D"] == "unreachable"
    assert got["point"] is None


@pytest.mark.parametrize("field, value, message", [
    ("compute", "abc", "not a number"), ("compute", "7e9B", "an exponent and a suffix"), ("compute", "-1", "positive"),
    ("compute", "", "give a number"), ("kn", "0.5K", "unknown suffix"), ("kn", "0", "positive"),
])
def test_bad_input_is_refused_beside_its_field(calc, field, value, message):
    calc.ask("devries", "compute", compute="1e24", kn="0.5", inference="")
    calc.page.fill(f"#sc-{field}", value)
    got = calc.page.evaluate(READ_JS)
    assert got["state"] == "input" and message in got["error"] and got["values"] == {}
    assert calc.page.get_attribute(f"#sc-{field}", "aria-invalid") == "true"
    assert message in calc.page.text_content(f"#sc-{field}-msg")
    # the command line refuses it too
    code, data = cli_json("plan", "--compute", "1e24" if field != "compute" else value,
                          *(["--kn", value] if field == "kn" else []), "--law", "devries")
    assert code == 2
    calc.page.fill(f"#sc-{field}", "1e24" if field == "compute" else "0.5")
    assert calc.page.evaluate(READ_JS)["state"] == "ok"
    assert calc.page.get_attribute(f"#sc-{field}", "aria-invalid") is None


def test_custom_law_is_checked(calc):
    calc.ask("custom", "compute", compute="1e24", kn="0.5", inference="")
    calc.page.fill("#sc-alpha", "0")
    got = calc.page.evaluate(READ_JS)
    assert got["state"] == "input" and "alpha" in got["error"]
    calc.page.fill("#sc-alpha", CUSTOM["alpha"])
    assert calc.page.evaluate(READ_JS)["state"] == "ok"


def test_the_curve_is_drawn_with_the_chosen_point(calc):
    calc.ask("devries", "compute", compute="1e24", kn="0.5", inference="")
    path = calc.page.get_attribute("svg.sc-curve path.sc-line", "d")
    assert path.startswith("M") and path.count("L") > 100
    got = calc.ask("devries", "compute", compute="1e24", kn="0.75", inference="")
    assert got["point"]["k"] == "0.75"
    got = calc.ask("devries", "model", params="6.9B", tokens="1T")
    same = calc.page.locator("circle.sc-point-same")
    assert same.count() == 1 and same.get_attribute("data-k") == got["values"]["same.k_N"]


def test_nothing_from_the_network_and_no_errors(calc):
    calc.ask("devries", "compute", compute="1e24", kn="0.5", inference="")
    assert calc.external == [], calc.external
    assert calc.errors == [], calc.errors


def test_the_page_works_on_a_phone(calc):
    page = calc.page
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        for law, mode, inputs in (("devries", "compute", {"compute": "1e24", "kn": "0.5", "inference": "1e13"}),
                                  ("custom", "loss", {"loss": "2.5", "kn": "0.3", "inference": ""}),
                                  ("replicated", "model", {"params": "8B", "tokens": "15T"})):
            calc.ask(law, mode, **inputs)
            page.wait_for_timeout(100)  # the curve redraws at the new width
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{law} {mode}: the page scrolls {overflow} px sideways at 390 px"
            boxes = page.evaluate("""() => Array.from(document.querySelectorAll(
                '#scaling-calculator input, #scaling-calculator select')).filter(e => e.offsetParent !== null)
                .map(e => { const r = e.getBoundingClientRect(); return {id: e.id || e.value, type: e.type, left: r.left,
                  right: r.right, width: r.width, height: r.height, font: parseFloat(getComputedStyle(e).fontSize)}; })""")
            assert boxes
            for b in boxes:
                assert b["left"] >= 0 and b["right"] <= 390, b
                if b["type"] in ("text", "select-one"):
                    assert b["width"] >= 200 and b["height"] >= 40 and b["font"] >= 16, b  # no zoom on focus
                else:
                    assert b["width"] >= 16 and b["height"] >= 16, b  # radio buttons, inside a 44 px label
            svg = page.evaluate("(() => { const r = document.querySelector('svg.sc-curve').getBoundingClientRect();"
                                " return {left: r.left, right: r.right, width: r.width}; })()")
            assert svg["left"] >= 0 and svg["right"] <= 390 and svg["width"] >= 300, svg
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
