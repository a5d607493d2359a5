import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Every test gets its own REVIEWS_HOME and (absent) config file, no colour, a fixed terminal
    width."""
    home = tmp_path / "home"
    monkeypatch.setenv("REVIEWS_HOME", str(home))
    monkeypatch.setenv("REVIEWS_CONFIG", str(tmp_path / "config.yaml"))  # never the user's own settings
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "160")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return home


@pytest.fixture
def library(_isolated_home):
    from reviews_cli.library import Library

    lib = Library.open()
    yield lib
    lib.close()
