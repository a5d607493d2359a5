"""The one way ``reviews`` writes a file: :func:`atomic_write`.

The content goes to a temporary file with a unique name in the target's folder, is flushed and
fsynced, and then replaces the target in one ``os.replace``; the folder is fsynced so the rename
survives a power cut. A reader (or a crash at any point) sees the old file or the new one, never
a half-written one, and two writers never share a temporary file. The new file gets the mode
the target had (else the usual ``0666 & ~umask``, not ``mkstemp``'s 0600). A symlink the user
named (``export -o``) is written through: its target is replaced, the link stays; the library's
own files never follow one, so nothing outside the library folder is written. A temporary file
left by a writer killed with SIGKILL is removed by the next write of the same file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import IO, Any


@contextlib.contextmanager
def atomic_write(path: str, mode: str = "w", encoding: str | None = "utf-8",
                 follow_symlinks: bool = False) -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path`` for writing (``mode`` ``"w"`` or ``"wb"``); on a
    clean exit it replaces ``path``, on an exception it is removed and ``path`` is untouched.
    With ``follow_symlinks`` (a path the user named, such as ``export -o``) a symlink's target is
    replaced and the link kept; without it (the library's own files) a symlink is replaced, so
    nothing outside the library is ever written.
    Raises ``OSError`` as the file system does (no space, read-only, permission)."""
    path = os.path.realpath(path) if follow_symlinks else os.path.abspath(path)
    folder = os.path.dirname(path)
    _remove_stale(folder, os.path.basename(path))
    tmp: str | None = None
    blocked = _block_signals()
    try:
        try:
            # the writer's pid in the name tells a later write whether this temporary file is abandoned
            fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.{os.getpid()}.", suffix=".tmp",
                                       dir=folder)
        finally:
            # a Ctrl-C or SIGTERM that came while the file was being made is raised from here on,
            # where the handler below sees ``tmp`` and removes it
            _restore_signals(blocked)
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # not every file system lets a folder be fsynced
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


# Signals whose handlers raise (Ctrl-C; SIGTERM and SIGHUP once a command ends like Ctrl-C).
_RAISING_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


def _block_signals() -> set[Any] | None:
    """Hold back the signals whose handlers raise, so none fires between a temporary file's
    creation and the code that removes it; returns the mask to restore, or ``None`` where the
    platform cannot block signals."""
    import signal

    block = getattr(signal, "pthread_sigmask", None)
    if block is None:
        return None
    sigs = {getattr(signal, name) for name in _RAISING_SIGNALS if hasattr(signal, name)}
    return set(block(signal.SIG_BLOCK, sigs))


def _restore_signals(mask: set[Any] | None) -> None:
    """Put back the mask :func:`_block_signals` returned; a signal held back meanwhile is
    delivered now."""
    import signal

    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _remove_stale(folder: str, name: str) -> None:
    """Delete the temporary files of earlier writes of ``name`` whose writer is gone (killed with
    SIGKILL, or the machine went down), which nothing else would ever remove. A file whose pid
    still runs, or that is not named as :func:`atomic_write` names them, is left alone."""
    prefix = f".{name}."
    try:
        entries = [e.name for e in os.scandir(folder) if e.name.startswith(prefix) and e.name.endswith(".tmp")]
    except OSError:
        return
    for entry in entries:
        pid = entry[len(prefix):].split(".", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(folder, entry))


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` exists on this machine (one we may not signal still counts)."""
    if pid <= 0:
        return True  # not a pid we would have written: keep the file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _mode_for(path: str) -> int:
    """The permission bits a rewrite of ``path`` keeps: the existing file's, else a new file's."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)  # the only portable way to read it
        os.umask(umask)
        return 0o666 & ~umask


def atomic_copy(src: str, path: str) -> None:
    """Copy the file ``src`` to ``path`` with :func:`atomic_write`."""
    import shutil

    with open(src, "rb") as s, atomic_write(path, "wb") as d:
        shutil.copyfileobj(s, d, 1 << 20)
