"""Passkeys (WebAuthn): a person logs in with their phone's fingerprint or face, without typing
an e-mail address (the passkey is discoverable: it names its account itself). The only writer of
passkeys.

A ceremony's challenge is made with the page that asks for the passkey, kept in the person's
session (`challenges`, a mapping the caller passes: the Flask session) for a few minutes, and
used once. The account a passkey names (its user handle) is an opaque id derived from the site's
secret key: it tells nothing about who the person is.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from webapp.accounts.models import LoginCard, Passkey, User
from webapp.core.errors import DomainError, NotFound

# How long a page that asks for a passkey stays usable, and how many such pages (tabs) one
# browser may have open at once.
CHALLENGE_LIFETIME = timedelta(minutes=5)
KEPT_CHALLENGES = 5
SESSION_KEY = "passkey_challenges"
LOGIN, REGISTER = "login", "register"


@dataclass(frozen=True)
class RelyingParty:
    """The site a passkey belongs to: its host name (the passkey's RP id) and origin."""

    id: str
    origin: str
    name: str


def relying_party(site_url: str, name: str) -> RelyingParty:
    """The relying party of the site at `site_url` (ENISHI_BASE_URL, or the address the page
    was opened at)."""
    parts = urlsplit(site_url)
    return RelyingParty(
        id=parts.hostname or "", origin=f"{parts.scheme}://{parts.netloc}", name=name
    )


def user_handle(user: User, secret_key: str | bytes) -> bytes:
    """The opaque id a passkey keeps for its account: the same for every passkey of a person,
    and neither their id nor their e-mail address."""
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(key, b"enishi passkey user %d" % user.id, hashlib.sha256).digest()


# -- challenges -----------------------------------------------------------------------------


def _keep_challenge(challenges: MutableMapping, purpose: str, challenge: bytes, now: datetime):
    kept = dict(challenges.get(SESSION_KEY) or {})
    live = [c for c in kept.get(purpose, []) if c[1] > now.timestamp()]
    live.append([bytes_to_base64url(challenge), (now + CHALLENGE_LIFETIME).timestamp()])
    kept[purpose] = live[-KEPT_CHALLENGES:]
    challenges[SESSION_KEY] = kept  # assigned anew: the session notices the change


def _take_challenge(
    challenges: MutableMapping, purpose: str, client_data_json: bytes, now: datetime
) -> bytes:
    """The challenge the browser signed, if this session was given it for `purpose` and it is
    still fresh; it cannot be used again. Else the page is too old (or the answer forged)."""
    try:
        sent = json.loads(client_data_json)["challenge"]
    except (ValueError, KeyError, TypeError) as error:
        raise _malformed() from error
    kept = dict(challenges.get(SESSION_KEY) or {})
    entries = kept.get(purpose, [])
    found = next((c for c in entries if isinstance(sent, str) and c[0] == sent), None)
    if found is not None:
        kept[purpose] = [c for c in entries if c is not found]
        challenges[SESSION_KEY] = kept
    if found is None or found[1] <= now.timestamp():
        raise DomainError(
            "stale_challenge",
            _l("This page was open too long or came from elsewhere. Please try again."),
        )
    return base64url_to_bytes(sent)


def _malformed() -> DomainError:
    return DomainError(
        "bad_passkey_answer", _l("The passkey's answer could not be read. Please try again.")
    )


# -- registering ----------------------------------------------------------------------------


def registration_options(
    session: Session,
    user: User,
    rp: RelyingParty,
    secret_key: str | bytes,
    challenges: MutableMapping,
    now: datetime,
) -> dict:
    """The options (as JSON reads them) a page hands to `navigator.credentials.create()` to
    make a passkey for `user`: kept on the device (discoverable), unlocked by fingerprint or
    face."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=user_handle(user, secret_key),
        user_name=user.email or user.display_name,
        user_display_name=user.display_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(passkey.credential_id))
            for passkey in list_passkeys(session, user)
        ],
    )
    _keep_challenge(challenges, f"{REGISTER}:{user.id}", options.challenge, now)
    return json.loads(options_to_json(options))


def register_passkey(
    session: Session,
    user: User,
    credential: str,
    *,
    rp: RelyingParty,
    challenges: MutableMapping,
    name: str,
    now: datetime,
) -> Passkey:
    """Keeps the passkey the browser made (`credential`, its JSON) for `user`, named `name`
    (the browser and system it was made on)."""
    try:
        parsed = parse_registration_credential_json(credential)
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise _malformed() from error
    purpose = f"{REGISTER}:{user.id}"
    challenge = _take_challenge(challenges, purpose, parsed.response.client_data_json, now)
    try:
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise DomainError(
            "passkey_refused", _l("The passkey could not be checked. Please try again.")
        ) from error
    credential_id = bytes_to_base64url(verified.credential_id)
    if _find(session, credential_id) is not None:
        raise DomainError("passkey_known", _l("This passkey is already added."))
    known = {t.value for t in AuthenticatorTransport}
    transports = [t.value for t in parsed.response.transports or [] if t.value in known]
    passkey = Passkey(
        user_id=user.id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(transports)[:200],
        name=name[:100],
        created_at=now,
    )
    session.add(passkey)
    session.flush()
    return passkey


# -- logging in -----------------------------------------------------------------------------


def login_options(rp: RelyingParty, challenges: MutableMapping, now: datetime) -> dict:
    """The options (as JSON reads them) the login page hands to `navigator.credentials.get()`:
    no account named, so the phone offers the passkeys it holds for this site."""
    options = generate_authentication_options(
        rp_id=rp.id, user_verification=UserVerificationRequirement.REQUIRED
    )
    _keep_challenge(challenges, LOGIN, options.challenge, now)
    return json.loads(options_to_json(options))


def authenticate_passkey(
    session: Session,
    credential: str,
    *,
    rp: RelyingParty,
    secret_key: str | bytes,
    challenges: MutableMapping,
    now: datetime,
) -> User:
    """The person whose passkey signed this session's login challenge (`credential`, the
    browser's JSON). Refused: a stale or forged challenge, a passkey nobody here added, a
    signature that does not verify, an account that is closed."""
    try:
        parsed = parse_authentication_credential_json(credential)
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise _malformed() from error
    challenge = _take_challenge(challenges, LOGIN, parsed.response.client_data_json, now)
    passkey = _find(session, bytes_to_base64url(parsed.raw_id))
    if passkey is None:
        raise DomainError(
            "unknown_passkey",
            _l("This passkey is not added to any account here. Log in another way."),
        )
    user = session.get(User, passkey.user_id)
    handle = parsed.response.user_handle
    if handle is not None and not hmac.compare_digest(handle, user_handle(user, secret_key)):
        raise DomainError("unknown_passkey", _l("This passkey does not belong to its account."))
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise DomainError(
            "passkey_refused", _l("The passkey could not be checked. Please try again.")
        ) from error
    if not user.active or user.closed_at is not None:
        raise DomainError("account_closed", _l("This account cannot log in."), status=403)
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = now
    session.flush()
    return user


# -- the person's passkeys ----------------------------------------------------------------


def list_passkeys(session: Session, user: User) -> list[Passkey]:
    query = select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.id)
    return list(session.scalars(query))


def remove_passkey(session: Session, user: User, passkey_id: int) -> Passkey:
    """Removes one of `user`'s passkeys, unless it is their last way to log in (no password,
    no login card that works, no other passkey)."""
    # Locked: two removals at once must not both see the other passkey still there.
    session.execute(select(User.id).where(User.id == user.id).with_for_update())
    passkey = session.scalar(
        select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.id)
    )
    if passkey is None:
        raise NotFound("no_passkey", _l("This passkey is already removed."))
    if count_passkeys(session, user) == 1 and not _other_ways(session, user):
        raise DomainError(
            "last_way_to_log_in",
            _l(
                "This passkey is your only way to log in. Set a password or add another "
                "passkey first."
            ),
        )
    session.delete(passkey)
    session.flush()
    return passkey


def count_passkeys(session: Session, user: User) -> int:
    query = select(func.count()).select_from(Passkey).where(Passkey.user_id == user.id)
    return session.scalar(query)


def has_a_way_in(session: Session, user: User) -> bool:
    """Whether `user` can log in on a new phone: a passkey, a password (with its e-mail
    address) or a login card that works. Someone who joined choosing a printed card has none
    until the office prints it: their page says so."""
    return count_passkeys(session, user) > 0 or _other_ways(session, user)


def _other_ways(session: Session, user: User) -> bool:
    """Whether `user` can log in without a passkey: with a password (and the e-mail address it
    goes with) or a login card."""
    if user.password_hash and user.email:
        return True
    card = select(LoginCard.id).where(LoginCard.user_id == user.id, LoginCard.revoked_at.is_(None))
    return session.scalar(card.limit(1)) is not None


def _find(session: Session, credential_id: str) -> Passkey | None:
    return session.scalar(select(Passkey).where(Passkey.credential_id == credential_id))


def forget_passkeys(session: Session, user: User) -> int:
    """Removes every passkey of `user` (their account is closed: nothing of theirs may log in
    again); how many there were."""
    passkeys = list_passkeys(session, user)
    for passkey in passkeys:
        session.delete(passkey)
    session.flush()
    return len(passkeys)
