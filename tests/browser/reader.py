"""What a reader sees on a page of the built book, measured in the browser.

:func:`measure` opens a page at one window size and returns what the reader tests
check: whether the page scrolls sideways, which tables, code blocks and equations are
wider than their box without scrolling in a box of their own, which cell outputs are
printed tables rather than HTML tables, how large the figures and the text in them are
shown, which ``scaling.`` names in the prose are not links, any MyST markup left in
the text, and how much of the page's height is code.

Run it as a script to print the figures for a built site (no test, no assertion)::

    python tests/browser/reader.py [_build/html]
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

# The window sizes the book must read well at: a laptop and a phone.
VIEWPORTS = ((1366, 768), (390, 844))

# The MyST markup that must never reach a reader (as text on a page or in a downloaded notebook).
RAW_MYST = re.compile(r"\{(term|cite(:[a-z]+)?|numref|doc|ref|glue(:[a-z]+)?|py:[a-z]+|eq|math)\}`|^:::|```\{",
                      re.M)

_MEASURE_JS = r"""
() => {
  const art = document.querySelector('main .bd-article') || document.querySelector('.bd-article')
              || document.body;
  // Shown to the reader: laid out, not hidden, and not inside a closed <details> (a folded code
  // cell, hide-input, or a folded solution: Chromium lays out their content but does not show it).
  const visible = el => el.getClientRects().length > 0
                        && getComputedStyle(el).visibility !== 'hidden'
                        && !el.closest('details:not([open]) > :not(summary)')
                        && (!el.checkVisibility || el.checkVisibility({contentVisibilityAuto: true}));
  const describe = el => {
    const t = (el.innerText || el.textContent || '').trim().replace(/\s+/g, ' ');
    return el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
           ? '.' + el.className.trim().split(/\s+/).slice(0, 2).join('.') : '') + ': ' + t.slice(0, 60);
  };
  // Wider than its box without scrolling in a box of its own: the element's extent (its own
  // content included, when that sticks out of it) must lie inside the first ancestor that scrolls
  // sideways; an ancestor that hides overflow, or the window itself, cuts it off.
  const clipped = [];
  const candidates = art.querySelectorAll(
      'table, pre, div.math, mjx-container[display="true"], .cell_output img, figure img, .cell_output svg');
  const vw = document.documentElement.clientWidth;
  for (const el of candidates) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    const own = getComputedStyle(el).overflowX;
    let left = r.left, right = r.right;
    if (own !== 'auto' && own !== 'scroll' && el.scrollWidth > el.clientWidth + 2) {
      right = Math.max(right, r.left + el.scrollWidth);
    }
    if (own === 'auto' || own === 'scroll') { continue; }
    let verdict = null;
    for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if (ox === 'auto' || ox === 'scroll') { verdict = 'scrolls'; break; }
      if (ox === 'hidden' || ox === 'clip') {
        const b = a.getBoundingClientRect();
        if (right > b.right + 2 || left < b.left - 2) {
          verdict = `cut off by ${a.tagName.toLowerCase()}.${(a.className || '').toString().split(' ')[0]} `
                    + `(${Math.round(right - b.right)} px)`;
          break;
        }
      }
    }
    if (verdict === null && (right > vw + 2 || left < -2)) {
      verdict = `${Math.round(right - vw)} px past the window's edge`;
    }
    if (verdict && verdict !== 'scrolls') clipped.push(describe(el) + ' (' + verdict + ')');
  }
  // cell outputs: printed text and HTML tables
  const printed = Array.from(art.querySelectorAll('.cell_output pre')).filter(visible)
                       .map(el => el.textContent);
  const htmlTables = art.querySelectorAll('.cell_output table').length;
  // figures: every image in the article, as shown
  const images = Array.from(art.querySelectorAll('.cell_output img, figure img')).filter(visible).map(img => ({
    src: img.currentSrc || img.src, natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
  }));
  // scaling.x names in the prose (outside code cells) that are not links
  const unlinked = [];
  for (const code of art.querySelectorAll('code')) {
    if (code.closest('.cell, pre, a, .highlight, .sig, dt')) continue;
    const t = code.textContent.trim();
    if (/^scaling\.[A-Za-z_]/.test(t)) unlinked.push(t);
  }
  // raw MyST markup in the text a reader sees (code cells and code blocks excluded)
  const walker = document.createTreeWalker(art, NodeFilter.SHOW_TEXT);
  const texts = [];
  let node;
  while ((node = walker.nextNode())) {
    const p = node.parentElement;
    if (!p || p.closest('.cell_input, pre, script, style, .highlight')) continue;
    texts.push(node.textContent);
  }
  // how much of the page's height is code a reader sees (hidden cells count 0) and figures
  const artHeight = art.getBoundingClientRect().height;
  const codeHeight = Array.from(art.querySelectorAll('.cell_input')).filter(visible)
                          .reduce((s, el) => s + el.getBoundingClientRect().height, 0);
  const figHeight = Array.from(art.querySelectorAll('.cell_output img')).filter(visible)
                         .reduce((s, el) => s + el.getBoundingClientRect().height, 0);
  const cells = art.querySelectorAll('.cell').length;
  const body = art.querySelector('p') || art;
  const small = 0.875 * parseFloat(getComputedStyle(body).fontSize);  // the body's small print
  return {
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    clipped, printed, html_tables: htmlTables, images, unlinked, text: texts.join('\n'),
    article_height: artHeight, code_height: codeHeight, figure_height: figHeight, cells,
    small_print_px: small,
  };
}
"""


@dataclass
class View:
    """One page at one window size."""

    width: int
    overflow: int = 0
    clipped: list[str] = field(default_factory=list)
    printed_tables: list[str] = field(default_factory=list)
    html_tables: int = 0
    images: list[dict] = field(default_factory=list)
    unlinked: list[str] = field(default_factory=list)
    raw_myst: list[str] = field(default_factory=list)
    article_height: float = 0.0
    code_height: float = 0.0
    figure_height: float = 0.0
    cells: int = 0
    small_print_px: float = 0.0

    @property
    def code_share(self) -> float:
        return self.code_height / self.article_height if self.article_height else 0.0

    @property
    def figure_share(self) -> float:
        return self.figure_height / self.article_height if self.article_height else 0.0


def looks_like_table(text: str) -> bool:
    """Whether a printed output holds a table: three consecutive lines set in aligned columns.

    A column shows as a character position at which each of the three lines ends a word
    (right-aligned numbers, or left-aligned fields of equal width); three lines that share
    three such positions inside them are a table set in text.
    """
    lines = [line.rstrip() for line in text.splitlines()]
    if any(re.match(r"quantity\s{2,}.*\brel\. diff\b", line) for line in lines):
        return True  # a paper-vs-reproduced table as format_table prints it
    ends = [{m.end() for m in re.finditer(r"\S(?=\s)", line)} for line in lines]
    for i in range(len(lines) - 2):
        if not all(lines[i:i + 3]):
            continue
        if len(ends[i] & ends[i + 1] & ends[i + 2]) >= 3:
            return True
    return False


def svg_text_sizes(path: Path) -> tuple[float, list[float]]:
    """The viewBox width of an SVG file and the font size of each text element, in the SVG's user
    units (a mathtext label's size is its largest glyph's: its sub- and superscripts go with it)."""
    root = ET.parse(path).getroot()
    view = root.get("viewBox")
    width = float(view.split()[2]) if view else float(re.sub(r"[a-z]+$", "", root.get("width", "0")))

    def size(el) -> float | None:
        m = re.search(r"font-size:\s*([\d.]+)px", el.get("style", ""))
        return float(m.group(1)) if m else None

    sizes = []
    for el in root.iter():
        if not el.tag.endswith("}text") and el.tag != "text":
            continue
        found = [s for s in [size(el)] + [size(t) for t in el.iter() if t is not el] if s]
        if found:
            sizes.append(max(found))
    return width, sizes


PRINT_VIEWPORT = (688, 1000)
"""A4's printable width at 96 px per inch (210 mm less the 14-mm margins of the print stylesheet)."""


def measure_here(page, viewport: tuple[int, int]) -> View:
    """Measure the page already open, at ``viewport`` (width, height)."""
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.evaluate("""async () => {
        if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
        await document.fonts.ready;
        await Promise.all(Array.from(document.images).map(i => { i.loading = 'eager';
                                                               return i.decode().catch(() => null); }));
    }""")
    data = page.evaluate(_MEASURE_JS)
    view = View(width=viewport[0])
    view.overflow = data["overflow"]
    view.clipped = data["clipped"]
    view.printed_tables = [t for t in data["printed"] if looks_like_table(t)]
    view.html_tables = data["html_tables"]
    view.images = data["images"]
    view.unlinked = data["unlinked"]
    view.raw_myst = sorted({m.group(0) for m in RAW_MYST.finditer(data["text"])})
    view.article_height = data["article_height"]
    view.code_height = data["code_height"]
    view.figure_height = data["figure_height"]
    view.cells = data["cells"]
    view.small_print_px = data["small_print_px"]
    return view


def measure(page, base_url: str, path: str, viewport: tuple[int, int]) -> View:
    """Open ``path`` at ``viewport`` (width, height) and measure what the reader sees."""
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    page.goto(base_url + path, wait_until="load")
    return measure_here(page, viewport)


def measure_print(page) -> View:
    """The page open in the browser as it prints on A4 (print media, A4's printable width)."""
    page.emulate_media(media="print")
    try:
        return measure_here(page, PRINT_VIEWPORT)
    finally:
        page.emulate_media(media="screen")


def bitmap_problems(view: View) -> list[str]:
    """Figures that are neither SVG nor at least twice as wide as shown (blurred when enlarged)."""
    problems = []
    for img in view.images:
        rel = unquote(urlsplit(img["src"]).path)
        if img["shown"] and not rel.endswith(".svg") and img["natural"] < 2 * img["shown"] - 1:
            problems.append(f"{rel.rsplit('/', 1)[-1]}: a bitmap {img['natural']} px wide shown at "
                            f"{img['shown']:.0f} px (neither SVG nor twice its displayed width)")
    return problems


def text_size_problems(view: View, site: Path, min_text_px: float) -> list[str]:
    """SVG figures whose smallest text is shown smaller than ``min_text_px`` (sub- and superscripts
    of mathtext count as the text they belong to)."""
    problems = []
    for img in view.images:
        rel = unquote(urlsplit(img["src"]).path).lstrip("/")
        if not img["shown"] or not rel.endswith(".svg") or "_images" not in rel:
            continue
        file = site / rel
        if not file.is_file():
            continue
        width, sizes = svg_text_sizes(file)
        if sizes and width:
            shown = min(sizes) * img["shown"] / width
            if shown < min_text_px - 0.05:
                problems.append(f"{rel.rsplit('/', 1)[-1]}: smallest text shown at {shown:.1f} px "
                                f"(< {min_text_px:.1f} px) at {view.width} px wide")
    return problems


PHONE_MIN_TEXT_PX = 10.0
"""The smallest figure text a 390-px phone shows legibly (px); on a laptop the bound is the body's
small print, 0.875 of the body text."""


def figure_problems(view: View, site: Path, base_url: str, min_text_px: float) -> list[str]:
    return bitmap_problems(view) + text_size_problems(view, site, min_text_px)


def main(argv: list[str]) -> int:
    """Print the measurements for every page of a built site."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from conftest import CHROMIUM_ARGS, find_chromium, serve, site_pages  # type: ignore
    from playwright.sync_api import sync_playwright

    site = Path(argv[1] if len(argv) > 1 else "_build/html").resolve()
    with serve(site) as base_url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        code, article, printed, html, clipped, unlinked = 0.0, 0.0, 0, 0, 0, 0
        for path in site_pages(site):
            if path == "index.html":
                continue  # a redirect to the first page
            views = [measure(page, base_url, path, vp) for vp in VIEWPORTS]
            wide, phone = views
            bad_figs = figure_problems(wide, site, base_url, wide.small_print_px) + figure_problems(
                phone, site, base_url, PHONE_MIN_TEXT_PX)
            if wide.cells:
                code += wide.code_height
                article += wide.article_height
            printed += len(wide.printed_tables)
            html += wide.html_tables
            clipped += len(wide.clipped) + len(phone.clipped)
            unlinked += len(wide.unlinked)
            print(f"{path:48s} code {100 * wide.code_share:5.1f} %  figures {100 * wide.figure_share:4.1f} %  "
                  f"overflow {wide.overflow}/{phone.overflow} px  clipped {len(wide.clipped)}/{len(phone.clipped)}  "
                  f"printed tables {len(wide.printed_tables)}  html tables {wide.html_tables}  "
                  f"unlinked {len(wide.unlinked)}  myst {wide.raw_myst}  figures {len(bad_figs)}")
        browser.close()
    print(f"book-wide visible code height on notebook pages: {100 * code / article:.1f} % of the article height")
    print(f"printed tables {printed}, HTML tables {html}, clipped elements {clipped}, unlinked names {unlinked}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
