"""Self-check quizzes: a ``{quiz}`` directive that renders questions from a YAML file.

A part's quiz lives in ``book/<part>/quiz.yml`` and is shown by a page with::

    ```{quiz} quiz.yml
    ```

The YAML file (every key but ``questions`` is optional)::

    setup: |                        # Python run once, at build time, before the values
      from scaling import devries, published
      law = published.DEVRIES2023
    values:                         # name: expression, evaluated in order (later ones may use earlier)
      half: devries.compute_overhead(0.5, law)
    questions:
      - id: devries-q-half          # unique on the page; becomes the question's HTML id
        type: numeric               # or: choice
        prompt: |                   # MyST Markdown (math, roles); [[name:fmt]] inserts a value
          How much extra compute does a model at half the optimal size need (per cent)?
        answer: 100 * half          # a value's name or an expression (numeric questions)
        tolerance: 1                # absolute, in the answer's unit; or "2%" for relative
        unit: "%"
        explanation: |              # shown with the answer, and after a right answer
          $k_N k_D - 1$ = [[half:.1%]] ...
      - id: devries-q-budget
        type: choice
        prompt: Which of these does the data factor depend on?
        options:                    # exactly one has correct: true
          - text: Only the exponents $\\alpha$ and $\\beta$.
            correct: true
            why: The ratio of the two terms at the optimum is $\\beta/\\alpha$ at every budget.
          - text: The budget.
            why: Shown as feedback when this option is chosen.
        shuffle: true               # the default: options in an order fixed by the id (false: as written)
        explanation: ...

Numbers are never typed into a quiz: an answer, and any number in a prompt, option or
explanation, is a value computed from the ``scaling`` package when the book is built (the
expressions see ``np``, ``math`` and the package's modules ``chinchilla``, ``devries``,
``fitting``, ``kaplan``, ``laws``, ``published``, ``units``), so they cannot drift from the
code. ``[[name]]`` inserts a value with ``str``; ``[[name:.1%]]`` with a format spec.

On the page each question has a *Check* button and feedback (an option's ``why`` for a wrong
choice, "too high"/"too low" for a number off by more than its tolerance), and the answer with
its explanation sits in a ``<details>`` element, hidden until the reader opens it: without
JavaScript the quiz still reads as questions with hidden answers. The behaviour is
``_static/quiz.js`` and the look ``_static/course.css``, both local: nothing is fetched.

``python _ext/quiz.py book/devries/quiz.yml`` prints the quiz as plain Markdown, questions
first and answers under their own heading (``make exercises`` writes it beside the student
notebooks, for plain Jupyter or paper).
"""

from __future__ import annotations

import html
import json
import math
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["QuizError", "Option", "Question", "Quiz", "load_quiz", "quiz_markdown", "setup"]

_PLACEHOLDER = re.compile(r"\[\[\s*([A-Za-z_]\w*)\s*(?::([^\]]*))?\]\]")
_QUESTION_KEYS = {"id", "type", "prompt", "options", "shuffle", "answer", "tolerance", "unit", "explanation"}
_OPTION_KEYS = {"text", "correct", "why"}


class QuizError(ValueError):
    """A quiz file that cannot be rendered: the message names the file, the question and the key."""


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    why: str


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: str
    explanation: str
    options: tuple[Option, ...] = ()
    answer: float | None = None
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    unit: str = ""

    def accepts(self, value: float) -> bool:
        """Whether a numeric answer is within the tolerance (what the page's script does)."""
        if self.answer is None:
            raise QuizError(f"{self.id}: not a numeric question")
        return abs(value - self.answer) <= max(self.abs_tol, self.rel_tol * abs(self.answer))

    @property
    def accepted_range(self) -> tuple[float, float]:
        assert self.answer is not None
        width = max(self.abs_tol, self.rel_tol * abs(self.answer))
        return self.answer - width, self.answer + width


@dataclass(frozen=True)
class Quiz:
    path: Path
    questions: tuple[Question, ...]
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {t: sum(q.type == t for q in self.questions) for t in ("choice", "numeric")}


# ------------------------------------------------------------------ loading
def _namespace() -> dict[str, Any]:
    import numpy as np

    from scaling import chinchilla, devries, fitting, kaplan, laws, published, units

    return {"np": np, "math": math, "chinchilla": chinchilla, "devries": devries, "fitting": fitting,
            "kaplan": kaplan, "laws": laws, "published": published, "units": units}


def _fill(text: Any, values: dict[str, Any], where: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise QuizError(f"{where} must be a non-empty string")

    def one(m: re.Match[str]) -> str:
        name, spec = m.group(1), m.group(2)
        if name not in values:
            raise QuizError(f"{where}: [[{name}]] names no value (the values are: {', '.join(values) or 'none'})")
        try:
            return format(values[name], spec) if spec else str(values[name])
        except (TypeError, ValueError) as err:
            raise QuizError(f"{where}: cannot format [[{m.group(0)[2:-2]}]]: {err}") from None

    return _PLACEHOLDER.sub(one, text).strip()


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        raise QuizError(f"{where} must be a number, got {value!r}")
    x = float(value)
    if not math.isfinite(x):
        raise QuizError(f"{where} must be finite, got {x}")
    return x


def _evaluate(expr: Any, env: dict[str, Any], where: str) -> Any:
    if isinstance(expr, (int, float)) and not isinstance(expr, bool):
        return expr
    if not isinstance(expr, str):
        raise QuizError(f"{where} must be an expression (a string), got {expr!r}")
    try:
        return eval(compile(expr, where, "eval"), env)  # noqa: S307 - the book's own files, at build time
    except Exception as err:  # noqa: BLE001 - any failure of the expression is the quiz's error
        raise QuizError(f"{where}: {expr!r} failed: {type(err).__name__}: {err}") from None


def load_quiz(path: str | Path) -> Quiz:
    """Read, compute and check a quiz file; raises :class:`QuizError` saying what is wrong where."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise QuizError(f"{path}: cannot read the quiz file ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise QuizError(f"{path}: not valid YAML: {err}") from None
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list) or not data["questions"]:
        raise QuizError(f"{path}: a quiz file is a mapping with a non-empty list `questions`")
    unknown = set(data) - {"setup", "values", "questions", "title"}
    if unknown:
        raise QuizError(f"{path}: unknown top-level keys {sorted(unknown)}")
    env = _namespace()
    if data.get("setup"):
        try:
            exec(compile(str(data["setup"]), f"{path}:setup", "exec"), env)  # noqa: S102 - the book's own file
        except Exception as err:  # noqa: BLE001
            raise QuizError(f"{path}: setup failed: {type(err).__name__}: {err}") from None
    values: dict[str, Any] = {}
    raw_values = data.get("values") or {}
    if not isinstance(raw_values, dict):
        raise QuizError(f"{path}: `values` must be a mapping of names to expressions")
    for name, expr in raw_values.items():
        if not re.fullmatch(r"[A-Za-z_]\w*", str(name)):
            raise QuizError(f"{path}: value name {name!r} is not an identifier")
        values[name] = env[name] = _evaluate(expr, env, f"{path}: values.{name}")

    questions, seen = [], set()
    for n, q in enumerate(data["questions"], 1):
        where = f"{path}: question {n}"
        if not isinstance(q, dict):
            raise QuizError(f"{where} must be a mapping")
        qid = q.get("id")
        if not isinstance(qid, str) or not re.fullmatch(r"[a-z][a-z0-9-]*", qid):
            raise QuizError(f"{where}: `id` must be lower-case letters, digits and hyphens, got {qid!r}")
        where = f"{path}: question {qid}"
        if qid in seen:
            raise QuizError(f"{where}: the id is used twice")
        seen.add(qid)
        unknown = set(q) - _QUESTION_KEYS
        if unknown:
            raise QuizError(f"{where}: unknown keys {sorted(unknown)}")
        kind = q.get("type")
        prompt = _fill(q.get("prompt"), values, f"{where}: prompt")
        explanation = _fill(q.get("explanation"), values, f"{where}: explanation")
        if kind == "choice":
            opts = q.get("options")
            if not isinstance(opts, list) or len(opts) < 2:
                raise QuizError(f"{where}: a choice question needs a list of at least two options")
            options = []
            for k, o in enumerate(opts, 1):
                ow = f"{where}: option {k}"
                if not isinstance(o, dict) or set(o) - _OPTION_KEYS:
                    raise QuizError(f"{ow} must be a mapping of {sorted(_OPTION_KEYS)}")
                correct = o.get("correct", False)
                if not isinstance(correct, bool):
                    raise QuizError(f"{ow}: `correct` must be true or false")
                options.append(Option(_fill(o.get("text"), values, f"{ow}: text"), correct,
                                      _fill(o.get("why"), values, f"{ow}: why")))
            if sum(o.correct for o in options) != 1:
                raise QuizError(f"{where}: exactly one option must have `correct: true`")
            shuffle = q.get("shuffle", True)
            if not isinstance(shuffle, bool):
                raise QuizError(f"{where}: `shuffle` must be true or false")
            if shuffle:  # the same order on every build and machine (seeded by the id), the right one anywhere
                random.Random(qid).shuffle(options)
            if "answer" in q or "tolerance" in q:
                raise QuizError(f"{where}: a choice question has options, not `answer` or `tolerance`")
            questions.append(Question(qid, kind, prompt, explanation, tuple(options)))
        elif kind == "numeric":
            if "options" in q:
                raise QuizError(f"{where}: a numeric question has `answer` and `tolerance`, not options")
            if "answer" not in q:
                raise QuizError(f"{where}: a numeric question needs `answer`")
            answer = _number(_evaluate(q["answer"], {**env, **values}, f"{where}: answer"), f"{where}: answer")
            tol = q.get("tolerance")
            abs_tol = rel_tol = 0.0
            if isinstance(tol, str) and tol.strip().endswith("%"):
                try:
                    rel_tol = float(tol.strip()[:-1]) / 100
                except ValueError:
                    raise QuizError(f"{where}: tolerance {tol!r} is not a percentage") from None
            elif tol is not None:
                abs_tol = _number(tol, f"{where}: tolerance")
            if not (abs_tol > 0 or rel_tol > 0) or abs_tol < 0 or rel_tol < 0 or rel_tol >= 1:
                raise QuizError(f"{where}: `tolerance` must be a positive number (absolute, in the answer's unit) "
                                "or a percentage below 100 % (relative), e.g. 0.5 or \"2%\"")
            unit = q.get("unit", "")
            if not isinstance(unit, str):
                raise QuizError(f"{where}: `unit` must be a string")
            questions.append(Question(qid, kind, prompt, explanation, answer=answer, abs_tol=abs_tol,
                                      rel_tol=rel_tol, unit=unit))
        else:
            raise QuizError(f"{where}: `type` must be choice or numeric, got {kind!r}")
    return Quiz(path, tuple(questions), values)


def format_number(x: float) -> str:
    """A number as the page shows it: four significant figures, no exponent for ordinary sizes."""
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e6:
        return f"{x:.4g}"
    return f"{x:.3e}"


# ------------------------------------------------------------------ plain Markdown
_ROLE = re.compile(r"\{(?:doc|term|ref|numref|py:\w+|cite:?\w*)\}`(?:([^`<]*?)\s*<[^`>]*>|([^`]*))`")


def _plain(text: str) -> str:
    """MyST roles as plain text: {doc}`x` -> x, {term}`name <target>` -> name (for plain Jupyter)."""
    return _ROLE.sub(lambda m: (m.group(1) or m.group(2) or "").strip(), text)


def quiz_markdown(quiz: Quiz, title: str = "Self-check quiz") -> str:
    """The quiz as plain Markdown: the questions, then the answers under their own heading."""
    letters = "abcdefghij"
    out = [f"# {title}", ""]
    for n, q in enumerate(quiz.questions, 1):
        out.append(f"**{n}.** {q.prompt}")
        out.append("")
        if q.type == "choice":
            out += [f"   ({letters[k]}) {o.text}" for k, o in enumerate(q.options)]
        else:
            out.append(f"   Your answer{f' ({q.unit})' if q.unit else ''}: ______")
        out.append("")
    out += ["## Answers", ""]
    for n, q in enumerate(quiz.questions, 1):
        if q.type == "choice":
            k = next(i for i, o in enumerate(q.options) if o.correct)
            head = f"({letters[k]}) {q.options[k].text}"
        else:
            lo, hi = q.accepted_range
            head = f"{format_number(q.answer)} {q.unit} (accepted: {format_number(lo)} to {format_number(hi)})".strip()
        out += [f"**{n}.** {head}", "", q.explanation, ""]
    return _plain("\n".join(out).rstrip()) + "\n"


# ------------------------------------------------------------------ Sphinx
try:
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective
except ImportError:  # the command line needs neither
    nodes = None  # type: ignore[assignment]


if nodes is not None:

    class quiz_element(nodes.General, nodes.Element):
        """An HTML element of the quiz (``tag`` and ``attrs`` say which); a plain container elsewhere."""

    def _visit_html(self: Any, node: quiz_element) -> None:
        attrs = dict(node.get("attrs", {}))
        self.body.append(self.starttag(node, node["tag"], "", **attrs))

    def _depart_html(self: Any, node: quiz_element) -> None:
        self.body.append(f"</{node['tag']}>")

    def _skip(self: Any, node: quiz_element) -> None:
        pass

    def _el(tag: str, classes: list[str] | None = None, ids: list[str] | None = None, **attrs: str) -> quiz_element:
        node = quiz_element(tag=tag, attrs=attrs, classes=classes or [])
        if ids:
            node["ids"] = ids
        return node

    def _raw(markup: str) -> nodes.raw:
        return nodes.raw("", markup, format="html")

    class QuizDirective(SphinxDirective):
        """``{quiz} <file.yml>``: the questions of a quiz file (relative to the page)."""

        required_arguments = 1
        has_content = False

        def _markdown(self, text: str, parent: nodes.Element) -> nodes.Element:
            self.state.nested_parse(StringList(text.splitlines(), source=str(self._path)), self.content_offset, parent)
            return parent

        def _inline(self, text: str, parent: nodes.Element) -> nodes.Element:
            """Like :meth:`_markdown`, but a single paragraph is unwrapped (for text inside a label)."""
            holder = nodes.container()
            self._markdown(text, holder)
            if len(holder.children) == 1 and isinstance(holder[0], nodes.paragraph):
                parent.extend(holder[0].children)
            else:
                parent.extend(holder.children)
            return parent

        def run(self) -> list[nodes.Node]:
            rel, path = self.env.relfn2path(self.arguments[0], self.env.docname)
            self._path = Path(path)
            self.env.note_dependency(rel)
            for module in sorted((Path(self.env.srcdir) / "scaling").glob("*.py")):
                self.env.note_dependency(str(module))
            try:
                quiz = load_quiz(self._path)
            except QuizError as err:
                raise self.error(str(err)) from None
            root = _el("div", ["quiz"], **{"data-quiz": Path(rel).stem})
            root += _raw('<p class="quiz-howto">Answer, then press <em>Check</em>; each answer, with why it '
                         'is right, is behind <em>Show the answer</em>.</p>')
            listing = _el("ol", ["quiz-questions"])
            root += listing
            for q in quiz.questions:
                listing += self._question(q)
            return [root]

        def _question(self, q: Question) -> quiz_element:
            attrs = {"data-type": q.type}
            if q.type == "numeric":
                attrs.update({"data-answer": repr(q.answer), "data-atol": repr(q.abs_tol), "data-rtol": repr(q.rel_tol)})
            item = _el("li", ["quiz-question"], [q.id], **attrs)
            item += self._markdown(q.prompt, _el("div", ["quiz-prompt"]))
            if q.type == "choice":
                box = _el("fieldset", ["quiz-options"])
                box += _raw('<legend class="quiz-legend">Choose one</legend>')
                for k, o in enumerate(q.options):
                    label = _el("label", ["quiz-option"], **{"data-correct": "true" if o.correct else "false"})
                    label += _raw(f'<input type="radio" name="{q.id}" value="{k}"/>')
                    label += self._inline(o.text, _el("span", ["quiz-option-text"]))
                    box += label
                    box += self._markdown(o.why, _el("div", ["quiz-why"], hidden="hidden", **{"data-option": str(k)}))
                item += box
                answer_text = next(o.text for o in q.options if o.correct)
                answer_node = self._markdown(answer_text, _el("div", ["quiz-answer-value"]))
            else:
                unit = f' <span class="quiz-unit">{html.escape(q.unit)}</span>' if q.unit else ""
                item += _raw(f'<label class="quiz-number">Your answer: <input type="text" inputmode="decimal" '
                             f'autocomplete="off" size="12" aria-label="Your answer to {q.id}"/>{unit}</label>')
                lo, hi = q.accepted_range
                answer_node = _el("div", ["quiz-answer-value"])
                answer_node += _raw(f"<p>{html.escape(format_number(q.answer))} {html.escape(q.unit)} "
                                    f"(accepted: {html.escape(format_number(lo))} to {html.escape(format_number(hi))})</p>")
            item += _raw('<div class="quiz-controls"><button type="button" class="quiz-check">Check</button></div>'
                         '<p class="quiz-feedback" role="status" aria-live="polite"></p>')
            details = _el("details", ["quiz-answer"])
            details += _raw("<summary>Show the answer</summary>")
            details += answer_node
            details += self._markdown(q.explanation, _el("div", ["quiz-explanation"]))
            item += details
            return item


def setup(app: Any) -> dict[str, Any]:
    app.add_node(quiz_element, html=(_visit_html, _depart_html), latex=(_skip, _skip), text=(_skip, _skip),
                 man=(_skip, _skip), texinfo=(_skip, _skip))
    app.add_directive("quiz", QuizDirective)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


# ------------------------------------------------------------------ command line
def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python _ext/quiz.py",
                                     description="Print a quiz file as plain Markdown (questions, then answers).")
    parser.add_argument("quiz", type=Path, help="a quiz file, e.g. book/devries/quiz.yml")
    parser.add_argument("--out", type=Path, help="write the Markdown here instead of printing it")
    parser.add_argument("--title", help="the heading (default: the title of the quiz's page, quiz.md)")
    parser.add_argument("--json", action="store_true", help="print the computed questions as JSON")
    args = parser.parse_args(argv)
    try:
        quiz = load_quiz(args.quiz)
    except QuizError as err:
        print(f"quiz: error: {err}", file=sys.stderr)
        return 2
    title = args.title
    page = args.quiz.with_suffix(".md")
    if title is None and page.is_file():
        title = next((ln[2:].strip() for ln in page.read_text(encoding="utf-8").splitlines() if ln.startswith("# ")), None)
    if args.json:
        text = json.dumps([q.__dict__ | {"options": [o.__dict__ for o in q.options]} for q in quiz.questions], indent=1)
    else:
        text = quiz_markdown(quiz, title or "Self-check quiz")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
