"""HTTP helpers every blueprint shares: answers no cache may keep, safe redirect targets, and
the security headers of every answer."""

from __future__ import annotations

from functools import wraps

from flask import Response, make_response


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


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`: a `next` parameter must never
    send anyone to another site. Browsers read `/\\host` like `//host`, and drop tabs and
    newlines, so those are refused too."""
    if not target or not target.startswith("/") or any(c in target for c in "\\\t\r\n"):
        return default
    return default if target.startswith("//") else target


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
