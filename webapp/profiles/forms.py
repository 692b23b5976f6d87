"""The profile's form on マイページ, and the choice of where one lives (also asked at joining)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from webapp.core.forms import Form
from webapp.profiles.models import Area, Visibility
from webapp.profiles.services import MAX_INTRODUCTION

# In the order of the choices (profiles.residence.AREAS); 答えない takes back what was said.
AREA_NAMES = {
    Area.CITY: _l("In the city"),
    Area.PREFECTURE: _l("Elsewhere in the prefecture"),
    Area.OUTSIDE: _l("Outside the prefecture"),
    Area.UNKNOWN: _l("I'd rather not say"),
}

VISIBILITY_NAMES = {
    Visibility.PRIVATE: _l("Only me"),
    Visibility.MEMBERS: _l("Members"),
    Visibility.PUBLIC: _l("Anyone"),
}
VISIBILITY_DETAILS = {
    Visibility.PRIVATE: _l("Nobody else sees your profile."),
    Visibility.MEMBERS: _l("Members who are logged in see it and find you in the member list."),
    Visibility.PUBLIC: _l("Anyone with its link sees it, also without logging in."),
}


def residence_field(label=None) -> RadioField:
    """Where one lives: optional, so none chosen leaves what was said."""
    return RadioField(
        label or _l("Where do you live?"),
        choices=[SelectChoice(area.value, name) for area, name in AREA_NAMES.items()],
        validators=[Optional()],
        description=_l("Optional. Only counts by area are shown, never who lives where."),
    )


class ProfileForm(Form):
    introduction = TextAreaField(
        _l("Introduction"),
        validators=[Length(max=MAX_INTRODUCTION)],
        # Counted as the service counts it: a browser sends each line break as \r\n.
        filters=[lambda text: text.replace("\r\n", "\n") if text else text],
        render_kw={"rows": 6},
        description=_l("A few words about yourself (at most %(n)s characters). The first line "
                       "shows in the member list.", n=MAX_INTRODUCTION),
    )  # fmt: skip
    # Several lines, so that every tag typed stays in sight.
    skills = TextAreaField(
        _l("Skills"),
        validators=[Length(max=1000)],
        render_kw={"rows": 2},
        description=_l("What you can help with, separated by commas: デザイン, IT, 写真"),
    )
    interests = TextAreaField(
        _l("Interests"),
        validators=[Length(max=1000)],
        render_kw={"rows": 2},
        description=_l("What you care about, separated by commas: 農業, 子育て"),
    )
    visibility = RadioField(
        _l("Who can see my profile"),
        choices=[SelectChoice(v.value, name) for v, name in VISIBILITY_NAMES.items()],
        default=Visibility.PRIVATE.value,
        validators=[InputRequired(_l("Choose who may see your profile."))],
    )
    residence = residence_field()
