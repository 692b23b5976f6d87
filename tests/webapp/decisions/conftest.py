from datetime import timedelta

import pytest

from webapp.core.db import utcnow
from webapp.decisions.services import open_proposal

DAY = timedelta(days=1)


@pytest.fixture
def opened_at():
    """When the tests' proposals open: talk for a day, then a day of voting."""
    return utcnow()


@pytest.fixture
def propose(session, member, opened_at):
    def make(author=None, *, options=None, discussion_days=1, voting_days=1, **fields):
        proposal = open_proposal(
            session,
            author or member,
            title=fields.pop("title", "公民館に本棚を置く"),
            body=fields.pop("body", "みんなで本を持ち寄りましょう。"),
            options=options,
            discussion_days=discussion_days,
            voting_days=voting_days,
            min_turnout_percent=fields.pop("min_turnout_percent", 10),
            now=opened_at,
            **fields,
        )
        session.commit()
        return proposal

    return make


@pytest.fixture
def members(make_user):
    """`members(n)`: n more card holders."""
    return lambda n: [make_user() for _ in range(n)]


@pytest.fixture
def admin(make_user):
    from webapp.accounts.models import Role

    return make_user(Role.ADMIN)
