"""The forms of inviting people and of joining."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, PasswordField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from webapp.core.forms import Form
from webapp.profiles.forms import residence_field


class InviteForm(Form):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(
        _l("E-mail address (optional)"),
        validators=[Optional(), Length(max=254)],
        description=_l("Leave it empty for someone with no e-mail: print their invitation card."),
    )
    cohort = StringField(
        _l("Cohort (optional)"),
        validators=[Optional(), Length(max=50)],
        description=_l("For example 第5期."),
    )
    submit = SubmitField(_l("Invite"))


class ImportForm(Form):
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(_l("Choose a CSV file."))],
        description=_l(
            "Columns: 名前 (name), メール (e-mail, optional), 期 (cohort). UTF-8 or Shift_JIS "
            "(as Excel saves it)."
        ),
    )
    submit = SubmitField(_l("See what will happen"))


# How a person who joins will log in from now on.
WAYS = ("passkey", "password", "card")


class JoinForm(Form):
    display_name = StringField(
        _l("Your name in Enishi"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("Other members and the organisers see this name. You can change it later."),
    )
    way = RadioField(
        _l("How will you log in?"),
        choices=[
            SelectChoice("passkey", _l("Passkey (fingerprint or face)")),
            SelectChoice("password", _l("A password")),
            SelectChoice("card", _l("A printed login card")),
        ],
        default="passkey",
        validators=[InputRequired(_l("Choose how you will log in."))],
    )
    password = PasswordField(
        _l("Password (at least 10 characters)"),
        validators=[Optional(), Length(min=10, max=200)],
        description=_l("Only if you chose a password."),
    )
    # Optional: where they live, for the community's figures by area (市内 / 県内 / 県外).
    residence = residence_field()
    submit = SubmitField(_l("Join"))
