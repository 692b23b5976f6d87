"""Compiled contracts, as written by `chain/compile.mjs` into `chain/artifacts/`."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

CHAIN_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = CHAIN_DIR / "artifacts"
CONTRACT_NAMES = ("CommunityToken", "ParticipationBadge", "MembershipCard", "DecisionRecord")


@cache
def load_artifact(name: str) -> dict:
    return json.loads((ARTIFACTS_DIR / f"{name}.json").read_text(encoding="utf-8"))


def source_file(source_name: str, node_modules: Path) -> Path:
    """Where a source named in an artifact lives: ours in chain/, libraries in node_modules."""
    if source_name.startswith("@"):
        return node_modules / source_name
    return CHAIN_DIR / source_name


def stale_sources(name: str, node_modules: Path) -> list[str]:
    """Sources whose current sha256 differs from the one recorded in the artifact."""
    stale = []
    for source_name, digest in load_artifact(name)["sources"].items():
        path = source_file(source_name, node_modules)
        if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            stale.append(source_name)
    return stale
