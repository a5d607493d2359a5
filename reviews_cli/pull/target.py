"""What ``reviews pull CHANNEL`` names: a channel's username and the preview URL its pages are
read from.

Accepted forms (Telegram usernames are 4–32 letters, digits and ``_``, starting with a letter,
and case-insensitive): ``NAME``, ``@NAME``, ``t.me/NAME``, ``t.me/s/NAME``, ``telegram.me/…``,
with or without ``https://`` and a trailing post id (``t.me/NAME/123``); and the full base URL
of a mirror or stand-in server that serves the same markup (``http://127.0.0.1:8080/s/NAME``),
whose pages are read from that URL as given. Posts always get their canonical link
``https://t.me/NAME/ID``, whatever the pages were read from.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

from ..errors import UsageError

USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
_TME_HOSTS = frozenset({"t.me", "www.t.me", "telegram.me", "www.telegram.me", "telegram.dog"})


class Target(NamedTuple):
    """A channel to pull: ``channel`` as the user spelt it, ``base`` the preview URL whose pages
    are ``base``, ``base?before=ID`` and ``base?after=ID``."""

    channel: str
    base: str

    @property
    def key(self) -> str:
        """The channel's identity (usernames are case-insensitive)."""
        return self.channel.casefold()


def parse_target(text: str) -> Target:
    """The :class:`Target` a command-line argument names. Raises :class:`UsageError` (exit 2)
    for anything else: ``bad name!!``, an empty name, a URL with no channel in its path, a
    scheme other than http(s)."""
    raw = text.strip()
    bad = UsageError(f"{text!r} is not a channel: give NAME, @NAME, t.me/NAME, https://t.me/s/NAME "
                     "or a preview URL such as http://host:port/s/NAME")
    if not raw:
        raise bad
    if USERNAME.fullmatch(raw.removeprefix("@")):
        name = raw.removeprefix("@")
        return Target(name, f"https://t.me/s/{name}")
    url = raw if "://" in raw else "https://" + raw
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        raise bad from None
    if parts.scheme not in ("http", "https") or not host or any(c.isspace() for c in raw):
        raise bad
    segments = [s for s in parts.path.split("/") if s]
    if host in _TME_HOSTS:
        if segments[:1] == ["s"]:
            segments = segments[1:]
        # t.me/NAME or t.me/NAME/123 (a post's link)
        if not segments or len(segments) > 2 or not USERNAME.fullmatch(segments[0]) or (
                len(segments) == 2 and not re.fullmatch(r"[0-9]{1,10}", segments[1])):
            raise bad
        return Target(segments[0], f"https://t.me/s/{segments[0]}")
    # a mirror or stand-in: the base URL as given, its last path segment the channel
    if not segments or not USERNAME.fullmatch(segments[-1]):
        raise bad
    base = urlunsplit((parts.scheme, parts.netloc, "/" + "/".join(segments), "", ""))
    return Target(segments[-1], base)
