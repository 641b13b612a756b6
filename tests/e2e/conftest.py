"""The programs the end-to-end tests run: the drill's Debian binaries."""

import os

import pytest

from o11y.drill.world import missing_programs


@pytest.fixture(scope="session")
def drill_programs() -> None:
    missing = missing_programs()
    if not missing:
        return
    packages = " ".join(sorted(set(missing.values())))
    if os.environ.get("CI"):
        pytest.fail(f"the drill needs {packages}; CI must install them (see .ci/run)")
    pytest.skip(f"the drill needs {packages} (apt-get install)")
