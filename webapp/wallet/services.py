"""Gathers what the wallet pages show; reads only.

Member pages speak of coins, badges and the card in plain words: each item says whether it is
recorded (記録済み) or on its way (反映中), never how. The hashes, contracts and addresses that
prove a record are gathered only for its proof page (`get_member_proof`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.checkin.eligibility import MEMBERS, RULE, list_eligibility, rule_in_words
from webapp.checkin.models import Attendance, Claim
from webapp.checkin.rsvps import Seat, list_member_seats, list_seats_left
from webapp.checkin.services import list_member_attendances, list_member_held_claims
from webapp.core.db import utcnow
from webapp.core.errors import NotFound
from webapp.events.models import Event
from webapp.events.services import list_upcoming_events
from webapp.ledger.services import Balance, get_balance
from webapp.membership.models import Membership
from webapp.membership.services import CardStatus, card_status, get_membership
from webapp.onchain.deployments import get_current_deployment
from webapp.onchain.jobs import project_badge_token_id
from webapp.onchain.models import ChainJob, JobKind, JobStatus
from webapp.perks.models import Redemption, RedemptionStatus
from webapp.perks.redemptions import list_member_redemptions
from webapp.perks.services import PerkOffer, list_offers
from webapp.projects.models import ProjectBadge
from webapp.projects.services import get_project, list_member_project_badges
from webapp.wallet.community_badges import (
    CommunityBadgeItem,
    community_badge_title,
    list_community_badges,
    list_community_coins,
)


@dataclass(frozen=True)
class RecordState:
    """Where an item's record stands, in the words the wallet uses: recorded, on its way, or
    waiting for an administrator's approval; `job_id` names its proof page."""

    job_id: int | None
    recorded: bool
    held: bool = False  # an award whose reward waits for an administrator's approval

    @classmethod
    def of(cls, job: ChainJob | None) -> RecordState:
        if job is None:
            return cls(None, False)
        return cls(job.id, job.on_chain, job.status == JobStatus.HELD)


@dataclass(frozen=True)
class BadgeItem:
    event_id: int
    title: str
    venue: str
    starts_at: datetime
    checked_in_at: datetime
    reward: int  # the coins this attendance paid (past the event's budget, none)
    state: RecordState


@dataclass(frozen=True)
class ProjectBadgeItem:
    """A project's contributor badge: its tile opens the project's page."""

    project_id: int
    token_id: int  # on the badge contract, beside the events' badges
    title: str
    given_at: datetime
    state: RecordState

    @classmethod
    def of(cls, badge: ProjectBadge) -> ProjectBadgeItem:
        return cls(
            badge.project_id,
            project_badge_token_id(badge.project_id),
            badge.project.title,
            badge.given_at,
            RecordState.of(badge.chain_job),
        )


@dataclass(frozen=True)
class CardItem:
    issued_at: datetime
    active: bool  # gives its rights now
    state: RecordState  # its record: the card's mint, or once taken back, its burn
    status: CardStatus  # pending, active, lapsed, taken back; its last day; running out


@dataclass(frozen=True)
class HistoryItem:
    """A line of the member's history: coins earned at an event, or spent at a shop."""

    when: datetime
    title: str
    place: str
    amount: int  # positive earned, negative spent
    state: RecordState


@dataclass(frozen=True)
class Wallet:
    card: CardItem | None
    badges: list[BadgeItem]
    project_badges: list[ProjectBadgeItem]
    balance: Balance
    perks: list[PerkOffer]  # what the member can use now (afford, and not used up)
    tickets: list[Redemption]  # tickets waiting to be shown at a shop
    history: list[HistoryItem]
    waiting: list[Claim]  # late check-ins an organiser has yet to look at
    invitations: list[InvitationItem] = field(default_factory=list)
    # Badges given outside events (a 結い's, a month's thanks), each with its record's state.
    community_badges: list[tuple[CommunityBadgeItem, RecordState]] = field(default_factory=list)


@dataclass(frozen=True)
class InvitationItem:
    """An upcoming event the member is invited to, as the wallet's 招待 lists it."""

    event: Event
    rule: str  # who is invited, in words
    seats_left: int | None  # None: no limit
    seat: Seat | None  # the member's reply: going, or waiting (with the place)


def list_invitations(session: Session, user: User, now: datetime) -> list[InvitationItem]:
    """Upcoming events for members or by rule (not those open to everyone: they invite no one
    in particular) that invite `user`, the soonest first; those they run are left out."""
    events = [
        event
        for event in list_upcoming_events(session, now, attendee=user)
        if event.audience in (MEMBERS, RULE)
    ]
    invited = list_eligibility(session, user, events, now)
    events = [event for event in events if invited[event.id].invited]
    seats = list_seats_left(session, events)
    replies = list_member_seats(session, user, events)
    return [
        InvitationItem(event, rule_in_words(event), seats[event.id], replies.get(event.id))
        for event in events
    ]


def get_wallet(session: Session, user: User, locale: str = "ja") -> Wallet:
    attendances = list_member_attendances(session, user)
    balance = get_balance(session, user)
    redemptions = list_member_redemptions(session, user)
    earned = [
        HistoryItem(a.checked_in_at, a.event.title, a.event.venue, a.chain_job.amount,
                    RecordState.of(a.chain_job))
        for a in attendances
        if a.chain_job.amount
    ]  # fmt: skip
    spent = [
        HistoryItem(r.used_at, r.perk.title(locale), r.perk.partner.name(locale), -r.price,
                    RecordState.of(r.chain_job))
        for r in redemptions
        if r.status == RedemptionStatus.USED
    ]  # fmt: skip
    moved = [
        HistoryItem(c.when, c.title, c.place, c.amount, RecordState.of(c.job))
        for c in list_community_coins(session, user)
    ]
    return Wallet(
        card=_card(get_membership(session, user)),
        badges=[_badge(a) for a in attendances],
        project_badges=[ProjectBadgeItem.of(b) for b in list_member_project_badges(session, user)],
        balance=balance,
        perks=[o for o in list_offers(session, user, balance.total, utcnow()) if o.usable],
        tickets=[r for r in redemptions if r.status == RedemptionStatus.HELD],
        history=sorted(earned + spent + moved, key=lambda item: item.when, reverse=True),
        waiting=list_member_held_claims(session, user),
        invitations=list_invitations(session, user, utcnow()),
        community_badges=[(b, RecordState.of(b.job)) for b in list_community_badges(session, user)],
    )


def get_member_badge(session: Session, user: User, event_id: int) -> BadgeItem:
    """`user`'s badge of the event; anyone else's reads as no badge at all (404)."""
    attendance = session.scalar(
        select(Attendance).where(Attendance.user_id == user.id, Attendance.event_id == event_id)
    )
    if attendance is None:
        raise NotFound("no_such_badge", _l("There is no such badge."))
    return _badge(attendance)


def _badge(attendance: Attendance) -> BadgeItem:
    event = attendance.event
    return BadgeItem(
        event.id,
        event.title,
        event.venue,
        event.starts_at,
        attendance.checked_in_at,
        attendance.chain_job.amount,
        RecordState.of(attendance.chain_job),
    )


def _card(membership: Membership | None) -> CardItem | None:
    if membership is None:
        return None
    now = utcnow()
    if membership.revoked_at is not None and membership.revoke_job is None:
        state = RecordState(None, True)  # taken back before its mint was sent: nothing to burn
    elif membership.revoke_job is not None:
        state = RecordState.of(membership.revoke_job)
    else:
        state = RecordState.of(membership.chain_job)
    return CardItem(
        membership.issued_at, membership.is_active_at(now), state, card_status(membership, now)
    )


@dataclass(frozen=True)
class Contract:
    role: str  # "badge" | "token" | "card": which of Enishi's contracts holds the record
    address: str


@dataclass(frozen=True)
class Proof:
    """What one record is and where the public chain holds it: the only place a member sees
    a transaction hash, a contract or an address."""

    kind: str  # a JobKind
    state: RecordState
    amount: int  # coins paid (award) or burned (redeem)
    event: Event | None  # the badge's event (award)
    redemption: Redemption | None  # the ticket used at a shop (redeem)
    tx_hash: str | None  # None until recorded
    block_number: int | None
    recorded_at: datetime | None
    address: str  # the member's account the record is written to
    chain_id: int | None
    contracts: list[Contract]
    project_title: str | None = None  # the project whose contributor badge it is
    badge_title: str | None = None  # a 結い's or a month's thanks badge (kinds badge, burn)


def get_member_proof(session: Session, user: User, job_id: int, chain_id: int | None) -> Proof:
    """The proof of `user`'s record `job_id` (a badge and its coins, the card, a use at a shop);
    anyone else's reads as no record at all (404). `chain_id`: the configured chain, if any."""
    job = session.get(ChainJob, job_id)
    if job is None or job.user_id != user.id:
        raise NotFound("no_such_record", _l("There is no such record."))
    recorded = job.on_chain
    deployment = get_current_deployment(session, chain_id) if recorded else None
    contracts = []
    if deployment is not None:
        where = {"badge": deployment.badge_address, "token": deployment.token_address,
                 "card": deployment.card_address}  # fmt: skip
        contracts = [Contract(role, where[role]) for role in _contracts_of(job)]
    redemption = session.get(Redemption, job.redemption_id) if job.redemption_id else None
    return Proof(
        kind=job.kind,
        state=RecordState.of(job),
        amount=job.amount,
        event=session.get(Event, job.event_id) if job.event_id else None,
        redemption=redemption,
        tx_hash=job.tx_hash if recorded else None,
        block_number=job.block_number if recorded else None,
        recorded_at=job.confirmed_at if recorded else None,
        address=job.address,
        chain_id=deployment.chain_id if deployment is not None else None,
        contracts=contracts,
        project_title=get_project(session, job.project_id).title if job.project_id else None,
        badge_title=community_badge_title(session, job.token_id),
    )


def _contracts_of(job: ChainJob) -> list[str]:
    """The contracts a job's transaction wrote to: an award (or a badge outside events) mints
    the badge, and its coins when it pays any; a card is issued; a use at a shop, or coins paid
    for a 結い, burns coins."""
    if job.kind in (JobKind.AWARD, JobKind.BADGE):
        return ["badge", "token"] if job.amount else ["badge"]
    if job.kind == JobKind.PROJECT_BADGE:
        return ["badge"]
    if job.kind in (JobKind.ISSUE_CARD, JobKind.REVOKE_CARD):
        return ["card"]
    return ["token"]
