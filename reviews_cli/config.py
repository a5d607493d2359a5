"""The user's settings: ``config.yaml`` in the user config dir, or the file ``$REVIEWS_CONFIG`` names.

Settings (all optional)::

    limit: 20          # results shown by search, tag and list when --limit is not given (1..10000)
    sort: date         # search order when --sort is not given: relevance, date or title
    pager: false       # true (the default: $PAGER, else less -FRX), false, or a command ("less -R")
    color: never       # auto (the default: the terminal and NO_COLOR decide), always or never
    mark_read_on_show: false   # whether `show` marks what it shows as read (default true)

A missing file means every default. A file that cannot be read, is not YAML, is not a mapping, or
holds an unknown key or a bad value raises :class:`ConfigError`, one line naming the file and the
key. PyYAML is imported only when the file exists, so a run without a config file pays nothing.
"""

from __future__ import annotations

import os
import reprlib
from typing import Any

from .errors import ExitCode, ReviewsError

CONFIG_FILE = "config.yaml"
SORTS = ("relevance", "date", "title")
COLORS = ("auto", "always", "never")
MAX_LIMIT = 10_000
DEFAULT_PAGER = "less -FRX"

# The defaults, in the order `reviews config` shows them. ``limit`` None: each command's own.
DEFAULTS: dict[str, Any] = {"limit": None, "sort": "relevance", "pager": True, "color": "auto",
                            "mark_read_on_show": True}


class ConfigError(ReviewsError):
    """The config file cannot be used; the message is ``<path>: key '<k>': <reason>`` (or
    ``<path>: <reason>`` when no key is at fault). Exit status 2, like a bad option value."""

    exit_code = ExitCode.USAGE


class Config:
    """Settings read from ``path``. ``values`` maps each setting of :data:`DEFAULTS` to its value;
    ``from_file`` holds the names the file set (the others are defaults); ``from_env``: the path
    came from ``$REVIEWS_CONFIG``. (A plain class: a dataclass costs ~2 ms of every run.)"""

    __slots__ = ("exists", "from_env", "from_file", "path", "values")

    def __init__(self, path: str, exists: bool, from_env: bool, values: dict[str, Any] | None = None,
                 from_file: frozenset[str] = frozenset()) -> None:
        self.path = path
        self.exists = exists
        self.from_env = from_env
        self.values: dict[str, Any] = dict(DEFAULTS) if values is None else values
        self.from_file = from_file

    @property
    def limit(self) -> int | None:
        """The default result count for search/tag/list, or None for each command's own."""
        value: int | None = self.values["limit"]
        return value

    @property
    def sort(self) -> str:
        """``relevance``, ``date`` or ``title``."""
        return str(self.values["sort"])

    @property
    def color(self) -> str:
        """``auto``, ``always`` or ``never``."""
        return str(self.values["color"])

    @property
    def mark_read_on_show(self) -> bool:
        """Whether ``show`` marks the reviews it shows as read."""
        return bool(self.values["mark_read_on_show"])

    @property
    def pager_enabled(self) -> bool:
        """Whether long human output may go through a pager."""
        return self.values["pager"] is not False

    def pager_command(self) -> tuple[str, str]:
        """The pager command line and where it came from: the config file's command, else
        ``$PAGER`` (when set and not empty), else :data:`DEFAULT_PAGER`. Origins are
        ``config file``, ``$PAGER`` and ``default``."""
        value = self.values["pager"]
        if isinstance(value, str):
            return value, "config file"
        env = os.environ.get("PAGER", "").strip()
        if env:
            return env, "$PAGER"
        return DEFAULT_PAGER, "default"

    def origin(self, key: str) -> str:
        """``config file`` or ``default``."""
        return "config file" if key in self.from_file else "default"


def config_path() -> tuple[str, bool]:
    """The config file's absolute path and whether ``$REVIEWS_CONFIG`` chose it (an empty value
    counts as unset)."""
    env = os.environ.get("REVIEWS_CONFIG", "").strip()
    if env:
        return os.path.abspath(os.path.expanduser(env)), True
    return os.path.join(default_config_dir(), CONFIG_FILE), False


def default_config_dir() -> str:
    """The user config dir as platformdirs' ``user_config_dir("reviews", appauthor=False)`` gives
    it (see :mod:`reviews_cli.dirs`)."""
    from .dirs import user_dir

    return user_dir("config")


def load(path: str | None = None) -> Config:
    """The settings in ``path`` (default :func:`config_path`). Raises :class:`ConfigError` for a
    file that exists but cannot be read or used; a missing file gives the defaults."""
    from_env = False
    if path is None:
        path, from_env = config_path()
    try:
        raw = _read_regular(path)
    except FileNotFoundError:
        return Config(path, exists=False, from_env=from_env)
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    data = _parse_yaml(path, text)
    values = dict(DEFAULTS)
    for key, value in data.items():
        values[key] = validate(path, key, value)
    return Config(path, exists=True, from_env=from_env, values=values, from_file=frozenset(data))


# A settings file is a few lines; a larger one is a mistake (and would cost every run)
MAX_CONFIG_BYTES = 64 * 1024


def _read_regular(path: str) -> bytes:
    """The bytes of the file ``path``: a regular file or a character device (``/dev/null``
    means no settings). Opened without blocking, so a FIFO or socket (which would wait for a
    writer, hanging every command) is refused, as is more than :data:`MAX_CONFIG_BYTES`.
    Raises ``OSError`` from the file system, :class:`ConfigError`."""
    import stat

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        if not (stat.S_ISREG(mode) or stat.S_ISCHR(mode)):
            raise ConfigError(f"{path}: not a regular file")
        raw = f.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: too large (the limit is {MAX_CONFIG_BYTES} bytes)")
        return raw


def _parse_yaml(path: str, text: str) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise ConfigError(f"{path}: {where}not valid YAML ({problem})") from None
    if data is None:  # an empty file, or only comments
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping of settings (key: value), not a {_kind(data)}")
    return data


def validate(path: str, key: object, value: object) -> object:
    """``value`` checked for setting ``key``; raises :class:`ConfigError` naming ``path`` and the
    key for an unknown key or a value of the wrong type or range."""
    if not isinstance(key, str) or key not in DEFAULTS:
        import difflib

        close = difflib.get_close_matches(str(key), list(DEFAULTS), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(DEFAULTS)})"
        raise ConfigError(f"{path}: key '{key}': unknown setting{hint}")

    def bad(reason: str) -> ConfigError:
        return ConfigError(f"{path}: key '{key}': {reason}, not {_show(value)}")

    if key == "limit":
        # bool is an int in Python; `limit: yes` is a mistake, not 1
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
            raise bad(f"must be a whole number from 1 to {MAX_LIMIT}")
        return value
    if key == "sort":
        if value not in SORTS:
            raise bad(f"must be one of {', '.join(SORTS)}")
        return value
    if key == "color":
        if value not in COLORS:
            raise bad(f"must be one of {', '.join(COLORS)}")
        return value
    if key == "mark_read_on_show":
        if not isinstance(value, bool):
            raise bad("must be true or false")
        return value
    # pager
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if not value.strip():
            raise bad("must be true, false or a command (false turns the pager off)")
        import shlex

        try:
            shlex.split(value)
        except ValueError as exc:
            raise bad(f"cannot be read as a command ({exc})") from None
        return value.strip()
    raise bad("must be true, false or a command")


def _kind(value: object) -> str:
    kinds = {list: "list", dict: "mapping", str: "string", int: "number", float: "number", bool: "boolean"}
    return kinds.get(type(value), "value")


def _short_repr() -> reprlib.Repr:
    short = reprlib.Repr()
    short.maxlevel, short.maxlist, short.maxdict, short.maxstring, short.maxother = 2, 4, 4, 40, 40
    return short


_SHORT = _short_repr()


def _show(value: object) -> str:
    """A short, quoted rendering of a config value for an error message."""
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, bool):
        text = str(value).lower()
    elif value is None:
        text = "empty"
    else:
        # reprlib: a list of aliases (a "billion laughs" file) would expand to gigabytes in repr()
        text = f"{_SHORT.repr(value)} ({_kind(value)})" if isinstance(value, (list, dict)) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
