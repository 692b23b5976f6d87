"""The API's input schemas: a batch of claims as the phone sends it, read into the check-in
domain's `ClaimInput`s. The whole batch is refused (nothing stored) if any part is malformed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l

from webapp.checkin.services import MAX_CODE_CHARS, ClaimInput
from webapp.core.db import storable
from webapp.core.errors import DomainError
from webapp.events.services import MAX_WORD_CHARS

MAX_ID_CHARS = 36
MAX_ACCOUNT_CHARS = 64


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
