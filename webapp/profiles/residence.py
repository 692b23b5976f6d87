"""Where members live: the only writer of `residences`, and the one way to read where a
member lived at a moment (the community's figures count people by it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.core.db import utcnow
from webapp.profiles.models import Area, Residence

# The order the figures and the choices show them in.
AREAS: tuple[Area, ...] = (Area.CITY, Area.PREFECTURE, Area.OUTSIDE, Area.UNKNOWN)


def set_residence(
    session: Session, user_id: int, area: Area | str, now: datetime | None = None
) -> bool:
    """Records that the member lives in `area` from now on; False when that is what they had
    said already (no row is added). A move keeps the earlier rows: past figures stay as they
    were."""
    area = Area(area)
    if residence_of(session, user_id) == area:
        return False
    session.add(Residence(user_id=user_id, area=area, since=now or utcnow()))
    session.flush()
    return True


def residence_of(session: Session, user_id: int, at: datetime | None = None) -> Area:
    """Where the member lived at `at` (now when None); UNKNOWN when they had not said."""
    area = session.scalar(
        select(Residence.area)
        .where(Residence.user_id == user_id, *_before(at))
        .order_by(Residence.since.desc(), Residence.id.desc())
        .limit(1)
    )
    return Area(area) if area else Area.UNKNOWN


def areas_at(session: Session, at: datetime) -> dict[int, Area]:
    """Where every member who had said so lived just before `at` (one read of the whole
    history: it is a few rows per member). Members missing from it are UNKNOWN."""
    rows = session.execute(
        select(Residence.user_id, Residence.area)
        .where(Residence.since < at)
        .order_by(Residence.user_id, Residence.since, Residence.id)
    )
    return {user_id: Area(area) for user_id, area in rows}


def _before(at: datetime | None) -> tuple:
    return () if at is None else (Residence.since <= at,)
