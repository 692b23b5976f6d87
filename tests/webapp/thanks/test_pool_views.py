"""The administrators' page for thanks (/admin/thanks): only administrators open it; the rules
form saves (and the audit log says so); the pool before it is shared (the month under way, and
the month just ended while it waits) and after (who got how many coins, and whether they are on
chain yet); pairs that thank each other at the cap."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.accounts.models import AuditEntry, Role
from webapp.thanks import admin_views
from webapp.thanks.pool import share_pool
from webapp.thanks.settings import ThanksRules, get_rules

from ...conftest import csrf_token, log_in
from ..test_worker import work
from .pool_world import DECEMBER, give, pool_on, thanked

FIFTH_OF_DECEMBER = DECEMBER + timedelta(days=4, hours=3)


@pytest.fixture
def admin_client(app, make_user, monkeypatch):
    monkeypatch.setattr(admin_views, "utcnow", lambda: FIFTH_OF_DECEMBER)
    admin = make_user(Role.ADMIN, email="kanri@example.org")
    client = app.test_client()
    log_in(client, admin.email)
    return client


def rows(html: str, table: str) -> list[list[str]]:
    """The cells of a table's rows, as text."""
    found = re.search(rf'<table[^>]*data-testid="{table}".*?</table>', html, re.DOTALL)
    assert found, f"no table {table} on the page"
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        ]
        for row in re.findall(r'<tr data-testid="share">(.*?)</tr>', found[0], re.DOTALL)
    ]


def text(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</(p|section)>', html, re.DOTALL)
    assert found, f"no {testid} on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", found[1]).split())


def test_only_administrators_open_it(app, session, make_user):
    member = make_user()
    client = app.test_client()
    log_in(client, member.email)
    assert client.get("/admin/thanks").status_code == 403
    data = {"allowance": "500", "per_person_percent": "100", "pool_coins": "9", "pool_on": "y"}
    data["csrf_token"] = csrf_token(client, "/")
    assert client.post("/admin/thanks", data=data).status_code == 403
    assert get_rules(session) == ThanksRules()


def test_the_rules_are_saved_and_the_audit_log_says_so(admin_client, session):
    page = admin_client.get("/admin/thanks").get_data(as_text=True)
    assert 'value="100"' in page and 'value="30"' in page  # the defaults
    assert "30 ポイント" in text(page, "cap")
    token = csrf_token(admin_client, "/admin/thanks")
    fields = {"allowance": "120", "per_person_percent": "25", "pool_on": "y", "pool_coins": "300"}

    answer = admin_client.post("/admin/thanks", data={**fields, "csrf_token": token})

    assert answer.status_code == 302
    session.expire_all()
    assert get_rules(session) == ThanksRules(120, 25, True, 300)
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "thanks.rules"
    assert entry.detail == "allowance=120 per_person=25% pool=on coins=300"
    page = admin_client.get("/admin/thanks").get_data(as_text=True)
    assert "30 ポイント" in text(page, "cap")  # 25% of 120
    assert "オン" in text(page, "pool-state")
    assert 'href="/admin/thanks"' in admin_client.get("/account").get_data(as_text=True)


def test_rules_out_of_range_are_refused_and_nothing_changes(admin_client, session):
    token = csrf_token(admin_client, "/admin/thanks")
    fields = {"allowance": "0", "per_person_percent": "101", "pool_coins": "-1"}

    answer = admin_client.post("/admin/thanks", data={**fields, "csrf_token": token})

    assert answer.status_code == 400
    assert answer.get_data(as_text=True).count('class="field-error"') == 3
    assert get_rules(session) == ThanksRules()
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "thanks.rules")) is None


def test_the_pool_before_and_after_it_is_shared(admin_client, session, chain, make_user):
    first, second, few = make_user(), make_user(), make_user()
    first.display_name, second.display_name = "塩尻 一郎", "塩尻 二郎"
    thanked(session, make_user, first, [30, 20, 10])
    thanked(session, make_user, second, [10, 10, 20])
    thanked(session, make_user, few, [30, 30])  # two givers: no share
    thanked(session, make_user, first, [5, 5, 5], month="2026-12")
    pool_on(session, make_user, 100)

    page = admin_client.get("/admin/thanks").get_data(as_text=True)
    # Before: December so far, and November, ended and waiting for the worker.
    assert rows(page, "preview-now") == [["塩尻 一郎", "15", "3", "100 えんコイン"]]
    assert "まもなく" in text(page, "ended-state")
    assert rows(page, "preview-ended") == [
        ["塩尻 一郎", "60", "3", "60 えんコイン"],
        ["塩尻 二郎", "40", "3", "40 えんコイン"],
    ]

    share_pool(session, "2026-11", DECEMBER)
    session.commit()
    page = admin_client.get("/admin/thanks").get_data(as_text=True)
    # After: who got how many coins, and the chain not yet.
    assert 'data-testid="preview-ended"' not in page
    assert (
        text(page, "shared-total") == "プール 100 えんコイン、2 人に 100 えんコインを支払いました。"
    )
    assert rows(page, "shares") == [
        ["塩尻 一郎", "60", "3", "60 えんコイン", "記録待ち"],
        ["塩尻 二郎", "40", "3", "40 えんコイン", "記録待ち"],
    ]

    work(session, chain)
    page = admin_client.get("/admin/thanks").get_data(as_text=True)
    assert [row[-1] for row in rows(page, "shares")] == ["記録済み", "記録済み"]


def test_a_month_with_no_one_to_share_says_nothing_was_paid(admin_client, session, make_user):
    lonely = make_user()
    thanked(session, make_user, lonely, [50, 50])
    pool_on(session, make_user, 100)
    share_pool(session, "2026-11", DECEMBER)
    session.commit()

    page = admin_client.get("/admin/thanks").get_data(as_text=True)

    assert (
        text(page, "shared-total") == "プール 100 えんコイン、0 人に 0 えんコインを支払いました。"
    )
    assert "支払われていません" in text(page, "nothing-paid")


def test_pairs_at_the_cap_both_ways_are_shown(admin_client, session, make_user):
    first, second = make_user(), make_user()
    first.display_name, second.display_name = "木曽 太郎", "木曽 次郎"
    for month in ("2026-09", "2026-10", "2026-11"):
        give(session, first, second, 30, month)
        give(session, second, first, 30, month)
    session.commit()

    page = admin_client.get("/admin/thanks").get_data(as_text=True)

    pair = text(page, "unusual-pair")
    assert "木曽 太郎" in pair and "木曽 次郎" in pair
    assert "2026年9月" in page and "2026年11月" in page
