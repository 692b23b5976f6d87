"""The audit log: filtered by action and by person, a page at a time, and as CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from webapp.accounts.audit import record_audit
from webapp.accounts.models import Role

from ...conftest import log_in


@pytest.fixture
def people(make_user):
    return make_user(Role.ADMIN), make_user(), make_user()


@pytest.fixture
def office(app, people):
    client = app.test_client()
    log_in(client, people[0].email)
    return client


def entries(page: str) -> list[str]:
    found = re.findall(r'data-testid="audit-entry">(.*?)</li>', page, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", e)).strip() for e in found]


@pytest.fixture
def log(session, people):
    admin, ayu, ken = people
    at = datetime(2026, 4, 1, 0, 30, tzinfo=UTC)  # 9:30 in Japan
    record_audit(session, actor=admin, action="login_card.printed", now=at, subject=ayu,
                 detail="card 1")  # fmt: skip
    record_audit(session, actor=admin, action="role.changed", now=at + timedelta(hours=1),
                 subject=ken, detail="member → organiser")  # fmt: skip
    record_audit(session, actor=admin, action="login_card.stopped", now=at + timedelta(hours=2),
                 subject=ayu, detail="card 1")  # fmt: skip
    session.commit()


def test_filter_by_action_and_by_person(office, log, people):
    admin, ayu, ken = people
    page = office.get("/admin/audit").get_data(as_text=True)
    assert len(entries(page)) == 3 and "3件" in page
    page = office.get("/admin/audit?action=role.changed").get_data(as_text=True)
    assert [e.split(":")[0] for e in entries(page)] == ["役割を変えた"]
    page = office.get(f"/admin/audit?person={ayu.id}").get_data(as_text=True)
    assert len(entries(page)) == 2 and all(ayu.display_name in e for e in entries(page))
    assert f'href="/admin/audit?person={ayu.id}"' in page  # a name leads to their entries
    page = office.get(f"/admin/audit?q={ken.email}").get_data(as_text=True)
    assert len(entries(page)) == 1 and ken.display_name in entries(page)[0]
    page = office.get(f"/admin/audit?person={ayu.id}&action=role.changed").get_data(as_text=True)
    assert entries(page) == [] and "該当する記録はありません" in page
    # A link with a number past any row's id filters by nobody, not a server error.
    page = office.get(f"/admin/audit?person={10**20}").get_data(as_text=True)
    assert len(entries(page)) == 3


def test_fifty_a_page(office, session, people):
    admin, ayu, _ = people
    at = datetime(2026, 4, 1, tzinfo=UTC)
    for n in range(60):
        record_audit(session, actor=admin, action="login_card.printed",
                     now=at + timedelta(minutes=n), subject=ayu, detail=f"card {n}")  # fmt: skip
    session.commit()
    first = office.get("/admin/audit").get_data(as_text=True)
    assert len(entries(first)) == 50 and "card 59" in entries(first)[0]
    assert 'href="/admin/audit?page=2"' in first
    second = office.get("/admin/audit?page=2").get_data(as_text=True)
    assert len(entries(second)) == 10 and "card 0" in entries(second)[-1]


def test_the_csv_says_when_in_japan_time_who_what_and_on_whom(office, log, people):
    admin, ayu, _ = people
    answer = office.get(f"/admin/audit/audit.csv?person={ayu.id}")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert rows[0] == ["日時", "だれが", "操作", "操作コード", "だれに", "詳細"]
    assert rows[1:] == [
        ["2026-04-01 11:30:00", admin.display_name, "ログインカードを止めた",
         "login_card.stopped", ayu.display_name, "card 1"],
        ["2026-04-01 09:30:00", admin.display_name, "ログインカードを印刷した",
         "login_card.printed", ayu.display_name, "card 1"],
    ]  # fmt: skip


def test_organisers_may_not_read_the_log(app, make_user):
    client = app.test_client()
    log_in(client, make_user(Role.ORGANISER).email)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit/audit.csv").status_code == 403


def test_a_name_like_a_formula_stays_text_in_the_csv(office, session, people):
    admin, ayu, _ = people
    ayu.display_name = '=HYPERLINK("http://evil.example","x")'
    record_audit(session, actor=admin, action="role.changed", now=datetime.now(UTC), subject=ayu)
    session.commit()
    rows = list(
        csv.reader(io.StringIO(office.get("/admin/audit/audit.csv").data.decode("utf-8-sig")))
    )
    assert rows[1][4] == "'" + ayu.display_name


def test_a_persons_page_leads_to_their_entries(office, log, people):
    _, ayu, _ = people
    page = office.get(f"/admin/members/{ayu.id}").get_data(as_text=True)
    assert f'href="/admin/audit?person={ayu.id}"' in page and "この人の監査ログ" in page
