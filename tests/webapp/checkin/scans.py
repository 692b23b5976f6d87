import uuid
from datetime import datetime

from webapp.checkin import codes
from webapp.checkin.services import ClaimInput
from webapp.core.db import utcnow


def code_for(event, moment: datetime | None = None) -> str:
    return codes.make_token(event.id, event.secret, codes.slot_at(moment or utcnow()))


def claim(code: str, claim_id: str | None = None) -> ClaimInput:
    return ClaimInput(id=claim_id or str(uuid.uuid4()), code=code, scanned_at=utcnow())
