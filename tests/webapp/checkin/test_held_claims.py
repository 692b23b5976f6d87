"""Late display-code claims (a screenshot passed on looks just like a scan kept offline) wait for
an organiser when the event asks for it, as it does by default when it has a secret word."""

from datetime import timedelta

from sqlalchemy import func, select

from webapp.checkin.models import Attendance, Claim
from webapp.core.db import utcnow
from webapp.events.services import set_secret_word
from webapp.ledger.services import get_balance
from webapp.membership.services import get_membership

from ...conftest import csrf_token, log_in
from .scans import code_for
from .test_services import decide


def yesterdays_event(make_event, **fields):
    return make_event(
        starts_at=utcnow() - timedelta(days=1, hours=2),
        ends_at=utcnow() - timedelta(days=1),
        **fields,
    )


def late_code(event):
    """The display code as it was shown during the event, a day ago."""
    return code_for(event, event.starts_at + timedelta(minutes=10))


def attendances(session) -> int:
    return session.scalar(select(func.count()).select_from(Attendance))


def test_a_late_claim_of_an_event_with_a_secret_word_waits_and_pays_nothing(
    session, member, make_event
):
    event = yesterdays_event(make_event, secret_word="ぶどう")
    assert event.hold_late_claims
    result = decide(session, member, late_code(event))
    assert (result.status, result.reason) == ("held", "awaiting_approval")
    assert "主催者" in result.message
    assert attendances(session) == 0
    assert get_balance(session, member).total == 0
    # Sending it again, or another screenshot, does not make a second one to decide.
    again = decide(session, member, late_code(event))
    assert (again.status, again.reason) == ("duplicate", "awaiting_approval")
    assert session.scalar(select(func.count()).where(Claim.status == "held")) == 1


def test_without_the_setting_a_late_claim_counts_at_once(session, member, make_event):
    event = yesterdays_event(make_event)
    assert not event.hold_late_claims
    assert decide(session, member, late_code(event)).status == "accepted"


def test_a_live_scan_is_never_held(session, member, make_event):
    event = make_event(secret_word="ぶどう")
    assert decide(session, member, code_for(event)).status == "accepted"


def test_setting_a_secret_word_later_turns_holding_on(session, member, make_event):
    event = yesterdays_event(make_event)
    set_secret_word(session, event, "ぶどう")
    session.commit()
    assert decide(session, member, late_code(event)).status == "held"


def organisers_desk(app, organiser, event):
    desk = app.test_client()
    log_in(desk, organiser.email)
    return desk, csrf_token(desk, f"/events/{event.id}")


def test_the_organiser_sees_a_held_claim_and_approving_it_checks_the_member_in(
    app, session, organiser, member, make_event
):
    event = yesterdays_event(make_event, secret_word="ぶどう", reward=7)
    held = decide(session, member, late_code(event))
    desk, token = organisers_desk(app, organiser, event)
    page = desk.get(f"/events/{event.id}").get_data(as_text=True)
    assert "確認を待っているチェックイン: 1" in page
    assert member.display_name in page
    answer = desk.post(
        f"/events/{event.id}/claims/{held.id}",
        data={"csrf_token": token, "decision": "approve"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"{member.display_name} さんをチェックインしました。" in answer
    session.expire_all()
    claim = session.get(Claim, held.id)
    assert (claim.status, claim.recorded_by_id) == ("accepted", organiser.id)
    assert attendances(session) == 1
    assert get_balance(session, member).total == 7
    # Decided once: a second post changes nothing.
    again = desk.post(
        f"/events/{event.id}/claims/{held.id}",
        data={"csrf_token": token, "decision": "refuse"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "このチェックインは、もう確認待ちではありません。" in again
    session.expire_all()
    assert session.get(Claim, held.id).status == "accepted"


def test_refusing_a_held_claim_records_nothing(app, session, organiser, member, make_event):
    event = yesterdays_event(make_event, secret_word="ぶどう")
    held = decide(session, member, late_code(event))
    desk, token = organisers_desk(app, organiser, event)
    desk.post(
        f"/events/{event.id}/claims/{held.id}", data={"csrf_token": token, "decision": "refuse"}
    )
    session.expire_all()
    claim = session.get(Claim, held.id)
    assert (claim.status, claim.reason) == ("rejected", "refused")
    assert attendances(session) == 0
    assert get_balance(session, member).total == 0


def test_approving_a_member_who_lost_the_card_meanwhile_is_refused(
    app, session, organiser, member, make_event
):
    event = yesterdays_event(make_event, secret_word="ぶどう")
    held = decide(session, member, late_code(event))
    get_membership(session, member).revoked_at = utcnow()  # until revoking has its own page
    session.commit()
    desk, token = organisers_desk(app, organiser, event)
    desk.post(
        f"/events/{event.id}/claims/{held.id}", data={"csrf_token": token, "decision": "approve"}
    )
    session.expire_all()
    assert session.get(Claim, held.id).reason == "not_a_member"
    assert attendances(session) == 0


def test_a_claim_of_another_event_cannot_be_decided_from_this_one(
    app, session, organiser, member, make_event
):
    event = yesterdays_event(make_event, secret_word="ぶどう")
    other = make_event(title="別の会")
    held = decide(session, member, late_code(event))
    desk, token = organisers_desk(app, organiser, other)
    desk.post(
        f"/events/{other.id}/claims/{held.id}", data={"csrf_token": token, "decision": "approve"}
    )
    session.expire_all()
    assert session.get(Claim, held.id).status == "held"


def test_the_organiser_can_switch_holding_off_only_without_a_secret_word(
    app, session, organiser, make_event
):
    plain, worded = make_event(), make_event(title="合言葉の会", secret_word="ぶどう")
    for event, expected in ((plain, True), (worded, True)):
        desk, token = organisers_desk(app, organiser, event)
        desk.post(f"/events/{event.id}/late-claims", data={"csrf_token": token, "hold": "1"})
        session.expire_all()
        assert session.get(type(event), event.id).hold_late_claims is expected
    for event, expected in ((plain, False), (worded, True)):
        desk, token = organisers_desk(app, organiser, event)
        desk.post(f"/events/{event.id}/late-claims", data={"csrf_token": token})
        session.expire_all()
        assert session.get(type(event), event.id).hold_late_claims is expected
