from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from webapp.community.figures import community_figures
from webapp.community.periods import month_period, year_period
from webapp.community.summary import rebuild_summary
from webapp.profiles.models import Area
from webapp.profiles.residence import set_residence

from ..checkin.rules import attend

TOKYO = ZoneInfo("Asia/Tokyo")


def test_smoke(session, make_user, make_event):
    a, b = make_user(), make_user()
    set_residence(session, a.id, Area.OUTSIDE, datetime(2026, 1, 1, tzinfo=UTC))
    set_residence(session, a.id, Area.CITY, datetime(2026, 5, 1, tzinfo=UTC))
    e1, e2 = make_event(), make_event()
    attend(session, a, e1, at=datetime(2026, 3, 31, 15, 30, tzinfo=UTC))  # April 1st in Tokyo
    attend(session, a, e2, at=datetime(2026, 6, 1, tzinfo=UTC))
    attend(session, b, e1, at=datetime(2026, 3, 10, tzinfo=UTC))
    session.commit()
    now = datetime(2026, 12, 6, tzinfo=UTC)
    rebuild_summary(session, now, TOKYO)
    april = community_figures(session, month_period(202604), now, TOKYO)
    assert april.checkins.total == 1
    assert april.checkins[Area.OUTSIDE] == 1
    year = community_figures(session, year_period(2026), now, TOKYO)
    assert year.participants.total == 2
    assert year.participants[Area.CITY] == 1
    assert year.checkins[Area.OUTSIDE] == 1 and year.checkins[Area.CITY] == 1
    print(year)
