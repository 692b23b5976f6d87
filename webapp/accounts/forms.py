from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from webapp.accounts.models import TextSize
from webapp.core.forms import Form


class LoginForm(Form):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    # On by default: most people log in on their own phone. Off on a shared tablet.
    remember = BooleanField(_l("Stay logged in on this device"), default=True)
    submit = SubmitField(_l("Log in"))


class TextSizeForm(Form):
    """The size of the app's text, on マイページ. The words say what each is; the page shows a
    line of text at the chosen size."""

    size = RadioField(
        _l("Text size"),
        choices=[
            SelectChoice(TextSize.STANDARD.value, _l("Standard")),
            SelectChoice(TextSize.LARGE.value, _l("Large")),
            SelectChoice(TextSize.LARGEST.value, _l("Largest")),
        ],
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Use this size"))


class NameForm(Form):
    """The name a person is called by on their pages and at events (マイページ)."""

    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    submit = SubmitField(_l("Save the name"))


class PasswordForm(Form):
    """Setting a password (someone who has none) or changing it (the current one first)."""

    current_password = PasswordField(_l("Current password"), validators=[Length(max=200)])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("At least 10 characters."),
    )
    submit = SubmitField(_l("Save the password"))
