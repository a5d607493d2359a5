"""The package layout shows the data flow (issue 17, point 7), checked over the source tree:

- no module over :data:`MAX_LINES` lines;
- imports run only down the stages: cli → commands → render → search / pull → library →
  parsing → shared modules (the small top-level ones: models, errors, ids, textnorm, ...).
  ``search`` may import ``library``, never the reverse; ``parsing`` imports only parsing and
  shared modules; shared modules import no stage.

Every import counts: at module level, inside functions (the lazy ones) and under
``TYPE_CHECKING``. A new package under ``reviews_cli/`` must be given its place in
:data:`MAY_IMPORT` first.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "reviews_cli"
MAX_LINES = 500

# Which stages each stage may import. "shared" is a top-level module of reviews_cli other than
# cli.py and __main__.py (stage "cli"), and the package's own __init__.
MAY_IMPORT: dict[str, set[str]] = {
    "shared": {"shared"},
    "parsing": {"parsing", "shared"},
    "library": {"library", "parsing", "shared"},
    "pull": {"pull", "library", "parsing", "shared"},
    "search": {"search", "library", "parsing", "shared"},
    "render": {"render", "search", "library", "parsing", "shared"},
    "commands": {"commands", "render", "search", "pull", "library", "parsing", "shared"},
    "cli": {"cli", "commands", "render", "search", "pull", "library", "parsing", "shared"},
}

# Modules allowed over MAX_LINES, with the reason. Remove an entry when its module shrinks.
TOO_LONG: dict[str, str] = {}

# Imports allowed against the stages: (importing module, imported module) -> reason. None today.
UPWARD_IMPORTS: dict[tuple[str, str], str] = {}


def stage_of(module: str, known: dict[str, Path]) -> str:
    """``reviews_cli.library.index`` or ``reviews_cli.library`` -> ``library``;
    ``reviews_cli.models`` -> ``shared``; ``reviews_cli.cli`` -> ``cli``."""
    parts = module.split(".")[1:]
    if not parts:
        return "shared"  # reviews_cli/__init__.py
    if len(parts) > 1 or (module in known and known[module].name == "__init__.py"):
        return parts[0]
    return "cli" if parts[0] in ("cli", "__main__") else "shared"


def modules(root: Path) -> dict[str, Path]:
    """``{dotted module name: path}`` of every module under ``root`` (a package folder)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imported(module: str, path: Path, known: dict[str, Path]) -> list[tuple[int, str]]:
    """``(line, module)`` of every import of the package's own modules in ``path``: a name
    imported from a package that is itself a module (``from .. import textnorm``) counts as
    that module."""
    top = module.split(".")[0]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == top]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == top:
                target = node.module
            else:
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                found.append((node.lineno, sub if sub in known else target))
    return found


def violations(root: Path) -> list[str]:
    """One line per import that runs up the stages, or into a package with no stage."""
    known = modules(root)
    out = []
    for module, path in known.items():
        stage = stage_of(module, known)
        if stage not in MAY_IMPORT:
            out.append(f"{module}: package {stage!r} has no stage in MAY_IMPORT")
            continue
        for line, target in imported(module, path, known):
            to = stage_of(target, known)
            if to not in MAY_IMPORT[stage] and (module, target) not in UPWARD_IMPORTS:
                out.append(f"{path.relative_to(root.parent)}:{line}: {module} ({stage}) imports {target} ({to})")
    return out


def test_imports_run_down_the_stages():
    assert violations(PACKAGE) == []


def test_no_module_over_the_line_limit():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert {p: n for p, n in long.items() if p not in TOO_LONG} == {}


def test_exceptions_are_still_needed():
    for rel in TOO_LONG:
        path = PACKAGE / rel
        assert path.is_file() and len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES, \
            f"{rel} is gone or short now: drop it from TOO_LONG"
    known = modules(PACKAGE)
    for (module, target), _ in UPWARD_IMPORTS.items():
        assert module in known and target in [t for _, t in imported(module, known[module], known)], \
            f"{module} no longer imports {target}: drop it from UPWARD_IMPORTS"


@pytest.mark.parametrize(("where", "source", "broken"), [
    ("library/index.py", "from ..search.query import Query\n", "reviews_cli.search.query (search)"),
    ("library/index.py", "def f():\n    from ..search import query\n", "reviews_cli.search.query (search)"),
    ("parsing/text.py", "from ..library import Library\n", "reviews_cli.library (library)"),
    ("models.py", "from . import library\n", "reviews_cli.library (library)"),
    ("models.py", "import reviews_cli.commands.reading\n", "reviews_cli.commands.reading (commands)"),
    ("search/query.py", "from ..render.human import console\n", "reviews_cli.render.human (render)"),
    ("models.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .cli import main\n",
     "reviews_cli.cli (cli)"),
])
def test_an_upward_import_is_caught(tmp_path, where, source, broken):
    """The checker itself: a tree with one import against the stages fails it, and the same
    tree without it passes."""
    root = tmp_path / "reviews_cli"
    for rel in ("__init__.py", "models.py", "cli.py", "parsing/__init__.py", "parsing/text.py",
                "library/__init__.py", "library/index.py", "search/__init__.py", "search/query.py",
                "render/__init__.py", "render/human.py", "commands/__init__.py", "commands/reading.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("from __future__ import annotations\n", encoding="utf-8")
    assert violations(root) == []
    (root / where).write_text(source, encoding="utf-8")
    found = violations(root)
    assert len(found) == 1 and found[0].endswith(broken), found


def test_a_package_without_a_stage_is_caught(tmp_path):
    root = tmp_path / "reviews_cli"
    (root / "semantic").mkdir(parents=True)
    (root / "__init__.py").write_text("", encoding="utf-8")
    (root / "semantic" / "__init__.py").write_text("", encoding="utf-8")
    assert violations(root) == ["reviews_cli.semantic: package 'semantic' has no stage in MAY_IMPORT"]
