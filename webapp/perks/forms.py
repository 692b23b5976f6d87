"""The administrators' forms for partners, their staff and perks: they read and type-check what
was sent; the rules (a price of at least one coin, ...) are the services'."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from webapp.core.forms import DateTimeLocalField, Form, IntegerField
from webapp.core.i18n import lazy_coin_name

LOCAL_TIME = "%Y-%m-%dT%H:%M"


class PartnerForm(Form):
    name_ja = StringField(_l("Name (Japanese)"), validators=[Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)])
    place = StringField(_l("Place"), validators=[Length(max=200)])


class StaffForm(Form):
    email = EmailField(_l("Add staff (their e-mail address)"), validators=[Length(max=254)])


class PerkForm(Form):
    partner_id = IntegerField(_l("Partner"), validators=[InputRequired()])
    title_ja = StringField(_l("Title (Japanese)"), validators=[Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)])
    description_ja = TextAreaField(_l("Text (Japanese)"), validators=[Length(max=5000)])
    description_en = TextAreaField(_l("Text (English)"), validators=[Length(max=5000)])
    price = IntegerField(_l("Price (%(coin)s)", coin=lazy_coin_name()), validators=[Optional()])
    stock = IntegerField(_l("Stock (empty: unlimited)"), validators=[Optional()])
    limit_per_member = IntegerField(_l("Limit per member (empty: none)"), validators=[Optional()])
    valid_from = DateTimeLocalField(
        _l("Valid from (empty: now)"), validators=[Optional()], format=LOCAL_TIME
    )
    valid_until = DateTimeLocalField(
        _l("Valid until (empty: no end)"), validators=[Optional()], format=LOCAL_TIME
    )
    photo = FileField(_l("Photo (JPEG, PNG or WebP, 10 MB at most)"))
    photo_alt = StringField(
        _l("What the photo shows (read aloud to people who cannot see it)"),
        validators=[Length(max=200)],
    )


def first_error(form: Form) -> str:
    """The first thing wrong with a sent form, as a person reads it."""
    name, errors = next(iter(form.errors.items()))
    field = getattr(form, name, None)
    label = field.label.text if field is not None else name
    return f"{label}: {errors[0]}"
