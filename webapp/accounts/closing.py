"""Closing an account, on the accounts' side: the app forgets the person (name, e-mail address,
password), logs every device of theirs out and stops whatever could let them in again (login
cards, passkeys, open invitations). The rows that other records point to stay: the user row
(under no name), their check-ins, badges and coins; the chain keeps its soulbound badges as
anonymous records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts.devices import end_every_device_session, revoke_login_card
from webapp.accounts.invitations import stop_invitations
from webapp.accounts.models import LoginCard, User
from webapp.accounts.passkeys import forget_passkeys
from webapp.accounts.services import forget_user

# What is kept in place of a closed account's name: no word of any language (the pages that list
# people say "closed account" in the reader's), and not empty, for the pages that print it as is.
CLOSED_NAME = "—"


def forget_person(session: Session, user: User, now: datetime) -> None:
    session.execute(select(User.id).where(User.id == user.id).with_for_update())
    forget_user(session, user, closed_name=CLOSED_NAME, now=now)
    end_every_device_session(session, user, now)
    live_cards = select(LoginCard).where(
        LoginCard.user_id == user.id, LoginCard.revoked_at.is_(None)
    )
    for card in session.scalars(live_cards):
        revoke_login_card(session, card, now)
    forget_passkeys(session, user)
    stop_invitations(session, user, now)
    session.flush()
