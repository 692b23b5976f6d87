import re

import pytest
from sqlalchemy import select

from webapp.accounts.models import Role
from webapp.checkin.display_links import create_display_link
from webapp.core.db import utcnow
from webapp.events.models import Event
from webapp.events.services import add_co_organiser

from ...conftest import csrf_token, log_in, submit_event_form


@pytest.fixture
def event(make_event):
    return make_event(title="ぶどう収穫祭")


@pytest.fixture
def co_organisers(session, make_user, organiser, event):
    """Two organisers added to the event: the first to act, the second to be removed."""
    people = [make_user(Role.ORGANISER), make_user(Role.ORGANISER)]
    for person in people:
        add_co_organiser(session, event, organiser, person.email)
    session.commit()
    return people


# Every route that shows or changes an event's codes, lists or organisers.
ORGANISER_ROUTES = [
    ("GET", "/events/{id}"),
    ("GET", "/events/{id}/display"),
    ("GET", "/events/{id}/code"),
    ("GET", "/events/{id}/count"),
    ("GET", "/events/{id}/activity"),
    ("GET", "/events/{id}/attendance.csv"),
    ("GET", "/events/{id}/rejected.csv"),
    ("GET", "/events/{id}/poster.pdf"),
    ("POST", "/events/{id}/word"),
    ("POST", "/events/{id}/late-claims"),
    ("POST", "/events/{id}/claims/<claim_id>"),
    ("GET", "/events/{id}/checkin"),
    ("POST", "/events/{id}/checkin"),
    ("POST", "/events/{id}/organisers"),
    ("POST", "/events/{id}/organisers/{other}/remove"),
    ("POST", "/events/{id}/display-links"),
    ("POST", "/events/{id}/display-links/{link}/revoke"),
    ("GET", "/events/{id}/invitation"),
    ("POST", "/events/{id}/invitation"),
]


def test_the_table_names_every_route_of_an_event(app):
    """A new route of an event must join the table (and so the tests below)."""
    routes = {
        (method, _placeholders(rule.rule))
        for rule in app.url_map.iter_rules()
        if "event_id" in rule.arguments and rule.rule.startswith("/events/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == set(ORGANISER_ROUTES)


def _placeholders(rule: str) -> str:
    for name, placeholder in (("event_id", "id"), ("user_id", "other"), ("link_id", "link")):
        rule = rule.replace(f"<int:{name}>", f"{{{placeholder}}}")
    return rule


@pytest.fixture
def display_link(session, organiser, event):
    link, _ = create_display_link(session, event, organiser, "受付のタブレット", utcnow())
    session.commit()
    return link


def request_route(client, method: str, route: str, event, co_organisers, display_link):
    path = route.format(id=event.id, other=co_organisers[1].id, link=display_link.id)
    if method == "GET":
        return client.get(path)
    data = {"csrf_token": csrf_token(client, "/wallet"), "email": co_organisers[0].email}
    data.update(audience="members", project="0", rule_project="0")  # who is invited: as now
    return client.post(path, data=data)


@pytest.mark.parametrize(("method", "route"), ORGANISER_ROUTES)
@pytest.mark.parametrize("who", ["creator", "co-organiser", "admin"])
def test_the_events_organisers_use_its_pages(
    client, make_user, organiser, event, co_organisers, display_link, method, route, who
):
    user = {"creator": organiser, "co-organiser": co_organisers[0]}.get(who) or make_user(
        Role.ADMIN
    )
    log_in(client, user.email)
    response = request_route(client, method, route, event, co_organisers, display_link)
    assert response.status_code == (200 if method == "GET" else 302)


@pytest.mark.parametrize(("method", "route"), ORGANISER_ROUTES)
@pytest.mark.parametrize("who", ["member", "other organiser"])
def test_nobody_else_uses_an_events_pages(
    client, session, make_user, event, co_organisers, display_link, method, route, who
):
    intruder = make_user(Role.MEMBER) if who == "member" else make_user(Role.ORGANISER)
    log_in(client, intruder.email)
    response = request_route(client, method, route, event, co_organisers, display_link)
    assert response.status_code == 403
    assert event.title not in response.get_data(as_text=True)
    session.expire_all()
    assert [p.id for p in event.co_organisers] == sorted(p.id for p in co_organisers)
    assert display_link.revoked_at is None and event.display_key_version == 0


def test_an_admin_sees_every_event(client, make_user, event):
    log_in(client, make_user(Role.ADMIN).email)
    assert client.get(f"/events/{event.id}").status_code == 200


def test_logged_out_visitors_are_sent_to_login(client, event):
    response = client.get(f"/events/{event.id}/display")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_display_page_shows_a_qr_and_the_link_written_out(client, organiser, event):
    log_in(client, organiser.email)
    page = client.get(f"/events/{event.id}/display").get_data(as_text=True)
    assert re.search(r'<svg role="img" aria-label="[^"]*ぶどう収穫祭', page)
    assert re.search(r"<code data-link>http://localhost/c/[\w-]{27}</code>", page)
    assert "kiosk.js" in page


def test_the_code_endpoint_gives_the_current_code_and_when_it_changes(client, organiser, event):
    log_in(client, organiser.email)
    code = client.get(f"/events/{event.id}/code").get_json()
    assert code["url"] == f"http://localhost/c/{code['token']}"
    assert code["svg"].startswith("<svg")
    assert 0 < code["refresh_in_ms"] <= 30_000


def test_creating_an_event_with_bad_times_says_what_is_wrong(client, organiser):
    log_in(client, organiser.email)
    response = submit_event_form(
        client, title="逆さまの会", venue="公民館",
        starts_at="2026-12-10T18:00", ends_at="2026-12-10T09:00", reward="5",
    )  # fmt: skip
    assert response.status_code == 400
    assert "終了は開始より後にしてください" in response.get_data(as_text=True)


def test_members_cannot_create_events(client, member):
    log_in(client, member.email)
    assert client.get("/events/new").status_code == 403


def test_event_times_are_entered_and_shown_in_japan_time(client, organiser, session):
    log_in(client, organiser.email)
    response = submit_event_form(
        client, title="朝市", venue="大門商店街",
        starts_at="2026-12-10T09:00", ends_at="2026-12-10T12:00", reward="0",
    )  # fmt: skip
    assert response.status_code == 302
    event = session.scalars(select(Event).where(Event.title == "朝市")).one()
    assert event.starts_at.isoformat() == "2026-12-10T00:00:00+00:00"  # 09:00 JST
    assert "9:00" in client.get(response.headers["Location"]).get_data(as_text=True)
