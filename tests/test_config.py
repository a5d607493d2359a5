"""Issue 8, items 11 (--color) and 13 (config.yaml, `reviews config`), through click's test runner.

conftest points REVIEWS_CONFIG at a file in the test's tmp_path that does not exist yet; a test
writes it to set something."""

from __future__ import annotations

import json
import os
import re

import pytest
from click.testing import CliRunner

from reviews_cli import config as cfgmod
from reviews_cli.cli import main

SGR = re.compile(r"\x1b\[[0-9;]*m")
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])[;m]")  # a foreground colour, not just bold


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def config_file(tmp_path):
    """Write the test's config.yaml (the file REVIEWS_CONFIG names) and return its path."""
    path = tmp_path / "config.yaml"
    assert os.environ["REVIEWS_CONFIG"] == str(path)

    def write(text: str | bytes) -> str:
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def hits(*args):
    res = run(*args)
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    return data["hits"] if isinstance(data, dict) else data


# ------------------------------------------------------------------ where the file is

@pytest.mark.parametrize("xdg", [None, "/tmp/xdg-config", "  "])
def test_default_path_agrees_with_platformdirs(monkeypatch, xdg):
    from platformdirs import user_config_dir

    monkeypatch.delenv("REVIEWS_CONFIG", raising=False)
    if xdg is None:
        monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CONFIG_HOME", xdg)
    path, from_env = cfgmod.config_path()
    assert path == os.path.join(user_config_dir("reviews", appauthor=False), "config.yaml")
    assert not from_env


def test_reviews_config_env_names_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv("REVIEWS_CONFIG", str(tmp_path / "elsewhere.yaml"))
    assert cfgmod.config_path() == (str(tmp_path / "elsewhere.yaml"), True)
    monkeypatch.setenv("REVIEWS_CONFIG", "")  # empty is unset
    assert cfgmod.config_path()[1] is False


# ------------------------------------------------------------------ reviews config

def test_config_command_without_a_file(monkeypatch):
    monkeypatch.delenv("PAGER", raising=False)
    res = run("config", "--json")
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["path"] == os.environ["REVIEWS_CONFIG"] and data["exists"] is False and data["from_env"] is True
    assert data["settings"] == {"limit": {"value": None, "from": "default"},
                                "sort": {"value": "relevance", "from": "default"},
                                "pager": {"value": True, "from": "default"},
                                "color": {"value": "auto", "from": "default"},
                                "mark_read_on_show": {"value": True, "from": "default"}}
    assert data["pager_command"] == {"value": "less -FRX", "from": "default"}
    out = run("config").stdout
    assert os.environ["REVIEWS_CONFIG"] in out and "does not exist" in out
    assert re.search(r"sort\s*│\s*relevance\s*│\s*default", out)


def test_config_command_shows_what_the_file_sets(config_file, monkeypatch):
    monkeypatch.setenv("PAGER", "most")
    config_file("# my settings\nsort: date\ncolor: never\n")
    data = json.loads(run("config", "--json").stdout)
    assert data["exists"] is True
    assert data["settings"]["sort"] == {"value": "date", "from": "config file"}
    assert data["settings"]["color"] == {"value": "never", "from": "config file"}
    assert data["settings"]["limit"] == {"value": None, "from": "default"}
    assert data["pager_command"] == {"value": "most", "from": "$PAGER"}
    out = run("config").stdout
    assert re.search(r"sort\s*│\s*date\s*│\s*config file", out)
    assert re.search(r"limit\s*│\s*per command", out)

    config_file("pager: less -S\n")  # the file's command beats $PAGER, as core.pager does in git
    assert json.loads(run("config", "--json").stdout)["pager_command"] == {"value": "less -S", "from": "config file"}
    config_file("pager: false\n")
    data = json.loads(run("config", "--json").stdout)
    assert data["settings"]["pager"] == {"value": False, "from": "config file"}
    assert re.search(r"pager\s*│\s*off", run("config").stdout)


def test_empty_file_means_defaults(config_file):
    config_file("# nothing set yet\n")
    data = json.loads(run("config", "--json").stdout)
    assert data["exists"] is True and all(s["from"] == "default" for s in data["settings"].values())


# ------------------------------------------------------------------ the defaults it sets

def test_config_limit_is_the_default_of_search_tag_and_list(config_file):
    assert len(hits("search", "--json", "GAN")) == 5
    assert len(hits("tag", "--json", "ICLR")) == 3
    assert len(hits("list", "--json")) == 20
    config_file("limit: 2\n")
    assert len(hits("search", "--json", "GAN")) == 2
    assert len(hits("tag", "--json", "ICLR")) == 2
    assert len(hits("list", "--json")) == 2
    # the option still wins
    assert len(hits("search", "--json", "--limit", "4", "GAN")) == 4
    assert len(hits("tag", "--json", "-n", "3", "ICLR")) == 3
    assert len(hits("list", "--json", "-n", "5")) == 5
    res = run("tag", "ICLR")
    assert "2 of 3; --limit N shows more" in res.stderr


def test_config_sort_is_the_default_of_search(config_file):
    def titles(*args):
        return [h["title"] for h in hits("search", "--json", *args)]

    by_relevance, by_title = titles("GAN"), titles("--sort", "title", "GAN")
    assert by_title == sorted(by_title, key=str.lower) and by_title != by_relevance
    config_file("sort: title\n")
    assert titles("GAN") == by_title
    assert titles("--sort", "relevance", "GAN") == by_relevance


# ------------------------------------------------------------------ a bad file: one line naming the key

@pytest.mark.parametrize(("text", "expected"), [
    ("limt: 3\n", "key 'limt': unknown setting; did you mean 'limit'?"),
    ("colour: never\n", "key 'colour': unknown setting; did you mean 'color'?"),
    ("width: 3\n", "key 'width': unknown setting (known: limit, sort, pager, color, mark_read_on_show)"),
    ("limit: 0\n", "key 'limit': must be a whole number from 1 to 10000, not 0"),
    ("limit: ten\n", "key 'limit': must be a whole number from 1 to 10000, not 'ten'"),
    ("limit: yes\n", "key 'limit': must be a whole number from 1 to 10000, not true"),
    ("limit: 2.5\n", "key 'limit': must be a whole number from 1 to 10000, not 2.5"),
    ("sort: newest\n", "key 'sort': must be one of relevance, date, title, not 'newest'"),
    ("color: off\n", "key 'color': must be one of auto, always, never, not false"),
    ("color:\n", "key 'color': must be one of auto, always, never, not empty"),
    ("pager: 3\n", "key 'pager': must be true, false or a command, not 3"),
    ("pager: ''\n", "key 'pager': must be true, false or a command (false turns the pager off), not ''"),
    ("pager: less 'unclosed\n", "key 'pager': cannot be read as a command (No closing quotation)"),
    ("pager: [less, -R]\n", "key 'pager': must be true, false or a command, not ['less', '-R'] (list)"),
    ("sort: date\nlimit: [3\n", "line 3: not valid YAML"),
    ("- limit\n- 3\n", "must be a mapping of settings (key: value), not a list"),
    ("just words\n", "must be a mapping of settings (key: value), not a string"),
    (b"limit: 3 \xff\n", "not UTF-8 text (byte 9)"),
])
@pytest.mark.parametrize("command", [["config"], ["search", "GAN"], ["list", "--json"], ["tags"]])
def test_bad_config_is_one_line_naming_file_and_key(config_file, text, expected, command):
    path = config_file(text)
    res = CliRunner().invoke(main, command)
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"reviews: {path}: ")
    assert expected in lines[0]


def test_config_that_is_a_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("REVIEWS_CONFIG", str(tmp_path))
    res = run("config")
    assert res.exit_code == 2 and res.stderr.strip() == f"reviews: {tmp_path}: is a folder, not a file"


def test_a_control_character_in_a_bad_key_does_not_reach_the_terminal(config_file):
    config_file('"evil\\e[31m": 1\n')
    res = run("config")
    assert res.exit_code == 2 and "\x1b" not in res.stderr and "\\x1b[31m" in res.stderr


# ------------------------------------------------------------------ --color

def test_color_never_is_plain_text_and_always_styles_even_a_pipe():
    # conftest sets NO_COLOR and the runner is no terminal: auto means plain here
    assert not SGR.search(run("tags").stdout)
    always = run("--color", "always", "tags").stdout
    assert COLOUR.search(always) and "#ICLR" in SGR.sub("", always)
    assert not SGR.search(run("--color", "never", "show", "1803.03635").stdout)


def test_color_from_config_and_the_option_wins(config_file):
    config_file("color: always\n")
    assert COLOUR.search(run("tags").stdout)
    assert not SGR.search(run("--color", "never", "tags").stdout)
    config_file("color: never\n")
    assert not SGR.search(run("tags").stdout)
    assert COLOUR.search(run("--color", "always", "tags").stdout)


def test_color_never_leaves_machine_output_alone():
    assert run("--color", "always", "tags", "--json").stdout == run("tags", "--json").stdout


def test_bad_color_value_is_a_usage_error():
    res = run("--color", "sometimes", "tags")
    assert res.exit_code == 2 and "sometimes" in res.stderr
