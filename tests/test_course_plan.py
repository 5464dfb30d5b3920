"""The syllabus as a course plan (_ext/course_plan.py, book/syllabus.yml): every chapter in
exactly one session, every objective of a chapter matched to its Overview, reading balanced,
and the times added up from the chapters' own estimates."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

import course_plan  # noqa: E402

BOOK = ROOT / "book"


def test_the_plan_is_sound() -> None:
    assert course_plan.check_plan(BOOK) == []


def test_every_session_has_an_outline_and_its_figures_exist() -> None:
    labels = set()
    for nb in BOOK.rglob("*.ipynb"):
        text = nb.read_text(encoding="utf-8")
        labels |= {part.split('"')[0] for part in text.split('name": "')[1:]}
        labels |= {part.split("\\n")[0].strip() for part in text.split(":name: ")[1:]}
    for s in course_plan.load_plan(BOOK):
        assert 3 <= len(s.points) <= 5, s.title
        for fig in s.figures:
            assert fig in labels, f"session {s.number}: no figure named {fig}"


def test_times_add_up_from_the_chapters() -> None:
    sessions = course_plan.load_plan(BOOK)
    for part in ("kaplan", "chinchilla", "devries"):
        read, ex, known, total = course_plan.part_time(BOOK, part)
        in_sessions = [c for s in sessions for c in s.chapters if c.page.startswith(part + "/")]
        assert len(in_sessions) == total
        assert read == sum(c.read or 0 for c in in_sessions)
        assert ex == sum(c.exercises or 0 for c in in_sessions)


def _write_nb(path: Path, course: dict | None, bullets: list[str]) -> None:
    md = "# A chapter\n\n## Overview\n\n**You will learn to**\n" + "".join(f"- {b}\n" for b in bullets)
    meta = {"course": course} if course is not None else {}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": md}],
                                "metadata": meta, "nbformat": 4, "nbformat_minor": 5}))


def test_check_plan_finds_each_fault(tmp_path: Path) -> None:
    book = tmp_path / "book"
    _write_nb(book / "p" / "01_a.ipynb", {"minutes": {"read": 50, "exercises": 20},
                                          "objectives": ["p-one", "p-two"]}, ["do one;", "do two."])
    _write_nb(book / "p" / "02_b.ipynb", {"minutes": {"read": 200, "exercises": 20},
                                          "objectives": ["p-one"]}, ["x", "y"])
    _write_nb(book / "p" / "03_c.ipynb", None, [])
    (book / "syllabus.yml").write_text(
        "sessions:\n"
        "  - {title: A, chapters: [p/01_a, p/03_c], lecture: {points: [a, b, c]}}\n"
        "  - {title: B, chapters: [p/02_b, p/01_a]}\n")
    problems = "\n".join(course_plan.check_plan(book))
    assert "p/01_a is in sessions 1 and 2" in problems
    assert "p/03_c has no metadata.course" in problems
    assert "p/02_b: 1 objective ids but 2" in problems
    assert "objective p-one is in" in problems
    assert "session 2 (B) has no lecture points" in problems
    assert "outside 40-120" in problems
    assert "reading is unbalanced" in problems
    (book / "syllabus.yml").write_text("sessions:\n  - {title: A, chapters: [p/01_a], lecture: {points: [a]}}\n")
    assert "p/02_b is in no session" in "\n".join(course_plan.check_plan(book))


def test_a_sound_plan_and_its_times(tmp_path: Path) -> None:
    book = tmp_path / "book"
    _write_nb(book / "p" / "01_a.ipynb", {"minutes": {"read": 50, "exercises": 25},
                                          "objectives": ["p-one"]}, ["do one,\n  over two lines."])
    (book / "syllabus.yml").write_text("sessions:\n  - {title: A, chapters: [p/01_a], lecture: {points: [a]}}\n")
    assert course_plan.check_plan(book) == []
    [s] = course_plan.load_plan(book)
    assert s.chapters[0].objectives == (("p-one", "do one, over two lines."),)
    assert course_plan.part_time_text(book, "p") == ("about 50 min of reading and 25 min of exercises "
                                                     "(1 h 15 min in all)")


@pytest.mark.parametrize("minutes, text", [(45, "45 min"), (60, "1 h"), (130, "2 h 10 min")])
def test_duration(minutes: int, text: str) -> None:
    assert course_plan.duration(minutes) == text


def test_a_missing_page_or_bad_metadata_is_a_clear_error(tmp_path: Path) -> None:
    book = tmp_path / "book"
    book.mkdir()
    with pytest.raises(course_plan.CoursePlanError, match="no page book/p/x"):
        course_plan.load_chapter(book, "p/x")
    _write_nb(book / "p" / "01_a.ipynb", {"minutes": {"read": "lots"}}, [])
    with pytest.raises(course_plan.CoursePlanError, match="metadata.course needs"):
        course_plan.load_chapter(book, "p/01_a")
