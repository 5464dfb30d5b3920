"""What a reader sees, on every page, at 1366 x 768 and 390 x 844, and printed on A4.

Each test reads the shared crawl (conftest.py: every page visited once; tests/browser/reader.py
measures it at both window sizes and in print) and lists every page that fails, so one run
shows every problem at once.

Two kinds of checks:

* **every page**: the page never scrolls sideways; no table, code block, equation or figure is
  cut off without a scroll of its own, on screen or on A4; every figure is SVG or a bitmap at
  least twice as wide as shown; every ``scaling.`` name in the prose links to the API reference;
  no MyST markup (``{term}``, ``{cite``, ``:::``) reaches the reader;
* **converted chapters** (``tests/converted_chapters.txt``): every table of results is an HTML
  ``<table>``, the text in figures is no smaller than the body's small print on a laptop and
  10 px on a phone, and visible code takes at most 15 % of the page's height. The other notebook
  pages are reported, not failed; a chapter helper adds a chapter to the list when converting it.

At the end of the run, the visible code height of every notebook page and the book-wide figure
are printed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader import PHONE_MIN_TEXT_PX, bitmap_problems, text_size_problems

ROOT = Path(__file__).resolve().parents[2]
CONVERTED = [line.strip() for line in (ROOT / "tests" / "converted_chapters.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#") and "_templates" not in line]
CONVERTED_PAGES = [c.removesuffix(".ipynb") + ".html" for c in CONVERTED]

MAX_CODE_SHARE = 0.15
"""Visible code, as a share of a converted chapter's height at 1366 px."""


def _report(request: pytest.FixtureRequest, lines: list[str]) -> None:
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        for line in lines:
            reporter.write_line(line)


def _fail_if(problems: dict, what: str) -> None:
    assert not problems, f"{what}:\n" + json.dumps(problems, indent=1, ensure_ascii=False)


def test_converted_chapters_are_built(crawl):
    missing = [p for p in CONVERTED_PAGES if p not in crawl]
    assert not missing, f"chapters listed in tests/converted_chapters.txt without a page: {missing}"


def test_pages_never_scroll_sideways(crawl):
    """At 1366 and at 390 px no page is wider than the window: wide content scrolls in its own box."""
    wide = {p: {w: v.overflow for w, v in r.views.items() if v.overflow > 2} for p, r in crawl.items()}
    _fail_if({p: w for p, w in wide.items() if w}, "pages wider than the window (width: excess px)")


def test_nothing_is_cut_off_without_a_scroll_of_its_own(crawl):
    """No table, code block, display equation or figure runs past its box without scrolling in it."""
    cut = {f"{p} at {w} px": v.clipped for p, r in crawl.items() for w, v in r.views.items() if v.clipped}
    _fail_if(cut, "content cut off (neither inside the page nor in a box that scrolls)")


def test_print_on_a4_cuts_nothing(crawl):
    """Printed on A4 (print stylesheet, 182 mm of text width), no table, code block, display
    equation or figure runs past the page."""
    cut = {p: r.print_view.clipped for p, r in crawl.items() if r.print_view and r.print_view.clipped}
    _fail_if(cut, "content cut off on A4")


def test_figures_are_svg_or_sharp(crawl):
    bad = {p: bitmap_problems(r.views[1366]) for p, r in crawl.items()}
    _fail_if({p: b for p, b in bad.items() if b}, "figures that blur when shown")


def test_scaling_names_in_the_prose_link_to_the_api(crawl):
    bad = {p: sorted(set(r.views[1366].unlinked)) for p, r in crawl.items() if r.views[1366].unlinked}
    _fail_if(bad, "scaling names in the text that do not link to the API reference "
                  "(write {py:func}`scaling.x.y`, or the full name in backticks)")


def test_no_myst_markup_reaches_the_reader(crawl):
    bad = {p: r.views[1366].raw_myst for p, r in crawl.items() if r.views[1366].raw_myst}
    _fail_if(bad, "MyST markup shown as text")


def test_results_are_html_tables(crawl, request):
    """In converted chapters no table of results is printed as text; the others are reported."""
    printed = {p: len(r.views[1366].printed_tables) for p, r in crawl.items() if r.views[1366].printed_tables}
    others = {p: n for p, n in printed.items() if p not in CONVERTED_PAGES}
    if others:
        _report(request, [f"tables printed as text, in chapters not yet converted: {sum(others.values())} "
                          f"on {len(others)} pages"] + [f"  {p}: {n}" for p, n in sorted(others.items())])
    bad = {p: [t.splitlines()[0][:80] for t in crawl[p].views[1366].printed_tables]
           for p in CONVERTED_PAGES if p in printed}
    _fail_if(bad, "tables printed as text in converted chapters (show them with scaling.report)")


def test_figure_text_is_legible(crawl, site, request):
    """In converted chapters, figure text is no smaller than the body's small print on a laptop
    (0.875 of the body text) and 10 px on a phone; the others are reported."""
    problems = {}
    for p, r in crawl.items():
        laptop, phone = r.views[1366], r.views[390]
        found = (text_size_problems(laptop, site, laptop.small_print_px)
                 + text_size_problems(phone, site, PHONE_MIN_TEXT_PX))
        if found:
            problems[p] = found
    others = {p: f for p, f in problems.items() if p not in CONVERTED_PAGES}
    if others:
        _report(request, [f"figures with small text, in chapters not yet converted: "
                          f"{sum(map(len, others.values()))} on {len(others)} pages"])
    _fail_if({p: problems[p] for p in CONVERTED_PAGES if p in problems}, "figures with text too small")


def test_visible_code_is_at_most_15_percent_of_a_converted_chapter(crawl, request):
    """Visible code as a share of the page's height at 1366 px: at most 15 % in converted chapters;
    every notebook page and the book-wide figure are printed."""
    notebook_pages = {p: r.views[1366] for p, r in crawl.items() if r.views[1366].cells}
    assert notebook_pages, "no notebook page found"
    code = sum(v.code_height for v in notebook_pages.values())
    height = sum(v.article_height for v in notebook_pages.values())
    lines = [f"visible code, share of the page height at 1366 px (converted chapters at most "
             f"{MAX_CODE_SHARE:.0%}):"]
    for p, v in sorted(notebook_pages.items()):
        mark = " (converted)" if p in CONVERTED_PAGES else ""
        lines.append(f"  {p:48s} code {v.code_share:6.1%}   figures {v.figure_share:5.1%}{mark}")
    lines.append(f"  book-wide: {code / height:.1%} of {len(notebook_pages)} notebook pages")
    _report(request, lines)
    over = {p: f"{notebook_pages[p].code_share:.1%}" for p in CONVERTED_PAGES
            if p in notebook_pages and notebook_pages[p].code_share > MAX_CODE_SHARE}
    _fail_if(over, f"converted chapters with more than {MAX_CODE_SHARE:.0%} visible code")
