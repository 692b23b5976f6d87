"""Tokens buy real goods: a reward or a budget above the community's limits is paid only once
an administrator approved it, an event pays no more than its budget, and the administrators see
what each organiser's events issued per month."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from webapp.accounts.models import Role
from webapp.checkin.models import Attendance
from webapp.core.db import utcnow
from webapp.ledger.services import get_balance
from webapp.onchain.models import ChainJob, JobKind

from ...conftest import csrf_token, log_in
from .scans import code_for
from .test_services import decide

TOKYO = ZoneInfo("Asia/Tokyo")


def awards(session, event):
    query = select(ChainJob).where(ChainJob.kind == JobKind.AWARD, ChainJob.event_id == event.id)
    return [(job.status, job.amount) for job in session.scalars(query.order_by(ChainJob.id))]


def test_a_reward_within_the_limits_is_paid_at_once(session, member, make_event):
    event = make_event(reward=100, budget=3000)
    assert event.reward_approved_at is not None  # approved by rule
    assert decide(session, member, code_for(event)).status == "accepted"
    assert awards(session, event) == [("pending", 100)]
    assert get_balance(session, member).total == 100


def test_a_reward_above_the_limit_waits_for_an_administrator(
    app, session, make_user, organiser, make_event
):
    event = make_event(reward=500, budget=2000)
    first, second = make_user(Role.MEMBER), make_user(Role.MEMBER)
    for person in (first, second):
        result = decide(session, person, code_for(event))
        assert result.status == "accepted"  # the check-in counts; the award waits
    assert awards(session, event) == [("held", 500), ("held", 500)]
    assert get_balance(session, first).total == 0  # nothing to spend at a shop yet

    organiser_page = app.test_client()
    log_in(organiser_page, organiser.email)
    assert "管理者の承認" in organiser_page.get(f"/events/{event.id}").get_data(as_text=True)

    admin = app.test_client()
    log_in(admin, make_user(Role.ADMIN).email)
    page = admin.get("/admin/rewards").get_data(as_text=True)
    assert event.title in page
    assert "バッジとコインを待っている参加者: 2 人" in page
    answer = admin.post(
        f"/admin/rewards/{event.id}/approve",
        data={"csrf_token": csrf_token(admin, "/admin/rewards")},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "2 人分" in answer
    session.expire_all()
    assert awards(session, event) == [("pending", 500), ("pending", 500)]
    assert get_balance(session, first).total == 500
    # Approved once: the next participant is paid at once.
    third = make_user(Role.MEMBER)
    decide(session, third, code_for(event))
    assert get_balance(session, third).total == 500


def test_a_budget_above_the_limit_waits_too(session, member, make_event):
    event = make_event(reward=10, budget=5000)
    decide(session, member, code_for(event))
    assert awards(session, event) == [("held", 10)]


def test_an_administrator_may_give_the_badge_without_tokens(
    app, session, member, make_user, make_event
):
    event = make_event(reward=10_000, budget=10_000)
    decide(session, member, code_for(event))
    admin = app.test_client()
    log_in(admin, make_user(Role.ADMIN).email)
    admin.post(
        f"/admin/rewards/{event.id}/drop", data={"csrf_token": csrf_token(admin, "/admin/rewards")}
    )
    session.expire_all()
    assert awards(session, event) == [("pending", 0)]  # the badge goes, alone
    assert get_balance(session, member).total == 0
    assert session.get(type(event), event.id).reward == 0


def test_past_its_budget_an_event_gives_the_badge_alone(session, make_user, make_event):
    event = make_event(reward=10, budget=25)
    people = [make_user(Role.MEMBER) for _ in range(3)]
    for person in people:
        assert decide(session, person, code_for(event)).status == "accepted"
    assert awards(session, event) == [("pending", 10), ("pending", 10), ("pending", 0)]
    assert [get_balance(session, p).total for p in people] == [10, 10, 0]
    assert session.scalar(select(func.count()).select_from(Attendance)) == 3


def test_an_organiser_cannot_approve_a_reward(app, session, member, organiser, make_event):
    event = make_event(reward=500, budget=1000)
    decide(session, member, code_for(event))
    client = app.test_client()
    log_in(client, organiser.email)
    token = csrf_token(client, f"/events/{event.id}")
    assert (
        client.post(f"/admin/rewards/{event.id}/approve", data={"csrf_token": token}).status_code
        == 403
    )
    session.expire_all()
    assert awards(session, event) == [("held", 500)]


def test_the_event_form_refuses_a_budget_smaller_than_one_reward(app, organiser, session):
    client = app.test_client()
    log_in(client, organiser.email)
    start = (utcnow() + timedelta(days=3)).astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M")
    end = (utcnow() + timedelta(days=3, hours=2)).astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/events/new",
        data={
            "csrf_token": csrf_token(client, "/events/new"),
            "title": "予算の会", "venue": "えんぱーく", "starts_at": start, "ends_at": end,
            "reward": "50", "budget": "20",
            "offline_claim_days": "7",
        },
    )  # fmt: skip
    assert response.status_code == 400
    assert "予算は" in response.get_data(as_text=True)


def test_the_admin_page_shows_tokens_issued_per_organiser_and_month(
    app, session, make_user, organiser, make_event
):
    other = make_user(Role.ORGANISER, member=False)
    mine, theirs = make_event(reward=10), make_event(organiser=other, reward=3, title="よその会")
    for person in (make_user(Role.MEMBER), make_user(Role.MEMBER)):
        decide(session, person, code_for(mine))
        decide(session, person, code_for(theirs))
    admin = app.test_client()
    log_in(admin, make_user(Role.ADMIN).email)
    page = admin.get("/admin/rewards").get_data(as_text=True)
    month = utcnow().astimezone(TOKYO).strftime("%Y-%m")
    rows = [row.split("</td>") for row in page.split('data-testid="issued"')[1:]]
    cells = [[cell.rsplit(">", 1)[-1] for cell in row[:5]] for row in rows]
    assert cells == [
        [month, organiser.display_name, "1", "2", "20"],
        [month, other.display_name, "1", "2", "6"],
    ]
