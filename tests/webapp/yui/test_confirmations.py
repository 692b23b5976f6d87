"""Help confirmed face to face: who may scan whom, exactly once, and the coins a request
offered moved from the helped member to the helper on the ledger."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from webapp.accounts.models import Role, User
from webapp.ledger.models import LedgerEntry
from webapp.ledger.services import get_balance
from webapp.membership.services import get_membership
from webapp.onchain.jobs import yui_badge_token_id
from webapp.onchain.models import ChainJob, JobKind
from webapp.yui.confirmations import ConfirmationClaim, confirm_help, confirm_helps, helps_count
from webapp.yui.models import YuiConfirmation, YuiPost

from ..threads import run_together
from .confirm_world import NOW, SCANNED_AT, new_claim_id


def confirm(session, key, scanner, thread, card_text, claim_id=None):
    result = confirm_help(
        session, scanner=scanner, thread_id=thread.id, card_code=card_text,
        claim_id=claim_id or new_claim_id(), scanned_at=SCANNED_AT, card_key=key, now=NOW,
    )  # fmt: skip
    session.commit()
    return result


def confirmations(session) -> list[YuiConfirmation]:
    session.rollback()  # what other sessions committed since
    return list(session.scalars(select(YuiConfirmation)))


def balance(session, user) -> int:
    session.rollback()
    return get_balance(session, user).total


def test_the_helper_scans_the_helped_member_s_card_and_both_get_the_badge(
    session, key, card, make_user, make_thread
):
    helped, helper = make_user(), make_user()
    thread = make_thread(helped, helper)  # a request: its person is helped

    result = confirm(session, key, helper, thread, card(helped))

    assert (result.status, result.reason) == ("confirmed", None)
    assert result.message == "確認できました。結いバッジがおふたりに届きます。"
    [done] = confirmations(session)
    assert (done.helper_id, done.helped_id, done.scanned_by_id) == (helper.id, helped.id, helper.id)
    assert (done.scanned_at, done.confirmed_at, done.coins) == (SCANNED_AT, NOW, 0)
    badges = session.scalars(select(ChainJob).where(ChainJob.kind == JobKind.BADGE)).all()
    token_id = yui_badge_token_id(done.id)
    assert {(job.user_id, job.token_id, job.amount) for job in badges} == {
        (helper.id, token_id, 0),
        (helped.id, token_id, 0),
    }
    assert (done.token_id, {done.helper_job_id, done.helped_job_id}) == (
        token_id,
        {job.id for job in badges},
    )
    assert session.get(YuiPost, thread.post_id).closed_at == NOW  # the request is done
    assert helps_count(session, helper) == (1, 0)
    assert helps_count(session, helped) == (0, 1)


def test_either_side_may_scan_and_an_offer_s_person_is_the_helper(
    session, key, card, make_user, make_thread
):
    lender, borrower = make_user(), make_user()
    thread = make_thread(lender, borrower, kind="offer", category="tools")

    result = confirm(session, key, lender, thread, card(borrower))  # the post's person scans

    assert result.status == "confirmed"
    [done] = confirmations(session)
    assert (done.helper_id, done.helped_id) == (lender.id, borrower.id)
    assert session.get(YuiPost, thread.post_id).closed_at is None  # an offer stays open
    other = make_user()
    second = make_thread_on(session, thread.post, other)
    assert confirm(session, key, other, second, card(lender)).status == "confirmed"
    assert helps_count(session, lender) == (2, 0)


def make_thread_on(session, post, responder):
    from webapp.yui.services import open_thread

    thread = open_thread(session, post, responder, NOW)
    session.commit()
    return thread


def test_only_the_other_side_s_genuine_card_confirms(session, key, card, make_user, make_thread):
    helped, helper, stranger = make_user(), make_user(), make_user()
    thread = make_thread(helped, helper)

    def refused(scanner, text):
        result = confirm(session, key, scanner, thread, text)
        assert result.status == "refused"
        return result.reason

    assert refused(helper, card(helper)) == "own_card"
    assert refused(helper, card(stranger)) == "wrong_card"
    assert refused(helper, "ENISHI-M1-AAAAAAAAAAAAAAAAAAA") == "not_a_card"
    assert refused(helper, card(helped)[:-1] + "A") == "not_a_card"  # altered
    assert refused(helper, "https://example.org/c/abc") == "not_a_card"
    # Someone outside the thread cannot confirm it, even with a card of its people.
    assert refused(stranger, card(helped)) == "no_such_thread"
    assert confirmations(session) == []
    assert confirm(session, key, helped, thread, card(helper)).status == "confirmed"


def test_an_organiser_who_posted_for_a_member_scans_the_helper_s_card(
    session, key, card, make_user, make_thread
):
    no_phone, helper = make_user(), make_user()
    organiser = make_user(Role.ORGANISER)
    thread = make_thread(no_phone, helper, author=organiser)

    # The organiser stands on the side of the member they posted for.
    assert confirm(session, key, organiser, thread, card(no_phone)).reason == "wrong_card"
    assert confirm(session, key, organiser, thread, card(helper)).status == "confirmed"
    [done] = confirmations(session)
    assert (done.helper_id, done.helped_id, done.scanned_by_id) == (
        helper.id,
        no_phone.id,
        organiser.id,
    )


def test_the_helper_scans_the_printed_card_of_a_member_without_a_phone(
    session, key, card, make_user, make_thread
):
    no_phone, helper = make_user(), make_user()
    organiser = make_user(Role.ORGANISER)
    thread = make_thread(no_phone, helper, author=organiser)

    assert confirm(session, key, helper, thread, card(no_phone)).status == "confirmed"


def test_both_must_hold_a_valid_card_when_the_scan_arrives(
    session, key, card, make_user, make_thread
):
    helped, helper = make_user(), make_user()
    thread = make_thread(helped, helper)
    get_membership(session, helped).term_ends_at = NOW - timedelta(days=1)  # lapsed since
    session.commit()

    assert confirm(session, key, helper, thread, card(helped)).reason == "other_not_member"
    assert confirm(session, key, helped, thread, card(helper)).reason == "not_member"
    get_membership(session, helped).term_ends_at = None
    get_membership(session, helper).revoked_at = NOW - timedelta(hours=1)
    session.commit()
    assert confirm(session, key, helped, thread, card(helper)).reason == "other_not_member"
    assert confirmations(session) == []


def test_the_same_scan_sent_twice_and_a_second_scan_count_once(
    session, key, card, make_user, make_thread
):
    helped, helper = make_user(), make_user()
    thread = make_thread(helped, helper)
    claim_id = new_claim_id()

    first = confirm(session, key, helper, thread, card(helped), claim_id)
    again = confirm(session, key, helper, thread, card(helped), claim_id)
    other_side = confirm(session, key, helped, thread, card(helper))

    assert [first.status, again.status, other_side.status] == ["confirmed", "already", "already"]
    assert again.message == "この手助けはもう確認済みです。"
    assert len(confirmations(session)) == 1
    assert session.scalar(select(func.count()).select_from(ChainJob)) == 2 + 2  # cards + badges
    # The same scan id for another thread is not this confirmation.
    stranger = make_user()
    elsewhere = make_thread(stranger, helper)
    reused = confirm(session, key, helper, elsewhere, card(stranger), claim_id)
    assert (reused.status, reused.reason) == ("refused", "id_conflict")


def test_a_request_confirmed_with_one_neighbour_is_closed_to_the_others(
    session, key, card, make_user, make_thread
):
    helped, first, second = make_user(), make_user(), make_user()
    thread = make_thread(helped, first)
    other = make_thread_on(session, thread.post, second)

    assert confirm(session, key, first, thread, card(helped)).status == "confirmed"
    assert confirm(session, key, second, other, card(helped)).reason == "post_closed"


def test_the_coins_a_request_offered_move_from_the_helped_to_the_helper(
    session, key, card, make_user, make_thread, give
):
    helped, helper = make_user(), make_user()
    give(helped, 50)
    thread = make_thread(helped, helper, coins=20)
    assert balance(session, helped) == 30  # held while the request is open

    assert confirm(session, key, helper, thread, card(helped)).status == "confirmed"
    confirm(session, key, helper, thread, card(helped))  # and once more: nothing more moves

    assert balance(session, helped) == 30  # the hold became spent: not taken twice
    assert balance(session, helper) == 20
    [done] = confirmations(session)
    assert done.coins == 20
    helper_job = session.get(ChainJob, done.helper_job_id)
    burn_job = session.get(ChainJob, done.burn_job_id)
    assert (helper_job.amount, helper_job.user_id) == (20, helper.id)
    assert (burn_job.kind, burn_job.amount, burn_job.user_id, burn_job.token_id) == (
        JobKind.BURN,
        20,
        helped.id,
        done.token_id,
    )
    entries = session.execute(
        select(LedgerEntry.user_id, LedgerEntry.kind, LedgerEntry.amount, LedgerEntry.chain_job_id)
        .where(LedgerEntry.kind.in_(("hold", "yui")))
        .order_by(LedgerEntry.id)
    ).all()
    assert entries == [
        (helped.id, "hold", -20, burn_job.id),
        (helper.id, "yui", 20, helper_job.id),
    ]


def test_a_batch_answers_each_scan_in_order(session, key, card, make_user, make_thread):
    helped, helper = make_user(), make_user()
    thread = make_thread(helped, helper)
    claims = [
        ConfirmationClaim(new_claim_id(), thread.id, card(helper), SCANNED_AT),
        ConfirmationClaim(new_claim_id(), thread.id, card(helped), SCANNED_AT),
        ConfirmationClaim(new_claim_id(), thread.id, card(helped), SCANNED_AT),
    ]

    results = confirm_helps(session, helper, claims, card_key=key, now=NOW)

    assert [(r.claim_id, r.status) for r in results] == [
        (claims[0].claim_id, "refused"),
        (claims[1].claim_id, "confirmed"),
        (claims[2].claim_id, "already"),
    ]


def test_two_phones_confirming_one_thread_at_once_make_one_confirmation(
    app, session, key, card, make_user, make_thread, give
):
    helped, helper = make_user(), make_user()
    give(helped, 30)
    thread = make_thread(helped, helper, coins=30)
    thread_id = thread.id
    # Each phone scans the other's card; the helper's phone sends its scan twice at once.
    same_claim = new_claim_id()
    scans = [
        (helper.id, card(helped), same_claim),
        (helper.id, card(helped), same_claim),
        (helped.id, card(helper), new_claim_id()),
        (helped.id, card(helper), new_claim_id()),
    ]
    session.commit()

    def scan(s, n):
        scanner_id, text, claim_id = scans[n]
        result = confirm_help(
            s, scanner=s.get(User, scanner_id), thread_id=thread_id, card_code=text,
            claim_id=claim_id, scanned_at=SCANNED_AT, card_key=key, now=NOW,
        )  # fmt: skip
        return result.status

    results = run_together(app, 4, scan)

    assert sorted(results) == ["already", "already", "already", "confirmed"], results
    assert len(confirmations(session)) == 1
    assert balance(session, helper) == 30
    assert balance(session, helped) == 0
    burns = session.scalars(select(ChainJob).where(ChainJob.kind == JobKind.BURN)).all()
    assert len(burns) == 1


def test_the_unique_thread_is_the_backstop_when_a_read_misses_the_other_scan(
    session, key, card, make_user, make_thread, monkeypatch
):
    """Were the post's lock ever missed, the second insert fails on the unique thread: its
    savepoint is rolled back whole (no badge, no coins) and it answers "already"."""
    from webapp.yui import confirmations as module

    helper, helped = make_user(), make_user()
    thread = make_thread(helper, helped, kind="offer")  # an offer stays open once confirmed
    assert confirm(session, key, helped, thread, card(helper)).status == "confirmed"
    jobs_before = session.scalar(select(func.count()).select_from(ChainJob))
    real, calls = module._by_thread, []

    def first_read_misses(s, thread_id):
        calls.append(thread_id)
        return None if len(calls) == 1 else real(s, thread_id)

    monkeypatch.setattr(module, "_by_thread", first_read_misses)

    result = confirm(session, key, helper, thread, card(helped))

    assert (result.status, len(calls)) == ("already", 2)
    assert len(confirmations(session)) == 1
    assert session.scalar(select(func.count()).select_from(ChainJob)) == jobs_before
