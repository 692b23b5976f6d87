"""HTTP helpers every blueprint shares: answers no cache may keep, and safe redirect targets."""

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
    send anyone to another site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return default
