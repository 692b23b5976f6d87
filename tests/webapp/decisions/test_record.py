"""A closed proposal on chain: its result is queued once, the worker writes it on the decision
record, and what the chain holds equals what the ballots give when counted and digested again;
a ballot changed behind the app's back shows as a mismatch."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from webapp.decisions import results
from webapp.decisions.models import Ballot
from webapp.decisions.record import chain_record, count_csv
from webapp.decisions.services import advance, ballots_csv, cast_vote
from webapp.onchain.jobs import get_decision_job
from webapp.onchain.models import JobKind, JobStatus

from ...conftest import log_in
from ..test_worker import work
from .conftest import DAY


def closed_proposal(session, propose, voters, opened_at, positions):
    proposal = propose(options=["春", "夏", "秋"])
    advance(session, proposal, opened_at + DAY)
    for voter, position in zip(voters, positions, strict=True):
        option = proposal.options[position - 1].id
        cast_vote(session, voter, proposal, option, now=opened_at + DAY * 1.5)
    advance(session, proposal, opened_at + 2 * DAY)
    session.commit()
    return proposal


def test_the_chain_holds_the_tally_and_digest_the_ballots_give(
    session, chain, propose, member, members, opened_at
):
    voters = [member, *members(3)]
    proposal = closed_proposal(session, propose, voters, opened_at, (2, 2, 1, 3))
    job = get_decision_job(session, proposal.id)
    assert (job.kind, job.status) == (JobKind.RECORD_DECISION, JobStatus.PENDING)
    assert chain.read_decision(proposal.id) is None

    work(session, chain)
    session.rollback()
    assert get_decision_job(session, proposal.id).status == JobStatus.CONFIRMED
    on_chain = chain.read_decision(proposal.id)
    csv = ballots_csv(session, proposal)
    assert on_chain.tally == count_csv(csv, 3) == (1, 2, 1) == tuple(proposal.tally)
    assert on_chain.digest == results.digest(csv) == proposal.ballots_digest

    record = chain_record(session, proposal, chain.read_decision)
    assert record.recorded and record.matches_chain and record.matches


def test_the_result_page_says_recorded_and_that_the_chain_agrees(
    app, client, session, chain, propose, member, members, opened_at, monkeypatch
):
    voters = [member, *members(1)]
    proposal = closed_proposal(session, propose, voters, opened_at, (1, 1))
    log_in(client, member.email)
    page = client.get(f"/decisions/{proposal.id}").get_data(as_text=True)
    assert "反映中" in page and "一致しています" in page

    work(session, chain)
    page = client.get(f"/decisions/{proposal.id}").get_data(as_text=True)
    assert "記録済み" in page
    assert "ブロックチェーンの記録と、いまの票の一覧が一致しています" in page
    # No hash on a member's page (the CSRF token in the head is random text: not looked at).
    assert "0x" not in page.split("</head>", 1)[1]

    # A ballot changed in the database behind the app's back: the check says so.
    session.execute(update(Ballot).where(Ballot.voter_id == member.id).values(
        option_id=proposal.options[1].id))  # fmt: skip
    session.commit()
    page = client.get(f"/decisions/{proposal.id}").get_data(as_text=True)
    assert "一致しません" in page


def test_a_node_that_cannot_be_read_leaves_the_check_to_the_close(
    session, chain, propose, member, opened_at
):
    proposal = closed_proposal(session, propose, [member], opened_at, (1,))
    work(session, chain)
    session.rollback()

    def down(proposal_id):
        raise ConnectionError("the node is down")

    record = chain_record(session, proposal, down)
    assert record.recorded and record.chain_unreadable and record.matches_chain is None
    assert record.matches  # the ballots still agree with the close


@pytest.mark.parametrize("label", ["二\n行", "段\u2028落", "次\x85行", "区\x1c切", 'a,"b"'])
def test_the_csv_is_counted_whatever_its_labels_hold(label):
    """A label the CSV must quote (even one with a line break of some kind, as older proposals
    may hold) is counted as one cell."""
    rows = [
        results.BallotRow(reference="AAAA-AAAA", position=2, label=label, via="phone"),
        results.BallotRow(reference="BBBB-BBBB", position=1, label="はい", via="meeting"),
    ]
    assert count_csv(results.ballots_csv(rows), 2) == (1, 1)


def test_the_csv_s_bytes_do_not_depend_on_the_order_of_its_rows():
    """Two voters whose 40-bit references happen to be equal: the CSV is the same whichever
    ballot the database gave first."""
    rows = [
        results.BallotRow(reference="AAAA-AAAA", position=2, label="反対", via="phone"),
        results.BallotRow(reference="AAAA-AAAA", position=1, label="賛成", via="meeting"),
    ]
    assert results.ballots_csv(rows) == results.ballots_csv(rows[::-1])
