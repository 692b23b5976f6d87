"""The demo's thanks: a few from this month, so that the feed, the wallet's card and the
profiles show what thanks look like on a first start."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.thanks.services import give_thanks, thanks_month

# Who thanks whom, how many points, the message, and how many hours ago.
THANKS = (
    ("daimon@example.org", "member@example.org", 10, "雪かきの相談にのってくれてありがとう", 3),
    ("daimon@example.org", "organiser@example.org", 10, "ぶどう収穫祭、楽しかったです", 20),
    ("hirooka@example.org", "daimon@example.org", 5, "写真ありがとうございました", 30),
)


def load_demo_thanks(session: Session, people: dict[str, User], now: datetime) -> None:
    for giver, receiver, points, message, hours_ago in THANKS:
        at = now - timedelta(hours=hours_ago)
        if thanks_month(at) != thanks_month(now):
            at = now  # early on the 1st: this month's allowance
        give_thanks(
            session, people[giver], people[receiver], points, message, via="profile", now=at
        )
