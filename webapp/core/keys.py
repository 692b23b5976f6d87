"""Keys derived from the app's secret key, one per purpose: a key that signs member cards cannot
sign perk tickets, and neither is the secret key itself."""

from __future__ import annotations

import hashlib
import hmac


def derived_key(secret_key: str | bytes, purpose: bytes) -> bytes:
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(secret, purpose, hashlib.sha256).digest()
