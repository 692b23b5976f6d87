"""HTTP helpers every blueprint shares: answers no cache may keep, the site's address, safe
redirect targets, the numbers and text a request may carry, views that answer JSON, and the
security headers of every answer."""

from __future__ import annotations

from functools import wraps

from flask import Response, current_app, make_response, request
from werkzeug.routing import IntegerConverter

from webapp.core.db import MAX_INTEGER, storable
from webapp.core.errors import DomainError
from webapp.extensions import compress


def no_store(view):
    """Marks a view whose answer no cache may keep (it carries a secret, or changes by the
    second)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        return forbid_caching(make_response(view(*args, **kwargs)))

    return wrapped


def forbid_caching(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def site_url() -> str:
    """The site's address, for the codes and links a page writes out for phones (check-in
    codes, display links, login cards): ENISHI_BASE_URL when it is set (in production, the public
    name, whatever a proxy forwards), else the address this page was opened at, so that a local
    run reached as localhost, by the machine's name or on another port shows codes that open."""
    if current_app.config.get("BASE_URL_FIXED"):
        return current_app.config["BASE_URL"]
    return request.host_url.rstrip("/")


class RowIdConverter(IntegerConverter):
    """The app's `<int:...>`: a number that can be a row's id. A larger one matches no route
    (404), as a letter does, instead of reaching the database as out of range."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(*args, **kwargs)


def row_id_arg(name: str) -> int | None:
    """A row's id from the query string (`?project=3`), or None when it is missing or cannot be
    one: a filter on a row that cannot exist filters on nothing, as RowIdConverter makes such a
    path match no route, instead of reaching the database out of range."""
    value = request.args.get(name, type=int)
    return value if value is not None and 1 <= value <= MAX_INTEGER else None


def refuse_unstorable_text() -> None:
    """Before every request: a URL, query or form carrying text no column can hold (a NUL byte,
    see `core.db.storable`) is refused whole (400), before any view reads it. No person types
    one. A JSON body is its reader's to check (the API refuses such a claim as malformed)."""
    texts = [request.path]
    for sent in (request.args, request.form):
        for name, values in sent.lists():
            texts += [name, *values]
    if not all(storable(text) for text in texts):
        raise DomainError("bad_characters")


def answers_json(view):
    """Marks a view that answers JSON to a script: its refusals (403, 404, ...) are JSON too,
    whatever the request accepts. It is described in the OpenAPI document (webapp/api)."""
    view.answers_json = True
    return view


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`: a `next` parameter must never
    send anyone to another site. Browsers read `/\\host` like `//host`, and drop tabs and
    newlines, so those are refused too."""
    if not target or not target.startswith("/") or any(c in target for c in "\\\t\r\n"):
        return default
    return default if target.startswith("//") else target


def compress_answer(response: Response) -> Response:
    """After every request: pages, JSON and scripts made by a view go out compressed to a
    browser that takes it (Flask-Compress, set up in config). Static files are left to
    `core.assets`, which compresses each once."""
    if request.endpoint == "static":
        return response
    return compress.after_request(response)


# -- security headers ---------------------------------------------------------------------------
# Scripts, styles and everything else from this site only, and no inline script: the pages keep
# their data in <script type="application/json"> blocks, which are never run. No page may be
# framed (the kiosk's display included).
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
NO_CAMERA = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
CAMERA = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000; includeSubDomains"


def uses_camera(view):
    """Marks a page with the camera's QR reader: the only pages that may ask for the camera."""
    view.uses_camera = True
    return view


def secret_in_url(view):
    """Marks a page whose URL carries a secret (a check-in token, a ticket): the browser sends
    its address to no one, not even this site, when a link or a form leaves it."""
    view.secret_in_url = True
    return view


def add_security_headers(response: Response, view, *, https_only: bool) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    private = getattr(view, "secret_in_url", False)
    headers["Referrer-Policy"] = "no-referrer" if private else "same-origin"
    headers["Permissions-Policy"] = CAMERA if getattr(view, "uses_camera", False) else NO_CAMERA
    if https_only:  # a local debug run is plain http
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response
