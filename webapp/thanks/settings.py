"""The community's rules for thanks (thanks_settings, one row): this module is the table's only
writer. A change is an administrator's change to how members earn, so it is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from webapp.accounts.audit import record_audit
from webapp.accounts.models import User
from webapp.thanks.models import ThanksSettings

DEFAULT_ALLOWANCE = 100
DEFAULT_PER_PERSON_PERCENT = 30
# A share of the pool goes to those thanked by at least this many different people in the month.
POOL_MIN_GIVERS = 3


@dataclass(frozen=True)
class ThanksRules:
    allowance: int = DEFAULT_ALLOWANCE
    per_person_percent: int = DEFAULT_PER_PERSON_PERCENT
    pool_on: bool = False
    pool_coins: int = 0

    @property
    def per_person_cap(self) -> int:
        """The most points one member may give one person in a month (rounded down)."""
        return self.allowance * self.per_person_percent // 100


def get_rules(session: Session) -> ThanksRules:
    row = session.get(ThanksSettings, 1)
    if row is None:
        return ThanksRules()
    return ThanksRules(row.allowance, row.per_person_percent, row.pool_on, row.pool_coins)


def save_rules(session: Session, rules: ThanksRules, *, actor: User, now: datetime) -> bool:
    """Saves the rules; whether anything changed (the same rules again are not written, nor
    logged). A new allowance or share applies at once, to the month in progress too."""
    if not 1 <= rules.allowance <= 10_000:
        raise ValueError("allowance out of range")
    if not 1 <= rules.per_person_percent <= 100:
        raise ValueError("per_person_percent out of range")
    if not 0 <= rules.pool_coins <= 1_000_000:
        raise ValueError("pool_coins out of range")
    row = session.get(ThanksSettings, 1, with_for_update=True)
    if row is None:
        row = ThanksSettings(id=1)
        session.add(row)
    elif get_rules(session) == rules:
        return False
    row.allowance = rules.allowance
    row.per_person_percent = rules.per_person_percent
    if rules.pool_on and not row.pool_on:
        row.pool_on_since = now
    elif not rules.pool_on:
        row.pool_on_since = None
    row.pool_on = rules.pool_on
    row.pool_coins = rules.pool_coins
    row.updated_at = now
    row.updated_by_id = actor.id
    detail = (
        f"allowance={rules.allowance} per_person={rules.per_person_percent}%"
        f" pool={'on' if rules.pool_on else 'off'} coins={rules.pool_coins}"
    )
    record_audit(session, actor=actor, action="thanks.rules", now=now, detail=detail)
    session.flush()
    return True
