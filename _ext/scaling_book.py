"""The book's own Sphinx extension: what Jupyter Book does not do by itself.

Loaded from ``_config.yml`` (``sphinx.local_extensions``). Each part is small and says
which part of the book needs it:

* **Figures for phones.** :mod:`scaling.plotting` gives every figure made with
  ``plotting.figure`` a second, stacked layout under the MIME type
  ``application/vnd.scaling.narrow+svg``. myst-nb drops MIME types it does not know, so
  this extension renders that one as an image too and puts it beside the figure as drawn,
  in the same ``<figure>`` (one caption, one number). ``_static/book.css`` shows the
  stacked layout below 640 px and the one as drawn elsewhere and in print.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)

NARROW_MIME = "application/vnd.scaling.narrow+svg"  # scaling.plotting.NARROW_MIME (not imported: no matplotlib here)
SVG_MIME = "image/svg+xml"


# ------------------------------------------------------------------ figures for phones
def _patch_mystnb_renderer() -> None:
    """Have myst-nb render the stacked layout as an SVG image (it would drop an unknown MIME type).

    myst-nb's documented way to add a renderer is an entry point of an installed package; the
    book is no package, so the renderer's dispatch method is wrapped instead (myst-nb is pinned).
    """
    from myst_nb.core.render import NbElementRenderer

    if getattr(NbElementRenderer.render_mime_type, "_scaling_book", False):
        return
    original = NbElementRenderer.render_mime_type

    def render_mime_type(self: Any, data: Any) -> list[nodes.Element]:
        if data.mime_type == NARROW_MIME:
            rendered = self.render_image(dataclasses.replace(data, mime_type=SVG_MIME))
            for node in rendered:
                node["classes"].append("scaling-narrow")
            return rendered
        return original(self, data)

    render_mime_type._scaling_book = True  # type: ignore[attr-defined]
    NbElementRenderer.render_mime_type = render_mime_type  # type: ignore[method-assign]


class PairFigureLayouts(SphinxPostTransform):
    """Put the stacked layout beside the figure as drawn, before myst-nb keeps one MIME type per output."""

    default_priority = 3  # myst-nb's SelectMimeType runs at 4

    def run(self, **kwargs: Any) -> None:
        for bundle in list(self.document.findall(nodes.container)):
            if bundle.get("nb_element") != "mime_bundle":
                continue
            by_type = {child.get("mime_type"): child for child in bundle.children
                       if isinstance(child, nodes.container)}
            narrow, wide = by_type.get(NARROW_MIME), by_type.get(SVG_MIME)
            if narrow is None:
                continue
            bundle.remove(narrow)
            if wide is None:
                continue
            for image in wide.findall(nodes.image):
                image["classes"].append("scaling-wide")
            wide.extend(narrow.children)


def setup(app: Sphinx) -> dict[str, Any]:
    _patch_mystnb_renderer()
    app.add_post_transform(PairFigureLayouts)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
