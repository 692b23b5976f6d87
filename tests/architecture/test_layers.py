"""The layers of docs/architecture.md hold: import-linter keeps the contracts of pyproject.toml
on the real tree, and breaks them on a copy with an import pointing the wrong way."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def copy_of_the_tree(tmp_path: Path) -> Path:
    for package in ("webapp", "chain"):
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "translations"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_import(module: Path, line: str) -> None:
    module.write_text(module.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_tree_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_the_unchanged_copy_keeps_them_too(copy_of_the_tree):
    # The copy is what the next tests break: it must be read, and pass, as the tree does.
    result = lint_imports(copy_of_the_tree)
    assert result.returncode == 0, result.stdout + result.stderr


UPWARD_IMPORTS = {
    # core is below everything
    "core imports a domain": (
        "webapp/core/errors.py",
        "import webapp.perks.services",
        "webapp.core.errors -> webapp.perks.services",
    ),
    # the job queue is below the domains: the worker may not run a domain's housekeeping
    "the worker imports perks": (
        "webapp/onchain/worker.py",
        "from webapp.perks import redemptions",
        "webapp.onchain.worker -> webapp.perks.redemptions",
    ),
    # events are below check-in
    "events import check-in": (
        "webapp/events/services.py",
        "from webapp.checkin import services",
        "webapp.events.services -> webapp.checkin.services",
    ),
    # siblings are independent
    "perks import check-in": (
        "webapp/perks/services.py",
        "import webapp.checkin.models",
        "webapp.perks.services -> webapp.checkin.models",
    ),
    # composition stays on top
    "the ledger imports the periodic tasks": (
        "webapp/ledger/services.py",
        "import webapp.tasks",
        "webapp.ledger.services -> webapp.tasks",
    ),
}


@pytest.mark.parametrize(
    ("module", "line", "chain"), UPWARD_IMPORTS.values(), ids=UPWARD_IMPORTS.keys()
)
def test_an_upward_import_is_refused(copy_of_the_tree, module, line, chain):
    add_import(copy_of_the_tree / module, line)
    result = lint_imports(copy_of_the_tree)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 broken" in result.stdout
    assert chain in result.stdout


def test_chain_may_not_import_the_web_app(copy_of_the_tree):
    add_import(copy_of_the_tree / "chain/client.py", "import webapp.extensions")
    result = lint_imports(copy_of_the_tree)
    assert result.returncode == 1
    assert "chain.client -> webapp.extensions" in result.stdout


def test_a_new_package_must_be_given_a_layer(copy_of_the_tree):
    (copy_of_the_tree / "webapp/gifts").mkdir()
    (copy_of_the_tree / "webapp/gifts/__init__.py").write_text('"""Peer thanks."""\n')
    result = lint_imports(copy_of_the_tree)
    assert result.returncode == 1
    assert "webapp.gifts" in result.stdout
