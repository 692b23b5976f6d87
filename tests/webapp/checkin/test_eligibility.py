"""Who an event invites: everyone, members, or a rule, evaluated in one place
(checkin.eligibility) for the wallet, the RSVP and the check-in."""

from datetime import timedelta

import pytest
from flask_babel import force_locale

from webapp.accounts.models import Role
from webapp.checkin.eligibility import eligibility, list_eligibility, rule_in_words
from webapp.core.db import utcnow
from webapp.membership.services import get_membership
from webapp.projects.services import join_project, leave_project

from .rules import attend, invite, make_project

DAY = timedelta(days=1)


@pytest.fixture
def setting(session, make_user, make_event, organiser):
    """A person in a given state, and an event whose invitation is set per case."""

    def make(card="valid", badges_days_ago=(), required=False, project=None, closed=False):
        now = utcnow()
        person = make_user(Role.MEMBER, member=card != "none")
        lead = make_user(Role.MEMBER)
        past = make_event(title="ぶどう収穫祭")
        other_past = make_event(title="ワイン講座")
        for days in badges_days_ago:
            gathering = make_event(title="集い")
            invite(session, gathering, audience="everyone")  # badges need no card
            attend(session, person, gathering, now - days * DAY)
        if required:
            attend(session, person, other_past, now - 200 * DAY)
        team = make_project(session, lead)
        if project in ("in", "left"):
            join_project(session, team, person, now=now)
        if project == "left":
            leave_project(session, team, person, now=now)
        membership = get_membership(session, person)
        if card == "lapsed":
            membership.term_ends_at = now - timedelta(seconds=1)
        if card == "revoked":
            membership.revoked_at = now
        if closed:
            person.closed_at = now
        session.commit()
        event = make_event(title="特別見学会")
        return person, event, {"past": [past.id, other_past.id], "project": team.id}, now

    return make


# (case, the person, the event's invitation, invited, reason, unmet conditions)
CASES = [
    ("members: a valid card", {}, {"audience": "members"}, True, None, ()),
    ("members: no card", {"card": "none"}, {"audience": "members"}, False, "not_a_member", ()),
    (
        "members: lapsed card",
        {"card": "lapsed"},
        {"audience": "members"},
        False,
        "not_a_member",
        (),
    ),
    (
        "members: revoked card",
        {"card": "revoked"},
        {"audience": "members"},
        False,
        "not_a_member",
        (),
    ),
    ("everyone: no card", {"card": "none"}, {"audience": "everyone"}, True, None, ()),
    ("everyone: revoked card", {"card": "revoked"}, {"audience": "everyone"}, True, None, ()),
    (
        "everyone: closed account",
        {"closed": True},
        {"audience": "everyone"},
        False,
        "not_a_member",
        (),
    ),
    ("rule card: valid", {}, {"rule_card": True}, True, None, ()),
    ("rule card: lapsed", {"card": "lapsed"}, {"rule_card": True}, False, "not_invited", ("card",)),
    (
        "rule card: revoked",
        {"card": "revoked"},
        {"rule_card": True},
        False,
        "not_invited",
        ("card",),
    ),
    ("rule card: none", {"card": "none"}, {"rule_card": True}, False, "not_invited", ("card",)),
    (
        "badges: 3 within 90 days",
        {"badges_days_ago": (1, 30, 89)},
        {"rule_badges": 3, "rule_days": 90},
        True,
        None,
        (),
    ),
    (
        "badges: one just outside",
        {"badges_days_ago": (1, 30, 90.001)},
        {"rule_badges": 3, "rule_days": 90},
        False,
        "not_invited",
        ("badges",),
    ),
    (
        "badges: one just inside",
        {"badges_days_ago": (1, 30, 89.999)},
        {"rule_badges": 3, "rule_days": 90},
        True,
        None,
        (),
    ),
    (
        "badges: too few",
        {"badges_days_ago": (1, 2)},
        {"rule_badges": 3, "rule_days": 90},
        False,
        "not_invited",
        ("badges",),
    ),
    (
        "badges: none needed card",
        {"card": "none", "badges_days_ago": (1,)},
        {"rule_badges": 1, "rule_days": 7},
        True,
        None,
        (),
    ),
    ("required: one of two attended", {"required": True}, {"required": True}, True, None, ()),
    ("required: none attended", {}, {"required": True}, False, "not_invited", ("events",)),
    ("project: a member", {"project": "in"}, {"project": True}, True, None, ()),
    (
        "project: left it",
        {"project": "left"},
        {"project": True},
        False,
        "not_invited",
        ("project",),
    ),
    ("project: never in", {}, {"project": True}, False, "not_invited", ("project",)),
    (
        "all: card lapsed and too few badges",
        {"card": "lapsed", "badges_days_ago": (1,), "project": "in"},
        {"rule_card": True, "rule_badges": 2, "rule_days": 30, "project": True},
        False,
        "not_invited",
        ("card", "badges"),
    ),
    (
        "all met",
        {"badges_days_ago": (1, 2), "required": True, "project": "in"},
        {"rule_card": True, "rule_badges": 2, "rule_days": 30, "required": True, "project": True},
        True,
        None,
        (),
    ),
    ("rule: closed account", {"closed": True}, {"rule_card": True}, False, "not_a_member", ()),
]


@pytest.mark.parametrize(
    ("person", "rule", "invited", "reason", "unmet"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_the_rule_is_evaluated_as_written(session, setting, person, rule, invited, reason, unmet):
    user, event, ids, now = setting(**person)
    rule = dict(rule)
    if rule.pop("required", False):
        rule["required_event_ids"] = tuple(ids["past"])
    if rule.pop("project", False):
        rule["rule_project_id"] = ids["project"]
    invite(session, event, **rule)
    answer = eligibility(session, user, event, now)
    assert (answer.invited, answer.reason, answer.unmet) == (invited, reason, unmet)
    assert list_eligibility(session, user, [event], now)[event.id] == answer


def test_the_rule_reads_as_a_plain_sentence(app, session, make_event, make_user):
    lead = make_user()
    past = make_event(title="ぶどう収穫祭")
    team = make_project(session, lead, title="畑の会")
    event = make_event(title="特別見学会")
    with app.test_request_context(), force_locale("en"):
        invite(session, event, rule_card=True, rule_badges=3, rule_days=90)
        assert rule_in_words(event) == (
            "Those who hold a membership card and took part 3 times or more in the last 90 days"
        )
        invite(session, event, required_event_ids=(past.id,), rule_project_id=team.id)
        assert rule_in_words(event) == (
            "Those who took part in “ぶどう収穫祭” and are in the project “畑の会”"
        )
        invite(session, event, audience="members")
        assert rule_in_words(event) == "Members with a valid membership card"
