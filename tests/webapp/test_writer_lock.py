"""SQLite's writers queue on one file lock beside the database (core/db.py, configure_engine):
a writer waits for it in the kernel, not in SQLite's busy handler, and proceeds as soon as the
one before it has committed or rolled back.

Every engine here has busy_timeout 0: a writer that met SQLite's own write lock instead of
waiting on the file lock would fail at once with "database is locked", so these tests see the
file lock do all the waiting without measuring any time."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import create_engine, event, text

from webapp.core.db import WRITER_LOCK_SUFFIX, WriterLockConnection, configure_engine, mark_writing

from ..conftest import POSTGRES_URL
from ..support import PROJECT_DIR

pytestmark = pytest.mark.skipif(
    POSTGRES_URL is not None,
    reason="SQLite only: PostgreSQL has row locks and many writers, and takes no writer lock",
)

INSERT = text("INSERT INTO writes (n) VALUES (:n)")
ROWS = text("SELECT n FROM writes ORDER BY rowid")


def make_engine(url: str):
    engine = create_engine(url)
    configure_engine(engine)

    @event.listens_for(engine, "connect")  # after configure_engine's own settings
    def _no_busy_wait(dbapi_connection, connection_record):
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    return engine


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "db.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE writes (n INTEGER)")
    yield engine, f"{path}{WRITER_LOCK_SUFFIX}"
    engine.dispose()


@pytest.fixture
def writing():
    """An app context whose transactions write, as a POST request's or the worker's."""
    app = Flask(__name__)

    @contextmanager
    def context():
        with app.app_context():
            mark_writing()
            yield

    return context


def lock_is_free(lock_path: str) -> bool:
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # and with it the lock, if it was taken


def waiting_for(lock_path: str) -> int:
    """How many are blocked in flock on the lock file, as the kernel lists them."""
    st = os.stat(lock_path)
    file = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino} "
    with open("/proc/locks") as locks:
        return sum(1 for line in locks if "-> FLOCK" in line and file in line)


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + 60  # against a hang only
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def writer_thread(engine, writing, n: int) -> tuple[threading.Thread, list]:
    """A writer on a connection of its own, in a thread of its own; its outcome lands in the
    list (None, or what it raised)."""
    connection = engine.connect()  # opened here: the thread only writes
    outcome: list = []

    def write():
        try:
            with writing(), connection.begin():
                connection.execute(INSERT, {"n": n})
            outcome.append(None)
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=write)
    thread.start()
    return thread, outcome


HOLDER = """
import sys
from flask import Flask
from sqlalchemy import create_engine, text
from webapp.core.db import configure_engine, mark_writing

engine = create_engine(sys.argv[1])
configure_engine(engine)
with Flask("holder").app_context():
    mark_writing()
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO writes (n) VALUES (1)"))
        print("holding", flush=True)
        sys.stdin.readline()
"""


@contextmanager
def writer_process(engine):
    """Another process in the middle of a writing transaction, until it is told to commit
    (a line on its stdin) or killed."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, engine.url.render_as_string()],
        cwd=PROJECT_DIR,
        env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stdout.readline() == "holding\n"
            yield process
        finally:
            process.kill()


def test_a_writer_waits_for_another_process_writing_and_goes_on_when_it_commits(database, writing):
    engine, lock_path = database
    with writer_process(engine) as holder:
        assert not lock_is_free(lock_path)
        thread, outcome = writer_thread(engine, writing, 2)
        wait_until(lambda: waiting_for(lock_path) == 1, "the second writer waits on the lock")
        assert thread.is_alive() and outcome == []  # waiting, not failed
        holder.stdin.write("commit\n")
        holder.stdin.flush()
        assert holder.wait(timeout=30) == 0
        thread.join(timeout=60)
    assert outcome == [None]
    with engine.connect() as connection:
        assert connection.execute(ROWS).scalars().all() == [1, 2]  # one after the other
    assert lock_is_free(lock_path)


def test_a_writer_killed_while_writing_leaves_the_lock_to_the_next(database, writing):
    engine, lock_path = database
    with writer_process(engine) as holder:
        thread, outcome = writer_thread(engine, writing, 2)
        wait_until(lambda: waiting_for(lock_path) == 1, "the second writer waits on the lock")
        holder.kill()  # SIGKILL: the kernel drops its lock, SQLite forgets its transaction
        thread.join(timeout=60)
    assert outcome == [None]
    with engine.connect() as connection:
        assert connection.execute(ROWS).scalars().all() == [2]


def test_the_lock_is_held_while_writing_and_released_however_the_transaction_ends(
    database, writing
):
    engine, lock_path = database
    with writing(), engine.connect() as connection:
        connection.begin()
        connection.execute(INSERT, {"n": 1})
        assert not lock_is_free(lock_path)
        connection.commit()
        assert lock_is_free(lock_path)

        connection.begin()
        connection.execute(INSERT, {"n": 2})
        connection.rollback()
        assert lock_is_free(lock_path)

        with pytest.raises(LookupError):
            with connection.begin():
                connection.execute(INSERT, {"n": 3})
                assert not lock_is_free(lock_path)
                raise LookupError("the work fails half-way")
        assert lock_is_free(lock_path)

        # SQLite's transaction ended by itself: the driver's commit has nothing to commit,
        # and still lets the lock go.
        connection.begin()
        connection.exec_driver_sql("COMMIT")
        assert not lock_is_free(lock_path)
        connection.commit()
        assert lock_is_free(lock_path)

        connection.begin()
        connection.execute(INSERT, {"n": 5})
    assert lock_is_free(lock_path)  # a connection closed mid-transaction rolls back
    with engine.connect() as connection:
        assert connection.execute(ROWS).scalars().all() == [1]


def test_readers_take_no_lock(database, writing):
    engine, lock_path = database
    with writing(), engine.begin() as holder:
        holder.execute(INSERT, {"n": 1})
        with Flask(__name__).app_context(), engine.begin() as reader:  # not marked writing
            assert reader.execute(ROWS).scalars().all() == []  # its snapshot, at once
    with engine.begin() as reader:
        reader.execute(ROWS)
        assert lock_is_free(lock_path)


def test_writers_queued_behind_the_lock_all_write(database, writing):
    engine, lock_path = database
    with writing(), engine.begin() as holder:
        holder.execute(INSERT, {"n": 0})
        writers = [writer_thread(engine, writing, n) for n in range(1, 6)]
        wait_until(lambda: waiting_for(lock_path) == 5, "five writers wait on the lock")
    for thread, _outcome in writers:
        thread.join(timeout=60)
    assert [outcome for _thread, outcome in writers] == [[None]] * 5
    with engine.connect() as connection:
        rows = connection.execute(ROWS).scalars().all()
    assert rows[0] == 0 and sorted(rows) == [0, 1, 2, 3, 4, 5]
    assert lock_is_free(lock_path)


def test_a_thread_writing_twice_at_once_fails_rather_than_wait_for_itself(database, writing):
    engine, lock_path = database
    with writing(), engine.begin() as first:
        first.execute(INSERT, {"n": 1})
        with pytest.raises(Exception, match="database is locked"):
            with engine.begin() as second:
                second.execute(INSERT, {"n": 2})
        assert not lock_is_free(lock_path)  # still the first one's
    assert lock_is_free(lock_path)
    with engine.connect() as connection:
        assert connection.execute(ROWS).scalars().all() == [1]


def test_an_in_memory_database_takes_no_file_lock(writing):
    engine = make_engine("sqlite://")
    try:
        with writing(), engine.begin() as connection:
            assert isinstance(connection.connection.dbapi_connection, WriterLockConnection)
            assert connection.connection.dbapi_connection.lock_path is None
            connection.exec_driver_sql("CREATE TABLE writes (n INTEGER)")
            connection.execute(INSERT, {"n": 1})
    finally:
        engine.dispose()


def test_the_app_and_its_worker_write_under_the_lock(app, session, instance):
    """The app's engine (the web server's, and the chain worker's, which opens the same app)
    takes the lock beside the instance's database."""
    lock_path = f"{instance / 'enishi.sqlite'}{WRITER_LOCK_SUFFIX}"
    session.commit()
    mark_writing()
    session.execute(text("SELECT 1"))
    assert not lock_is_free(lock_path)
    session.commit()
    assert lock_is_free(lock_path)
