"""The administrators' audit log (`/admin/audit`): who did what to whose account, and when;
filtered by action and by person, a page at a time, or downloaded as CSV."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from webapp.accounts.audit import AUDIT_ACTIONS
from webapp.accounts.audit_log import (
    AuditFilter,
    audit_csv,
    get_audit_person,
    list_audit_page,
    person_name,
)
from webapp.core.access import admin_required, protect
from webapp.core.db import utcnow
from webapp.core.http import no_store
from webapp.core.i18n import local_zone
from webapp.extensions import db

bp = Blueprint("accounts_admin", __name__, url_prefix="/admin/audit")
protect(bp, admin_required)


@bp.get("")
def audit():
    wanted = AuditFilter.from_args(request.args)
    return render_template(
        "accounts/audit.html",
        wanted=wanted,
        found=list_audit_page(db.session, wanted, request.args.get("page", 1, type=int)),
        person=get_audit_person(db.session, wanted),
        person_name=person_name,
        audit_actions=AUDIT_ACTIONS,
    )


@bp.get("/audit.csv")
@no_store
def export():
    wanted = AuditFilter.from_args(request.args)
    day = utcnow().astimezone(local_zone()).strftime("%Y%m%d")
    response = Response(audit_csv(db.session, wanted), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="audit-{day}.csv"'
    return response
