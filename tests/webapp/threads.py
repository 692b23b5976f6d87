"""Two phones at the same moment: work run in threads at once, each with its own session."""

from __future__ import annotations

import threading

from webapp.core.db import mark_writing
from webapp.extensions import db


def run_together(app, count: int, work) -> list:
    """Runs `work(session, n)` in `count` threads at once, each with its own app context and
    database session (as two phones' requests would); returns what each returned or raised."""
    results: list = [None] * count
    start = threading.Barrier(count)

    def run(index):
        with app.app_context():
            mark_writing()
            try:
                start.wait()
                results[index] = work(db.session, index)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - the caller inspects it
                db.session.rollback()
                results[index] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
