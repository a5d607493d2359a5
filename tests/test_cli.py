"""The commands of issue 2, through click's test runner, on the bundled corpus."""

from __future__ import annotations

import json
from pathlib import Path

import exports as E
import pytest
import yaml
from click.testing import CliRunner

from reviews_cli.cli import main

LOTTERY = "The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def search_titles(*query):
    res = run("search", "--json", *query)
    assert res.exit_code == 0, res.output
    return [h["title"] for h in json.loads(res.stdout)["hits"]]


@pytest.mark.parametrize("query", ["lottery", "лотерейного", "lotery", "лотерея", "lottery ticket"])
def test_search_finds_lottery_first(query):
    assert search_titles(query)[0] == LOTTERY


def test_search_table_output():
    res = run("search", "lottery")
    assert res.exit_code == 0
    assert "Lottery Ticket Hypothesis" in res.stdout
    assert "8d5fd2cd" in res.stdout or "gonzo_ml_channel_page_1" in res.stdout


def test_typo_says_what_was_searched():
    res = run("search", "lotery", "tiket")
    assert res.exit_code == 0
    assert "Searched for: lottery ticket" in res.stdout
    data = json.loads(run("search", "--json", "lotery", "tiket").stdout)
    assert data["searched_for"] == "lottery ticket"
    assert data["hits"][0]["title"] == LOTTERY


def test_gan_finds_sc_fegan():
    assert any(t.startswith("SC-FEGAN") for t in search_titles("GAN"))


def test_limit():
    assert len(search_titles("--limit", "1", "GAN")) == 1
    assert len(search_titles("GAN")) > 1


def test_no_match_exit_1_short_message():
    res = run("search", "zzqqxxyy")
    assert res.exit_code == 1
    assert "nothing found" in res.stderr
    assert len(res.stderr.strip().splitlines()) <= 2


def test_json_search_has_score_and_snippet():
    hit = json.loads(run("search", "--json", "winning tickets").stdout)["hits"][0]
    assert hit["score"] > 0
    assert "winning tickets" in hit["snippet"]
    s, e = hit["highlights"][0]
    assert hit["snippet"][s:e].lower() in ("winning", "tickets")


@pytest.mark.parametrize("tag", ["#GAN", "GAN", "gan"])
def test_tag_forms_are_the_same(tag):
    res = run("tag", "--json", tag)
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert [r["title"][:8] for r in data["hits"]] == ["SC-FEGAN"] and data["total"] == 1


def test_tag_unknown_exit_1():
    assert run("tag", "nosuchtag").exit_code == 1


def test_tags_lists_counts():
    data = {d["tag"]: d["reviews"] for d in json.loads(run("tags", "--json").stdout)}
    assert data["ICLR"] == 3  # lottery (merged once), AWD-LSTM, ACAI
    assert data["GAN"] == 1
    assert "#ICLR" in run("tags").stdout


@pytest.mark.parametrize("ident", ["1803.03635", "arXiv:1803.03635", "https://arxiv.org/abs/1803.03635v2",
                                   "8d5fd2cd", "8d5fd", "lottery ticket hypothesis"])
def test_show_accepts_every_id_form(ident):
    res = run("show", "--json", ident)
    assert res.exit_code == 0, res.output
    recs = json.loads(res.stdout)
    assert [r["title"] for r in recs] == [LOTTERY]


def test_show_renders_header_and_body():
    out = run("show", "1803.03635").stdout
    for s in (LOTTERY, "Jonathan Frankle", "CSAIL MIT", "#pruning", "https://arxiv.org/abs/1803.03635",
              "gonzo_ML/21", "winning tickets"):
        assert s in out, s


def test_show_unknown_suggests_close_titles():
    res = run("show", "Lottery Ticket Hypotesis for Transformers")
    assert res.exit_code == 1
    assert "nothing found" in res.stderr
    assert "Did you mean" in res.stderr and "Lottery Ticket" in res.stderr


def test_show_unknown_id_exit_1():
    res = run("show", "zzzz-not-a-thing-zzzz")
    assert res.exit_code == 1


def test_parse_json_contract():
    dump = Path(__file__).resolve().parent.parent / "data" / "dumps" / "gonzo_ml_channel_page_2.txt"
    res = run("parse", "--json", str(dump))
    assert res.exit_code == 0
    recs = json.loads(res.stdout)
    assert len(recs) == 4
    keys = {"id", "title", "authors", "affiliations", "arxiv_id", "paper_url", "year", "tags", "links",
            "reviewer", "date", "body", "sources"}
    for r in recs:
        assert set(r) == keys
        assert all(link["role"] in ("paper", "code", "other") for link in r["links"])
        assert set(r["sources"][0]) == {"path", "format", "url", "post_id", "date"}
    assert "telegram-web-text" in res.stderr


def test_ids_are_stable_across_runs_and_unique():
    first = json.loads(run("export", "--format", "json").stdout)
    second = json.loads(run("export", "--format", "json").stdout)
    assert [r["id"] for r in first] == [r["id"] for r in second]
    assert len({r["id"] for r in first}) == len(first) == 31
    assert all(len(r["id"]) <= 8 for r in first)


def test_export_yaml_round_trips():
    res = run("export", "--format", "yaml")
    data = yaml.safe_load(res.stdout)
    assert len(data) == 31
    assert json.loads(run("export").stdout) == data


def test_export_to_file(tmp_path):
    out = tmp_path / "all.json"
    assert run("export", "-o", str(out)).exit_code == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 31


def test_sources_lists_bundled_dumps():
    data = json.loads(run("sources", "--json").stdout)
    assert {d["name"]: d["reviews"] for d in data} == {
        "gonzo_ml_channel_page_1.txt": 6, "gonzo_ml_channel_page_2.txt": 4,
        "habr_ods_article_essense_2019_q3.txt": 9, "yandex_neurips_2020_review.txt": 12,
        "tgoop_gonzo_ml_21.txt": 1}


SECOND_REVIEW = E.SECOND_LOTTERY_REVIEW


def test_add_copies_dump_and_second_review_of_same_paper_stays_separate(tmp_path, _isolated_home):
    dump = tmp_path / "other_channel.txt"
    dump.write_text(SECOND_REVIEW, encoding="utf-8")
    res = run("add", str(dump))
    assert res.exit_code == 0, res.output
    assert "other_channel.txt" in res.stdout
    dump.unlink()  # the library keeps its own copy
    recs = json.loads(run("show", "--json", "1803.03635").stdout)
    assert len(recs) == 2
    assert any("rewinding" in r["body"] for r in recs)
    hits = json.loads(run("search", "--json", "1803.03635").stdout)["hits"]
    assert len(hits) >= 2 and all(h["arxiv_id"] == "1803.03635" for h in hits[:2])
    assert len(json.loads(run("export").stdout)) == 32
    names = [d["name"] for d in json.loads(run("sources", "--json").stdout)]
    assert "other_channel.txt" in names
    assert run("remove", "other_channel.txt").exit_code == 0
    assert len(json.loads(run("export").stdout)) == 31
    assert not list((_isolated_home / "dumps").iterdir())


def test_add_same_post_merges_sources(tmp_path):
    src = Path(__file__).resolve().parent.parent / "data" / "dumps" / "tgoop_gonzo_ml_21.txt"
    copy = tmp_path / "mirror_again.txt"
    copy.write_text(src.read_text(encoding="utf-8").replace("🔥5", "🔥9") + "\n", encoding="utf-8")
    res = run("add", "--json", str(copy))
    info = json.loads(res.stdout)[0]
    assert info["reviews"] == 1 and info["merged"] == 1
    assert len(json.loads(run("export").stdout)) == 31


def test_remove_bundled_refused():
    res = run("remove", "tgoop_gonzo_ml_21.txt")
    assert res.exit_code == 1
    assert "bundled" in res.stderr


def test_python_m_entry_point():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "reviews_cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "reviews" in out.stdout


@pytest.mark.parametrize("columns", ["80", "160"])
def test_search_table_shows_tags_and_source_at_any_width(monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    out = run("search", "SC-FEGAN").stdout
    assert "#GAN" in out and "gonzo_ml_channel" in out and "389ac7e1" in out  # long labels fold in wide cells
    assert max(len(line) for line in out.splitlines()) <= int(columns)


# ------------------------------------------------------------------ issue 8: open, list, -h

def test_open_prints_and_opens_the_chosen_link(monkeypatch):
    import webbrowser

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    res = run("open", "1803.03635")
    assert res.exit_code == 0 and res.stdout.strip() == "https://arxiv.org/abs/1803.03635"
    assert run("open", "--code", "SC-FEGAN").stdout.strip() == "https://github.com/JoYoungjoo/SC-FEGAN"
    assert run("open", "--post", "1803.03635").stdout.strip() == "https://t.me/gonzo_ML/21"
    assert opened == ["https://arxiv.org/abs/1803.03635", "https://github.com/JoYoungjoo/SC-FEGAN",
                      "https://t.me/gonzo_ML/21"]
    res = run("open", "--code", "1803.03635")
    assert res.exit_code == 1 and res.stderr.strip().endswith("the review has no code link")
    assert len(opened) == 3


def test_list_newest_first_with_filters_and_totals(tmp_path):
    dump = tmp_path / "result.json"

    E.write_json(dump, E.channel_json())
    assert run("add", "--channel", "gonzo_ML", str(dump)).exit_code == 0
    res = run("list", "--json", "-n", "2")
    data = json.loads(res.stdout)
    assert data["total"] == 32 and [h["rank"] for h in data["hits"]] == [1, 2]
    assert data["hits"][0]["date"] >= data["hits"][1]["date"]  # dated posts come first, newest first
    assert json.loads(run("list", "--json", "--tag", "GAN").stdout)["total"] == 1
    assert json.loads(run("list", "--json", "--since", "2019-01-06").stdout)["total"] == 2
    assert json.loads(run("list", "--json", "--source", "result.json").stdout)["total"] == 2
    res = run("list", "--since", "yesterday")
    assert res.exit_code == 2 and "--since 'yesterday' is not a date" in res.stderr
    res = run("list", "-n", "3")
    assert res.exit_code == 0 and "3 of 32" in res.stderr


@pytest.mark.parametrize("command", ["search", "show", "tag", "tags", "list", "open", "parse", "add", "export",
                                     "sources", "remove"])
def test_dash_h_is_help_on_every_command(command):
    res = run(command, "-h")
    assert res.exit_code == 0 and "Usage: " in res.stdout


def test_mistyped_long_option_is_a_usage_error_while_dash_word_excludes():
    res = run("search", "lottery", "--limt", "3")
    assert res.exit_code == 2 and "Did you mean --limit?" in res.output
    res = run("search", "lottery", "-zzqqxx")
    assert res.exit_code == 0 and "Lottery Ticket" in res.stdout
    res = run("tag", "GAN", "--limt", "3")
    assert res.exit_code == 2 and "--limit" in res.output
