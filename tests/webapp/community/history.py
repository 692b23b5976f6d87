"""A member's history written straight into the tables at fixed instants: the contribution's
tests read the past, which the domains' own verbs (deciding at `now`) would not write."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from webapp.checkin.models import Attendance, Claim
from webapp.decisions.models import Ballot, Proposal, ProposalOption
from webapp.ledger.models import LedgerEntry
from webapp.onchain.models import ChainJob
from webapp.perks.models import Partner, Perk, Redemption
from webapp.projects.models import Project, ProjectBadge, ProjectMember

_codes = itertools.count(100000)


def _job(session, kind: str, user) -> ChainJob:
    job = ChainJob(kind=kind, user_id=user.id, address=user.address)
    session.add(job)
    session.flush()
    return job


def attend(session, user, event, at: datetime, coins: int | None = None) -> Attendance:
    """`user` was at `event`, checked in at `at`; `coins`: the reward credited (none: held)."""
    claim = Claim(id=str(uuid.uuid4()), user_id=user.id, event_id=event.id, code="test",
                  scanned_at=at, received_at=at, source="api", status="accepted")  # fmt: skip
    session.add(claim)
    job = _job(session, "award", user)
    attendance = Attendance(user_id=user.id, event_id=event.id, claim_id=claim.id,
                            chain_job_id=job.id, checked_in_at=at)  # fmt: skip
    session.add(attendance)
    session.flush()
    if coins:
        session.add(LedgerEntry(user_id=user.id, amount=coins, kind="reward",
                                attendance_id=attendance.id, created_at=at))  # fmt: skip
    session.flush()
    return attendance


def launch(session, user, title: str, at: datetime, lead=None) -> Project:
    lead = lead or user
    project = Project(title=title, lead_id=lead.id, proposed_by_id=user.id, status="active",
                      created_at=at, activated_at=at)  # fmt: skip
    session.add(project)
    session.flush()
    session.add(ProjectMember(project_id=project.id, user_id=lead.id, joined_at=at))
    session.flush()
    return project


def join(session, user, project: Project, at: datetime) -> None:
    session.add(ProjectMember(project_id=project.id, user_id=user.id, joined_at=at))
    session.flush()


def badge(session, user, project: Project, at: datetime, by) -> None:
    job = _job(session, "project_badge", user)
    session.add(ProjectBadge(project_id=project.id, user_id=user.id, chain_job_id=job.id,
                             given_at=at, given_by_id=by.id))  # fmt: skip
    session.flush()


def proposal(session, author, title: str, at: datetime) -> Proposal:
    proposal = Proposal(title=title, author_id=author.id, created_at=at, voting_starts_at=at,
                        voting_ends_at=at + timedelta(days=7), min_turnout_percent=10,
                        status="voting")  # fmt: skip
    session.add(proposal)
    session.flush()
    for position, label in enumerate(["賛成", "反対"], 1):
        session.add(ProposalOption(proposal_id=proposal.id, position=position, label=label))
    session.flush()
    return proposal


def vote(session, user, proposal: Proposal, at: datetime, choice: int = 0) -> None:
    options = session.scalars(
        select(ProposalOption.id)
        .where(ProposalOption.proposal_id == proposal.id)
        .order_by(ProposalOption.position)
    ).all()
    ballot = Ballot(
        proposal_id=proposal.id, voter_id=user.id, option_id=options[choice], cast_at=at
    )
    session.add(ballot)
    session.flush()


def perk(session, shop: str, title: str, price: int) -> Perk:
    partner = Partner(name_ja=shop, name_en="", place="大門")
    session.add(partner)
    session.flush()
    perk = Perk(partner_id=partner.id, title_ja=title, title_en="", price=price, stock=None,
                limit_per_member=None)  # fmt: skip
    session.add(perk)
    session.flush()
    return perk


def use_perk(session, user, perk: Perk, at: datetime, status: str = "used") -> None:
    used = status == "used"
    session.add(Redemption(perk_id=perk.id, user_id=user.id, price=perk.price, status=status,
                           short_code=f"{next(_codes)}", created_at=at,
                           expires_at=at + timedelta(minutes=15), used_at=at if used else None,
                           ended_at=None if used else at))  # fmt: skip
    session.flush()
