"""Closing one's own account: confirmed with the password (or, for someone who has none, by
typing a word), then the app forgets the person (accounts.closing) and says so in the audit
log. A card they hold is taken back (burned on chain): it would name an account nobody holds;
their badges stay on chain, as anonymous records. Their seats at events to come go to those
waiting, and their open posts on the 結い board are taken down (the coins they held given
back). Their profile and tags are deleted; where they lived (a coarse area and its day) stays
for the community's past figures. The roles of a Discord connection are cleared first, with no
transaction open while Discord answers (`clear_discord_roles`, after `confirm_closing`); then
the connection is forgotten, or, if Discord did not take it, left apart from the person for
the discord round to clear."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from webapp.accounts.audit import record_audit
from webapp.accounts.closing import forget_person
from webapp.accounts.models import User
from webapp.accounts.services import confirm_password
from webapp.checkin.rsvps import release_seats
from webapp.core.errors import DomainError
from webapp.discord.client import get_discord_client
from webapp.discord.services import Login, clear_roles, forget_connection, get_connection
from webapp.discord.settings import get_application
from webapp.membership.services import get_membership, revoke_membership
from webapp.profiles.services import forget_profile
from webapp.yui.services import withdraw_posts_of


def confirmation_word() -> str:
    """The word someone without a password types to confirm (in the page's language)."""
    return _("close")


def confirm_closing(user: User, *, password: str = "", word: str = "") -> None:
    """Refuses, before anything is done, a closing not confirmed: with the password, or, for
    someone who has none, the word."""
    if user.is_closed:
        raise DomainError("already_closed", _l("This account is already closed."))
    if user.password_hash is not None:
        if not confirm_password(user, password):
            raise DomainError(
                "wrong_password", _l("Your password is not right: the account stays open.")
            )
    elif _normal(word) not in {_normal(confirmation_word()), "close"}:
        raise DomainError("wrong_word", _l("Type the word as it is shown: the account stays open."))


def clear_discord_roles(session: Session, user: User, now: datetime) -> bool:
    """Empties the closing member's role data on Discord when it can. Ends the caller's
    transaction before it calls Discord (no database lock is held while Discord answers), so
    the caller confirms the closing first. Whether Discord took it (False with no
    connection)."""
    connection = get_connection(session, user)
    if connection is None:
        return False
    login, application = Login.of(connection), get_application(session)
    session.commit()
    return clear_roles(login, application, get_discord_client(), now)


def close_account(
    session: Session, user: User, *, now: datetime, discord_cleared: bool = False
) -> None:
    """Closes an account whose closing `confirm_closing` accepted (after
    `clear_discord_roles`, which says whether Discord took the emptied role data: if not, the
    round clears it)."""
    if user.is_closed:
        raise DomainError("already_closed", _l("This account is already closed."))
    if get_membership(session, user) is not None:
        try:
            revoke_membership(session, user, actor=user, now=now, reason="account closed")
        except DomainError:  # taken back before: nothing left to burn
            pass
    release_seats(session, user, now)  # their seats at events to come go to those waiting
    withdraw_posts_of(session, user, now)  # no one could meet them to confirm a help
    forget_connection(session, user, cleared=discord_cleared)  # its Discord tokens
    # The profile and its tags go. Where they lived stays: only the coarse area (市内 / 県内 /
    # 県外) with its day, under no name, which the community's figures of past months count
    # by; removing it would change figures already reported to the town.
    forget_profile(session, user.id)
    forget_person(session, user, now)
    record_audit(session, actor=user, action="account.closed", now=now, subject=user)


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()
