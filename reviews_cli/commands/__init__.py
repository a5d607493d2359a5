"""The commands of ``reviews``, one module per group: each defines plain ``@click.command``
functions and lists them in ``COMMANDS``. :class:`LazyGroup` (the base of the click group in
``cli.py``) imports a command's module only when that command runs or is listed with its help:
a search never builds the click objects of the other fourteen commands. A new command is a
function in one of these modules, listed in its ``COMMANDS`` and in :data:`COMMAND_MODULES`
(``tests/test_help.py`` checks that the two agree).

Shared helpers (the library, settings, the console and pager) are in :mod:`._common`. A command
module imports core and render modules inside its functions, so starting ``reviews`` stays fast.
"""

from __future__ import annotations

import importlib

import click

# The command modules, in the order their commands are registered.
MODULES = ("reading", "library", "pull", "export", "settings", "state")

# Which module defines each command.
COMMAND_MODULES = {
    "search": "reading", "tag": "reading", "list": "reading", "show": "reading", "open": "reading",
    "related": "reading", "tags": "reading",
    "add": "library", "embed": "library", "remove": "library", "parse": "library", "sources": "library",
    "stats": "library",
    "pull": "pull",
    "export": "export",
    "config": "settings",
    "star": "state", "unstar": "state", "note": "state", "mark": "state", "state": "state",
}


def load(group: click.Group, module_name: str) -> None:
    """Add the commands of module ``module_name`` to ``group`` (once). Raises ``ValueError``
    when the module defines a command another module already did."""
    module = importlib.import_module(f"{__name__}.{module_name}")
    for command in module.COMMANDS:
        if group.commands.get(command.name) not in (None, command):
            raise ValueError(f"two commands named {command.name!r} ({module_name})")
        group.add_command(command)


def register(group: click.Group) -> None:
    """Add every command of every module in :data:`MODULES` to ``group`` now (what
    :class:`LazyGroup` does one module at a time, on demand)."""
    for name in MODULES:
        load(group, name)


class LazyGroup(click.Group):
    """A click group whose commands are imported from :data:`COMMAND_MODULES` when first
    asked for by name."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMAND_MODULES))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            load(self, COMMAND_MODULES[cmd_name])
        return self.commands.get(cmd_name)
