"""Invitations: a single-use link with an expiry; each refusal says why; two people accepting one
link at once make one account; every administrator's act is in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.accounts.audit import AUDIT_ACTIONS, list_audit
from webapp.accounts.invitations import (
    InvitationState,
    accept_invitation,
    find_invitation,
    invitation_state,
    invite_again,
    invite_person,
)
from webapp.accounts.models import Role, User
from webapp.accounts.services import authenticate
from webapp.core.db import utcnow
from webapp.core.errors import DomainError

from ..perks.test_redemptions import run_together

DAYS = timedelta(days=30)


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


@pytest.fixture
def invite(session, keyring, admin):
    def make(name="塩尻 一郎", email=None, cohort="第5期", now=None):
        invited = invite_person(
            session, keyring, actor=admin, display_name=name, email=email, cohort=cohort,
            now=now or utcnow(), lifetime=DAYS,
        )  # fmt: skip
        session.commit()
        return invited

    return make


def refused(code, work, *args, **kwargs):
    with pytest.raises(DomainError) as error:
        work(*args, **kwargs)
    assert error.value.code == code
    return error.value


def test_an_invited_person_exists_not_joined_and_the_secret_is_kept_only_as_a_hash(session, invite):
    invited = invite(email="Ichiro@Example.org")
    person = invited.person
    assert person.joined_at is None and person.password_hash is None
    assert person.email == "ichiro@example.org" and person.cohort == "第5期"
    assert invited.secret not in invited.invitation.secret_hash
    assert len(invited.invitation.secret_hash) == 64
    assert invited.invitation.expires_at - invited.invitation.created_at == DAYS
    assert find_invitation(session, invited.secret, utcnow()) == invited.invitation


def test_accepting_sets_the_name_and_password_and_the_link_then_refuses(session, invite):
    invited = invite(email="ichiro@example.org")
    person = accept_invitation(
        session, invited.secret, display_name=" いちろう ", password="long enough pw", now=utcnow()
    )
    session.commit()
    assert person.display_name == "いちろう" and person.joined_at is not None
    assert authenticate(session, "ichiro@example.org", "long enough pw") == person
    error = refused("used_invitation", find_invitation, session, invited.secret, utcnow())
    assert error.status == 410
    refused("used_invitation", accept_invitation, session, invited.secret,
            display_name="x", password=None, now=utcnow())  # fmt: skip


def test_accepting_without_a_password_leaves_none(session, invite):
    invited = invite()
    person = accept_invitation(session, invited.secret, display_name="一郎", password=None,
                               now=utcnow())  # fmt: skip
    assert person.password_hash is None and person.joined_at is not None


def test_a_forged_link_is_unknown(session, invite):
    invited = invite()
    error = refused("unknown_invitation", find_invitation, session, invited.secret + "x", utcnow())
    assert error.status == 404
    refused("unknown_invitation", find_invitation, session, "", utcnow())
    refused("unknown_invitation", find_invitation, session, "a" * 5000, utcnow())


def test_an_expired_link_is_refused_as_expired(session, invite):
    invited = invite(now=utcnow() - DAYS - timedelta(minutes=1))
    refused("expired_invitation", find_invitation, session, invited.secret, utcnow())
    refused("expired_invitation", accept_invitation, session, invited.secret,
            display_name="x", password=None, now=utcnow())  # fmt: skip
    assert invitation_state(invited.invitation, utcnow()) == InvitationState.EXPIRED


def test_a_new_link_stops_the_earlier_one(session, invite, admin):
    first = invite()
    second = invite_again(session, person=first.person, actor=admin, now=utcnow(), lifetime=DAYS)
    session.commit()
    refused("stopped_invitation", find_invitation, session, first.secret, utcnow())
    assert find_invitation(session, second.secret, utcnow()) == second.invitation
    assert invitation_state(first.invitation, utcnow()) == InvitationState.STOPPED


def test_nobody_who_joined_gets_a_new_link(session, invite, admin):
    invited = invite()
    accept_invitation(session, invited.secret, display_name="一郎", password=None, now=utcnow())
    refused("already_joined", invite_again, session, person=invited.person, actor=admin,
            now=utcnow(), lifetime=DAYS)  # fmt: skip


def test_bad_inputs_are_refused_with_their_reason(session, keyring, admin, invite):
    refused("no_name", invite_person, session, keyring, actor=admin, display_name=" ",
            email=None, cohort=None, now=utcnow())  # fmt: skip
    refused("bad_email", invite_person, session, keyring, actor=admin, display_name="a",
            email="not-an-address", cohort=None, now=utcnow())  # fmt: skip
    invited = invite(email="a@example.org")
    refused("short_password", accept_invitation, session, invited.secret, display_name="a",
            password="short", now=utcnow())  # fmt: skip
    refused("no_name", accept_invitation, session, invited.secret, display_name="  ",
            password=None, now=utcnow())  # fmt: skip
    assert find_invitation(session, invited.secret, utcnow())  # still usable


def test_the_audit_log_keeps_each_invitation_and_new_link(session, invite, admin):
    invited = invite()
    invite_again(session, person=invited.person, actor=admin, now=utcnow(), lifetime=DAYS)
    session.commit()
    entries = list_audit(session)
    assert [e.action for e in entries] == ["invitation.renewed", "invitation.created"]
    assert all(e.actor_id == admin.id and e.subject_id == invited.person.id for e in entries)
    assert all(e.action in AUDIT_ACTIONS for e in entries)
    assert f"stops {invited.invitation.id}" in entries[0].detail


def test_two_people_accepting_one_link_at_once_make_one_account(app, session, invite):
    invited = invite(email="pair@example.org")
    secret, person_id = invited.secret, invited.person.id
    users_before = session.scalar(select(func.count()).select_from(User))

    def accept(s, n):
        return accept_invitation(
            s, secret, display_name=f"name {n}", password=f"password-{n:04d}", now=utcnow()
        ).display_name

    results = run_together(app, 2, accept)
    names = [r for r in results if isinstance(r, str)]
    assert len(names) == 1, results
    [loser] = [r for r in results if not isinstance(r, str)]
    assert isinstance(loser, DomainError) and loser.code == "used_invitation"
    session.rollback()  # a fresh look, past the threads' commits
    assert session.get(User, person_id).display_name == names[0]
    assert session.scalar(select(func.count()).select_from(User)) == users_before


def test_a_password_needs_an_e_mail_address_to_log_in_with(session, invite):
    invited = invite()  # no e-mail address
    refused(
        "no_email_for_password", accept_invitation, session, invited.secret,
        display_name="一郎", password="long enough pw", now=utcnow(),
    )  # fmt: skip
    session.rollback()
    assert find_invitation(session, invited.secret, utcnow()).used_at is None
