"""Sources: which dumps the library holds. The bundled corpus (``data/sources.yaml``) and the
user's manifest (``library.json``: name, stored copy in ``dumps/``, sha256, original path, date
added), validated so a hand-edited entry can never point outside the library; the copies in
``dumps/`` and their clean-up.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from typing import TYPE_CHECKING, NamedTuple

from ..errors import LibraryError

MANIFEST_FILE = "library.json"


def bundled_dir() -> str:
    """The bundled corpus: ``reviews_cli/data`` inside an installed wheel, ``data/`` in a checkout."""
    here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))  # reviews_cli/, above library/
    for cand in (os.path.join(here, "data"), os.path.join(os.path.dirname(here), "data")):
        if os.path.isfile(os.path.join(cand, "sources.yaml")):
            return cand
    raise LibraryError("the bundled corpus is missing (no data/sources.yaml next to the package)")


class SourceFile(NamedTuple):
    """One dump in the library: its ``name`` (what ``sources`` shows and ``remove`` takes),
    the file that holds it, and whether it is bundled or user-added."""

    name: str
    path: str
    kind: str  # "bundled" | "added" | "pulled"
    origin: str | None = None
    language: str | None = None
    channel: str | None = None  # the username a Telegram Desktop export lacks


if TYPE_CHECKING:
    from typing import TypedDict

    # The JSON shapes below are types only: a TypedDict class costs start-up time at import.

    class _ManifestKeys(TypedDict):
        name: str
        file: str  # "dumps/<file>"
        sha256: str


    class ManifestEntry(_ManifestKeys, total=False):
        """An entry of ``library.json`` as :func:`validate_manifest` accepts it: ``name``, ``file``
        and ``sha256`` always, the optional fields text or null."""

        channel: str | None
        original: str | None
        origin: str | None
        added: str | None
        language: str | None
        pulled: str | None  # a channel pulled from its web preview: when it was last pulled


    class _BundledKeys(TypedDict):
        file: str  # below data/


    class BundledEntry(_BundledKeys, total=False):
        """An entry of the bundled ``data/sources.yaml``."""

        format: str
        origin: str
        language: str

    class AddResultDict(TypedDict):
        """:meth:`AddResult.to_dict`: the JSON of ``reviews add --json``."""

        path: str
        name: str | None
        format: str | None
        reviews: int
        merged: int
        skipped: int
        skipped_posts: list[tuple[str, str]]
        notes: list[str]
        error: str | None
        already: bool


class SourceInfo(NamedTuple):
    """A row of ``reviews sources``: the dump, its detected format, its counts, and the error
    that kept it from being read, if any."""

    name: str
    kind: str
    format: str | None
    origin: str | None
    reviews: int
    skipped: int
    error: str | None
    path: str


class AddResult:
    """What ``add`` did with one path: the source name it got, or the error that refused it;
    ``reviews`` parsed from it, ``merged`` of them into existing records, ``skipped`` posts."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.name: str | None = None
        self.format: str | None = None
        self.reviews = self.merged = self.skipped = 0
        self.skipped_posts: list[tuple[str, str]] = []  # (where, why)
        self.notes: list[str] = []  # how the bytes were decoded, when worth saying
        self.error: str | None = None
        self.already = False

    def to_dict(self) -> AddResultDict:
        return {"path": self.path, "name": self.name, "format": self.format, "reviews": self.reviews,
                "merged": self.merged, "skipped": self.skipped, "skipped_posts": self.skipped_posts,
                "notes": self.notes, "error": self.error, "already": self.already}


class RemoveResult(NamedTuple):
    """What ``remove`` did: the source names ``removed`` and one line per ref it could not
    remove (``"x.txt: no such source in the library ..."``)."""

    removed: list[str]
    problems: list[str]


def sha256_of(path: str) -> str:
    """The sha256 of a file's bytes, as hex. Raises ``OSError`` when it cannot be read."""
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_MANIFEST_TEXT = ("channel", "original", "origin", "added", "language", "pulled")


def validate_manifest(data: object, path: str) -> list[ManifestEntry]:
    """The entries of a parsed ``library.json``, checked: each has text ``name``, ``sha256`` and
    ``file``, the file a plain name inside ``dumps/`` (a hand-edited ``"../x"`` must never make
    ``remove`` delete a file outside the library), and the optional fields are text or null.
    Raises :class:`LibraryError` naming the first bad key."""
    if not isinstance(data, dict) or not isinstance(data.get("sources", []), list):
        raise LibraryError(f"{path}: not a reviews library manifest (expected an object with a 'sources' list)")
    entries = data.get("sources", [])
    for k, e in enumerate(entries):
        if not isinstance(e, dict):
            raise LibraryError(f"{path}: sources[{k}] is not an object")
        for key in ("name", "file", "sha256"):
            if not isinstance(e.get(key), str) or not e[key]:
                raise LibraryError(f"{path}: sources[{k}].{key} is missing or not text")
        folder, _, base = e["file"].partition("/")
        if folder != "dumps" or not base or "/" in base or "\\" in base or base in (".", "..") or "\0" in base:
            raise LibraryError(f"{path}: sources[{k}].file {e['file']!r} is not a file in the library's dumps/ folder")
        for key in _MANIFEST_TEXT:
            if e.get(key) is not None and not isinstance(e[key], str):
                raise LibraryError(f"{path}: sources[{k}].{key} is not text")
    return list(entries)


def source_name(path: str) -> str:
    """A dump's name in the library: its file name, with the export folder's name in front for
    Telegram Desktop's generic ``result.json`` / ``messagesN.html``."""
    path = os.path.normpath(path)
    base = os.path.basename(path)
    if base == "result.json" or re.fullmatch(r"messages\d*\.html", base):
        folder = os.path.basename(os.path.dirname(os.path.abspath(path)))
        return f"{folder}/{base}" if folder else base
    return base


def unique_name(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    stem, dot, ext = name.partition(".")
    k = 2
    while f"{stem}-{k}{dot}{ext}" in taken:
        k += 1
    return f"{stem}-{k}{dot}{ext}"


def load_yaml_manifest(path: str) -> list[BundledEntry]:
    import yaml  # only when sources.yaml changed; the parsed form is cached in the index

    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as exc:
        raise LibraryError(f"{path}: unreadable manifest ({exc})") from None
    entries = data.get("sources") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and e.get("file") for e in entries):
        raise LibraryError(f"{path}: expected a 'sources' list of entries with a 'file'")
    return entries




def read_manifest(home: str) -> list[ManifestEntry]:
    """The manifest's entries in ``home``, validated (see :func:`validate_manifest`); ``[]``
    when there is none. Raises :class:`LibraryError` for an unreadable or invalid one."""
    path = os.path.join(home, MANIFEST_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return []
    except (ValueError, OSError) as exc:
        raise LibraryError(f"{path}: unreadable library manifest ({exc})") from None
    return validate_manifest(data, path)


def write_manifest(home: str, entries: list[ManifestEntry]) -> None:
    """Replace the manifest in ``home`` atomically."""
    from ..atomic import atomic_write

    with atomic_write(os.path.join(home, MANIFEST_FILE)) as f:
        f.write(json.dumps({"version": 1, "sources": entries}, ensure_ascii=False, indent=1))


def clean_orphans(home: str, manifest: list[ManifestEntry]) -> None:
    """Delete copies in ``dumps/`` that no manifest entry references (left by an add or remove
    that was killed) and leftover temporary files. Call it only under the write lock, so no
    other writer is between copying a dump and naming it in the manifest."""
    folder = os.path.join(home, "dumps")
    keep = {e["file"].split("/", 1)[1] for e in manifest}
    with contextlib.suppress(FileNotFoundError):
        for name in os.listdir(folder):
            if name not in keep:
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, name))
