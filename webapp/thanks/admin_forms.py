"""The administrators' form for the rules of thanks: the allowance, the share of it one person
may get from one member, and the month's pool of coins."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField
from wtforms.validators import InputRequired, NumberRange

from webapp.core.forms import Form, IntegerField
from webapp.thanks.settings import ThanksRules

# The ranges thanks.settings.save_rules accepts.
MAX_ALLOWANCE = 10_000
MAX_POOL_COINS = 1_000_000


class RulesForm(Form):
    allowance = IntegerField(
        _l("Points each member may give in a month"),
        description=_l("Given on the first day of each month; what is not given lapses."),
        validators=[InputRequired(), NumberRange(min=1, max=MAX_ALLOWANCE)],
    )
    per_person_percent = IntegerField(
        _l("At most this share of them to one person in a month (%)"),
        validators=[InputRequired(), NumberRange(min=1, max=100)],
    )
    pool_on = BooleanField(
        _l("Share a pool of coins at the end of each month"),
        description=_l(
            "Among the members thanked by 3 or more people in the month, by the points they"
            " received. The coins come with the month's ありがとう badge."
        ),
    )
    pool_coins = IntegerField(
        _l("Coins in the pool each month"),
        validators=[InputRequired(), NumberRange(min=0, max=MAX_POOL_COINS)],
    )

    @classmethod
    def of(cls, rules: ThanksRules) -> RulesForm:
        return cls(
            formdata=None,
            allowance=rules.allowance,
            per_person_percent=rules.per_person_percent,
            pool_on=rules.pool_on,
            pool_coins=rules.pool_coins,
        )

    def rules(self) -> ThanksRules:
        return ThanksRules(
            allowance=self.allowance.data,
            per_person_percent=self.per_person_percent.data,
            pool_on=self.pool_on.data,
            pool_coins=self.pool_coins.data,
        )
