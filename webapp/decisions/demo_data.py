"""The demo's proposals: one members are voting on now, and one decided a while ago."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.decisions.services import advance, cast_vote, open_proposal

DAY = timedelta(days=1)


def add_demo_proposals(session: Session, people: dict[str, User], now: datetime) -> None:
    def propose(author: str, opened_days_ago: int, **fields):
        return open_proposal(
            session, people[author], discussion_days=3, voting_days=7, min_turnout_percent=10,
            now=now - opened_days_ago * DAY, **fields,
        )  # fmt: skip

    def votes(proposal, when: datetime, choices: dict[str, int]) -> None:
        for email, position in choices.items():
            option = proposal.options[position - 1].id
            cast_vote(session, people[email], proposal, option, now=when)

    decided = propose(
        "organiser@example.org", 30,
        title="駅前花壇の花を地域で選ぶ",
        body="来春の駅前花壇に植える花を、会員の投票で決めます。",
        options=["チューリップ", "パンジー", "ネモフィラ"],
    )  # fmt: skip
    advance(session, decided, now - 27 * DAY)
    votes(decided, now - 25 * DAY, {"member@example.org": 3, "daimon@example.org": 3,
                                    "hirooka@example.org": 1})  # fmt: skip
    advance(session, decided, now - 20 * DAY)

    voting = propose(
        "organiser2@example.org", 5,
        title="奈良井宿 灯りのまつりに えんコイン の屋台を出す",
        body="灯りのまつりで、えんコインが使える屋台を出すかどうかを決めます。\n\n"
        "準備は有志で行い、売り上げは次のまつりの費用にします。",
    )  # fmt: skip
    advance(session, voting, now)
    votes(voting, now - DAY, {"organiser2@example.org": 1, "hirooka@example.org": 1})
    session.flush()
