"""The course's mechanisms in the built site: the self-check quiz works in the browser with the
network cut, and every chapter offers its student notebook beside the full one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))

import quiz as quiz_ext  # noqa: E402
import student_notebooks as sn  # noqa: E402

QUIZ_PAGES = {"book/devries/quiz.html": ROOT / "book" / "devries" / "quiz.yml"}


@pytest.fixture()
def offline_page(browser, base_url):
    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base_url) else r.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page, errors
    context.close()


def _question(page, qid: str):
    return page.locator(f"li.quiz-question#{qid}")


@pytest.mark.parametrize("path", sorted(QUIZ_PAGES))
def test_quiz_answers_are_hidden_until_asked_and_checked_with_feedback(offline_page, base_url, path):
    page, errors = offline_page
    quiz = quiz_ext.load_quiz(QUIZ_PAGES[path])
    page.goto(base_url + path)
    assert page.locator("li.quiz-question").count() == len(quiz.questions)
    # nothing is revealed before the reader asks
    for q in quiz.questions:
        item = _question(page, q.id)
        assert not item.locator("details.quiz-answer").evaluate("d => d.open")
        assert not item.locator(".quiz-explanation").is_visible()
        assert item.locator(".quiz-why:visible").count() == 0

    choice = next(q for q in quiz.questions if q.type == "choice")
    item = _question(page, choice.id)
    right = next(i for i, o in enumerate(choice.options) if o.correct)
    wrong = next(i for i, o in enumerate(choice.options) if not o.correct)
    # a wrong option: wrong-answer feedback, that option's "why", and the answer still hidden
    item.locator(f"input[type=radio][value='{wrong}']").check()
    item.locator("button.quiz-check").click()
    assert item.locator(".quiz-feedback").inner_text().startswith("Not quite")
    assert "quiz-wrong" in item.get_attribute("class")
    why = item.locator(f".quiz-why[data-option='{wrong}']")
    assert why.is_visible() and why.inner_text().strip()
    assert not item.locator(".quiz-explanation").is_visible()
    # the right option: "Correct." and the explanation opens
    item.locator(f"input[type=radio][value='{right}']").check()
    item.locator("button.quiz-check").click()
    assert item.locator(".quiz-feedback").inner_text() == "Correct."
    assert "quiz-correct" in item.get_attribute("class")
    assert item.locator(".quiz-explanation").is_visible()
    assert not item.locator(f".quiz-why[data-option='{wrong}']").is_visible()

    numeric = next(q for q in quiz.questions if q.type == "numeric")
    item = _question(page, numeric.id)
    box = item.locator(".quiz-number input")
    lo, hi = numeric.accepted_range
    for typed, expected in ((f"{hi + (hi - lo):.6g}", "Not quite: too high."),
                            (f"{lo - (hi - lo):.6g}", "Not quite: too low."),
                            ("twenty", "Enter a number"),
                            (f"{numeric.answer:.6g}", "Correct.")):
        box.fill(typed)
        box.press("Enter")
        assert item.locator(".quiz-feedback").inner_text().startswith(expected), typed
    assert item.locator(".quiz-explanation").is_visible()
    # asking for an answer without answering shows it
    other = next(q for q in quiz.questions if q.id not in (choice.id, numeric.id))
    item = _question(page, other.id)
    item.locator("details.quiz-answer > summary").click()
    assert item.locator(".quiz-explanation").is_visible()
    assert not errors, errors


def test_every_chapter_offers_its_student_notebook_beside_the_full_one(crawl, site, base_url):
    notebooks = sorted(p.relative_to(site / "_sources").with_suffix("").as_posix()
                       for p in (site / "_sources").rglob("*.ipynb"))
    assert notebooks
    problems = []
    for doc in notebooks:
        report = crawl[doc + ".html"]
        student = base_url + f"{sn.STATIC_DIR}/{doc}.ipynb"
        if student not in report.links:
            problems.append(f"{doc}: no link to {student}")
        path = site / sn.STATIC_DIR / f"{doc}.ipynb"
        if not path.is_file():
            problems.append(f"{doc}: no {path.relative_to(site)}")
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        original = json.loads((ROOT / f"{doc}.ipynb").read_text(encoding="utf-8"))
        problems += sn.solution_leaks(original, nb, doc)
        if nb.get("metadata", {}).get("kernelspec", {}).get("name") != "python3":
            problems.append(f"{doc}: the student notebook has no python3 kernelspec")
    assert not problems, "\n".join(problems)
