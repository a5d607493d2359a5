"""Options as users expect them (issue 15, points 2-4): no hidden caps on how many results a
listing gives, `-n/--limit` on every listing command and anywhere among a query's words while
every other `-token` stays an exclusion term, and exit codes like grep and git (2 for a usage
error, in one line; 1 for nothing found; non-zero for a browser that fails)."""

from __future__ import annotations

import json
import os

import exports as E
import pytest
from click.testing import CliRunner

from reviews_cli.cli import main

N = 3000  # review posts in the big library, every one of them "via" some method in its title


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def as_json(*args, env=None) -> dict:
    res = run(*args, "--json", env=env)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A library of the bundled dumps and a 3,000-post channel export dated from 2018-12-31 on."""
    folder = tmp_path_factory.mktemp("big")
    export = folder / "result.json"
    E.write_review_channel(export, N, other_every=0)
    env = {"REVIEWS_HOME": str(folder / "home"), "REVIEWS_CONFIG": str(folder / "none.yaml")}
    res = run("add", str(export), env=env)
    assert res.exit_code == 0, res.output
    return env


# ------------------------------------------------------------------------------- no caps

def test_search_gives_as_many_hits_as_asked(big):
    found = as_json("search", "via", "--limit", "2500", env=big)
    assert found["total"] >= N and len(found["hits"]) == 2500
    assert len({h["id"] for h in found["hits"]}) == 2500
    assert len(as_json("search", "-n", "100000", "via", env=big)["hits"]) == found["total"]


def test_list_tag_related_and_export_give_every_match_asked_for(big):
    listed = as_json("list", "-n", str(N), "--since", "2018-12", env=big)
    assert listed["total"] == N and len(listed["hits"]) == N  # the export's posts, none of the undated seeds
    tagged = as_json("tag", "NLP", "-n", "100000", env=big)
    assert tagged["total"] > 500 and len(tagged["hits"]) == tagged["total"]
    exported = run("export", "--format", "jsonl", "via", env=big)
    assert exported.exit_code == 0 and len(exported.stdout.splitlines()) >= N
    related = as_json("related", "1803.03635", "-n", "2000", env=big)
    assert len(related["hits"]) > 1000  # was refused above 1,000


# ------------------------------------------------------------------ -n and -word terms

@pytest.mark.parametrize("args", [["search", "-n", "2", "networks"], ["search", "networks", "-n", "2"],
                                  ["search", "networks", "-n2"], ["search", "--limit=2", "networks"],
                                  ["search", "networks", "--limit", "2", "--sort", "date"],
                                  ["tag", "NLP", "-n", "2"], ["tag", "-n", "2", "NLP"], ["list", "-n", "2"],
                                  ["related", "1803.03635", "-n", "2"], ["related", "-n", "2", "1803.03635"]])
def test_dash_n_limits_every_listing_command_wherever_it_stands(args):
    assert len(as_json(*args)["hits"]) == 2


def test_dash_n_limits_the_tags_listing():
    assert len(json.loads(run("tags", "-n", "3", "--json").stdout)) == 3
    assert len(json.loads(run("tags", "--json").stdout)) > 3


@pytest.mark.parametrize("word", ["-pruning", "-has:note", "-is:read", "-nlp", "-n2x", "-hx", "-o"])
def test_every_other_dash_token_stays_a_query_word(word):
    res = run("search", "lottery", word, "-n", "3", "--json")
    assert res.exit_code in (0, 1), res.output  # found or not, never a usage error
    assert json.loads(res.stdout)["query"] == f"lottery {word}"


def test_an_exclusion_excludes_and_double_dash_ends_the_options():
    assert as_json("search", "lottery")["total"] == 1
    res = run("search", "lottery", "-pruning", "--json")
    assert res.exit_code == 1 and json.loads(res.stdout)["total"] == 0  # the lottery review is about pruning
    res = run("search", "--json", "--", "lottery", "-n", "2")
    assert json.loads(res.stdout)["query"] == "lottery -n 2"


def test_export_keeps_its_short_option_and_exclusions(tmp_path):
    out = tmp_path / "x.jsonl"
    res = run("export", "networks", "-o", str(out), "-nlp")
    assert res.exit_code == 0, res.output
    titles = [json.loads(line)["title"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert titles and len(titles) == as_json("search", "networks", "-nlp")["total"]


# --------------------------------------------------------------------------- exit codes

def _usage(res) -> str:
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reviews: ") and res.stdout == "", res.output
    return lines[0]


@pytest.mark.parametrize("command", [["list"], ["search", "lottery"], ["tag", "GAN"], ["export", "lottery"]])
@pytest.mark.parametrize("option,value", [("--since", "2019-13"), ("--until", "2021-02-30"), ("--since", "2019-00"),
                                          ("--until", "2021-2"), ("--since", "yesterday"), ("--until", "20210")])
def test_an_impossible_date_is_a_one_line_usage_error(command, option, value):
    line = _usage(run(*command, option, value))
    assert option in line and value in line


@pytest.mark.parametrize("command", [["list"], ["search", "lottery"], ["tag", "pruning"], ["export", "lottery"]])
def test_since_and_until_bound_the_post_date(command, tmp_path):
    # the export's lottery post is dated 2019-01-06T15:41:07Z; --until takes in the whole period it names
    assert run("add", str(E.write_json(tmp_path / "result.json", E.channel_json()))).exit_code == 0

    def count(*dates):
        res = run(*command, *dates, *([] if command[0] == "export" else ["--json"]))
        if command[0] == "export":
            return len(json.loads(res.stdout)) if res.exit_code == 0 else 0
        return json.loads(res.stdout)["total"] if res.exit_code == 0 else 0

    assert count("--since", "2019-01-06", "--until", "2019-01-06") >= 1
    assert count("--until", "2019-01") == count("--until", "2019") == count("--since", "2019") >= 1
    assert count("--since", "2019-01-07") == count("--until", "2019-01-05") == count("--since", "2020") == 0
    _usage(run(*command, "--since", "2020", "--until", "2019"))


@pytest.mark.parametrize("args", [["search", "lottery", "--limt", "3"], ["search", "lottery", "-n", "abc"],
                                  ["search", "lottery", "-n", "0"], ["search", "lottery", "-n"],
                                  ["search", "lottery", "--sort", "nope"], ["list", "--bogus"], ["list", "-n", "x"],
                                  ["tag", "GAN", "--limt", "2"], ["related", "1803.03635", "-n", "0"],
                                  ["export", "--format", "docx"], ["export", "lottery", "--outptu", "x"],
                                  ["--colour", "never", "list"], ["serch", "lottery"], ["tags", "-n", "-1"]])
def test_unknown_options_and_malformed_values_are_one_line_usage_errors(args):
    _usage(run(*args))


def test_a_mistyped_option_names_the_real_one():
    assert "--limit" in _usage(run("search", "lottery", "--limt", "3"))


@pytest.mark.parametrize("args", [["search", "zzqqxxyy"], ["search", "lottery", "-pruning"], ["tag", "nosuchtag"],
                                  ["list", "--tag", "nosuchtag"], ["list", "--since", "2030"],
                                  ["export", "lottery", "-pruning"], ["export", "--since", "2030"]])
def test_nothing_found_exits_1(args):
    res = run(*args)
    assert res.exit_code == 1 and res.stdout == "", res.output
    assert len(res.stderr.strip().splitlines()) >= 1


@pytest.mark.parametrize("browser", ["false", "/nonexistent/browser"])
def test_a_failed_browser_launch_is_a_one_line_error(browser):
    from hang_guard import reviews

    res = reviews("open", "1803.03635", env={**os.environ, "BROWSER": browser})
    assert res.returncode == 1
    assert res.stdout.strip() == "https://arxiv.org/abs/1803.03635"  # still there to copy
    (line,) = res.stderr.strip().splitlines()
    assert line.startswith("reviews: ") and "could not open" in line and browser in line


def test_a_browser_that_opens_exits_0():
    from hang_guard import reviews

    res = reviews("open", "1803.03635", env={**os.environ, "BROWSER": "true"})
    assert res.returncode == 0 and res.stderr == "" and res.stdout.strip() == "https://arxiv.org/abs/1803.03635"
