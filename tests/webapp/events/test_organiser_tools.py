"""Organiser tools: co-organisers, the live list of check-ins and refusals, CSV exports."""

import csv
import io
import re
from datetime import timedelta

import pytest

from webapp.accounts.models import Role
from webapp.checkin.codes import make_printed_token
from webapp.checkin.services import record_claim
from webapp.core.db import utcnow

from ...conftest import csrf_token, log_in
from ..checkin.scans import claim, code_for


@pytest.fixture
def event(make_event):
    return make_event(title="ぶどう収穫祭")


def add(client, event, email: str):
    data = {"csrf_token": csrf_token(client, f"/events/{event.id}"), "email": email}
    return client.post(f"/events/{event.id}/organisers", data=data, follow_redirects=True)


def test_a_co_organiser_runs_the_event_until_removed(organiser_client, make_user, event):
    helper = make_user(Role.ORGANISER)
    page = add(organiser_client, event, helper.email).get_data(as_text=True)
    assert f"{helper.display_name}" in page

    other = organiser_client.application.test_client()
    log_in(other, helper.email)
    assert "ぶどう収穫祭" in other.get("/events").get_data(as_text=True)
    assert other.get(f"/events/{event.id}/display").status_code == 200

    data = {"csrf_token": csrf_token(organiser_client, f"/events/{event.id}")}
    organiser_client.post(f"/events/{event.id}/organisers/{helper.id}/remove", data=data)
    assert other.get(f"/events/{event.id}/display").status_code == 403
    assert "ぶどう収穫祭" not in other.get("/events").get_data(as_text=True)


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("member", "主催者だけ"),
        ("nobody", "このメールアドレスの利用者はいません"),
    ],
)
def test_only_an_existing_organiser_can_be_added(
    organiser_client, session, make_user, event, who, message
):
    email = make_user(Role.MEMBER).email if who == "member" else "nobody@example.org"
    page = add(organiser_client, event, email).get_data(as_text=True)
    assert message in page
    session.expire_all()
    assert event.co_organisers == []


def test_the_activity_list_shows_check_ins_with_how_and_refusals_with_why(
    organiser_client, session, make_user, event
):
    live, late, stranger = make_user(), make_user(), make_user(member=False)
    record_claim(session, live, claim(code_for(event)), now=utcnow(), source="api")
    scanned = utcnow() - timedelta(minutes=20)  # no signal then: sent only now
    offline = claim(code_for(event, scanned))
    offline = offline.__class__(id=offline.id, code=offline.code, scanned_at=scanned, offline=True)
    record_claim(session, late, offline, now=utcnow(), source="api")
    record_claim(session, stranger, claim(code_for(event)), now=utcnow(), source="api")
    session.commit()

    html = organiser_client.get(f"/events/{event.id}/activity").get_data(as_text=True)
    assert "チェックインした人: 2 人" in html
    assert html.count('data-testid="attendance"') == 2
    assert "その場で読み取り" in html and "電波のないときに読み取り、あとで送信" in html
    assert stranger.display_name in html
    assert "チェックインできるのは会員だけです" in html


def test_the_attendance_csv_opens_with_japanese_intact(organiser_client, session, make_user, event):
    person = make_user()
    person.display_name = "=塩尻 太郎"  # also a name a spreadsheet would take for a formula
    record_claim(session, person, claim(code_for(event)), now=utcnow(), source="api")
    session.commit()

    response = organiser_client.get(f"/events/{event.id}/attendance.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel looks for
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == [
        "名前",
        "チェックイン時刻",
        "方法",
        "バッジ",
        "トランザクション",
        "記録した人",
    ]
    assert rows[1][0] == "'=塩尻 太郎"
    assert rows[1][2] == "その場で読み取り"


def test_the_refused_claims_csv_lists_reasons(organiser_client, session, make_user, event):
    stranger = make_user(member=False)
    record_claim(session, stranger, claim(code_for(event)), now=utcnow(), source="api")
    session.commit()
    body = organiser_client.get(f"/events/{event.id}/rejected.csv").get_data()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[1][0] == stranger.display_name
    assert rows[1][3] == "not_a_member"
    assert "会員だけ" in rows[1][4]


def test_the_list_and_the_csv_say_who_used_the_poster_and_who_an_organiser_checked_in(
    organiser_client, session, organiser, make_user, event
):
    by_poster, by_name = make_user(), make_user()
    by_poster.display_name, by_name.display_name = "ポスター 読子", "名前 探子"
    poster = claim(make_printed_token(event.id, event.secret))
    assert record_claim(session, by_poster, poster, now=utcnow(), source="api").status == "accepted"
    session.commit()
    data = {"csrf_token": csrf_token(organiser_client, f"/events/{event.id}/checkin")}
    organiser_client.post(f"/events/{event.id}/checkin", data={**data, "user_id": by_name.id})

    html = organiser_client.get(f"/events/{event.id}/activity").get_data(as_text=True)
    rows = dict(
        re.findall(
            r'data-testid="attendance">\s*<td>(.*?)</td>\s*<td[^>]*>.*?</td>\s*<td[^>]*>(.*?)</td>',
            html,
        )
    )
    assert rows == {
        "ポスター 読子": "印刷したコード",
        "名前 探子": f"主催者が名前で検索 ({organiser.display_name})",
    }

    body = organiser_client.get(f"/events/{event.id}/attendance.csv").get_data()
    table = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert {row["名前"]: (row["方法"], row["記録した人"]) for row in table} == {
        "ポスター 読子": ("印刷したコード", ""),
        "名前 探子": ("主催者が名前で検索", organiser.display_name),
    }
