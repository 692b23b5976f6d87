"""The declarative base and the column types every domain uses."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import g, has_app_context
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

# Stable constraint names, so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The largest number an INTEGER column holds (32 bits, signed, in PostgreSQL): row ids, prices,
# counts. A larger one must not reach the database, which refuses it (SQLite too, past 64 bits).
MAX_INTEGER = 2**31 - 1


def contains_pattern(text: str) -> str:
    """A LIKE pattern (with `escape="\\"`) that finds `text` anywhere, taking its %, _ and \\
    as themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp, also on SQLite (which keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass timezone-aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def storable(text: str) -> bool:
    """Whether a text column can hold `text`: PostgreSQL refuses the NUL character, and a lone
    surrogate (what a JSON "\\ud800" escape decodes to) has no UTF-8 at all."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def utcnow() -> datetime:
    return datetime.now(UTC)


def configure_engine(engine: Engine) -> None:
    """SQLite settings for an app with a web server and a worker on one file."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, connection_record):
        # SQLAlchemy issues BEGIN itself (pysqlite's own handling breaks SAVEPOINT); WAL lets
        # the worker and the web server read while the other writes; wait rather than fail.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        # SQLite has one writer at a time and no row locks. A transaction that will write takes
        # the write lock at BEGIN (waiting up to busy_timeout), so it cannot fail later when a
        # read-only snapshot would have to become a writer; readers begin deferred and never
        # wait. This is what `with_for_update()` gives on PostgreSQL.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing() else "BEGIN")


def defer_write(work) -> None:
    """Runs `work(connection)` once this request's own transaction is over, in a transaction
    of its own: bookkeeping that even a reading request must save (when a session was last
    used), and that must never commit the request's work half-way."""
    g.setdefault("deferred_writes", []).append(work)


def run_deferred_writes(engine: Engine) -> None:
    """What `defer_write` kept, each in its own transaction; a failure is logged, not raised
    (the answer has gone; the bookkeeping is tried again on a later request)."""
    for work in g.pop("deferred_writes", []):
        try:
            with engine.begin() as connection:
                work(connection)
        except Exception:
            log.warning("a deferred write failed", exc_info=True)


def mark_writing() -> None:
    """Declares that this app context's transactions write (see `configure_engine`)."""
    g.db_writes = True


def writes_late(view):
    """Marks a view that writes but declares it itself (`mark_writing`), just before its first
    statement: on SQLite the write lock is then held only while the view's transaction runs,
    not while the request is read and checked."""
    view.writes_late = True
    return view


def writes_database(view):
    """Marks a view reached by GET that writes, such as the check-in link."""
    view.writes_database = True
    return view


def _writing() -> bool:
    return has_app_context() and g.get("db_writes", False)
