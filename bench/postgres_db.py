"""The benchmarks' own PostgreSQL databases at 127.0.0.1:5432, each made and dropped by its run:
never `test`, the suite's."""

from __future__ import annotations

import psycopg

MAINTENANCE = "postgresql://postgres@127.0.0.1:5432/postgres"


def url(database: str) -> str:
    """The database's SQLAlchemy URL, as the app takes it."""
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"


def answers() -> bool:
    try:
        psycopg.connect(MAINTENANCE, connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def recreate(database: str, *, create: bool) -> None:
    """Drops `database` (forcing its connections closed) and, if `create`, makes it again."""
    # CREATE and DROP DATABASE cannot run in a transaction: autocommit on the maintenance db.
    with psycopg.connect(MAINTENANCE, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        if create:
            connection.execute(f"CREATE DATABASE {database}")
