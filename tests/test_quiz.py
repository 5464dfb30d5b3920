"""The self-check quizzes (``_ext/quiz.py``): every quiz file of the book loads, its numbers come
from the package, and a malformed file is a clear error. (The browser test answers one question.)"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

import quiz as quiz_ext  # noqa: E402

QUIZZES = sorted((ROOT / "book").rglob("quiz.yml"))


def test_there_is_a_quiz_and_each_has_a_page_in_the_toc():
    assert QUIZZES, "no book/<part>/quiz.yml"
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    for path in QUIZZES:
        page = path.with_suffix(".md")
        assert page.is_file(), f"no page {page.relative_to(ROOT)} for {path.relative_to(ROOT)}"
        assert "{quiz} quiz.yml" in page.read_text(encoding="utf-8")
        assert page.relative_to(ROOT).with_suffix("").as_posix() in toc


@pytest.mark.parametrize("path", QUIZZES, ids=[p.parent.name for p in QUIZZES])
def test_quiz_loads_with_eight_to_ten_questions_of_both_kinds(path):
    quiz = quiz_ext.load_quiz(path)
    assert 8 <= len(quiz.questions) <= 10, f"{len(quiz.questions)} questions"
    assert quiz.counts["choice"] >= 3 and quiz.counts["numeric"] >= 3, quiz.counts
    for q in quiz.questions:
        assert q.explanation and "[[" not in q.prompt + q.explanation
        if q.type == "numeric":
            lo, hi = q.accepted_range
            assert q.accepts(q.answer) and not q.accepts(hi + (hi - lo)) and not q.accepts(lo - (hi - lo))
            # the tolerance is a check, not a giveaway: no more than a tenth of the answer
            assert hi - q.answer <= 0.1 * abs(q.answer), q.id
        else:
            assert sum(o.correct for o in q.options) == 1 and all(o.why for o in q.options)


def test_part3_answers_are_the_packages_numbers():
    """Recompute a few answers directly: the quiz shows what `scaling` computes, not typed values."""
    from scaling import devries
    from scaling.published import DEVRIES2023, MODELS

    quiz = quiz_ext.load_quiz(ROOT / "book" / "devries" / "quiz.yml")
    by_id = {q.id: q for q in quiz.questions}
    llama = MODELS["LLaMA-7B"]
    assert by_id["devries-q-half"].answer == pytest.approx(100 * devries.compute_overhead(0.5, DEVRIES2023), rel=1e-12)
    assert by_id["devries-q-critical"].answer == pytest.approx(100 * devries.critical_model_size(DEVRIES2023))
    assert by_id["devries-q-llama"].answer == pytest.approx(
        100 * devries.shrink(llama.params, llama.tokens, DEVRIES2023).overhead)
    # and the published figures the text refers to ("about 20 %", "about 30 %", "about 12 %")
    assert by_id["devries-q-half"].accepts(20.8) and by_id["devries-q-critical"].accepts(30.5)


def test_options_are_shuffled_the_same_way_every_time():
    path = ROOT / "book" / "devries" / "quiz.yml"
    first = [[o.text for o in q.options] for q in quiz_ext.load_quiz(path).questions]
    assert first == [[o.text for o in q.options] for q in quiz_ext.load_quiz(path).questions]
    positions = [next(i for i, o in enumerate(q.options) if o.correct)
                 for q in quiz_ext.load_quiz(path).questions if q.type == "choice"]
    assert len(set(positions)) > 1, "the right answer is always in the same place"


def test_plain_markdown_puts_answers_under_their_own_heading():
    quiz = quiz_ext.load_quiz(ROOT / "book" / "devries" / "quiz.yml")
    text = quiz_ext.quiz_markdown(quiz, "Part III")
    questions, answers = text.split("\n## Answers\n")
    # the answers and their explanations come after the heading, and only there
    assert "accepted:" not in questions and answers.count("accepted:") == quiz.counts["numeric"]
    assert all(quiz_ext._plain(q.explanation) in answers for q in quiz.questions)
    assert "{doc}" not in text and "[[" not in text
    assert questions.count("**") == 2 * len(quiz.questions)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "quiz.yml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_Q = "- id: q\n  type: numeric\n  prompt: P\n  answer: 1 + 1\n  tolerance: 0.1\n  explanation: E\n"


@pytest.mark.parametrize("text, message", [
    ("questions: [", "not valid YAML"),
    ("questions: []", "non-empty list"),
    ("questions:\n" + GOOD_Q.replace("type: numeric", "type: essay"), "choice or numeric"),
    ("questions:\n- id: q\n  type: numeric\n  prompt: P\n  answer: nothing_here\n  tolerance: 1\n  explanation: E\n",
     "NameError"),
    ("questions:\n- id: q\n  type: numeric\n  prompt: P\n  answer: float('nan')\n  tolerance: 1\n  explanation: E\n",
     "must be finite"),
    ("questions:\n- id: q\n  type: numeric\n  prompt: P\n  answer: 2\n  explanation: E\n", "tolerance"),
    ("questions:\n- id: q\n  type: numeric\n  prompt: P [[x:.2f]]\n  answer: 2\n  tolerance: 1\n  explanation: E\n",
     r"\[\[x\]\] names no value"),
    ("questions:\n- id: q\n  type: choice\n  prompt: P\n  explanation: E\n  options:\n"
     "  - {text: a, why: w}\n  - {text: b, why: w}\n", "exactly one option"),
    ("questions:\n- id: Q 1\n  type: choice\n  prompt: P\n  explanation: E\n", "`id`"),
    ("questions:\n- id: q\n  type: numeric\n  prompt: P\n  answer: 2\n  tolerance: 1\n  explanation: E\n  hint: h\n",
     "unknown keys"),
    ("setup: import nonexistent_module_xyz\nquestions:\n" + GOOD_Q, "setup failed"),
])
def test_a_malformed_quiz_is_a_clear_error(tmp_path, text, message):
    with pytest.raises(quiz_ext.QuizError, match=message):
        quiz_ext.load_quiz(_write(tmp_path, text))


def test_command_line_prints_markdown_or_an_error(tmp_path, capsys):
    assert quiz_ext.main([str(ROOT / "book" / "devries" / "quiz.yml")]) == 0
    assert "## Answers" in capsys.readouterr().out
    assert quiz_ext.main([str(tmp_path / "missing.yml")]) == 2
    err = capsys.readouterr().err
    assert "cannot read the quiz file" in err and "Traceback" not in err


def test_part1_answers_are_the_packages_numbers():
    """Part I's quiz: a few answers recomputed from the paper's formulas, independently of the quiz."""
    from scaling.published import KAPLAN2020 as K, KAPLAN2020_NS as NS

    quiz = quiz_ext.load_quiz(ROOT / "book" / "kaplan" / "quiz.yml")
    by_id = {q.id: q for q in quiz.questions}
    assert by_id["kaplan-q-doubling"].answer == pytest.approx(100 * (1 - 2 ** -K.alpha_N), rel=1e-12)
    assert by_id["kaplan-q-bcrit"].answer == pytest.approx(K.B_star / 2.5 ** (1 / K.alpha_B) / 1e6, rel=1e-12)
    a_c = 1 / (1 / NS.alpha_S + 1 / K.alpha_B + 1 / NS.alpha_N)
    assert by_id["kaplan-q-allocation"].answer == pytest.approx(a_c / NS.alpha_N, rel=1e-12)
    x = 0.5
    excess = x * (1 + NS.alpha_S / NS.alpha_N * (1 - x ** -NS.alpha_N)) ** (-1 / NS.alpha_S) - 1
    assert by_id["kaplan-q-half-size"].answer == pytest.approx(100 * excess, rel=1e-12)
    # the paper's own figure: the crossing near 1e4 PF-days
    assert abs(by_id["kaplan-q-breakdown-compute"].answer - 4) < 1


def test_part4_answers_are_the_shipped_runs_numbers():
    """Part IV's answers, recomputed from the shipped sweep with pandas alone (no lab_analysis)."""
    import csv

    import numpy as np

    rows = list(csv.DictReader((ROOT / "data" / "lab" / "sweep.csv").open(encoding="utf-8")))
    quiz = quiz_ext.load_quiz(ROOT / "book" / "lab" / "quiz.yml")
    by_id = {q.id: q for q in quiz.questions}
    groups: dict[tuple[str, str], list[float]] = {}
    for r in rows:
        groups.setdefault((r["budget"], r["d_model"]), []).append(float(r["val_loss"]))
    seeded = [np.asarray(v) for v in groups.values() if len(v) >= 2]
    pooled = np.sqrt(sum((len(v) - 1) * v.var(ddof=1) for v in seeded) / sum(len(v) - 1 for v in seeded))
    assert by_id["lab-q-sigma"].answer == pytest.approx(pooled, rel=1e-12)
    assert by_id["lab-q-embedding"].answer == pytest.approx(100 * max(float(r["embedding_share"]) for r in rows))
    assert by_id["lab-q-context"].answer == pytest.approx(100 * max(float(r["context_fraction"]) for r in rows))
    # the frontier: a straight line through (log C, log L) of each budget's best seed-0 run
    best: dict[str, tuple[float, float]] = {}
    for r in rows:
        if r["seed"] == "0" and (r["budget"] not in best or float(r["val_loss"]) < best[r["budget"]][1]):
            best[r["budget"]] = (float(r["C"]), float(r["val_loss"]))
    C, L = np.array(list(best.values())).T
    assert by_id["lab-q-frontier"].answer == pytest.approx(-np.polyfit(np.log(C), np.log(L), 1)[0], rel=1e-6)
