"""Regressions of the attacker's pass over the input paths of other tools' dumps (JSON / JSON
Lines / CSV message tables), ``state import``, ``parse --explain`` and ``pull`` page parsing:
each hostile input gives records or one line ``reviews: FILE: reason`` (exit ≠ 0), never a
traceback, and its text never reaches the terminal raw."""

from __future__ import annotations

from click.testing import CliRunner

from reviews_cli.cli import main
from reviews_cli.parsing.containers import csv_table


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def _one_line_error(res, path) -> None:
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code != 0
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"reviews: {path}: "), lines


def test_a_csv_field_over_the_limit_is_one_line_not_a_traceback(tmp_path):
    # csv.Error("field larger than field limit") escaped the dump-error mapping
    path = tmp_path / "huge.csv"
    path.write_text('id,date,text\n1,2024-01-01,"' + "a" * (csv_table.MAX_FIELD_CHARS + 10) + '"\n',
                    encoding="utf-8")
    for cmd in ("parse", "add"):
        res = run(cmd, str(path))
        _one_line_error(res, path)
        assert "row 2" in res.stderr and "field" in res.stderr
