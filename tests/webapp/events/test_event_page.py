"""An event's page in its three tabs (受付, 参加者, 設定), each a link that works without a
script, whose forms still post and come back to their tab; and the display's live count."""

from __future__ import annotations

import re
import uuid

import pytest

from webapp.accounts.models import Role
from webapp.checkin.display_links import create_display_link, stop_display_link
from webapp.checkin.services import ClaimInput, record_claim
from webapp.core.db import utcnow

from ...conftest import csrf_token, log_in
from ..checkin.scans import code_for


@pytest.fixture
def event(make_event):
    return make_event(title="ぶどう収穫祭")


def check_in(session, person, event) -> None:
    sent = ClaimInput(str(uuid.uuid4()), code_for(event), utcnow())
    assert record_claim(session, person, sent, now=utcnow(), source="api").status == "accepted"
    session.commit()


def current_tab(html: str) -> list[str]:
    nav = html.split('class="section-tabs"')[1].split("</nav>")[0]
    return re.findall(r'aria-current="page">([^<]+)</a>', nav)


def test_the_desk_is_the_first_tab_with_the_code_the_desk_and_the_latest_arrivals(
    organiser_client, session, make_user, event
):
    for name in ("一番 乗子", "二番 手子"):
        person = make_user()
        person.display_name = name
        check_in(session, person, event)
    html = organiser_client.get(f"/events/{event.id}").get_data(as_text=True)
    assert current_tab(html) == ["受付"]
    assert "コードを表示" in html and f'href="/events/{event.id}/display"' in html
    assert f'href="/events/{event.id}/checkin"' in html  # someone without a phone
    assert "チェックインした人: 2 人" in html
    latest = re.findall(r'data-testid="attendance">\s*<p class="item-title">([^<]+)<', html)
    assert latest == ["二番 手子", "一番 乗子"]  # the newest first
    assert "秘密" not in html and 'name="word"' not in html  # the settings are elsewhere
    assert f'data-activity="/events/{event.id}/activity?tab=desk"' in html


def test_the_attendees_tab_lists_everyone_refusals_and_the_downloads(
    organiser_client, session, make_user, event
):
    member, stranger = make_user(), make_user(member=False)
    check_in(session, member, event)
    sent = ClaimInput(str(uuid.uuid4()), code_for(event), utcnow())
    record_claim(session, stranger, sent, now=utcnow(), source="api")
    session.commit()
    html = organiser_client.get(f"/events/{event.id}?tab=attendees").get_data(as_text=True)
    assert current_tab(html) == ["参加者"]
    assert '<table class="table-cards"' in html
    row = html.split('data-testid="attendance">')[1].split("</tr>")[0]
    assert member.display_name in row and 'data-label="方法"' in row
    assert "チェックインできるのは会員だけです" in html
    assert f"/events/{event.id}/attendance.csv" in html
    assert f"/events/{event.id}/rejected.csv" in html
    assert 'name="word"' not in html


def test_the_settings_tab_holds_every_setting_form(organiser_client, session, organiser, event):
    create_display_link(session, event, organiser, "受付のタブレット", utcnow())
    session.commit()
    html = organiser_client.get(f"/events/{event.id}?tab=settings").get_data(as_text=True)
    assert current_tab(html) == ["設定"]
    for action in ("word", "late-claims", "display-links", "organisers"):
        assert f'action="/events/{event.id}/{action}"' in html
    assert "10 えんコイン" in html  # the reward, in the community's coin
    assert "受付のタブレット" in html and f"/events/{event.id}/poster.pdf" in html
    assert 'data-testid="attendance-count"' not in html


def test_an_unknown_tab_is_the_desk(organiser_client, event):
    html = organiser_client.get(f"/events/{event.id}?tab=nothing").get_data(as_text=True)
    assert current_tab(html) == ["受付"]


def test_the_settings_forms_post_and_come_back_to_their_tab(organiser_client, make_user, event):
    token = csrf_token(organiser_client, f"/events/{event.id}?tab=settings")
    saved = organiser_client.post(
        f"/events/{event.id}/word", data={"csrf_token": token, "word": "ぶどう"}
    )
    assert saved.headers["Location"] == f"/events/{event.id}?tab=settings"
    page = organiser_client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "合言葉を保存しました" in page and 'value="ぶどう"' in page

    helper = make_user(Role.ORGANISER)
    added = organiser_client.post(
        f"/events/{event.id}/organisers", data={"csrf_token": token, "email": helper.email}
    )
    assert added.headers["Location"] == f"/events/{event.id}?tab=settings"
    page = organiser_client.get(added.headers["Location"]).get_data(as_text=True)
    assert helper.display_name in page.split('id="organisers-title"')[1]


def test_the_desks_live_part_is_the_count_and_the_latest(organiser_client, session, member, event):
    check_in(session, member, event)
    desk = organiser_client.get(f"/events/{event.id}/activity?tab=desk").get_data(as_text=True)
    assert "チェックインした人: 1 人" in desk and member.display_name in desk
    assert "<table" not in desk


def count(client, url: str):
    answer = client.get(url)
    return answer.status_code, answer.get_json()


def test_the_display_count_answers_how_many_have_checked_in(
    app, organiser_client, session, make_user, member, organiser, event
):
    url = f"/events/{event.id}/count"
    assert count(organiser_client, url) == (200, {"checked_in": 0})
    check_in(session, member, event)
    assert count(organiser_client, url) == (200, {"checked_in": 1})
    display = organiser_client.get(f"/events/{event.id}/display").get_data(as_text=True)
    assert f'data-count-url="{url}"' in display
    assert "<strong data-count>1</strong>" in display

    outsider = app.test_client()
    log_in(outsider, make_user(Role.ORGANISER).email)
    status, body = count(outsider, url)
    assert status == 403 and "checked_in" not in body
    assert app.test_client().get(url).status_code == 302  # to the login page


def test_a_tablets_display_counts_through_its_link_until_it_is_stopped(
    app, session, member, organiser, event
):
    link, token = create_display_link(session, event, organiser, "受付", utcnow())
    session.commit()
    check_in(session, member, event)
    tablet = app.test_client()  # nobody logged in
    page = tablet.get(f"/display/{token}").get_data(as_text=True)
    assert f'data-count-url="/display/{token}/count"' in page
    answer = tablet.get(f"/display/{token}/count")
    assert (answer.status_code, answer.get_json()) == (200, {"checked_in": 1})
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert "Set-Cookie" not in answer.headers  # it starts no session on the tablet

    status, body = count(tablet, f"/display/{'x' * 43}/count")
    assert (status, body["error"]) == (404, "no_such_display_link")
    stop_display_link(session, link, organiser, utcnow())
    session.commit()
    status, body = count(tablet, f"/display/{token}/count")
    assert (status, body["error"]) == (410, "display_link_stopped")


def test_the_code_shows_the_address_the_page_was_opened_at(app, organiser, event):
    app.config["SERVER_NAME"] = "enishi-laptop.local:5000"  # where the test client goes
    desk = app.test_client()
    log_in(desk, organiser.email)
    lan = "http://enishi-laptop.local:5000"
    page = desk.get(f"/events/{event.id}/display").get_data(as_text=True)
    assert re.search(rf"<code data-link>{re.escape(lan)}/c/[\w-]{{27}}</code>", page)
    assert f'data-base-url="{lan}"' in page
    # A configured address wins: behind a proxy, the request's own host is an inside name.
    app.config.update(BASE_URL="https://enishi.example.jp", BASE_URL_FIXED=True)
    page = desk.get(f"/events/{event.id}/display").get_data(as_text=True)
    assert "<code data-link>https://enishi.example.jp/c/" in page
