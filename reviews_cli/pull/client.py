"""A polite HTTP client for preview pages: requests with urllib3's ``Retry``.

- every request but the first waits ``delay`` seconds;
- a ``User-Agent`` names the tool and its version;
- connect and read timeouts;
- ``429`` and ``503`` are answered by waiting the ``Retry-After`` seconds (capped at
  ``retry_after_cap``), other failures (``5xx``, a dropped connection, a timeout) by exponential
  backoff; retries are bounded in number and in time: one page is given up once its attempts and
  waits would pass ``budget`` seconds (30 by default), so a server that keeps failing ends the pull
  within that time with one line saying why;
- a proxy from ``--proxy`` or, without it, from ``HTTPS_PROXY`` / ``ALL_PROXY`` (requests reads
  them); SOCKS5 through PySocks (``socks5h://`` resolves names at the proxy).
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader, MaxRetryError, ResponseError
from urllib3.util.retry import Retry

from .. import __version__
from . import PullError

if TYPE_CHECKING:
    from types import TracebackType

    from urllib3.connectionpool import ConnectionPool
    from urllib3.response import BaseHTTPResponse

USER_AGENT = f"reviews-cli/{__version__} (paper-review reader; +https://pypi.org/project/reviews-cli/)"
# a preview page is 100-300 KB; anything far larger is not one
MAX_PAGE_BYTES = 16 * 1024 * 1024
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Politeness:
    """How the client treats a server. Times in seconds: ``delay`` between requests,
    ``connect_timeout`` / ``read_timeout`` per attempt, ``backoff`` urllib3's backoff factor
    (waits ``backoff * 2**(n-1)`` before the n-th retry), ``retry_after_cap`` the most a
    ``Retry-After`` is waited, ``budget`` the most one page may take, attempts and waits included;
    ``retries`` the most retries of one page."""

    delay: float = 1.0
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    retries: int = 5
    backoff: float = 0.5
    retry_after_cap: float = 10.0
    budget: float = 30.0


class _Retry(Retry):
    """urllib3's ``Retry`` with a deadline: a retry whose wait (``Retry-After``, capped, or the
    backoff) plus one more attempt's read timeout would end past ``deadline`` (a
    ``time.monotonic()`` value) is not made. ``Retry-After`` is capped at ``cap`` seconds on
    every urllib3 version (``retry_after_max`` is recent)."""

    deadline: float | None = None
    cap: float = 10.0
    reserve: float = 0.0

    def new(self, **kw: Any) -> _Retry:
        retry = super().new(**kw)
        retry.deadline, retry.cap, retry.reserve = self.deadline, self.cap, self.reserve
        return retry

    def parse_retry_after(self, retry_after: str) -> float:
        return min(float(super().parse_retry_after(retry_after)), self.cap)

    def increment(self, method: str | None = None, url: str | None = None,
                  response: BaseHTTPResponse | None = None, error: Exception | None = None,
                  _pool: ConnectionPool | None = None, _stacktrace: TracebackType | None = None) -> _Retry:
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        assert isinstance(retry, _Retry)
        if self.deadline is not None:
            wait = retry.get_backoff_time()
            if response is not None and response.status in self.RETRY_AFTER_STATUS_CODES:
                with contextlib.suppress(InvalidHeader):
                    wait = retry.get_retry_after(response) or wait
            if time.monotonic() + wait + self.reserve > self.deadline:
                reason = error or ResponseError(f"gave up: the server kept failing (status {response.status})"
                                                if response is not None else "gave up")
                raise MaxRetryError(_pool, url or "", reason) from reason  # type: ignore[arg-type]
        return retry


@dataclass(frozen=True)
class Fetched:
    """A page as fetched: the ``url`` asked for, the ``final_url`` after redirects, whether a
    redirect happened, and the decoded ``text``."""

    url: str
    final_url: str
    redirected: bool
    text: str


def shown_url(url: str) -> str:
    """A URL fit for a message: without a user name or password."""
    try:
        parts = urlsplit(url)
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
    except ValueError:
        return "(a malformed URL)"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


class Client:
    """Fetches pages; see the module docstring. ``proxy`` (a URL) overrides the environment's
    proxies. Use as a context manager (closes the connections)."""

    def __init__(self, politeness: Politeness | None = None, proxy: str | None = None) -> None:
        self.politeness = p = politeness or Politeness()
        self.proxy = proxy
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "text/html,application/xhtml+xml"
        self.retry = _Retry(total=p.retries, connect=min(2, p.retries), read=min(2, p.retries),
                            status=p.retries, backoff_factor=p.backoff, raise_on_status=False,
                            status_forcelist=(429, 500, 502, 503, 504), allowed_methods=("GET",))
        self.retry.cap, self.retry.reserve = p.retry_after_cap, p.read_timeout
        self.adapter = HTTPAdapter(max_retries=self.retry)
        self.session.mount("http://", self.adapter)
        self.session.mount("https://", self.adapter)
        self.requests = 0  # requests made, retries not counted
        self._last = 0.0

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.close()

    def proxy_for(self, url: str) -> str | None:
        """The proxy a request to ``url`` goes through: ``--proxy``, else the environment's."""
        if self.proxy:
            return self.proxy
        env = requests.utils.get_environ_proxies(url)
        scheme = urlsplit(url).scheme
        found = env.get(scheme) or env.get("all")
        return str(found) if found else None

    def get(self, url: str) -> Fetched:
        """Fetch one page (after the delay since the last request). Raises :class:`PullError`
        with one line saying why when the page cannot be had."""
        p = self.politeness
        if self.requests and p.delay > 0:
            time.sleep(max(0.0, self._last + p.delay - time.monotonic()))
        self.requests += 1
        retry = self.retry.new()
        retry.deadline = time.monotonic() + p.budget
        self.adapter.max_retries = retry
        proxies = {"http": self.proxy, "https": self.proxy} if self.proxy else None
        started = time.monotonic()
        current = url
        try:
            try:
                for _ in range(MAX_REDIRECTS + 1):
                    resp = self.session.get(current, timeout=(p.connect_timeout, p.read_timeout), proxies=proxies,
                                            allow_redirects=False, stream=True)
                    if not resp.is_redirect:
                        break
                    location = urljoin(current, resp.headers.get("location", ""))
                    resp.close()
                    if urlsplit(location).path.rstrip("/") != urlsplit(current).path.rstrip("/"):
                        # a redirect away from the page (t.me sends a channel without a preview
                        # to /NAME): reported, not followed, so it needs no network of its own
                        return Fetched(url, location, True, "")
                    current = location  # the same page elsewhere (http -> https, another host)
                else:
                    raise PullError(f"{shown_url(url)}: too many redirects")
                data = _read_capped(resp)
            finally:
                self._last = time.monotonic()
        except requests.exceptions.RequestException as exc:
            raise PullError(self._explain(current, exc, time.monotonic() - started)) from None
        if resp.status_code >= 400:
            tries = 1 + len(getattr(getattr(resp.raw, "retries", None), "history", ()) or ())
            gave_up = f" (gave up after {tries} tries in {time.monotonic() - started:.0f} s)" if tries > 1 else ""
            raise PullError(f"{shown_url(url)}: the server answered {resp.status_code} {resp.reason or ''}".rstrip()
                            + gave_up)
        charset = requests.utils.get_encoding_from_headers(resp.headers)
        # requests falls back to Latin-1 for text/html without a charset; t.me pages are UTF-8
        if not charset or (charset.lower() == "iso-8859-1" and "charset" not in resp.headers.get("content-type", "")):
            charset = "utf-8"
        try:
            text = data.decode(charset, errors="replace")
        except LookupError:
            text = data.decode("utf-8", errors="replace")
        return Fetched(url, current, current != url, text)

    def _explain(self, url: str, exc: Exception, elapsed: float) -> str:
        """One line for a request that failed without an HTTP answer."""
        host = shown_url(url).split("://", 1)[-1].split("/", 1)[0]  # no user name or password
        proxy = self.proxy_for(url)
        why = _root_reason(exc)
        via = f" through the proxy {shown_url(proxy)}" if proxy else ""
        if isinstance(exc, (requests.exceptions.ConnectTimeout, requests.exceptions.ReadTimeout)) or why == "timed out":
            return f"{host} did not answer{via} (timed out; gave up after {elapsed:.0f} s)"
        if isinstance(exc, requests.exceptions.ProxyError) or (
                proxy and proxy.startswith("socks") and isinstance(exc, requests.exceptions.ConnectionError)
                and not isinstance(exc, requests.exceptions.ReadTimeout)):
            return f"the proxy {shown_url(proxy or '')} failed: {why}"
        if isinstance(exc, requests.exceptions.ConnectionError):
            return f"cannot reach {host}{via}: {why}"
        if isinstance(exc, requests.exceptions.TooManyRedirects):
            return f"{shown_url(url)}: too many redirects"
        if isinstance(exc, requests.exceptions.InvalidSchema) and "SOCKS" in str(exc):
            return "SOCKS proxies need PySocks (pip install 'requests[socks]')"
        return f"{shown_url(url)}: {why}"


def _read_capped(resp: requests.Response) -> bytes:
    """The body, at most :data:`MAX_PAGE_BYTES`; a larger one is not a preview page."""
    chunks: list[bytes] = []
    size = 0
    for chunk in resp.iter_content(1 << 16):
        size += len(chunk)
        if size > MAX_PAGE_BYTES:
            resp.close()
            raise requests.exceptions.ContentDecodingError(f"the answer is larger than {MAX_PAGE_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


_WHY = {
    "ECONNREFUSED": "connection refused", "ENETUNREACH": "network unreachable", "EHOSTUNREACH": "host unreachable",
    "ECONNRESET": "connection reset",
}


def _root_reason(exc: BaseException) -> str:
    """A short reason from the innermost cause of a requests error: ``connection refused``,
    ``name not resolved (no network?)``, or the error's own words."""
    import errno
    import socket

    seen: set[int] = set()
    cur: BaseException | None = exc
    found: str | None = None
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, socket.gaierror):
            return "the name cannot be resolved (no network?)"
        if isinstance(cur, TimeoutError) or type(cur).__name__ in ("ReadTimeoutError", "ConnectTimeoutError"):
            return "timed out"
        if isinstance(cur, OSError) and cur.errno:
            found = _WHY.get(errno.errorcode.get(cur.errno, ""), cur.strerror or str(cur))
        if type(cur).__name__ == "NameResolutionError":
            return "the name cannot be resolved (no network?)"
        nxt = getattr(cur, "reason", None)
        if isinstance(nxt, BaseException) and id(nxt) not in seen:
            cur = nxt
            continue
        cur = cur.__cause__ or cur.__context__ or (cur.args[0] if cur.args and isinstance(cur.args[0], BaseException)
                                                   else None)
    if found:
        return found
    text = " ".join(str(exc).split())
    if "Connection refused" in text:
        return "connection refused"
    return text[:160] or type(exc).__name__
