"""Enishi (縁): the participation app of a local community DAO."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, jsonify, request

from webapp.config import load_config
from webapp.core.assets import init_assets
from webapp.core.db import configure_engine, mark_writing, run_deferred_writes
from webapp.core.errors import DomainError
from webapp.core.http import (
    RowIdConverter,
    add_security_headers,
    compress_answer,
    refuse_unstorable_text,
)
from webapp.extensions import compress, csrf, db, limiter, login_manager, migrate

MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(load_config())
    app.config.update(config or {})
    instance: Path = app.config["INSTANCE_DIR"]
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _load_or_create_secret(instance / "secret-key.txt")

    _import_models()
    from webapp.membership.terms import parse_term

    parse_term(app.config["MEMBERSHIP_TERM"])  # a mistyped term stops the start, not a join
    from webapp.projects.services import check_approval_rule

    check_approval_rule(app.config["PROJECT_APPROVAL"])  # so does a mistyped approval rule
    from webapp.decisions.results import check_min_turnout

    app.config["VOTE_MIN_TURNOUT_PERCENT"] = check_min_turnout(
        app.config["VOTE_MIN_TURNOUT_PERCENT"]
    )  # and a turnout that is not a percentage

    # Registered before Flask-SQLAlchemy's own teardown, so it runs after it: once the
    # request's session is closed.
    @app.teardown_appcontext
    def deferred_writes(exc):
        run_deferred_writes(db.engine)

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    init_assets(app)
    from webapp.core.i18n import init_i18n

    init_i18n(app)

    from webapp.onchain.connection import init_chain

    init_chain(app)
    app.url_map.converters["int"] = RowIdConverter  # before any route is made
    _register_blueprints(app)
    _register_error_handlers(app)
    from webapp.checkin.rsvps import release_seats
    from webapp.checkin.services import has_attended
    from webapp.membership.services import when_card_revoked
    from webapp.thanks.services import when_asking_who_attended
    from webapp.yui.services import withdraw_posts_of

    when_card_revoked(app, release_seats)  # a card taken back gives its seats to those waiting
    when_card_revoked(app, withdraw_posts_of)  # and takes its holder's 結い posts down
    when_asking_who_attended(app, has_attended)  # 「主催者にありがとう」 for those who took part

    @app.after_request
    def security_headers(response):
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        return add_security_headers(response, view, https_only=app.config["HTTPS_ONLY"])

    app.after_request(compress_answer)

    app.before_request(refuse_unstorable_text)

    @app.before_request
    def declare_writes():
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "writes_late", False):
            return
        if request.method not in SAFE_METHODS or getattr(view, "writes_database", False):
            mark_writing()

    from webapp.cli import cli

    app.cli.add_command(cli)
    return app


def _import_models() -> None:
    # Every table must be known to SQLAlchemy (relationships by name) and to Alembic.
    import webapp.accounts.models  # noqa: F401
    import webapp.checkin.models  # noqa: F401
    import webapp.community.models  # noqa: F401
    import webapp.decisions.models  # noqa: F401
    import webapp.discord.models  # noqa: F401
    import webapp.events.models  # noqa: F401
    import webapp.ledger.models  # noqa: F401
    import webapp.membership.models  # noqa: F401
    import webapp.onchain.models  # noqa: F401
    import webapp.perks.models  # noqa: F401
    import webapp.profiles.models  # noqa: F401
    import webapp.projects.models  # noqa: F401
    import webapp.thanks.models  # noqa: F401
    import webapp.yui.models  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from webapp.accounts.admin_views import bp as accounts_admin
    from webapp.accounts.passkey_views import bp as passkeys
    from webapp.accounts.profile_views import bp as profile
    from webapp.accounts.views import bp as accounts
    from webapp.api import bp as api
    from webapp.checkin.display_views import bp as checkin_display
    from webapp.checkin.organiser_views import bp as checkin_organiser
    from webapp.checkin.reward_views import bp as rewards_admin
    from webapp.checkin.views import bp as checkin
    from webapp.community.admin_views import bp as community_admin
    from webapp.community.contribution_views import bp as contribution
    from webapp.community.directory_views import bp as directory
    from webapp.community.page_views import bp as community
    from webapp.community.public_views import bp as community_public
    from webapp.community.report_views import bp as community_report
    from webapp.decisions.meeting_views import bp as decisions_meeting
    from webapp.decisions.views import bp as decisions
    from webapp.discord.admin_views import bp as discord_admin
    from webapp.discord.views import bp as discord
    from webapp.events.views import bp as events
    from webapp.membership.card_views import bp as member_card
    from webapp.membership.invite_views import bp as invitations
    from webapp.membership.join_views import bp as join
    from webapp.membership.views import bp as membership
    from webapp.metadata.views import bp as metadata
    from webapp.onchain.views import bp as onchain
    from webapp.perks.admin_views import bp as perks_admin
    from webapp.perks.shop_views import bp as perks_shop
    from webapp.perks.views import bp as perks
    from webapp.privacy.views import bp as privacy
    from webapp.profiles.views import bp as profiles
    from webapp.projects.admin_views import bp as projects_admin
    from webapp.projects.views import bp as projects
    from webapp.site import bp as site
    from webapp.thanks.admin_views import bp as thanks_admin
    from webapp.thanks.views import bp as thanks
    from webapp.wallet.views import bp as wallet
    from webapp.yui.admin_views import bp as yui_admin
    from webapp.yui.confirm_views import bp as yui_confirm
    from webapp.yui.views import bp as yui

    for blueprint in (
        site, accounts, passkeys, profile, accounts_admin, membership, member_card, events,
        checkin_organiser, checkin_display, checkin, wallet, perks, perks_shop, perks_admin,
        rewards_admin, onchain, api, metadata, privacy, invitations, join, discord,
        discord_admin, decisions, decisions_meeting, projects, projects_admin, community_report,
        contribution, community, community_public, community_admin, profiles, directory,
        thanks_admin, thanks, yui, yui_admin, yui_confirm,
    ):  # fmt: skip
        app.register_blueprint(blueprint)


def _register_error_handlers(app: Flask) -> None:
    from flask import render_template
    from flask_wtf.csrf import CSRFError
    from werkzeug.exceptions import HTTPException

    def wants_json() -> bool:
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        return (
            request.path.startswith("/api/")
            or getattr(view, "answers_json", False)
            or request.accept_mimetypes.best == "application/json"
        )

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if wants_json():
            return jsonify(error.as_dict()), error.status
        return render_template("error.html", error=error), error.status

    @app.errorhandler(429)
    def too_many(error):
        # Flask-Limiter's refusals carry the limit's own message (see accounts.throttle).
        return domain_error(DomainError("too_many_attempts", error.description, status=429))

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return domain_error(DomainError("csrf", _csrf_message(), status=400))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # Werkzeug's own pages are English, desktop-width and outside the app: answer in the
        # app's shell (or as JSON to the API) instead.
        if error.code is None or error.code < 400:
            return error
        if error.code >= 500:
            db.session.rollback()  # the page is drawn with the session the failure left
        code, message = _http_error_words(error.code)
        return domain_error(DomainError(code, message, status=error.code))


def _http_error_words(status: int):
    from flask_babel import lazy_gettext as _l

    words = {
        403: ("forbidden", _l("You cannot open this page.")),
        404: ("not_found", _l("This page does not exist. The link may be old or mistyped.")),
        405: ("method_not_allowed", _l("This page cannot be used that way.")),
        413: ("too_large", _l("What you sent is too large.")),
    }
    if status in words:
        return words[status]
    if status >= 500:
        return "server_error", _l("Something went wrong on our side. Please try again later.")
    return "bad_request", _l("The request could not be done.")


def _csrf_message():
    from flask_babel import lazy_gettext as _l

    return _l("This page was open too long or came from elsewhere. Please reload and try again.")


def _load_or_create_secret(path: Path) -> str:
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(value + "\n")
    return value
