"""The book's citation style: author-year, the same in the text and in the bibliography.

In the text, ``{cite:t}`kaplan2020``` reads "Kaplan et al. (2020)" and ``{cite:p}`kaplan2020```
"(Kaplan et al., 2020)"; in the bibliography the entry is labelled "Kaplan et al. (2020)", the
list sorted by author and year. Two works by the same authors in the same year get a letter,
in the text and in the list alike: "de Vries (2023a)", "de Vries (2023b)".

Registered as pybtex plugins: the formatting style ``book`` (``bibtex_default_style``), its
label style ``book_author_year``, and the reference style ``book_author_year``
(``bibtex_reference_style``). :func:`author_year_labels` is also what the downloaded notebooks
use for their citations (``notebook_download.py``), so the two cannot differ.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.template import node

_LABEL_YEAR = re.compile(r"\((\d{4}[a-z]?|n\.d\.[a-z]?)\)$")


def _clean(name: str) -> str:
    return re.sub(r"[{}]", "", name).strip()


def author_names(entry: Any) -> str:
    """The author part of a citation: "Efron", "Pearce and Song", "Kaplan et al."."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    last = [_clean(" ".join(p.prelast_names + p.last_names)) for p in persons]
    last = [n for n in last if n]
    if not last:
        return _clean(entry.fields.get("organization") or entry.fields.get("institution")
                      or entry.fields.get("title", "Anonymous"))
    if len(last) == 1:
        return last[0]
    if len(last) == 2:
        return f"{last[0]} and {last[1]}"
    return f"{last[0]} et al."


def author_year_labels(entries: Iterable[Any]) -> list[tuple[str, str]]:
    """(authors, year with its letter) for each entry, in the order given (the bibliography's)."""
    entries = list(entries)
    base = [(author_names(e), _clean(e.fields.get("year", "n.d."))) for e in entries]
    counts = Counter(base)
    seen: dict[tuple[str, str], int] = defaultdict(int)
    out = []
    for key in base:
        if counts[key] > 1:
            out.append((key[0], key[1] + "abcdefghijklmnopqrstuvwxyz"[seen[key]]))
            seen[key] += 1
        else:
            out.append(key)
    return out


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels "Kaplan et al. (2020)" (with a letter where authors and year repeat)."""

    def format_labels(self, sorted_entries: Iterable[Any]) -> Iterator[str]:
        for names, year in author_year_labels(sorted_entries):
            yield f"{names} ({year})"


class BookStyle(PlainStyle):
    """pybtex's ``plain`` style (sorted by author, year, title; DOIs and URLs as links) with
    author-year labels."""

    default_label_style = "book_author_year"


@node
def labelled_year(children: list, data: dict[str, Any]) -> Text:
    """The year of a reference as its bibliography label has it (with its letter, if any)."""
    assert not children
    m = _LABEL_YEAR.search(data["formatted_entry"].label)
    return Text(m.group(1) if m else data["entry"].fields.get("year", "n.d."))


def _reference_style() -> type:
    """The reference style: author-year with round brackets, the year as the label has it."""
    from sphinxcontrib.bibtex.style.referencing import BracketStyle
    from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
    from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
        BasicAuthorYearParentheticalReferenceStyle,
        BasicAuthorYearTextualReferenceStyle,
    )
    from sphinxcontrib.bibtex.style.template import join, join2, post_text, pre_text, reference

    def round_brackets() -> BracketStyle:
        return BracketStyle(left="(", right=")")

    class Parenthetical(BasicAuthorYearParentheticalReferenceStyle):
        def inner(self, role_name: str) -> Any:  # as the base class, with labelled_year
            return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                pre_text,
                reference[join(sep=self.author_year_sep)[
                    self.person.author_or_editor_or_title(full="s" in role_name), labelled_year]],
                post_text,
            ]

    class Textual(BasicAuthorYearTextualReferenceStyle):
        def inner(self, role_name: str) -> Any:  # as the base class, with labelled_year
            return join(sep=self.text_reference_sep)[
                self.person.author_or_editor_or_title(full="s" in role_name),
                join[self.bracket.left,
                     join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                         pre_text, reference[labelled_year], post_text],
                     self.bracket.right],
            ]

    @dataclass
    class BookReferenceStyle(AuthorYearReferenceStyle):
        bracket_textual: BracketStyle = field(default_factory=round_brackets)
        bracket_parenthetical: BracketStyle = field(default_factory=round_brackets)
        bracket_author: BracketStyle = field(default_factory=round_brackets)
        bracket_label: BracketStyle = field(default_factory=round_brackets)
        bracket_year: BracketStyle = field(default_factory=round_brackets)

        def __post_init__(self) -> None:
            super().__post_init__()
            for i, style in enumerate(self.styles):  # the two author-year styles, year from the label
                if type(style) is BasicAuthorYearParentheticalReferenceStyle:
                    self.styles[i] = Parenthetical(
                        bracket=self.bracket_parenthetical, person=self.person,
                        author_year_sep=self.author_year_sep, pre_text_sep=self.pre_text_sep,
                        post_text_sep=self.post_text_sep)
                elif type(style) is BasicAuthorYearTextualReferenceStyle:
                    self.styles[i] = Textual(
                        bracket=self.bracket_textual, person=self.person,
                        text_reference_sep=self.text_reference_sep, pre_text_sep=self.pre_text_sep,
                        post_text_sep=self.post_text_sep)
            self.role_style.update((role, style) for style in self.styles for role in style.role_names())

    return BookReferenceStyle


def register() -> None:
    """Register the styles with pybtex and sphinxcontrib-bibtex (called by the extension's setup)."""
    import sphinxcontrib.bibtex.plugin

    register_plugin("pybtex.style.labels", "book_author_year", AuthorYearLabelStyle, force=True)
    register_plugin("pybtex.style.formatting", "book", BookStyle, force=True)
    sphinxcontrib.bibtex.plugin.register_plugin(
        "sphinxcontrib.bibtex.style.referencing", "book_author_year", _reference_style(), force=True)
