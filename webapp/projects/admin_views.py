"""The administrators' projects page (`/admin/projects`): the projects waiting for a decision,
each approved or declined (with a reason for its proposer), where the community's rule is an
administrator's approval (ENISHI_PROJECT_APPROVAL=admin)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core.access import admin_required, protect
from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.extensions import db
from webapp.projects.forms import DeclineForm, first_error
from webapp.projects.services import (
    APPROVAL_BY_ADMIN,
    approve_project,
    decline_by_admin,
    get_project,
    list_waiting_projects,
)

bp = Blueprint("projects_admin", __name__, url_prefix="/admin/projects")
protect(bp, admin_required)


@bp.get("")
def index():
    return render_template(
        "projects/admin.html",
        projects=list_waiting_projects(db.session),
        by_admin=_by_admin(),
        form=DeclineForm(),
    )


@bp.post("/<int:project_id>/approve")
def approve(project_id: int):
    project = get_project(db.session, project_id)
    _act(lambda: approve_project(db.session, project, admin=current_user, now=utcnow()),
         _("Approved: the project is active."))  # fmt: skip
    return redirect(url_for("projects_admin.index"))


@bp.post("/<int:project_id>/decline")
def decline(project_id: int):
    project = get_project(db.session, project_id)
    form = DeclineForm()
    if not form.validate():
        flash(first_error(form), "error")
        return redirect(url_for("projects_admin.index"))
    _act(lambda: decline_by_admin(db.session, project, admin=current_user, now=utcnow(),
                                  reason=form.reason.data or ""),
         _("Declined. The proposer can read why on the project's page."))  # fmt: skip
    return redirect(url_for("projects_admin.index"))


def _by_admin() -> bool:
    return current_app.config["PROJECT_APPROVAL"] == APPROVAL_BY_ADMIN


def _act(action, done: str) -> None:
    if not _by_admin():
        flash(_("Here projects become active when their proposal passes a vote."), "error")
        return
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(done, "info")
