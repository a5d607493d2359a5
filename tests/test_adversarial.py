"""Regressions found by the adversarial pass over issue 8 (hostile dumps, odd input, odd
environments), through the CLI and the core."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from reviews_cli.cli import main
from reviews_cli.safe_text import has_unsafe


def run(*args, **kw):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kw)


def _dump(tmp_path, name, body, title="Entity Attack Networks for Vision Transformers", arxiv="2102.00001",
          tags="#entity"):
    p = tmp_path / name
    p.write_text(f"Ch – Telegram\n{title}\nBob Smith, Eve Jones\nMIT\n\nhttps://arxiv.org/abs/{arxiv}\n\n{tags}\n\n"
                 f"{body}\nThe review text about transformers and attention continues here.\n", encoding="utf-8")
    return p


def test_show_does_not_decode_html_entities_into_invisible_characters(tmp_path):
    # rich's Markdown decodes entities: &rlm; became a raw U+200F, &ZeroWidthSpace; a raw U+200B
    body = "Body &rlm;rlm &lrm;lrm &ZeroWidthSpace;zw &NoBreak;nb &InvisibleTimes;it &amp; &lt;b&gt; end"
    assert run("add", str(_dump(tmp_path, "ent.txt", body))).exit_code == 0
    res = run("--no-pager", "show", "2102.00001")
    assert res.exit_code == 0, res.stderr
    assert not has_unsafe(res.stdout)
    assert "&rlm;rlm" in res.stdout and "&amp; &lt;b&gt; end" in res.stdout  # shown as the post wrote it
