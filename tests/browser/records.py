"""The demo member's wallet with something in it, recorded on chain: browser tests of the wallet
pages need badges, coins and a use at a shop, whatever the demo data already holds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from webapp.accounts.services import get_user_by_email
from webapp.checkin import codes
from webapp.checkin.models import Attendance
from webapp.checkin.services import ClaimInput, record_claim
from webapp.core.db import utcnow
from webapp.events.models import Event
from webapp.ledger.services import get_balance
from webapp.onchain.connection import get_chain_client
from webapp.onchain.models import ChainJob, JobStatus
from webapp.onchain.worker import run_once
from webapp.perks.models import Perk
from webapp.perks.redemptions import start_redemption, ticket_key, use_ticket
from webapp.perks.services import add_staff

MEMBER = "member@example.org"
SHOP = "shop@example.org"


@dataclass(frozen=True)
class Records:
    badge_ids: list[int]  # the member's badges (their events' ids), each on chain
    job_ids: list[int]  # the member's records (card, badges and coins, uses): their proof pages


def record_demo_member(app, session) -> Records:
    """Checks the demo member in at an open demo event (unless they were, or none is open),
    uses the cheapest perk their coins buy at its shop, and runs the chain worker until every
    record of theirs is on chain."""
    member = get_user_by_email(session, MEMBER)
    now = utcnow()
    event = session.scalars(
        select(Event).where(Event.starts_at <= now, Event.ends_at > now).order_by(Event.id)
    ).first()
    if event is not None and not _attended(session, member, event):
        code = codes.make_token(event.id, event.secret, codes.slot_at(now))
        claim = ClaimInput(str(uuid.uuid4()), code, now)
        record_claim(session, member, claim, now=now, source="api")
        session.commit()
    _work(session)  # the coins are on chain before a shop burns some
    coins = get_balance(session, member).total
    perk = session.scalars(select(Perk).where(Perk.price <= coins).order_by(Perk.price)).first()
    add_staff(session, perk.partner, SHOP)
    ticket = start_redemption(session, member, perk, now, timedelta(minutes=15))
    use_ticket(session, get_user_by_email(session, SHOP), perk.partner, ticket.short_code,
               ticket_key(app.secret_key), now)  # fmt: skip
    session.commit()
    _work(session)
    jobs = list(session.scalars(select(ChainJob).where(ChainJob.user_id == member.id)))
    assert jobs and all(job.status == JobStatus.CONFIRMED for job in jobs)
    badges = sorted(
        session.scalars(select(Attendance.event_id).where(Attendance.user_id == member.id))
    )
    assert badges
    return Records(badge_ids=badges, job_ids=[job.id for job in jobs])


def _attended(session, member, event) -> bool:
    query = select(Attendance.id).where(
        Attendance.user_id == member.id, Attendance.event_id == event.id
    )
    return session.scalar(query) is not None


def _work(session) -> None:
    """Worker rounds until nothing waits (the embedded chain mines at once)."""
    client = get_chain_client(session)
    for _ in range(5):
        run_once(session, client, batch_size=100)
        waiting = session.scalar(
            select(ChainJob.id).where(ChainJob.status.in_((JobStatus.PENDING, JobStatus.SENT)))
        )
        if waiting is None:
            return
