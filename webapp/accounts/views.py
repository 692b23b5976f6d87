from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from webapp.accounts.devices import (
    SessionLimits,
    active_device,
    card_for_token,
    end_device_session,
    list_devices,
    list_login_cards,
    mark_seen,
    seen_since,
)
from webapp.accounts.forms import LoginForm, TextSizeForm
from webapp.accounts.login import log_in_here
from webapp.accounts.models import TextSize
from webapp.accounts.services import authenticate, get_user, set_text_size
from webapp.accounts.text_size import keep_on_device, text_size_for
from webapp.accounts.throttle import note_failed_login, per_account, per_address
from webapp.core.access import member_required
from webapp.core.db import defer_write, utcnow
from webapp.core.http import safe_next, secret_in_url
from webapp.extensions import db, login_manager

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in first.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str):
    """The person of a session and remember cookie `<user id>:<device session id>`, while that
    device's session lasts: ended on their page (or with its login card), or left unused or
    kept past the session limits, it logs out."""
    user_id, _, device_id = session_id.partition(":")
    if not user_id.isdigit():
        return None
    now = utcnow()
    device = active_device(
        db.session, int(user_id), device_id, now, SessionLimits.of(current_app.config)
    )
    if device is None:
        return None
    if seen_since(device, now):
        defer_write(lambda connection: mark_seen(connection, device_id, now))
    user = get_user(db.session, int(user_id))
    if user is not None:
        user.device_id = device_id
    return user


@bp.app_context_processor
def page_text_size():
    """`text_size()`: the size every page is drawn at (a class on <html>, see base.html)."""
    return {"text_size": lambda: text_size_for(request, current_user).value}


@bp.route("/login", methods=["GET", "POST"])
@per_address
@per_account
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            log_in_here(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("site.start")))
        note_failed_login()
        flash(_("The email address or the password is not right."), "error")
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 400


@bp.get("/login/card")
@secret_in_url
def login_with_card():
    """What a login card's QR code opens: `/login/card#<token>`. The token sits after the `#`,
    so it never reaches the server's or a proxy's logs; the page posts it when the member taps
    the button (a link preview never logs anyone in)."""
    return render_template("accounts/card_login.html")


@bp.post("/login/card")
@per_address
def login_with_card_post():
    card = card_for_token(db.session, request.form.get("token", ""), lock=True)
    if card is None:
        note_failed_login()
        return render_template("accounts/card_refused.html"), 403
    log_in_here(card.user, remember=True, card=card)
    return redirect(safe_next(request.args.get("next"), url_for("site.start")))


@bp.post("/logout")
@member_required
def logout():
    end_device_session(db.session, current_user, current_user.device_id, utcnow())
    db.session.commit()
    logout_user()
    return redirect(url_for("accounts.login"))


@bp.get("/account")
@member_required
def account():
    """マイページ: who is logged in, their devices, the language, the text size, logging out,
    and the pages of the roles they hold (organisers', administrators', shop staff's)."""
    form = TextSizeForm(size=text_size_for(request, current_user).value)
    return render_template("accounts/account.html", text_size_form=form)


@bp.post("/account/text-size")
@member_required
def choose_text_size():
    """Keeps the chosen text size on the account (a device of theirs without a size of its own
    starts from it) and on this device. マイページ's script posts here the moment a size is
    chosen; without it, the form's button does."""
    form = TextSizeForm()
    if not form.validate_on_submit():
        return render_template("accounts/account.html", text_size_form=form), 400
    set_text_size(db.session, current_user, form.size.data)
    db.session.commit()
    response = redirect(url_for("accounts.account", _anchor="text-size"))
    return keep_on_device(response, TextSize(form.size.data))


@bp.get("/account/devices")
@member_required
def devices():
    return render_template(
        "accounts/devices.html",
        devices=list_devices(
            db.session, current_user, utcnow(), SessionLimits.of(current_app.config)
        ),
        current=current_user.device_id,
        cards=list_login_cards(db.session, current_user),
    )


@bp.post("/account/devices/<device_id>/end")
@member_required
def end_device(device_id: str):
    end_device_session(db.session, current_user, device_id, utcnow())
    db.session.commit()
    if device_id == current_user.device_id:
        logout_user()
        return redirect(url_for("accounts.login"))
    flash(_("That device is logged out."), "info")
    return redirect(url_for("accounts.devices"))
