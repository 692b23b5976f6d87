"""The benchmarks' app: opened on an instance folder of their own and a database of their own,
with no chain (nothing listens at its RPC URL: the pages measured need none)."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def open_app(instance: Path, database_url: str):
    from webapp import create_app  # here, so that a benchmark's --help starts nothing

    os.environ.update(
        {
            "ENISHI_INSTANCE": str(instance),
            "ENISHI_DATABASE_URL": database_url,
            "ENISHI_RPC_URL": f"http://127.0.0.1:{free_port()}",
        }
    )
    return create_app()
