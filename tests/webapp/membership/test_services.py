"""Issuing, renewing and revoking a 会員証: the refusals, the term, the audit rows, and the
card on the embedded chain through the worker's rounds."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.accounts.models import AuditEntry, Role
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.core.i18n import local_day, local_zone
from webapp.membership.services import (
    CardState,
    card_status,
    get_membership,
    is_member,
    issue_membership,
    renew_membership,
    revoke_membership,
)
from webapp.membership.terms import end_of
from webapp.onchain.jobs import retry_now, take_due_batches
from webapp.onchain.models import ChainJob, JobKind, JobStatus
from webapp.onchain.worker import TickResult, _send, settle
from webapp.reports.reconcile import reconcile

from ..test_worker import jobs, work


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, member=False)


def refused(code: str):
    return pytest.raises(DomainError, match=f"^{code}$")


def audit(session) -> list[tuple[str, int, str]]:
    session.expire_all()
    query = select(AuditEntry).order_by(AuditEntry.id)
    return [(e.action, e.subject_id, e.detail) for e in session.scalars(query)]


def test_revoking_or_renewing_someone_without_a_card_is_refused(session, make_user, admin):
    outsider = make_user(member=False)
    with refused("not_a_member"):
        revoke_membership(session, outsider, actor=admin, now=utcnow())
    with refused("not_a_member"):
        renew_membership(session, outsider, actor=admin, now=utcnow())
    assert audit(session) == []


def test_a_card_is_revoked_once(session, member, admin):
    revoke_membership(session, member, actor=admin, now=utcnow(), reason="moved away")
    session.commit()
    with refused("not_a_member"):
        revoke_membership(session, member, actor=admin, now=utcnow())
    assert audit(session) == [("membership.revoked", member.id, "moved away")]


def test_revoking_ends_the_rights_at_once(session, member, admin):
    now = utcnow()
    revoke_membership(session, member, actor=admin, now=now)
    assert not is_member(session, member, now)
    assert card_status(get_membership(session, member), now).state == CardState.REVOKED


def test_a_card_revoked_before_its_mint_was_sent_never_goes_on_chain(session, chain, member, admin):
    revoke_membership(session, member, actor=admin, now=utcnow())
    session.commit()
    (issue,) = jobs(session, user_id=member.id)
    assert (issue.kind, issue.status) == (JobKind.ISSUE_CARD, JobStatus.CANCELLED)
    work(session, chain)
    assert not chain.has_card(member.address)
    assert jobs(session, user_id=member.id, kind=JobKind.REVOKE_CARD) == []
    # Nothing to wait for: it may be given again at once, and then goes on chain.
    issue_membership(session, member, utcnow(), actor=admin)
    session.commit()
    work(session, chain)
    assert chain.has_card(member.address)
    assert reconcile(session, chain) == []


@pytest.mark.parametrize("chain_kind", ["embedded", "anvil"], indirect=True)
def test_a_card_on_chain_is_burned_and_given_again_only_once_the_burn_is_recorded(
    session, chain, member, admin
):
    work(session, chain)
    assert chain.has_card(member.address)
    first = get_membership(session, member).first_issued_at
    revoke_membership(session, member, actor=admin, now=utcnow(), reason="left")
    session.commit()
    assert card_status(get_membership(session, member), utcnow()).state == CardState.REVOKING
    with refused("burn_not_recorded"):
        issue_membership(session, member, utcnow(), actor=admin)
    with refused("burn_not_recorded"):
        renew_membership(session, member, actor=admin, now=utcnow())
    session.rollback()
    work(session, chain)
    (burn,) = jobs(session, user_id=member.id, kind=JobKind.REVOKE_CARD)
    assert burn.status == JobStatus.CONFIRMED and burn.tx_hash
    assert not chain.has_card(member.address)
    assert card_status(get_membership(session, member), utcnow()).state == CardState.REVOKED
    assert reconcile(session, chain) == []  # a revoked card whose burn is recorded: absent
    # Renewing a revoked card gives it again.
    renew_membership(session, member, actor=admin, now=utcnow())
    session.commit()
    assert is_member(session, member)
    work(session, chain)
    assert chain.has_card(member.address)
    assert reconcile(session, chain) == []
    assert [row[0] for row in audit(session)] == ["membership.revoked", "membership.issued"]
    # The first card's date stays: the community counts the member as new once.
    again = get_membership(session, member)
    assert again.first_issued_at == first < again.issued_at


def test_a_burn_already_on_chain_is_confirmed_with_its_real_transaction(
    session, chain, member, admin
):
    """The worker's earlier send whose answer was lost: the card is gone already."""
    work(session, chain)
    revoke_membership(session, member, actor=admin, now=utcnow())
    session.commit()
    signed = chain.sign(chain.card_revocation_transaction(member.address), chain.next_nonce())
    chain.send(signed)
    chain.w3.eth.wait_for_transaction_receipt(signed.hash, timeout=30)
    work(session, chain)
    (burn,) = jobs(session, user_id=member.id, kind=JobKind.REVOKE_CARD)
    assert (burn.status, burn.tx_hash) == (JobStatus.CONFIRMED, signed.hash)


def test_a_burn_waits_for_a_mint_sent_but_not_yet_confirmed(session, chain, member, admin):
    (batch,) = take_due_batches(session, utcnow(), 10)
    session.commit()
    _send(session, chain, batch, TickResult())  # sent; not yet settled
    assert jobs(session, user_id=member.id)[0].status == JobStatus.SENT
    revoke_membership(session, member, actor=admin, now=utcnow())
    session.commit()
    (burn,) = jobs(session, user_id=member.id, kind=JobKind.REVOKE_CARD)
    assert take_due_batches(session, utcnow(), 10) == []  # the mint goes first
    session.rollback()
    settle(session, chain, TickResult())
    work(session, chain)
    assert session.get(ChainJob, burn.id).status == JobStatus.CONFIRMED
    assert not chain.has_card(member.address)


def test_a_card_lapses_exactly_at_the_end_of_its_term(app, session, make_user, admin):
    app.config["MEMBERSHIP_TERM"] = "30d"
    user = make_user(member=False)
    now = utcnow()
    membership = issue_membership(session, user, now, actor=admin)
    ends = membership.term_ends_at
    assert timedelta(days=29) < ends - now <= timedelta(days=30)
    assert is_member(session, user, ends - timedelta(microseconds=1))
    assert not is_member(session, user, ends)
    assert card_status(membership, ends).state == CardState.LAPSED
    assert card_status(membership, now).expiring
    assert not card_status(membership, now).may_issue_again


def test_a_renewal_adds_a_term_to_the_end_or_from_now_once_lapsed(app, session, member, admin):
    app.config["MEMBERSHIP_TERM"] = "30d"
    now = utcnow()
    membership = get_membership(session, member)
    ends = end_of(local_day(now) + timedelta(days=3), local_zone())
    membership.term_ends_at = ends
    renew_membership(session, member, actor=admin, now=now)
    assert membership.term_ends_at == ends + timedelta(days=30)  # none of the 3 days lost
    lapsed_at = membership.term_ends_at + timedelta(days=10)
    assert not is_member(session, member, lapsed_at)
    renew_membership(session, member, actor=admin, now=lapsed_at)
    assert is_member(session, member, lapsed_at)
    assert timedelta(days=29) < membership.term_ends_at - lapsed_at <= timedelta(days=30)
    assert [row[0] for row in audit(session)] == ["membership.renewed", "membership.renewed"]


def test_a_card_without_an_end_has_nothing_to_renew(session, member, admin):
    with refused("no_term"):
        renew_membership(session, member, actor=admin, now=utcnow())


def test_an_administrator_gives_a_card_once(session, make_user, admin):
    user = make_user(member=False)
    issue_membership(session, user, utcnow(), actor=admin)
    with refused("already_a_member"):
        issue_membership(session, user, utcnow(), actor=admin)
    assert audit(session) == [("membership.issued", user.id, "")]


def test_a_lapsed_card_stays_on_chain(app, session, chain, member, admin):
    work(session, chain)
    get_membership(session, member).term_ends_at = utcnow() - timedelta(days=1)
    session.commit()
    assert not is_member(session, member)
    assert chain.has_card(member.address)
    assert reconcile(session, chain) == []


def test_a_mint_a_worker_has_taken_but_not_sent_is_cancelled_and_left_alone(
    session, chain, member, admin
):
    (batch,) = take_due_batches(session, utcnow(), 10)
    session.commit()
    revoke_membership(session, member, actor=admin, now=utcnow())
    session.commit()
    result = TickResult()
    _send(session, chain, batch, result)  # the worker finds its lease gone
    assert result.sent_transactions == 0
    (issue,) = jobs(session, user_id=member.id)
    assert issue.status == JobStatus.CANCELLED
    work(session, chain)
    assert not chain.has_card(member.address)


def test_reconcile_waits_for_a_burn_on_its_way_and_reports_one_that_failed(
    session, chain, member, admin
):
    work(session, chain)
    revoke_membership(session, member, actor=admin, now=utcnow())
    session.commit()
    assert reconcile(session, chain) == []  # on its way: the card may still be there
    (burn,) = jobs(session, user_id=member.id, kind=JobKind.REVOKE_CARD)
    burn.status = JobStatus.FAILED
    session.commit()
    differences = [(d.what, d.email, d.ledger, d.chain) for d in reconcile(session, chain)]
    assert differences == [("card", member.email, 0, 1)]


def test_a_mint_given_up_is_cancelled_by_a_revocation_and_never_retried(session, member, admin):
    (issue,) = jobs(session, user_id=member.id)
    issue.status, issue.sent_at = JobStatus.FAILED, utcnow()  # sent, reverted, given up
    session.commit()
    revoke_membership(session, member, actor=admin, now=utcnow())
    session.commit()
    assert session.get(ChainJob, issue.id).status == JobStatus.CANCELLED
    assert jobs(session, user_id=member.id, kind=JobKind.REVOKE_CARD) == []
    assert retry_now(session, utcnow()) == 0


def test_retrying_failed_jobs_does_not_mint_a_card_taken_back_meanwhile(session, member, admin):
    (issue,) = jobs(session, user_id=member.id)
    issue.sent_at = utcnow()  # sent: the burn must wait for it
    session.commit()
    revoke_membership(session, member, actor=admin, now=utcnow())
    issue.status = JobStatus.FAILED  # then its mint reverted for good
    session.commit()
    retry_now(session, utcnow())
    session.commit()
    assert session.get(ChainJob, issue.id).status == JobStatus.FAILED
    (burn,) = jobs(session, user_id=member.id, kind=JobKind.REVOKE_CARD)
    assert burn.status == JobStatus.PENDING
