"""bench/chaos.py at a tiny size, as a smoke test of its invariants: phones on a flaky proxy,
the worker killed and the node restarted once, and still no claim lost, no attendance doubled,
every job confirmed and the chain equal to the ledger. Real processes, SQLite in a temp dir
(the bench needs an empty database of its own, so not the suite's PostgreSQL one)."""

from __future__ import annotations

import re
import subprocess
import sys

from ..support import PROJECT_DIR

TINY = ["--phones", "5", "--claims-per-phone", "4", "--worker-kills", "1",
        "--node-restarts", "1", "--chaos-every", "1", "--faults", "0.5"]  # fmt: skip


def figure(table: str, name: str) -> str:
    match = re.search(rf"^{re.escape(name)}\s{{2,}}(\S+)", table, re.MULTILINE)
    assert match, f"no line {name!r} in:\n{table}"
    return match.group(1)


def test_a_tiny_chaos_run_loses_nothing_and_doubles_nothing():
    run = subprocess.run(
        [sys.executable, "bench/chaos.py", *TINY],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    table = run.stdout
    assert run.returncode == 0, f"{table}\n{run.stderr[-3000:]}"
    assert "result: every invariant holds" in table
    assert figure(table, "claims lost") == "0"
    assert figure(table, "attendances doubled") == "0"
    assert figure(table, "reconcile") == "clean"
    assert (figure(table, "claims accepted"), figure(table, "claims duplicate")) == ("15", "5")
    # The chaos did happen: the faults the invariants are about were met.
    assert (figure(table, "worker kills"), figure(table, "node restarts")) == ("1", "1")
    assert int(figure(table, "proxy: dropped after the server answered")) > 0
    assert int(figure(table, "claims sent more than once")) > 0
