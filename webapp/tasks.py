"""The periodic rounds, listed in one place above the domains: what the worker process does
every WORKER_INTERVAL seconds. A domain that needs periodic work adds its round here; the job
queue below knows nothing of them.

Each round runs in its own transaction, so one that fails (the node is down, say) neither
undoes nor stops the others.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from sqlalchemy.orm import Session

from webapp.checkin.rsvps import release_lapsed_seats
from webapp.community.summary import refresh_summary
from webapp.core.db import mark_writing, utcnow
from webapp.core.i18n import local_zone
from webapp.decisions.services import advance_due
from webapp.discord.client import get_discord_client
from webapp.discord.settings import get_application
from webapp.discord.sync import RoundResult, sync_round
from webapp.extensions import db
from webapp.onchain.connection import get_chain_client, max_fee_per_gas
from webapp.onchain.worker import TickResult, run_once
from webapp.perks.redemptions import expire_redemptions
from webapp.thanks.pool import share_due

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Round:
    name: str
    run: Callable[[Flask, Session], object]  # returns what it did, falsy when nothing


def expire_tickets(app: Flask, session: Session) -> int:
    """Perk tickets not used in time give their tokens back."""
    return expire_redemptions(session, utcnow())


def seats_round(app: Flask, session: Session) -> int:
    """Seats held by people whose card ran out go to those waiting."""
    return release_lapsed_seats(session, utcnow())


def decisions_round(app: Flask, session: Session) -> int:
    """Proposals whose voting starts (the electorate is counted) or ends (the result)."""
    return advance_due(session, utcnow())


def chain_round(app: Flask, session: Session) -> TickResult | None:
    """Sends queued chain jobs and confirms sent ones."""
    client = get_chain_client(session)
    session.commit()
    result = run_once(
        session,
        client,
        app.config["WORKER_BATCH_SIZE"],
        app.config["CHAIN_CONFIRMATIONS"],
        timedelta(seconds=app.config["WORKER_LEASE_SECONDS"]),
        max_fee_per_gas(app),
    )
    return result if result != TickResult() else None


def thanks_pool_round(app: Flask, session: Session) -> str | None:
    """Shares the month just ended's pool of coins for thanks, once, when the pool is on: the
    shares, their ledger credits and their chain jobs in this round's one transaction."""
    pool = share_due(session, utcnow())
    return f"{pool.month}: {pool.coins} coins" if pool else None


def discord_round(app: Flask, session: Session) -> RoundResult:
    """Pushes members' changed Discord role data (and a daily full push)."""
    return sync_round(session, get_application(session), get_discord_client(), utcnow())


def community_round(app: Flask, session: Session) -> int:
    """Keeps the community page's monthly summary current (at most once a minute)."""
    return refresh_summary(session, utcnow(), local_zone())


# The decisions round comes first: a proposal's electorate is taken as close to the start of
# its voting as the worker can (see decisions.services._start_voting). The thanks pool comes
# before the chain, so that its coins go on chain in the same tick.
ROUNDS: tuple[Round, ...] = (
    Round("decisions", decisions_round),
    Round("tickets", expire_tickets),
    Round("thanks_pool", thanks_pool_round),
    Round("seats", seats_round),
    Round("chain", chain_round),
    Round("discord", discord_round),
    Round("community", community_round),
)


def run_rounds(app: Flask, rounds: tuple[Round, ...] = ROUNDS) -> None:
    for each in rounds:
        with app.app_context():
            mark_writing()
            try:
                done = each.run(app, db.session)
                db.session.commit()
                if done:
                    log.info("worker %s: %s", each.name, done)
            except Exception:
                db.session.rollback()
                log.exception("worker tick failed in the %s round; retrying", each.name)
            finally:
                db.session.remove()


def run_forever(app: Flask, stop: threading.Event) -> None:
    """The worker loop: every round, then a pause of WORKER_INTERVAL seconds, until `stop`."""
    while not stop.is_set():
        run_rounds(app)
        stop.wait(app.config["WORKER_INTERVAL"])
