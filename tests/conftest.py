import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


# Test modules that run with the [semantic] extra when it is installed; every other test sees
# the plain install (REVIEWS_NO_SEMANTIC=1, set for the whole run here so module-scoped fixtures
# see it too), so `add` does not embed a large test corpus and results do not depend on whether
# the extra happens to be installed. CI runs these modules again with the extra (.ci/run).
SEMANTIC_MODULES = {"test_semantic", "test_search_quality", "test_related"}
_ASKED_PLAIN = os.environ.get("REVIEWS_NO_SEMANTIC")
os.environ["REVIEWS_NO_SEMANTIC"] = "1"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch, request):
    """Every test gets its own REVIEWS_HOME and (absent) config file, no colour, a fixed terminal
    width, and the plain install unless its module is in SEMANTIC_MODULES."""
    if request.module.__name__.rpartition(".")[2] in SEMANTIC_MODULES and not _ASKED_PLAIN:
        monkeypatch.delenv("REVIEWS_NO_SEMANTIC")
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
