"""Proposals and votes for members (`/decisions`): the list, a new proposal, a proposal's page
(vote, change the vote, the result and its check), the ballots' CSV. The meeting desk, where
an organiser records the votes of members without a phone, is `decisions.meeting_views`."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core.access import member_required
from webapp.core.db import utcnow, writes_database
from webapp.core.errors import DomainError
from webapp.core.http import no_store
from webapp.decisions import results
from webapp.decisions.models import ProposalStatus
from webapp.decisions.record import chain_record
from webapp.decisions.services import (
    advance,
    advance_due,
    ballots_csv,
    cast_vote,
    count_votes,
    get_ballot,
    get_proposal,
    in_electorate,
    list_proposals,
    open_proposal,
    voter_reference,
)
from webapp.extensions import db
from webapp.membership.services import is_member
from webapp.onchain.connection import get_chain_client
from webapp.projects.services import get_project

bp = Blueprint("decisions", __name__, url_prefix="/decisions")

# The form offers this many options (a proposal may have up to services.MAX_OPTIONS).
FORM_OPTIONS = 5


@bp.get("")
@writes_database  # a proposal whose time has come moves on before it is listed
@member_required
def index():
    now = utcnow()
    if advance_due(db.session, now):
        db.session.commit()
    proposals = list_proposals(db.session)
    return render_template(
        "decisions/index.html",
        proposals=proposals,
        now=now,
        can_propose=is_member(db.session, current_user, now),
    )


@bp.get("/new")
@member_required
def new():
    return _new_form({})


@bp.post("/new")
@member_required
def create():
    form = request.form
    project_id = form.get("project_id", type=int)
    if form.get("project_id") and project_id is None:  # not a number: a tampered form
        return _new_form(form, error=_("There is no such project.")), 400
    try:
        proposal = open_proposal(
            db.session,
            current_user,
            title=form.get("title", ""),
            body=form.get("body", ""),
            options=form.getlist("option") if form.get("kind") == "choice" else None,
            discussion_days=form.get("discussion_days", type=int, default=-1),
            voting_days=form.get("voting_days", type=int, default=-1),
            min_turnout_percent=current_app.config["VOTE_MIN_TURNOUT_PERCENT"],
            now=utcnow(),
            project=get_project(db.session, project_id) if project_id else None,
            approval_rule=current_app.config["PROJECT_APPROVAL"],
        )
    except DomainError as error:
        db.session.rollback()
        return _new_form(form, error=str(error.message)), 422
    db.session.commit()
    flash(_("Your proposal is open."), "info")
    return redirect(url_for("decisions.show", proposal_id=proposal.id))


def _new_form(values, error: str | None = None) -> str:
    source = request.form if values else request.args
    project_id = source.get("project_id", type=int)
    project = get_project(db.session, project_id) if project_id else None
    return render_template(
        "decisions/new.html",
        values=values,
        error=error,
        project=project,
        form_options=FORM_OPTIONS,
        min_turnout=current_app.config["VOTE_MIN_TURNOUT_PERCENT"],
        can_propose=is_member(db.session, current_user, utcnow()),
    )


@bp.get("/<int:proposal_id>")
@writes_database  # voting starts or ends on the first look after its time
@member_required
@no_store
def show(proposal_id: int):
    now = utcnow()
    proposal = get_proposal(db.session, proposal_id)
    if advance(db.session, proposal, now):
        db.session.commit()
    ballot = get_ballot(db.session, proposal, current_user)
    tally = tuple(proposal.tally) if proposal.is_closed else count_votes(db.session, proposal)
    return render_template(
        "decisions/show.html",
        proposal=proposal,
        now=now,
        ballot=ballot,
        may_vote=in_electorate(db.session, proposal, current_user),
        reference=voter_reference(proposal, current_user.id),
        votes=sum(tally),
        tally=tally,
        turnout=results.turnout_percent(sum(tally), proposal.electorate_size or 0),
        record=chain_record(db.session, proposal, _read_decision) if proposal.is_closed else None,
        explorer=current_app.config["EXPLORER_TX_URL"],
        Status=ProposalStatus,
    )


def _read_decision(proposal_id: int):
    return get_chain_client(db.session).read_decision(proposal_id)


@bp.post("/<int:proposal_id>/vote")
@member_required
def vote(proposal_id: int):
    proposal = get_proposal(db.session, proposal_id)
    try:
        had_voted = get_ballot(db.session, proposal, current_user) is not None
        cast_vote(
            db.session,
            current_user,
            proposal,
            request.form.get("option_id", type=int, default=0),
            now=utcnow(),
        )
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Your vote is changed.") if had_voted else _("Thank you. Your vote is in."), "info")
    return redirect(url_for("decisions.show", proposal_id=proposal_id))


@bp.get("/<int:proposal_id>/ballots.csv")
@member_required
@no_store
def ballots(proposal_id: int):
    proposal = get_proposal(db.session, proposal_id)
    if not proposal.is_closed:  # the ballots are counted, and shown, once voting has ended
        raise DomainError(
            "not_closed", _("The ballots are shown once voting has ended."), status=409
        )
    response = Response(ballots_csv(db.session, proposal), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="proposal-{proposal.id}-ballots.csv"'
    )
    return response
