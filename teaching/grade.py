"""Grade a submission of the graded assignment (book/assignment.md): its numbers, within tolerances.

    python teaching/grade.py submission.json
    python teaching/grade.py submission.json --key teaching/assignment/answer_key.json --json

A submission is the JSON file the assignment page describes (``data/assignment/submission_template.json``)::

    {"name": "...",
     "approach2": {"a": ..., "N_opt": ..., "D_opt": ...},
     "approach3": {"E": ..., "alpha": ..., "beta": ..., "N_opt": ..., "D_opt": ..., "loss": ...},
     "heldout": {"H1": ..., "H2": ..., "H3": ..., "H4": ...}}

Each answer within its tolerance of the key's reference earns its points; a missing or ``null``
answer earns none. The key (``teaching/make_answer_key.py``) holds the references, tolerances
and points; the rubric's points (figures, code, the argument) are the teacher's to give
(``teaching/assignment/rubric.md``). Exit status 0 when the submission was graded, 2 when it
could not be (not JSON, misnamed answers, answers that are not finite numbers): the message
lists every problem, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEY = ROOT / "teaching" / "assignment" / "answer_key.json"
SECTIONS = ("approach2", "approach3", "heldout")


class SubmissionError(ValueError):
    """A submission that cannot be graded; the message lists every problem."""


class KeyError_(ValueError):
    """An answer key that cannot be used."""


@dataclass(frozen=True)
class Result:
    question: str
    what: str
    points: int
    earned: int
    answer: float | None
    reference: float
    low: float
    high: float

    @property
    def status(self) -> str:
        return "no answer" if self.answer is None else ("right" if self.earned else "outside tolerance")


def load_key(path: str | Path = KEY) -> dict:
    path = Path(path)
    try:
        key = json.loads(path.read_text(encoding="utf-8"))
        questions = key["questions"]
        for name, q in questions.items():
            float(q["reference"]), int(q["points"])
            tol = q["tolerance"]
            if not (set(tol) <= {"absolute", "relative_log"} and len(tol) == 1 and float(next(iter(tol.values()))) > 0):
                raise ValueError(f"{name}: tolerance must be one positive 'absolute' or 'relative_log'")
    except OSError as err:
        raise KeyError_(f"cannot read the answer key {path} ({err.strerror}); make it with "
                        "`python teaching/make_answer_key.py`") from None
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise KeyError_(f"the answer key {path} is not usable ({type(err).__name__}: {err}); "
                        "remake it with `python teaching/make_answer_key.py`") from None
    return key


def accepted(q: dict) -> tuple[float, float]:
    ref, tol = float(q["reference"]), q["tolerance"]
    if "relative_log" in tol:
        f = math.exp(float(tol["relative_log"]))
        return ref / f, ref * f
    return ref - float(tol["absolute"]), ref + float(tol["absolute"])


def read_submission(path: str | Path, key: dict) -> dict[str, float | None]:
    """The submission's answers by question (``None`` where missing); raises :class:`SubmissionError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise SubmissionError(f"cannot read {path} ({err.strerror})") from None
    except UnicodeDecodeError:
        raise SubmissionError(f"{path} is not a text file (UTF-8 JSON expected)") from None

    def no_constants(name: str) -> float:
        raise SubmissionError(f"{path}: {name} is not a number JSON allows; give a finite number or null")

    try:
        data = json.loads(text, parse_constant=no_constants)
    except json.JSONDecodeError as err:
        raise SubmissionError(f"{path} is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}") from None
    if not isinstance(data, dict):
        raise SubmissionError(f"{path}: a submission is a JSON object with the sections {', '.join(SECTIONS)}")
    wanted: dict[str, set[str]] = {}
    for name in key["questions"]:
        section, _, item = name.partition(".")
        wanted.setdefault(section, set()).add(item)
    problems, answers = [], {}
    for section in data:
        if section not in SECTIONS and section != "name":
            problems.append(f"unknown section {section!r} (the sections are {', '.join(SECTIONS)})")
    if "name" in data and not isinstance(data["name"], (str, type(None))):
        problems.append("name must be a string")
    for section in SECTIONS:
        block = data.get(section)
        if block is None:
            continue
        if not isinstance(block, dict):
            problems.append(f"{section} must be an object of answers, got {type(block).__name__}")
            continue
        for item, value in block.items():
            if item not in wanted.get(section, set()):
                def norm(x: str) -> str:
                    return x.lower().replace("_", "").replace("-", "").replace(" ", "")

                hint = [w for w in sorted(wanted.get(section, set())) if norm(w) == norm(item)]
                problems.append(f"{section}.{item} is not a question" + (f" (did you mean {section}.{hint[0]}?)" if hint
                                else f"; {section} has {', '.join(sorted(wanted.get(section, set())))}"))
                continue
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                problems.append(f"{section}.{item} must be a number (or null), got {json.dumps(value)}")
            elif not math.isfinite(value):
                problems.append(f"{section}.{item} must be finite, got {value}")
            else:
                answers[f"{section}.{item}"] = float(value)
    if problems:
        raise SubmissionError(f"{path} cannot be graded:\n  - " + "\n  - ".join(problems))
    return {name: answers.get(name) for name in key["questions"]}


def grade(answers: dict[str, float | None], key: dict) -> list[Result]:
    results = []
    for name, q in key["questions"].items():
        low, high = accepted(q)
        value = answers.get(name)
        ok = value is not None and low <= value <= high
        results.append(Result(name, q.get("what", name), int(q["points"]), int(q["points"]) if ok else 0, value,
                              float(q["reference"]), low, high))
    return results


def report(results: list[Result], key: dict, name: str | None = None) -> str:
    def num(x: float | None) -> str:
        return "-" if x is None else f"{x:.5g}"

    lines = [f"Submission: {name}" if name else "Submission", "",
             f"{'question':<17} {'answer':>12} {'accepted':>25} {'points':>7}  status",
             f"{'-' * 17} {'-' * 12} {'-' * 25} {'-' * 7}  {'-' * 17}"]
    for r in results:
        lines.append(f"{r.question:<17} {num(r.answer):>12} {num(r.low) + ' to ' + num(r.high):>25} "
                     f"{r.earned:>3} / {r.points:<2} {r.status}")
    earned, total = sum(r.earned for r in results), sum(r.points for r in results)
    lines += ["", f"Score: {earned} / {total} points for the numbers",
              f"(plus up to {key.get('rubric_points', 0)} points for the figures, the code and the argument, "
              "graded with teaching/assignment/rubric.md)"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python teaching/grade.py", description=__doc__.split("\n")[0])
    parser.add_argument("submission", type=Path, help="the student's submission (JSON)")
    parser.add_argument("--key", type=Path, default=KEY, help="the answer key (default teaching/assignment/answer_key.json)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    try:
        key = load_key(args.key)
        answers = read_submission(args.submission, key)
    except (SubmissionError, KeyError_) as err:
        print(f"grade: error: {err}", file=sys.stderr)
        return 2
    results = grade(answers, key)
    name = None
    try:
        name = json.loads(args.submission.read_text(encoding="utf-8")).get("name")
    except (OSError, ValueError, AttributeError):
        pass
    if args.json:
        print(json.dumps({"name": name, "score": sum(r.earned for r in results), "out_of": sum(r.points for r in results),
                          "rubric_points": key.get("rubric_points", 0),
                          "questions": [r.__dict__ | {"status": r.status} for r in results]}, indent=1))
    else:
        print(report(results, key, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
