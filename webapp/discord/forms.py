"""The administrator's Discord settings form. The secret and the token are never filled in
again: left empty, the saved ones stay."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import Length

from webapp.core.forms import Form


class SettingsForm(Form):
    client_id = StringField(_l("Application ID (client ID)"), validators=[Length(max=32)])
    client_secret = PasswordField(
        _l("Client secret"),
        validators=[Length(max=200)],
        description=_l("Saved secrets are not shown. Leave it empty to keep the saved one."),
    )
    bot_token = PasswordField(
        _l("Bot token"),
        validators=[Length(max=200)],
        description=_l("Saved secrets are not shown. Leave it empty to keep the saved one."),
    )
    guild_id = StringField(_l("Server ID (guild ID)"), validators=[Length(max=32)])
