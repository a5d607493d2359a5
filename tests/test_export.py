"""Issue 8, items 3 (totals), 6 (exports) and 7 (one record shape), through the CLI on the
bundled corpus (31 records) plus dumps written here."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path

import exports as E
import pytest
import yaml
from click.testing import CliRunner

from reviews_cli.cli import main

BUNDLED = 31
RECORD_KEYS = {"id", "title", "authors", "affiliations", "arxiv_id", "paper_url", "year", "tags", "links",
               "reviewer", "date", "body", "sources"}
SOURCE_KEYS = {"path", "format", "url", "post_id", "date"}
# what the library's records carry besides (issue 17): the user's marks; `parse --json` does not
STATE_KEYS = {"starred", "read", "note"}
HIT_KEYS = RECORD_KEYS | STATE_KEYS | {"rank", "score", "snippet", "highlights"}

# A post whose every field carries what BibTeX, Markdown and spreadsheets must not take raw.
SPECIAL_TITLE = "Обучение {нейросетей} на 100% & $x_1$ #тег ~ ^ \\ «Ёлки» Schrödinger’s GAN"
SPECIAL = f"""Спецсимволы – Telegram
{SPECIAL_TITLE}
Иван Петров, Jürgen Schmidhuber

Статья: https://arxiv.org/abs/2101.00001
Код: https://github.com/example/repo

#GAN #NLP

=HYPERLINK("http://evil") <script>alert(1)</script> тело поста с *звёздочками* и [скобками](javascript:alert(1)).
Подробнее: https://example.com/a_b?c=d&e=%20f#frag
"""
# The same paper reviewed again elsewhere: one BibTeX entry, both reviews in its note.
SECOND = """Другой канал – Telegram
The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks
Jonathan Frankle, Michael Carbin

Paper: https://arxiv.org/abs/1803.03635v3

#pruning

Совсем другой обзор той же статьи: автор спорит с выводами про ранний pruning и rewinding.
"""


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def out_json(*args):
    res = run(*args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.fixture
def special(tmp_path):
    p = tmp_path / "special.txt"
    p.write_text(SPECIAL, encoding="utf-8")
    assert run("add", str(p)).exit_code == 0
    return p


@pytest.fixture
def second(tmp_path):
    p = tmp_path / "other_channel.txt"
    p.write_text(SECOND, encoding="utf-8")
    assert run("add", str(p)).exit_code == 0
    return p


# ------------------------------------------------------------------ 7: one record shape

def test_search_list_and_tag_hits_are_the_full_record_plus_rank_score_snippet():
    shown = {r["id"]: r for r in out_json("export")}
    for data in (out_json("search", "--json", "GAN"), out_json("list", "--json", "-n", "5"),
                 out_json("tag", "--json", "--any", "ICLR", "GAN")):
        assert data["hits"] and isinstance(data["total"], int)
        for k, hit in enumerate(data["hits"], start=1):
            assert set(hit) == HIT_KEYS
            assert hit["rank"] == k
            assert all(set(s) == SOURCE_KEYS for s in hit["sources"])
            assert {key: hit[key] for key in RECORD_KEYS | STATE_KEYS} == shown[hit["id"]]  # as show/export give it
            assert isinstance(hit["snippet"], str) and hit["snippet"]
    hit = out_json("search", "--json", "winning tickets")["hits"][0]
    assert hit["score"] > 0 and hit["title"].startswith("The Lottery Ticket")
    assert out_json("list", "--json")["hits"][0]["score"] is None  # list ranks by date, not relevance


# ------------------------------------------------------------------ 3: totals

def test_search_total_counts_every_match_not_just_those_shown():
    everything = out_json("search", "--json", "--limit", "1000", "сеть")
    assert everything["total"] == len(everything["hits"]) > 3
    one = out_json("search", "--json", "--limit", "2", "сеть")
    assert len(one["hits"]) == 2 and one["total"] == everything["total"]
    res = run("search", "--limit", "2", "сеть")
    assert res.exit_code == 0 and f"2 of {everything['total']}" in res.stderr
    res = run("search", "SC-FEGAN")
    assert re.search(r"^(\d+) of \1$", res.stderr, re.M)  # all shown: no "--limit" hint
    assert "--limit" not in res.stderr


def test_tag_total_and_human_count():
    data = out_json("tag", "--json", "--any", "-n", "2", "ICLR", "AE")
    assert len(data["hits"]) == 2 and data["total"] == 4  # AET, ACAI, lottery, AWD-LSTM
    res = run("tag", "-n", "2", "--any", "ICLR", "AE")
    assert res.exit_code == 0 and "2 of 4; --limit N shows more" in res.stderr
    assert "1 of 1" in run("tag", "GAN").stderr
    assert out_json("tag", "--json", "GAN")["total"] == 1


@pytest.fixture(scope="module")
def big_home(tmp_path_factory):
    """A library of the bundled corpus plus 700 generated posts (bench/gen_corpus.py), so a
    common word matches more records than the search ranks (search.CANDIDATES)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import gen_corpus

    from reviews_cli.library import Library

    root = tmp_path_factory.mktemp("big")
    files = gen_corpus.generate(700, str(root / "corpus"))
    lib = Library.open(root / "home")
    lib.add(sorted(files))
    lib.close()
    return root / "home"


def test_total_beyond_the_ranked_candidates_is_counted_exactly(big_home, monkeypatch):
    from reviews_cli import textnorm as tn
    from reviews_cli.library import Library
    from reviews_cli.search import search as search_mod
    from reviews_cli.search.query import Query

    monkeypatch.setenv("REVIEWS_HOME", str(big_home))
    lib = Library.open(big_home)
    stem = tn.stem("модель")
    expected = 0
    for r in lib.iter_reviews():  # independent of FTS: any word of the record with the stem
        text = " ".join([r.title, r.body, *r.authors, *r.tags])
        expected += any(tn.stem(w) == stem for w in tn.words(text))
    s = search_mod.Searcher(lib.conn)
    result = s.search(Query.parse("модель"), limit=5)
    assert len(result.hits) == 5 and result.total == expected > search_mod.CANDIDATES
    found, rids = s.matching_ids(Query.parse("модель"))
    assert found.total == len(rids) == len(set(rids)) == expected  # export: every match, no cap
    # a word AND a filter and an exclusion: the COUNT runs the same MATCH and filters
    q = Query.parse("модель year:2020..2023 -сеть")
    capped = s.search(q, limit=1).total
    assert capped == len(s.matching_ids(q)[1]) > 0
    lib.close()
    lines = run("export", "модель", "--format", "jsonl").stdout.splitlines()
    assert len(lines) == expected


# ------------------------------------------------------------------ 6: exports

@pytest.mark.parametrize("fmt", ["json", "jsonl", "yaml", "csv", "bibtex", "markdown"])
def test_every_format_to_stdout_and_by_extension(fmt, tmp_path):
    ext = {"json": "json", "jsonl": "jsonl", "yaml": "yml", "csv": "csv", "bibtex": "bib", "markdown": "md"}[fmt]
    res = run("export", "--format", fmt)
    assert res.exit_code == 0 and res.stdout
    assert run("export", "--format", fmt, "-o", "-").stdout == res.stdout
    path = tmp_path / f"all.{ext}"
    written = run("export", "-o", str(path))
    assert written.exit_code == 0 and written.stdout == ""
    assert path.read_text(encoding="utf-8") == res.stdout
    assert f"({fmt})" in written.stderr


def test_json_jsonl_yaml_are_the_same_records():
    records = out_json("export")
    assert len(records) == BUNDLED and all(set(r) == RECORD_KEYS | STATE_KEYS for r in records)
    lines = run("export", "--format", "jsonl").stdout.split("\n")
    assert lines[-1] == "" and len(lines) == BUNDLED + 1
    assert [json.loads(line) for line in lines[:-1]] == records
    assert all("\n" not in line and ": " not in line[:20] for line in lines)  # compact
    assert yaml.safe_load(run("export", "--format", "yaml").stdout) == records


def test_a_query_filters_the_export_in_rank_order():
    ranked = [h["id"] for h in out_json("search", "--json", "--limit", "100", "сеть")["hits"]]
    exported = [r["id"] for r in out_json("export", "сеть")]
    assert exported == ranked
    gan = out_json("export", "tag:GAN", "--format", "json")
    assert [r["title"][:8] for r in gan] == ["SC-FEGAN"]
    res = run("export", "--format", "bibtex", "tag:GAN")
    assert res.exit_code == 0 and res.stdout.count("@misc{") == 1 and "arxiv-1902.06838" in res.stdout
    res = run("export", "zzqqxxyy", "-o", "x.json")
    assert res.exit_code == 1 and "nothing found" in res.stderr and not Path("x.json").exists()
    res = run("export", "lotery", "--format", "jsonl")  # corrected like search, and said so
    assert res.exit_code == 0 and "searched for: lottery" in res.stderr


def test_bad_output_path_and_unknown_extension_are_one_line_errors(tmp_path):
    for target in (tmp_path / "no" / "such" / "dir.json", tmp_path):
        res = run("export", "-o", str(target), "--format", "json")
        assert res.exit_code != 0
        assert res.stdout == "" and len(res.stderr.strip().splitlines()) == 1
        assert str(target) in res.stderr and "cannot write" in res.stderr
    res = run("export", "-o", str(tmp_path / "all.docx"))
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1
    assert "all.docx" in res.stderr and "--format" in res.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["home"]  # REVIEWS_HOME; no export, no temporary file


def test_a_pipe_or_device_is_written_in_place_not_replaced(tmp_path):
    import os
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text(encoding="utf-8")), daemon=True)
    reader.start()
    res = run("export", "--format", "jsonl", "-o", str(fifo))
    reader.join(10)
    assert res.exit_code == 0 and len(got[0].splitlines()) == BUNDLED
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_csv_one_row_per_review_with_fixed_header_and_no_formulas(special):
    text = run("export", "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["id", "title", "authors", "affiliations", "arxiv_id", "paper_url", "year", "date", "tags",
                       "links", "code", "reviewer", "sources", "body", "starred", "read", "note"]
    assert len(rows) == BUNDLED + 2
    by_id = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    (row,) = [r for r in by_id.values() if r["arxiv_id"] == "2101.00001"]
    assert row["title"] == SPECIAL_TITLE and row["authors"] == "Иван Петров; Jürgen Schmidhuber"
    assert row["code"] == "https://github.com/example/repo" and row["tags"].startswith("GAN; NLP")
    assert row["body"].startswith("'=HYPERLINK(") and "\nПодробнее:" in row["body"]
    lottery = next(r for r in by_id.values() if r["arxiv_id"] == "1803.03635")
    assert "https://t.me/gonzo_ML/21" in lottery["sources"].split("; ")
    for cells in rows[1:]:
        assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)


def test_csv_guards_every_formula_start():
    from reviews_cli.models import Review
    from reviews_cli.render.exports import csv_rows

    r = Review(id="x", title="+1", authors=("@me",), affiliations=("-lab",), body="-2-", tags=("=cmd",))
    (_, line) = list(csv_rows([r]))
    assert next(csv.reader([line])) == ["x", "'+1", "'@me", "'-lab", "", "", "", "", "'=cmd", "", "", "", "", "'-2-"]


def test_csv_carries_what_json_carries(tmp_path):
    """Every field of a JSON record has its CSV column: date and affiliations among them."""
    from reviews_cli.models import Link, Review, Reviewer, Source
    from reviews_cli.render.exports import CSV_HEADER

    assert set(Review(id="x", title="t").to_dict()) <= set(CSV_HEADER)
    path = E.write_json(tmp_path / "result.json", E.channel_json())
    assert run("add", str(path)).exit_code == 0
    records = {r["id"]: r for r in map(json.loads, run("export", "--format", "jsonl").stdout.splitlines())}
    rows = list(csv.DictReader(io.StringIO(run("export", "--format", "csv").stdout)))
    assert len(rows) == len(records)
    for row in rows:
        r = records[row["id"]]
        assert row["date"] == (r["date"] or "") and row["year"] == str(r["year"] or "")
        assert row["affiliations"] == "; ".join(r["affiliations"]) and row["authors"] == "; ".join(r["authors"])
        assert row["links"] == "; ".join(x["url"] for x in r["links"])
        assert row["code"] == "; ".join(x["url"] for x in r["links"] if x["role"] == "code")
    lottery = next(row for row in rows if row["arxiv_id"] == "1803.03635" and row["date"].startswith("2019-01-06"))
    assert lottery["affiliations"] == "CSAIL MIT" and lottery["date"] == "2019-01-06T15:41:07+00:00"
    one = Review(id="y", title="T", affiliations=("MIT", "DeepMind"), date="2020-05-01T10:00:00+00:00",
                 links=(Link("https://arxiv.org/abs/2005.00001", "paper"), Link("https://github.com/a/b", "code")),
                 reviewer=Reviewer("Ann", "ann"), sources=(Source("d.txt", "fmt", "https://t.me/c/1"),))
    from reviews_cli.render.exports import csv_rows

    (_, line) = list(csv_rows([one]))
    cells = dict(zip(CSV_HEADER, next(csv.reader([line]))))
    assert cells["affiliations"] == "MIT; DeepMind" and cells["date"] == "2020-05-01T10:00:00+00:00"
    assert cells["links"] == "https://arxiv.org/abs/2005.00001; https://github.com/a/b"
    assert cells["code"] == "https://github.com/a/b" and cells["reviewer"] == "Ann (@ann)"
    assert cells["sources"] == "https://t.me/c/1"


def _bibtex_text(*args):
    res = run("export", "--format", "bibtex", *args)
    assert res.exit_code == 0, res.output
    return res.stdout


def test_bibtex_one_entry_per_paper_read_by_pybtex_and_bibtexparser(special, second):
    import bibtexparser
    from pybtex.database import parse_string
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    text = _bibtex_text()
    papers = {r["arxiv_id"] or r["id"] for r in out_json("export")}
    db = parse_string(text, "bibtex")
    assert len(db.entries) == len(papers) == BUNDLED + 1  # the second lottery review shares its entry
    parsed = bibtexparser.parse_string(text)
    assert parsed.failed_blocks == [] and len(parsed.entries) == len(papers)
    assert len({e.key for e in parsed.entries}) == len(papers)

    lottery = db.entries["arxiv-1803.03635"]
    assert lottery.fields["eprint"] == "1803.03635" and lottery.fields["archivePrefix"] == "arXiv"
    assert lottery.fields["year"] == "2019" and lottery.fields["url"] == "https://arxiv.org/abs/1803.03635"
    assert [str(p) for p in lottery.persons["author"]] == ["Frankle, Jonathan", "Carbin, Michael"]
    note = lottery.fields["note"]
    assert r"\url{https://t.me/gonzo_ML/21}" in note and "other\\_channel.txt" in note and note.startswith("Reviews:")

    # pylatexenc's decoder lacks three standard text commands its encoder writes
    ctx = get_default_latex_context_db().filter_context()
    ctx.add_context_category("textcomp", prepend=True, macros=[
        MacroTextSpec("textbraceleft", "{"), MacroTextSpec("textbraceright", "}"),
        MacroTextSpec("textasciicircum", "^")])
    decode = LatexNodes2Text(latex_context=ctx).latex_to_text
    entry = db.entries["arxiv-2101.00001"]
    assert text.count("arxiv-2101.00001") == 1
    assert decode(entry.fields["title"]) == SPECIAL_TITLE  # every special character and Cyrillic back
    assert [decode(str(p)) for p in entry.persons["author"]] == ["Петров, Иван", "Schmidhuber, Jürgen"]
    assert decode(entry.fields["keywords"]).startswith("GAN, NLP")
    raw = text[text.index("@misc{arxiv-2101.00001"):]
    raw = raw[:raw.index("\n}\n") + 2]
    assert raw.isascii()  # Cyrillic as LaTeX macros: fine for 8-bit BibTeX too
    assert raw.count("{") == raw.count("}")


def test_bibtex_keys_are_stable_and_fall_back_to_the_record_id():
    first, again = _bibtex_text(), _bibtex_text()
    assert first == again
    keys = re.findall(r"^@misc\{([^,]+),", first, re.M)
    no_arxiv = [r["id"] for r in out_json("export") if not r["arxiv_id"]]
    assert no_arxiv and all(f"review-{i}" in keys for i in no_arxiv)


def test_bibtex_braces_in_text_never_unbalance_a_field():
    from pybtex.database import parse_string

    from reviews_cli.models import Review, Source
    from reviews_cli.render.exports import bibtex_entry

    r = Review(id="ab12", title="}{ odd } braces {", authors=("A } B",),
               sources=(Source("d.txt", "x", url="https://t.me/c/1?a=%7B#x y"),))
    text = bibtex_entry([r])
    entry = parse_string(text, "bibtex").entries["review-ab12"]
    assert entry.fields["title"].count("textbraceleft") == 2
    assert r"\url{https://t.me/c/1?a=\%7B\#x\%20y}" in entry.fields["note"]  # % and # escaped in \url


def test_markdown_one_section_per_review_links_kept_nothing_injected(special):
    from markdown_it import MarkdownIt

    text = run("export", "--format", "markdown").stdout
    tokens = MarkdownIt("commonmark").parse(text)
    heads = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
    records = out_json("export")
    assert len(heads) == len(records) == BUNDLED + 1
    links = {c.attrs["href"] for t in tokens if t.type == "inline" for c in t.children or []
             if c.type == "link_open"}
    assert "https://arxiv.org/abs/1803.03635" in links and "https://t.me/gonzo_ML/21" in links
    assert "https://github.com/JoYoungjoo/SC-FEGAN" in links
    assert "https://example.com/a_b?c=d&e=%20f#frag" in links  # a bare URL in the body stays a link
    assert not any(h.startswith("javascript:") for h in links)
    assert not [t for t in tokens if t.type.startswith("html")]
    assert not any(c.type.startswith("html") for t in tokens for c in t.children or [])
    html = MarkdownIt("commonmark").render(text)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert f"<h2>{SPECIAL_TITLE}</h2>".replace("&", "&amp;") in html.replace("&quot;", '"')


def test_machine_formats_escape_controls(tmp_path):
    title = "Attention \x9b31m Is All \u202eYou Need"
    p = tmp_path / "c1.txt"
    p.write_text(f"Ch – Telegram\n{title}\nA. Author\n\nhttps://arxiv.org/abs/1706.03762\n\nBody \x1b[2J text.\n",
                 encoding="utf-8")
    assert run("add", str(p)).exit_code == 0
    for fmt in ("jsonl", "csv", "bibtex", "markdown"):
        out = run("export", "--format", fmt, "1706.03762").stdout
        assert not [ch for ch in out if ch in "\x1b\x9b\u202e"], fmt
    line = run("export", "--format", "jsonl", "1706.03762").stdout.splitlines()[0]
    assert json.loads(line)["title"] == title


def test_exports_stream_one_chunk_at_a_time(big_home, monkeypatch):
    """A filtered export decodes the records a chunk at a time as it writes, never all first."""
    from reviews_cli.library import Library
    from reviews_cli.models import Review
    from reviews_cli.render.exports import bibtex_entries, csv_rows
    from reviews_cli.search import search as search_mod
    from reviews_cli.search.query import Query

    lib = Library.open(big_home)
    s = search_mod.Searcher(lib.conn)
    _, rids = s.matching_ids(Query.parse("модель"))
    assert len(rids) > search_mod.SQL_CHUNK
    decoded = []
    real = Review.from_dict
    monkeypatch.setattr(Review, "from_dict", classmethod(lambda cls, d: decoded.append(1) or real(d)))
    rows = csv_rows(s.load(rids))
    next(rows), next(rows)
    assert 0 < len(decoded) <= search_mod.SQL_CHUNK
    decoded.clear()
    entries = bibtex_entries(s.paper_groups())
    next(entries)
    assert 0 < len(decoded) <= 5  # the whole library, grouped by paper in SQL
    lib.close()


def test_every_extension_names_a_format_the_cli_offers():
    from reviews_cli.commands.export import _EXPORT_FORMATS
    from reviews_cli.render.exports import EXTENSIONS

    assert set(EXTENSIONS.values()) == set(_EXPORT_FORMATS)
