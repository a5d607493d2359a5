"""Shell completion (issue 8, item 8): tags, arXiv and record ids, source names, file paths;
through click's completion protocol and through a real bash with the sourced script."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from reviews_cli.cli import main


def complete(shell: str, *words: str) -> list[str]:
    """The values offered for the last of ``words`` (``reviews`` first), one Tab press."""
    env = {"_REVIEWS_COMPLETE": f"{shell}_complete", "COMP_WORDS": " ".join(words),
           "COMP_CWORD": str(len(words) - 1)}
    res = CliRunner().invoke(main, [], env=env, prog_name="reviews")
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.stdout.splitlines() if ln]
    if shell == "bash":  # "type,value" lines
        return [ln.split(",", 1)[1] for ln in lines]
    return [lines[i + 1] for i in range(0, len(lines), 3)]  # zsh: type, value, help


@pytest.fixture(autouse=True)
def _library_built():
    assert CliRunner().invoke(main, ["tags"]).exit_code == 0  # completion never builds the index itself


def test_tag_offers_the_librarys_hashtags():
    assert complete("bash", "reviews", "tag", "I") == ["ICLR"]
    assert "#GAN" in complete("bash", "reviews", "tag", "#")
    assert complete("bash", "reviews", "tag", "#ga") == ["#GAN"]
    assert complete("bash", "reviews", "tag", "zzz") == []


def test_show_open_offer_arxiv_and_record_ids():
    assert complete("zsh", "reviews", "show", "1803.0") == ["1803.03635"]
    assert "8d5fd2cd" in complete("bash", "reviews", "open", "--code", "8d")
    assert complete("bash", "reviews", "related", "1803.0") == ["1803.03635"]
    res = CliRunner().invoke(main, [], env={"_REVIEWS_COMPLETE": "zsh_complete", "COMP_WORDS": "reviews show 1803.0",
                                            "COMP_CWORD": "2"}, prog_name="reviews")
    assert "Lottery Ticket" in res.stdout  # the title rides along as the help text


def test_remove_offers_added_sources_and_add_parse_offer_files(tmp_path):
    dump = tmp_path / "mine.txt"
    dump.write_text("Some Paper Title Here\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/2001.00008\n\nТекст.\n",
                    encoding="utf-8")
    assert CliRunner().invoke(main, ["add", str(dump)]).exit_code == 0
    assert complete("bash", "reviews", "remove", "mi") == ["mine.txt"]
    assert complete("bash", "reviews", "remove", "gonzo") == []  # bundled dumps cannot be removed
    for cmd in ("add", "parse"):
        res = CliRunner().invoke(main, [], env={"_REVIEWS_COMPLETE": "bash_complete", "COMP_WORDS": f"reviews {cmd} x",
                                                "COMP_CWORD": "2"}, prog_name="reviews")
        assert res.stdout.split() == ["file,x"]  # the shell completes file names


def test_no_library_yet_offers_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWS_HOME", str(tmp_path / "empty"))
    assert complete("bash", "reviews", "tag", "G") == []
    assert not (tmp_path / "empty").exists()  # a Tab press creates nothing


def test_untrusted_titles_reach_the_shell_escaped(tmp_path):
    dump = tmp_path / "evil.txt"
    dump.write_text("Evil \x1b]52;c;aGk=\x07 Title Here\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/2001.00008\n\n"
                    "Текст.\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["add", str(dump)]).exit_code == 0
    res = CliRunner().invoke(main, [], env={"_REVIEWS_COMPLETE": "zsh_complete", "COMP_WORDS": "reviews show 2001",
                                            "COMP_CWORD": "2"}, prog_name="reviews")
    assert "2001.00008" in res.stdout and "\x1b" not in res.stdout and "\x07" not in res.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_script_completes_through_the_installed_command():
    bindir = os.path.dirname(sys.executable)
    if not os.path.exists(os.path.join(bindir, "reviews")):
        pytest.fail("the `reviews` console script is not installed beside the interpreter")
    script = ('eval "$(_REVIEWS_COMPLETE=bash_source reviews)"; COMP_WORDS=(reviews tag I); COMP_CWORD=2; '
              '_reviews_completion reviews; printf "%s\\n" "${COMPREPLY[@]}"')
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    out = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["ICLR"]
