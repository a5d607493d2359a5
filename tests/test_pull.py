"""`reviews pull`: a channel's public web preview fetched from a real HTTP server on 127.0.0.1
(tests/tme_server.py), never the internet, never a mocked client."""

from __future__ import annotations

import json
import os
import time

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from tme_server import Channel, HttpProxy, PreviewServer, Socks5Proxy, closed_port, real_posts, text_html

from reviews_cli.cli import main
from reviews_cli.errors import UsageError
from reviews_cli.library import Library, discard_index
from reviews_cli.pull import PullError
from reviews_cli.pull.client import USER_AGENT, Client, Politeness
from reviews_cli.pull.pages import parse_page
from reviews_cli.pull.resume import BLOCK, ChannelDump, PullState, StoredPost, load_dump, pulled_channels
from reviews_cli.pull.run import PullOptions, pull
from reviews_cli.pull.target import parse_target

FAST = Politeness(delay=0, backoff=0.01)
POSTS = real_posts()
# the real post whose title is linked (hidden) below, and whose text has a ">" that the page escapes
HIDDEN_TITLE = "Reasoning Models Generate Societies of Thought"


@pytest.fixture(autouse=True)
def _no_env_proxy(monkeypatch):
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy",
                "no_proxy"):
        monkeypatch.delenv(var, raising=False)


def gonzo() -> Channel:
    """A channel of the real posts (46): three pages."""
    ch = Channel("gonzo_ML", "gonzo-обзоры ML статей")
    for e in POSTS:
        hide = None
        if HIDDEN_TITLE in e["text"]:
            hide = {HIDDEN_TITLE: "https://arxiv.org/abs/2601.10825"}
            e = {**e, "text": e["text"].replace("Статья: https://arxiv.org/abs/2601.10825\n", "")}
        ch.publish(text_html(e["text"], hide))
    return ch


@pytest.fixture
def server():
    srv = PreviewServer()
    srv.channels["gonzo_ML"] = gonzo()
    yield srv
    srv.close()


@pytest.fixture
def lib(_isolated_home):
    lib = Library.open()
    yield lib
    lib.close()


def do_pull(lib, url, politeness=FAST, proxy=None, **opts):
    with Client(politeness, proxy=proxy) as client:
        return pull(lib, parse_target(url), client, PullOptions(**opts))


def pulled_records(lib):
    return [r for r in lib.iter_reviews() if any(s.path.startswith("t.me/s/gonzo_ML/") for s in r.sources)]


def stored(lib, channel="gonzo_ML"):
    """The channel's posts and state as the library keeps them (read back from its dump files)."""
    return load_dump(lib.home, parse_target(channel))


def stored_text(lib):
    text = ""
    for name in sorted(os.listdir(os.path.join(lib.home, "dumps"))):
        with open(os.path.join(lib.home, "dumps", name), encoding="utf-8") as f:
            text += f.read()
    return text


def publish_new(ch, n):
    for k in range(n):
        ch.publish(text_html(f"Анонс: эфир номер {k} про новые статьи, ссылка будет позже."))


# ------------------------------------------------------------------------------ the walk

def test_first_pull_walks_newest_to_oldest_and_keeps_link_and_date(server, lib):
    report = do_pull(lib, server.base("gonzo_ML"))
    assert report.error is None and report.stopped == "start"
    assert server.page_requests() == ["/s/gonzo_ML", "/s/gonzo_ML?before=27", "/s/gonzo_ML?before=7"]
    assert report.posts == report.stored == 46 and report.pages == 3
    records = pulled_records(lib)
    assert len(records) == report.new_reviews > 15
    for r in records:
        src = next(s for s in r.sources if s.path.startswith("t.me/s/gonzo_ML/"))
        pid = int(src.url.rsplit("/", 1)[1])
        assert src.url == f"https://t.me/gonzo_ML/{pid}" and src.post_id == f"gonzo_ML/{pid}"
        assert src.date == server.channels["gonzo_ML"].posts[pid][1]
    assert report.summary() == (f"pulled 46 posts from gonzo_ML: {report.reviews} reviews "
                                f"({report.new_reviews} new), {report.skipped} skipped")


def test_links_behind_words_and_character_references_survive(server, lib):
    do_pull(lib, server.base("gonzo_ML"))
    hidden = [r for r in pulled_records(lib) if r.title == HIDDEN_TITLE]
    assert hidden and hidden[0].arxiv_id == "2601.10825"  # only the anchor's href names it
    stored_markup = stored_text(lib)
    assert "R&amp;D" in stored_markup and "&lt;10 млн" in stored_markup  # escaped in the markup ...
    from reviews_cli.parsing.detect import DumpSource
    from reviews_cli.parsing.web_html import iter_tgme_posts

    texts = "\n".join(p.text for p in iter_tgme_posts(DumpSource("x", "x", text=stored_markup)))
    assert "заменяя небольшой R&D отдел" in texts and "<10 млн взаимодействий" in texts  # ... read as text
    assert "&amp;" not in texts and "&lt;" not in texts
    bodies = "\n".join(r.body for r in pulled_records(lib))
    assert "Вопросы и предложения > @yandex_ml_brand" in bodies or ">>Click here to continue<<" in bodies


def test_second_pull_with_five_new_posts_makes_one_request(server, lib):
    do_pull(lib, server.base("gonzo_ML"))
    ch = server.channels["gonzo_ML"]
    publish_new(ch, 5)
    n = len(server.log)
    report = do_pull(lib, server.base("gonzo_ML"))
    assert server.page_requests(n) == ["/s/gonzo_ML"]
    assert report.posts == 5 and report.stored == 51 and report.stopped == "known"
    # 45 new: three pages, and the walk stops at what it has
    publish_new(ch, 45)
    n = len(server.log)
    report = do_pull(lib, server.base("gonzo_ML"))
    assert len(server.page_requests(n)) == 3 and report.posts == 45 and report.stored == 96


def dump_files(lib):
    return {e["name"]: (e["sha256"], os.stat(os.path.join(lib.home, e["file"])).st_mtime_ns)
            for e in json.load(open(os.path.join(lib.home, "library.json"), encoding="utf-8"))["sources"]}


def test_a_big_channel_is_kept_in_blocks_and_a_pull_rewrites_only_the_newest(server, lib):
    ch = server.channels["gonzo_ML"]
    publish_new(ch, 450 - len(ch.posts))
    report = do_pull(lib, server.base("gonzo_ML"))
    assert report.stored == 450 and report.stopped == "start"
    before = dump_files(lib)
    assert sorted(before) == [f"t.me/s/gonzo_ML/{k * BLOCK}-{k * BLOCK + BLOCK - 1}" for k in range(3)]
    publish_new(ch, 5)
    n = len(server.log)
    report = do_pull(lib, server.base("gonzo_ML"))
    assert server.page_requests(n) == ["/s/gonzo_ML"] and report.posts == 5
    after = dump_files(lib)
    newest = f"t.me/s/gonzo_ML/{2 * BLOCK}-{3 * BLOCK - 1}"
    assert after[newest] != before[newest]
    assert {k: v for k, v in after.items() if k != newest} == {k: v for k, v in before.items() if k != newest}
    # a block taken out of the library is fetched again, and only it
    assert CliRunner().invoke(main, ["remove", f"t.me/s/gonzo_ML/{BLOCK}-{2 * BLOCK - 1}"]).exit_code == 0
    n = len(server.log)
    report = do_pull(lib, server.base("gonzo_ML"))
    assert report.posts == BLOCK and report.stored == 455 and len(server.page_requests(n)) <= 1 + BLOCK // 20 + 2


def test_ids_missing_below_the_first_post_cost_no_request_later(server, lib):
    ch = Channel("late_start", "Late")
    publish_new(ch, 260)
    for pid in range(1, 251):  # deleted long ago: the channel starts at id 251
        del ch.posts[pid]
    server.channels["late_start"] = ch
    report = do_pull(lib, server.base("late_start"))
    assert report.stored == 10 and report.stopped == "start"
    publish_new(ch, 1)
    n = len(server.log)
    do_pull(lib, server.base("late_start"))
    assert server.page_requests(n) == ["/s/late_start"]


def test_pages_are_stored_before_their_posts_are_indexed(server, lib):
    seen = []

    def progress(report):
        indexed = lib.conn.execute("SELECT count(*) FROM sources WHERE name LIKE 't.me/s/gonzo_ML/%'").fetchone()[0]
        seen.append((len(stored(lib).posts), indexed))

    with Client(FAST) as client:
        pull(lib, parse_target(server.base("gonzo_ML")), client, progress=progress)
    assert seen == [(20, 0), (40, 0), (46, 0)]
    assert lib.conn.execute("SELECT count(*) FROM sources WHERE name LIKE 't.me/s/gonzo_ML/%'").fetchone()[0] == 1


def test_reindex_rebuilds_the_same_records_without_the_network(server, lib):
    do_pull(lib, server.base("gonzo_ML"))
    before = sorted(json.dumps(r.to_dict(), sort_keys=True) for r in lib.iter_reviews())
    server.close()
    lib.close()
    discard_index(lib.home)
    with Library.open() as again:
        after = sorted(json.dumps(r.to_dict(), sort_keys=True) for r in again.iter_reviews())
    assert after == before


def test_the_pulled_dump_reads_like_the_served_pages_saved_from_a_browser(server, lib, tmp_path):
    from reviews_cli.parsing import parse_file

    do_pull(lib, server.base("gonzo_ML"))
    pages = [server.answer("/s/gonzo_ML", q, 0)[1] for q in ({}, {"before": ["27"]}, {"before": ["7"]})]
    saved = []
    for k, text in enumerate(pages):
        (tmp_path / f"page{k}.html").write_text(text, encoding="utf-8")
        saved += parse_file(str(tmp_path / f"page{k}.html"), display_path="t.me/s/gonzo_ML").reviews
    ids = sorted(r.id for r in saved)
    (name,) = os.listdir(os.path.join(lib.home, "dumps"))  # 46 posts: one block
    pulled = parse_file(os.path.join(lib.home, "dumps", name), display_path="t.me/s/gonzo_ML")
    assert sorted(r.id for r in pulled.reviews) == ids
    assert pulled.format == "telegram-web-html"


def test_since_and_limit_bound_a_first_pull_and_later_pulls_keep_to_them(server, lib):
    ch = server.channels["gonzo_ML"]
    newest = max(ch.posts)
    report = do_pull(lib, server.base("gonzo_ML"), limit=25)
    assert report.posts == 25 and report.stopped == "limit"
    dump = stored(lib)
    assert sorted(dump.posts) == list(range(newest - 24, newest + 1))
    publish_new(ch, 3)
    n = len(server.log)
    report = do_pull(lib, server.base("gonzo_ML"))
    assert report.posts == 3 and server.page_requests(n) == ["/s/gonzo_ML"]


def test_since_stops_at_older_posts(server, lib):
    ch = server.channels["gonzo_ML"]
    cut = ch.posts[20][1][:10]
    report = do_pull(lib, server.base("gonzo_ML"), since=cut)
    assert report.stopped == "since" and report.pages == 2
    assert stored(lib).state.since == cut
    n = len(server.log)
    do_pull(lib, server.base("gonzo_ML"))  # the bound holds for later pulls
    assert server.page_requests(n) == ["/s/gonzo_ML"]


# ----------------------------------------------------------------------- politeness, errors

def test_user_agent_names_the_tool_and_version(server, lib):
    seen = []
    orig = server.answer

    def answer(path, query, number):
        return orig(path, query, number)

    server.answer = answer
    from reviews_cli import __version__

    assert f"reviews-cli/{__version__}" in USER_AGENT
    proxy = HttpProxy()
    try:
        do_pull(lib, server.base("gonzo_ML"), proxy=proxy.url)
    finally:
        proxy.close()
    seen = proxy.seen
    assert seen and all(u.startswith(server.base("gonzo_ML")) for u in seen)


def test_429_is_answered_by_waiting_retry_after(server, lib):
    server.throttle = {2}
    started = time.monotonic()
    report = do_pull(lib, server.base("gonzo_ML"))
    assert time.monotonic() - started >= 1.0
    assert report.error is None and report.stored == 46
    assert [s for _, s in server.log] == [200, 429, 200, 200]


def test_server_failing_half_way_keeps_the_posts_and_the_next_pull_fills_the_gap(server, lib):
    server.fail_after = 1
    report = do_pull(lib, server.base("gonzo_ML"))
    assert report.error and "500" in report.error and "gave up after 6 tries" in report.error
    assert report.stored == 20 and report.posts == 20
    assert [s for _, s in server.log].count(500) == 6  # retries are bounded
    assert len(pulled_records(lib)) == report.new_reviews > 0  # indexed what it kept
    server.fail_after = None
    server.pages_served = 0
    publish_new(server.channels["gonzo_ML"], 2)
    n = len(server.log)
    report = do_pull(lib, server.base("gonzo_ML"))
    # the newest page again (2 new posts on it), then straight to the gap: nothing fetched twice
    assert server.page_requests(n) == ["/s/gonzo_ML", "/s/gonzo_ML?before=27", "/s/gonzo_ML?before=7"]
    assert report.error is None and report.stored == 48 and report.posts == 28


def test_interrupted_pull_keeps_pages_and_resumes_older_posts_included(server, lib):
    def stop(report):
        if report.pages == 2:
            raise KeyboardInterrupt

    with Client(FAST) as client, pytest.raises(KeyboardInterrupt):
        pull(lib, parse_target(server.base("gonzo_ML")), client, progress=stop)
    assert stored(lib).state.covered == [(7, 46)]
    n = len(server.log)
    report = do_pull(lib, server.base("gonzo_ML"))
    assert server.page_requests(n) == ["/s/gonzo_ML", "/s/gonzo_ML?before=7"]
    assert report.stored == 46 and report.stopped == "start"


def test_retry_after_is_capped(server, lib):
    server.throttle, server.retry_after = {1}, "3600"
    started = time.monotonic()
    report = do_pull(lib, server.base("gonzo_ML"), politeness=Politeness(delay=0, retry_after_cap=1))
    assert report.error is None and report.stored == 46  # waited the cap, not an hour (nor gave up)
    assert time.monotonic() - started >= 1.0


def test_a_failing_server_is_given_up_within_the_budget(server, lib):
    server.fail_after = 0
    report = do_pull(lib, server.base("gonzo_ML"), politeness=Politeness(delay=0, backoff=0.2, read_timeout=0.3,
                                                                         budget=1.0))
    tries = [s for _, s in server.log].count(500)
    assert "500" in report.error and 1 <= tries < 6  # the budget, not the retry count, ended it
    assert report.stored == 0 and pulled_channels(lib.home) == []


def test_a_server_that_never_answers_times_out_in_one_line(server, lib):
    server.hang = 2.0
    report = do_pull(lib, server.base("gonzo_ML"), politeness=Politeness(delay=0, read_timeout=0.3, budget=1.0))
    assert report.error.startswith("127.0.0.1:") and "did not answer" in report.error


def test_one_pull_of_a_channel_at_a_time(server, lib):
    from reviews_cli.pull.run import _channel_lock

    with _channel_lock(lib.home, "gonzo_ml"), pytest.raises(PullError, match="another reviews is pulling"):
        do_pull(lib, server.base("gonzo_ML"))
    assert server.log == []


def test_delay_spaces_the_requests(server, lib):
    started = time.monotonic()
    do_pull(lib, server.base("gonzo_ML"), politeness=Politeness(delay=0.4))
    assert time.monotonic() - started >= 0.8  # three pages, two waits


def test_a_server_ignoring_before_does_not_loop(server, lib):
    orig = server.answer
    server.answer = lambda path, query, number: orig(path, {}, number)  # always the newest page
    report = do_pull(lib, server.base("gonzo_ML"))
    assert report.pages == 2 and "no post older than" in report.error and report.stored == 20


def test_private_channel_is_one_error_naming_it(server, lib):
    server.channels["secret_chan"] = Channel("secret_chan", "Secret", private=True)
    report = do_pull(lib, server.base("secret_chan"))
    assert report.error.startswith("secret_chan: no public preview") and "\n" not in report.error
    assert pulled_channels(lib.home) == []


def test_no_network_is_one_line(lib):
    report = do_pull(lib, f"http://127.0.0.1:{closed_port()}/s/gonzo_ML")
    assert report.error == f"cannot reach 127.0.0.1:{report.error.split(':')[1].split(' ')[0]}: connection refused"
    assert report.pages == 0


def test_http_proxy_from_the_environment_and_proxy_option_overrides_it(server, lib, monkeypatch):
    proxy = HttpProxy()
    try:
        monkeypatch.setenv("ALL_PROXY", proxy.url)
        do_pull(lib, server.base("gonzo_ML"))
        assert len(proxy.seen) == 3
        monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{closed_port()}")
        publish_new(server.channels["gonzo_ML"], 1)
        report = do_pull(lib, server.base("gonzo_ML"), proxy=proxy.url)
        assert report.error is None and len(proxy.seen) == 4
    finally:
        proxy.close()


def test_refusing_proxy_is_one_line_naming_it(server, lib):
    port = closed_port()
    for url in (f"http://127.0.0.1:{port}", f"socks5h://user:secret@127.0.0.1:{port}"):
        report = do_pull(lib, server.base("gonzo_ML"), proxy=url)
        shown = url.replace("user:secret@", "")
        assert report.error.startswith(f"the proxy {shown} failed"), report.error
        assert "secret" not in report.error and "\n" not in report.error


def test_socks5h_proxy_resolves_names_at_the_proxy(server, lib):
    socks = Socks5Proxy()
    try:
        report = do_pull(lib, f"http://localhost:{server.port}/s/gonzo_ML", proxy=socks.url)
    finally:
        socks.close()
    assert report.error is None and report.stored == 46
    assert socks.names and set(socks.names) == {"localhost"}


# --------------------------------------------------------------------------------- the CLI

def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_pull_prints_one_summary_line_and_sources_lists_the_channel(server):
    result = run("pull", server.base("gonzo_ML"), "--delay", "0")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pulled 46 posts from gonzo_ML: ")
    out = run("sources", "--json")
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    pulled = rows[f"t.me/s/gonzo_ML/0-{BLOCK - 1}"]["pull"]
    assert rows[f"t.me/s/gonzo_ML/0-{BLOCK - 1}"]["kind"] == "pulled"
    assert pulled["posts"] == 46 and pulled["newest_post"] == "https://t.me/gonzo_ML/46"
    assert pulled["last_pull"] and pulled["url"] == server.base("gonzo_ML")
    human = run("sources").stdout
    assert "gonzo_ML" in human and "46 posts" in human


def test_cli_pull_without_argument_updates_every_pulled_channel(server):
    server.channels["other_chan"] = Channel("other_chan", "Other")
    publish_new(server.channels["other_chan"], 3)
    assert run("pull", server.base("gonzo_ML"), "--delay", "0").exit_code == 0
    assert run("pull", server.base("other_chan"), "--delay", "0").exit_code == 0
    publish_new(server.channels["gonzo_ML"], 2)
    result = run("pull", "--delay", "0")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["pulled 2 posts from gonzo_ML: 0 reviews (0 new), 2 skipped",
                                          "pulled 0 posts from other_chan: 0 reviews (0 new), 0 skipped"]


def test_cli_errors(server):
    bad = run("pull", "bad name!!")
    assert bad.exit_code == 2 and "not a channel" in bad.stderr
    assert run("pull").exit_code == 2  # nothing pulled yet
    assert run("pull", "gonzo_ML", "--since", "yesterday").exit_code == 2
    assert run("pull", "gonzo_ML", "--proxy", "ftp://x").exit_code == 2
    server.channels["secret_chan"] = Channel("secret_chan", "Secret", private=True)
    private = run("pull", server.base("secret_chan"), "--delay", "0")
    assert private.exit_code == 1 and private.stderr.count("\n") == 1 and "secret_chan" in private.stderr
    gone = run("pull", f"http://127.0.0.1:{closed_port()}/s/gonzo_ML", "--delay", "0")
    assert gone.exit_code == 1 and gone.stderr.startswith("reviews: cannot reach 127.0.0.1:")
    assert "Traceback" not in gone.output


def test_cli_removed_channel_is_not_pulled_again(server):
    assert run("pull", server.base("gonzo_ML"), "--delay", "0").exit_code == 0
    assert run("remove", f"t.me/s/gonzo_ML/0-{BLOCK - 1}").exit_code == 0
    assert run("pull").exit_code == 2
    assert "pulled channels" not in run("sources").stdout


def test_cli_server_failure_keeps_posts_and_exits_1(server):
    server.fail_after = 1
    result = run("pull", server.base("gonzo_ML"), "--delay", "0")
    assert result.exit_code == 1
    assert result.stdout.startswith("pulled 20 posts from gonzo_ML")
    assert "500" in result.stderr and "kept" in result.stderr and result.stderr.count("\n") == 1


# ------------------------------------------------------------------------ parsing, properties

@pytest.mark.parametrize("text", ["gonzo_ML", "@gonzo_ML", "t.me/gonzo_ML", "https://t.me/s/gonzo_ML",
                                  "https://t.me/gonzo_ML/123", "telegram.me/s/gonzo_ML/", " https://t.me/gonzo_ML "])
def test_channel_forms(text):
    assert parse_target(text) == ("gonzo_ML", "https://t.me/s/gonzo_ML")


def test_mirror_base_url_is_kept():
    assert parse_target("http://127.0.0.1:8080/s/gonzo_ML") == ("gonzo_ML", "http://127.0.0.1:8080/s/gonzo_ML")
    assert parse_target("https://mirror.example/tg/s/gonzo_ML/?x=1").base == "https://mirror.example/tg/s/gonzo_ML"


@pytest.mark.parametrize("text", ["bad name!!", "", "@", "t.me/", "t.me/s/", "ftp://t.me/s/gonzo_ML", "abc",
                                  "https://t.me/joinchat/x y", "http://[::1", "http://host:99999/s/gonzo_ML"])
def test_malformed_channels_are_usage_errors(text):
    with pytest.raises(UsageError):
        parse_target(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_parse_target_never_fails_otherwise(text):
    try:
        t = parse_target(text)
    except UsageError:
        return
    assert t.base.startswith(("http://", "https://")) and t.base.rstrip("/").endswith(t.channel)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400) | st.builds(lambda a, b: f'<div class="tgme_widget_message" data-post="{a}">{b}</div>'
                                         f'<a class="tme_messages_more" data-before="{a}"></a>',
                                         st.text(max_size=20), st.text(max_size=50)))
def test_parse_page_never_raises(text):
    page = parse_page(text)
    assert [p.id for p in page.posts] == sorted({p.id for p in page.posts})


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.integers(1, 10**6), st.tuples(st.text(max_size=40), st.none() | st.just(
    "2025-01-02T03:04:05+00:00")), max_size=8),
       st.lists(st.tuples(st.integers(1, 10**6), st.integers(0, 1000)), max_size=6), st.text(max_size=30))
def test_dump_round_trip(posts, ranges, title):
    import html

    state = PullState("gonzo_ML", "https://t.me/s/gonzo_ML", title=title or None)
    for lo, n in ranges:
        state.cover(lo, lo + n)
    dump = ChannelDump(state)
    for pid, (text, date) in posts.items():
        dump.posts[pid] = StoredPost(f'<div class="tgme_widget_message_wrap">{html.escape(text)}</div>', date)
    again = ChannelDump.parse(dump.render(), "x", "y")
    assert again.state == state
    assert {k: (v.html, v.date) for k, v in again.posts.items()} == {k: (v.html, v.date) for k, v in dump.posts.items()}
    covered = state.covered
    assert all(a <= b for a, b in covered) and all(covered[i][1] + 1 < covered[i + 1][0] for i in range(len(covered) - 1))


def test_a_hand_edited_dump_without_state_is_still_read(tmp_path):
    page = PreviewServer.__new__(PreviewServer)  # only for its page markup
    ch = gonzo()
    text = page.answer.__func__(type("S", (), {"throttle": set(), "channels": {"gonzo_ML": ch}, "fail_after": None,
                                               "pages_served": 0})(), "/s/gonzo_ML", {}, 1)[1]
    dump = ChannelDump.parse(text, "gonzo_ML", "https://t.me/s/gonzo_ML")
    assert len(dump.posts) == 20 and dump.state.covered == []


def test_pull_error_is_a_reviews_error():
    assert issubclass(PullError, Exception) and PullError("x").exit_code == 1


@pytest.mark.parametrize("signame, code", [("SIGINT", 130), ("SIGTERM", 143)])
def test_ctrl_c_or_sigterm_mid_pull_keeps_the_pages_and_the_next_pull_goes_on(server, signame, code, _isolated_home):
    import signal
    import subprocess
    import sys

    env = {**os.environ, "REVIEWS_HOME": str(_isolated_home)}
    proc = subprocess.Popen([sys.executable, "-m", "reviews_cli", "pull", server.base("gonzo_ML"), "--delay", "3"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    manifest = _isolated_home / "library.json"
    deadline = time.monotonic() + 60
    while not (manifest.exists() and "pull-gonzo_ml" in manifest.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)  # until the first page is stored
    proc.send_signal(getattr(signal, signame))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code
    assert err.count("\n") == 1 and "interrupted; 20 posts of the channel are stored" in err and "Traceback" not in err
    n = len(server.log)
    result = run("pull", server.base("gonzo_ML"), "--delay", "0")
    assert result.exit_code == 0 and result.stdout.startswith("pulled 26 posts from gonzo_ML")
    assert server.page_requests(n) == ["/s/gonzo_ML", "/s/gonzo_ML?before=27", "/s/gonzo_ML?before=7"]
