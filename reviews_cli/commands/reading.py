"""The reading commands: search, tag, list, show, open, related, tags."""

from __future__ import annotations

import os
import sys

import click

from ..errors import ExitCode, NotFound, ReviewsError
from ..safe_text import clean_line
from ._common import (
    QueryCommand,
    _completer,
    _date_options,
    _library,
    _limit_option,
    _note,
    _print,
    _settings,
    _width,
)
from ._marks import mark_shown, state_filters, state_flags, states_for

SEARCH_HELP = """Search the library; the best match comes first.

\b
QUERY language:
  lottery ticket        all words must match (Russian and English, any
                        inflection: лотерея finds «лотерейного»); when
                        no review has them all, the best partial matches
  "winning tickets"     exact phrase
  prun*                 prefix
  -pruning              exclude a word (or -"a phrase")
  author:Frankle        in the authors      reviewer:Скоблов  the reviewer
  tag:GAN               with that hashtag   source:habr       from that dump
  year:2019             paper year          year:2019..2020   a range
  -tag:GAN  -year:2019  a - before any filter excludes what it matches
  1803.03635            an arXiv id or URL ranks that paper's reviews first
  #GAN                  ranks the reviews with that hashtag first
  is:starred  has:note  your marks (is:read, is:unread; -is:read excludes)

\b
A misspelt word is corrected to the closest word in the library, and a
word typed in the wrong keyboard layout (дщееукн for lottery, j,pjh for
обзор) is searched as meant; the output says what was searched.
Punctuation is never syntax: GPT-3, C++ and O(sqrt(N)) are ordinary
searches.

\b
Examples:
  reviews search lottery ticket
  reviews search '"winning tickets"' --sort date
  reviews search author:Frankle year:2018..2020 --json

Exit status: 0 found, 1 nothing found, 2 bad query.
"""



# `-word` excludes a word: only -n, -h and the long options are options (QueryCommand), so
# `-nlp` stays a query word rather than `-n lp`.
@click.command(cls=QueryCommand, help=SEARCH_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("query", nargs=-1, required=True, type=click.UNPROCESSED)
@_limit_option("the config's limit, else 10")
@click.option("--sort", type=click.Choice(["relevance", "date", "title"]), default=None,
              help="Result order.  [default: the config's sort, else relevance]")
@_date_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with score and snippet) instead of a table.")
@click.option("--mode", type=click.Choice(["lexical", "semantic", "hybrid"]), default=None,
              help="Rank by words (lexical), by meaning (semantic: the [semantic] extra) or both (hybrid).  "
                   "[default: hybrid with the extra, else lexical]")
@state_filters
def search(query: tuple[str, ...], limit: int | None, sort: str | None, since: str | None, until: str | None,
           as_json: bool, mode: str | None, **marks: bool) -> None:
    from ..library.embedder import SemanticUnavailable, available
    from ..search.dates import date_range
    from ..search.query import Query

    q = Query.parse(" ".join(query))
    q.dates = date_range(since, until)
    q.states += state_flags(**marks)
    limit = limit or _settings().limit or 10
    sort = sort or _settings().sort
    if mode not in (None, "lexical") and not available():
        raise SemanticUnavailable
    mode = mode or ("hybrid" if available() else "lexical")
    lib = _library()
    if mode == "lexical":
        from ..search.search import Searcher

        result = Searcher(lib.conn).search(q, limit=limit, sort=sort)
    else:
        from ..search.hybrid import search as search_by_meaning

        result = search_by_meaning(lib.conn, q, limit=limit, sort=sort, mode=mode)
    if result.unembedded:
        _note(f"reviews: {result.unembedded} reviews are not embedded yet (searched by words only); "
              "`reviews embed` embeds them")
    if as_json:
        from ..render.machine import search_json

        click.echo(search_json(result, states_for(lib, [h.review for h in result.hits])))
        sys.exit(ExitCode.OK if result.hits else ExitCode.FAILED)
    if not result.hits and mode == "semantic":
        raise ReviewsError(f"nothing close in meaning to {q.text!r}")
    if not result.hits:
        raise NotFound(q.text)
    from ..render.human import search_table

    _print(*search_table(result, _width(), states_for(lib, [h.review for h in result.hits])))
    _say_shown(len(result.hits), result.total)


def _say_shown(shown: int, total: int) -> None:
    """``10 of 214`` on stderr under a table, and how to see more when some are left out."""
    more = "; --limit N shows more" if total > shown else ""
    _note(f"{shown} of {total}{more}")


@click.command()
@click.argument("tags", nargs=-1, required=True, shell_complete=_completer("complete_tags"))
@click.option("--any", "any_", is_flag=True, help="Records with any of the tags (default: all of them).")
@_limit_option("the config's limit, else 50")
@_date_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {total, hits: [record + rank, score, snippet]}.")
@state_filters
def tag(tags: tuple[str, ...], any_: bool, limit: int | None, since: str | None, until: str | None,
        as_json: bool, **marks: bool) -> None:
    """Reviews with a hashtag, newest first: '#GAN', GAN and gan are the same tag. Several
    tags: all must be present (or any, with --any).

    \b
    Examples:
      reviews tag '#GAN'
      reviews tag ICLR pruning --any
      reviews tag NLP --json
    """
    from ..search.dates import date_range
    from ..search.search import Searcher

    dates = date_range(since, until)
    limit = limit or _settings().limit or 50
    lib = _library()
    searcher = Searcher(lib.conn)
    flags = state_flags(**marks)
    found = searcher.by_tags(list(tags), any_=any_, limit=limit, dates=dates, states=flags)
    total = searcher.count_tags(list(tags), any_=any_, dates=dates, states=flags) if len(found) == limit \
        else len(found)
    if as_json:
        from ..render.machine import hits_json

        click.echo(hits_json(found, total, states_for(lib, found)))
        sys.exit(ExitCode.OK if found else ExitCode.FAILED)
    if not found:
        raise NotFound(" ".join(tags))
    from ..render.human import reviews_table

    _print(reviews_table(found, _width(), state=states_for(lib, found)))
    _say_shown(len(found), total)


@click.command("list")
@_limit_option("the config's limit, else 20")
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Only reviews with this hashtag (repeatable).")
@click.option("--source", metavar="NAME", help="Only reviews read from a source whose name contains NAME.")
@_date_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {total, hits: [record + rank, score, snippet]}.")
@state_filters
def list_(limit: int | None, tags: tuple[str, ...], source: str | None, since: str | None, until: str | None,
          as_json: bool, **marks: bool) -> None:
    """The newest reviews first (by the post's date, else the order they were added).

    \b
    Examples:
      reviews list
      reviews list --tag ICLR -n 5
      reviews list --source gonzo --json
    """
    from ..search.dates import date_range
    from ..search.records import recent

    dates = date_range(since, until)
    limit = limit or _settings().limit or 20
    lib = _library()
    found, total = recent(lib.conn, limit, tags, source, dates, states=state_flags(**marks))
    if as_json:
        from ..render.machine import hits_json

        click.echo(hits_json(found, total, states_for(lib, found)))
        sys.exit(ExitCode.OK if found else ExitCode.FAILED)
    if not found:
        raise NotFound("reviews matching these filters")
    from ..render.human import reviews_table

    _print(reviews_table(found, _width(), state=states_for(lib, found)))
    _say_shown(len(found), total)


@click.command("open")
@click.argument("ref", metavar="REF", shell_complete=_completer("complete_refs"))
@click.option("--paper", "what", flag_value="paper", default=True, help="Open the paper (the default).")
@click.option("--code", "what", flag_value="code", help="Open the code.")
@click.option("--post", "what", flag_value="post", help="Open the post the review was read from.")
def open_(ref: str, what: str) -> None:
    """Open a review's paper, code or post in the browser ($BROWSER is honoured) and print the
    URL. REF is anything `show` takes.

    \b
    Examples:
      reviews open 1803.03635
      reviews open --code SC-FEGAN
      reviews open --post 8d5fd2cd
    """
    from ..search.resolve import resolve

    lib = _library()
    found = resolve(lib.conn, ref)
    url = next((u for r in found for u in _urls_of(r, what) if u.lower().startswith(("https://", "http://"))), None)
    if url is None:
        raise ReviewsError(f"{found[0].title}: the review has no {what} link")
    click.echo(clean_line(url))
    import webbrowser

    try:
        opened = webbrowser.open(url)
    except webbrowser.Error as exc:  # no browser found at all
        raise ReviewsError(f"cannot open a browser ({exc}); the URL is above") from None
    if not opened:  # the $BROWSER command (or the platform's) failed
        browser = os.environ.get("BROWSER")
        how = f"$BROWSER ({browser})" if browser else "the browser"
        raise ReviewsError(f"{how} could not open {url}; the URL is above") from None


def _urls_of(r, what: str) -> list[str]:
    """A review's URLs of one kind: ``paper`` (its paper URL, paper links, the arXiv page),
    ``code`` (code links) or ``post`` (the posts it was read from)."""
    if what == "paper":
        urls = [r.paper_url] + [ln.url for ln in r.links if ln.role == "paper"]
        return [u for u in urls if u] + ([f"https://arxiv.org/abs/{r.arxiv_id}"] if r.arxiv_id else [])
    if what == "code":
        return [ln.url for ln in r.links if ln.role == "code"]
    return [s.url for s in r.sources if s.url]


@click.command()
@click.option("--limit", "-n", default=None, type=click.IntRange(min=1), metavar="N",
              help="Most tags shown.  [default: every tag]")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: [{tag, reviews}].")
def tags(limit: int | None, as_json: bool) -> None:
    """Every tag in the library with its number of reviews, most used first.

    \b
    Examples:
      reviews tags
      reviews tags -n 20
      reviews tags --json
    """
    lib = _library()
    rows = lib.tags()[:limit]
    if as_json:
        from ..render.machine import to_json

        click.echo(to_json([{"tag": t, "reviews": n} for t, n in rows]))
        return
    from ..render.human import tags_table

    _print(tags_table(rows))


@click.command()
@click.argument("ident", metavar="ID", shell_complete=_completer("complete_refs"))
@click.option("--json", "as_json", is_flag=True, help="Print the records as a JSON array.")
@click.option("--full", is_flag=True, help="Render the whole body of a very long review (by default the first "
              "20,000 characters).")
def show(ident: str, as_json: bool, full: bool) -> None:
    """One review, or every review of one paper. ID is an arXiv id or URL (1803.03635,
    arXiv:1803.03635, https://arxiv.org/abs/1803.03635v2), a record id (or 4+ of its first
    digits), or a title fragment. A fragment or prefix matching several papers lists them with
    their ids (exit 1). Shows your star and note, and marks what it shows as read (config
    mark_read_on_show: false turns that off).

    \b
    Examples:
      reviews show 1803.03635
      reviews show "lottery ticket"
      reviews show 8d5fd2cd --json
    """
    from ..search.resolve import resolve

    lib = _library()
    found = resolve(lib.conn, ident)
    if _settings().mark_read_on_show:
        mark_shown(lib, found)
    state = states_for(lib, found)
    if as_json:
        from ..render.machine import reviews_json

        click.echo(reviews_json(found, state))
        return
    from ..render.human import review_page

    parts = []
    for i, r in enumerate(found):
        if i:
            from rich.rule import Rule

            parts.append(Rule())
        parts += review_page(r, full=full, state=state)
    _print(*parts)


@click.command("related")
@click.argument("ref", metavar="REF", shell_complete=_completer("complete_refs"))
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(min=1), metavar="N",
              help="Most reviews shown.")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: {of: [ids], hits: [record + rank, score, reasons]}.")
def related_(ref: str, limit: int, as_json: bool) -> None:
    """The reviews most like one paper's review: similar text, shared tags and authors, papers
    cited. Best first, never the paper itself; the "why" column says what they share. REF is
    anything `show` takes (an arXiv id or URL, a record id, a title fragment).

    \b
    Examples:
      reviews related 1803.03635
      reviews related "lottery ticket" -n 5
      reviews related 8d5fd2cd --json
    """
    from ..search.related import related
    from ..search.resolve import resolve

    lib = _library()
    refs = resolve(lib.conn, ref)  # every review of one paper; several papers: Ambiguous, as for show
    hits = related(lib.conn, refs, limit=limit)
    if as_json:
        from ..render.machine import to_json

        click.echo(to_json({"of": [r.id for r in refs], "hits": [
            {**x.review.to_dict(), "rank": k, "score": x.score, "reasons": list(x.reasons)}
            for k, x in enumerate(hits, start=1)]}))
        sys.exit(ExitCode.OK if hits else ExitCode.FAILED)
    if not hits:
        raise ReviewsError(f"{refs[0].title}: no other review shares its words, tags, authors or cited papers")
    from ..render.human import related_table

    _print(*related_table(refs, hits, _width()))



COMMANDS = [search, tag, list_, show, open_, related_, tags]
