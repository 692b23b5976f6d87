"""Votes at a meeting, for members without a smartphone (`/decisions/<id>/meeting`): an
organiser scans the member's card (or finds them by name), chooses the option the member says
and records it, once; a member who has voted already is told so, and their vote is changed
only at their request."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.core.access import organiser_required
from webapp.core.db import utcnow, writes_database
from webapp.core.errors import DomainError
from webapp.core.http import no_store, uses_camera
from webapp.decisions.services import (
    advance,
    find_meeting_voter,
    get_ballot,
    get_proposal,
    in_electorate,
    record_meeting_vote,
)
from webapp.extensions import db
from webapp.membership.cards import card_key
from webapp.membership.services import search_members

bp = Blueprint("decisions_meeting", __name__, url_prefix="/decisions")


@bp.get("/<int:proposal_id>/meeting")
@uses_camera
@writes_database
@organiser_required
@no_store
def desk(proposal_id: int):
    proposal = get_proposal(db.session, proposal_id)
    if advance(db.session, proposal, utcnow()):
        db.session.commit()
    voter_id = request.args.get("voter", type=int)
    voter, problem = None, None
    if voter_id is not None:
        try:
            voter = find_meeting_voter(db.session, proposal, card=None, member_id=voter_id, key=b"")
        except DomainError as error:
            problem = str(error.message)
    query = request.args.get("q", "")
    found = search_members(db.session, query) if query and voter is None else []
    return render_template(
        "decisions/meeting.html",
        proposal=proposal,
        voter=voter,
        problem=problem,
        ballot=get_ballot(db.session, proposal, voter) if voter else None,
        query=query,
        found=[(person, in_electorate(db.session, proposal, person)) for person in found],
    )


@bp.post("/<int:proposal_id>/meeting/find")
@organiser_required
def find(proposal_id: int):
    """A scanned card (or a name chosen from the search): the member's page at the desk."""
    proposal = get_proposal(db.session, proposal_id)
    try:
        voter = find_meeting_voter(
            db.session,
            proposal,
            card=request.form.get("card"),
            member_id=request.form.get("user_id", type=int),
            key=card_key(current_app.secret_key),
        )
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("decisions_meeting.desk", proposal_id=proposal.id))
    return redirect(url_for("decisions_meeting.desk", proposal_id=proposal.id, voter=voter.id))


@bp.post("/<int:proposal_id>/meeting")
@organiser_required
def record(proposal_id: int):
    proposal = get_proposal(db.session, proposal_id)
    voter_id = request.form.get("voter", type=int)
    try:
        voter = find_meeting_voter(db.session, proposal, card=None, member_id=voter_id, key=b"")
        ballot = record_meeting_vote(
            db.session,
            current_user,
            proposal,
            voter,
            request.form.get("option_id", type=int, default=0),
            now=utcnow(),
            change=request.form.get("change") == "1",
        )
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("decisions_meeting.desk", proposal_id=proposal.id, voter=voter_id))
    db.session.commit()
    flash(
        _(
            "%(name)s's vote is recorded: %(option)s.",
            name=voter.display_name,
            option=ballot.option.label,
        ),
        "info",
    )
    return redirect(url_for("decisions_meeting.desk", proposal_id=proposal.id))
