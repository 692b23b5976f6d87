"""Migrations upgrade a database that is in use, rows and all: an install made before a change
keeps working after it (`make run` migrates at every start)."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from webapp.core.db import utcnow
from webapp.extensions import db

from ..conftest import POSTGRES_URL, _run_on_postgres, open_app


def test_chain_jobs_in_use_survive_the_decision_records_migration(tmp_path):
    """0024 rebuilds chain_jobs on SQLite (its recipient columns become nullable), a table
    that attendances, ledger entries and memberships point at: their rows must stay theirs."""
    if POSTGRES_URL:
        _run_on_postgres("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    instance = tmp_path / "instance"
    instance.mkdir()
    app, provider = open_app(instance)
    now = utcnow()
    try:
        with app.app_context():
            directory = app.extensions["migrate"].directory
            upgrade(directory=directory, revision="0022")
            for sql in (
                "INSERT INTO users (id, display_name, role, active, created_at, text_size)"
                " VALUES (1, 'Hanako', 'member', true, :now, 'standard')",
                "INSERT INTO events (id, title, venue, description, starts_at, ends_at, reward,"
                " secret, organiser_id, created_at) VALUES (1, 'Clean-up', 'Park', '', :now,"
                " :later, 5, :secret, 1, :now)",
                "INSERT INTO chain_jobs (id, kind, user_id, address, event_id, amount, status,"
                " attempts, created_at, next_attempt_at) VALUES (1, 'award', 1, :address, 1, 5,"
                " 'confirmed', 1, :now, :now)",
                "INSERT INTO claims (id, user_id, event_id, code, scanned_at, received_at, source,"
                " offline, status) VALUES ('c1', 1, 1, 'code', :now, :now, 'api', false,"
                " 'accepted')",
                "INSERT INTO attendances (id, user_id, event_id, claim_id, chain_job_id,"
                " checked_in_at) VALUES (1, 1, 1, 'c1', 1, :now)",
            ):
                db.session.execute(
                    text(sql),
                    {
                        "now": now,
                        "later": now.replace(year=now.year + 1),
                        "secret": b"s" * 32,
                        "address": "0x" + "ab" * 20,
                    },
                )
            db.session.commit()
            db.session.remove()

            upgrade(directory=directory)

            job = db.session.execute(
                text("SELECT kind, user_id, address, status, proposal_id FROM chain_jobs")
            ).one()
            assert tuple(job) == ("award", 1, "0x" + "ab" * 20, "confirmed", None)
            attendance = db.session.execute(
                text("SELECT chain_job_id FROM attendances WHERE id = 1")
            ).scalar()
            assert attendance == 1
            if not POSTGRES_URL:  # and the foreign keys are enforced again afterwards
                assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            db.session.remove()
    finally:
        with app.app_context():
            db.engine.dispose()
        provider.close()


def test_the_area_totals_migration_sums_the_summary_already_there(tmp_path):
    """0030 adds area_months, filled from activity_months as they stand, so the community page
    reads right before the worker's next round."""
    if POSTGRES_URL:
        _run_on_postgres("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    instance = tmp_path / "instance"
    instance.mkdir()
    app, provider = open_app(instance)
    now = utcnow()
    try:
        with app.app_context():
            directory = app.extensions["migrate"].directory
            upgrade(directory=directory, revision="0029")
            for user_id in (1, 2, 3):
                db.session.execute(
                    text(
                        "INSERT INTO users (id, display_name, role, active, created_at,"
                        " text_size) VALUES (:id, 'Hanako', 'member', true, :now, 'standard')"
                    ),
                    {"id": user_id, "now": now},
                )
            for row in (
                (202603, 1, "city", 2, 20, 5, 1, True),
                (202603, 2, "city", 0, 0, 10, 1, True),  # used a perk, joined, no check-in
                (202603, 3, "outside", 1, 10, 0, 0, False),
                (202604, 1, "city", 1, 10, 0, 0, False),
            ):
                db.session.execute(
                    text(
                        "INSERT INTO activity_months (month, user_id, area, checkins,"
                        " coins_earned, coins_spent, perks_used, joined)"
                        " VALUES (:m, :u, :a, :c, :e, :s, :p, :j)"
                    ),
                    dict(zip(("m", "u", "a", "c", "e", "s", "p", "j"), row, strict=True)),
                )
            db.session.commit()
            db.session.remove()

            upgrade(directory=directory)

            totals = db.session.execute(
                text(
                    "SELECT month, area, checkins, participants, coins_earned, coins_spent,"
                    " perks_used, joined FROM area_months ORDER BY month, area"
                )
            ).all()
            assert [tuple(row) for row in totals] == [
                (202603, "city", 2, 1, 20, 15, 2, 2),
                (202603, "outside", 1, 1, 10, 0, 0, 0),
                (202604, "city", 1, 1, 10, 0, 0, 0),
            ]
            db.session.remove()
    finally:
        with app.app_context():
            db.engine.dispose()
        provider.close()
