"""What a container hands to the recognizer: one :class:`Post`.

A container (Telegram Desktop JSON/HTML export, saved ``t.me/s`` page, saved Habr page, the text
copies) only knows where posts start and end and what each carries; it never decides whether a
post reviews a paper. That is :mod:`reviews_cli.parsing.recognize`'s job, the same for every
format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

# Post kinds. A ``message`` is one channel post whose bounds the container knows (an export
# message, a t.me/s widget, one mirrored post, a furniture-delimited chunk of a copied page). An
# ``article`` is a web page (Habr digest, conference round-up): its site menu, table of contents
# and footer are furniture, and only headed sections are reviews.
MESSAGE = "message"
ARTICLE = "article"
SERVICE = "service"
POLL = "poll"


class HiddenLink(NamedTuple):
    """A link behind words: ``line`` is the 0-based line of :attr:`Post.text` the words are on,
    ``label`` the words (``Статья``, a paper title, ``тут``), ``href`` the URL."""

    line: int
    label: str
    href: str


@dataclass
class Post:
    """One post as its container delimits it.

    ``text`` is plain text with ``\\n`` line ends (links that were behind words are listed in
    ``links``, bare URLs stay in the text); ``where`` locates it for skip reports (``message 21``,
    ``line 120``); ``date`` is ISO 8601; ``post_id`` is ``<channel>/<id>`` and ``url`` the post's
    public URL where the container has them; ``kind`` is one of ``message``, ``article``,
    ``service`` (``action`` says which), ``poll``.
    """

    text: str
    where: str
    links: list[HiddenLink] = field(default_factory=list)
    date: str | None = None
    post_id: str | None = None
    url: str | None = None
    kind: str = MESSAGE
    action: str | None = None
    forwarded: bool = False


class Origin(NamedTuple):
    """What a container says about the whole dump before its posts: the channel or site title."""

    title: str | None = None
