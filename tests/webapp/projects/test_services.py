import threading

import pytest
from sqlalchemy import func, select

from webapp.accounts.models import AuditEntry
from webapp.core.db import utcnow
from webapp.core.errors import DomainError, Forbidden
from webapp.membership.services import revoke_membership
from webapp.onchain.models import ChainJob, JobKind, JobStatus
from webapp.projects import services
from webapp.projects.models import ProjectBadge, ProjectStatus
from webapp.projects.services import (
    approve_project,
    close_project,
    decline_by_admin,
    give_badges,
    in_project_ids,
    join_project,
    leave_project,
    list_lead_candidates,
    list_project_members,
    list_projects,
    propose_project,
)


def codes_of(call) -> str:
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value.code


def test_someone_without_a_valid_card_cannot_propose(session, make_user, member):
    outsider = make_user(member=False)
    for proposer, lead in ((outsider, outsider), (outsider, member), (member, outsider)):
        with pytest.raises(DomainError) as raised:
            propose_project(
                session, proposer, title="灯り", purpose="", help_wanted="", lead=lead, now=utcnow()
            )
        assert raised.value.code == "not_a_member"
    session.rollback()
    assert list_projects(session) == []


def test_another_member_may_lead_and_is_its_first_member(session, member, make_user):
    lead = make_user()
    project = propose_project(
        session, member, title=" 灯り ", purpose="", help_wanted="", lead=lead, now=utcnow()
    )
    assert (project.title, project.lead_id, project.proposed_by_id) == ("灯り", lead.id, member.id)
    assert list_project_members(session, project) == [lead]
    assert project.status == ProjectStatus.PROPOSED


def test_only_members_with_a_valid_card_are_offered_as_leads(session, member, make_user, admin):
    outsider, revoked = make_user(member=False), make_user()
    revoke_membership(session, revoked, actor=admin, now=utcnow())
    session.commit()
    candidates = list_lead_candidates(session, utcnow())
    assert member in candidates and admin in candidates
    assert outsider not in candidates and revoked not in candidates


def test_an_administrator_approves_and_it_is_audited(session, member, admin, make_project):
    project = make_project(active=False)
    approve_project(session, project, admin=admin, now=utcnow())
    session.commit()
    assert project.status == ProjectStatus.ACTIVE and project.approved_by_id == admin.id
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "project.approved"))
    assert (entry.actor_id, entry.subject_id, entry.detail) == (admin.id, member.id, project.title)
    assert codes_of(lambda: approve_project(session, project, admin=admin, now=utcnow())) == (
        "not_proposed"
    )


def test_a_declined_project_keeps_its_reason_and_cannot_be_joined(
    session, admin, make_user, make_project
):
    project = make_project(active=False)
    decline_by_admin(session, project, admin=admin, now=utcnow(), reason=" 予算が足りません ")
    session.commit()
    assert (project.status, project.decline_reason) == (ProjectStatus.DECLINED, "予算が足りません")
    assert codes_of(lambda: join_project(session, project, make_user(), now=utcnow())) == (
        "not_active"
    )
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.actor_id == admin.id)) == (
        "project.declined"
    )


def test_join_leave_and_join_again(session, make_user, make_project):
    project, person = make_project(), make_user()
    join_project(session, project, person, now=utcnow())
    join_project(session, project, person, now=utcnow())  # twice: still one membership
    assert project.id in in_project_ids(session, person.id)
    assert person in list_project_members(session, project)
    leave_project(session, project, person, now=utcnow())
    assert project.id not in in_project_ids(session, person.id)
    assert person not in list_project_members(session, project)
    join_project(session, project, person, now=utcnow())
    assert person in list_project_members(session, project)


@pytest.mark.parametrize("state", ["proposed", "closed"])
def test_a_proposed_or_closed_project_cannot_be_joined(
    session, member, make_user, make_project, state
):
    project = make_project(active=state == "closed")
    if state == "closed":
        close_project(session, project, actor=member, now=utcnow())
    assert codes_of(lambda: join_project(session, project, make_user(), now=utcnow())) == (
        "not_active"
    )


def test_a_member_without_a_valid_card_cannot_join(session, make_user, make_project):
    project = make_project()
    assert codes_of(
        lambda: join_project(session, project, make_user(member=False), now=utcnow())
    ) == ("not_a_member")


def test_the_lead_or_an_administrator_closes_and_members_stay(
    session, member, admin, make_user, make_project
):
    project, person = make_project(), make_user()
    join_project(session, project, person, now=utcnow())
    with pytest.raises(Forbidden):
        close_project(session, project, actor=person, now=utcnow())
    close_project(session, project, actor=admin, now=utcnow())
    assert project.status == ProjectStatus.CLOSED
    assert set(list_project_members(session, project)) == {member, person}
    assert codes_of(lambda: close_project(session, project, actor=member, now=utcnow())) == (
        "not_active"
    )


def badges(session) -> list[tuple[int, int]]:
    session.expire_all()
    rows = session.scalars(select(ProjectBadge).order_by(ProjectBadge.id))
    return [(row.project_id, row.user_id) for row in rows]


def test_the_badge_is_given_once_per_person_even_when_given_twice(
    session, member, admin, make_user, make_project
):
    project, helper = make_project(), make_user()
    join_project(session, project, helper, now=utcnow())
    given = give_badges(session, project, member, [helper, member], now=utcnow())
    assert len(given) == 2
    assert give_badges(session, project, admin, [helper], now=utcnow()) == []
    session.commit()
    assert badges(session) == [(project.id, helper.id), (project.id, member.id)]
    query = select(ChainJob).where(ChainJob.kind == JobKind.PROJECT_BADGE)
    job = session.scalar(query.where(ChainJob.user_id == helper.id))
    assert (job.project_id, job.address, job.amount, job.status) == (
        project.id, helper.address, 0, JobStatus.PENDING,
    )  # fmt: skip


def test_no_badge_for_a_closed_account(session, member, make_user, make_project):
    project, helper = make_project(), make_user()
    join_project(session, project, helper, now=utcnow())
    helper.closed_at = utcnow()
    session.commit()
    assert codes_of(lambda: give_badges(session, project, member, [helper], now=utcnow())) == (
        "account_closed"
    )
    session.rollback()
    assert badges(session) == []


def test_the_unique_constraint_holds_when_the_first_look_misses(
    session, member, make_project, monkeypatch
):
    """Two givers at the same moment both find no badge; the database keeps one, and its job."""
    project = make_project()
    monkeypatch.setattr(services, "_badge_of", lambda *args: None)
    assert len(give_badges(session, project, member, [member], now=utcnow())) == 1
    assert give_badges(session, project, member, [member], now=utcnow()) == []
    session.commit()
    assert badges(session) == [(project.id, member.id)]
    kinds = select(func.count()).select_from(ChainJob).where(ChainJob.kind == JobKind.PROJECT_BADGE)
    assert session.scalar(kinds) == 1


def test_two_givers_at_once_give_one_badge(app, session, member, admin, make_project):
    project = make_project()
    ids = (project.id, member.id, admin.id)
    session.commit()
    ready = threading.Barrier(2)
    errors: list[BaseException] = []

    def give(giver_id):
        from webapp.core.db import mark_writing
        from webapp.extensions import db
        from webapp.projects.services import get_project

        with app.app_context():
            try:
                ready.wait(timeout=10)
                mark_writing()
                project = get_project(db.session, ids[0])
                person = db.session.get(type(member), ids[1])
                giver = db.session.get(type(member), giver_id)
                give_badges(db.session, project, giver, [person], now=utcnow())
                db.session.commit()
            except BaseException as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=give, args=(giver,)) for giver in (ids[1], ids[2])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert badges(session) == [(project.id, member.id)]


def test_only_the_lead_or_an_administrator_gives_it_to_the_project_s_members(
    session, member, make_user, make_project
):
    project, helper, stranger = make_project(), make_user(), make_user()
    join_project(session, project, helper, now=utcnow())
    with pytest.raises(Forbidden):
        give_badges(session, project, helper, [helper], now=utcnow())
    assert codes_of(lambda: give_badges(session, project, member, [stranger], now=utcnow())) == (
        "not_in_project"
    )
    waiting = make_project(title="まだ", active=False)
    assert codes_of(lambda: give_badges(session, waiting, member, [member], now=utcnow())) == (
        "not_active"
    )


def test_the_list_shows_active_projects_then_waiting_ones(session, make_project):
    waiting = make_project(title="待ち", active=False)
    first, second = make_project(title="一"), make_project(title="二")
    assert [s.project for s in list_projects(session)] == [second, first, waiting]
    assert [s.members for s in list_projects(session)] == [1, 1, 1]


def test_the_demo_has_an_active_project_with_the_demo_member_in_it(session, keyring):
    from webapp.accounts.services import get_user_by_email
    from webapp.demo import load_demo_data

    load_demo_data(session, keyring, utcnow())
    session.commit()
    [summary] = list_projects(session)
    assert (summary.project.title, summary.project.status) == ("奈良井宿 灯りのまつり", "active")
    demo_member = get_user_by_email(session, "member@example.org")
    assert summary.project.id in in_project_ids(session, demo_member.id)


def test_a_mistyped_approval_rule_stops_the_start():
    from webapp.projects.services import check_approval_rule

    for rule in ("admin", "proposal"):
        check_approval_rule(rule)
    with pytest.raises(ValueError, match="ENISHI_PROJECT_APPROVAL"):
        check_approval_rule("admins")
