"""Issue 17 through the command line, on the bundled library: star, unstar, note, mark, the
filters and query terms on the user's marks, what show/list/search/tag and every export carry,
state export/import, stats counting orphaned marks."""

from __future__ import annotations

import csv
import io
import json
import re
import sys

import pytest
import yaml
from click.testing import CliRunner
from test_library import read_only_home  # noqa: F401  (the fixture)

from reviews_cli.cli import main

LOTTERY = "1803.03635"
BIOBERT = "1901.08746"


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, input=input)


def ok(*args):
    res = run(*args)
    assert res.exit_code == 0, (res.stdout, res.stderr)
    return res


def hits(*args) -> list[dict]:
    res = run(*args, "--json")
    assert res.exit_code in (0, 1), res.stderr
    return json.loads(res.stdout)["hits"]


def arxiv_ids(*args) -> set[str | None]:
    return {h["arxiv_id"] for h in hits(*args)}


def shown(ref: str) -> dict:
    return json.loads(ok("show", "--json", ref).stdout)[0]


@pytest.fixture
def no_mark_on_show(tmp_path):
    (tmp_path / "config.yaml").write_text("mark_read_on_show: false\n", encoding="utf-8")


def test_star_and_unstar(no_mark_on_show):
    res = ok("star", LOTTERY, BIOBERT)
    assert res.stdout.count("★ starred") == 2 and "Lottery Ticket" in res.stdout
    assert shown(LOTTERY)["starred"] is True
    assert arxiv_ids("list", "--starred", "-n", "100") == {LOTTERY, BIOBERT}
    ok("unstar", BIOBERT)
    assert shown(BIOBERT)["starred"] is False
    assert arxiv_ids("search", "is:starred") == {LOTTERY}


def test_unknown_ref_is_one_line_and_changes_nothing(no_mark_on_show):
    res = run("star", LOTTERY, "2912.99999")
    assert res.exit_code == 1 and res.stdout == ""
    assert len(res.stderr.strip().splitlines()) == 1 and res.stderr.startswith("reviews: ")
    assert shown(LOTTERY)["starred"] is False
    for cmd in (["unstar"], ["mark", "--read"], ["note"]):
        res = run(*cmd, "2912.99999")
        assert res.exit_code == 1 and len(res.stderr.strip().splitlines()) == 1


def test_several_papers_list_the_candidates():
    res = run("star", "neural")
    assert res.exit_code == 1
    ids = re.findall(r"^  ([0-9a-f]{8})  ", res.stderr, flags=re.M)
    assert len(ids) >= 2 and f"reviews star {ids[0]}" in res.stderr
    assert run("search", "is:starred", "--json").exit_code == 1


def test_note_set_shown_searched_cleared(no_mark_on_show):
    ok("note", LOTTERY, "Перечитать про rewinding; zebrafish")
    rec = shown(LOTTERY)
    assert rec["note"] == "Перечитать про rewinding; zebrafish" and rec["read"] is False
    page = ok("show", LOTTERY).stdout
    assert "Note" in page and "Перечитать про rewinding; zebrafish" in page
    assert arxiv_ids("search", "zebrafish") == {LOTTERY}
    assert arxiv_ids("search", "перечитать") == {LOTTERY}  # stemmed like any other words
    assert arxiv_ids("search", "has:note") == {LOTTERY}
    assert LOTTERY not in arxiv_ids("search", "-has:note", "pruning")
    ok("note", LOTTERY, "--clear")
    assert shown(LOTTERY)["note"] is None
    assert run("search", "zebrafish", "--json").exit_code == 1 or arxiv_ids("search", "zebrafish") != {LOTTERY}
    assert run("note", LOTTERY, "  ").exit_code == 2
    assert run("note", LOTTERY, "x", "--clear").exit_code == 2


@pytest.mark.parametrize("variable", ["EDITOR", "VISUAL"])
def test_note_without_text_opens_the_editor(tmp_path, monkeypatch, variable, no_mark_on_show):
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\npath = sys.argv[1]\nold = open(path, encoding='utf-8').read()\n"
                      "open(path, 'w', encoding='utf-8').write(old + 'written in the editor\\n')\n", encoding="utf-8")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "false")  # VISUAL wins when both are set
    monkeypatch.setenv(variable, f"{sys.executable} {editor}")
    ok("note", LOTTERY)
    assert shown(LOTTERY)["note"] == "written in the editor"
    ok("note", LOTTERY)  # the editor opens on the note as it is
    assert shown(LOTTERY)["note"] == "written in the editor\nwritten in the editor"


def test_note_without_text_or_editor_is_a_usage_error(monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    res = run("note", LOTTERY)  # the test runner's stdin is no terminal: vi would wait for ever
    assert res.exit_code == 2 and "$EDITOR" in res.stderr


def test_mark_read_on_show_must_be_true_or_false(tmp_path):
    (tmp_path / "config.yaml").write_text("mark_read_on_show: 3\n", encoding="utf-8")
    res = run("show", LOTTERY)
    assert res.exit_code == 2 and "key 'mark_read_on_show': must be true or false" in res.stderr


def test_editor_quit_without_saving_changes_nothing(tmp_path, monkeypatch, no_mark_on_show):
    ok("note", LOTTERY, "keep me")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "true")  # exits without touching the file
    res = ok("note", LOTTERY)
    assert "unchanged" in res.stderr and shown(LOTTERY)["note"] == "keep me"


def test_mark_read_unread_and_all(no_mark_on_show):
    ok("mark", LOTTERY, "--read")
    assert arxiv_ids("list", "--read") == {LOTTERY}
    assert LOTTERY not in arxiv_ids("list", "--unread", "-n", "100")
    assert arxiv_ids("search", "is:read") == {LOTTERY}
    assert LOTTERY not in arxiv_ids("search", "-is:read", "pruning")
    ok("mark", LOTTERY, "--unread")
    assert run("list", "--read", "--json").exit_code == 1
    ok("mark", "--all", "--read")
    assert run("list", "--unread", "--json").exit_code == 1
    ok("mark", "--all", "--unread")
    assert run("search", "is:read", "--json").exit_code == 1
    assert run("mark", LOTTERY).exit_code == 2
    assert run("mark", "--all", LOTTERY, "--read").exit_code == 2
    assert run("mark", "--read").exit_code == 2
    assert run("list", "--read", "--unread").exit_code == 2


def test_show_marks_what_it_shows_read():
    assert shown(LOTTERY)["read"] is True  # the JSON tells the state after showing
    assert arxiv_ids("list", "--read") == {LOTTERY}


def test_show_leaves_it_unread_when_configured(no_mark_on_show):
    ok("show", LOTTERY)
    assert run("list", "--read", "--json").exit_code == 1


def test_filters_on_tag_and_export(no_mark_on_show):
    ok("star", LOTTERY)
    ok("note", BIOBERT, "bio note")
    assert arxiv_ids("tag", "pruning", "--starred") == {LOTTERY}
    assert LOTTERY not in arxiv_ids("tag", "pruning", "--unread", "--noted") | {None} - {None}
    exported = json.loads(ok("export", "--starred").stdout)
    assert [r["arxiv_id"] for r in exported] == [LOTTERY]
    exported = json.loads(ok("export", "--noted", "bio").stdout)
    assert [r["arxiv_id"] for r in exported] == [BIOBERT]
    assert run("export", "--starred", "--noted").exit_code == 1  # nothing is both


def test_listings_mark_starred_and_unread_rows(no_mark_on_show):
    ok("star", LOTTERY)
    ok("mark", BIOBERT, "--read")
    table = ok("list", "-n", "100").stdout
    lottery = next(line for line in table.splitlines() if "Lottery" in line)
    biobert = next(line for line in table.splitlines() if "BioBERT" in line)
    assert "★" in lottery and "•" in lottery
    assert "★" not in biobert and "•" not in biobert
    assert "★" in next(line for line in ok("search", "lottery").stdout.splitlines() if "Lottery" in line)
    assert "★" in next(line for line in ok("tag", "pruning").stdout.splitlines() if "Lottery" in line)


def test_json_of_every_reading_command_carries_the_marks(no_mark_on_show):
    ok("star", LOTTERY)
    ok("note", LOTTERY, "n1")
    for args in (["search", "lottery"], ["list", "-n", "100"], ["tag", "pruning"]):
        found = {h["arxiv_id"]: h for h in hits(*args)}
        assert (found[LOTTERY]["starred"], found[LOTTERY]["read"], found[LOTTERY]["note"]) == (True, False, "n1")
        assert all({"starred", "read", "note"} <= set(h) for h in found.values())
    assert {"starred", "read", "note"} <= set(shown(BIOBERT))


def test_parse_json_carries_no_marks(tmp_path):
    dump = tmp_path / "one.txt"
    dump.write_text("Some Paper Title Here\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/2001.00008\n\nТекст обзора.\n",
                    encoding="utf-8")
    (rec,) = json.loads(ok("parse", "--json", str(dump)).stdout)
    assert not {"starred", "read", "note"} & set(rec)


def test_every_export_format_carries_the_marks(no_mark_on_show):
    ok("star", LOTTERY)
    ok("note", LOTTERY, "my note: 50% sure")
    (rec,) = json.loads(ok("export", LOTTERY).stdout)
    assert (rec["starred"], rec["read"], rec["note"]) == (True, False, "my note: 50% sure")
    line = json.loads(ok("export", "--format", "jsonl", LOTTERY).stdout.splitlines()[0])
    assert line["note"] == "my note: 50% sure"
    assert yaml.safe_load(ok("export", "--format", "yaml", LOTTERY).stdout)[0]["starred"] is True
    rows = list(csv.DictReader(io.StringIO(ok("export", "--format", "csv", LOTTERY).stdout)))
    assert (rows[0]["starred"], rows[0]["read"], rows[0]["note"]) == ("true", "false", "my note: 50% sure")
    bib = ok("export", "--format", "bibtex", LOTTERY).stdout
    assert re.search(r"note = \{my note: 50\\% sure\. Review", bib)
    md = ok("export", "--format", "markdown", LOTTERY).stdout
    assert "- **Starred:** yes" in md and md.index("**Note:**") > md.index("Статья немного")
    assert "my note: 50% sure" in md
    every = list(csv.DictReader(io.StringIO(ok("export", "--format", "csv").stdout)))
    assert {r["starred"] for r in every} == {"true", "false"}


def test_state_backup_round_trip_and_conflict(tmp_path, monkeypatch, no_mark_on_show):
    ok("star", LOTTERY)
    ok("note", BIOBERT, "mine")
    backup = tmp_path / "mine.json"
    backup.write_text(ok("state", "export").stdout, encoding="utf-8")
    monkeypatch.setenv("REVIEWS_HOME", str(tmp_path / "fresh"))
    assert shown(LOTTERY)["starred"] is False
    res = ok("state", "import", str(backup))
    assert "2 added" in res.stdout
    assert shown(LOTTERY)["starred"] is True and shown(BIOBERT)["note"] == "mine"
    ok("note", BIOBERT, "changed here")
    res = run("state", "import", str(backup))
    assert res.exit_code == 1 and "conflict" in res.stderr and "mine" in res.stderr
    assert shown(BIOBERT)["note"] == "changed here"  # never written over
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    res = run("state", "import", str(bad))
    assert res.exit_code == 1 and res.stderr.strip().splitlines() == [f"reviews: {bad}: not JSON (line 1)"]
    out = tmp_path / "out.json"
    ok("state", "export", "-o", str(out))
    assert json.loads(out.read_text(encoding="utf-8"))["format"] == "reviews-state"
    res = run("state", "import", "-", input=out.read_text(encoding="utf-8"))
    assert res.exit_code == 0 and "standard input: 0 added, 0 merged, 2 unchanged" in res.stdout
    res = run("state", "import", "-", input="[]")
    assert res.exit_code == 1 and res.stderr.startswith("reviews: standard input: not a reviews state backup")


def test_stats_counts_marks_and_orphans(tmp_path, no_mark_on_show):
    dump = tmp_path / "one.txt"
    dump.write_text("Some Paper Title Here Today\nAnn Lee, Bo Chen\n\nhttps://arxiv.org/abs/2001.00008\n\n"
                    "Текст обзора.\n", encoding="utf-8")
    ok("add", str(dump))
    ok("note", "2001.00008", "orphan soon")
    ok("star", LOTTERY)
    ok("remove", str(dump))
    state = json.loads(ok("stats", "--json").stdout)["state"]
    assert state == {"papers": 2, "starred": 1, "read": 0, "noted": 1, "orphaned": 1}
    assert "1 kept for reviews no longer in the library" in ok("stats").stdout
    ok("add", str(dump))
    assert json.loads(ok("stats", "--json").stdout)["state"]["orphaned"] == 0
    assert shown("2001.00008")["note"] == "orphan soon"


@pytest.fixture
def starred_first(_isolated_home):
    ok("star", LOTTERY)


def test_read_only_library_shows_marks_and_refuses_changes(starred_first, read_only_home, monkeypatch):  # noqa: F811
    home = read_only_home / "home"
    monkeypatch.setenv("REVIEWS_HOME", str(home))
    assert shown(LOTTERY)["starred"] is True  # starred before the folder became read-only
    for args in (("star", BIOBERT), ("note", BIOBERT, "x"), ("mark", "--all", "--read")):
        res = run(*args)
        assert res.exit_code == 1 and "nothing was changed" in res.stderr, args
