"""Issue 15 points 5, 6 and 8 on generated inputs of the real shape: authors beside a shared link
line; files that are not digests give no review; saved Habr pages and Markdown digests keep one
record per paper heading; a paper-title line over review prose is a review with no link."""

from __future__ import annotations

import html
import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews_cli.cli import main
from reviews_cli.parsing import parse_file

PROSE_RU = ("Авторы предлагают новую архитектуру и показывают, что модель обучается быстрее, а на бенчмарках "
            "результаты лучше прежних. Метод простой, эксперименты аккуратные.")
PROSE_EN = ("The authors propose a new architecture and show that the model trains faster and the results on "
            "standard benchmarks improve. The method is simple and the experiments are careful.")
PAPERS = [
    ("Perceiver: General Perception with Iterative Attention", "Andrew Jaegle, Felix Gimeno, Andrew Brock",
     "2103.03206", "https://github.com/deepmind/perceiver"),
    ("Big Bird: Transformers for Longer Sequences", "Manzil Zaheer, Guru Guruganesh, Avinava Dubey",
     "2007.14062", "https://github.com/google-research/bigbird"),
    ("Scaling Laws for Neural Language Models", "Jared Kaplan, Sam McCandlish, Tom Henighan",
     "2001.08361", "https://github.com/openai/scaling"),
]


def _parse(tmp_path, name: str, text: str):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return parse_file(p).reviews


# ------------------------------------------------------------------ point 5: shared link line

@pytest.mark.parametrize("sep", [", код: ", "; Код: ", " | Code: ", ", code: "])
@pytest.mark.parametrize("title, authors, aid, code", PAPERS)
def test_authors_survive_a_line_with_both_links(tmp_path, sep, title, authors, aid, code):
    text = f"{title}\n{authors}\n\nСтатья: https://arxiv.org/abs/{aid}{sep}{code}\n\n{PROSE_RU}\n"
    (r,) = _parse(tmp_path, "post.txt", text)
    assert r.title == title and r.arxiv_id == aid
    assert list(r.authors) == [a.strip() for a in authors.split(",")]
    assert code in {ln.url for ln in r.links if ln.role == "code"}


def test_authors_survive_a_shared_link_line_in_a_telegram_export(tmp_path):
    title, authors, aid, code = PAPERS[0]
    text = [f"{title}\n{authors}\n\n", {"type": "text_link", "text": "Статья", "href": f"https://arxiv.org/abs/{aid}"},
            ", ", {"type": "text_link", "text": "код", "href": code}, f"\n\n{PROSE_RU}"]
    msg = {"id": 5, "type": "message", "date": "2021-03-05T10:00:00", "date_unixtime": "1614938400",
           "from": "gonzo-обзоры ML статей", "from_id": "channel1", "text": text,
           "text_entities": [{"type": "plain", "text": t} if isinstance(t, str) else t for t in text]}
    data = {"name": "gonzo-обзоры ML статей", "type": "public_channel", "id": 1, "messages": [msg]}
    p = tmp_path / "result.json"
    p.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    (r,) = parse_file(p, channel="gonzo_ML").reviews
    assert r.arxiv_id == aid and list(r.authors) == ["Andrew Jaegle", "Felix Gimeno", "Andrew Brock"]


# ------------------------------------------------------------------ point 6: not digests

PYTHON_SOURCE = '''"""Train a small transformer (see https://arxiv.org/abs/1706.03762)."""

import argparse
from pathlib import Path

import torch


class Model(torch.nn.Module):
    def __init__(self, dim: int = 512) -> None:
        super().__init__()
        self.proj = torch.nn.Linear(dim, dim)

    def forward(self, x):
        return self.proj(x)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args()
    model = Model()
    print(model, args.epochs)


if __name__ == "__main__":
    main()
'''

README = """# fastattn

Fast attention kernels for PyTorch, implementing the method of the paper
Attention Is All You Need (https://arxiv.org/abs/1706.03762) with fused CUDA kernels.

## Installation

```
pip install fastattn
```

## Usage

Import the module and call `fastattn.attention(q, k, v)`; shapes follow the paper's notation and the
results match the reference implementation on every benchmark we tried.

## License

MIT
"""


def _csv(rows: int) -> str:
    return "epoch,loss,accuracy\n" + "".join(f"{k},{1 / (k + 1):.4f},{0.5 + k / (2 * rows):.3f}\n" for k in range(rows))


@pytest.mark.parametrize("name, text", [("train.py", PYTHON_SOURCE), ("README.md", README),
                                        ("metrics.csv", _csv(40)), ("metrics.txt", _csv(5))])
def test_files_that_are_not_digests_give_no_review_found(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["parse", str(p)])
    assert res.exit_code == 1
    err = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(err) == 1 and "no review found" in err[0] and name in err[0]
    assert res.stdout.strip() == ""


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=32), min_size=2, max_size=6),
                min_size=3, max_size=30), st.sampled_from([",", ";", "\t"]))
def test_any_table_of_numbers_gives_no_record(tmp_path, rows, sep):
    text = "\n".join(sep.join(f"{x:g}" for x in row) for row in rows) + "\n"
    p = tmp_path / "numbers.csv"
    p.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["parse", str(p), "--json"])
    assert res.exit_code == 1 and "no review found" in res.stderr


# ------------------------------------------------------------------ point 8: headings

def _habr_heading_page(papers: list[tuple[str, str]], tag: str) -> str:
    body = "<p>Привет, Хабр! Сегодня разбираем несколько свежих статей про языковые модели.</p>\n"
    body += "".join(f"<{tag}>{html.escape(t)}</{tag}>\n<p>{html.escape(p)}</p>\n" for t, p in papers)
    return ('<!DOCTYPE html><html lang="ru"><head><meta charset="UTF-8"><title>Дайджест статей / Хабр</title>'
            '<link href="https://habr.com/ru/articles/1/" rel="canonical"></head><body><div class="tm-layout">'
            '<h1 class="tm-title"><span>Дайджест статей за неделю</span></h1>'
            '<div class="article-formatted-body article-formatted-body_version-2"><div>'
            f"{body}</div></div></div></body></html>")


@pytest.mark.parametrize("tag", ["h2", "h3"])
def test_a_saved_habr_digest_gives_one_record_per_paper_heading(tmp_path, tag):
    papers = [(t, f"{PROSE_RU} Речь о работе {t.split(':')[0]}.") for t, *_ in PAPERS]
    recs = _parse(tmp_path, "digest.html", _habr_heading_page(papers, tag))
    assert [r.title for r in recs] == [t for t, _ in papers]
    assert all(PROSE_RU[:40] in r.body for r in recs)


def test_generic_section_headings_are_not_papers(tmp_path):
    papers = [("Введение", PROSE_RU), (PAPERS[0][0], PROSE_RU), ("Выводы", PROSE_RU), (PAPERS[1][0], PROSE_EN)]
    recs = _parse(tmp_path, "digest.html", _habr_heading_page(papers, "h2"))
    assert [r.title for r in recs] == [PAPERS[0][0], PAPERS[1][0]]


@pytest.mark.parametrize("mark", ["## {}", "### {}", "**{}**", "<h2>{}</h2>", "<b>{}</b>"])
def test_a_review_after_a_title_in_markup_is_its_own_record(tmp_path, mark):
    (t1, a1, id1, _), (t2, _, _, _) = PAPERS[0], PAPERS[1]
    text = (f"{t1}\n{a1}\nСтатья: https://arxiv.org/abs/{id1}\n\n{PROSE_RU}\n\n"
            f"{mark.format(t2)}\n\n{PROSE_EN}\n")
    recs = _parse(tmp_path, "digest.md", text)
    assert [r.title for r in recs] == [t1, t2]
    assert PROSE_EN[:40] not in recs[0].body and PROSE_EN[:40] in recs[1].body


def test_a_markdown_digest_of_headings_gives_one_record_each(tmp_path):
    text = "# Дайджест недели\n\nНесколько статей, которые стоит прочитать.\n\n" + "".join(
        f"## {t}\n\n{PROSE_RU}\n\n" for t, *_ in PAPERS)
    recs = _parse(tmp_path, "digest.md", text)
    assert [r.title for r in recs] == [t for t, *_ in PAPERS]


@pytest.mark.parametrize("title, prose", [(PAPERS[0][0], PROSE_RU), (PAPERS[2][0], PROSE_EN),
                                          ("Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
                                           PROSE_RU + " " + PROSE_RU)])
def test_a_paper_title_line_over_review_prose_is_a_review_without_a_link(tmp_path, title, prose):
    (r,) = _parse(tmp_path, "post.txt", f"{title}\n\n{prose}\n")
    assert r.title == title and r.arxiv_id is None and prose[:40] in r.body
