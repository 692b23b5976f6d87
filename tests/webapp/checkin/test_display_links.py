"""A venue tablet's display link: it shows one event's rotating code to whoever opens it and
nothing else; stopping it refuses the link and rotates the display key, while the printed
poster keeps working."""

from __future__ import annotations

import base64
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.accounts.models import Role
from webapp.checkin import codes
from webapp.checkin.display_links import create_display_link, stop_display_link
from webapp.checkin.models import DisplayLink
from webapp.checkin.services import ClaimInput, record_claim
from webapp.core.db import utcnow

from ...conftest import csrf_token, log_in

STOPPED = "この表示用リンクは止められました"


def display_key(event, version: int) -> str:
    key = codes.kind_key(event.secret, codes.KIND_DISPLAY, version)
    return base64.urlsafe_b64encode(key).rstrip(b"=").decode()


def page_key(html: str) -> str:
    return re.search(r'data-key="([^"]+)"', html).group(1)


def display_code(event, version: int, moment=None) -> str:
    slot = codes.slot_at(moment or utcnow())
    return codes.make_token(event.id, event.secret, slot, key_version=version)


def answer(session, member, code: str, *, scanned_at=None, offline=False):
    sent = ClaimInput(str(uuid.uuid4()), code, scanned_at or utcnow(), offline=offline)
    result = record_claim(session, member, sent, now=utcnow(), source="api")
    session.commit()
    return result


@pytest.fixture
def organiser_client(app, organiser):
    client = app.test_client()
    log_in(client, organiser.email)
    return client


def make_link(client, event, label: str = "受付のタブレット"):
    token = csrf_token(client, f"/events/{event.id}")
    return client.post(
        f"/events/{event.id}/display-links", data={"label": label, "csrf_token": token}
    )


def revoke(client, event, link_id: int):
    token = csrf_token(client, f"/events/{event.id}")
    return client.post(
        f"/events/{event.id}/display-links/{link_id}/revoke", data={"csrf_token": token}
    )


def test_an_organiser_makes_a_link_that_shows_the_code_to_anyone(
    app, session, organiser_client, make_event, member
):
    event = make_event()
    made = make_link(organiser_client, event)
    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    page = made.get_data(as_text=True)
    assert "受付のタブレット の表示用リンク" in page
    assert 'aria-label="受付のタブレット の表示用リンク"' in page  # its QR code
    url = re.search(r"<code data-display-link>([^<]+)</code>", page).group(1)
    path = url.removeprefix(app.config["BASE_URL"].rstrip("/"))
    assert re.fullmatch(r"/display/[A-Za-z0-9_-]{43}", path)
    # Only the token's hash is kept.
    stored = session.scalars(select(DisplayLink)).one()
    assert path.rsplit("/", 1)[1] not in (stored.token_hash, stored.label)

    tablet = app.test_client()  # nobody logged in
    shown = tablet.get(path)
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert event.title in html
    assert page_key(html) == display_key(event, 0)
    # The code the page shows first is one a member's check-in accepts.
    first = re.search(r"<code data-link>([^<]+)</code>", html).group(1)
    assert answer(session, member, first).status == "accepted"

    listed = organiser_client.get(f"/events/{event.id}?tab=settings").get_data(as_text=True)
    assert "受付のタブレット" in listed and "止める" in listed
    session.expire_all()
    assert stored.last_seen_at is not None  # the organiser sees the tablet in use


def test_the_link_page_is_private_unframed_and_kept_by_no_cache(app, session, make_event):
    event = make_event()
    link, token = create_display_link(session, event, event.organiser, "受付", utcnow())
    session.commit()
    headers = app.test_client().get(f"/display/{token}").headers
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"


def test_the_link_shows_nothing_else_and_logs_no_one_in(app, session, make_event):
    event = make_event()
    _, token = create_display_link(session, event, event.organiser, "受付", utcnow())
    session.commit()
    tablet = app.test_client()
    response = tablet.get(f"/display/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers  # no session starts on the tablet
    assert "csrf-token" not in html
    # No way off the page: no link to the event's pages, the menu or the login.
    assert re.findall(r'<a [^>]*href="(?!/static/)', html) == []
    for path in (
        f"/events/{event.id}",
        f"/events/{event.id}/display",
        f"/events/{event.id}/code",
        "/events",
        "/wallet",
    ):
        answer_ = tablet.get(path)
        assert answer_.status_code == 302, path
        assert answer_.headers["Location"].startswith("/login?next="), path


def test_a_stopped_link_is_refused_and_its_key_no_longer_counts(
    app, session, organiser_client, make_event, make_user
):
    event = make_event()
    link, token = create_display_link(session, event, event.organiser, "受付", utcnow())
    session.commit()
    old_code = display_code(event, 0)
    poster = codes.make_printed_token(event.id, event.secret)

    stopped = revoke(organiser_client, event, link.id)
    assert stopped.status_code == 302
    flashed = organiser_client.get(stopped.headers["Location"]).get_data(as_text=True)
    assert "受付 のリンクを止めました" in flashed and "止められました" not in flashed

    refused = app.test_client().get(f"/display/{token}")
    assert refused.status_code == 410
    html = refused.get_data(as_text=True)
    assert STOPPED in html
    assert "data-key" not in html and event.title not in html
    assert refused.headers["Cache-Control"] == "no-store"

    session.expire_all()
    assert event.display_key_version == 1
    first, second, third = (make_user(Role.MEMBER) for _ in range(3))
    refusal = answer(session, first, old_code)
    assert (refusal.status, refusal.reason) == ("rejected", "bad_signature")
    assert answer(session, second, display_code(event, 1)).status == "accepted"
    assert answer(session, third, poster).status == "accepted"  # printed posters still work
    # The organisers' own display shows the new key.
    display = organiser_client.get(f"/events/{event.id}/display").get_data(as_text=True)
    assert page_key(display) == display_key(event, 1)


def test_codes_scanned_before_the_stop_and_sent_later_are_refused(session, make_event, make_user):
    """The stopped tablet still holds the old key and could make any past slot's code, which
    a check-in cannot tell from a real offline scan: the old key's codes count no more."""
    event = make_event()
    link, _ = create_display_link(session, event, event.organiser, "受付", utcnow())
    session.commit()
    scanned_at = utcnow() - timedelta(minutes=20)
    code = display_code(event, 0, scanned_at)
    early, late = make_user(Role.MEMBER), make_user(Role.MEMBER)
    sent_before = answer(session, early, code, scanned_at=scanned_at, offline=True)
    assert sent_before.status == "accepted"  # an offline scan of a working display counts
    stop_display_link(session, link, event.organiser, utcnow())
    session.commit()
    result = answer(session, late, code, scanned_at=scanned_at, offline=True)
    assert (result.status, result.reason) == ("rejected", "bad_signature")


def test_stopping_a_link_twice_rotates_the_key_once(session, organiser_client, make_event):
    event = make_event()
    link, _ = create_display_link(session, event, event.organiser, "受付", utcnow())
    session.commit()
    revoke(organiser_client, event, link.id)
    again = revoke(organiser_client, event, link.id)
    assert "すでに止まっています" in organiser_client.get(again.headers["Location"]).get_data(
        as_text=True
    )
    session.expire_all()
    assert event.display_key_version == 1


def test_an_unknown_link_shows_nothing(app):
    response = app.test_client().get("/display/" + "A" * 43)
    assert response.status_code == 404
    assert "この表示用リンクはありません" in response.get_data(as_text=True)


def test_a_link_needs_a_name(session, organiser_client, make_event):
    event = make_event()
    response = make_link(organiser_client, event, label="  ")
    assert response.status_code == 302
    page = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "リンクに名前を付けてください" in page
    assert session.scalar(select(func.count()).select_from(DisplayLink)) == 0


def test_only_the_events_organisers_make_or_stop_its_links(app, session, make_event, make_user):
    event = make_event()
    link, token = create_display_link(session, event, event.organiser, "受付", utcnow())
    other_organiser = make_user(Role.ORGANISER, member=False)
    others_event = make_event(organiser=other_organiser, title="ほかのイベント")
    for person in (make_user(Role.MEMBER), other_organiser):
        client = app.test_client()
        log_in(client, person.email)
        token_ = csrf_token(client, "/wallet")
        made = client.post(
            f"/events/{event.id}/display-links", data={"label": "x", "csrf_token": token_}
        )
        stopped = client.post(
            f"/events/{event.id}/display-links/{link.id}/revoke", data={"csrf_token": token_}
        )
        assert (made.status_code, stopped.status_code) == (403, 403), person.email
    # Nor through an event of their own.
    client = app.test_client()
    log_in(client, other_organiser.email)
    sideways = client.post(
        f"/events/{others_event.id}/display-links/{link.id}/revoke",
        data={"csrf_token": csrf_token(client, "/wallet")},
    )
    assert sideways.status_code == 404

    session.expire_all()
    assert session.scalar(select(func.count()).select_from(DisplayLink)) == 1
    assert link.revoked_at is None and event.display_key_version == 0
    assert app.test_client().get(f"/display/{token}").status_code == 200
