"""Fixtures for testing the built site in a real headless browser with the network cut.

The site is served from ``_build/html`` (or ``$SCALING_SITE_DIR``) by a local
HTTP server on 127.0.0.1, and opened in Chromium driven by Playwright. The
network is cut inside the browser (it can resolve no host name but 127.0.0.1),
and every request a page makes is recorded: a request to anything but the local
server fails the tests, so a page that would need the network is caught rather
than silently degraded.

The browser is the system's Chromium (``apt-get install chromium`` on Debian),
or whatever ``$CHROMIUM`` names. Without one, the tests that need it are skipped
with a message that says how to install it (and fail instead when
``$SCALING_REQUIRE_BROWSER`` is set, as CI does); the tests that only read the
built HTML (``test_built_html.py``) still run.

Set ``$SCALING_SITE_DIR`` to test a site built elsewhere than ``_build/html``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("SCALING_SITE_DIR", ROOT / "_build" / "html")).resolve()

INSTALL_HINT = (
    "install Chromium to run them (Debian/Ubuntu: `apt-get install chromium`), "
    "or point $CHROMIUM at a Chromium or Chrome binary"
)

# Chromium flags: headless in a container, and no background traffic of its own
# (updates, sync, safe browsing...) that the closed network would turn into noise.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--safebrowsing-disable-auto-update",
    # The network cut: no host name resolves except the local test server's.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]

from reader import VIEWPORTS, View, measure_here, measure_print  # noqa: E402

# Window widths (px) the pages must fit: a laptop (1366 x 768) and a phone (390 x 844).
WIDTHS = tuple(w for w, _ in VIEWPORTS)

# Pages Sphinx or the theme write that are not pages of the book.
NOT_PAGES = ("_static", "_sources", "_images", "_sphinx_design_static")


def find_chromium() -> str | None:
    """The browser binary to use: $CHROMIUM, else the first Chromium or Chrome on PATH."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() or shutil.which(explicit) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the book, as paths relative to the site root (posix)."""
    pages = []
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site)
        if rel.parts[0] in NOT_PAGES or rel.parts[0].startswith("."):
            continue
        pages.append(rel.as_posix())
    return pages


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site's folder; fails (not skips) when the site has not been built."""
    if not (SITE / "index.html").is_file():
        pytest.fail(
            f"no built site at {SITE}: build it first with `make book` "
            "(`make test` builds it before running these tests)",
            pytrace=False,
        )
    return SITE


@pytest.fixture(scope="session")
def pages(site: Path) -> list[str]:
    """Every HTML page of the built book, relative to the site root."""
    return site_pages(site)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve ``site`` over HTTP on 127.0.0.1 (a free port); yields the base address."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    """The site served over HTTP on 127.0.0.1 (a free port), for the whole session."""
    with serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Chromium, headless, launched through Playwright; skips with a message if there is none."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(f"browser tests skipped: the `playwright` package is missing; "
                    f"`make install` installs it, then {INSTALL_HINT}")
    executable = find_chromium()
    if executable is None:
        if os.environ.get("SCALING_REQUIRE_BROWSER"):
            pytest.fail(f"SCALING_REQUIRE_BROWSER is set but no Chromium was found; {INSTALL_HINT}",
                        pytrace=False)
        pytest.skip(f"browser tests skipped: no Chromium found; {INSTALL_HINT}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageReport:
    """What one page did in the browser."""

    path: str
    final_url: str = ""
    external_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    math_sources: int = 0          # elements Sphinx marked as math (span.math, div.math)
    math_typeset: int = 0          # of those, how many MathJax replaced by an mjx-container
    math_errors: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)  # src, loaded, alt, in_output, figure, caption
    links: list[str] = field(default_factory=list)    # absolute hrefs of every <a>
    ids: set[str] = field(default_factory=set)
    overflow: dict[int, int] = field(default_factory=dict)  # window width -> px the page is wider
    views: dict[int, View] = field(default_factory=dict)     # window width -> what the reader sees
    print_view: View | None = None                           # the page as it prints on A4


_COLLECT_JS = """
async () => {
  // Load every image now (lazy ones included) and wait until each has loaded or failed.
  const imgs = Array.from(document.images);
  imgs.forEach(img => { img.loading = 'eager'; });
  await Promise.all(imgs.map(img => img.decode().catch(() => null)));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;  // MathJax's and the theme's web fonts, all local
  const math = Array.from(document.querySelectorAll('.bd-article span.math, .bd-article div.math'));
  return {
    math_sources: math.length,
    math_typeset: math.filter(el => el.querySelector('mjx-container')).length,
    math_errors: Array.from(document.querySelectorAll('mjx-merror'))
                      .map(el => el.getAttribute('data-mjx-error') || el.textContent),
    images: imgs.map(img => {
      const fig = img.closest('figure');
      return {
        src: img.currentSrc || img.src,
        loaded: img.complete && img.naturalWidth > 0,
        alt: img.getAttribute('alt') || '',
        in_output: !!img.closest('.cell_output'),
        figure: !!fig,
        caption: fig && fig.querySelector('figcaption') ? fig.querySelector('figcaption').textContent.trim() : '',
      };
    }),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id)
           .concat(Array.from(document.querySelectorAll('a[name]')).map(a => a.name)),
  };
}
"""


def visit(page, base_url: str, path: str, report: PageReport) -> PageReport:
    """Open one page and record what it showed (the context records its requests and errors)."""
    from playwright.sync_api import Error as PlaywrightError

    page.set_viewport_size({"width": VIEWPORTS[0][0], "height": VIEWPORTS[0][1]})
    page.goto(base_url + path, wait_until="load")
    for attempt in range(3):
        try:
            data = page.evaluate(_COLLECT_JS)
            break
        except PlaywrightError as err:
            # a redirect page (index.html) navigates away while we look at it
            if "navigation" not in str(err) or attempt == 2:
                raise
            page.wait_for_load_state("load")
    report.final_url = page.url
    report.math_sources = data["math_sources"]
    report.math_typeset = data["math_typeset"]
    report.math_errors = data["math_errors"]
    report.images = data["images"]
    report.links = data["links"]
    report.ids = set(data["ids"])
    # What the reader sees on a laptop and on a phone (tests/browser/reader.py), and in print.
    for viewport in VIEWPORTS:
        view = measure_here(page, viewport)
        report.views[viewport[0]] = view
        report.overflow[viewport[0]] = view.overflow
    report.print_view = measure_print(page)
    return report


@pytest.fixture(scope="session")
def crawl(site: Path, base_url: str, browser) -> dict[str, PageReport]:
    """Every page of the site, visited once in the browser (shared by the tests).

    Each request any page makes is recorded against that page: one to anything
    but the local server is an attempt to use the network (the browser cannot
    resolve any other host), and fails the offline test.
    """
    local = urlsplit(base_url).netloc
    reports: dict[str, PageReport] = {}
    current: list[PageReport] = []

    def on_request(request):
        parts = urlsplit(request.url)
        if parts.scheme not in ("data", "blob", "about") and parts.netloc != local:
            current[-1].external_requests.append(request.url)

    def on_failed(request):
        parts = urlsplit(request.url)
        if parts.netloc != local:
            return
        # Chromium aborts a request still in flight when the crawler moves on to the next page
        # (seen for the favicon, which loads after the page's load event). That is no broken
        # file; a missing one is answered 404 and recorded by on_response.
        target = site / unquote(parts.path).lstrip("/")
        if "ERR_ABORTED" in (request.failure or "") and target.is_file():
            return
        current[-1].failed_requests.append(f"{request.url} ({request.failure})")

    def on_response(response):
        if response.status >= 400:
            current[-1].failed_requests.append(f"{response.url} (HTTP {response.status})")

    def on_console(message):
        if message.type == "error":
            current[-1].console_errors.append(f"console.error: {message.text}")

    context = browser.new_context(service_workers="block")
    context.on("request", on_request)
    context.on("requestfailed", on_failed)
    context.on("response", on_response)
    page = context.new_page()
    page.on("console", on_console)
    page.on("pageerror", lambda err: current[-1].console_errors.append(f"uncaught: {err}"))
    try:
        for path in site_pages(site):
            current.append(PageReport(path))
            reports[path] = visit(page, base_url, path, current[-1])
    finally:
        context.close()
    return reports
