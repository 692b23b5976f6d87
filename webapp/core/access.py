"""Who may open what, declared once: one guard per role, put on a view or on a whole blueprint
(`protect`). The guards that need a domain's rows (organiser of this event, staff of this shop)
live in that domain and build on these."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_login.config import EXEMPT_METHODS

from webapp.core.errors import Forbidden

# A member: anyone logged in (who is not logged in is sent to the login page).
member_required = login_required


def role_required(allowed: Callable[[object], bool], code: str, message) -> Callable:
    """A guard that lets logged-in people through if `allowed(current_user)`, else 403."""

    def guard(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            # login_required lets OPTIONS through unchecked (Flask answers it with the allowed
            # methods, and no view runs): so must the role check, which needs a person.
            if request.method not in EXEMPT_METHODS and not allowed(current_user):
                raise Forbidden(code, message)
            return view(*args, **kwargs)

        return login_required(guarded)

    return guard


organiser_required = role_required(
    lambda user: user.is_organiser, "not_an_organiser", _l("Only organisers can open this page.")
)
admin_required = role_required(
    lambda user: user.is_admin, "not_an_admin", _l("Only administrators can open this page.")
)


def protect(blueprint: Blueprint, guard: Callable) -> None:
    """Puts `guard` before every view of `blueprint`."""
    blueprint.before_request(guard(lambda: None))
