"""The moments and scan ids of the confirmation tests: a scan on a phone at 9:30, received at
10:00 (the conftest's `make_thread` posts at that moment)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

SCANNED_AT = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def new_claim_id() -> str:
    return str(uuid.uuid4())
