"""Where ``reviews`` keeps its data and its settings: the platform's user folders, as
platformdirs names them.

On Linux/BSD (the XDG rule: ``$XDG_DATA_HOME`` / ``$XDG_CONFIG_HOME`` when set, else
``~/.local/share`` / ``~/.config``) and macOS (``~/Library/Application Support`` for both, as
platformdirs has it) the folder is computed here, because importing platformdirs costs ~15 ms of
a ~70 ms search; the test suite checks both agree. Elsewhere platformdirs decides.
"""

from __future__ import annotations

import os
import sys
from typing import Literal

_XDG = {"data": ("XDG_DATA_HOME", "~/.local/share"), "config": ("XDG_CONFIG_HOME", "~/.config")}


def user_dir(kind: Literal["data", "config"]) -> str:
    """The user ``data`` or ``config`` folder for ``reviews`` (an absolute path; not created)."""
    if sys.platform == "darwin":
        return os.path.join(os.path.expanduser("~/Library/Application Support"), "reviews")
    if os.name == "posix":
        env, default = _XDG[kind]
        base = os.environ.get(env, "").strip() or os.path.expanduser(default)
        return os.path.join(base, "reviews")
    import platformdirs

    return platformdirs.user_data_dir("reviews", appauthor=False) if kind == "data" else \
        platformdirs.user_config_dir("reviews", appauthor=False)
