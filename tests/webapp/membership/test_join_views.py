"""Joining at /join/<secret> on a phone: the page names who invited the person; choosing a
password joins, queues the 会員証 and opens the wallet logged in; a passkey goes on to the
passkey page; a link that no longer works gets a page that says why, never an error."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from webapp.accounts.invitations import accept_invitation, invite_again, invite_person
from webapp.accounts.models import AuditEntry, Role
from webapp.core.db import utcnow
from webapp.membership.services import get_membership

from ...conftest import PASSWORD, csrf_token, log_in

DAYS = timedelta(days=30)


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


@pytest.fixture
def invited(session, keyring, admin):
    made = invite_person(session, keyring, actor=admin, display_name="塩尻 一郎",
                         email="ichiro@example.org", cohort="第5期", now=utcnow(),
                         lifetime=DAYS)  # fmt: skip
    session.commit()
    return made


def form_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def join(client, secret, **fields):
    page = client.get(f"/join/{secret}").get_data(as_text=True)
    data = {"display_name": "いちろう", "way": "password", "password": "a long password"}
    data |= fields
    return client.post(f"/join/{secret}", data={**data, "csrf_token": form_token(page)})


def test_the_page_names_the_inviter_and_keeps_the_secret_private(client, invited, admin):
    answer = client.get(f"/join/{invited.secret}")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert f"{admin.display_name} さんから" in page and "塩尻 一郎" in page
    assert "パスキー" in page and "印刷したログインカード" in page
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Referrer-Policy"] == "no-referrer"


def test_choosing_a_password_joins_queues_the_card_and_opens_the_wallet(client, session, invited):
    answer = join(client, invited.secret)
    assert answer.status_code == 302 and answer.headers["Location"] == "/wallet"
    wallet = client.get("/wallet").get_data(as_text=True)
    assert "記録待ち" in wallet
    person = invited.person
    session.refresh(person)
    assert person.display_name == "いちろう" and person.joined_at is not None
    assert get_membership(session, person) is not None
    assert client.get(f"/join/{invited.secret}").status_code == 410  # used


def test_choosing_a_passkey_goes_on_to_the_passkey_page(client, session, invited):
    answer = join(client, invited.secret, way="passkey", password="")
    page = urlsplit(answer.headers["Location"])
    assert page.path == "/account/passkeys/new" and parse_qs(page.query) == {"next": ["/wallet"]}
    session.refresh(invited.person)
    assert invited.person.password_hash is None
    assert client.get("/wallet").status_code == 200  # logged in


def test_a_short_password_is_refused_and_nothing_is_used(client, session, invited):
    answer = join(client, invited.secret, password="short")
    assert answer.status_code == 400
    assert client.get(f"/join/{invited.secret}").status_code == 200


@pytest.mark.parametrize("case", ["forged", "expired", "used", "stopped"])
def test_a_link_that_no_longer_works_gets_a_page_that_says_why(
    client, session, keyring, admin, invited, case
):
    secret = invited.secret
    if case == "forged":
        secret = secret[:-2] + "xx"
    elif case == "expired":
        secret = invite_person(
            session,
            keyring,
            actor=admin,
            display_name="古い",
            email=None,
            cohort=None,
            now=utcnow() - DAYS * 2,
            lifetime=DAYS,
        ).secret
    elif case == "used":
        accept_invitation(session, secret, display_name="一郎", password=None, now=utcnow())
    else:
        invite_again(session, person=invited.person, actor=admin, now=utcnow(), lifetime=DAYS)
    session.commit()
    answer = client.get(f"/join/{secret}")
    page = answer.get_data(as_text=True)
    assert answer.status_code == (404 if case == "forged" else 410)
    assert "この招待は使えません" in page
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    if case != "forged":
        assert admin.display_name in page  # whom to ask


def test_the_request_log_never_holds_an_invitation_s_secret(app, invited):
    import logging

    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" %s %s',
        ("127.0.0.1", "now", f"GET /join/{invited.secret} HTTP/1.1", "200", "-"), None,
    )  # fmt: skip
    for log_filter in logging.getLogger("werkzeug").filters:
        log_filter.filter(record)
    assert invited.secret not in record.getMessage()
    assert "/join/…" in record.getMessage()
    # An error on the page is logged by the app with the page's path.
    error = logging.LogRecord(
        app.logger.name, logging.ERROR, __file__, 1, "Exception on %s [%s]",
        (f"/join/{invited.secret}", "POST"), None,
    )  # fmt: skip
    assert all(log_filter.filter(error) for log_filter in app.logger.filters)
    assert invited.secret not in error.getMessage()


def test_guessing_links_is_stopped_like_failed_logins(client, invited):
    answers = [client.get(f"/join/guess{n}").status_code for n in range(30)]
    assert answers == [404] * 30
    refused = client.get(f"/join/{invited.secret}")  # even a right one, for a while
    assert refused.status_code == 429


def test_choosing_a_printed_login_card_joins_without_a_password(client, session, invited):
    answer = join(client, invited.secret, way="card", password="")
    assert answer.headers["Location"] == "/wallet"
    wallet = client.get("/wallet").get_data(as_text=True)
    assert "ログインカードは事務局にお願いしてください" in wallet
    session.refresh(invited.person)
    assert invited.person.password_hash is None and invited.person.joined_at is not None


def test_a_way_that_is_not_offered_is_refused(client, invited):
    assert join(client, invited.secret, way="magic").status_code == 400
    assert join(client, invited.secret, way="password", password="").status_code == 400
    assert client.get(f"/join/{invited.secret}").status_code == 200  # still unused


def test_someone_given_a_card_before_joining_keeps_it(client, session, invited):
    from webapp.membership.services import issue_membership

    card = issue_membership(session, invited.person)
    session.commit()
    assert join(client, invited.secret).headers["Location"] == "/wallet"
    assert get_membership(session, invited.person).id == card.id


def test_without_an_e_mail_address_no_password_is_offered_nor_taken(
    app, client, session, keyring, admin
):
    # A password logs in with an e-mail address: chosen without one, it would lock them out.
    made = invite_person(session, keyring, actor=admin, display_name="奈良井 トメ", email=None,
                         cohort="第5期", now=utcnow(), lifetime=DAYS)  # fmt: skip
    session.commit()
    page = client.get(f"/join/{made.secret}").get_data(as_text=True)
    assert 'value="password"' not in page and 'value="card"' in page
    answer = join(client, made.secret, way="password", password="a long password")
    assert answer.status_code == 400
    session.refresh(made.person)
    assert made.person.joined_at is None and made.person.password_hash is None
    answer = join(client, made.secret, way="card", password="")
    assert answer.status_code == 302 and answer.location.endswith("/wallet")
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "invitation.accepted"))
    assert entry.subject_id == made.person.id and entry.detail == "login: card"
    # Until the office prints the card, their page says they cannot log in on a new phone.
    office = app.test_client()
    log_in(office, admin.email)
    page = office.get(f"/admin/members/{made.person.id}").get_data(as_text=True)
    assert 'data-testid="no-way-in"' in page
    token = csrf_token(office, f"/admin/members/{made.person.id}")
    office.post(f"/admin/members/{made.person.id}/login-card",
                data={"csrf_token": token, "password": PASSWORD})  # fmt: skip
    page = office.get(f"/admin/members/{made.person.id}").get_data(as_text=True)
    assert 'data-testid="no-way-in"' not in page


def test_a_term_that_has_ended_gives_no_lapsed_card_and_keeps_the_link(
    app, client, session, invited, admin
):
    app.config["MEMBERSHIP_TERM"] = "2020-03-31"  # the office forgot to set the new season
    answer = join(client, invited.secret)
    assert answer.status_code == 400
    assert f"{admin.display_name} さんに" in answer.get_data(as_text=True)
    session.refresh(invited.person)
    assert invited.person.joined_at is None
    assert get_membership(session, invited.person) is None
    assert client.get(f"/join/{invited.secret}").status_code == 200  # still usable


def test_where_one_lives_is_asked_at_joining_and_kept(client, session, invited):
    from webapp.profiles.models import Area
    from webapp.profiles.residence import residence_of

    page = client.get(f"/join/{invited.secret}").get_data(as_text=True)
    for area in ("city", "prefecture", "outside", "unknown"):
        assert f'data-testid="residence-{area}"' in page
    assert join(client, invited.secret, residence="prefecture").status_code == 302
    assert residence_of(session, invited.person.id) == Area.PREFECTURE


def test_joining_without_saying_where_one_lives_records_nothing(client, session, invited):
    from webapp.profiles.models import Residence

    assert join(client, invited.secret).status_code == 302
    assert session.scalars(select(Residence)).all() == []


def test_an_unknown_area_is_refused_and_nobody_joins(client, session, invited):
    from webapp.profiles.models import Residence

    assert join(client, invited.secret, residence="moon").status_code == 400
    session.refresh(invited.person)
    assert invited.person.joined_at is None
    assert session.scalars(select(Residence)).all() == []
