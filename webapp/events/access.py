"""The guard for an event's own pages: only its organisers (and administrators) pass."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user

from webapp.core.access import organiser_required
from webapp.events.services import get_managed_event
from webapp.extensions import db


def event_organiser_required(view):
    """Guards a view of one event: its `event_id` becomes the `event`, if the current user runs
    it (404 for no such event, 403 for someone else's)."""

    @wraps(view)
    def guarded(event_id: int, **kwargs):
        return view(event=get_managed_event(db.session, current_user, event_id), **kwargs)

    return organiser_required(guarded)
