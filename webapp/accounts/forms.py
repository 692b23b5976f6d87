from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from webapp.core.forms import Form


class LoginForm(Form):
    email = EmailField(_l("Email address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    # On by default: most people log in on their own phone. Off on a shared tablet.
    remember = BooleanField(_l("Stay logged in on this device"), default=True)
    submit = SubmitField(_l("Log in"))
