"""The declarative base and the column types every domain uses."""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
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


# Beside a database file `x.sqlite`, the file `x.sqlite.writer-lock` that its writers queue on.
WRITER_LOCK_SUFFIX = ".writer-lock"

# Which connection holds the writer lock for which thread (see `take_writer_lock`).
_holders: dict[int, WriterLockConnection] = {}


class WriterLockConnection(sqlite3.Connection):
    """A SQLite connection whose writing transactions queue for SQLite's one write lock on a
    blocking file lock instead of in SQLite's busy handler (see `configure_engine`).

    The busy handler sleeps and retries: a writer that has waited longest may sleep through
    the moment the lock comes free while a newcomer takes it, which under load gives tails of
    seconds. A writer blocked in `flock` is woken by the kernel as soon as the holder lets go.
    """

    lock_path: str | None = None  # set once connected; None for an in-memory database
    _lock_fd: int | None = None
    _lock_thread: int | None = None

    def take_writer_lock(self) -> None:
        """Waits for the writer lock, however long it is held (the kernel frees it when its
        holder ends, even by SIGKILL, so a dead process never keeps it)."""
        if self.lock_path is None or self._lock_fd is not None:
            return
        thread = threading.get_ident()
        if _holders.get(thread, self) is not self:
            # Waiting would be for itself: fail at once, as the busy handler would have
            # failed after busy_timeout.
            raise sqlite3.OperationalError(
                "database is locked: this thread already writes through another connection"
            )
        # Opened for each transaction, not once per connection: a descriptor inherited across
        # fork would share its lock with the child.
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self._lock_fd, self._lock_thread = fd, thread
        _holders[thread] = self

    def release_writer_lock(self) -> None:
        fd = self._lock_fd
        if fd is None:
            return
        self._lock_fd = None
        if _holders.get(self._lock_thread) is self:
            del _holders[self._lock_thread]
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)  # also if a forked child holds a copy of `fd`
        finally:
            os.close(fd)

    # Released only once COMMIT or ROLLBACK has run: released before, the next writer would
    # find SQLite's own lock still held and fall back to the busy handler.
    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release_when_over()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release_when_over()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.release_writer_lock()

    def _release_when_over(self) -> None:
        # A COMMIT that failed may leave the transaction open; its rollback releases then.
        try:
            over = not self.in_transaction
        except sqlite3.ProgrammingError:  # closed
            over = True
        if over:
            self.release_writer_lock()


def configure_engine(engine: Engine) -> None:
    """SQLite settings for an app with a web server and a worker on one file."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "do_connect")
    def _connection_class(dialect, connection_record, cargs, cparams):
        cparams["factory"] = WriterLockConnection

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, connection_record):
        # SQLAlchemy issues BEGIN itself (pysqlite's own handling breaks SAVEPOINT); WAL lets
        # the worker and the web server read while the other writes; wait rather than fail.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # The main database's file as SQLite resolved it ("" in memory: no other process).
        files = {name: file for _seq, name, file in cursor.execute("PRAGMA database_list")}
        cursor.close()
        if isinstance(dbapi_connection, WriterLockConnection) and files.get("main"):
            dbapi_connection.lock_path = files["main"] + WRITER_LOCK_SUFFIX

    @event.listens_for(engine, "begin")
    def _begin(connection):
        # SQLite has one writer at a time and no row locks. A transaction that will write takes
        # the write lock at BEGIN, so it cannot fail later when a read-only snapshot would have
        # to become a writer; readers begin deferred and never wait. This is what
        # `with_for_update()` gives on PostgreSQL. Writers first queue on the file lock, which
        # every process on this file takes (web workers and the chain worker alike); the busy
        # handler (busy_timeout) is left as the backstop for a writer that does not take it,
        # such as the sqlite3 shell.
        if not _writing():
            connection.exec_driver_sql("BEGIN")
            return
        dbapi_connection = connection.connection.dbapi_connection
        if not isinstance(dbapi_connection, WriterLockConnection):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        dbapi_connection.take_writer_lock()
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            dbapi_connection.release_writer_lock()
            raise


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
