"""bench/community_page.py at a tiny size, as a smoke test: it fills its town, builds the
summary and prints a row for each figure (SQLite in a temp dir; the bench's PostgreSQL
database is its own, so not run here). `--help` answers without starting anything."""

from __future__ import annotations

import subprocess
import sys

from ..support import PROJECT_DIR


def run(*arguments: str, timeout: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "bench/community_page.py", *arguments],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def test_help_answers_without_starting_the_bench():
    answer = run("--help", timeout=30)
    assert answer.returncode == 0, answer.stderr
    assert "--attendances" in answer.stdout
    assert "sqlite" not in answer.stdout.lower().split("usage")[0]  # no table printed


def test_a_tiny_run_prints_every_row():
    answer = run(
        "--members", "120", "--attendances", "900", "--repeats", "2", "--sqlite-only",
        timeout=180,
    )  # fmt: skip
    assert answer.returncode == 0, answer.stderr[-3000:]
    table = answer.stdout
    rows = ["rebuild_summary", "refresh_summary (month under way)"]
    rows += [f"figures: {name}" for name in ("this month", "this season", "this year")]
    for what in [*rows, "figures: custom 24 months"]:
        assert f"sqlite      {what}" in table, table
    # The 24 months hold every attendance written.
    assert "900 check-ins" in table.split("figures: custom 24 months")[1].splitlines()[0]
