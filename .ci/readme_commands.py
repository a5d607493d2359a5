"""The README's command reference, generated from each command's ``--help``.

    python .ci/readme_commands.py           # rewrite the block between the markers in README.md
    python .ci/readme_commands.py --check   # exit 1 with a diff when README.md is stale (CI runs this)
"""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
START = "<!-- commands:start: generated from --help by `python .ci/readme_commands.py`; CI fails when stale -->"
END = "<!-- commands:end -->"
WIDTH = 100  # columns the help is wrapped to


def generated() -> str:
    """The reference: the group's help, then every command's, in the group's order."""
    from click.testing import CliRunner

    from reviews_cli.cli import main

    os.environ.pop("COLUMNS", None)
    runner = CliRunner()
    parts = []
    for args in [[]] + [[name] for name in main.list_commands(None)]:  # type: ignore[arg-type]
        res = runner.invoke(main, [*args, "--help"], prog_name="reviews", terminal_width=WIDTH,
                            catch_exceptions=False)
        if res.exit_code != 0:
            raise SystemExit(f"reviews {' '.join(args)} --help exited {res.exit_code}")
        title = f"reviews {args[0]}" if args else "reviews"
        parts.append(f"#### `{title}`\n\n```text\n{res.stdout.rstrip()}\n```\n")
    return "\n".join(parts)


def rewrite(text: str, block: str) -> str:
    """``text`` with the generated block between the markers replaced by ``block``."""
    try:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
    except ValueError:
        raise SystemExit(f"{README}: the markers {START!r} ... {END!r} are missing") from None
    return f"{head}{START}\n\n{block}\n{END}{tail}"


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    new = rewrite(text, generated())
    if "--check" in argv:
        if new != text:
            sys.stdout.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True),
                                                       "README.md", "README.md (from --help)"))
            print("README.md's command reference is stale: run `python .ci/readme_commands.py`", file=sys.stderr)
            return 1
        return 0
    if new != text:
        README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
