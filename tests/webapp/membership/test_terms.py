from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from webapp.membership.terms import Term, last_day, parse_term, term_end

TOKYO = ZoneInfo("Asia/Tokyo")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("", Term()),
        ("365d", Term(days=365)),
        ("2027-03-31", Term(until=date(2027, 3, 31))),
        ("03-31", Term(season=(3, 31))),
    ],
)
def test_the_four_forms_are_read(text, term):
    assert parse_term(text) == term


@pytest.mark.parametrize("text", ["0d", "a year", "2027-02-30", "13-01", "3-31"])
def test_anything_else_is_refused_with_the_setting_named(text):
    with pytest.raises(ValueError, match="ENISHI_MEMBERSHIP_TERM"):
        parse_term(text)


def test_a_term_of_days_counts_the_day_of_issue_as_its_first():
    ends = term_end(parse_term("365d"), at("2026-04-01T15:00"), TOKYO)
    assert ends == at("2027-04-01T00:00")
    assert last_day(ends, TOKYO) == date(2027, 3, 31)


def test_a_season_runs_to_its_next_last_day_and_a_renewal_to_the_one_after():
    term = parse_term("03-31")
    first = term_end(term, at("2026-12-05T10:00"), TOKYO)
    assert last_day(first, TOKYO) == date(2027, 3, 31)
    assert last_day(term_end(term, first, TOKYO), TOKYO) == date(2028, 3, 31)


def test_a_fixed_day_is_every_cards_last_and_no_term_has_no_end():
    assert last_day(term_end(parse_term("2027-03-31"), at("2026-05-01T09:00"), TOKYO), TOKYO) == (
        date(2027, 3, 31)
    )
    assert term_end(parse_term(""), datetime.now(UTC), TOKYO) is None
