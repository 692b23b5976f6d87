"""The administrators' audit log (`/admin/audit`): who did what to whose account, and when."""

from __future__ import annotations

from flask import Blueprint, render_template

from webapp.accounts.audit import AUDIT_ACTIONS, list_audit
from webapp.core.access import admin_required, protect
from webapp.extensions import db

bp = Blueprint("accounts_admin", __name__, url_prefix="/admin/audit")
protect(bp, admin_required)


@bp.get("")
def audit():
    return render_template(
        "accounts/audit.html", entries=list_audit(db.session), audit_actions=AUDIT_ACTIONS
    )
