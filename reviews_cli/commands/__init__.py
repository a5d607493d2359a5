"""The commands of ``reviews``, one module per group: each defines plain ``@click.command``
functions and lists them in ``COMMANDS``; :func:`register` adds them to the click group in
``cli.py``. A new group of commands is a new module here plus its name in :data:`MODULES`.

Shared helpers (the library, settings, the console and pager) are in :mod:`._common`. A command
module imports core and render modules inside its functions, so starting ``reviews`` stays fast.
"""

from __future__ import annotations

import importlib

import click

# The command modules, in the order their commands are registered (``reviews --help`` lists
# them in the order of ``cli._Group.ORDER``).
MODULES = ("reading", "library", "pull", "export", "settings", "state")


def register(group: click.Group) -> None:
    """Add every command of every module in :data:`MODULES` to ``group``. Raises
    ``ValueError`` when two modules define a command of the same name."""
    for name in MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        for command in module.COMMANDS:
            if command.name in group.commands:
                raise ValueError(f"two commands named {command.name!r} ({name})")
            group.add_command(command)
