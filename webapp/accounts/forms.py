from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SubmitField
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
