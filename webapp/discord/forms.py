"""The administrator's Discord settings form. The secret and the token are never filled in
again: left empty, the saved ones stay."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import Length

from webapp.core.forms import Form

SAVED = _l("Set (not shown). Leave it empty to keep it, or enter a new one to replace it.")
NOT_SAVED = _l("Not set yet.")


class SettingsForm(Form):
    client_id = StringField(_l("Application ID (client ID)"), validators=[Length(max=32)])
    client_secret = PasswordField(_l("Client secret"), validators=[Length(max=200)])
    bot_token = PasswordField(_l("Bot token"), validators=[Length(max=200)])
    guild_id = StringField(_l("Server ID (guild ID)"), validators=[Length(max=32)])

    def describe_secrets(self, settings) -> SettingsForm:
        """Each secret's hint says whether one is saved: 設定済み, never the value."""
        self.client_secret.description = SAVED if settings and settings.client_secret else NOT_SAVED
        self.bot_token.description = SAVED if settings and settings.bot_token else NOT_SAVED
        return self
