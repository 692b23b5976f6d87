"""The 結い board's forms: they read and type-check what was sent; the rules (who may post, what
the coins must be) are the services'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from webapp.core.forms import Form, IntegerField
from webapp.yui.choices import AREAS, CATEGORIES, KIND_NAMES
from webapp.yui.services import (
    BODY_MAX,
    COINS_MAX,
    MESSAGE_MAX,
    REASON_MAX,
    TITLE_MAX,
    WHEN_MAX,
)


def _lines(text: str | None) -> str | None:
    """Counted as the service counts it: a browser sends each line break as \\r\\n."""
    return text.replace("\r\n", "\n") if text else text


def _choices(names: dict) -> list[SelectChoice]:
    return [SelectChoice("", _l("Choose…")), *(SelectChoice(k, v) for k, v in names.items())]


class PostForm(Form):
    kind = RadioField(
        _l("What kind of post"),
        choices=[SelectChoice(kind.value, name) for kind, name in KIND_NAMES.items()],
        validators=[InputRequired(_l("Choose 困りごと or できること."))],
        description=_l(
            "困りごと: you would like help. できること: you can help, or lend something."
        ),
    )
    category = SelectField(
        _l("What it is about"),
        choices=_choices(CATEGORIES),
        validators=[InputRequired(_l("Choose what the post is about."))],
    )
    area = SelectField(
        _l("District"),
        choices=_choices(AREAS),
        validators=[InputRequired(_l("Choose an area."))],
        description=_l("Only the district. Please do not write your address."),
    )
    title = StringField(
        _l("Post title"),
        validators=[
            InputRequired(_l("Give the post a title of at most 80 characters.")),
            Length(max=TITLE_MAX, message=_l("Give the post a title of at most 80 characters.")),
        ],
        render_kw={"maxlength": TITLE_MAX},
    )
    body = TextAreaField(
        _l("Details"),
        validators=[Length(max=BODY_MAX, message=_l("Write at most 1,000 characters."))],
        filters=[_lines],
        description=_l(
            "What, how much, anything to know. Please do not write your address or phone number."
        ),
        render_kw={"rows": 5},
    )
    when_text = StringField(
        _l("When (roughly)"),
        validators=[Length(max=WHEN_MAX, message=_l("Say when in at most 80 characters."))],
        description=_l("For example: Saturday morning, some time in December."),
        render_kw={"maxlength": WHEN_MAX},
    )
    coins = IntegerField(
        _l("Coins as thanks (for 困りごと only)"),
        default=0,
        validators=[
            Optional(),
            NumberRange(0, COINS_MAX, message=_l("Offer between 0 and 10,000 coins.")),
        ],
    )


class MessageForm(Form):
    body = TextAreaField(
        _l("Message"),
        validators=[
            InputRequired(_l("Write a message of at most 500 characters.")),
            Length(max=MESSAGE_MAX, message=_l("Write a message of at most 500 characters.")),
        ],
        filters=[_lines],
        description=_l("Up to 500 characters. Only the people in this conversation read it."),
        render_kw={"rows": 3, "maxlength": MESSAGE_MAX},
    )


class ReasonForm(Form):
    """Why a post is reported, or why an administrator hides it."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[
            InputRequired(_l("Say what is wrong in at most 500 characters.")),
            Length(max=REASON_MAX, message=_l("Say what is wrong in at most 500 characters.")),
        ],
        filters=[_lines],
        render_kw={"rows": 2, "maxlength": REASON_MAX},
    )


def first_error(form: Form) -> str:
    """The first thing wrong with a sent form, as a person reads it."""
    name, errors = next(iter(form.errors.items()))
    field = getattr(form, name, None)
    label = field.label.text if field is not None else name
    return f"{label}: {errors[0]}"
