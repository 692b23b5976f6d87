"""Events by invitation in the browser: an invited member finds the invitation on the wallet,
replies and sees 「参加予定」; a member the rule leaves out scans the code and is told the rule.
The wallet's invitations, the organiser's form and the desk's list of replies pass axe-core."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from webapp.accounts.services import get_user_by_email
from webapp.checkin import codes
from webapp.checkin.rsvps import set_event_invitation, take_seat
from webapp.core.db import mark_writing, utcnow
from webapp.events.services import InvitationSettings, create_event, set_invitation

from .conftest import axe_violations, log_in

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("ENISHI_SHOTS", "")) if os.environ.get("ENISHI_SHOTS") else None


def shot(page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def special_event(session, *, title, starts_in, **invitation):
    organiser = get_user_by_email(session, "organiser@example.org")
    start = utcnow() + starts_in
    event = create_event(
        session, organiser, title=title, venue="えんぱーく", reward=5,
        starts_at=start, ends_at=start + timedelta(hours=2),
    )  # fmt: skip
    set_invitation(session, event, InvitationSettings(audience="rule", **invitation))
    session.commit()
    return event


def test_an_invited_member_replies_on_the_wallet_and_sees_they_are_coming(
    live_server, page, session
):
    special_event(
        session, title="ワイナリー特別見学会", starts_in=timedelta(days=3),
        rule_card=True, rule_badges=3, rule_days=90, capacity=12, rsvp_open=True,
    )  # fmt: skip
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/wallet")
    invitation = page.get_by_test_id("invitation").filter(has_text="ワイナリー特別見学会")
    expect(invitation).to_contain_text("会員証をお持ちで、過去90日に3回以上参加した方")
    expect(invitation.get_by_test_id("seats-left")).to_have_text("残り 12 席")
    invitation.scroll_into_view_if_needed()
    shot(page, "wallet-invitation-390")
    assert axe_violations(page) == []
    invitation.get_by_role("button", name="参加を申し込む").click()
    page.wait_for_url(f"{live_server}/wallet#invitations")
    invitation = page.get_by_test_id("invitation").filter(has_text="ワイナリー特別見学会")
    expect(invitation.get_by_test_id("rsvp-state")).to_have_text("参加予定")
    button = invitation.get_by_role("button", name="申し込みを取り消す").bounding_box()
    assert button["height"] >= 44
    invitation.scroll_into_view_if_needed()
    shot(page, "wallet-invitation-going-390")
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 320, "height": 700})
    invitation.scroll_into_view_if_needed()
    shot(page, "wallet-invitation-going-320")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320


def test_a_member_the_rule_leaves_out_scans_and_is_told_the_rule(live_server, page, session):
    event = special_event(
        session, title="常連さんの夕べ", starts_in=-timedelta(minutes=10),
        rule_badges=10, rule_days=90,
    )  # fmt: skip
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/calendar/{event.id}")
    expect(page.get_by_test_id("not-invited")).to_be_visible()
    shot(page, "calendar-not-invited-390")
    assert axe_violations(page) == []
    page.goto(f"{live_server}/scan")
    token = codes.make_token(event.id, event.secret, codes.slot_at(utcnow()))
    page.get_by_label("または、QRコードの下に書かれたコードを入力").fill(token)
    page.get_by_role("button", name="このコードでチェックイン").click()
    expect(page.locator("[data-scan-status]")).to_contain_text("過去90日に10回以上参加した方")
    expect(page.locator("[data-results] [data-state=rejected]")).to_have_count(1)
    shot(page, "scan-not-invited-390")


def test_the_organisers_form_for_who_is_invited(live_server, browser, session):
    event = special_event(session, title="特別見学会", starts_in=timedelta(days=3), rule_card=True)
    page = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844}).new_page()
    log_in(page, live_server, "organiser@example.org")
    page.goto(f"{live_server}/events/{event.id}/invitation")
    assert axe_violations(page) == []
    shot(page, "invitation-form-390")
    page.get_by_label("参加回数（この回数以上）").fill("3")
    page.get_by_role("button", name="保存").click()  # days missing: refused, nothing saved
    expect(page.get_by_test_id("form-error")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("期間（過去この日数のうちに）").fill("90")
    page.get_by_label("席", exact=True).fill("20")
    page.get_by_label("参加の申し込みを受け付ける").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("invitation")).to_contain_text(
        "会員証をお持ちで、過去90日に3回以上参加した方"
    )
    page.get_by_role("link", name="受付").click()
    expect(page.get_by_test_id("rsvps")).to_be_visible()
    # Replies taken (one seat, so a waiting list too): the desk lists them, and passes axe-core.
    session.rollback()  # the page's writes came after our last read
    mark_writing()
    set_event_invitation(
        session, event, InvitationSettings(audience="rule", rule_card=True, capacity=1,
                                           rsvp_open=True), utcnow(),
    )  # fmt: skip
    for email in ("member@example.org", "daimon@example.org"):
        take_seat(session, get_user_by_email(session, email), event, utcnow())
    session.commit()
    page.reload()
    replies = page.get_by_test_id("rsvps")
    expect(replies).to_contain_text("参加予定：1 人（1 席中）。キャンセル待ち：1 人")
    expect(replies.get_by_role("listitem")).to_have_text(["塩尻 花子", "大門 さくら"])
    replies.scroll_into_view_if_needed()
    shot(page, "event-desk-rsvps-390")
    assert axe_violations(page) == []
