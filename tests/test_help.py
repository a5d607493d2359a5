"""Every command's --help has one to three real examples (issue 8, item 14), and the examples of
the commands that only read run as shown on the bundled library."""

from __future__ import annotations

import os
import re
import shlex

import pytest
from click.testing import CliRunner

from reviews_cli.cli import main

COMMANDS = main.list_commands(None)  # type: ignore[arg-type]
# commands whose examples need the user's own files (add, parse, remove) or the internet (pull):
# checked for form only (pull's run against a local server in test_pull.py)
NEEDS_FILES = {"add", "parse", "remove", "pull"}


def examples(name: str) -> list[str]:
    res = CliRunner().invoke(main, [name, "--help"], terminal_width=100)
    assert res.exit_code == 0, res.output
    assert "Examples:" in res.stdout, f"`reviews {name} --help` has no examples"
    block = res.stdout.split("Examples:", 1)[1]
    lines = []
    for line in block.splitlines()[1:]:
        if not line.strip():
            break
        lines.append(line.strip())
    return lines


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_one_to_three_examples(name):
    found = examples(name)
    assert 1 <= len(found) <= 3, found
    for line in found:
        assert re.search(rf"(^|\| |\S+=\S+ )reviews {name}\b", line), line


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - NEEDS_FILES))
def test_examples_run_as_shown(name, tmp_path, monkeypatch):
    monkeypatch.setattr("webbrowser.open", lambda url: True)
    monkeypatch.chdir(tmp_path)
    for line in examples(name):
        line = line.split(" > ")[0]  # a shell redirection is the shell's business
        words = shlex.split(line)
        env = {}
        while "=" in words[0]:
            key, value = words.pop(0).split("=", 1)
            env[key] = os.path.expanduser(value)
        assert words[0] == "reviews"
        res = CliRunner().invoke(main, words[1:], env=env)
        assert res.exit_code == 0, (line, res.output)
        if "-o" in words:
            assert (tmp_path / words[words.index("-o") + 1]).stat().st_size > 0, line
        else:
            assert res.stdout.strip(), line


def test_readme_command_reference_is_generated_from_help():
    """The README's reference is `.ci/readme_commands.py`'s output (CI runs it with --check)."""
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / ".ci" / "readme_commands.py"
    spec = importlib.util.spec_from_file_location("readme_commands", script)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = mod.README.read_text(encoding="utf-8")
    assert mod.rewrite(text, mod.generated()) == text, "run `python .ci/readme_commands.py`"
    for name in COMMANDS:
        assert f"#### `reviews {name}`" in text
