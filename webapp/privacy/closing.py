"""Closing one's own account: confirmed with the password (or, for someone who has none, by
typing a word), then the app forgets the person (accounts.closing) and says so in the audit
log. A card they hold is taken back (burned on chain): it would name an account nobody holds;
their badges stay on chain, as anonymous records. A Discord connection is forgotten."""

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
from webapp.core.errors import DomainError
from webapp.discord.client import get_discord_client
from webapp.discord.services import disconnect
from webapp.discord.settings import get_application
from webapp.membership.services import get_membership, revoke_membership


def confirmation_word() -> str:
    """The word someone without a password types to confirm (in the page's language)."""
    return _("close")


def close_account(
    session: Session, user: User, *, now: datetime, password: str = "", word: str = ""
) -> None:
    if user.is_closed:
        raise DomainError("already_closed", _l("This account is already closed."))
    if user.password_hash is not None:
        if not confirm_password(user, password):
            raise DomainError(
                "wrong_password", _l("Your password is not right: the account stays open.")
            )
    elif _normal(word) not in {_normal(confirmation_word()), "close"}:
        raise DomainError("wrong_word", _l("Type the word as it is shown: the account stays open."))
    if get_membership(session, user) is not None:
        try:
            revoke_membership(session, user, actor=user, now=now, reason="account closed")
        except DomainError:  # taken back before: nothing left to burn
            pass
    # Its roles cleared on Discord when it can be, its tokens forgotten.
    disconnect(session, user, get_application(session), get_discord_client(), now)
    forget_person(session, user, now)
    record_audit(session, actor=user, action="account.closed", now=now, subject=user)


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()
