"""Telegram Desktop JSON exports of real size: the byte stream in front of the JSON parser gives
the same text however the file is split into reads, and whole channels (3,000 posts, UTF-8 or
``\\u`` escapes only) reach the library with every record's title, authors, tags and date."""

from __future__ import annotations

import io
import itertools
import json

import exports as E
import ijson
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews_cli.cli import main
from reviews_cli.errors import DumpError
from reviews_cli.parsing import parse_file
from reviews_cli.parsing.json_stream import READ_SIZE, JsonStream, StreamReader

# Written into message texts, then turned into what Telegram Desktop or a broken tool writes.
LONE_HIGH, LONE_LOW, BAD_BYTE = "@@LONE-HIGH@@", "@@LONE-LOW@@", "@@BAD-BYTE@@"
TRICKY = (" \u0007bell\u001b, a tab\t, 😀 (a pair), " + LONE_HIGH + "x, " + LONE_LOW + ", \\x41 and \\\\\u0007 "
          "(escaped backslashes before x), \\ud83d as text, " + BAD_BYTE + " and «ёлки» 日本語 ")


def _document() -> tuple[bytes, list[dict]]:
    """A channel export of about 100 KB holding every kind of escape Telegram Desktop and broken
    tools write, messages alternately in UTF-8 and in \\u escapes only; and the messages a
    correct reader gets from it."""
    import random

    rng = random.Random(7)
    messages, expected = [], []
    for k in range(40):
        msg, _ = E.review_message(rng, k + 1, 1546300000 + k * 3600)
        msg["text"].append(TRICKY * (1 + k % 3))
        msg["text_entities"].append({"type": "plain", "text": TRICKY})
        messages.append(msg)
        expected.append(json.loads(json.dumps(msg).replace(LONE_HIGH, "\ufffd").replace(LONE_LOW, "\ufffd")
                                   .replace(BAD_BYTE, "\ufffd")))
    parts = []
    for k, msg in enumerate(messages):
        text = json.dumps(msg, ensure_ascii=k % 2 == 1, indent=1)
        text = text.replace("\\u0007", "\\x07").replace("\\u001b", "\\x1B")  # as Telegram Desktop writes them
        text = text.replace(LONE_HIGH, "\\ud83d").replace(LONE_LOW, "\\udc00")
        parts.append(text.encode("utf-8").replace(BAD_BYTE.encode(), b"\xff"))
    head = b'{\n "name": "gonzo-\xd0\xbe\xd0\xb1\xd0\xb7\xd0\xbe\xd1\x80\xd1\x8b",\n "type": "public_channel",\n "messages": [\n'
    return head + b",\n".join(parts) + b"\n ]\n}\n", expected


DOC, EXPECTED = _document()
WHOLE = JsonStream().feed(DOC, final=True)


def _primes(limit: int) -> list[int]:
    return [n for n in range(65, limit) if all(n % d for d in range(2, int(n ** 0.5) + 1))]


SIZES = sorted(set(range(1, 65)) | set(_primes(2000)[::7]) | {2 ** k + d for k in range(6, 18) for d in (-1, 0, 1)}
               | set(range(65536 - 64, 65536 + 65)))


def _fed(data: bytes, size: int) -> bytes:
    stream = JsonStream()
    out = [stream.feed(data[i:i + size]) for i in range(0, len(data), size)]
    return b"".join(out) + stream.feed(b"", final=True)


def test_the_document_is_real_and_the_whole_of_it_reads_right():
    assert len(DOC) > 65536 + 64 and b"\\x07" in DOC and b"\\ud83d\\ude00" in DOC and "😀".encode() in DOC
    assert list(ijson.items(io.BytesIO(WHOLE), "messages.item")) == EXPECTED


@pytest.mark.parametrize("size", SIZES)
def test_read_size_never_changes_the_text(size):
    assert _fed(DOC, size) == WHOLE


@pytest.mark.parametrize("size", [1, 3, 7, 64, 4095, 65535, 65536, 65537, 65536 + 64, 200_000])
def test_the_parser_reads_the_same_records_through_any_read_size(size):
    # what ijson asks for (64 KB buffers) and what the file gives (`size` bytes) differ
    reader = StreamReader(io.BytesIO(DOC), read_size=size)
    assert list(ijson.items(reader, "messages.item")) == EXPECTED


def test_a_reader_never_writes_past_the_buffer_it_is_given():
    reader = StreamReader(io.BytesIO(DOC), read_size=READ_SIZE * 3)
    buf = bytearray(1000)
    got = b""
    while n := reader.readinto(buf):
        assert n <= len(buf)
        got += bytes(buf[:n])
    assert got == WHOLE


escape_text = st.lists(st.sampled_from(["a", "ё", "😀", "\\\\", "\\x07", "\\x1", "\\u0041", "\\ud83d", "\\ude00",
                                        "\\ud83d\\ude00", '\\"', '"', "[", "{", "]", "}", "7", " ", "\\n", "\\"]),
                       max_size=60).map("".join)


@settings(max_examples=300)
@given(text=escape_text, cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=8))
def test_any_split_gives_the_same_text(text, cuts):
    data = ('{"a": ["' + text + '", 1]}').encode("utf-8")
    try:
        whole = JsonStream().feed(data, final=True)
    except DumpError:
        return  # refused (too deep): refusing is the same however it is split, checked below
    stream = JsonStream()
    bounds = [0, *sorted(c % (len(data) + 1) for c in cuts), len(data)]
    pieces = [stream.feed(data[a:b]) for a, b in itertools.pairwise(bounds)]
    assert b"".join(pieces) + stream.feed(b"", final=True) == whole


def test_nesting_and_long_numbers_are_refused_across_reads():
    deep = b'{"messages": [' + b"[" * 300 + b"]" * 300 + b"]}"
    long_number = b'{"messages": [' + b"1" * 150 + b"]}"
    for data in (deep, long_number):
        with pytest.raises(DumpError):
            _fed(data, 7)
    assert _fed(b'{"id": "' + b"1" * 150 + b'", "n": 12345}', 3) == b'{"id": "' + b"1" * 150 + b'", "n": 12345}'


# --------------------------------------------------------------------- whole channels

@pytest.fixture(scope="module", params=[False, True], ids=["utf8", "ascii-escapes"])
def channel(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "result.json"
    expected = E.write_review_channel(path, 3000, ensure_ascii=request.param)
    return path, expected


def _same(records, expected) -> None:
    by_title = {r["title"]: r for r in records}
    assert len(records) == len(expected) == len(by_title)
    for want in expected:
        got = by_title[want["title"]]
        assert got["authors"] == want["authors"], want["title"]
        assert {t.lower() for t in got["tags"]} == {t.lower() for t in want["tags"]}, want["title"]
        assert got["date"] == want["date"], want["title"]


def test_a_3000_post_export_parses_whole(channel):
    path, expected = channel
    assert path.stat().st_size > 9_000_000
    _same([r.to_dict() for r in parse_file(str(path)).reviews], expected)


def test_a_3000_post_export_is_added_whole(channel):
    path, expected = channel
    runner = CliRunner()
    added = runner.invoke(main, ["add", str(path)])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(main, ["export", "--format", "jsonl"])
    titles = {e["title"] for e in expected}
    _same([r for line in listed.output.splitlines() if (r := json.loads(line))["title"] in titles], expected)
