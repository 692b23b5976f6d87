from datetime import UTC, datetime, timedelta

import pytest

from webapp.accounts.models import Role
from webapp.core.db import utcnow
from webapp.ledger.models import LedgerEntry
from webapp.membership.cards import card_code, card_key
from webapp.yui.services import PostDraft, create_post, open_thread

from .confirm_world import NOW as CONFIRM_NOW

# A Saturday morning in Shiojiri (fixed, so that "newest first" is the order written here).
NOW = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


@pytest.fixture
def give_coins(session):
    def give(user, amount):
        session.add(LedgerEntry(user_id=user.id, amount=amount, kind="reward", created_at=NOW))
        session.commit()

    return give


@pytest.fixture
def make_post(session):
    """A post on the board, `minutes` after NOW (a request for snow clearing unless told)."""

    def make(person, *, author=None, minutes=0, **fields):
        draft = PostDraft(
            kind=fields.get("kind", "request"),
            category=fields.get("category", "snow"),
            area=fields.get("area", "daimon"),
            title=fields.get("title", "玄関前の雪かき"),
            body=fields.get("body", "朝のうちにお願いしたいです。"),
            when_text=fields.get("when_text", "土曜の朝"),
            coins=fields.get("coins", 0),
        )
        post = create_post(
            session, draft, author=author or person, for_user=person,
            now=NOW + timedelta(minutes=minutes),
        )  # fmt: skip
        session.commit()
        return post

    return make


@pytest.fixture
def key(app) -> bytes:
    return card_key(app.secret_key)


@pytest.fixture
def card(key):
    """The text of a member's card QR code."""
    return lambda user: card_code(user.id, key)


@pytest.fixture
def give(session):
    """Credits a member's ledger, as confirmed rewards would."""

    def give(user, amount: int):
        session.add(LedgerEntry(user_id=user.id, amount=amount, kind="reward", created_at=utcnow()))
        session.commit()

    return give


@pytest.fixture
def make_thread(session):
    """A post of `kind` for `person` (written by `author`, the person themselves by default)
    and the thread `responder` opened on it."""

    def make(person, responder, *, kind="request", coins=0, author=None, category="snow"):
        draft = PostDraft(kind=kind, category=category, area="daimon", title="雪かきをお願い",
                          coins=coins)  # fmt: skip
        post = create_post(
            session, draft, author=author or person, for_user=person, now=CONFIRM_NOW
        )
        thread = open_thread(session, post, responder, CONFIRM_NOW)
        session.commit()
        return thread

    return make
