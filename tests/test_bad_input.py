"""Bad input is normal input: one-line errors naming the file, exit != 0, no traceback, and the
good files of the same call still work. Dump text never acts on the terminal."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner
from hang_guard import reviews

from reviews_cli.cli import main

GOOD = """Some channel – Telegram
Deep Residual Learning for Image Recognition
Kaiming He, Xiangyu Zhang, Shaoqing Ren, Jian Sun
Microsoft Research

Статья: https://arxiv.org/abs/1512.03385

#CNN

Остаточные связи позволяют обучать очень глубокие сети без деградации качества.
"""


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def bad_files(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.txt"
    blank.write_text("  \n\n \n")
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 4)
    prose = tmp_path / "notes.txt"
    prose.write_text("Купить молоко.\nПозвонить маме.\n", encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    return {
        "missing": (str(tmp_path / "nope.txt"), "no such file"),
        "directory": (str(folder), "directory"),
        "empty": (str(empty), "empty"),
        "blank": (str(blank), "empty"),
        "binary": (str(binary), "binary"),
        "no review": (str(prose), "no review found"),
    }


@pytest.mark.parametrize("command", ["parse", "add"])
@pytest.mark.parametrize("kind", ["missing", "directory", "empty", "blank", "binary", "no review"])
def test_bad_file_gets_one_line_error(command, kind, bad_files):
    path, reason = bad_files[kind]
    res = run(command, path)
    assert res.exit_code == 1
    err_lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(err_lines) == 1, res.stderr
    assert path in err_lines[0] and reason in err_lines[0]
    assert "Traceback" not in res.output


@pytest.mark.parametrize("command", ["parse", "add"])
def test_good_file_survives_bad_ones(command, bad_files, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    paths = [p for p, _ in bad_files.values()]
    res = run(command, "--json", paths[0], str(good), *paths[1:])
    assert res.exit_code == 1
    assert sum("reviews:" in ln for ln in res.stderr.splitlines()) == len(paths)
    if command == "parse":
        assert [r["title"] for r in json.loads(res.stdout)] == ["Deep Residual Learning for Image Recognition"]
    else:
        assert [r["name"] for r in json.loads(res.stdout) if r["name"]] == ["good.txt"]
        assert json.loads(run("show", "--json", "1512.03385").stdout)[0]["arxiv_id"] == "1512.03385"


HOSTILE = """Evil channel – Telegram
[bold]x[/] Attention [/] \x1b[31mIs\x1b[0m All \u202eYou Need\x07
Ashish Vaswani, Noam Shazeer
Google Brain

Статья: https://arxiv.org/abs/1706.03762

#NLP [red]tag[/red]

Тело поста [link=file:///etc/passwd]click[/link] и \x1b]8;;http://evil\x1b\\ссылка\x1b]8;;\x1b\\ и
:smile: и \x1b[2J конец.
"""


@pytest.fixture
def hostile(tmp_path):
    p = tmp_path / "hostile.txt"
    p.write_text(HOSTILE, encoding="utf-8")
    assert run("add", str(p)).exit_code == 0
    return p


@pytest.mark.parametrize("args", [("show", "1706.03762"), ("search", "attention"), ("tag", "NLP"),
                                  ("search", "тело"), ("sources",)])
def test_markup_and_escapes_never_reach_terminal(hostile, args):
    out = run(*args).stdout
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    if args[0] != "sources":
        assert "[bold]x[/]" in out  # markup shown literally
        assert "\\x1b[31m" in out or args[0] == "search"
    if args[0] == "show":
        assert "[link=file:///etc/passwd]click[/link]" in out
        assert ":smile:" in out


def test_json_output_escapes_controls(hostile):
    out = run("show", "--json", "1706.03762").stdout
    assert "\x1b" not in out
    rec = json.loads(out)[0]
    assert "\x1b[31m" in rec["title"]  # the data itself is kept, only its display is made safe


def test_parse_of_hostile_file_is_safe(hostile):
    out = run("parse", str(hostile)).stdout
    assert "\x1b" not in out and "[bold]x[/]" in out


# ------------------------------------------------------------------ issue 9: runaway input

def _hostile_files(tmp_path):
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    big = tmp_path / "bignum.json"
    big.write_text('{"name": "c", "type": "public_channel", "messages": [{"id": ' + "9" * 5000 + ', "text": "x"}]}')
    deep = tmp_path / "deep.json"
    deep.write_text('{"name": "c", "type": "public_channel", "messages": [' + '{"a": ' * 50000 + "1" + "}" * 50000 + "]}")
    return {"fifo": (str(fifo), "not a regular file (a FIFO)"), "device": ("/dev/zero", "not a regular file (a device)"),
            "huge number": (str(big), "a number of more than"), "deep nesting": (str(deep), "nested more than")}


@pytest.mark.parametrize("command", ["parse", "add"])
@pytest.mark.parametrize("kind", ["fifo", "device", "huge number", "deep nesting"])
def test_runaway_input_is_refused_fast_with_one_line(command, kind, tmp_path):
    path, reason = _hostile_files(tmp_path)[kind]
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    # refused by its type or by the stream's limits before it is read whole: a FIFO would block
    # and /dev/zero never end, so run in a child process that is killed only if it hangs
    res = reviews(command, path, str(good))
    assert res.returncode == 1
    err = [ln for ln in res.stderr.splitlines() if ln.startswith("reviews:")]
    assert len(err) == 1 and path in err[0] and reason in err[0], res.stderr
    assert "Traceback" not in res.stdout + res.stderr
    assert "good.txt" in res.stdout + res.stderr  # the good file of the batch was still read


def test_bogus_marked_section_does_not_cost_the_page(tmp_path):
    import exports as E

    page = tmp_path / "page.html"
    page.write_text(E.tgme_page().replace("</body>", "<p><![x]> and <![if !IE]></p></body>"), encoding="utf-8")
    res = run("parse", "--json", str(page))
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)


# ------------------------------------------------------------ issue 9: no raw controls anywhere

C1_TITLE = "Attention \x9b31m Is All \u202eYou Need\u2066"


@pytest.fixture
def c1_record(tmp_path):
    p = tmp_path / "c1.txt"
    p.write_text(HOSTILE.replace("[bold]x[/] Attention [/] \x1b[31mIs\x1b[0m All \u202eYou Need\x07", C1_TITLE),
                 encoding="utf-8")
    assert run("add", str(p)).exit_code == 0
    return p


def _raw_controls(text: str) -> list[str]:
    return [ch for ch in text if ch in "\x1b\x07\x9b\u202e\u2066" or 0x80 <= ord(ch) <= 0x9f]


@pytest.mark.parametrize("args", [("show", "--json", "1706.03762"), ("search", "--json", "attention"),
                                  ("parse", "--json", "{path}"), ("export", "--format", "json"),
                                  ("export", "--format", "yaml")])
def test_machine_output_escapes_c1_and_bidi_and_reads_back(c1_record, args):
    import yaml

    res = run(*[a.replace("{path}", str(c1_record)) for a in args])
    assert res.exit_code == 0, res.stderr
    assert _raw_controls(res.stdout) == []
    data = yaml.safe_load(res.stdout) if "yaml" in args else json.loads(res.stdout)
    hits = data["hits"] if isinstance(data, dict) else data
    assert C1_TITLE in [h["title"] for h in hits]  # escaped on the way out, the same data back in


def test_error_messages_never_echo_escapes():
    res = run("search", "year:\x1b]52;c;aGk=\x07")
    assert res.exit_code == 2 and _raw_controls(res.stderr) == [] and "\\x1b]52" in res.stderr
    res = run("show", "\u202e\x1b[2Jnothing-like-this")
    assert res.exit_code == 1 and _raw_controls(res.stderr) == []


def test_ascii_terminal_and_full_disk_give_output_or_one_line(tmp_path):
    import subprocess
    import sys

    env = {**os.environ, "PYTHONIOENCODING": "ascii", "REVIEWS_HOME": str(tmp_path / "home")}
    res = subprocess.run([sys.executable, "-m", "reviews_cli", "search", "лотерея"], capture_output=True, env=env)
    assert res.returncode == 0 and b"Lottery Ticket" in res.stdout and b"Traceback" not in res.stderr
    with open("/dev/full", "w") as full:
        res = subprocess.run([sys.executable, "-m", "reviews_cli", "show", "1803.03635"], stdout=full,
                             stderr=subprocess.PIPE, env={**env, "PYTHONIOENCODING": "utf-8"})
    assert res.returncode == 1
    assert res.stderr.decode().strip().splitlines() == ["reviews: cannot write the output: No space left on device"]


def test_show_of_a_huge_post_is_bounded(tmp_path):
    body = "\n\n".join(f"Абзац {i}: модель учится на данных, авторы показывают результат." for i in range(200_000))
    p = tmp_path / "huge.txt"
    p.write_text("Huge Paper Title Here\nAnn Lee, Bo Chen\n\nСтатья: https://arxiv.org/abs/2001.00009\n\n" + body,
                 encoding="utf-8")
    assert run("add", str(p)).exit_code == 0
    res = run("show", "2001.00009")
    assert res.exit_code == 0 and len(res.stdout) < 100_000  # of a 13 MB body
    assert "Абзац 10:" in res.stdout and "Абзац 199999" not in res.stdout
    assert "more characters: reviews show" in res.stdout and "--full" in res.stdout
    assert "Абзац 199999" in run("show", "--json", "2001.00009").stdout  # the data itself is whole


def test_invisible_format_characters_are_escaped():
    from reviews_cli.safe_text import clean

    assert clean("a\u200bb\u2063c\U000e0041d") == "a\\u200bb\\u2063c\\ue0041d"
    assert clean("👨\u200d💻") == "👨\u200d💻"  # the joiner inside an emoji sequence stays


# ------------------------------------- issue 9: one bad item never costs the rest of an export

def _export(messages) -> dict:
    return {"name": "c", "type": "public_channel", "messages": messages}


REVIEW_MSG = {"id": 1, "type": "message", "text": "Attention Is All You Need\nAshish Vaswani, Noam Shazeer\n\n"
              "Статья: https://arxiv.org/abs/1706.03762\n\nАвторы предлагают трансформер, результаты отличные."}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_exports_with_a_bom_or_in_utf16_are_read(tmp_path, encoding):
    p = tmp_path / "result.json"
    p.write_bytes(json.dumps(_export([REVIEW_MSG]), ensure_ascii=False).encode(encoding))
    res = run("parse", "--json", str(p))
    assert res.exit_code == 0, res.stderr
    assert [r["arxiv_id"] for r in json.loads(res.stdout)] == ["1706.03762"]


def test_a_lone_surrogate_escape_costs_one_character_not_the_export(tmp_path):
    p = tmp_path / "result.json"
    text = json.dumps(_export([REVIEW_MSG]), ensure_ascii=True).replace(
        "Attention", "Attention \\ud800 \\ud83d\\ude00 \\\\ud800")
    p.write_text(text)
    res = run("parse", "--json", str(p))
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)[0]["title"] == "Attention \ufffd \U0001f600 \\ud800 Is All You Need"


def test_a_saved_page_with_megabytes_before_its_posts_is_sniffed(tmp_path):
    post = ('<div class="tgme_widget_message" data-post="chan/1"><div class="tgme_widget_message_text">'
            "Attention Is All You Need<br>Ashish Vaswani, Noam Shazeer<br><br>"
            '<a href="https://arxiv.org/abs/1706.03762">Статья</a><br><br>Авторы предлагают трансформер.</div></div>')
    p = tmp_path / "page.html"
    p.write_text("<html><head><style>.a{x:url(data:;base64," + "A" * 3_000_000 + ")}</style></head><body>" + post
                 + "</body></html>")
    res = run("parse", "--json", str(p))
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)[0]["arxiv_id"] == "1706.03762"


def test_one_deeply_nested_post_does_not_cost_the_page(tmp_path):
    deep = ('<div class="tgme_widget_message" data-post="c/1"><div class="tgme_widget_message_text">'
            + "<span>" * 3000 + "deep" + "</span>" * 3000 + "</div></div>")
    good = ('<div class="tgme_widget_message" data-post="c/2"><div class="tgme_widget_message_text">'
            "Attention Is All You Need<br>Ashish Vaswani, Noam Shazeer<br><br>"
            '<a href="https://arxiv.org/abs/1706.03762">Статья</a><br><br>Авторы предлагают трансформер.</div></div>')
    p = tmp_path / "page.html"
    p.write_text("<html><body>" + deep + good + "</body></html>")
    res = run("parse", "--json", str(p))
    assert res.exit_code == 0, res.stderr
    assert [r["arxiv_id"] for r in json.loads(res.stdout)] == ["1706.03762"]
