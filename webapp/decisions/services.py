"""Proposals and votes, one card one vote: the only writer of proposals, their options, their
electorates and their ballots.

A proposal's life: it opens for talk (`discussion`); at `voting_starts_at` the card holders of
that moment become its electorate (`voting`), each may vote once and change their vote until
`voting_ends_at`; then it closes by the rule copied when it opened (`results.decide`): passed,
rejected, no quorum or tie, with its tally and the digest of its ballots queued for the chain.

Time moves a proposal on in `advance`: the worker's decisions round calls it every tick, and
every page and vote calls it first, so a proposal is never seen in a phase it has left. It is
idempotent under concurrency: it locks the proposal row and looks again before it acts, and a
vote holds a share lock on the same row, so a close waits for a vote in flight (and counts
it), and a vote waiting for a close finds the proposal closed."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, and_, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.core.errors import DomainError, Forbidden, NotFound
from webapp.decisions import results
from webapp.decisions.models import (
    Ballot,
    BallotVia,
    Proposal,
    ProposalKind,
    ProposalOption,
    ProposalStatus,
    ProposalVoter,
)
from webapp.membership.cards import read_card_code
from webapp.membership.models import Membership
from webapp.membership.services import is_member
from webapp.onchain.jobs import queue_decision
from webapp.projects.models import Project, ProjectStatus
from webapp.projects.services import (
    APPROVAL_BY_PROPOSAL,
    activate_project,
    decline_project,
    lock_project,
)

MAX_TITLE_LENGTH = 200
MAX_LABEL_LENGTH = 100
MIN_OPTIONS, MAX_OPTIONS = 2, 10
MAX_DAYS = 60


# A yes/no proposal's options, in the community's language whatever the author's: the labels
# are part of the ballots' CSV, whose bytes the digest on chain covers.
YES_NO_OPTIONS = ("賛成", "反対")


def get_proposal(session: Session, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("no_such_proposal", _l("There is no such proposal."))
    return proposal


def open_proposal(
    session: Session,
    author: User,
    *,
    title: str,
    body: str,
    options: list[str] | None = None,
    discussion_days: int,
    voting_days: int,
    min_turnout_percent: int,
    now: datetime,
    project: Project | None = None,
    approval_rule: str | None = None,
) -> Proposal:
    """A member's proposal, open for talk for `discussion_days`, then for votes for
    `voting_days`. No options: a yes/no proposal (賛成 / 反対).

    With a `project`: the yes/no question whether that proposed project starts. Only where the
    community's rule (`approval_rule`, ENISHI_PROJECT_APPROVAL) is a proposal, only by the
    project's lead, its proposer or an administrator, and only once at a time: the check is
    made under the project's row lock."""
    title = title.strip()
    if not title or len(title) > MAX_TITLE_LENGTH:
        raise DomainError("bad_title", _l("Give the proposal a title of at most 200 characters."))
    if not _one_line(title):
        raise DomainError(
            "bad_title", _l("Write the title on one line, without special characters.")
        )
    if not is_member(session, author, now):
        raise DomainError(
            "not_a_member", _l("Only members with a membership card can make a proposal.")
        )
    labels = [label.strip() for label in options or [] if label.strip()]
    kind = ProposalKind.CHOICE if labels else ProposalKind.YES_NO
    labels = labels or list(YES_NO_OPTIONS)
    if not MIN_OPTIONS <= len(labels) <= MAX_OPTIONS or len(set(labels)) != len(labels):
        raise DomainError(
            "bad_options", _l("Give between 2 and 10 options, each different from the others.")
        )
    if any(len(label) > MAX_LABEL_LENGTH for label in labels):
        raise DomainError("bad_options", _l("An option may have at most 100 characters."))
    if not all(_one_line(label) for label in labels):
        raise DomainError(
            "bad_options", _l("Write each option on one line, without special characters.")
        )
    if not (0 <= discussion_days <= MAX_DAYS and 1 <= voting_days <= MAX_DAYS):
        raise DomainError("bad_period", _l("Talk may last 0 to 60 days, and voting 1 to 60 days."))
    if project is not None:
        _check_project_proposal(session, author, project, approval_rule, kind)
    starts = now + timedelta(days=discussion_days)
    proposal = Proposal(
        title=title,
        body=body.strip(),
        kind=kind,
        author_id=author.id,
        project_id=project.id if project else None,
        created_at=now,
        voting_starts_at=starts,
        voting_ends_at=starts + timedelta(days=voting_days),
        min_turnout_percent=min_turnout_percent,
        majority="simple",
        status=ProposalStatus.DISCUSSION,
    )
    session.add(proposal)
    session.flush()
    for position, label in enumerate(labels, start=1):
        session.add(ProposalOption(proposal_id=proposal.id, position=position, label=label))
    session.flush()
    advance(session, proposal, now)
    return proposal


def _check_project_proposal(
    session: Session, author: User, project: Project, approval_rule: str | None, kind: str
) -> None:
    if approval_rule != APPROVAL_BY_PROPOSAL:
        raise DomainError(
            "not_by_proposal",
            _l("In this community, an administrator decides whether a project starts."),
        )
    if author.id not in (project.lead_id, project.proposed_by_id) and not author.is_admin:
        raise Forbidden(
            "not_the_lead",
            _l("Only the project's lead or its proposer can put the project to the vote."),
        )
    lock_project(session, project)
    if project.status != ProjectStatus.PROPOSED or kind != ProposalKind.YES_NO:
        raise DomainError(
            "bad_project", _l("Only a project waiting for a decision can be put to a yes/no vote.")
        )
    pending = select(Proposal.id).where(
        Proposal.project_id == project.id,
        Proposal.status.in_([ProposalStatus.DISCUSSION, ProposalStatus.VOTING]),
    )
    if session.scalar(pending.limit(1)) is not None:
        raise DomainError(
            "already_proposed",
            _l("This project has already been put to the vote; see the proposals."),
        )


def _one_line(text: str) -> bool:
    """No control characters, line or paragraph separators (Unicode categories C*, Zl, Zp):
    a label is a cell of the ballots' CSV, whose bytes the chain's digest covers. The
    zero-width joiner alone is let through: emoji are made with it."""
    return not any(
        char != "\u200d" and unicodedata.category(char) in _NOT_IN_A_LINE for char in text
    )


_NOT_IN_A_LINE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


# -- time moves a proposal on ---------------------------------------------------------------------


def advance(session: Session, proposal: Proposal, now: datetime) -> bool:
    """Starts the voting (the electorate's snapshot) and closes the proposal when their times
    have come; whether it changed anything. Idempotent: safe from the worker and from any number
    of requests at once."""
    if not _due(proposal, now):
        return False
    _lock(session, proposal)
    changed = False
    if proposal.status == ProposalStatus.DISCUSSION and now >= proposal.voting_starts_at:
        _start_voting(session, proposal)
        changed = True
    if proposal.status == ProposalStatus.VOTING and now >= proposal.voting_ends_at:
        _close(session, proposal, now)
        changed = True
    return changed


def advance_due(session: Session, now: datetime) -> int:
    """The decisions round: every proposal whose voting should start or end by now."""
    due = select(Proposal).where(
        or_(
            and_(Proposal.status == ProposalStatus.DISCUSSION, Proposal.voting_starts_at <= now),
            and_(Proposal.status == ProposalStatus.VOTING, Proposal.voting_ends_at <= now),
        )
    )
    return sum(advance(session, proposal, now) for proposal in session.scalars(due).all())


def _due(proposal: Proposal, now: datetime) -> bool:
    return (proposal.status == ProposalStatus.DISCUSSION and now >= proposal.voting_starts_at) or (
        proposal.status == ProposalStatus.VOTING and now >= proposal.voting_ends_at
    )


def _lock(session: Session, proposal: Proposal, *, share: bool = False) -> None:
    query = (
        select(Proposal)
        .where(Proposal.id == proposal.id)
        .with_for_update(read=share)
        .execution_options(populate_existing=True)
    )
    # Fetched, not only run: the row's fresh values (another session may have just closed the
    # proposal) reach `proposal` as its row is read.
    session.execute(query).scalar_one()


def _start_voting(session: Session, proposal: Proposal) -> None:
    """The electorate: everyone whose card gave its rights at the moment voting started, judged
    by the cards' dates as they stand when the snapshot is taken. That is within seconds of the
    start: the worker's decisions round (the first of its rounds) takes it, and so does the
    first page, vote or meeting desk that looks at the proposal after its start (each calls
    `advance` first). A snapshot taken late (the worker down, nobody looking) may differ from an
    on-time one: a card renewed or reissued in between has dates that no longer say what they
    said at the start, and no history of them is kept."""
    start = proposal.voting_starts_at
    holders = (
        select(literal(proposal.id, Integer), Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(
            User.joined_at.is_not(None),
            or_(User.closed_at.is_(None), User.closed_at > start),
            Membership.issued_at <= start,
            or_(Membership.revoked_at.is_(None), Membership.revoked_at > start),
            or_(Membership.term_ends_at.is_(None), Membership.term_ends_at > start),
        )
    )
    session.execute(
        insert(ProposalVoter).from_select(
            [ProposalVoter.proposal_id, ProposalVoter.user_id], holders
        )
    )
    proposal.electorate_size = session.scalar(
        select(func.count()).where(ProposalVoter.proposal_id == proposal.id)
    )
    proposal.status = ProposalStatus.VOTING
    session.flush()


def _close(session: Session, proposal: Proposal, now: datetime) -> None:
    tally = count_votes(session, proposal)
    outcome = results.decide(
        proposal.kind, tally, proposal.electorate_size or 0, proposal.min_turnout_percent
    )
    proposal.tally = list(tally)
    proposal.ballots_digest = results.digest(ballots_csv(session, proposal))
    proposal.status = outcome.status
    proposal.closed_at = now
    session.flush()
    queue_decision(session, proposal_id=proposal.id, tally=tally, digest=proposal.ballots_digest)
    project = proposal.project
    if project is None:
        return
    # Locked and read again: an administrator who approved or declined it a moment ago (or
    # does so now) is not overwritten; a project no longer waiting is left as it is.
    lock_project(session, project)
    if project.status == ProjectStatus.PROPOSED:
        if outcome.status == ProposalStatus.PASSED:
            activate_project(session, project, now=now)
        else:
            decline_project(session, project, now=now)


# -- votes ---------------------------------------------------------------------------------------


def cast_vote(
    session: Session,
    voter: User,
    proposal: Proposal,
    option_id: int,
    *,
    now: datetime,
    recorded_by: User | None = None,
) -> Ballot:
    """`voter`'s vote (on their phone, or at a meeting when `recorded_by` an organiser): their
    one ballot, made or changed."""
    advance(session, proposal, now)
    _lock(session, proposal, share=True)
    if proposal.status == ProposalStatus.DISCUSSION:
        raise DomainError("not_yet_voting", _l("Voting on this proposal has not started yet."))
    if proposal.is_closed or now >= proposal.voting_ends_at:
        raise DomainError("closed", _l("Voting on this proposal has ended."))
    option = session.get(ProposalOption, option_id)
    if option is None or option.proposal_id != proposal.id:
        raise DomainError("no_such_option", _l("Choose one of the proposal's options."))
    # The voter's row in the electorate, locked: two votes of one person at once take turns.
    seat = select(ProposalVoter).where(
        ProposalVoter.proposal_id == proposal.id, ProposalVoter.user_id == voter.id
    )
    if session.execute(seat.with_for_update()).scalar_one_or_none() is None:
        raise DomainError(
            "not_in_electorate",
            _l("Only those who held a membership card when voting started can vote."),
        )
    _refuse_closed_account(voter)
    via = BallotVia.MEETING if recorded_by is not None else BallotVia.PHONE
    ballot = get_ballot(session, proposal, voter)
    if ballot is None:
        ballot = Ballot(proposal_id=proposal.id, voter_id=voter.id, cast_at=now)
        session.add(ballot)
    else:
        ballot.changed_at = now
    ballot.option_id = option.id
    ballot.via = via
    ballot.recorded_by_id = recorded_by.id if recorded_by is not None else None
    session.flush()
    return ballot


def _refuse_closed_account(voter: User) -> None:
    """A closed account votes no more, even if it was open when voting started."""
    if voter.closed_at is not None:
        raise DomainError(
            "account_closed",
            _l("%(name)s's account is closed: they cannot vote.", name=voter.display_name),
        )


def find_meeting_voter(
    session: Session, proposal: Proposal, *, card: str | None, member_id: int | None, key: bytes
) -> User:
    """The member an organiser found at a meeting, by their card's QR code or by name; only
    members of the electorate."""
    if card:
        member_id = read_card_code(card, key)
        refusal = NotFound("not_a_card", _l("This is not an Enishi member card."))
    else:
        refusal = NotFound("no_such_member", _l("There is no such member."))
    voter = session.get(User, member_id) if member_id is not None else None
    if voter is None:
        raise refusal
    _refuse_closed_account(voter)
    if not in_electorate(session, proposal, voter):
        raise DomainError(
            "not_in_electorate",
            _l(
                "%(name)s cannot vote on this proposal: they held no membership card when "
                "voting started.",
                name=voter.display_name,
            ),
        )
    return voter


def record_meeting_vote(
    session: Session,
    organiser: User,
    proposal: Proposal,
    voter: User,
    option_id: int,
    *,
    now: datetime,
    change: bool = False,
) -> Ballot:
    """A vote an organiser records at a meeting for a member without a phone: exactly once.
    A member who has voted already keeps their ballot unless they ask for it to be changed
    (`change`)."""
    advance(session, proposal, now)
    _lock(session, proposal, share=True)
    seat = select(ProposalVoter).where(
        ProposalVoter.proposal_id == proposal.id, ProposalVoter.user_id == voter.id
    )
    session.execute(seat.with_for_update()).scalar_one_or_none()
    existing = get_ballot(session, proposal, voter)
    if existing is not None and not change:
        raise DomainError(
            "already_voted",
            _l(
                "%(name)s's vote is already recorded (%(option)s).",
                name=voter.display_name,
                option=existing.option.label,
            ),
        )
    return cast_vote(session, voter, proposal, option_id, now=now, recorded_by=organiser)


# -- reads ---------------------------------------------------------------------------------------


def get_ballot(session: Session, proposal: Proposal, voter: User) -> Ballot | None:
    query = select(Ballot).where(Ballot.proposal_id == proposal.id, Ballot.voter_id == voter.id)
    return session.execute(query.execution_options(populate_existing=True)).scalar_one_or_none()


def in_electorate(session: Session, proposal: Proposal, user: User) -> bool:
    return session.get(ProposalVoter, (proposal.id, user.id)) is not None


def count_votes(session: Session, proposal: Proposal) -> tuple[int, ...]:
    """The ballots per option, in the options' order."""
    counts = dict(
        session.execute(
            select(Ballot.option_id, func.count())
            .where(Ballot.proposal_id == proposal.id)
            .group_by(Ballot.option_id)
        ).all()
    )
    return tuple(counts.get(option.id, 0) for option in proposal.options)


def list_proposals(session: Session) -> list[Proposal]:
    """Open proposals first (voting, then in discussion, soonest first), then the decided ones,
    the latest first."""
    open_ = session.scalars(
        select(Proposal)
        .where(Proposal.status.in_([ProposalStatus.VOTING, ProposalStatus.DISCUSSION]))
        .order_by(Proposal.status.desc(), Proposal.voting_ends_at, Proposal.id)
    ).all()
    closed = session.scalars(
        select(Proposal)
        .where(Proposal.status.not_in([ProposalStatus.VOTING, ProposalStatus.DISCUSSION]))
        .order_by(Proposal.closed_at.desc(), Proposal.id.desc())
    ).all()
    return [*open_, *closed]


def voter_reference(proposal: Proposal, user_id: int) -> str:
    return results.voter_reference(proposal.ballot_secret, user_id)


def ballots_csv(session: Session, proposal: Proposal) -> bytes:
    """The ballots as CSV: the export's bytes, and (at the close) what the digest covers."""
    query = (
        select(Ballot, ProposalOption)
        .join(ProposalOption, ProposalOption.id == Ballot.option_id)
        .where(Ballot.proposal_id == proposal.id)
    )
    rows = [
        results.BallotRow(
            reference=voter_reference(proposal, ballot.voter_id),
            position=option.position,
            label=option.label,
            via=ballot.via,
        )
        for ballot, option in session.execute(query)
    ]
    return results.ballots_csv(rows)
