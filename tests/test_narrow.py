"""Snippets and narrow terminals (issue 8, item 10): snippets are cut around the matched words at
word boundaries, so the match is visible in a 40-column table; narrow tables drop columns rather
than split words; piped output carries no trailing padding."""

from __future__ import annotations

import random
import re
from io import StringIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from reviews_cli.cli import main
from reviews_cli.library import Library
from reviews_cli.render.human import reviews_table, search_table
from reviews_cli.search.query import Query
from reviews_cli.search.search import Searcher
from reviews_cli.search.snippets import ELLIPSIS, SNIPPET_WIDTH, _cut, fit

WIDTHS = (40, 80, 160)


def run(*args, columns: int = 160):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env={"COLUMNS": str(columns)})


def render(renderables, width: int) -> str:
    buf = StringIO()
    c = Console(file=buf, width=width, markup=False, emoji=False, highlight=False, color_system=None)
    for r in renderables:
        c.print(r)
    return buf.getvalue()


def rows_of(out: str) -> list[list[str]]:
    """The title-column lines of each table row (a row starts where the # column has a number)."""
    rows: list[list[str]] = []
    for line in out.splitlines():
        if not line.startswith("│"):
            continue
        cells = line.split("│")
        if cells[1].strip().isdigit():
            rows.append([])
        if rows:
            rows[-1].append(cells[2].strip())
    return rows


def assert_title_whole(lines: list[str], title: str) -> None:
    """The first lines of a title cell are the title, wrapped at spaces only."""
    got = []
    for line in lines:
        got.append(line)
        if len(" ".join(got)) >= len(title):
            break
    assert " ".join(got) == title, (title, lines)


def _dump(folder: Path, name: str, title: str, body: str, arxiv: str) -> str:
    path = folder / f"{name}.txt"
    path.write_text(f"Ch – Telegram\n{title}\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/{arxiv}\n\n{body}\n",
                    encoding="utf-8")
    return str(path)


FILLER = " ".join(f"filler{i}" for i in range(120))


@pytest.fixture
def deep(tmp_path):
    """A library with a review whose only match is far into a long body."""
    folder = tmp_path / "in"
    folder.mkdir()
    body = f"{FILLER} the savanna zebra grazes here. {FILLER}"
    lib = Library.open()
    lib.add([_dump(folder, "deep", "Where Zebras Graze: Overparameterization in the Savanna", body, "2101.00009")])
    yield lib
    lib.close()


# ------------------------------------------------------------------------------- snippets

def _check_cut(body: str, text: str, spans, width: int, words: set[str]) -> None:
    """``text`` is an excerpt of ``body`` of whole words, within ``width``, its spans on matches."""
    assert len(text) <= width, (width, text)
    core = text.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS)
    at = body.find(core)
    assert core and at >= 0, (body, text)
    assert at == 0 or body[at - 1] == " ", ("starts mid-word", text)
    assert at + len(core) == len(body) or body[at + len(core)] == " ", ("ends mid-word", text)
    # "…" marks exactly the ends where body text was left out
    assert text.startswith(ELLIPSIS) == (at > 0)
    assert text.endswith(ELLIPSIS) == (at + len(core) < len(body))
    assert all(text[a:b] in words for a, b in spans)


def test_snippets_cut_at_word_boundaries_around_the_match():
    rng = random.Random(8)
    vocab = ["alpha", "beta", "gamma,", "(delta)", "epsilon-greedy", "ζeta", "кот", "обзор.", "x"]
    for _ in range(300):
        n = rng.randint(5, 120)
        ws = [rng.choice(vocab) for _ in range(n)]
        k = rng.randrange(n)
        ws[k] = "zebra"
        body = " ".join(ws)
        matches = [(m.start(), m.end()) for m in re.finditer("zebra", body)]
        width = rng.randint(22, 200)
        text, spans = _cut(body, matches, width)
        _check_cut(body, text, spans, width, {"zebra"})
        assert spans, (width, text)  # the match chosen is always in the excerpt
        for w in (12, 20, 30, 45, 80):  # re-cut for a table cell, as the renderer does
            t2, s2 = fit(text, spans, w)
            _check_cut(body, t2, s2, w, {"zebra"})
            assert s2 and all(t2[a:b] == "zebra" for a, b in s2)


def test_snippet_of_a_record_centres_the_deep_match(deep):
    r = Searcher(deep.conn).search(Query.parse("zebra"))
    (h,) = r.hits
    assert [h.snippet[a:b] for a, b in h.highlights] == ["zebra"]
    assert len(h.snippet) <= SNIPPET_WIDTH
    short, spans = fit(h.snippet, h.highlights, 30)
    assert [short[a:b] for a, b in spans] == ["zebra"] and len(short) <= 30
    assert short.startswith(ELLIPSIS) and short.endswith(ELLIPSIS)
    # roughly centred: context on both sides of the match
    (a, b), = spans
    assert a > 5 and len(short) - b > 5


# -------------------------------------------------------------------------- narrow tables

@pytest.mark.parametrize("width", WIDTHS)
def test_no_title_word_is_split_in_any_table(library, width):
    reviews = library.all_reviews()
    out = render([reviews_table(reviews, width)], width)
    rows = rows_of(out)
    assert len(rows) == len(reviews)
    for r, lines in zip(reviews, rows):
        assert_title_whole(lines, r.title)
    assert max(map(len, out.splitlines())) <= width


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("query", ["GAN", "обзор", "sparse networks", "обучение"])
def test_search_table_shows_title_whole_and_the_match(library, width, query):
    result = Searcher(library.conn).search(Query.parse(query))
    assert result.hits
    out = render(search_table(result, width), width)
    rows = rows_of(out)
    assert len(rows) == len(result.hits)
    for h, lines in zip(result.hits, rows):
        assert_title_whole(lines, h.review.title)
        if h.highlights:
            a, b = h.highlights[0]
            word = h.snippet[a:b]
            below = lines[1:]  # the title's last line may hold the start of the meta line
            assert any(word in line for line in below), (width, word, lines)


@pytest.mark.parametrize("width", WIDTHS)
def test_deep_match_is_visible_at_every_width(deep, width):
    result = Searcher(deep.conn).search(Query.parse("zebra"))
    out = render(search_table(result, width), width)
    (lines,) = rows_of(out)
    assert_title_whole(lines, "Where Zebras Graze: Overparameterization in the Savanna")
    assert any(re.search(r"\bzebra\b", line) for line in lines)


def test_narrow_tables_drop_columns_before_squeezing_the_title(library):
    reviews = library.all_reviews()[:3]
    heads = {w: render([reviews_table(reviews, w)], w).splitlines()[1] for w in WIDTHS}
    assert "authors" not in heads[40] and "title" in heads[40] and "id" in heads[40]
    assert "authors" in heads[80] and "tags" not in heads[80]
    assert all(col in heads[160] for col in ("authors", "tags", "source"))
    # the tags move under the title, the record id stays
    out40 = render([reviews_table(reviews, 40)], 40)
    for r in reviews:
        assert r.id in out40
        if r.tags:
            assert "#" + r.tags[0] in out40


# ---------------------------------------------------------------------------- piped output

@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("query", [["lottery"], ["дщееукн"], ["lotery", "tiket", "hypotesis"], ["#GAN"]])
def test_piped_search_output_has_no_trailing_spaces(columns, query):
    res = run("search", *query, columns=columns)
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines and not [line for line in lines if line != line.rstrip()]


def test_titled_table_has_no_trailing_spaces(library):
    out = render([reviews_table(library.all_reviews()[:2], 80, title="Reviews tagged GAN")], 80)
    assert "Reviews tagged GAN" in out
    assert not [line for line in out.splitlines() if line != line.rstrip()]


@pytest.mark.parametrize("args", [["show", "1902.06838"], ["stats"], ["related", "1803.03635"], ["tags"], ["config"],
                                  ["sources"], ["list"], ["tag", "ICLR"], ["search", "сеть"]])
@pytest.mark.parametrize("columns", ["40", "100"])
def test_no_human_command_pads_piped_lines(args, columns, monkeypatch):
    from click.testing import CliRunner

    from reviews_cli.cli import main

    monkeypatch.setenv("COLUMNS", columns)
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    padded = [ln for ln in res.stdout.splitlines() if ln != ln.rstrip()]
    assert padded == []


# ------------------------------------------------------- every listing at 40 columns (issue 15)

LONG_RU = """Канал – Telegram
Нейросетевые трансформеры для распознавания длинных последовательностей в медицинских изображениях высокого разрешения
Иван Петров-Водкин, Анна Константинопольская, Jürgen Schmidhuber
Сколковский институт науки и технологий, Московский физико-технический институт

Статья: https://arxiv.org/abs/2101.00042

#трансформеры #медицина #сверхдлинныйхэштегбезпробелов

Авторы предлагают новый метод обучения модели и показывают, что качество растёт на всех бенчмарках; эксперименты на ImageNet и GLUE, сравнение с сильными бейзлайнами, трансформеры побеждают.

Unsupervised Cross-Lingual Representation Learning at Scale with Extraordinarily Multilingual Transformers
Alexis Conneau, Kartikay Khandelwal, Naman Goyal, Vishrav Chaudhary, Guillaume Wenzek
Facebook AI Research

Статья: https://arxiv.org/abs/1911.02116

#NLP #multilingual #representation_learning

Обучили трансформер XLM-RoBERTa на CommonCrawl для ста языков; модель обгоняет mBERT на кросс-языковых бенчмарках, а трансформеры с большим словарём лучше.
"""
NARROW_COMMANDS = [["list"], ["search", "трансформеры"], ["search", "networks"], ["search", "модель"],
                   ["tag", "медицина"], ["tag", "NLP"], ["sources"], ["tags"], ["stats"],
                   ["related", "2101.00042"], ["related", "1803.03635"], ["show", "2101.00042"],
                   ["show", "1911.02116"]]
_BOX = re.compile(r"[\u2500-\u259f]+")  # table borders and bar-chart blocks


@pytest.fixture(scope="module")
def narrow_home(tmp_path_factory):
    """A library of real-looking data: the bundled dumps, long English and Russian titles,
    long hashtags and origins, and a Telegram export of generated reviews under a long name."""
    import exports as E

    folder = tmp_path_factory.mktemp("narrow")
    (folder / "in").mkdir()
    ru = folder / "in" / "long_titles_from_a_channel_about_machine_learning.txt"
    ru.write_text(LONG_RU, encoding="utf-8")
    export = folder / "in" / "ChatExport_2024-05-01_gonzo_ml_result.json"
    E.write_review_channel(export, 40, seed=3)
    # `show` would mark what it shows read, changing later listings: the user's marks are set here
    (folder / "config.yaml").write_text("mark_read_on_show: false\n", encoding="utf-8")
    env = {"REVIEWS_HOME": str(folder / "home"), "REVIEWS_CONFIG": str(folder / "config.yaml"), "NO_COLOR": "1"}
    res = CliRunner().invoke(main, ["add", str(ru), str(export)], env=env)
    assert res.exit_code == 0, res.output
    for marks in (["star", "1803.03635"], ["note", "2101.00042", "a note"], ["mark", "1911.02116", "--read"]):
        assert CliRunner().invoke(main, marks, env=env).exit_code == 0  # the marks column and stats line too
    return env


def _words(text: str) -> list[str]:
    return _BOX.sub(" ", text).split()


@pytest.fixture(scope="module")
def vocabulary(narrow_home) -> set[str]:
    """Every word the listings may show, each whole: the records' fields, and every listing
    laid out 1000 columns wide (headers, counts, origins)."""
    import json

    env = narrow_home
    out = CliRunner().invoke(main, ["export", "--format", "jsonl"], env=env).stdout
    words: set[str] = set()
    for line in out.splitlines():
        r = json.loads(line)
        text = [r["title"], " ".join(r["authors"]), " ".join(r["affiliations"]), r["body"], r["id"],
                " ".join("#" + t for t in r["tags"]), " ".join(x["url"] for x in r["links"])]
        words.update(_words(" ".join(text)))
    for args in NARROW_COMMANDS:
        words.update(_words(CliRunner().invoke(main, ["--no-pager", *args], env={**env, "COLUMNS": "1000"}).stdout))
    return words


@pytest.mark.parametrize("args", NARROW_COMMANDS, ids=" ".join)
def test_every_listing_wraps_at_spaces_at_40_columns(narrow_home, vocabulary, args):
    res = CliRunner().invoke(main, ["--no-pager", *args], env={**narrow_home, "COLUMNS": "40"})
    assert res.exit_code == 0, res.output
    out = res.stdout
    if args[0] == "show":  # the header panel; the body is Markdown, wrapped by rich
        out = out[:out.index("╰")]
    assert max(map(len, out.splitlines())) <= 40
    split = []
    for token in _words(out):
        core = token.strip("…")
        if not core or core in vocabulary or core == "·" or any(core in w and len(w) > 36 for w in vocabulary):
            continue  # whole, or a piece of a word longer than the line
        if token.endswith("…") and len(core) >= 15 and any(w.startswith(core) for w in vocabulary):
            continue  # a word longer than its column, cut short with an ellipsis
        split.append(token)
    assert not split, (split, out)
