"""Events by place for a period: at each venue, the events held (started by now) and their
check-ins, for the report to the town (where the community meets, and how many come there).

One query: the period's events (a few hundred at most) each count their attendances through the
index on attendances.event_id, and the venues sum them; the 200,000 attendances are never read
whole. A venue is grouped as the organisers typed it, with its outer spaces trimmed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.checkin.models import Attendance
from webapp.community.periods import Period
from webapp.events.models import Event


@dataclass(frozen=True)
class PlaceFigure:
    venue: str
    events_held: int
    checkins: int


def places(session: Session, period: Period, now: datetime, zone: tzinfo) -> list[PlaceFigure]:
    """The venues of the events held in `period`, most check-ins first."""
    checkins = (
        select(func.count())
        .select_from(Attendance)
        .where(Attendance.event_id == Event.id)
        .correlate(Event)
        .scalar_subquery()
    )
    held = (
        select(func.trim(Event.venue).label("venue"), checkins.label("checkins"))
        .where(Event.starts_at >= period.start(zone), Event.starts_at < min(period.end(zone), now))
        .subquery()
    )
    rows = session.execute(
        select(held.c.venue, func.count(), func.coalesce(func.sum(held.c.checkins), 0)).group_by(
            held.c.venue
        )
    )
    found = [PlaceFigure(venue, int(events), int(count)) for venue, events, count in rows]
    return sorted(found, key=lambda place: (-place.checkins, -place.events_held, place.venue))
