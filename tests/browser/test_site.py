"""The built site, opened in headless Chromium with the network cut.

Each test reads the shared crawl (every page visited once, see conftest.py) and
lists every page that fails, so one run shows every problem at once.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest


def _problems(crawl: dict, attr: str) -> dict[str, list[str]]:
    return {path: getattr(r, attr) for path, r in crawl.items() if getattr(r, attr)}


def local_target(url: str, base_url: str, site: Path) -> tuple[Path, str] | None:
    """The file (and fragment) a link on the local server points at, or None if not local."""
    if not url.startswith(base_url):
        return None
    address, fragment = urldefrag(url)
    rel = unquote(urlsplit(address).path).lstrip("/")
    target = site / rel
    if rel == "" or rel.endswith("/"):
        target = target / "index.html"
    return target, fragment


def test_site_has_the_book(crawl):
    assert "index.html" in crawl or "book/intro.html" in crawl
    assert len(crawl) >= 5, f"only {len(crawl)} pages: {sorted(crawl)}"


def test_nothing_is_requested_from_the_network(crawl):
    """Every script, style, font and image comes from the site itself."""
    assert not _problems(crawl, "external_requests"), (
        "pages tried to load from the network (blocked): "
        + json.dumps(_problems(crawl, "external_requests"), indent=1))


def test_every_request_succeeds(crawl):
    assert not _problems(crawl, "failed_requests"), (
        "requests for local files failed: " + json.dumps(_problems(crawl, "failed_requests"), indent=1))


def test_no_console_errors(crawl):
    assert not _problems(crawl, "console_errors"), (
        "console errors: " + json.dumps(_problems(crawl, "console_errors"), indent=1))


def test_math_is_typeset(crawl):
    """MathJax (the local copy) replaced every piece of math on every page, without TeX errors."""
    pages_with_math = [r for r in crawl.values() if r.math_sources]
    assert pages_with_math, "no page has any math: is the site built from the book?"
    untypeset = {r.path: f"{r.math_typeset} of {r.math_sources} typeset"
                 for r in pages_with_math if r.math_typeset < r.math_sources}
    errors = _problems(crawl, "math_errors")
    assert not untypeset and not errors, (
        f"math left as TeX source (unbalanced braces?): {untypeset}; TeX errors: {errors}")


def test_every_image_loads(crawl):
    broken = {path: [i["src"] for i in r.images if not i["loaded"]] for path, r in crawl.items()}
    broken = {path: srcs for path, srcs in broken.items() if srcs}
    assert not broken, f"images that did not load: {json.dumps(broken, indent=1)}"


def test_figures_have_alt_text_and_captions(crawl):
    """Every figure a notebook draws has alt text for screen readers and a caption."""
    def described(i: dict) -> bool:
        # myst-nb writes the image's own path as its alt text when the cell sets none
        alt = i["alt"].strip()
        return bool(alt) and alt.rsplit("/", 1)[-1] != i["src"].rsplit("/", 1)[-1]

    missing = {}
    for path, r in crawl.items():
        bad = [f"{i['src'].rsplit('/', 1)[-1]}: "
               + ", ".join(w for w, ok in (("no alt text", described(i)),
                                            ("no caption", i["caption"])) if not ok)
               for i in r.images if i["in_output"] and not (described(i) and i["caption"])]
        if bad:
            missing[path] = bad
    assert not missing, (
        "figures need `mystnb.figure.caption` and `mystnb.image.alt` in their cell metadata: "
        + json.dumps(missing, indent=1))


def test_every_internal_link_resolves(crawl, site, base_url):
    """Every link to a page of the site reaches an existing file, and its #anchor exists there."""
    ids_of: dict[Path, set[str]] = {site / p: r.ids for p, r in crawl.items()}
    broken: dict[str, set[str]] = {}
    for path, r in crawl.items():
        for url in r.links:
            if url.startswith("file:"):
                broken.setdefault(path, set()).add(f"{url} (a file:// link)")
                continue
            resolved = local_target(url, base_url, site)
            if resolved is None:
                continue  # an external link: not followed, there is no network
            target, fragment = resolved
            if not target.is_file():
                broken.setdefault(path, set()).add(f"{url} (no such file)")
            elif fragment and target.suffix == ".html":
                ids = ids_of.get(target)
                if ids is None:
                    ids = _ids_in_file(target)
                if fragment not in ids:
                    broken.setdefault(path, set()).add(f"{url} (no anchor #{fragment})")
    assert not broken, "broken internal links: " + json.dumps(
        {k: sorted(v) for k, v in broken.items()}, indent=1)


class _IdParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value or "")


def _ids_in_file(path: Path) -> set[str]:
    parser = _IdParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser.ids


def test_search_works_offline(browser, base_url):
    """The search page finds a word of the book, using only the local search index."""
    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base_url) else r.abort())
    page = context.new_page()
    try:
        page.goto(base_url + "search.html?q=Chinchilla")
        page.wait_for_selector("#search-results ul.search li", timeout=15_000)
        assert page.locator("#search-results ul.search li").count() >= 1
    finally:
        context.close()


def test_solutions_are_collapsed_until_opened(browser, base_url, crawl, site):
    """Worked solutions start hidden; clicking the title shows them."""
    pages = [p for p in crawl if 'class="solution' in (site / p).read_text(encoding="utf-8")]
    assert pages, "no page has an exercise solution"
    context = browser.new_context()
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base_url) else r.abort())
    page = context.new_page()
    shown = {}
    try:
        for path in pages:
            page.goto(base_url + path)
            solutions = page.locator("div.solution.admonition")
            for i in range(solutions.count()):
                solution = solutions.nth(i)
                body = solution.locator(":scope > section, :scope > :not(.admonition-title)").first
                if body.is_visible():
                    shown.setdefault(path, []).append(solution.get_attribute("id"))
        # and one of them opens on a click
        page.goto(base_url + pages[0])
        first = page.locator("div.solution.admonition").first
        first.locator(".admonition-title").click()
        expect_visible = first.locator(":scope > section, :scope > :not(.admonition-title)").first
        expect_visible.wait_for(state="visible", timeout=5_000)
    finally:
        context.close()
    assert not shown, f"solutions shown before the reader opens them: {shown}"


def test_notebooks_can_be_downloaded(crawl, site, base_url):
    """Every notebook page offers its .ipynb, and the file is a notebook a reader can run."""
    notebooks = sorted(p.relative_to(site / "_sources").with_suffix("").as_posix()
                       for p in (site / "_sources").rglob("*.ipynb"))
    assert notebooks, "no notebook in _sources: is html_copy_source off?"
    problems = []
    for doc in notebooks:
        report = crawl.get(doc + ".html")
        if report is None:
            problems.append(f"{doc}: no page")
            continue
        wanted = base_url + "_sources/" + doc + ".ipynb"
        if wanted not in report.links:
            problems.append(f"{doc}: no download link to {wanted}")
        nb = json.loads((site / "_sources" / (doc + ".ipynb")).read_text(encoding="utf-8"))
        if nb.get("nbformat") != 4 or not nb.get("cells"):
            problems.append(f"{doc}: the downloadable file is not a notebook")
        if nb.get("metadata", {}).get("kernelspec", {}).get("name") != "python3":
            problems.append(f"{doc}: kernelspec is not python3")
    assert not problems, "\n".join(problems)


def test_status_page_lists_every_notebook(crawl, site):
    """The status page has one row, with a run time in seconds, for each notebook."""
    status = site / "book" / "status.html"
    assert status.is_file(), "no book/status.html"
    text = status.read_text(encoding="utf-8")
    notebooks = sorted(p.relative_to(site / "_sources").with_suffix("").as_posix()
                       for p in (site / "_sources").rglob("*.ipynb"))
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", text, flags=re.S)
    missing, no_time, no_status = [], [], []
    for doc in notebooks:
        row = next((row for row in rows if f">{doc}.ipynb<" in row), None)
        if row is None:
            missing.append(doc)
            continue
        if not re.search(r"<p>\d+(\.\d+)?</p>", row):
            no_time.append(doc)
        if not re.search(r"<p>(ok|failed)</p>", row):
            no_status.append(doc)
    assert not missing, f"notebooks missing from the status page: {missing}"
    assert not no_time, f"notebooks without an execution time on the status page: {no_time}"
    assert not no_status, f"notebooks without a status word (ok/failed) on the status page: {no_status}"
    assert not re.search("[\u2700-\u27bf\U0001F300-\U0001FAFF]", text), "an emoji on the status page"
    assert re.search(r"<p>numpy</p>", text), "the status page does not list the package versions"
