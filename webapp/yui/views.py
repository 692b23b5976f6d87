"""The 結い board for members (`/yui`): the board and its filters, a new post (an organiser's
for a member without a phone too), a post's page (話しかける, report, withdraw), and the
member's conversations. The administrators' page is `yui.admin_views`; the face-to-face
confirmation that the help happened (`/yui/threads/<id>/confirm`) has its own module."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.services import get_person
from webapp.core.access import member_required, organiser_required, protect
from webapp.core.db import utcnow
from webapp.core.errors import DomainError, Forbidden, NotFound
from webapp.core.http import row_id_arg, uses_camera
from webapp.extensions import db
from webapp.ledger.services import get_balance
from webapp.membership.cards import card_key
from webapp.membership.services import is_member, search_members
from webapp.yui.choices import AREAS, CATEGORIES, KIND_NAMES
from webapp.yui.forms import MessageForm, PostForm, ReasonForm, first_error
from webapp.yui.lists import (
    BoardFilters,
    list_messages,
    list_my_posts,
    list_my_threads,
    list_post_threads,
    list_posts,
)
from webapp.yui.services import (
    PostDraft,
    answer_post,
    create_post,
    find_member_to_post_for,
    find_thread,
    get_thread,
    get_visible_post,
    is_posts_person,
    post_message,
    report_post,
    withdraw_post,
)

bp = Blueprint("yui", __name__, url_prefix="/yui")
protect(bp, member_required)

# How long a hidden post's notice stays at the top of its person's board.
HIDDEN_NOTICE_DAYS = 30
# Which field a service's refusal of a new post belongs to.
FIELD_OF_ERROR = {
    "bad_kind": "kind",
    "bad_category": "category",
    "bad_area": "area",
    "bad_title": "title",
    "bad_body": "body",
    "bad_when": "when_text",
    "bad_coins": "coins",
    "coins_on_offer": "coins",
    "cannot_afford": "coins",
    "coins_for_other": "coins",
}


def _names() -> dict:
    return {"kinds": KIND_NAMES, "categories": CATEGORIES, "areas": AREAS}


@bp.get("")
def index():
    now = utcnow()
    filters = BoardFilters.of(
        kind=request.args.get("kind", ""),
        category=request.args.get("category", ""),
        area=request.args.get("area", ""),
        closed=request.args.get("closed") == "1",
    )
    mine = list_my_posts(db.session, current_user)
    recently = now - timedelta(days=HIDDEN_NOTICE_DAYS)
    return render_template(
        "yui/index.html",
        found=list_posts(db.session, filters, page=request.args.get("page", 1, type=int)),
        filters=filters,
        mine=mine,
        hidden=[p for p in mine if p.hidden_at is not None and p.hidden_at >= recently],
        member=is_member(db.session, current_user, now),
        now=now,
        **_names(),
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    now = utcnow()
    person = _person_to_post_for()
    member = is_member(db.session, person, now)
    form = PostForm()
    if request.method == "GET" and request.args.get("kind") in KIND_NAMES:
        form.kind.data = request.args["kind"]
    problem = None
    if member and form.validate_on_submit():
        draft = PostDraft(
            kind=form.kind.data or "", category=form.category.data or "",
            area=form.area.data or "", title=form.title.data or "", body=form.body.data or "",
            when_text=form.when_text.data or "", coins=form.coins.data or 0,
        )  # fmt: skip
        try:
            post = create_post(db.session, draft, author=current_user, for_user=person, now=now)
        except DomainError as error:
            db.session.rollback()
            field = getattr(form, FIELD_OF_ERROR.get(error.code, ""), None)
            if field is None:
                problem = str(error.message)
            else:
                field.errors = [*field.errors, str(error.message)]
        else:
            db.session.commit()
            flash(_("Your post is on the board."), "info")
            return redirect(url_for("yui.show", post_id=post.id))
    return render_template(
        "yui/new.html",
        form=form,
        person=person,
        member=member,
        problem=problem,
        balance=get_balance(db.session, current_user),
    )


def _person_to_post_for():
    """Whom a new post is for: the member themself, or (`?for=`) the member an organiser
    writes for."""
    person_id = row_id_arg("for")
    if "for" in request.args and person_id is None:
        raise NotFound("no_such_member", _("There is no such member."))
    if person_id is None or person_id == current_user.id:
        return current_user
    if not current_user.is_organiser:
        raise Forbidden("not_organiser", _("Only an organiser can post for another member."))
    return get_person(db.session, person_id)


@bp.get("/for")
@uses_camera
@organiser_required
def choose_member():
    """An organiser finds the member they post for: their card scanned, or their name."""
    query = request.args.get("q", "")
    return render_template(
        "yui/choose_member.html",
        query=query,
        found=search_members(db.session, query) if query else [],
    )


@bp.post("/for")
@organiser_required
def find_member():
    try:
        person = find_member_to_post_for(
            db.session,
            card=request.form.get("card"),
            member_id=request.form.get("user_id", type=int),
            key=card_key(current_app.secret_key),
            now=utcnow(),
        )
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("yui.choose_member"))
    return redirect(url_for("yui.new", **{"for": person.id}))


@bp.get("/<int:post_id>")
def show(post_id: int):
    now = utcnow()
    post = get_visible_post(db.session, post_id, current_user)
    mine = is_posts_person(post, current_user)
    return render_template(
        "yui/show.html",
        post=post,
        mine=mine,
        thread=None if mine else find_thread(db.session, post, current_user),
        threads=list_post_threads(db.session, post) if mine else [],
        member=is_member(db.session, current_user, now),
        message_form=MessageForm(),
        report_form=ReasonForm(),
        now=now,
        **_names(),
    )


@bp.post("/<int:post_id>/answer")
def answer(post_id: int):
    post = get_visible_post(db.session, post_id, current_user)
    form = MessageForm()
    if not form.validate():
        flash(first_error(form), "error")
        return redirect(url_for("yui.show", post_id=post.id))
    try:
        thread = answer_post(db.session, post, current_user, form.body.data or "", utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("yui.show", post_id=post.id))
    db.session.commit()
    return redirect(url_for("yui.thread", thread_id=thread.id))


@bp.post("/<int:post_id>/report")
def report(post_id: int):
    post = get_visible_post(db.session, post_id, current_user)
    form = ReasonForm()
    if not form.validate():
        flash(first_error(form), "error")
    else:
        _act(lambda: report_post(db.session, post, current_user, form.reason.data or "", utcnow()),
             _("Thank you. An administrator will look at this post."))  # fmt: skip
    return redirect(url_for("yui.show", post_id=post.id))


@bp.post("/<int:post_id>/withdraw")
def withdraw(post_id: int):
    post = get_visible_post(db.session, post_id, current_user)
    if not is_posts_person(post, current_user):
        raise Forbidden("not_yours", _("Only the post's own person can withdraw it."))
    done = _("The post is withdrawn.")
    if post.coins:
        done = _("The post is withdrawn. Its coins are yours to use again.")
    _act(lambda: withdraw_post(db.session, post, current_user, utcnow()), done)
    return redirect(url_for("yui.show", post_id=post.id))


@bp.get("/threads")
def threads():
    return render_template(
        "yui/threads.html", threads=list_my_threads(db.session, current_user), now=utcnow()
    )


@bp.route("/threads/<int:thread_id>", methods=["GET", "POST"])
def thread(thread_id: int):
    now = utcnow()
    found = get_thread(db.session, thread_id, current_user)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            post_message(db.session, found, current_user, form.body.data or "", now)
        except DomainError as error:
            db.session.rollback()
            form.body.errors = [*form.body.errors, str(error.message)]
        else:
            db.session.commit()
            return redirect(url_for("yui.thread", thread_id=found.id, _anchor="write"))
    post = found.post
    return render_template(
        "yui/thread.html",
        thread=found,
        post=post,
        other=post.for_user if found.responder_id == current_user.id else found.responder,
        messages=list_messages(db.session, found),
        form=form,
        now=now,
        **_names(),
    )


def _act(action, done: str) -> None:
    try:
        action()
    except Forbidden:
        raise
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(done, "info")
