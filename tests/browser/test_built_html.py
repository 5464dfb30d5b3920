"""The built site's HTML, read without a browser: the course is in it, and nothing points at a CDN.

These tests need only the built site (``make book``), so they run even where
there is no Chromium.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

PARTS = ("kaplan", "chinchilla", "devries")

# The field's terms the book must define in its glossary and link from its chapters.
REQUIRED_TERMS = (
    "Non-embedding parameters",
    "PF-day",
    "Critical batch size",
    "IsoFLOP profile",
    "Compute-optimal",
    "Critical model size",
)


class _Page(HTMLParser):
    """The parts of a page the tests look at: headings, text, links, scripts, and the divs' classes."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.text: list[str] = []
        self.links: list[str] = []
        self.remote_assets: list[str] = []
        self.divs: list[tuple[str, str]] = []  # (id, class)
        self._heading: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag in ("h1", "h2", "h3", "h4"):
            self._heading = []
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "div":
            self.divs.append((a.get("id") or "", a.get("class") or ""))
        remote = re.compile(r"^(https?:)?//")
        if tag in ("script", "img", "iframe", "source", "video", "audio") and remote.match(a.get("src") or ""):
            self.remote_assets.append(f"<{tag} src={a['src']}>")
        if tag == "link" and remote.match(a.get("href") or "") and (
                {"stylesheet", "preload", "icon", "modulepreload"} & set((a.get("rel") or "").split())):
            self.remote_assets.append(f"<link rel={a.get('rel')} href={a['href']}>")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        if tag in ("h1", "h2", "h3", "h4") and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()).rstrip("#").strip())
            self._heading = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._heading is not None:
            self._heading.append(data)

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


def _read(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _chapters(site: Path, part: str) -> list[Path]:
    return sorted(p for p in (site / "book" / part).glob("[0-9]*.html"))


def test_no_page_loads_anything_from_another_host(site, pages):
    """No script, style, font, icon or image of any page has a remote address (the browser tests
    check what pages actually request; this also covers pages and widgets nobody opened)."""
    remote = {p: _read(site / p).remote_assets for p in pages}
    remote = {p: r for p, r in remote.items() if r}
    assert not remote, f"pages that reference remote assets: {remote}"


def test_mathjax_is_the_local_copy(site):
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file(), (
        "no _static/mathjax/tex-chtml.js: is the sphinx-mathjax-offline extension enabled in _config.yml?")
    fonts = list((site / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert fonts, "MathJax's fonts are missing from _static/mathjax"


@pytest.mark.parametrize("part", PARTS)
def test_part_opens_with_objectives_prerequisites_and_time(site, part):
    index = site / "book" / part / "index.html"
    assert index.is_file(), f"no page for part {part}"
    text = _read(index).plain.lower()
    missing = [what for what, pattern in (
        ("learning objectives", r"objectives?|you will (learn|be able)"),
        ("prerequisites", r"prerequisites?"),
        ("a time estimate", r"\b\d+(\.\d+)?\s*(–|-|to)?\s*\d*\s*(h|hours?|minutes?|min)\b"),
    ) if not re.search(pattern, text)]
    assert not missing, f"book/{part}/index is missing {', '.join(missing)}"


@pytest.mark.parametrize("part", PARTS)
def test_part_lists_its_chapters(site, part):
    chapters = _chapters(site, part)
    assert chapters, f"part {part} has no chapters yet"
    links = {Path(href.split("#")[0]).name for href in _read(site / "book" / part / "index.html").links}
    unlisted = [c.name for c in chapters if c.name not in links]
    assert not unlisted, f"book/{part}/index does not link to its chapters {unlisted}"


@pytest.mark.parametrize("part", PARTS)
def test_part_ends_with_take_aways(site, part):
    pages = [site / "book" / part / "index.html"] + _chapters(site, part)
    headings = [h for p in pages for h in _read(p).headings]
    assert any(re.search(r"take[- ]?aways?|key take", h, re.I) for h in headings), (
        f"no 'Take-aways' section in part {part}; headings: {headings}")


@pytest.mark.parametrize("part", PARTS)
def test_part_has_four_exercises_with_collapsed_solutions(site, part):
    pages = [site / "book" / part / "index.html"] + _chapters(site, part)
    exercises, solutions_for, not_collapsed = [], set(), []
    for path in pages:
        html = path.read_text(encoding="utf-8")
        page = _read(path)
        exercises += [i for i, cls in page.divs if "exercise" in cls.split() and "admonition" in cls.split()]
        for i, cls in page.divs:
            if "solution" in cls.split() and "admonition" in cls.split():
                if "dropdown" not in cls.split():
                    not_collapsed.append(i)
                # the solution's title links to its exercise
                m = re.search(rf'id="{re.escape(i)}">\s*<p class="admonition-title">.*?href="[^"]*#([^"]+)"',
                              html, re.S)
                if m:
                    solutions_for.add(m.group(1))
    assert len(exercises) >= 4, f"part {part} has {len(exercises)} exercises; the course needs at least 4"
    unsolved = [e for e in exercises if e not in solutions_for]
    assert not unsolved, f"exercises without a worked solution in part {part}: {unsolved}"
    assert not not_collapsed, f"solutions not collapsed (add `:class: dropdown`) in {part}: {not_collapsed}"


def test_glossary_defines_and_the_chapters_link_the_fields_terms(site):
    glossary = (site / "book" / "glossary.html").read_text(encoding="utf-8")
    chapters = [site / "book" / "preliminaries.html"] + [c for part in PARTS for c in
                                                        [site / "book" / part / "index.html"] + _chapters(site, part)]
    linked = " ".join(l for c in chapters if c.is_file() for l in _read(c).links)
    undefined, unlinked = [], []
    for term in REQUIRED_TERMS:
        anchor = "term-" + re.sub(r"\s+", "-", term)
        if f'id="{anchor}"' not in glossary:
            undefined.append(term)
        elif f"glossary.html#{anchor}" not in linked:
            unlinked.append(term)
    assert not undefined, f"terms missing from the glossary: {undefined}"
    assert not unlinked, f"glossary terms no chapter links to (write {{term}}`...`): {unlinked}"


def test_syllabus_links_every_part(site):
    syllabus = site / "book" / "syllabus.html"
    assert syllabus.is_file(), "no syllabus page"
    links = " ".join(_read(syllabus).links)
    missing = [p for p in PARTS if f"{p}/index.html" not in links]
    assert not missing, f"the syllabus does not link to parts {missing}"
    html = syllabus.read_text(encoding="utf-8")
    # the sessions of book/syllabus.yml, rendered by {course-plan}, each with its lecture outline
    import yaml

    sessions = yaml.safe_load((Path(__file__).resolve().parents[2] / "book" / "syllabus.yml").read_text(encoding="utf-8"))["sessions"]
    shown = re.findall(r"<strong>Session (\d+) ·", html)
    assert shown == [str(i) for i in range(1, len(sessions) + 1)], shown
    assert html.count("Lecture outline") >= len(sessions)


def test_one_bibliography_holds_every_cited_paper(site):
    """Every key the book cites is in references.bib, and the bibliography page lists every entry."""
    root = Path(__file__).resolve().parents[2]
    bib = (root / "references.bib").read_text(encoding="utf-8")
    keys = re.findall(r"^@\w+\{([^,\s]+),", bib, flags=re.M)
    assert len(keys) == len(set(keys)), "duplicate keys in references.bib"
    cited = set()
    for source in list((root / "book").rglob("*.md")) + list((root / "book").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in source.parts:
            continue
        for group in re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", source.read_text(encoding="utf-8")):
            cited.update(k.strip() for k in group.split(","))
    assert cited, "the book cites nothing"
    unknown = sorted(cited - set(keys))
    assert not unknown, f"cited but not in references.bib: {unknown}"
    entries = (site / "book" / "bibliography.html").read_text(encoding="utf-8").count('role="doc-biblioentry"')
    assert entries == len(keys), f"the bibliography page lists {entries} of the {len(keys)} entries"


class _Head(HTMLParser):
    """The icon links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.icons: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and "icon" in (a.get("rel") or "").split() and a.get("href"):
            self.icons.append(a["href"])


def test_every_page_names_an_icon_that_exists(site):
    """A page without <link rel="icon"> makes the browser ask for /favicon.ico, which the site does not
    have: a 404 in the console. The root redirect page (index.html) was one, seen under load."""
    problems = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site)
        if rel.parts[0].startswith("_") or rel.parts[0].startswith("."):
            continue
        head = _Head()
        head.feed(path.read_text(encoding="utf-8"))
        if not head.icons:
            problems.append(f"{rel}: no <link rel=icon>")
        problems += [f"{rel}: icon {href} is missing" for href in head.icons
                     if not (path.parent / href.split("?")[0]).resolve().is_file()]
    assert (site / "index.html").is_file()
    assert not problems, "\n".join(problems)



def _downloads(site: Path) -> list[Path]:
    """The notebooks a reader downloads: the chapters (_sources/) and their student versions."""
    return sorted((site / "_sources").rglob("*.ipynb")) + sorted((site / "_static" / "student").rglob("*.ipynb"))


def test_downloaded_notebooks_are_plain_jupyter_markdown(site):
    """The download button's notebooks show no MyST markup: roles and directives are rendered
    (citations, terms, figure numbers, glued values, exercises as headings), they open with a cell
    on installing the package and on the data, and carry none of the book's machinery."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from reader import RAW_MYST

    notebooks = _downloads(site)
    assert notebooks, "no notebook in _sources: is html_copy_source off?"
    problems = []
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        name = path.relative_to(site).as_posix()
        cells = nb["cells"]
        first = "".join(cells[0]["source"]) if cells else ""
        says_data = "SCALING_DATA_DIR" in first or "no downloaded data" in first
        if cells[0]["cell_type"] != "markdown" or "pip install" not in first or not says_data:
            problems.append(f"{name}: the first cell does not say how to install the package and get the data")
        for i, cell in enumerate(cells):
            src = "".join(cell["source"])
            if cell["cell_type"] == "markdown":
                raw = sorted({m.group(0) for m in RAW_MYST.finditer(src)})
                if raw:
                    problems.append(f"{name}, cell {i}: raw MyST markup {raw}")
            elif "from myst_nb import" in src:
                problems.append(f"{name}, cell {i}: imports myst_nb, which a reader's environment may lack")
            for out in cell.get("outputs", []):
                if "application/vnd.scaling.narrow+svg" in out.get("data", {}):
                    problems.append(f"{name}, cell {i}: carries the book's phone layout of a figure")
    assert not problems, "\n".join(problems)


def test_about_page_states_the_licences_the_citation_and_the_data(site):
    about = site / "book" / "about.html"
    assert about.is_file(), "no book/about.html"
    text = _read(about).plain
    missing = [what for what, needle in (
        ("the code's licence", "MIT"), ("the text's licence", "CC BY 4.0"), ("how to cite", "scaling-laws-reproduced"),
        ("the Epoch data", "epoch-research/analyzing-chinchilla"),
        ("the Porian et al. data", "formll/resolving-scaling-law-discrepancies"),
        ("that the Epoch data have no licence", "none stated"),
    ) if needle not in text]
    assert not missing, f"the About page lacks {missing}"
    assert not re.search(r"\{\{ *(version|year)", text), "a substitution was left unfilled on the About page"
    assert (Path(__file__).resolve().parents[2] / "LICENSE").is_file(), "no LICENSE file"


def test_no_repository_buttons_without_a_repository_address(site, pages):
    """_config.yml sets no repository address, so no page links to a repository, its issues or an
    edit page (Jupyter Book's own default address least of all)."""
    import yaml

    config = yaml.safe_load((Path(__file__).resolve().parents[2] / "_config.yml").read_text())
    if (config.get("repository") or {}).get("url"):
        pytest.skip("a repository address is set: the buttons are expected")
    offenders = [p for p in pages if re.search(r'executablebooks/jupyter-book|class="[^"]*btn-source-(repository|issues|edit)',
                                               (site / p).read_text(encoding="utf-8"))]
    assert not offenders, f"pages with repository buttons: {offenders}"


def test_citations_are_author_year_in_the_text_and_in_the_bibliography(site, pages):
    """In the text "Kaplan et al. (2020)" and "(Kaplan et al., 2020)"; the bibliography labelled the
    same way (not [1]-[22]), every entry with a DOI or a URL."""
    html = (site / "book" / "bibliography.html").read_text(encoding="utf-8")
    entries = re.findall(r'<div class="citation" id="[^"]+" role="doc-biblioentry">(.*?)</div>', html, re.S)
    assert entries, "no bibliography entries"
    labels = [re.sub(r"<[^>]+>|[\[\]]", "", re.search(r'<span class="label">(.*?)</span>\s*</span>|'
                                                      r'<span class="label">(.*?)</span>', e, re.S).group(0))
              for e in entries]
    bad_labels = [lab for lab in labels if not re.fullmatch(r"\S.* \((\d{4}[a-z]?|n\.d\.)\)", lab.strip())]
    assert not bad_labels, f"bibliography labels not in author-year form: {bad_labels}"
    unlinked = [lab.strip() for lab, e in zip(labels, entries) if not re.search(r'href="https?://', e)]
    assert not unlinked, f"bibliography entries without a DOI or URL link: {unlinked}"
    bracketed = {}
    for p in pages:
        text = (site / p).read_text(encoding="utf-8")
        found = re.findall(r'<span class="bibtex-citation"[^>]*>(.*?)</span>', text, re.S)
        wrong = [re.sub(r"<[^>]+>", "", c) for c in found if not re.search(r"\(.*\d{4}[a-z]?.*\)",
                                                                            re.sub(r"<[^>]+>", "", c))]
        if wrong:
            bracketed[p] = wrong[:3]
    assert not bracketed, f"citations not in the form 'Author (2020)': {bracketed}"
