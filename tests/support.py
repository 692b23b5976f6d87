"""What tests need from the machine: in CI a missing tool fails the test; locally it skips."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_node(path, operator: str, port: int) -> subprocess.Popen:
    node = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chain.node",
            "--db",
            str(path),
            "--fund",
            operator,
            "--port",
            str(port),
        ],
        cwd=PROJECT_DIR,
        stdout=subprocess.DEVNULL,
    )
    _wait_for_port(node, port)
    return node


ANVIL = NODE_MODULES / ".bin" / "anvil"


def start_anvil(port: int, *args: str) -> subprocess.Popen:
    """anvil (npm @foundry-rs/anvil, pinned in package.json) on a loopback port."""
    require(ANVIL.exists(), "anvil (run `npm ci`)")
    node = subprocess.Popen(
        [str(ANVIL), "--host", "127.0.0.1", "--port", str(port), "--silent", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for_port(node, port)
    return node


def _wait_for_port(node: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            assert node.poll() is None, "the node exited"
            time.sleep(0.1)
    node.kill()
    raise AssertionError("the node did not start")
