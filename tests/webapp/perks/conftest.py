import pytest

from webapp.core.db import utcnow
from webapp.ledger.models import LedgerEntry
from webapp.perks.services import add_staff, create_partner, create_perk


@pytest.fixture
def shop(session):
    partner = create_partner(session, name_ja="塩尻ワイナリー", place="塩尻市洗馬")
    session.commit()
    return partner


@pytest.fixture
def make_perk(session, shop):
    def make(partner=None, **fields):
        fields = {
            "title_ja": "グラスワイン1杯",
            "title_en": "A glass of wine",
            "price": 30,
        } | fields
        perk = create_perk(session, partner or shop, **fields)
        session.commit()
        return perk

    return make


@pytest.fixture
def staff(session, make_user, shop):
    user = make_user(member=False)
    add_staff(session, shop, user.email)
    session.commit()
    return user


@pytest.fixture
def give(session):
    """Credits a member's ledger, as confirmed rewards would."""

    def give(user, amount: int):
        session.add(LedgerEntry(user_id=user.id, amount=amount, kind="reward", created_at=utcnow()))
        session.commit()

    return give
