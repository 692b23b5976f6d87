from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from webapp.events.services import MAX_OFFLINE_CLAIM_DAYS, MAX_REWARD, MAX_WORD_CHARS


class EventForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    venue = StringField(_l("Venue"), validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField(
        _l("Starts"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M"
    )
    ends_at = DateTimeLocalField(_l("Ends"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")
    reward = IntegerField(
        _l("Reward (tokens per participant)"),
        default=10,
        validators=[InputRequired(), NumberRange(min=0, max=MAX_REWARD)],
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
    submit = SubmitField(_l("Create event"))
