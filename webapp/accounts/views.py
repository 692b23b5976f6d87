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
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from webapp.accounts.devices import (
    active_device,
    card_for_token,
    end_device_session,
    issue_login_card,
    list_devices,
    list_login_cards,
    may_manage_cards,
    revoke_login_card,
    start_device_session,
)
from webapp.accounts.forms import LoginForm
from webapp.accounts.login_card_pdf import login_card_pdf
from webapp.accounts.models import LoginCard, User
from webapp.accounts.services import authenticate, get_user
from webapp.core.db import utcnow
from webapp.core.errors import DomainError, Forbidden, NotFound
from webapp.extensions import db, login_manager
from webapp.membership.services import search_members

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in first.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str):
    """The person of a session and remember cookie `<user id>:<device session id>`, while that
    device's session lasts: ended on their page (or with its login card), it logs out."""
    user_id, _, device_id = session_id.partition(":")
    if not user_id.isdigit() or active_device(db.session, int(user_id), device_id) is None:
        return None
    user = get_user(db.session, int(user_id))
    if user is not None:
        user.device_id = device_id
    return user


def _log_in(user: User, remember: bool, card: LoginCard | None = None) -> None:
    """Logs `user` in on this browser, as a new device session. A session already open here
    (someone else's, say, on a shared tablet) ends first: it would stay listed, and live on in
    its remember cookie."""
    now = utcnow()
    if current_user.is_authenticated:
        try:
            end_device_session(db.session, current_user, current_user.device_id, now)
        except DomainError:  # ended elsewhere a moment ago: nothing left to end
            pass
        logout_user()
    label = describe_browser(request.user_agent.string)
    device = start_device_session(db.session, user, label, now, card)
    db.session.commit()
    user.device_id = device.id
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            _log_in(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("The email address or the password is not right."), "error")
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 400


@bp.get("/login/card")
def login_with_card():
    """What a login card's QR code opens: `/login/card#<token>`. The token sits after the `#`,
    so it never reaches the server's or a proxy's logs; the page posts it when the member taps
    the button (a link preview never logs anyone in)."""
    return render_template("accounts/card_login.html")


@bp.post("/login/card")
def login_with_card_post():
    card = card_for_token(db.session, request.form.get("token", ""), lock=True)
    if card is None:
        return render_template("accounts/card_refused.html"), 403
    _log_in(card.user, remember=True, card=card)
    return redirect(url_for("wallet.show"))


@bp.post("/logout")
@login_required
def logout():
    end_device_session(db.session, current_user, current_user.device_id, utcnow())
    db.session.commit()
    logout_user()
    return redirect(url_for("accounts.login"))


@bp.get("/account/devices")
@login_required
def devices():
    return render_template(
        "accounts/devices.html",
        devices=list_devices(db.session, current_user),
        current=current_user.device_id,
    )


@bp.post("/account/devices/<device_id>/end")
@login_required
def end_device(device_id: str):
    end_device_session(db.session, current_user, device_id, utcnow())
    db.session.commit()
    if device_id == current_user.device_id:
        logout_user()
        return redirect(url_for("accounts.login"))
    flash(_("That device is logged out."), "info")
    return redirect(url_for("accounts.devices"))


# -- login cards, printed by organisers and administrators ------------------------------------


@bp.get("/members")
@login_required
def members():
    _organisers_only()
    query = request.args.get("q", "")
    return render_template(
        "accounts/members.html", query=query, found=search_members(db.session, query)
    )


@bp.get("/members/<int:user_id>/login-card")
@login_required
def login_cards(user_id: int):
    member = _card_holder(user_id)
    return render_template(
        "accounts/login_cards.html", member=member, cards=list_login_cards(db.session, member)
    )


@bp.post("/members/<int:user_id>/login-card")
@login_required
def print_login_card(user_id: int):
    """A new card, as a PDF: its secret is in this answer and nowhere else."""
    member = _card_holder(user_id)
    card, token = issue_login_card(db.session, member, current_user, utcnow())
    db.session.commit()
    url = f"{current_app.config['BASE_URL']}{url_for('accounts.login_with_card')}#{token}"
    response = Response(login_card_pdf(member.display_name, url), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="login-card-{card.id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/members/<int:user_id>/login-card/<int:card_id>/revoke")
@login_required
def revoke_card(user_id: int, card_id: int):
    member = _card_holder(user_id)
    card = db.session.get(LoginCard, card_id)
    if card is None or card.user_id != member.id:
        raise NotFound("no_such_card", _("There is no such card."))
    revoke_login_card(db.session, card, utcnow())
    db.session.commit()
    flash(_("The card no longer works, and the phones it logged in are logged out."), "info")
    return redirect(url_for("accounts.login_cards", user_id=member.id))


def _organisers_only() -> None:
    if not current_user.is_organiser:
        raise Forbidden("not_an_organiser", _("Only organisers can open this page."))


def _card_holder(user_id: int) -> User:
    """The person whose login cards the current user may print and stop, or 403/404."""
    _organisers_only()
    member = get_user(db.session, user_id)
    if member is None:
        raise NotFound("no_such_member", _("There is no such member."))
    if not may_manage_cards(current_user, member):
        raise Forbidden("not_allowed", _("You cannot print a login card for this person."))
    return member


def describe_browser(user_agent: str) -> str:
    """A short name for the browser and system, for a person to recognise their devices."""
    browsers = [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome")]
    browser = next((name for mark, name in browsers if mark in user_agent), None)
    if browser is None and "Safari/" in user_agent:
        browser = "Safari"
    systems = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "Mac"),
        ("Linux", "Linux"),
    ]
    system = next((name for mark, name in systems if mark in user_agent), None)
    return " / ".join(part for part in (browser, system) if part) or _("A browser")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("core.index")
