"""A stand-in for t.me's public channel preview, for the pull tests: a real HTTP server on
127.0.0.1 (http.server in a thread) that serves ``/s/NAME``, ``/s/NAME?before=ID`` and
``/s/NAME?after=ID`` pages in the t.me/s markup (structure copied from a real preview page: the
``tme_messages_more`` links, ``div.tgme_widget_message_wrap`` > ``div.tgme_widget_message[data-post]``
with ``div.tgme_widget_message_text`` and ``a.tgme_widget_message_date > time[datetime]``).

Post texts are real public posts (tests/fixtures/real_posts/*.yaml). The server can publish new
posts between pulls, answer one request with ``429 Retry-After``, fail with ``500`` after some
pages, redirect a private channel to ``/NAME``, and it logs every request it answered.
"""

from __future__ import annotations

import html
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

PAGE = 20
REAL = Path(__file__).parent / "fixtures" / "real_posts"
_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]»]")


def real_posts() -> list[dict]:
    """Real single posts (not whole copied pages), reviews and non-reviews alike, in file order."""
    out = []
    for name in ("gonzo_ml.yaml", "ru_channels.yaml", "en_channels.yaml"):
        for entry in yaml.safe_load((REAL / name).read_text(encoding="utf-8")):
            if not entry.get("whole_page") and len(entry.get("reviews") or []) <= 1:
                out.append(entry)
    return out


def text_html(text: str, hide: dict[str, str] | None = None) -> str:
    """A post's text as t.me renders it: escaped, ``<br/>`` line breaks, URLs as anchors; a
    line in ``hide`` becomes an anchor to the URL given, the URL itself not in the text."""
    lines = []
    for line in text.rstrip("\n").split("\n"):
        if hide and line in hide:
            lines.append(f'<a href="{html.escape(hide[line])}" target="_blank" rel="noopener">{html.escape(line)}</a>')
            continue
        out, pos = [], 0
        for m in _URL.finditer(line):
            out.append(html.escape(line[pos:m.start()]))
            url = html.escape(m.group(0))
            out.append(f'<a href="{url}" target="_blank" rel="noopener">{url}</a>')
            pos = m.end()
        out.append(html.escape(line[pos:]))
        lines.append("".join(out))
    return "<br/>".join(lines)


@dataclass
class Channel:
    name: str
    title: str
    posts: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (inner html, ISO date)
    private: bool = False

    def publish(self, inner: str, date: str | None = None) -> int:
        pid = max(self.posts, default=0) + 1
        self.posts[pid] = (inner, date or f"2025-{1 + pid // 28 % 12:02d}-{1 + pid % 28:02d}T10:00:00+00:00")
        return pid


def wrap(channel: Channel, pid: int) -> str:
    inner, date = channel.posts[pid]
    post = f"{channel.name}/{pid}"
    return f'''<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="{post}" data-view="eyJjIjotMTAwMTMyNjIyMzI4NCJ9">
  <div class="tgme_widget_message_user"><a href="https://t.me/{channel.name}"><i class="tgme_widget_message_user_photo bgcolor0" data-content="g"></i></a></div>
  <div class="tgme_widget_message_bubble">
    <i class="tgme_widget_message_bubble_tail"><svg class="bubble_icon" width="9px" height="20px" viewBox="0 0 9 20"></svg></i>
    <div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="https://t.me/{channel.name}"><span dir="auto">{html.escape(channel.title)}</span></a></div>
    <div class="tgme_widget_message_text js-message_text" dir="auto">{inner}</div>
    <div class="tgme_widget_message_footer compact js-message_footer">
      <div class="tgme_widget_message_info short js-message_info">
        <span class="tgme_widget_message_views">4.1K</span><span class="copyonly"> views</span>
        <span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="https://t.me/{post}"><time datetime="{date}" class="time">10:00</time></a></span>
      </div>
    </div>
  </div>
</div></div>'''


def page(channel: Channel, ids: list[int], before: int | None, after: int | None) -> str:
    more_before = (f'<div class="tgme_widget_message_centered js-messages_more_wrap"><a href="/s/{channel.name}?before={before}" '
                   f'class="tme_messages_more js-messages_more" data-before="{before}"></a></div>') if before else ""
    more_after = (f'<div class="tgme_widget_message_centered js-messages_more_wrap"><a href="/s/{channel.name}?after={after}" '
                  f'class="tme_messages_more js-messages_more" data-after="{after}"></a></div>') if after else ""
    posts = "\n".join(wrap(channel, pid) for pid in ids)
    return f'''<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>{html.escape(channel.title)} – Telegram</title>
    <meta property="og:title" content="{html.escape(channel.title)}">
    <link rel="canonical" href="https://t.me/s/{channel.name}">
  </head>
  <body class="widget_frame_base tgme_webpreview_body">
    <header class="tgme_header search_collapsed"><div class="tgme_header_info"><div class="tgme_header_title">{html.escape(channel.title)}</div></div></header>
    <main class="tgme_main">
      <div class="tgme_channel_info_header"><div class="tgme_channel_info_header_title"><span dir="auto">{html.escape(channel.title)}</span></div>
      <div class="tgme_channel_info_header_username"><a href="https://t.me/{channel.name}">@{channel.name}</a></div></div>
      <section class="tgme_channel_history js-message_history">
        {more_before}
{posts}
        {more_after}
      </section>
    </main>
  </body>
</html>
'''


class PreviewServer:
    """The stand-in server; ``base(name)`` is a channel's preview URL. ``fail_after`` answers
    500 to every page request after that many pages; ``throttle`` answers the request numbers in
    it (1-based) with ``429 Retry-After: 1``."""

    def __init__(self) -> None:
        self.channels: dict[str, Channel] = {}
        self.log: list[tuple[str, int]] = []  # (path?query, status)
        self.fail_after: int | None = None
        self.throttle: set[int] = set()
        self.retry_after = "1"
        self.hang: float = 0.0  # seconds every page request sleeps before answering
        self.pages_served = 0
        self.closed = False
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                outer.handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def base(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/s/{name}"

    def page_requests(self, since: int = 0) -> list[str]:
        """The pages served (status 200) from the ``since``-th request on."""
        return [p for p, status in self.log[since:] if status == 200 and p.startswith("/s/")]

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.httpd.shutdown()
            self.httpd.server_close()

    def handle(self, req: BaseHTTPRequestHandler) -> None:
        if self.hang:
            import time

            time.sleep(self.hang)
        parts = urlsplit(req.path)
        with self.lock:
            number = len(self.log) + 1
            status, body, headers = self.answer(parts.path, parse_qs(parts.query), number)
            self.log.append((req.path, status))
        data = body.encode("utf-8")
        req.send_response(status)
        for k, v in headers.items():
            req.send_header(k, v)
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        req.wfile.write(data)

    def answer(self, path: str, query: dict, number: int) -> tuple[int, str, dict]:
        html_type = {"Content-Type": "text/html; charset=utf-8"}
        if number in self.throttle:
            return 429, "Too Many Requests", {"Retry-After": self.retry_after}
        m = re.fullmatch(r"/s/(\w+)", path)
        if not m:
            name = path.strip("/")
            if name in self.channels:  # the channel's landing page, no posts
                return 200, f"<html><body><div class='tgme_page_title'>{name}</div></body></html>", html_type
            return 404, "Not Found", html_type
        channel = self.channels.get(m.group(1))
        if channel is None:
            return 404, "Not Found", html_type
        if channel.private:  # as t.me does: the channel page, an absolute URL on t.me
            return 302, "", {"Location": f"https://t.me/{channel.name}"}
        if self.fail_after is not None and self.pages_served >= self.fail_after:
            return 500, "Internal Server Error", html_type
        self.pages_served += 1
        ids = sorted(channel.posts)
        before = query.get("before", [None])[0]
        after = query.get("after", [None])[0]
        if before:
            chosen = [i for i in ids if i < int(before)][-PAGE:]
        elif after:
            chosen = [i for i in ids if i > int(after)][:PAGE]
        else:
            chosen = ids[-PAGE:]
        older = chosen[0] if chosen and chosen[0] > ids[0] else None
        newer = chosen[-1] if (before or after) and chosen and chosen[-1] < ids[-1] else None
        return 200, page(channel, chosen, older, newer), html_type


class HttpProxy:
    """A forwarding HTTP proxy on 127.0.0.1 (absolute-URI GETs relayed with http.client); ``seen``
    lists the URLs it relayed."""

    def __init__(self) -> None:
        import http.client

        self.seen: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.seen.append(self.path)
                parts = urlsplit(self.path)
                conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=10)
                conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""),
                             headers={"User-Agent": self.headers.get("User-Agent", "")})
                resp = conn.getresponse()
                body = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                conn.close()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Socks5Proxy:
    """A minimal SOCKS5 proxy (no authentication, CONNECT only) on 127.0.0.1; ``names`` lists
    the destination host names clients asked it to resolve (``socks5h``)."""

    def __init__(self) -> None:
        import socket
        import socketserver
        import struct

        self.names: list[str] = []
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                s = self.request
                s.settimeout(10)
                _, n = s.recv(2)
                s.recv(n)
                s.sendall(b"\x05\x00")
                _, _, _, atyp = s.recv(4)
                if atyp == 1:
                    host = socket.inet_ntoa(s.recv(4))
                elif atyp == 3:
                    host = s.recv(s.recv(1)[0]).decode()
                    outer.names.append(host)
                else:
                    s.sendall(b"\x05\x08\x00\x01" + b"\0" * 6)
                    return
                (port,) = struct.unpack("!H", s.recv(2))
                try:
                    up = socket.create_connection((host, port), timeout=10)
                except OSError:
                    s.sendall(b"\x05\x05\x00\x01" + b"\0" * 6)
                    return
                s.sendall(b"\x05\x00\x00\x01" + b"\0" * 6)
                import selectors

                sel = selectors.DefaultSelector()
                sel.register(s, selectors.EVENT_READ, up)
                sel.register(up, selectors.EVENT_READ, s)
                done = False
                while not done:
                    for key, _ in sel.select(timeout=10):
                        data = key.fileobj.recv(65536)
                        if not data:
                            done = True
                            break
                        key.data.sendall(data)
                up.close()

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"socks5h://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then closed)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
