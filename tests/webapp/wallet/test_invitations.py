"""The wallet's invitations and the calendar: invited members see the event with the rule in
words and reply (a seat or the waiting list); others see the event and that it is not for them."""

from datetime import timedelta

import pytest

from webapp.core.db import utcnow

from ...conftest import csrf_token, log_in
from ..checkin.rules import invite


@pytest.fixture
def phone(app, member):
    client = app.test_client()
    log_in(client, member.email)
    return client


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def invitations(html: str) -> str:
    return html.split('id="invitations"', 1)[1].split("</section>", 1)[0]


def reply(client, event, *, cancel=False, back="wallet"):
    path = f"/calendar/{event.id}/rsvp" + ("/cancel" if cancel else "")
    data = {"csrf_token": csrf_token(client, "/wallet"), "back": back}
    return client.post(path, data=data, follow_redirects=True)


@pytest.fixture
def tomorrow(session, make_event):
    def make(title="特別見学会", **invitation):
        start = utcnow() + timedelta(days=1)
        event = make_event(title=title, starts_at=start, ends_at=start + timedelta(hours=2))
        invite(session, event, **invitation)
        return event

    return make


def test_an_invited_member_replies_from_the_wallet_and_the_last_seat_goes_to_the_waiting_list(
    app, phone, session, make_user, tomorrow
):
    event = tomorrow(audience="members", capacity=1, rsvp_open=True)
    listed = invitations(page(phone, "/wallet"))
    assert "特別見学会" in listed and 'data-testid="seats-left"' in listed
    answer = reply(phone, event)
    assert answer.status_code == 200
    listed = invitations(answer.get_data(as_text=True))
    assert 'data-testid="rsvp-state"' in listed and 'data-testid="rsvp-cancel"' in listed

    other = app.test_client()
    log_in(other, make_user().email)
    theirs = invitations(reply(other, event).get_data(as_text=True))
    assert "chip-wait" in theirs and " 1" in theirs  # first on the waiting list

    reply(phone, event, cancel=True)
    theirs = invitations(page(other, "/wallet"))
    assert "chip-ok" in theirs  # moved up by itself


def test_only_events_that_invite_the_member_are_listed(phone, session, tomorrow):
    tomorrow(title="常連の会", rule_badges=3, rule_days=90)
    tomorrow(title="会員の集い", audience="members")
    listed = invitations(page(phone, "/wallet"))
    assert "会員の集い" in listed and "常連の会" not in listed


def test_no_invitations_offer_one_next_step(phone):
    listed = invitations(page(phone, "/wallet"))
    assert 'class="empty"' in listed and 'href="/calendar"' in listed


def test_the_calendar_shows_an_event_the_member_is_not_invited_to_and_says_so(
    phone, session, tomorrow
):
    event = tomorrow(title="常連の会", rule_badges=3, rule_days=90, rsvp_open=True)
    assert "常連の会" in page(phone, "/calendar")
    shown = page(phone, f"/calendar/{event.id}")
    assert 'data-testid="not-invited"' in shown and "90" in shown
    assert f'/calendar/{event.id}/rsvp"' not in shown
    refused = reply(phone, event, back="event").get_data(as_text=True)
    assert "90" in refused and 'data-testid="rsvp-state"' not in refused


def test_the_calendar_page_takes_a_reply(phone, tomorrow):
    event = tomorrow(audience="members", capacity=10, rsvp_open=True)
    shown = reply(phone, event, back="event").get_data(as_text=True)
    assert 'data-testid="event-who"' in shown and 'data-testid="rsvp-state"' in shown
