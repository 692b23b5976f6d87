"""Only an administrator, typing their password again, makes someone an organiser or an
administrator (organisers issue tokens); each change is in the audit log."""

import re

import pytest

from webapp.accounts.models import AuditEntry, Role

from ...conftest import PASSWORD, csrf_token, log_in


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def change(client, person, role, password=PASSWORD):
    token = csrf_token(client, f"/admin/members/{person.id}")
    return client.post(
        f"/admin/members/{person.id}/role",
        data={"csrf_token": token, "role": role, "password": password},
        follow_redirects=True,
    )


def role_of(session, person) -> str:
    session.expire_all()
    return session.get(type(person), person.id).role


def test_an_administrator_makes_a_member_an_organiser_and_the_log_says_so(
    app, session, admin, member
):
    office = app.test_client()
    log_in(office, admin.email)
    page = change(office, member, "organiser").get_data(as_text=True)
    assert f"{member.display_name} さんの役割: 主催者" in page
    assert role_of(session, member) == "organiser"
    log = office.get("/admin/audit").get_data(as_text=True)
    entries = re.findall(r'data-testid="audit-entry">(.*?)</li>', log, re.S)
    assert "役割を変えた" in entries[0] and member.display_name in entries[0]
    assert "member → organiser" in entries[0]


def test_a_wrong_password_changes_nothing(app, session, admin, member):
    office = app.test_client()
    log_in(office, admin.email)
    page = change(office, member, "admin", password="not it").get_data(as_text=True)
    assert "パスワードが違うため、何も変えていません。" in page
    assert role_of(session, member) == "member"
    assert session.query(AuditEntry).count() == 0


def test_nobody_changes_their_own_role_or_gives_a_role_that_does_not_exist(
    app, session, admin, member
):
    office = app.test_client()
    log_in(office, admin.email)
    change(office, admin, "member")
    assert role_of(session, admin) == "admin"
    change(office, member, "king")
    assert role_of(session, member) == "member"
    # An administrator confirms with a password: someone without one is not made one.
    member.password_hash = None
    session.commit()
    answer = change(office, member, "admin")
    assert role_of(session, member) == "member"
    assert "パスワードが必要" in answer.get_data(as_text=True)


def test_an_organiser_cannot_change_roles(app, session, organiser, member):
    client = app.test_client()
    log_in(client, organiser.email)
    token = csrf_token(client, "/wallet")
    response = client.post(
        f"/admin/members/{member.id}/role",
        data={"csrf_token": token, "role": "admin", "password": PASSWORD},
    )
    assert response.status_code == 403
    assert role_of(session, member) == "member"
