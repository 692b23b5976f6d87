import pytest

from webapp.accounts.models import Role
from webapp.core.db import utcnow
from webapp.projects.services import activate_project, propose_project


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


@pytest.fixture
def make_project(session, member, admin):
    """A project `member` proposed and leads; active unless `active=False`."""

    def make(title="奈良井宿 灯りのまつり", lead=None, active=True, **fields):
        project = propose_project(
            session, member, title=title,
            purpose=fields.get("purpose", "宿場町を灯りで飾る\n二行目"),
            help_wanted=fields.get("help_wanted", "竹灯籠づくりの人手"), lead=lead or member,
            now=utcnow(),
        )  # fmt: skip
        if active:
            activate_project(session, project, now=utcnow(), approved_by=admin)
        session.commit()
        return project

    return make
