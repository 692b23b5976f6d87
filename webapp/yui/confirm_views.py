"""The face-to-face confirmation screen (members): scan the other person's member card, with or
without signal, or show one's own for them to scan. The scan is kept on the phone and sent by
the outbox (static/js/outbox.js, POST /api/v1/yui/confirmations); the screen is kept by the
service worker, so it opens with no signal once it was opened with one."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.services import outbox_account
from webapp.core.access import member_required
from webapp.core.db import utcnow
from webapp.core.http import uses_camera
from webapp.core.qr import qr_svg
from webapp.extensions import db
from webapp.membership.cards import card_code, card_key
from webapp.membership.services import is_member
from webapp.yui.choices import CATEGORIES, KIND_NAMES
from webapp.yui.confirmations import get_confirm_screen, helps_count

bp = Blueprint("yui_confirm", __name__)

# The board's page of a thread, where the back arrow goes (webapp/yui/views.py).


@bp.get("/yui/threads/<int:thread_id>/confirm")
@member_required
@uses_camera
def confirm(thread_id: int):
    screen = get_confirm_screen(db.session, current_user, thread_id)
    card = None
    if is_member(db.session, current_user, utcnow()):
        label = _("Member card of %(name)s", name=current_user.display_name)
        card = qr_svg(card_code(current_user.id, card_key(current_app.secret_key)), label=label)
    return render_template(
        "yui/confirm.html",
        screen=screen,
        kind_name=f"{KIND_NAMES[screen.post.kind]} · {CATEGORIES[screen.post.category]}",
        card=card,
        account=outbox_account(current_user.id, current_app.secret_key),
        back=url_for("yui.thread", thread_id=thread_id),
    )


@bp.app_context_processor
def helps():
    """`yui_helps(user)`: how often a member helped others and was helped (マイページ, a
    profile page)."""
    return {"yui_helps": lambda user: helps_count(db.session, user)}
