"""The settings command: config."""

from __future__ import annotations

import click

from ._common import _print, _settings


@click.command("config")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: {path, exists, from_env, settings: {name: {value, from}}, pager_command}.")
def config_(as_json: bool) -> None:
    """Where the settings file is and what it sets. The file is config.yaml in the user config
    folder, or the file $REVIEWS_CONFIG names; every setting is optional:

    \b
      limit: 20        results of search, tag and list without --limit
      sort: date       order of search without --sort (relevance, date, title)
      pager: false     true (default: $PAGER, else less -FRX), false, or a command
      color: never     auto (default), always, never; --color overrides it
      mark_read_on_show: false   show marks what it shows as read (default true)

    A bad file is an error naming the key (exit 2).

    \b
    Examples:
      reviews config
      REVIEWS_CONFIG=~/reviews.yaml reviews config --json
    """
    cfg = _settings()
    command, command_from = cfg.pager_command()
    if as_json:
        from ..render.machine import to_json

        click.echo(to_json({
            "path": cfg.path, "exists": cfg.exists, "from_env": cfg.from_env,
            "settings": {k: {"value": v, "from": cfg.origin(k)} for k, v in cfg.values.items()},
            "pager_command": {"value": command, "from": command_from},
        }))
        return
    from ..render.human import config_view

    _print(*config_view(cfg))



COMMANDS = [config_]
