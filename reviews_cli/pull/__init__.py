"""Fetching a public channel's web preview (``https://t.me/s/NAME``) into the library.

``client`` speaks HTTP politely (requests with urllib3's ``Retry``: delays, ``Retry-After``,
bounded retries, timeouts, proxies); ``pages`` reads one preview page; ``resume`` keeps what was
fetched (a dump of the channel in the library, written atomically page by page, with the state
that lets the next pull go on where this one stopped); ``run`` walks a channel from its newest
post to its oldest. Only this package imports ``requests``, and only when a pull runs.
"""

from __future__ import annotations

from ..errors import ReviewsError


class PullError(ReviewsError):
    """A pull could not go on: a one-line ``str()`` naming the channel, URL or proxy and why
    (no network, a refusing proxy, a server that kept failing, a channel without a preview)."""


class PrivateChannel(PullError):
    """The channel has no public preview (t.me answers ``/s/NAME`` with a redirect to ``/NAME``)."""
