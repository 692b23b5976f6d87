"""Stop the app and open it again from the same instance folder: everything is still there."""

from sqlalchemy import select

from webapp.accounts.models import Role
from webapp.accounts.services import create_user
from webapp.checkin.models import Attendance
from webapp.checkin.services import record_claim
from webapp.core.db import utcnow
from webapp.events.services import create_event
from webapp.extensions import db
from webapp.ledger.services import get_balance
from webapp.membership.services import issue_membership
from webapp.onchain.connection import get_chain_client, get_keyring
from webapp.onchain.worker import run_once
from webapp.wallet.services import get_wallet

from ..conftest import PASSWORD, open_app
from .checkin.scans import claim, code_for


def test_database_and_chain_survive_a_restart(instance):
    from datetime import timedelta

    app, provider = open_app(instance)
    with app.app_context():
        session = db.session
        keyring = get_keyring()
        organiser = create_user(
            session,
            keyring,
            email="o@example.org",
            password=PASSWORD,
            display_name="O",
            role=Role.ORGANISER,
        )
        member = create_user(
            session, keyring, email="m@example.org", password=PASSWORD, display_name="M"
        )
        issue_membership(session, member)
        event = create_event(
            session,
            organiser,
            title="再起動テスト",
            venue="v",
            starts_at=utcnow() - timedelta(hours=1),
            ends_at=utcnow() + timedelta(hours=1),
            reward=4,
        )
        session.commit()
        record_claim(session, member, claim(code_for(event)), now=utcnow(), source="api")
        session.commit()
        run_once(session, get_chain_client(session), batch_size=100)
        before = get_wallet(session, member)
        event_id, member_id = event.id, member.id
        session.remove()
        db.engine.dispose()
    provider.close()

    app, provider = open_app(instance)
    try:
        with app.app_context():
            session = db.session
            attendance = session.scalar(select(Attendance).where(Attendance.user_id == member_id))
            assert attendance.event.title == "再起動テスト"
            member = attendance.user
            assert get_balance(session, member).total == 4
            client = get_chain_client(session)
            after = get_wallet(session, member)
            assert after.badges == before.badges
            assert after.badges[0].state.recorded
            assert after.card == before.card
            assert client.token_balance(member.address) == 4
            assert client.badge_balance(member.address, event_id) == 1
            assert client.receipt(attendance.chain_job.tx_hash)["status"] == 1
            session.remove()
            db.engine.dispose()
    finally:
        provider.close()
