"""The project forms: they read and type-check what was sent; the rules (who may lead, ...) are
the services'."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from webapp.core.forms import Form
from webapp.projects.services import MAX_REASON_LENGTH, MAX_TITLE_LENGTH


class ProposeForm(Form):
    title = StringField(
        _l("Project name"),
        validators=[
            InputRequired(_l("Give the project a title.")),
            Length(max=MAX_TITLE_LENGTH, message=_l("At most 200 characters.")),
        ],
    )
    purpose = TextAreaField(
        _l("What it is for"),
        description=_l("The first line is shown in the list of projects."),
        validators=[Length(max=5000)],
    )
    help_wanted = TextAreaField(
        _l("Help wanted"),
        description=_l("What kind of help would be welcome (hands, skills, a place…)."),
        validators=[Length(max=2000)],
    )
    lead_id = SelectField(
        _l("Who leads it"),
        coerce=int,
        description=_l("Yourself, or another member who agreed to lead it."),
    )


class DeclineForm(Form):
    reason = TextAreaField(
        _l("Reason (optional, shown to the proposer)"),
        validators=[Length(max=MAX_REASON_LENGTH)],
    )


def first_error(form: Form) -> str:
    """The first thing wrong with a sent form, as a person reads it."""
    name, errors = next(iter(form.errors.items()))
    field = getattr(form, name, None)
    label = field.label.text if field is not None else name
    return f"{label}: {errors[0]}"
