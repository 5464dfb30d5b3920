"""The course plan: sessions from ``book/syllabus.yml``, times and objectives from the chapters.

Every converted chapter carries its own course data in its notebook metadata::

    "course": {"minutes": {"read": 40, "exercises": 50},
               "objectives": ["devries-derive-kd", ...]}

and lists the same objectives, in the same order, as the bullets under **You will learn to**
in its Overview. ``book/syllabus.yml`` groups the chapters into sessions and gives each session
its lecture outline (the key figures and the points to make)::

    sessions:
      - title: Units, compute and power laws
        chapters: [intro, preliminaries]          # paths under book/, no suffix
        extra: {intro: 10}                        # minutes for pages that are not notebooks
        papers: "Sections 1-2 of {cite:t}`kaplan2020`"
        lecture:
          figures: [fig-prelim-powerlaw]          # figure labels, shown as {numref} links
          points: ["...", "..."]
        do: "..."
        discuss: ["..."]

Nothing here is typed twice: the syllabus page's times, the objectives map and the part pages'
totals are all computed from the notebooks when the book is built, so they add up by
construction, and :func:`check_plan` (run by ``tests/test_course_plan.py``) fails when a chapter
is in no session or two, an objective is missing or its bullet does not match, or a session's
reading is out of balance.

Sphinx side: ``{course-plan}`` renders the sessions, ``{course-map}`` the objectives-to-sessions
table, ``{course-lectures}`` the lecture outlines for projection, and the role
``{course-time}`<part>``` the part's total time ("about 3 h 10 min of reading and
2 h of exercises").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

#: A session's reading (minutes) must lie in this range; the page says sessions are 90-minute
#: meetings with the reading done before.
READING_RANGE = (40, 120)
#: The longest session's reading is at most this multiple of the shortest one's.
MAX_READING_RATIO = 2.0


class CoursePlanError(ValueError):
    """The syllabus file or a chapter's course metadata is missing or inconsistent."""


@dataclass(frozen=True)
class Chapter:
    """One page of the course: its minutes and objectives (``read`` is None when not estimated)."""

    page: str  # path under book/, no suffix
    title: str
    read: int | None
    exercises: int | None
    objectives: tuple[tuple[str, str], ...]  # (id, text)
    bullets: int  # how many "You will learn to" bullets the page has


@dataclass(frozen=True)
class Session:
    number: int
    title: str
    chapters: tuple[Chapter, ...]
    papers: str
    figures: tuple[str, ...]
    points: tuple[str, ...]
    do: str
    discuss: tuple[str, ...]

    @property
    def read(self) -> int:
        return sum(c.read or 0 for c in self.chapters)

    @property
    def exercises(self) -> int:
        return sum(c.exercises or 0 for c in self.chapters)


def _text(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _objective_bullets(markdown: str) -> list[str]:
    """The bullets under '**You will learn to**' (continuation lines joined)."""
    m = re.search(r"\*\*You will learn to\*\*[^\n]*\n", markdown)
    if not m:
        return []
    bullets: list[str] = []
    for line in markdown[m.end():].splitlines():
        if line.startswith("- "):
            bullets.append(line[2:].strip())
        elif bullets and line.startswith("  ") and line.strip():
            bullets[-1] += " " + line.strip()
        else:
            break
    return bullets


def _title(markdown: str, fallback: str) -> str:
    m = re.search(r"^# (.+)$", markdown, flags=re.M)
    return m.group(1).strip() if m else fallback


def load_chapter(book: Path, page: str, extra_minutes: int | None = None) -> Chapter:
    """Read a page's course data: a notebook's ``metadata.course`` or, for a Markdown page,
    ``extra_minutes`` of reading."""
    nb_path = book / f"{page}.ipynb"
    md_path = book / f"{page}.md"
    if nb_path.is_file():
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        markdown = "\n".join(_text(c) for c in nb["cells"] if c.get("cell_type") == "markdown")
        course = nb.get("metadata", {}).get("course")
        bullets = _objective_bullets(markdown)
        if course is None:
            return Chapter(page, _title(markdown, page), extra_minutes, None, (), len(bullets))
        try:
            read = int(course["minutes"]["read"])
            exercises = int(course["minutes"]["exercises"])
            ids = [str(i) for i in course["objectives"]]
        except (KeyError, TypeError, ValueError) as err:
            raise CoursePlanError(f"{nb_path}: metadata.course needs minutes.read, minutes.exercises "
                                  f"and objectives ({err!r})") from None
        texts = bullets + [""] * (len(ids) - len(bullets))
        return Chapter(page, _title(markdown, page), read, exercises, tuple(zip(ids, texts)), len(bullets))
    if md_path.is_file():
        return Chapter(page, _title(md_path.read_text(encoding="utf-8"), page), extra_minutes, 0, (), 0)
    raise CoursePlanError(f"syllabus: no page book/{page}.ipynb or book/{page}.md")


def load_plan(book: Path | str = "book") -> list[Session]:
    """The sessions of ``book/syllabus.yml`` with their chapters' course data."""
    book = Path(book)
    path = book / "syllabus.yml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise CoursePlanError(f"cannot read {path}: {err}") from None
    sessions = []
    for i, s in enumerate(raw.get("sessions", []), start=1):
        extra = {str(k): int(v) for k, v in (s.get("extra") or {}).items()}
        chapters = tuple(load_chapter(book, str(p), extra.get(str(p))) for p in s.get("chapters", []))
        lecture = s.get("lecture") or {}
        sessions.append(Session(
            number=i, title=str(s["title"]), chapters=chapters, papers=str(s.get("papers", "")),
            figures=tuple(str(f) for f in lecture.get("figures", [])),
            points=tuple(str(p) for p in lecture.get("points", [])),
            do=str(s.get("do", "")), discuss=tuple(str(d) for d in s.get("discuss", []))))
    if not sessions:
        raise CoursePlanError(f"{path}: no sessions")
    return sessions


def course_chapters(book: Path) -> list[str]:
    """Every chapter the course must cover: the Preliminaries and each part's numbered notebooks."""
    pages = ["preliminaries"] if (book / "preliminaries.ipynb").is_file() else []
    for folder in sorted(p for p in book.iterdir() if p.is_dir() and not p.name.startswith("_")):
        pages += [f"{folder.name}/{nb.stem}" for nb in sorted(folder.glob("[0-9]*.ipynb"))]
    return pages


def check_plan(book: Path | str = "book", require_metadata: bool = True) -> list[str]:
    """Everything wrong with the plan, as sentences (empty when the plan is sound)."""
    book = Path(book)
    problems: list[str] = []
    try:
        sessions = load_plan(book)
    except CoursePlanError as err:
        return [str(err)]
    seen: dict[str, int] = {}
    ids: dict[str, str] = {}
    for s in sessions:
        for c in s.chapters:
            if c.page in seen:
                problems.append(f"{c.page} is in sessions {seen[c.page]} and {s.number}")
            seen[c.page] = s.number
            if c.read is None and require_metadata:
                problems.append(f"{c.page} has no metadata.course (minutes and objectives)")
            if c.objectives and c.bullets != len(c.objectives):
                problems.append(f"{c.page}: {len(c.objectives)} objective ids but {c.bullets} "
                                "'You will learn to' bullets")
            for oid, _ in c.objectives:
                if oid in ids:
                    problems.append(f"objective {oid} is in {ids[oid]} and {c.page}")
                ids[oid] = c.page
        lo, hi = READING_RANGE
        if require_metadata and not lo <= s.read <= hi:
            problems.append(f"session {s.number} ({s.title}) has {s.read} minutes of reading, "
                            f"outside {lo}-{hi}")
        if not s.points:
            problems.append(f"session {s.number} ({s.title}) has no lecture points")
    for page in course_chapters(book):
        if page not in seen:
            problems.append(f"{page} is in no session")
    reads = [s.read for s in sessions if s.read]
    if require_metadata and reads and max(reads) > MAX_READING_RATIO * min(reads):
        problems.append(f"reading is unbalanced: {min(reads)} to {max(reads)} minutes a session")
    return problems


def duration(minutes: int) -> str:
    """'2 h 10 min', '45 min', '3 h'."""
    h, m = divmod(int(round(minutes)), 60)
    if h and m:
        return f"{h} h {m} min"
    return f"{h} h" if h else f"{m} min"


def part_time(book: Path, part: str) -> tuple[int, int, int, int]:
    """(reading, exercise) minutes of a part's chapters, with how many chapters have estimates
    out of how many."""
    chapters = [load_chapter(book, f"{part}/{nb.stem}") for nb in sorted((book / part).glob("[0-9]*.ipynb"))]
    known = [c for c in chapters if c.read is not None]
    return (sum(c.read for c in known), sum(c.exercises or 0 for c in known), len(known), len(chapters))


def part_time_text(book: Path, part: str) -> str:
    read, ex, known, total = part_time(book, part)
    if not total:
        raise CoursePlanError(f"course-time: no chapters in book/{part}")
    text = (f"about {duration(read)} of reading and {duration(ex)} of exercises "
            f"({duration(read + ex)} in all)")
    if known < total:
        text += f", for the {known} of {total} chapters that give an estimate"
    return text


# ------------------------------------------------------------------ Sphinx
def _markdown_block(directive: Any, text: str) -> list[Any]:
    from docutils import nodes
    from docutils.statemachine import StringList

    holder = nodes.container()
    directive.state.nested_parse(StringList(text.splitlines(), source="book/syllabus.yml"),
                                 directive.content_offset, holder)
    return list(holder.children)


def _link(page: str, from_doc: str) -> str:
    depth = from_doc.count("/")
    return "{doc}`" + "../" * (depth - 1) + page + "`"


def _session_markdown(s: Session, docname: str) -> str:
    lines = [f"**Session {s.number} · {s.title}.** Reading about {duration(s.read)}, "
             f"exercises about {duration(s.exercises)}.", ""]
    lines.append("- **Read:** " + "; ".join(
        f"{_link(c.page, docname)} ({duration(c.read) if c.read else 'not yet estimated'})"
        for c in s.chapters) + (f"; {s.papers}" if s.papers else "") + ".")
    objectives = [(oid, text, c) for c in s.chapters for oid, text in c.objectives]
    if objectives:
        lines.append("- **Objectives:** " + " ".join(
            f"({k}) {text.rstrip(';.')}." for k, (_, text, _) in enumerate(objectives, start=1)))
    if s.do:
        lines.append(f"- **Do:** {s.do}")
    if s.discuss:
        lines.append("- **Discuss:** " + " ".join(s.discuss))
    lines += ["", ":::{admonition} Lecture outline", ":class: lecture-outline dropdown", ""]
    lines += [f"{k}. {p}" for k, p in enumerate(s.points, start=1)]
    if s.figures:
        lines += ["", "Key figures: " + ", ".join("{numref}`" + f + "`" for f in s.figures) + "."]
    lines += [":::", ""]
    return "\n".join(lines)


def _lecture_markdown(s: Session, docname: str) -> str:
    lines = [f"## Session {s.number} · {s.title}", "", ":::{container} lecture-slide", ""]
    lines += [f"{k}. {p}" for k, p in enumerate(s.points, start=1)]
    if s.figures:
        lines += ["", "**Show:** " + ", ".join("{numref}`" + f + "`" for f in s.figures) + "."]
    lines += ["", "Chapters: " + ", ".join(_link(c.page, docname) for c in s.chapters) + ".", ":::", ""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").rstrip(";.")


def _map_markdown(sessions: list[Session], docname: str) -> str:
    """Two Markdown tables: the sessions' times, and every objective with its session."""
    lines = ["| session | chapters | reading | exercises | objectives |", "|---|---|--:|--:|--:|"]
    for s in sessions:
        chapters = ", ".join(_link(c.page, docname) for c in s.chapters)
        lines.append(f"| {s.number}. {_cell(s.title)} | {chapters} | {duration(s.read)} | "
                     f"{duration(s.exercises)} | {sum(len(c.objectives) for c in s.chapters)} |")
    read = sum(s.read for s in sessions)
    ex = sum(s.exercises for s in sessions)
    n = sum(len(c.objectives) for s in sessions for c in s.chapters)
    lines.append(f"| **all {len(sessions)} sessions** | | **{duration(read)}** | **{duration(ex)}** | **{n}** |")
    lines += ["", "| objective | you will learn to | session |", "|---|---|--:|"]
    for s in sessions:
        for c in s.chapters:
            for oid, text in c.objectives:
                lines.append(f"| `{oid}` | {_cell(text)} | {s.number} |")
    return "\n".join(lines) + "\n"


def _directives() -> dict[str, Any]:
    from docutils import nodes
    from sphinx.util.docutils import SphinxDirective

    class _Base(SphinxDirective):
        has_content = False

        def _sessions(self) -> list[Session]:
            book = Path(self.env.srcdir) / "book"
            self.env.note_dependency(str(book / "syllabus.yml"))
            for nb in book.rglob("*.ipynb"):
                if "_templates" not in nb.parts:
                    self.env.note_dependency(str(nb))
            try:
                return load_plan(book)
            except CoursePlanError as err:
                raise self.error(str(err)) from None

    class CoursePlan(_Base):
        """``{course-plan}``: every session with its reading, times, objectives and outline."""

        def run(self) -> list[nodes.Node]:
            out: list[nodes.Node] = []
            for s in self._sessions():
                out += _markdown_block(self, _session_markdown(s, self.env.docname))
            return out

    class CourseMap(_Base):
        """``{course-map}``: the sessions' times, then each objective and its session."""

        def run(self) -> list[nodes.Node]:
            sessions = self._sessions()
            return _markdown_block(self, _map_markdown(sessions, self.env.docname))

    class CourseLectures(_Base):
        """``{course-lectures}``: the lecture outlines, one block per session, for projection."""

        def run(self) -> list[nodes.Node]:
            out: list[nodes.Node] = []
            for s in self._sessions():
                out += _markdown_block(self, _lecture_markdown(s, self.env.docname))
            return out

    return {"course-plan": CoursePlan, "course-map": CourseMap, "course-lectures": CourseLectures}


def _course_time_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any,
                      options: Any = None, content: Any = None) -> tuple[list[Any], list[Any]]:
    from docutils import nodes

    env = inliner.document.settings.env
    book = Path(env.srcdir) / "book"
    part = text.strip().strip("/")
    for nb in sorted((book / part).glob("[0-9]*.ipynb")):
        env.note_dependency(str(nb))
    try:
        value = part_time_text(book, part)
    except CoursePlanError as err:
        msg = inliner.reporter.error(str(err), line=lineno)
        return [inliner.problematic(rawtext, rawtext, msg)], [msg]
    return [nodes.Text(value)], []


def setup(app: Any) -> dict[str, Any]:
    for name, directive in _directives().items():
        app.add_directive(name, directive)
    app.add_role("course-time", _course_time_role)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    import sys

    found = check_plan(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("book"))
    for p in found:
        print(p)
    for s in load_plan(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("book")):
        print(f"session {s.number}: read {s.read} min, exercises {s.exercises} min, "
              f"{sum(len(c.objectives) for c in s.chapters)} objectives: {s.title}")
    sys.exit(1 if found else 0)
