"""Reconciliation: the ledger decides, the chain records; list every place they disagree."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from chain.client import ChainClient
from webapp.accounts.models import User
from webapp.checkin.models import Attendance
from webapp.ledger.models import LedgerEntry
from webapp.membership.models import Membership
from webapp.onchain.jobs import PROJECT_BADGE_BASE, YUI_BADGE_BASE, project_badge_token_id
from webapp.onchain.models import ChainJob, JobKind, JobStatus
from webapp.projects.models import ProjectBadge

# Jobs whose effect may be on chain and not yet seen as confirmed; a failed job's effect on
# chain is a difference like any other.
IN_FLIGHT = (JobStatus.PENDING, JobStatus.SENT)


@dataclass(frozen=True)
class Difference:
    what: str  # "tokens", "badge", "project badge", "community badge", "card" or "decision"
    address: str  # a member's; for a decision, the decision record's
    email: str | None
    ledger: int  # what the database says the chain should hold
    chain: int  # what the chain holds
    event_id: int | None = None
    proposal_id: int | None = None
    # A decision's results where both hold one that differs: "tally 2,1 digest 0x…" each.
    ledger_result: str | None = None
    chain_result: str | None = None
    project_id: int | None = None
    token_id: int | None = None  # a community badge's (a 結い's, a month's thanks)

    def describe(self) -> str:
        who = self.email or "(no account)"
        where = f" event {self.event_id}" if self.event_id is not None else ""
        if self.proposal_id is not None:
            where, who = f" proposal {self.proposal_id}", "(record)"
        if self.ledger_result is not None:
            return (
                f"{self.what}{where} {self.address} {who}: ledger {self.ledger_result}, "
                f"chain {self.chain_result}"
            )
        where += f" project {self.project_id}" if self.project_id is not None else ""
        where += f" token {self.token_id}" if self.token_id is not None else ""
        return f"{self.what}{where} {self.address} {who}: ledger {self.ledger}, chain {self.chain}"


def reconcile(session: Session, client: ChainClient) -> list[Difference]:
    """Compares what confirmed jobs put on chain with what the chain holds: token balances
    (also of addresses no account has), badges (events' and projects') and membership cards
    (also those on chain that no attendance, project badge, badge job or membership explains),
    and
    decisions (a result on chain that differs from the one queued, or that no decision job
    explains)."""
    differences: list[Difference] = []
    users = {u.id: u for u in session.scalars(select(User).where(User.address.is_not(None)))}
    by_address = {u.address.lower(): u for u in users.values()}

    confirmed_tokens: dict[int, int] = defaultdict(int)
    query = (
        select(LedgerEntry.user_id, LedgerEntry.amount)
        .join(ChainJob, LedgerEntry.chain_job_id == ChainJob.id)
        .where(ChainJob.status == JobStatus.CONFIRMED)
    )
    for user_id, amount in session.execute(query):
        confirmed_tokens[user_id] += amount
    # Every account, and every address the chain ever paid: tokens minted elsewhere show too.
    addresses = {u.address.lower(): u.address for u in users.values()}
    addresses |= {a.lower(): a for a in client.token_holders() if a.lower() not in addresses}
    for key, address in sorted(addresses.items()):
        user = by_address.get(key)
        expected = confirmed_tokens[user.id] if user else 0
        held = client.token_balance(address)
        if held != expected:
            email = user.email if user else None
            differences.append(Difference("tokens", address, email, expected, held))

    expected_badges = set()
    query = select(Attendance).join(ChainJob, Attendance.chain_job_id == ChainJob.id)
    for attendance in session.scalars(query.where(ChainJob.status == JobStatus.CONFIRMED)):
        user = users[attendance.user_id]
        expected_badges.add((user.address.lower(), attendance.event_id))
        held = client.badge_balance(user.address, attendance.event_id)
        if held != 1:
            differences.append(
                Difference("badge", user.address, user.email, 1, held, attendance.event_id)
            )
    in_flight = {
        (users[a.user_id].address.lower(), a.event_id)
        for a in session.scalars(query.where(ChainJob.status.in_(IN_FLIGHT)))
    }
    expected_projects, projects_in_flight = _project_badges(session, client, users, differences)
    expected_others, others_in_flight = _community_badges(session, client, users, differences)
    for address, token_id in client.awarded_badges():
        key = (address.lower(), token_id)
        user = by_address.get(address.lower())
        email = user.email if user else None
        if token_id >= YUI_BADGE_BASE:  # a 結い's, a month's thanks
            if key not in expected_others and key not in others_in_flight:
                differences.append(
                    Difference("community badge", address, email, 0, 1, token_id=token_id)
                )
        elif token_id >= PROJECT_BADGE_BASE:  # a project's contributor badge
            if key not in expected_projects and key not in projects_in_flight:
                project_id = token_id - PROJECT_BADGE_BASE
                differences.append(
                    Difference("project badge", address, email, 0, 1, project_id=project_id)
                )
        elif key not in expected_badges and key not in in_flight:
            differences.append(Difference("badge", address, email, 0, 1, token_id))

    query = select(Membership).join(ChainJob, Membership.chain_job_id == ChainJob.id)
    carded = set()
    for membership in session.scalars(query.where(ChainJob.status == JobStatus.CONFIRMED)):
        user = users[membership.user_id]
        carded.add(user.address.lower())
        # A lapsed card stays on chain; a revoked one is gone once its burn is confirmed (on
        # its way, either may be seen; a failed burn leaves a card that should not be there).
        burn = membership.revoke_job
        if burn is not None and burn.status in IN_FLIGHT:
            continue
        expected = 0 if membership.revoked_at is not None else 1
        held = 1 if client.has_card(user.address) else 0
        if held != expected:
            differences.append(Difference("card", user.address, user.email, expected, held))
    waiting = {
        users[m.user_id].address.lower()
        for m in session.scalars(query.where(ChainJob.status.in_(IN_FLIGHT)))
    }
    for address in sorted(client.card_holders()):
        if address.lower() not in carded and address.lower() not in waiting:
            user = by_address.get(address.lower())
            email = user.email if user else None
            differences.append(Difference("card", address, email, 0, 1))
    return differences + _decision_differences(session, client)


def _decision_differences(session: Session, client: ChainClient) -> list[Difference]:
    record = client.addresses.decision if client.addresses else None
    if record is None:  # not deployed here: nothing can be on it
        return []
    differences = []
    query = select(ChainJob).where(ChainJob.kind == JobKind.RECORD_DECISION)
    decision_jobs = {job.proposal_id: job for job in session.scalars(query)}
    for proposal_id, job in sorted(decision_jobs.items()):
        if job.status != JobStatus.CONFIRMED:
            continue
        on_chain = client.read_decision(proposal_id)
        if on_chain is None:
            differences.append(Difference("decision", record, None, 1, 0, proposal_id=proposal_id))
        elif (on_chain.tally, on_chain.digest) != (job.tally_counts, job.digest_bytes):
            differences.append(
                Difference(
                    "decision",
                    record,
                    None,
                    1,
                    1,
                    proposal_id=proposal_id,
                    ledger_result=_result(job.tally_counts, job.digest_bytes),
                    chain_result=_result(on_chain.tally, on_chain.digest),
                )
            )
    on_its_way = (*IN_FLIGHT, JobStatus.CONFIRMED)
    explained = {p for p, job in decision_jobs.items() if job.status in on_its_way}
    for proposal_id in client.recorded_decisions():
        if proposal_id not in explained:
            differences.append(Difference("decision", record, None, 0, 1, proposal_id=proposal_id))
    return differences


def _result(tally: tuple[int, ...], digest: bytes | None) -> str:
    return f"tally {','.join(map(str, tally))} digest 0x{(digest or b'').hex()}"


def _project_badges(
    session: Session, client: ChainClient, users: dict, differences: list[Difference]
) -> tuple[set, set]:
    """Checks each confirmed project badge is held; returns the (address, token id) pairs
    confirmed and those on their way, to explain what the chain holds."""
    query = select(ProjectBadge).join(ChainJob, ProjectBadge.chain_job_id == ChainJob.id)
    expected = set()
    for badge in session.scalars(query.where(ChainJob.status == JobStatus.CONFIRMED)):
        user = users[badge.user_id]
        token_id = project_badge_token_id(badge.project_id)
        expected.add((user.address.lower(), token_id))
        held = client.badge_balance(user.address, token_id)
        if held != 1:
            differences.append(
                Difference("project badge", user.address, user.email, 1, held,
                           project_id=badge.project_id)
            )  # fmt: skip
    in_flight = {
        (users[b.user_id].address.lower(), project_badge_token_id(b.project_id))
        for b in session.scalars(query.where(ChainJob.status.in_(IN_FLIGHT)))
    }
    return expected, in_flight


def _community_badges(
    session: Session, client: ChainClient, users: dict, differences: list[Difference]
) -> tuple[set, set]:
    """Checks each confirmed badge given outside events (kind badge: a 結い's, a month's
    thanks) is held; returns the (address, token id) pairs confirmed and those on their way.
    Their coins are the ledger's, compared with the tokens above."""
    query = select(ChainJob).where(ChainJob.kind == JobKind.BADGE)
    expected = set()
    for job in session.scalars(query.where(ChainJob.status == JobStatus.CONFIRMED)):
        expected.add((job.address.lower(), job.token_id))
        held = client.badge_balance(job.address, job.token_id)
        if held != 1:
            user = users.get(job.user_id)
            differences.append(
                Difference("community badge", job.address, user.email if user else None, 1,
                           held, token_id=job.token_id)
            )  # fmt: skip
    in_flight = {
        (job.address.lower(), job.token_id)
        for job in session.scalars(query.where(ChainJob.status.in_(IN_FLIGHT)))
    }
    return expected, in_flight
