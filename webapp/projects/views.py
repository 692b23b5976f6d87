"""Projects for members (`/projects`): the list, proposing one, a project's page, joining and
leaving, closing it and giving its contributor badge. The administrators' approval page is
`projects.admin_views`."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.services import get_person
from webapp.core.access import member_required
from webapp.core.db import utcnow
from webapp.core.errors import DomainError, Forbidden
from webapp.extensions import db
from webapp.membership.services import is_member
from webapp.onchain.jobs import project_badge_token_id
from webapp.projects.forms import ProposeForm
from webapp.projects.services import (
    can_lead,
    close_project,
    ensure_leads,
    get_project,
    give_badges,
    is_in_project,
    join_project,
    leave_project,
    list_badge_holders,
    list_lead_candidates,
    list_project_events,
    list_project_members,
    list_projects,
    propose_project,
)

bp = Blueprint("projects", __name__)


@bp.get("/projects")
@member_required
def index():
    return render_template(
        "projects/index.html",
        projects=list_projects(db.session),
        member=is_member(db.session, current_user),
    )


@bp.route("/projects/new", methods=["GET", "POST"])
@member_required
def new():
    now = utcnow()
    member = is_member(db.session, current_user, now)
    form = ProposeForm()
    candidates = [c for c in list_lead_candidates(db.session, now) if c.id != current_user.id]
    form.lead_id.choices = [
        (current_user.id, _("Myself (%(name)s)", name=current_user.display_name))
    ]
    form.lead_id.choices += [(c.id, c.display_name) for c in candidates]
    if request.method == "GET":
        form.lead_id.data = current_user.id
    if member and form.validate_on_submit():
        try:
            project = propose_project(
                db.session, current_user, title=form.title.data or "",
                purpose=form.purpose.data or "", help_wanted=form.help_wanted.data or "",
                lead=get_person(db.session, form.lead_id.data), now=now,
            )  # fmt: skip
        except DomainError as error:
            db.session.rollback()
            form.title.errors = [*form.title.errors, str(error.message)]
        else:
            db.session.commit()
            flash(_("Your project was proposed."), "info")
            return redirect(url_for("projects.show", project_id=project.id))
    return render_template("projects/new.html", form=form, member=member)


@bp.get("/projects/<int:project_id>")
@member_required
def show(project_id: int):
    project = get_project(db.session, project_id)
    now = utcnow()
    events = list_project_events(db.session, project)
    holders = list_badge_holders(db.session, project)
    mine = next((badge for badge in holders if badge.user_id == current_user.id), None)
    return render_template(
        "projects/show.html",
        project=project,
        now=now,
        members=list_project_members(db.session, project),
        upcoming=[e for e in events if e.ends_at >= now],
        past=[e for e in events if e.ends_at < now][::-1],
        holders=holders,
        my_badge=mine,
        token_id=project_badge_token_id(project.id),
        member=is_member(db.session, current_user, now),
        joined=is_in_project(db.session, project, current_user),
        leads=can_lead(project, current_user),
        rule=current_app.config["PROJECT_APPROVAL"],
        everyone=_people_for_badge(project, holders),
    )


def _people_for_badge(project, holders) -> list:
    """The project's members who do not have its badge yet (the lead gives it to them); not
    those whose account is closed."""
    have = {badge.user_id for badge in holders}
    members = list_project_members(db.session, project)
    return [m for m in members if m.id not in have and m.closed_at is None]


@bp.post("/projects/<int:project_id>/join")
@member_required
def join(project_id: int):
    project = get_project(db.session, project_id)
    _act(lambda: join_project(db.session, project, current_user, now=utcnow()),
         _("You joined this project."))  # fmt: skip
    return redirect(url_for("projects.show", project_id=project.id))


@bp.post("/projects/<int:project_id>/leave")
@member_required
def leave(project_id: int):
    project = get_project(db.session, project_id)
    _act(lambda: leave_project(db.session, project, current_user, now=utcnow()),
         _("You left this project."))  # fmt: skip
    return redirect(url_for("projects.show", project_id=project.id))


@bp.post("/projects/<int:project_id>/close")
@member_required
def close(project_id: int):
    project = get_project(db.session, project_id)
    _act(lambda: close_project(db.session, project, actor=current_user, now=utcnow()),
         _("The project is closed."))  # fmt: skip
    return redirect(url_for("projects.show", project_id=project.id))


@bp.post("/projects/<int:project_id>/badges")
@member_required
def give(project_id: int):
    project = get_project(db.session, project_id)
    ensure_leads(project, current_user)
    ids = request.form.getlist("user_id", type=int)
    if not ids:
        flash(_("Choose at least one person."), "error")
        return redirect(url_for("projects.show", project_id=project.id))
    people = [get_person(db.session, user_id) for user_id in ids]
    _act(lambda: give_badges(db.session, project, current_user, people, now=utcnow()),
         _("The contributor badge is on its way."))  # fmt: skip
    return redirect(url_for("projects.show", project_id=project.id))


def _act(action, done: str) -> None:
    try:
        action()
    except Forbidden:  # not the lead: the page never offered it
        raise
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(done, "info")
