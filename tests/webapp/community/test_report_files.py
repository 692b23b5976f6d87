"""The report for the town's three files (community.report, community.report_pdf), read back
as the town would read them: the PDF's text, the CSV in a spreadsheet's rows, the JSON."""

import csv
import io
import json

from flask_babel import force_locale
from flask_babel import gettext as _

from webapp.community.figures import community_figures
from webapp.community.periods import month_period, period_label
from webapp.community.report import (
    build_report,
    file_name,
    report_csv,
    report_json,
    split_dict,
)
from webapp.community.report_pdf import report_pdf
from webapp.profiles.models import Area

from ..pdfs import pdf_text
from .report_world import NOW, PEOPLE, PERIOD, TOKYO, build_town

SPLITS = (
    "checkins", "participants", "first_time", "returning", "active_members", "new_members",
    "coins_issued", "coins_spent",
)  # fmt: skip


def report_of(session, period=PERIOD):
    return build_report(session, period, NOW, TOKYO, "塩尻DAO")


def csv_values(data: bytes) -> dict[tuple[str, str, str, str], str]:
    assert data.startswith("\ufeff".encode())  # Excel reads the Japanese right only then
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows[0]) == 7
    return {(row[0], row[1], row[2], row[4]): row[6] for row in rows[1:]}


def test_the_json_holds_the_figures_of_the_period_by_area(session, make_user, make_event):
    build_town(session, make_user, make_event)
    data = json.loads(report_json(report_of(session)))
    figures = community_figures(session, PERIOD, NOW, TOKYO)

    assert data["period"] | {"label": None} == {
        "kind": "custom", "first_month": "2026-04", "last_month": "2027-03",
        "time_zone": "Asia/Tokyo", "label": None,
    }  # fmt: skip
    assert data["generated_at"] == "2027-04-02T09:00:00+09:00"
    for code in SPLITS:
        assert data["figures"][code] == split_dict(getattr(figures, code)), code
    # By hand: the check-in at 00:30 on 1 April in Tokyo is April's, made from 県外; the member
    # who moved to the city counts there from January on, and as a person at the period's end.
    assert data["figures"]["checkins"] == {
        "total": 6, "city": 1, "prefecture": 2, "outside": 2, "unknown": 1,
    }  # fmt: skip
    assert data["figures"]["participants"] == {
        "total": 3, "city": 1, "prefecture": 1, "outside": 0, "unknown": 1,
    }  # fmt: skip
    assert data["figures"]["first_time"]["total"] == 2
    assert data["figures"]["returning"] == {
        "total": 1, "city": 0, "prefecture": 1, "outside": 0, "unknown": 0,
    }  # fmt: skip
    assert data["figures"]["coins_spent"]["city"] == 5
    assert data["figures"]["local_share"]["total"] == round(5 / 60, 4)
    assert data["figures"]["local_share"]["city"] == 0.5
    assert (data["figures"]["events_held"], data["figures"]["projects_active"]) == (3, 1)
    assert data["figures"]["proposals_decided"] == figures.proposals_decided == 0
    assert data["shops"] == [
        {
            "name_ja": "塩尻ワイナリー", "name_en": "Shiojiri Winery",
            "perks_used": {"total": 1, "city": 1, "prefecture": 0, "outside": 0, "unknown": 0},
            "coins_spent": {"total": 5, "city": 5, "prefecture": 0, "outside": 0, "unknown": 0},
        }
    ]  # fmt: skip
    assert [month["month"] for month in data["months"]][:2] == ["2026-04", "2026-05"]
    assert len(data["months"]) == 12 and all(month["in_period"] for month in data["months"])
    april = data["months"][0]
    assert april["checkins"] == split_dict(figures.trend[0].checkins)
    assert (april["checkins"]["outside"], april["checkins"]["prefecture"]) == (1, 1)
    assert (april["coins_issued"], april["events_held"]) == (20, 1)
    assert data["places"] == [
        {"venue": "えんぱーく", "events_held": 2, "checkins": 4},
        {"venue": "塩尻市洗馬のぶどう畑", "events_held": 1, "checkins": 2},
    ]  # the event before the period is not counted; the venue's spaces are trimmed
    assert sum(place["events_held"] for place in data["places"]) == figures.events_held
    assert data["projects"] == [{"title": "ぶどう畑の手入れ", "status": "active", "members": 2}]


def test_the_csv_holds_the_same_numbers_as_the_json(session, make_user, make_event):
    build_town(session, make_user, make_event)
    report = report_of(session)
    data, cells = json.loads(report_json(report)), csv_values(report_csv(report))

    for code in SPLITS:
        for area, value in data["figures"][code].items():
            assert cells[("period", "", code, area)] == str(value), (code, area)
    assert cells[("period", "", "local_share", "city")] == "0.5"
    assert cells[("period", "", "events_held", "total")] == "3"
    assert cells[("report", "", "first_month", "")] == "2026-04"
    assert cells[("report", "", "time_zone", "")] == "Asia/Tokyo"
    assert cells[("shop", "塩尻ワイナリー", "perks_used", "city")] == "1"
    for month in data["months"]:
        for area, value in month["checkins"].items():
            assert cells[("month", month["month"], "checkins", area)] == str(value)
        assert cells[("month", month["month"], "coins_issued", "total")] == str(
            month["coins_issued"]
        )
    assert cells[("place", "えんぱーく", "checkins", "total")] == "4"
    assert cells[("project", "ぶどう畑の手入れ", "members", "total")] == "2"


def test_the_pdf_shows_the_period_and_its_figures_in_japanese(session, make_user, make_event):
    build_town(session, make_user, make_event)
    text = pdf_text(report_pdf(report_of(session)))

    with force_locale("ja"):
        words = {
            key: "".join(_(msgid).split())
            for key, msgid in {
                "checkins": "Check-ins", "participants": "Participants",
                "issued": "Coins issued", "place": "Events by place", "active": "Active",
            }.items()
        }  # fmt: skip
        label = "".join(period_label(PERIOD).split())
    assert "塩尻DAO" in text and label in text
    # Rows of the figures' table: the figure, then 市内, 県内, 県外, 未回答 and the total.
    assert words["checkins"] + "12216" in text
    assert words["participants"] + "11013" in text
    assert words["issued"] + "1020201060" in text
    assert "2027年4月2日" in text  # made on, in Japan's calendar
    assert words["place"] + "場所" in text and "えんぱーく24" in text
    assert "ぶどう畑の手入れ" + words["active"] + "2" in text
    assert "塩尻ワイナリー100015" in text


def test_no_file_holds_a_persons_name_or_email_address(session, make_user, make_event):
    town = build_town(session, make_user, make_event)
    report = report_of(session)
    files = {
        "pdf": pdf_text(report_pdf(report)),
        "csv": report_csv(report).decode("utf-8-sig"),
        "json": report_json(report).decode("utf-8"),
    }
    assert town.people["aoi"].display_name == PEOPLE["aoi"][0]
    for kind, text in files.items():
        assert "ぶどう畑の手入れ" in text  # the reading finds what the file does hold
        for name, email in PEOPLE.values():
            assert name not in text, (kind, name)
            assert email.split("@")[0] not in text, (kind, email)
        for user in town.people.values():
            assert user.address.lower() not in text.lower(), kind


def test_a_month_is_shown_against_the_year_before_it(session, make_user, make_event):
    build_town(session, make_user, make_event)
    report = report_of(session, month_period(202609))
    data = json.loads(report_json(report))
    assert data["period"]["first_month"] == data["period"]["last_month"] == "2026-09"
    assert data["figures"]["participants"]["total"] == 2
    # A member is counted where they lived at the end of September: 県外, before the move.
    assert data["figures"]["participants"]["outside"] == 1
    assert [m["month"] for m in data["months"] if m["in_period"]] == ["2026-09"]
    assert len(data["months"]) == 12 and data["months"][0]["month"] == "2025-10"
    assert data["places"] == [{"venue": "塩尻市洗馬のぶどう畑", "events_held": 1, "checkins": 2}]
    assert file_name(report.period, "pdf") == "enishi-report-2026-09_2026-09.pdf"
    text = pdf_text(report_pdf(report))
    assert "2025-10*" in text  # a month before the period is marked


def test_an_empty_period_makes_a_report_with_nothing_to_show(session):
    report = report_of(session, month_period(202001))
    data = json.loads(report_json(report))
    assert data["figures"]["checkins"]["total"] == 0
    assert data["figures"]["local_share"]["total"] is None
    assert data["places"] == data["projects"] == data["shops"] == []
    text = pdf_text(report_pdf(report))
    with force_locale("ja"):
        assert "".join(_("None in this period.").split()) in text


def test_area_order_is_the_towns(session):
    assert list(split_dict(community_figures(session, PERIOD, NOW, TOKYO).checkins)) == [
        "total", Area.CITY, Area.PREFECTURE, Area.OUTSIDE, Area.UNKNOWN,
    ]  # fmt: skip
