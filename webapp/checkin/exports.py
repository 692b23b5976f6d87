"""The event's lists as CSV files for a spreadsheet: UTF-8 with a byte-order mark, which Excel
needs to read Japanese correctly."""

from __future__ import annotations

import csv
import io

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from webapp.checkin.services import (
    HOW,
    REASONS,
    how_checked_in,
    list_attendances,
    list_rejected_claims,
)
from webapp.events.models import Event

BOM = "\ufeff"
TIME_FORMAT = "yyyy-MM-dd HH:mm:ss"


def attendance_csv(session: Session, event: Event) -> str:
    rows = [
        [
            _name(a.user),
            format_datetime(a.checked_in_at, TIME_FORMAT),
            str(HOW[how_checked_in(a)]),
            _("On chain") if a.chain_job.on_chain else _("Pending"),
            a.chain_job.tx_hash if a.chain_job.on_chain else "",
            a.claim.recorded_by.display_name if a.claim.recorded_by else "",
        ]
        for a in list_attendances(session, event)
    ]
    header = [
        _("Name"),
        _("Checked in at"),
        _("How"),
        _("Badge"),
        _("Transaction"),
        _("Recorded by"),
    ]
    return _csv(header, rows)


def rejected_csv(session: Session, event: Event) -> str:
    rows = [
        [
            _name(claim.user),
            format_datetime(claim.received_at, TIME_FORMAT),
            format_datetime(claim.scanned_at, TIME_FORMAT),
            claim.reason or "",
            str(REASONS.get(claim.reason, "")),
        ]
        for claim in list_rejected_claims(session, event)
    ]
    header = [_("Name"), _("Received at"), _("Scanned at"), _("Reason code"), _("Reason")]
    return _csv(header, rows)


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_defused(cell) for cell in row] for row in rows])
    return BOM + out.getvalue()


def _defused(cell: str) -> str:
    """A name like `=HYPERLINK(...)` must stay text in a spreadsheet, not become a formula."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _name(user) -> str:
    """A closed account's name is forgotten: the list says so instead."""
    return _("Closed account") if user.is_closed else user.display_name
