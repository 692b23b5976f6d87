"""The API's input schemas: a batch of claims as the phone sends it, read into the check-in
domain's `ClaimInput`s, and a batch of 結い confirmations, read into `ConfirmationClaim`s. The
whole batch is refused (nothing stored) if any part is malformed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l

from webapp.checkin.services import MAX_CODE_CHARS, ClaimInput
from webapp.core.db import MAX_INTEGER, storable
from webapp.core.errors import DomainError
from webapp.events.services import MAX_WORD_CHARS
from webapp.yui.confirmations import ConfirmationClaim

MAX_ID_CHARS = 36
MAX_ACCOUNT_CHARS = 64
# A member card's text is 29 characters (webapp.membership.cards); a little room for what else a
# camera may read, which is then answered "not_a_card".
MAX_CARD_CHARS = 64
# The most scans one POST /api/v1/yui/confirmations takes: a phone holds a few at most.
CONFIRMATION_BATCH_LIMIT = 20


def parse_claims(payload, limit: int) -> list[ClaimInput]:
    """Reads a batch `{"claims": [{"id", "code", "scanned_at"}, ...]}`; the whole batch is
    refused (nothing stored) if any part of its shape is wrong."""
    if not isinstance(payload, dict) or not isinstance(payload.get("claims"), list):
        raise DomainError("malformed_batch", _l('Send a JSON object with a "claims" list.'))
    items = payload["claims"]
    if not items:
        raise DomainError("malformed_batch", _l("The batch has no claims."))
    if len(items) > limit:
        raise DomainError(
            "batch_too_large", _l("Send at most %(limit)s claims at once.", limit=limit)
        )
    return [_parse_claim(item, index) for index, item in enumerate(items)]


def claim_accounts(payload) -> set[str]:
    """The accounts a (parsed, so well-formed) batch's claims say they belong to."""
    return {item["account"] for item in payload["claims"] if item.get("account") is not None}


def _parse_claim(item, index: int) -> ClaimInput:
    def refuse(what):
        return DomainError("malformed_batch", _l("Claim %(n)s: %(what)s", n=index + 1, what=what))

    if not isinstance(item, dict):
        raise refuse(_l("not an object."))
    claim_id, code, scanned_at = item.get("id"), item.get("code"), item.get("scanned_at")
    if not isinstance(claim_id, str) or len(claim_id) > MAX_ID_CHARS:
        raise refuse(_l('"id" must be a UUID.'))
    try:
        claim_id = str(uuid.UUID(claim_id))
    except ValueError:
        raise refuse(_l('"id" must be a UUID.')) from None
    if not _text(code, MAX_CODE_CHARS) or not code.strip():
        raise refuse(_l('"code" must be the scanned text.'))
    if not isinstance(scanned_at, str):
        raise refuse(_l('"scanned_at" must be an ISO 8601 time.'))
    try:
        when = datetime.fromisoformat(scanned_at.replace("Z", "+00:00"))
    except ValueError:
        raise refuse(_l('"scanned_at" must be an ISO 8601 time.')) from None
    if when.tzinfo is None:
        raise refuse(_l('"scanned_at" needs a time zone (e.g. "Z").'))
    try:  # stored in UTC: a time at the edge of the calendar may have no UTC equivalent
        when = when.astimezone(UTC)
    except OverflowError:
        raise refuse(_l('"scanned_at" must be an ISO 8601 time.')) from None
    offline = item.get("offline", False)
    if not isinstance(offline, bool):
        raise refuse(_l('"offline" must be true or false.'))
    account = item.get("account")
    if account is not None and (not isinstance(account, str) or len(account) > MAX_ACCOUNT_CHARS):
        raise refuse(_l('"account" must be the account id the session gave.'))
    word = item.get("word")
    if word is not None and not _text(word, MAX_WORD_CHARS):
        raise refuse(_l('"word" must be the secret word as typed.'))
    return ClaimInput(id=claim_id, code=code, scanned_at=when, offline=offline, word=word)


def _text(value, max_chars: int) -> bool:
    """Text the claim can be stored with."""
    return isinstance(value, str) and len(value) <= max_chars and storable(value)


def parse_confirmations(payload, limit: int) -> list[ConfirmationClaim]:
    """Reads a batch of face-to-face confirmations `{"confirmations": [{"claim_id",
    "thread_id", "card", "scanned_at"}, ...]}` (each may say its `account`, as a check-in
    claim does); the whole batch is refused (nothing stored) if any part of its shape is
    wrong."""
    if not isinstance(payload, dict) or not isinstance(payload.get("confirmations"), list):
        raise DomainError("malformed_batch", _l('Send a JSON object with a "confirmations" list.'))
    items = payload["confirmations"]
    if not items:
        raise DomainError("malformed_batch", _l("The batch has no confirmations."))
    if len(items) > limit:
        raise DomainError(
            "batch_too_large", _l("Send at most %(limit)s confirmations at once.", limit=limit)
        )
    return [_parse_confirmation(item, index) for index, item in enumerate(items)]


def confirmation_accounts(payload) -> set[str]:
    """The accounts a (parsed, so well-formed) batch's confirmations say they belong to."""
    return {item["account"] for item in payload["confirmations"] if item.get("account") is not None}


def _parse_confirmation(item, index: int) -> ConfirmationClaim:
    def refuse(what):
        return DomainError(
            "malformed_batch", _l("Confirmation %(n)s: %(what)s", n=index + 1, what=what)
        )

    if not isinstance(item, dict):
        raise refuse(_l("not an object."))
    claim_id = _uuid(item.get("claim_id"))
    if claim_id is None:
        raise refuse(_l('"claim_id" must be a UUID.'))
    thread_id = item.get("thread_id")
    if isinstance(thread_id, bool) or not isinstance(thread_id, int):
        raise refuse(_l('"thread_id" must be the conversation\'s number.'))
    if not 0 < thread_id <= MAX_INTEGER:
        raise refuse(_l('"thread_id" must be the conversation\'s number.'))
    card = item.get("card")
    if not _text(card, MAX_CARD_CHARS) or not card.strip():
        raise refuse(_l('"card" must be the scanned member card\'s text.'))
    when = _moment(item.get("scanned_at"))
    if when is None:
        raise refuse(_l('"scanned_at" must be an ISO 8601 time with a time zone.'))
    if not isinstance(item.get("offline", False), bool):
        raise refuse(_l('"offline" must be true or false.'))
    account = item.get("account")
    if account is not None and (not isinstance(account, str) or len(account) > MAX_ACCOUNT_CHARS):
        raise refuse(_l('"account" must be the account id the session gave.'))
    return ConfirmationClaim(claim_id=claim_id, thread_id=thread_id, card=card, scanned_at=when)


def _uuid(value) -> str | None:
    if not isinstance(value, str) or len(value) > MAX_ID_CHARS:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _moment(value) -> datetime | None:
    """An ISO 8601 time with a time zone, in UTC; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    try:  # stored in UTC: a time at the edge of the calendar may have no UTC equivalent
        return when.astimezone(UTC)
    except OverflowError:
        return None
