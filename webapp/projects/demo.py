"""The demo's project: one active project the demo member has joined, so that the projects'
pages look lived in on a first start."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.projects.services import activate_project, join_project, propose_project


def load_demo_project(session: Session, people: dict[str, User], now: datetime) -> None:
    """「奈良井宿 灯りのまつり」, led by 奈良井 健太, with the demo member in it."""
    lead, admin = people["organiser2@example.org"], people["admin@example.org"]
    project = propose_project(
        session, lead, title="奈良井宿 灯りのまつり",
        purpose="冬の奈良井宿を、行灯と竹灯籠の灯りで飾ります。\n"
                "宿場の人と訪れる人が、夜の町並みをゆっくり歩けるようにします。",
        help_wanted="竹灯籠づくり、当日の点灯と片付け、写真を撮る人",
        lead=lead, now=now - timedelta(days=20),
    )  # fmt: skip
    activate_project(session, project, now=now - timedelta(days=18), approved_by=admin)
    for email in ("member@example.org", "daimon@example.org"):
        join_project(session, project, people[email], now=now - timedelta(days=10))
