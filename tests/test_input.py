"""Issue 8, item 12: input from anywhere. Standard input for parse and add, folders holding any
mix of dumps, a dump already in the library recognized by its content, and remove taking several
sources or the original path, changing only the removed dumps' records."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import exports as E
import pytest
from click.testing import CliRunner

from reviews_cli.cli import main

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "dumps"
LOTTERY_ID = "1803.03635"

OTHER_REVIEW = E.SECOND_LOTTERY_REVIEW

# a review of a paper no bundled dump has, so it is a record of its own
NEW_PAPER = """Третий канал – Telegram
Deep Residual Learning for Image Recognition
Kaiming He, Xiangyu Zhang, Shaoqing Ren, Jian Sun
Microsoft Research

Статья: https://arxiv.org/abs/1512.03385

#CNN #ResNet

Обзор про остаточные связи: авторы добавляют shortcut-соединения, и сеть в 152 слоя учится
лучше, чем сеть в 34 слоя без них; на ImageNet это дало первое место в ILSVRC 2015.
"""

README = """Notes for myself

This folder holds the channel dumps I saved last month. Remember to add them all at once and to
check the new ones for duplicates before sharing the folder with the reading group.
"""

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def ok(*args, input=None):
    res = run(*args, input=input)
    assert res.exit_code == 0, res.output
    return res


def sources() -> dict[str, dict]:
    return {d["name"]: d for d in json.loads(ok("sources", "--json").stdout)}


def lottery_records() -> list[dict]:
    return json.loads(ok("show", "--json", LOTTERY_ID).stdout)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------- standard input

def test_parse_reads_standard_input():
    res = run("parse", "--json", "-", input=OTHER_REVIEW.encode())
    assert res.exit_code == 0, res.output
    recs = json.loads(res.stdout)
    assert [r["arxiv_id"] for r in recs] == [LOTTERY_ID]
    assert "<stdin>: telegram-web-text, 1 reviews" in res.stderr


def test_parse_mixes_standard_input_and_files(tmp_path):
    f = write(tmp_path / "new.txt", NEW_PAPER)
    res = run("parse", "--json", str(f), "-", input=OTHER_REVIEW)
    assert res.exit_code == 0, res.output
    assert [r["arxiv_id"] for r in json.loads(res.stdout)] == ["1512.03385", LOTTERY_ID]


def test_standard_input_twice_is_a_usage_error():
    res = run("parse", "-", "-", input=OTHER_REVIEW)
    assert res.exit_code == 2 and "only once" in res.stderr and "Traceback" not in res.output


def test_standard_input_over_the_size_cap_is_refused_in_one_line(monkeypatch):
    import reviews_cli.parsing.text as text

    monkeypatch.setattr(text, "MAX_DUMP_BYTES", 100)
    res = run("parse", "-", input=OTHER_REVIEW)
    assert res.exit_code == 1
    assert res.stderr.strip().splitlines() == ["reviews: <stdin>: too large (more than 100 bytes; the limit is 100)"]
    res = run("add", "-", input=OTHER_REVIEW)
    assert res.exit_code == 1 and "<stdin>: too large" in res.stderr
    assert "<stdin>" not in "".join(sources())


def test_empty_standard_input_is_one_line():
    res = run("parse", "-", input="")
    assert res.exit_code == 1 and res.stderr.strip() == "reviews: <stdin>: empty file"


def test_add_from_standard_input_stores_and_indexes_it(_isolated_home):
    res = run("add", "--json", "-", input=OTHER_REVIEW.encode())
    assert res.exit_code == 0, res.output
    (info,) = json.loads(res.stdout)
    assert info["path"] == "<stdin>" and info["reviews"] == 1 and not info["already"]
    name = info["name"]
    assert name.startswith("stdin-") and name.endswith(".txt") and len(name) == len("stdin-12345678.txt")
    assert name in sources()
    assert any("rewinding" in r["body"] for r in lottery_records())
    manifest = json.loads((_isolated_home / "library.json").read_text(encoding="utf-8"))["sources"]
    assert manifest[0]["original"] is None  # no temporary path recorded as where it came from
    # the same bytes again, piped or from a file: already there
    again = json.loads(ok("add", "--json", "-", input=OTHER_REVIEW).stdout)[0]
    assert again["already"] and again["name"] == name
    ok("remove", name)
    assert not any("rewinding" in r["body"] for r in lottery_records())


# ------------------------------------------------------------------------------------ folders

@pytest.fixture
def mixed_folder(tmp_path):
    """A folder as people keep them: an export folder (with its media), a t.me text copy, a
    picture, a README, nested folders, hidden files and a symlink loop."""
    root = tmp_path / "saved"
    export = root / "exports" / "ChatExport_2024"
    E.write_json(write(export / "result.json", "").parent / "result.json", E.channel_json())
    (export / "photos").mkdir()
    (export / "photos" / "photo_1.jpg").write_bytes(PNG)
    write(root / "channels" / "deep" / "other_channel.txt", OTHER_REVIEW)
    write(root / "new_paper.txt", NEW_PAPER)
    (root / "diagram.png").write_bytes(PNG)
    write(root / "README.txt", README)
    write(root / "empty.txt", "\n\n")
    write(root / ".hidden" / "secret.txt", NEW_PAPER)
    write(root / ".notes.txt", NEW_PAPER)
    os.symlink(root, root / "channels" / "loop")  # a symlinked folder is not followed
    return root


def test_parse_folder_takes_the_dumps_and_counts_the_rest(mixed_folder):
    res = run("parse", "--json", str(mixed_folder))
    assert res.exit_code == 0, res.output
    recs = json.loads(res.stdout)
    # a folder's files before its subfolders, each sorted: the top-level file, the nested
    # copy, the export (lottery + BioBERT); each once
    assert [r["arxiv_id"] for r in recs] == ["1512.03385", LOTTERY_ID, LOTTERY_ID, "1901.08746"]
    # README.txt, empty.txt, diagram.png, .notes.txt; the hidden folder's files unseen; the
    # export's photo belongs to the export; the symlink is not a file
    assert f"{mixed_folder}: 3 dumps found, 4 other files skipped" in res.stderr
    assert "README" not in res.stderr.replace(f"{mixed_folder}:", "")


def test_add_folder_adds_each_dump(mixed_folder):
    res = run("add", "--json", str(mixed_folder))
    assert res.exit_code == 0, res.output
    names = [r["name"] for r in json.loads(res.stdout)]
    assert names == ["new_paper.txt", "other_channel.txt", "ChatExport_2024/result.json"]
    assert set(names) <= set(sources())
    assert "3 dumps found" in res.stderr


def test_folder_with_no_dump_fails_in_one_line(tmp_path):
    write(tmp_path / "docs" / "README.txt", README)
    res = run("add", str(tmp_path / "docs"))
    assert res.exit_code == 1
    assert "docs: is a directory with no dump in it (0 dumps found, 1 other file skipped)" in res.stderr


def test_export_folder_given_directly_is_still_one_export(tmp_path):
    export = tmp_path / "ChatExport_2024"
    export.mkdir()
    E.write_json(export / "result.json", E.channel_json())
    write(export / "README.txt", README)
    res = run("parse", "--json", str(export))
    assert res.exit_code == 0, res.output
    assert len(json.loads(res.stdout)) == 2 and "dumps found" not in res.stderr


def test_a_fifo_in_a_folder_is_skipped_without_blocking(tmp_path):
    write(tmp_path / "d" / "new_paper.txt", NEW_PAPER)
    os.mkfifo(tmp_path / "d" / "pipe")
    res = run("parse", "--json", str(tmp_path / "d"))
    assert res.exit_code == 0 and "1 dump found, 1 other file skipped" in res.stderr


# ------------------------------------------------------------------------------------- dedupe

def test_a_copy_of_a_bundled_dump_is_not_added_twice(tmp_path, _isolated_home):
    before = sources()
    copy = tmp_path / "my_copy.txt"
    shutil.copy(BUNDLED / "tgoop_gonzo_ml_21.txt", copy)
    res = run("add", "--json", str(copy))
    assert res.exit_code == 0, res.output
    (info,) = json.loads(res.stdout)
    assert info["already"] and info["name"] == "tgoop_gonzo_ml_21.txt" and info["reviews"] == 1
    assert sources().keys() == before.keys()
    assert not (_isolated_home / "dumps").exists() or not list((_isolated_home / "dumps").iterdir())
    human = ok("add", str(copy))
    cells = " ".join(human.stdout.replace("│", " ").split())  # the cell wraps at its spaces
    assert "already in the library as tgoop_gonzo_ml_21.txt" in cells


def test_a_re_added_file_under_another_name_is_recognized(tmp_path):
    first = write(tmp_path / "a" / "channel.txt", NEW_PAPER)
    ok("add", str(first))
    renamed = tmp_path / "b" / "renamed.txt"
    renamed.parent.mkdir()
    shutil.copy(first, renamed)
    res = run("add", "--json", str(renamed), str(first))
    assert res.exit_code == 0
    assert [(r["name"], r["already"]) for r in json.loads(res.stdout)] == [("channel.txt", True), ("channel.txt", True)]
    assert [n for n in sources() if n.startswith(("channel", "renamed"))] == ["channel.txt"]


def test_the_same_content_twice_in_one_add_is_added_once(tmp_path):
    a = write(tmp_path / "a.txt", NEW_PAPER)
    b = write(tmp_path / "b.txt", NEW_PAPER)
    res = json.loads(ok("add", "--json", str(a), str(b)).stdout)
    assert [(r["name"], r["already"]) for r in res] == [("a.txt", False), ("a.txt", True)]
    assert "b.txt" not in sources()


# ------------------------------------------------------------------------------------- remove

def test_remove_several_sources_at_once(tmp_path, _isolated_home):
    a = write(tmp_path / "a.txt", NEW_PAPER)
    b = write(tmp_path / "b.txt", OTHER_REVIEW)
    ok("add", str(a), str(b))
    n = len(json.loads(ok("export").stdout))
    res = ok("remove", "a.txt", "b.txt")
    assert "removed a.txt, b.txt" in res.stderr
    assert not {"a.txt", "b.txt"} & set(sources())
    assert len(json.loads(ok("export").stdout)) == n - 2
    assert not list((_isolated_home / "dumps").iterdir())


def test_remove_unknown_names_one_line_each_others_still_removed(tmp_path):
    a = write(tmp_path / "a.txt", NEW_PAPER)
    ok("add", str(a))
    res = run("remove", "nope.txt", "a.txt", "tgoop_gonzo_ml_21.txt")
    assert res.exit_code == 1
    lines = res.stderr.strip().splitlines()
    assert lines[0] == "reviews: nope.txt: no such source in the library (see 'reviews sources')"
    assert lines[1] == "reviews: tgoop_gonzo_ml_21.txt: a bundled dump cannot be removed"
    assert lines[2].startswith("removed a.txt;")
    assert "a.txt" not in sources() and "tgoop_gonzo_ml_21.txt" in sources()


def test_remove_by_the_path_originally_added(tmp_path, monkeypatch):
    d = tmp_path / "Downloads"
    a = write(d / "result.txt", NEW_PAPER)
    ok("add", str(a))
    a.unlink()  # gone from Downloads: the path still names what was added from it
    monkeypatch.chdir(d)
    res = run("remove", "./result.txt")
    assert res.exit_code == 0, res.output
    assert "result.txt" not in sources()
    assert run("remove", str(a)).exit_code == 1  # nothing left under that path


def test_remove_keeps_records_merged_from_another_source(tmp_path):
    mirror = (BUNDLED / "tgoop_gonzo_ml_21.txt").read_text(encoding="utf-8")
    copy = write(tmp_path / "mirror_again.txt", mirror.replace("🔥5", "🔥9") + "\n")
    ok("add", str(copy))
    (rec,) = [r for r in lottery_records() if "rewinding" not in r["body"]]
    assert "mirror_again.txt" in [s["path"] for s in rec["sources"]]
    ok("remove", "mirror_again.txt")
    (rec,) = lottery_records()
    paths = [s["path"] for s in rec["sources"]]
    assert "mirror_again.txt" not in paths and "tgoop_gonzo_ml_21.txt" in paths
    assert sources()["tgoop_gonzo_ml_21.txt"]["reviews"] == 1


def test_removing_the_first_reader_of_a_post_keeps_it_for_the_later_one(tmp_path):
    first = write(tmp_path / "first.txt", NEW_PAPER)
    second = write(tmp_path / "second.txt", NEW_PAPER.replace("ILSVRC 2015.", "ILSVRC 2015.\n🔥12"))
    ok("add", str(first))
    ok("add", str(second))
    (rec,) = json.loads(ok("show", "--json", "1512.03385").stdout)
    assert [s["path"] for s in rec["sources"]] == ["first.txt", "second.txt"]
    ok("remove", "first.txt")
    (rec,) = json.loads(ok("show", "--json", "1512.03385").stdout)
    assert [s["path"] for s in rec["sources"]] == ["second.txt"]
    assert json.loads(ok("search", "--json", "shortcut").stdout)["hits"][0]["arxiv_id"] == "1512.03385"


def _snapshot(home: Path) -> dict:
    """The index's content by record id, independent of record numbers: records, tags,
    vocabulary, every FTS term instance, and each dump's counts."""
    conn = sqlite3.connect(home / "index.sqlite")
    try:
        ids = dict(conn.execute("SELECT rid, id FROM reviews"))
        conn.execute("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, fts, 'instance')")
        return {
            "records": sorted(conn.execute("SELECT r.id, r.title, r.arxiv_id, r.year, r.date, r.origin, r.src, "
                                           "r.n_merged, c.json FROM reviews r JOIN records c USING(rid)")),
            "tags": sorted((t, ids[rid], label) for t, rid, label in conn.execute("SELECT * FROM review_tags")),
            "vocab": sorted(conn.execute("SELECT * FROM vocab")),
            "terms": sorted((term, ids[doc], col, off) for term, doc, col, off in
                            conn.execute("SELECT term, doc, col, offset FROM temp.terms")),
            "sources": sorted(conn.execute("SELECT name, n_reviews, n_skipped, n_merged FROM sources")),
        }
    finally:
        conn.close()


def test_incremental_remove_leaves_the_index_a_rebuild_would_make(tmp_path, _isolated_home):
    mirror = (BUNDLED / "tgoop_gonzo_ml_21.txt").read_text(encoding="utf-8")
    dumps = [write(tmp_path / "new.txt", NEW_PAPER),
             write(tmp_path / "again.txt", NEW_PAPER.replace("ILSVRC 2015.", "ILSVRC 2015.\n🔥3")),
             write(tmp_path / "mirror.txt", mirror.replace("🔥5", "🔥9") + "\n"),
             write(tmp_path / "other.txt", OTHER_REVIEW),
             write(tmp_path / "unique.txt", NEW_PAPER.replace("Deep Residual Learning", "Shallow Quasiresidual "
                                                               "Learning").replace("1512.03385", "1512.99999")
                   .replace("Обзор про", "Квазиостаточный обзор про"))]
    for d in dumps:
        ok("add", str(d))
    assert json.loads(ok("search", "--json", "квазиостаточный").stdout)["hits"]
    ok("remove", "new.txt", "mirror.txt", "unique.txt")
    assert run("search", "--json", "квазиостаточный").exit_code == 1
    incremental = _snapshot(_isolated_home)
    assert not any("new.txt" in str(r) or "unique.txt" in str(r) for r in incremental["records"])
    # the same library built from scratch
    (_isolated_home / "index.sqlite").unlink()
    ok("sources")
    assert _snapshot(_isolated_home) == incremental


def test_remove_does_not_rebuild_the_index(tmp_path, monkeypatch):
    ok("add", str(write(tmp_path / "a.txt", NEW_PAPER)), str(write(tmp_path / "b.txt", OTHER_REVIEW)))
    import reviews_cli.library.index as index

    def no_rebuild(*a, **k):
        raise AssertionError("remove rebuilt the whole index")

    monkeypatch.setattr(index, "rebuild", no_rebuild)
    ok("remove", "a.txt")
    assert "a.txt" not in sources() and "b.txt" in sources()


def test_an_interrupted_remove_leaves_the_library_intact(tmp_path, _isolated_home, monkeypatch):
    a = write(tmp_path / "a.txt", NEW_PAPER)
    b = write(tmp_path / "b.txt", OTHER_REVIEW)
    ok("add", str(a), str(b))
    manifest = (_isolated_home / "library.json").read_text(encoding="utf-8")
    copies = sorted(p.name for p in (_isolated_home / "dumps").iterdir())
    before = _snapshot(_isolated_home)
    import reviews_cli.library.index as index

    real, calls = index.fts_row, []

    def failing(*args, **kw):  # fails after the first record was taken out of the FTS index
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kw)

    monkeypatch.setattr(index, "fts_row", failing)
    res = CliRunner().invoke(main, ["remove", "a.txt", "b.txt"])
    assert res.exit_code == 130 and "interrupted" in res.stderr
    assert len(calls) == 2
    monkeypatch.setattr(index, "fts_row", real)
    assert (_isolated_home / "library.json").read_text(encoding="utf-8") == manifest
    assert sorted(p.name for p in (_isolated_home / "dumps").iterdir()) == copies
    assert _snapshot(_isolated_home) == before
    ok("remove", "a.txt", "b.txt")
    assert not {"a.txt", "b.txt"} & set(sources())


def test_add_summary_counts_added_already_and_refused(tmp_path):
    new = write(tmp_path / "new.txt", NEW_PAPER)
    bundled_copy = tmp_path / "copy.txt"
    shutil.copy(BUNDLED / "gonzo_ml_channel_page_2.txt", bundled_copy)
    res = run("add", str(new), str(bundled_copy), str(tmp_path / "missing.txt"))
    assert res.exit_code == 1
    assert "1 added, 1 already in the library, 1 refused" in res.stdout
    assert "already in the library as" in res.stdout
    assert res.stderr.strip() == f"reviews: {tmp_path / 'missing.txt'}: no such file"


def test_a_saved_page_whose_posts_start_late_is_still_found_in_a_folder(tmp_path):
    page = E.tgme_page()
    head_end = page.index("<head>") + len("<head>")
    padded = page[:head_end] + "<style>" + "a{color:red}" * 20_000 + "</style>" + page[head_end:]
    write(tmp_path / "d" / "saved.html", padded)
    res = run("parse", "--json", str(tmp_path / "d"))
    assert res.exit_code == 0, res.output
    assert "1 dump found, 0 other files skipped" in res.stderr


def test_an_index_built_by_other_analysis_code_is_rebuilt_on_remove(tmp_path, _isolated_home):
    ok("add", str(write(tmp_path / "a.txt", NEW_PAPER)), str(write(tmp_path / "b.txt", OTHER_REVIEW)))
    conn = sqlite3.connect(_isolated_home / "index.sqlite")
    with conn:
        conn.execute("UPDATE meta SET value='another analyzer' WHERE key='analyzer'")
    conn.close()
    ok("remove", "a.txt")
    assert run("show", "1512.03385").exit_code == 1 and "b.txt" in sources()
    conn = sqlite3.connect(_isolated_home / "index.sqlite")
    (value,) = conn.execute("SELECT value FROM meta WHERE key='analyzer'").fetchone()
    conn.close()
    from reviews_cli.library.index import analyzer_fingerprint

    assert value == analyzer_fingerprint()


def test_remove_by_a_sha256_prefix(tmp_path):
    import hashlib

    a = write(tmp_path / "a.txt", NEW_PAPER)
    ok("add", str(a))
    prefix = hashlib.sha256(a.read_bytes()).hexdigest()[:8]
    assert run("remove", prefix[:3]).exit_code == 1  # too short to name a dump
    ok("remove", prefix)
    assert "a.txt" not in sources()
