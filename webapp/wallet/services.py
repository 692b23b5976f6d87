"""Gathers what the wallet page shows; reads only."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from chain.client import ChainClient
from webapp.accounts.models import User
from webapp.checkin.services import list_member_attendances
from webapp.membership.services import get_membership
from webapp.onchain.models import ChainJob
from webapp.perks.models import Perk
from webapp.perks.services import list_active_perks
from webapp.rewards.services import Balance, get_balance

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OnChainState:
    on_chain: bool
    tx_hash: str | None

    @classmethod
    def of(cls, job: ChainJob | None) -> OnChainState:
        if job is None:
            return cls(False, None)
        return cls(job.on_chain, job.tx_hash if job.on_chain else None)


@dataclass(frozen=True)
class BadgeItem:
    event_id: int
    title: str
    venue: str
    starts_at: datetime
    state: OnChainState


@dataclass(frozen=True)
class CardItem:
    issued_at: datetime
    active: bool
    state: OnChainState


@dataclass(frozen=True)
class Wallet:
    address: str | None
    card: CardItem | None
    badges: list[BadgeItem]
    balance: Balance
    chain_balance: int | None  # None when the chain could not be read just now
    perks: list[Perk]


def get_wallet(session: Session, user: User, client: ChainClient | None) -> Wallet:
    membership = get_membership(session, user)
    card = None
    if membership is not None:
        card = CardItem(
            membership.issued_at, membership.is_active, OnChainState.of(membership.chain_job)
        )
    badges = [
        BadgeItem(
            a.event.id,
            a.event.title,
            a.event.venue,
            a.event.starts_at,
            OnChainState.of(a.chain_job),
        )
        for a in list_member_attendances(session, user)
    ]
    return Wallet(
        address=user.address,
        card=card,
        badges=badges,
        balance=get_balance(session, user),
        chain_balance=_chain_balance(client, user),
        perks=list_active_perks(session),
    )


def _chain_balance(client: ChainClient | None, user: User) -> int | None:
    if client is None or client.addresses is None or user.address is None:
        return None
    try:
        return client.token_balance(user.address)
    except Exception as exc:  # the page must show what the database knows even then
        log.warning("could not read the token balance from the chain: %s", exc)
        return None
