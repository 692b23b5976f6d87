"""The organiser's form for who is invited: an audience, a rule in plain fields, seats and the
project; a wrong entry is refused with a clear error and nothing is half-written."""

from datetime import timedelta

import pytest

from webapp.core.db import utcnow
from webapp.events.models import Event, EventRequiredBadge
from webapp.projects.services import activate_project, propose_project

from ...conftest import csrf_token


def send(client, event, **fields):
    data = {"csrf_token": csrf_token(client, f"/events/{event.id}/invitation"), "project": "0"}
    data.setdefault("rule_project", "0")
    data.update(fields)
    return client.post(f"/events/{event.id}/invitation", data=data, follow_redirects=True)


def test_a_rule_is_saved_and_read_back_in_words(organiser_client, session, make_event, make_user):
    lead = make_user()
    project = propose_project(
        session, lead, title="畑の会", purpose="", help_wanted="", lead=lead, now=utcnow()
    )
    activate_project(session, project, now=utcnow())
    session.commit()
    past = make_event(
        title="ぶどう収穫祭",
        starts_at=utcnow() - timedelta(days=30, hours=3),
        ends_at=utcnow() - timedelta(days=30),
    )
    event = make_event(title="特別見学会")
    form = organiser_client.get(f"/events/{event.id}/invitation").get_data(as_text=True)
    assert "ぶどう収穫祭" in form and "畑の会" in form
    answer = send(
        organiser_client,
        event,
        audience="rule",
        rule_card="y",
        rule_badges="3",
        rule_days="90",
        required_events=str(past.id),
        rule_project=str(project.id),
        capacity="20",
        rsvp_open="y",
        project=str(project.id),
    )
    assert answer.status_code == 200
    session.expire_all()
    saved = session.get(Event, event.id)
    assert (saved.audience, saved.rule_card, saved.rule_badges, saved.rule_days) == (
        "rule", True, 3, 90,
    )  # fmt: skip
    assert [e.id for e in saved.required_events] == [past.id]
    assert (saved.rule_project_id, saved.project_id, saved.capacity, saved.rsvp_open) == (
        project.id, project.id, 20, True,
    )  # fmt: skip
    settings = organiser_client.get(f"/events/{event.id}?tab=settings").get_data(as_text=True)
    assert "ぶどう収穫祭" in settings and "90" in settings


@pytest.mark.parametrize(
    "fields",
    [
        {"audience": "rule"},  # no condition
        {"audience": "rule", "rule_badges": "3"},  # times without days
        {"audience": "rule", "rule_badges": "0", "rule_days": "30"},
        {"audience": "rule", "rule_card": "y", "capacity": "-1"},
        {"audience": "someone"},
        {"audience": "rule", "required_events": "999999"},
    ],
)
def test_a_wrong_entry_is_refused_and_nothing_is_written(
    organiser_client, session, make_event, fields
):
    event = make_event(title="特別見学会")
    answer = send(organiser_client, event, **{"capacity": "5", **fields})
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    assert 'class="field-error"' in text or 'data-testid="form-error"' in text
    session.expire_all()
    saved = session.get(Event, event.id)
    assert (saved.audience, saved.capacity, saved.rule_badges) == ("members", None, None)
    assert session.query(EventRequiredBadge).count() == 0
