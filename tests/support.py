"""What tests need from the machine: in CI a missing tool fails the test; locally it skips."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
NODE_MODULES = PROJECT_DIR / "node_modules"
CHROMIUM = os.environ.get("ENISHI_CHROMIUM", "/usr/bin/chromium")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, what: str) -> None:
    """Skips (locally) or fails (in CI) when `condition` does not hold."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"{what} is missing; CI must have it (see .ci/run and `make test`)")
    pytest.skip(f"{what} is missing")


def require_node_modules() -> None:
    require(shutil.which("node") is not None, "Node.js")
    require((NODE_MODULES / "solc").is_dir(), "node_modules (run `npm ci`)")


def require_chromium() -> None:
    require(Path(CHROMIUM).exists(), f"Chromium at {CHROMIUM} (apt-get install chromium)")
