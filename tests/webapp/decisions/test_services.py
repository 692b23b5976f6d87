"""A proposal's life, one card one vote: open, talk, the electorate at the start of voting,
votes and changed votes, the close by the rule (turnout, simple majority, tie), meeting votes,
the ballots' CSV and its digest, and what happens when two things happen at once."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from webapp.accounts.models import Role, User
from webapp.core.errors import DomainError
from webapp.decisions import results
from webapp.decisions.models import Ballot, Proposal, ProposalStatus
from webapp.decisions.services import (
    advance,
    advance_due,
    ballots_csv,
    cast_vote,
    count_votes,
    find_meeting_voter,
    get_ballot,
    in_electorate,
    list_proposals,
    open_proposal,
    record_meeting_vote,
    voter_reference,
)
from webapp.membership.cards import card_code, card_key
from webapp.membership.services import issue_membership, revoke_membership
from webapp.projects.models import Project, ProjectStatus
from webapp.projects.services import approve_project, propose_project

from ..threads import run_together
from .conftest import DAY

KEY = card_key("test secret")


def refused(code: str, call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    assert error.value.code == code
    return error.value


def start_voting(session, proposal, opened_at):
    advance(session, proposal, opened_at + DAY)
    session.commit()


def close(session, proposal, opened_at):
    advance(session, proposal, opened_at + 2 * DAY)
    session.commit()


def vote(session, voter, proposal, position, when):
    option = proposal.options[position - 1]
    ballot = cast_vote(session, voter, proposal, option.id, now=when)
    session.commit()
    return ballot


# -- the rule, table-driven -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "tally", "electorate", "status", "winner"),
    [
        ("yes_no", (1, 0), 10, "no_quorum", None),  # exactly 10%: not more than 10%
        ("yes_no", (2, 0), 10, "passed", 0),  # 20%
        ("yes_no", (6, 5), 100, "passed", 0),  # 11%: more than 10%
        ("yes_no", (5, 5), 100, "no_quorum", None),  # 10% exactly
        ("yes_no", (3, 4), 20, "rejected", 1),  # 反対 wins
        ("yes_no", (3, 3), 20, "tie", None),
        ("yes_no", (0, 0), 0, "no_quorum", None),  # nobody could vote
        ("choice", (5, 2, 1), 20, "passed", 0),  # 5 of 8: more than half
        ("choice", (4, 3, 1), 20, "rejected", None),  # 4 of 8: half is not a majority
        ("choice", (3, 3, 2), 20, "tie", None),
        ("choice", (1, 3, 3), 20, "tie", None),
        ("choice", (0, 0, 7), 20, "passed", 2),
    ],
)
def test_the_rule(kind, tally, electorate, status, winner):
    assert results.decide(kind, tally, electorate, 10) == results.Outcome(status, winner)


# -- the lifecycle --------------------------------------------------------------------------------


def test_a_proposal_opens_for_talk_then_voting_then_closes(session, propose, members, opened_at):
    proposal = propose()
    voters = members(3)
    assert proposal.status == ProposalStatus.DISCUSSION
    assert [option.label for option in proposal.options] == ["賛成", "反対"]
    assert proposal.min_turnout_percent == 10 and proposal.majority == "simple"
    refused("not_yet_voting", cast_vote, session, voters[0], proposal, proposal.options[0].id,
            now=opened_at + DAY / 2)  # fmt: skip

    start_voting(session, proposal, opened_at)
    assert proposal.status == ProposalStatus.VOTING
    assert proposal.electorate_size == 4  # the author and three more
    vote(session, voters[0], proposal, 1, opened_at + DAY * 1.1)
    vote(session, voters[1], proposal, 1, opened_at + DAY * 1.2)
    vote(session, voters[2], proposal, 2, opened_at + DAY * 1.3)
    assert count_votes(session, proposal) == (2, 1)

    close(session, proposal, opened_at)
    assert proposal.status == ProposalStatus.PASSED
    assert proposal.tally == [2, 1]
    assert proposal.closed_at == opened_at + 2 * DAY
    refused("closed", cast_vote, session, voters[0], proposal, proposal.options[1].id,
            now=opened_at + 3 * DAY)  # fmt: skip
    assert count_votes(session, proposal) == (2, 1)


def test_a_vote_can_be_changed_until_the_close_and_stays_one_ballot(
    session, propose, member, opened_at
):
    proposal = propose()
    start_voting(session, proposal, opened_at)
    first = vote(session, member, proposal, 1, opened_at + DAY * 1.1)
    second = vote(session, member, proposal, 2, opened_at + DAY * 1.5)
    assert second.id == first.id
    assert second.option.label == "反対"
    assert second.changed_at == opened_at + DAY * 1.5
    assert count_votes(session, proposal) == (0, 1)
    assert session.scalar(select(func.count()).select_from(Ballot)) == 1


def test_the_electorate_is_who_held_a_card_when_voting_started(
    session, propose, members, make_user, opened_at
):
    proposal = propose()
    (revoked_later,) = members(1)
    admin = make_user(Role.ADMIN, member=False)
    newcomer = make_user(member=False)
    no_card = make_user(member=False)
    start_voting(session, proposal, opened_at)
    revoke_membership(session, revoked_later, actor=admin, now=opened_at + DAY * 1.1)
    issue_membership(session, newcomer, opened_at + DAY * 1.1)
    session.commit()

    assert in_electorate(session, proposal, revoked_later)
    vote(session, revoked_later, proposal, 1, opened_at + DAY * 1.2)  # still votes
    refused("not_in_electorate", cast_vote, session, newcomer, proposal,
            proposal.options[0].id, now=opened_at + DAY * 1.2)  # fmt: skip
    refused("not_in_electorate", cast_vote, session, no_card, proposal,
            proposal.options[0].id, now=opened_at + DAY * 1.2)  # fmt: skip


def test_a_late_snapshot_counts_the_cards_of_the_starting_moment(
    session, propose, members, make_user, opened_at
):
    """The worker was down when voting started: the first look after it counts the cards as
    they were at the start, not as they are."""
    proposal = propose()
    (revoked,) = members(1)
    admin = make_user(Role.ADMIN, member=False)
    newcomer = make_user(member=False)
    revoke_membership(session, revoked, actor=admin, now=opened_at + DAY * 1.1)
    issue_membership(session, newcomer, opened_at + DAY * 1.1)
    session.commit()
    start_voting(session, proposal, opened_at + DAY * 0.2)
    assert in_electorate(session, proposal, revoked)
    assert not in_electorate(session, proposal, newcomer)


def test_the_snapshot_and_the_close_happen_once(session, propose, member, opened_at):
    proposal = propose()
    assert advance_due(session, opened_at + DAY) == 1
    assert advance_due(session, opened_at + DAY) == 0
    assert advance(session, proposal, opened_at + DAY * 1.5) is False
    assert proposal.electorate_size == 1
    vote(session, member, proposal, 1, opened_at + DAY * 1.5)
    assert advance_due(session, opened_at + 2 * DAY) == 1
    assert advance_due(session, opened_at + 3 * DAY) == 0
    assert proposal.status == ProposalStatus.PASSED  # 1 of 1 voted


def test_exactly_ten_percent_is_not_enough(session, propose, member, members, opened_at):
    proposal = propose()
    members(9)  # ten members in all
    start_voting(session, proposal, opened_at)
    assert proposal.electorate_size == 10
    vote(session, member, proposal, 1, opened_at + DAY * 1.5)
    close(session, proposal, opened_at)
    assert proposal.status == ProposalStatus.NO_QUORUM
    assert proposal.tally == [1, 0]


def test_more_than_ten_percent_and_a_majority_against_rejects(
    session, propose, member, members, opened_at
):
    proposal = propose()
    others = members(9)
    start_voting(session, proposal, opened_at)
    vote(session, member, proposal, 1, opened_at + DAY * 1.5)
    for voter in others[:2]:
        vote(session, voter, proposal, 2, opened_at + DAY * 1.5)
    close(session, proposal, opened_at)
    assert (proposal.status, proposal.tally) == (ProposalStatus.REJECTED, [1, 2])


def test_a_tie(session, propose, member, members, opened_at):
    proposal = propose()
    (other,) = members(1)
    start_voting(session, proposal, opened_at)
    vote(session, member, proposal, 1, opened_at + DAY * 1.5)
    vote(session, other, proposal, 2, opened_at + DAY * 1.5)
    close(session, proposal, opened_at)
    assert (proposal.status, proposal.tally) == (ProposalStatus.TIE, [1, 1])


def test_three_options(session, propose, member, members, opened_at):
    proposal = propose(options=["春", "夏", "秋", " "])
    assert [option.label for option in proposal.options] == ["春", "夏", "秋"]
    voters = [member, *members(4)]
    start_voting(session, proposal, opened_at)
    for voter, position in zip(voters, (2, 2, 2, 1, 3), strict=True):
        vote(session, voter, proposal, position, opened_at + DAY * 1.5)
    close(session, proposal, opened_at)
    assert (proposal.status, proposal.tally) == (ProposalStatus.PASSED, [1, 3, 1])


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"title": " "}, "bad_title"),
        ({"options": ["ひとつだけ"]}, "bad_options"),
        ({"options": ["同じ", "同じ"]}, "bad_options"),
        ({"options": [str(n) for n in range(11)]}, "bad_options"),
        ({"voting_days": 0}, "bad_period"),
        ({"discussion_days": -1}, "bad_period"),
        ({"title": "二行の\n題"}, "bad_title"),
        ({"title": "題\u2029名"}, "bad_title"),
        ({"options": ["はい", "い\x85いえ"]}, "bad_options"),
        ({"options": ["はい", "いい\x1cえ"]}, "bad_options"),
        ({"options": ["はい", "いい\u2028え"]}, "bad_options"),
        ({"options": ["はい", "い\u200bいえ"]}, "bad_options"),
    ],
)
def test_a_proposal_needs_a_title_options_and_periods(propose, fields, code):
    refused(code, propose, **fields)


def test_only_card_holders_open_proposals(propose, make_user):
    refused("not_a_member", propose, make_user(member=False))


def test_proposals_are_listed_open_first(session, propose, opened_at):
    decided = propose(title="決まったもの", discussion_days=0)
    close(session, decided, opened_at - DAY)  # ends a day after opening
    talking = propose(title="話し合い中")
    voting = propose(title="投票中", discussion_days=0)
    assert voting.status == ProposalStatus.VOTING  # no talk: voting starts at once
    assert [p.title for p in list_proposals(session)] == [voting.title, talking.title,
                                                          decided.title]  # fmt: skip


# -- a proposal to launch a project ---------------------------------------------------------------


@pytest.fixture
def waiting_project(session, member, opened_at):
    project = propose_project(session, member, title="竹あかり", purpose="", help_wanted="",
                              lead=member, now=opened_at)  # fmt: skip
    session.commit()
    return project


BY_PROPOSAL = {"approval_rule": "proposal"}


@pytest.mark.parametrize(("position", "status"), [(1, ProjectStatus.ACTIVE), (2, "declined")])
def test_a_project_proposal_activates_or_declines_the_project(
    session, propose, member, opened_at, position, status, waiting_project
):
    project = waiting_project
    proposal = propose(project=project, **BY_PROPOSAL)
    start_voting(session, proposal, opened_at)
    vote(session, member, proposal, position, opened_at + DAY * 1.5)
    close(session, proposal, opened_at)
    assert project.status == status
    refused("bad_project", propose, project=project, **BY_PROPOSAL)  # no longer waiting


def test_where_an_administrator_decides_no_proposal_can_start_a_project(propose, waiting_project):
    refused("not_by_proposal", propose, project=waiting_project)
    refused("not_by_proposal", propose, project=waiting_project, approval_rule="admin")


def test_only_the_lead_the_proposer_or_an_administrator_put_a_project_to_the_vote(
    session, propose, make_user, admin, waiting_project
):
    refused("not_the_lead", propose, make_user(), project=waiting_project, **BY_PROPOSAL)
    assert propose(admin, project=waiting_project, **BY_PROPOSAL).project_id == waiting_project.id


def test_a_project_is_put_to_the_vote_once_at_a_time(session, propose, waiting_project):
    propose(project=waiting_project, **BY_PROPOSAL)
    error = refused("already_proposed", propose, project=waiting_project, **BY_PROPOSAL)
    assert "投票" in str(error.message) or "vote" in str(error.message)


# -- meeting votes ---------------------------------------------------------------------------------


def test_a_meeting_vote_is_recorded_once_by_the_organiser(
    session, propose, member, organiser, opened_at
):
    proposal = propose()
    start_voting(session, proposal, opened_at)
    card = card_code(member.id, KEY)
    when = opened_at + DAY * 1.5
    found = find_meeting_voter(session, proposal, card=card, member_id=None, key=KEY)
    assert found is member
    ballot = record_meeting_vote(session, organiser, proposal, member, proposal.options[0].id,
                                 now=when)  # fmt: skip
    session.commit()
    assert (ballot.via, ballot.recorded_by_id) == ("meeting", organiser.id)

    # The same card again: no second ballot; the answer says what is recorded.
    error = refused("already_voted", record_meeting_vote, session, organiser, proposal, member,
                    proposal.options[1].id, now=when)  # fmt: skip
    assert "賛成" in str(error.message)
    session.rollback()
    # At the member's request, it is changed.
    record_meeting_vote(session, organiser, proposal, member, proposal.options[1].id, now=when,
                        change=True)  # fmt: skip
    session.commit()
    assert count_votes(session, proposal) == (0, 1)
    assert session.scalar(select(func.count()).select_from(Ballot)) == 1


def test_only_the_electorate_votes_at_a_meeting(session, propose, make_user, opened_at):
    proposal = propose()
    start_voting(session, proposal, opened_at)
    stranger = make_user(member=False)
    refused("not_in_electorate", find_meeting_voter, session, proposal,
            card=card_code(stranger.id, KEY), member_id=None, key=KEY)  # fmt: skip
    refused("not_a_card", find_meeting_voter, session, proposal,
            card=card_code(stranger.id, card_key("another")), member_id=None, key=KEY)  # fmt: skip


# -- the ballots' CSV and its digest ---------------------------------------------------------------


def test_the_csv_names_nobody_and_its_digest_is_kept_at_the_close(
    session, propose, member, members, organiser, opened_at
):
    proposal = propose(options=["春", "夏", "=秋"])
    voters = [member, *members(2)]
    start_voting(session, proposal, opened_at)
    vote(session, voters[0], proposal, 2, opened_at + DAY * 1.2)
    vote(session, voters[1], proposal, 3, opened_at + DAY * 1.3)
    record_meeting_vote(session, organiser, proposal, voters[2], proposal.options[1].id,
                        now=opened_at + DAY * 1.4)  # fmt: skip
    close(session, proposal, opened_at)

    data = ballots_csv(session, proposal)
    assert results.digest(data) == proposal.ballots_digest
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["voter", "option", "label", "via"]
    assert len(rows) == 4 and rows[1:] == sorted(rows[1:])
    mine = voter_reference(proposal, member.id)
    assert [row[1:4] for row in rows if row[0] == mine] == [["2", "夏", "phone"]]
    assert ["3", "'=秋", "phone"] in [row[1:4] for row in rows]  # kept as text for Excel
    assert [row[3] for row in rows[1:]].count("meeting") == 1
    text = data.decode("utf-8-sig")
    assert all(voter.display_name not in text and voter.email not in text for voter in voters)
    # Each proposal has its own references: a voter's rows cannot be linked across proposals.
    other = propose()
    assert voter_reference(other, member.id) != mine


# -- two things at once ---------------------------------------------------------------------------


def test_one_member_voting_twice_at_once_has_one_ballot(app, session, propose, member, opened_at):
    proposal = propose()
    start_voting(session, proposal, opened_at)
    ids = (proposal.id, member.id, [option.id for option in proposal.options])

    def tap(s, n):
        voter, proposal_ = s.get(User, ids[1]), s.get(Proposal, ids[0])
        return cast_vote(s, voter, proposal_, ids[2][n % 2], now=opened_at + DAY * 1.5).id

    outcome = run_together(app, 2, tap)
    assert all(isinstance(each, int) for each in outcome), outcome
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Ballot)) == 1


def test_two_organisers_recording_one_members_meeting_vote_at_once_make_one_ballot(
    app, session, propose, member, make_user, opened_at
):
    """Two organisers at one meeting scan the same member's card at once (one for 賛成, one
    for 反対): one ballot is recorded, and the other is told the vote is already recorded."""
    proposal = propose()
    start_voting(session, proposal, opened_at)
    desks = [make_user(Role.ORGANISER, member=False).id for _ in range(2)]
    ids = (proposal.id, member.id, [option.id for option in proposal.options])
    session.commit()  # no snapshot of ours outlives the threads

    def scan(s, n):
        organiser, voter = s.get(User, desks[n]), s.get(User, ids[1])
        return record_meeting_vote(s, organiser, s.get(Proposal, ids[0]), voter, ids[2][n],
                                   now=opened_at + DAY * 1.5).option_id  # fmt: skip

    outcome = run_together(app, 2, scan)
    refusals = [each for each in outcome if isinstance(each, Exception)]
    assert [getattr(each, "code", each) for each in refusals] == ["already_voted"], outcome
    (recorded,) = [each for each in outcome if not isinstance(each, Exception)]
    session.rollback()
    ballots = session.scalars(select(Ballot)).all()
    assert [(b.option_id, b.via) for b in ballots] == [(recorded, "meeting")]
    assert ballots[0].recorded_by_id == desks[outcome.index(recorded)]


def test_a_close_racing_a_vote_counts_it_or_refuses_it(app, session, propose, member, opened_at):
    proposal = propose()
    start_voting(session, proposal, opened_at)
    ids = (proposal.id, member.id, proposal.options[0].id)
    end = opened_at + 2 * DAY

    def work(s, n):
        proposal_ = s.get(Proposal, ids[0])
        if n == 0:
            return advance(s, proposal_, end)
        vote_at = end - DAY / 100  # sent just before the end
        return cast_vote(s, s.get(User, ids[1]), proposal_, ids[2], now=vote_at).id

    closed, voted = run_together(app, 2, work)
    assert closed is True
    session.rollback()
    proposal = session.get(Proposal, ids[0])
    session.refresh(proposal)
    ballots = session.scalar(select(func.count()).select_from(Ballot))
    if isinstance(voted, DomainError):
        assert voted.code == "closed" and ballots == 0 and proposal.tally == [0, 0]
    else:
        assert ballots == 1 and proposal.tally == [1, 0]
    assert get_ballot(session, proposal, member) is not None or ballots == 0


def test_the_worker_s_decisions_round_moves_proposals_on(app, session, member):
    from webapp.core.db import utcnow
    from webapp.decisions.services import open_proposal
    from webapp.onchain.jobs import get_decision_job
    from webapp.tasks import ROUNDS, decisions_round

    long_ago = utcnow() - 10 * DAY
    proposal = open_proposal(session, member, title="昔の提案", body="", discussion_days=1,
                             voting_days=1, min_turnout_percent=10, now=long_ago)  # fmt: skip
    # The card came after that voting started: nobody could vote, so too few voted.
    session.commit()
    proposal_id = proposal.id
    assert ROUNDS[0].run is decisions_round  # the first round: the snapshot comes first
    assert decisions_round(app, session) == 1
    session.commit()
    proposal = session.get(Proposal, proposal_id)
    session.refresh(proposal)
    assert (proposal.status, proposal.electorate_size) == (ProposalStatus.NO_QUORUM, 0)
    assert get_decision_job(session, proposal_id).tally == "0,0"


def test_a_project_an_administrator_approved_meanwhile_is_left_alone_at_the_close(
    session, propose, member, admin, opened_at, waiting_project
):
    proposal = propose(project=waiting_project, **BY_PROPOSAL)
    start_voting(session, proposal, opened_at)
    vote(session, member, proposal, 2, opened_at + DAY * 1.5)  # 反対: it would be declined
    approve_project(session, waiting_project, admin=admin, now=opened_at + DAY * 1.6)
    session.commit()
    # The closing session read the project before the approval (as a worker's round may have):
    # its copy still says "proposed"; the close must look again under the project's lock.
    assert waiting_project.status == ProjectStatus.ACTIVE
    set_committed_value(waiting_project, "status", ProjectStatus.PROPOSED)
    close(session, proposal, opened_at)
    assert proposal.status == ProposalStatus.REJECTED
    assert (waiting_project.status, waiting_project.approved_by_id) == ("active", admin.id)


def test_two_members_putting_one_project_to_the_vote_at_once_make_one_proposal(
    app, session, member, opened_at, waiting_project
):
    ids = (waiting_project.id, member.id)

    def put(s, n):
        return open_proposal(s, s.get(User, ids[1]), title=f"竹あかり {n}", body="",
                             discussion_days=1, voting_days=1, min_turnout_percent=10,
                             now=opened_at, project=s.get(Project, ids[0]),
                             approval_rule="proposal").id  # fmt: skip

    outcome = run_together(app, 2, put)
    assert sorted(type(each).__name__ for each in outcome) == ["DomainError", "int"], outcome
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Proposal)) == 1


def test_a_closed_account_votes_no_more(session, propose, member, organiser, opened_at):
    """In the electorate at the start, closed since: no vote on the phone nor at a meeting."""
    proposal = propose()
    start_voting(session, proposal, opened_at)
    assert in_electorate(session, proposal, member)
    member.closed_at = opened_at + DAY * 1.2
    session.commit()
    when = opened_at + DAY * 1.5
    refused("account_closed", vote, session, member, proposal, 1, when)
    session.rollback()
    refused("account_closed", find_meeting_voter, session, proposal, card=None,
            member_id=member.id, key=KEY)  # fmt: skip
    refused("account_closed", record_meeting_vote, session, organiser, proposal, member,
            proposal.options[0].id, now=when)  # fmt: skip
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Ballot)) == 0


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("10", 10), (" 0 ", 0), ("99", 99), (25, 25), ("100", None), ("-1", None), ("abc", None),
     ("", None), ("10.5", None), ("１０", None), (True, None)],
)  # fmt: skip
def test_the_minimum_turnout_is_a_whole_percentage_below_a_hundred(value, accepted):
    if accepted is None:
        with pytest.raises(ValueError, match="ENISHI_VOTE_MIN_TURNOUT_PERCENT"):
            results.check_min_turnout(value)
    else:
        assert results.check_min_turnout(value) == accepted


def test_a_mistyped_minimum_turnout_stops_the_start(tmp_path):
    from webapp import create_app

    from ...conftest import app_config

    with pytest.raises(ValueError, match="ENISHI_VOTE_MIN_TURNOUT_PERCENT: 'ten'"):
        create_app(app_config(tmp_path, None) | {"VOTE_MIN_TURNOUT_PERCENT": "ten"})
