"""What every form builds on: a form read as a browser sends it, and the fields whose WTForms
originals let a value through that the database or the clock cannot take (a server error)."""

from __future__ import annotations

import wtforms
from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict

from webapp.core.db import MAX_INTEGER

# WTForms' own messages, translated by its own catalogue (so left out of the app's).
NOT_AN_INTEGER = "Not a valid integer value."
NOT_A_TIME = "Not a valid datetime value."
# Times typed into a form fall in these years: any other is a typo, and the calendar's edges
# (year 1, year 9999) have no UTC equivalent or overflow when a duration is added.
FIRST_YEAR, LAST_YEAR = 2000, 2999


class Form(FlaskForm):
    """A form read from the form body only, and a file only into a file field. Flask-WTF would
    also read a JSON body, and hand a file or a JSON number to a text field, which then fails
    on it instead of saying the value is wrong."""

    def __init__(self, **kwargs) -> None:
        if "formdata" not in kwargs and self.is_submitted():
            kwargs["formdata"] = self._sent()
        super().__init__(**kwargs)

    def _sent(self) -> MultiDict:
        sent = MultiDict(request.form)
        for name, unbound in self._unbound_fields:
            if issubclass(unbound.field_class, FileField):
                sent.setlist(name, request.files.getlist(name))
        return sent


class IntegerField(wtforms.IntegerField):
    """An integer an INTEGER column holds; a larger one is not a valid integer value (the form
    does not validate, so the value is never used)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not -MAX_INTEGER - 1 <= self.data <= MAX_INTEGER:
            raise ValueError(self.gettext(NOT_AN_INTEGER))


class DateTimeLocalField(wtforms.DateTimeLocalField):
    """A local time (no zone, as a browser sends it) in the years the app takes."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not FIRST_YEAR <= self.data.year <= LAST_YEAR:
            raise ValueError(self.gettext(NOT_A_TIME))
