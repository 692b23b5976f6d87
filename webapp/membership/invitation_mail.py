"""The invitation e-mail: in Japanese, then in English, with the person's own link."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage

from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from webapp.core.mail import compose

RULE = "\n\n" + "-" * 40 + "\n\n"


def invitation_message(
    *, sender: str, to: str, name: str, inviter: str, community: str, url: str, expires: datetime
) -> EmailMessage:
    with force_locale("ja"):
        subject = _("An invitation to %(community)s", community=community)
    bodies = []
    for language in ("ja", "en"):
        with force_locale(language):
            date = format_date(expires, "long")
            paragraphs = [
                _("Dear %(name)s,", name=name),
                _(
                    "%(inviter)s invited you to Enishi, the app of %(community)s's members.",
                    inviter=inviter,
                    community=community,
                ),
                _("Open this link on your phone to join:"),
                url,
                _(
                    "The link works once, until %(date)s. If it has expired, ask %(inviter)s "
                    "for a new one.",
                    date=date,
                    inviter=inviter,
                ),
            ]
            bodies.append("\n\n".join(paragraphs))
    return compose(sender=sender, to=to, subject=subject, body=RULE.join(bodies) + "\n")
