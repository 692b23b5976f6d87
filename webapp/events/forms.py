from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.core.forms import DateTimeLocalField, Form, IntegerField
from webapp.core.i18n import lazy_coin_name
from webapp.events.services import (
    DEFAULT_BUDGET_PLACES,
    MAX_BUDGET,
    MAX_OFFLINE_CLAIM_DAYS,
    MAX_REWARD,
    MAX_WORD_CHARS,
)


class EventForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    venue = StringField(_l("Venue"), validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField(
        _l("Starts"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M"
    )
    ends_at = DateTimeLocalField(_l("Ends"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")
    reward = IntegerField(
        _l("Reward (%(coin)s per participant)", coin=lazy_coin_name()),
        default=10,
        validators=[InputRequired(), NumberRange(min=0, max=MAX_REWARD)],
    )
    budget = IntegerField(
        _l("Budget (%(coin)s for all participants together)", coin=lazy_coin_name()),
        description=_l(
            "Past it, participants get the badge without coins. Empty: enough for %(n)s people.",
            n=DEFAULT_BUDGET_PLACES,
        ),
        validators=[Optional(), NumberRange(min=0, max=MAX_BUDGET)],
    )
    offline_claim_days = IntegerField(
        _l("Check-ins made with no signal count if sent within (days)"),
        default=7,
        validators=[InputRequired(), NumberRange(min=0, max=MAX_OFFLINE_CLAIM_DAYS)],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    secret_word = StringField(
        _l("Secret word for the printed poster (optional: say it aloud at the event)"),
        validators=[Optional(), Length(max=MAX_WORD_CHARS)],
    )
    hold_late_claims = BooleanField(
        _l("Check late check-ins before they count (always on with a secret word)"),
        description=_l(
            "A check-in sent after the code on the screen has changed may be a photo passed on."
        ),
    )
    submit = SubmitField(_l("Create event"))
