"""Issue 16 point 4: `reviews parse FILE --explain` (and `--explain --json`) shows, for every post,
the decision, the score, the evidence that weighed most, the chosen title and the runner-up;
plain `parse --json` stays the array of records."""

from __future__ import annotations

import json

from click.testing import CliRunner

from reviews_cli.cli import main

PROSE = ("Авторы предлагают новую архитектуру и показывают, что модель обучается быстрее, а на бенчмарках "
         "результаты лучше прежних. Метод простой, эксперименты аккуратные.")
PAGE = (f"Attention Is All You Need\n\n{PROSE}\n\nСтатья: https://arxiv.org/abs/1706.03762\n👍 12\n1.2K views\n"
        "Долго думал, куда движется индустрия. Мне кажется, всё упирается в данные, и люди это недооценивают. "
        "Кто со мной согласен? Пишите в комментариях, обсудим, интересно ваше мнение. Хорошего вечера!\n")


def _run(tmp_path, *args):
    p = tmp_path / "page.txt"
    p.write_text(PAGE, encoding="utf-8")
    return CliRunner().invoke(main, ["parse", str(p), *args])


def test_explain_shows_every_post_with_its_decision(tmp_path):
    res = _run(tmp_path, "--explain")
    assert res.exit_code == 0, res.stderr
    out = res.stdout
    assert "page.txt: 2 posts" in out
    assert "title:     Attention Is All You Need" in out
    assert "skipped (score" in out and "reason:    " in out and "evidence:  " in out and "prior" in out


def test_explain_json_gives_the_same_as_data(tmp_path):
    res = _run(tmp_path, "--explain", "--json")
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    assert [r["decision"] for r in rows][-1] == "skipped" and len(rows) == 2
    took, skipped = rows
    assert took["records"] == ["Attention Is All You Need"] and took["title"]["text"] == "Attention Is All You Need"
    assert skipped["score"] < skipped["threshold"] and skipped["reason"] and skipped["records"] == []
    assert all({"feature", "effect"} == set(ev) for r in rows for ev in r["evidence"])
    assert skipped["runner_up"] is None or set(skipped["runner_up"]) == {"text", "score"}


def test_plain_json_is_still_the_array_of_records(tmp_path):
    res = _run(tmp_path, "--json")
    assert res.exit_code == 0
    (rec,) = json.loads(res.stdout)
    assert rec["title"] == "Attention Is All You Need" and rec["arxiv_id"] == "1706.03762" and "decision" not in rec


def test_explain_names_a_file_it_cannot_read(tmp_path):
    res = CliRunner().invoke(main, ["parse", str(tmp_path / "missing.txt"), "--explain"])
    assert res.exit_code != 0 and "missing.txt" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_explain_goes_on_past_a_file_it_cannot_read(tmp_path):
    good = tmp_path / "page.txt"
    good.write_text(PAGE, encoding="utf-8")
    res = CliRunner().invoke(main, ["parse", str(tmp_path / "missing.txt"), str(good), "--explain"])
    assert res.exit_code == 1
    assert "page.txt: 2 posts" in res.stdout and "missing.txt" in res.stderr
