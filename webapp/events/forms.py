from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.core.forms import DateTimeLocalField, Form, IntegerField
from webapp.core.i18n import lazy_coin_name
from webapp.events.services import (
    DEFAULT_BUDGET_PLACES,
    MAX_BUDGET,
    MAX_CAPACITY,
    MAX_OFFLINE_CLAIM_DAYS,
    MAX_REWARD,
    MAX_RULE_BADGES,
    MAX_RULE_DAYS,
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


class InvitationForm(Form):
    """Who an event invites, its seats and its project. The view gives the choices of events
    and projects (`required_events`, `rule_project`, `project`: 0 is none)."""

    audience = RadioField(
        _l("Who may come"),
        choices=[
            SelectChoice("everyone", _l("Everyone (anyone with an account)")),
            SelectChoice("members", _l("Members only (a valid membership card)")),
            SelectChoice("rule", _l("Those who meet conditions")),
        ],
        default="members",
    )
    rule_card = BooleanField(_l("Holds a valid membership card"))
    rule_badges = IntegerField(
        _l("Took part at least this many times"),
        validators=[Optional(), NumberRange(min=1, max=MAX_RULE_BADGES)],
    )
    rule_days = IntegerField(
        _l("Within the last this many days"),
        description=_l("Fill both, or leave both empty. Every check-in counts once."),
        validators=[Optional(), NumberRange(min=1, max=MAX_RULE_DAYS)],
    )
    required_events = SelectMultipleField(
        _l("Took part in any of these events"),
        coerce=int,
        validate_choice=True,
    )
    rule_project = SelectField(_l("Is a member of the project"), coerce=int)
    capacity = IntegerField(
        _l("Seats"),
        description=_l("Empty: no limit. Past it, replies join a waiting list."),
        validators=[Optional(), NumberRange(min=0, max=MAX_CAPACITY)],
    )
    rsvp_open = BooleanField(
        _l("Members can reply that they are coming"),
        description=_l("A reply saves a seat. Checking in at the event needs no reply."),
    )
    project = SelectField(_l("This event belongs to the project"), coerce=int)
    submit = SubmitField(_l("Save"))
