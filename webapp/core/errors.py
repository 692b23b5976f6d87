"""Domain errors: a stable machine code plus a translatable explanation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """Raised by services; `code` is never translated, `message` always is."""

    status = 400

    def __init__(self, code: str, message=None, status: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message if message is not None else _l("The request could not be done.")
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        return {"error": self.code, "message": str(self.message)}


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403
