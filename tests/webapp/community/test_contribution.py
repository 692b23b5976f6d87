"""A member's own contribution: the timeline of a year in Japan time, and the year's figures,
with the people met for the first time counted in SQL. Fixed instants throughout."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event as sa_event

from webapp.accounts.models import Role
from webapp.community.contribution import (
    active_years,
    get_contribution,
    new_people_met,
    year_moments,
)
from webapp.extensions import db

from .history import attend, badge, join, launch, perk, proposal, use_perk, vote

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def at(text: str) -> datetime:
    """An instant in UTC, as the database keeps it: "2025-12-31T15:30"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def event_at(make_event):
    """An event whose day is around `starts` (its check-ins are given apart)."""

    def make(title: str, venue: str = "えんぱーく", starts: str = "2026-06-14T01:00"):
        start = at(starts)
        return make_event(title=title, venue=venue, starts_at=start,
                          ends_at=start.replace(hour=start.hour + 2), now=start)  # fmt: skip

    return make


@pytest.mark.parametrize(
    ("checked_in", "year"),
    [
        ("2025-12-31T14:59", 2025),  # 23:59 on 31 December in Japan
        ("2025-12-31T15:00", 2026),  # midnight: New Year's Day in Japan
        ("2025-12-31T15:30", 2026),
        ("2026-12-31T14:59", 2026),
        ("2026-12-31T15:00", 2027),
    ],
)
def test_a_check_in_counts_in_the_year_of_its_day_in_japan(
    session, member, event_at, checked_in, year
):
    event = event_at("年越しの集い", starts="2025-12-31T12:00")
    attend(session, member, event, at(checked_in), coins=10)
    session.commit()
    assert active_years(session, member.id, TOKYO) == {year}
    for asked in (year - 1, year, year + 1):
        moments = year_moments(session, member.id, asked, TOKYO, "ja")
        summary = get_contribution(session, member.id, asked, zone=TOKYO, locale="ja", now=NOW)
        assert [m.title for m in moments] == (["年越しの集い"] if asked == year else [])
        assert (summary.summary.events, summary.summary.coins_earned) == (
            (1, 10) if asked == year else (0, 0)
        )


def test_the_timeline_lists_what_i_did_newest_first_by_month_and_nothing_of_anyone_else(
    session, make_user, event_at
):
    me, other, admin = make_user(), make_user(), make_user(Role.ADMIN)
    wine = event_at("ワイン講座", venue="えんぱーく")
    harvest = event_at("ぶどう収穫祭", venue="桔梗ヶ原")
    theirs = event_at("よその会")
    attend(session, me, wine, at("2026-03-01T02:00"), coins=10)
    attend(session, me, harvest, at("2026-09-20T01:00"))  # reward held: no coins said
    attend(session, other, theirs, at("2026-03-02T02:00"), coins=99)
    attend(session, other, wine, at("2026-03-01T02:05"), coins=10)
    garden = launch(session, me, "みんなの畑", at("2026-03-10T00:00"))
    library = launch(session, other, "まちの図書室", at("2026-01-05T00:00"))
    join(session, me, library, at("2026-04-01T00:00"))
    launch(session, other, "よその企画", at("2026-04-02T00:00"))
    badge(session, me, garden, at("2026-10-01T00:00"), by=admin)
    badge(session, other, library, at("2026-10-01T00:00"), by=admin)
    shelf = proposal(session, other, "公民館に本棚を置く", at("2026-05-01T00:00"))
    vote(session, me, shelf, at("2026-05-02T00:00"), choice=1)
    vote(session, other, shelf, at("2026-05-02T01:00"))
    coffee = perk(session, "喫茶しおじり", "コーヒー1杯", 30)
    use_perk(session, me, coffee, at("2026-09-30T23:30"))  # 1 October in Japan
    use_perk(session, me, coffee, at("2026-08-01T00:00"), status="cancelled")
    use_perk(session, other, coffee, at("2026-08-01T00:00"))
    session.commit()

    page = get_contribution(session, me.id, 2026, zone=TOKYO, locale="ja", now=NOW)

    months = [
        (
            m.starts.strftime("%Y-%m"),
            [(x.kind, x.title, x.place, x.coins) for x in m.moments],
        )
        for m in page.months
    ]
    assert months == [
        ("2026-10", [
            ("project_badge", "みんなの畑", "", None),
            ("perk_used", "コーヒー1杯", "喫茶しおじり", -30),
        ]),
        ("2026-09", [("event", "ぶどう収穫祭", "桔梗ヶ原", None)]),
        ("2026-05", [("vote", "公民館に本棚を置く", "", None)]),
        ("2026-04", [("project_joined", "まちの図書室", "", None)]),
        ("2026-03", [
            ("project_launched", "みんなの畑", "", None),
            ("event", "ワイン講座", "えんぱーく", 10),
        ]),
    ]  # fmt: skip
    summary = page.summary
    assert (summary.events, summary.people_met, summary.coins_earned, summary.coins_spent,
            summary.projects) == (2, 1, 10, 30, 2)  # fmt: skip
    assert page.years == [2026]


@pytest.mark.parametrize(
    ("history", "met_in_2026"),
    [
        # (who, event, checked in): "me" and others at events a, b, c...
        ([("me", "a", "2026-05-01"), ("ann", "a", "2026-05-01")], 1),
        # Met in 2025, again in 2026: not new.
        (
            [
                ("me", "a", "2025-05-01"),
                ("ann", "a", "2025-05-01"),
                ("me", "b", "2026-05-01"),
                ("ann", "b", "2026-05-01"),
            ],
            0,
        ),
        # At the same event in 2025 without me there: new in 2026.
        ([("ann", "a", "2025-05-01"), ("me", "b", "2026-05-01"), ("ann", "b", "2026-05-01")], 1),
        # Met twice in 2026: one person.
        (
            [
                ("me", "a", "2026-02-01"),
                ("ann", "a", "2026-02-01"),
                ("me", "b", "2026-07-01"),
                ("ann", "b", "2026-07-01"),
                ("bob", "b", "2026-07-01"),
            ],
            2,
        ),
        # Someone at an event of 2026 I was not at: not met.
        ([("me", "a", "2026-05-01"), ("ann", "b", "2026-05-01")], 0),
        # Met at 00:30 on New Year's Day in Japan: met in 2026, not 2025.
        ([("me", "a", "2025-12-31T15:30"), ("ann", "a", "2025-12-31T15:30")], 1),
        # Met at 23:30 on New Year's Eve in Japan: met before 2026.
        (
            [
                ("me", "a", "2025-12-31T14:30"),
                ("ann", "a", "2025-12-31T14:30"),
                ("me", "b", "2026-05-01"),
                ("ann", "b", "2026-05-01"),
            ],
            0,
        ),
        # Met in 2027: not in 2026.
        ([("me", "a", "2027-01-01T03:00"), ("ann", "a", "2027-01-01T03:00")], 0),
        # Alone at my events.
        ([("me", "a", "2026-05-01")], 0),
    ],
)
def test_new_people_met(session, make_user, event_at, history, met_in_2026):
    people = {"me": make_user(), "ann": make_user(), "bob": make_user()}
    events = {}
    for who, name, day in history:
        event = events.get(name) or events.setdefault(name, event_at(f"会 {name}"))
        attend(session, people[who], event, at(day if "T" in day else day + "T03:00"))
    session.commit()
    assert new_people_met(session, people["me"].id, 2026, TOKYO) == met_in_2026
    page = get_contribution(session, people["me"].id, 2026, zone=TOKYO, locale="ja", now=NOW)
    assert page.summary.people_met == met_in_2026


def test_a_long_history_is_read_in_the_same_few_queries(session, make_user, event_at):
    """No query per row: a member with three times the history costs no more statements."""
    me = make_user()

    def statements(n_events: int, year: int) -> int:
        others = [make_user() for _ in range(3)]
        for i in range(n_events):
            event = event_at(f"会 {year}-{i}")
            for person in [me, *others]:
                attend(session, person, event, at(f"{year}-0{1 + i % 9}-0{1 + i % 7}T03:00"), 5)
        session.commit()
        seen = []
        engine = db.engine
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa_event.listen(engine, "before_cursor_execute", listener)
        try:
            page = get_contribution(session, me.id, year, zone=TOKYO, locale="ja", now=NOW)
        finally:
            sa_event.remove(engine, "before_cursor_execute", listener)
        assert page.summary.events == n_events
        assert page.summary.people_met == 3
        return len(seen)

    assert statements(3, 2025) == statements(9, 2026)


def test_the_years_with_something_in_them(session, make_user, event_at):
    me, admin = make_user(), make_user(Role.ADMIN)
    attend(session, me, event_at("会"), at("2023-05-01T03:00"))
    garden = launch(session, me, "畑", at("2024-12-31T15:10"))  # 2025 in Japan
    badge(session, me, garden, at("2025-03-01T00:00"), by=admin)
    session.commit()
    assert active_years(session, me.id, TOKYO) == {2023, 2025}
    page = get_contribution(session, me.id, 2023, zone=TOKYO, locale="ja", now=NOW)
    assert page.years == [2026, 2025, 2023]  # this year is always there to go back to
