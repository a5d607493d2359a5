"""The ``pull`` command: keep up with public channels through their web preview."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from ..errors import ExitCode, Terminated, UsageError
from ..safe_text import clean_line

if TYPE_CHECKING:
    from ..pull.run import PullReport

_PROXY_SCHEMES = ("http", "https", "socks5", "socks5h", "socks4", "socks4a")


@click.command()
@click.argument("channels", nargs=-1, metavar="[CHANNEL]...")
@click.option("--since", metavar="DATE", help="Go back no further than posts of DATE (2024, 2024-05, 2024-05-01).")
@click.option("--limit", type=click.IntRange(1, None), metavar="N", help="Fetch at most N posts new to the library.")
@click.option("--delay", type=click.FloatRange(0, 600), default=1.0, show_default=True, metavar="SECONDS",
              help="Wait between two requests.")
@click.option("--proxy", metavar="URL", help="Go through this proxy (http://, socks5h://…) instead of "
                                             "$HTTPS_PROXY / $ALL_PROXY.")
def pull(channels: tuple[str, ...], since: str | None, limit: int | None, delay: float, proxy: str | None) -> None:
    """Fetch a public channel's posts from its web preview (t.me/s/NAME) into the library,
    newest first. CHANNEL is NAME, @NAME, t.me/NAME, https://t.me/s/NAME, or the preview URL of
    a mirror (http://host:port/s/NAME). Without CHANNEL, every channel pulled before is updated.

    A later pull fetches only the posts that are new, and a pull that failed or was interrupted
    keeps what it fetched and is finished by the next one. Requests are spaced by --delay,
    answer 429/503 by waiting, and give up on a failing server within 30 s. A progress bar on a
    terminal, else one line per channel; exit 1 when a channel could not be pulled.

    \b
    Examples:
      reviews pull gonzo_ML
      reviews pull https://t.me/s/gonzo_ML --since 2024-01
      reviews pull --proxy socks5h://127.0.0.1:9050
    """
    from ..pull import PullError
    from ..pull.run import PullOptions, parse_since
    from ..pull.target import parse_target

    targets = [parse_target(c) for c in channels]
    if proxy is not None:
        scheme = proxy.split("://", 1)[0].lower() if "://" in proxy else ""
        if scheme not in _PROXY_SCHEMES:
            raise UsageError(f"--proxy takes a URL such as http://host:3128 or socks5h://host:1080, not {proxy!r}")
    options = PullOptions(since=parse_since(since) if since else None, limit=limit)
    from ._common import _library

    lib = _library(write=True)
    if not targets:
        from ..pull.resume import pulled_channels

        known = pulled_channels(lib.home)
        if not known:
            raise UsageError("no channel pulled yet: give one, e.g. reviews pull gonzo_ML")
        targets = [parse_target(c.url or c.channel) for c in known]
    from ..pull.client import Client, Politeness
    from ..pull.run import pull as pull_channel

    failed = False
    with Client(Politeness(delay=delay), proxy=proxy) as client:
        for target in targets:
            report = None
            bar = _Bar(target.channel)
            try:
                with bar:
                    report = pull_channel(lib, target, client, options, progress=bar.update)
            except (KeyboardInterrupt, Terminated) as exc:
                from ..pull.resume import pulled_channels

                # what the library holds now, whenever the signal came
                kept = next((c.posts for c in pulled_channels(lib.home) if c.channel.casefold() == target.key), 0)
                click.echo(f"reviews: {clean_line(target.channel)}: interrupted; {kept} posts of the channel are "
                           "stored, pull again to go on", err=True)
                sys.exit(ExitCode.INTERRUPTED if isinstance(exc, KeyboardInterrupt) else ExitCode.TERMINATED)
            except PullError as exc:
                failed = True
                click.echo(f"reviews: {clean_line(str(exc))}", err=True)
                continue
            if report.pages or not report.error:
                click.echo(clean_line(report.summary()))
            if report.error:
                failed = True
                note = f"; the {report.posts} new posts fetched are kept, pull again to go on" if report.posts else ""
                click.echo(f"reviews: {clean_line(report.error)}{note}", err=True)
    sys.exit(ExitCode.FAILED if failed else ExitCode.OK)


class _Bar:
    """rich's progress on stderr while one channel is pulled, when stderr is a terminal: pages,
    posts and reviews found so far. Else nothing. ``update`` is the pull's progress callback."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.progress: Any = None
        self.task: Any = None
        if sys.stderr.isatty():
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            from ._common import _console

            self.progress = Progress(SpinnerColumn(), TextColumn("[bold]{task.description}[/]"),
                                     TextColumn("{task.fields[pages]} pages · {task.fields[posts]} posts · "
                                                "{task.fields[reviews]} reviews"),
                                     TimeElapsedColumn(), console=_console(stderr=True), transient=True)

    def __enter__(self) -> _Bar:
        if self.progress is not None:
            from rich.markup import escape

            self.progress.start()
            self.task = self.progress.add_task(escape(clean_line(self.channel)), total=None, pages=0, posts=0,
                                               reviews=0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def update(self, report: PullReport) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, pages=report.pages, posts=report.posts, reviews=report.reviews)


COMMANDS = [pull]
