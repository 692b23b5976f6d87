"""Failed logins are limited per account and per address (ASVS 2.2.1): a password or a login
card's secret cannot be found by trying. Only failures count, and an e-mail address nobody uses
is counted like any other, so the limit tells nobody which addresses exist."""

from __future__ import annotations

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from webapp.accounts.services import normalise_email
from webapp.extensions import limiter


def note_failed_login() -> None:
    """Called by a login view that refused: this request counts against the limits."""
    g.login_failed = True


def _failed(response) -> bool:
    return g.get("login_failed", False)


def _account() -> str:
    return normalise_email(request.form.get("email", ""))[:254]


def _too_many() -> str:
    return _("Too many failed logins. Please wait 15 minutes and try again.")


def _too_many_tries() -> str:
    return _("Too many tries. Please wait 15 minutes and try again.")


def _failures(setting: str, key_func, scope: str, methods=("POST",), message=_too_many):
    """A limit on the failed logins counted under `key_func`'s key, read from `setting`."""
    return limiter.limit(
        lambda: current_app.config[setting],
        key_func=key_func,
        methods=list(methods),
        deduct_when=_failed,
        error_message=message,
        scope=scope,
    )


# Failures per account (the e-mail address typed) and per client address; a login refused by
# either answers 429.
per_account = _failures("LOGIN_FAILURES_PER_ACCOUNT", _account, "login-account")
per_address = _failures("LOGIN_FAILURES_PER_ADDRESS", get_remote_address, "login-address")
# Links whose secret is in the path (an invitation's): a wrong one opened counts, GET included.
per_address_links = _failures(
    "LOGIN_FAILURES_PER_ADDRESS", get_remote_address, "link-address", ("GET", "POST"),
    _too_many_tries,
)  # fmt: skip
