"""The report for the town's 関係人口 programme: a period's figures (community.figures) split by
where people live, per month, events by place and a short list of projects, gathered once
(`build_report`) and written as JSON and CSV here and as a PDF in community.report_pdf, so the
three files hold the same numbers.

No personal data: every number is a count or a sum over people; the only names are those of
partner shops, venues and projects, never of a person, and no row is about one person.

JSON (`report_json`), UTF-8, one object:

    {
      "format": "enishi-community-report", "version": 1,
      "community": "塩尻DAO",
      "period": {"kind": "custom", "first_month": "2026-04", "last_month": "2027-03",
                 "time_zone": "Asia/Tokyo", "label": "2026年4月〜2027年3月"},
      "generated_at": "2027-04-02T09:00:00+09:00",       # when the file was made
      "summary_refreshed_at": "2027-04-02T08:59:00+09:00", # when the monthly summary was
      "areas": ["city", "prefecture", "outside", "unknown"],   # 市内, 県内, 県外, 未回答
      "figures": {
        "checkins": {"total": 120, "city": 70, "prefecture": 20, "outside": 25, "unknown": 5},
        ... the same for participants, first_time, returning, active_members, new_members,
        coins_issued, coins_spent (coins spent at partner shops);
        "local_share": {"total": 0.4213, "city": ..., ...},  # spent / issued, null if none
        "events_held": 14, "projects_active": 3, "proposals_decided": 2
      },
      "shops": [{"name_ja": "...", "name_en": "...", "perks_used": {split},
                 "coins_spent": {split}}],
      "months": [{"month": "2026-04", "in_period": true, "checkins": {split},
                  "participants": {split}, "coins_issued": 40, "coins_spent": 10,
                  "events_held": 2}],
      "places": [{"venue": "えんぱーく", "events_held": 4, "checkins": 52}],
      "projects": [{"title": "...", "status": "active", "members": 8}]
    }

`months` is the trend the charts draw: the period's months, or the twelve months up to its end
when it is shorter (`in_period` says which belong to it). Acts (check-ins, coins) count where
the member lived at the end of the month they happened in; people (participants, first-time,
active members) where they lived at the end of the period; a month's participants where they
lived at that month's end. `projects` is the projects active at some moment of the period, the
largest first, at most PROJECTS_LISTED of them (`figures.projects_active` counts them all).

CSV (`report_csv`), for Excel (core.spreadsheet: UTF-8 with a BOM): one long table, one value a
row, so a pivot table or a filter finds any figure. Its columns:

    section   report | period | shop | month | place | project
    subject   what the row is about: the shop, the month (2026-04), the venue, the project
              (empty for the period's own figures and the report's facts)
    figure    the figure's code, as the JSON's keys (checkins, coins_spent, members, ...)
    figure name   the figure in Japanese
    area      total | city | prefecture | outside | unknown ("" where a figure has no split)
    area name 合計 | 市内 | 県内 | 県外 | 未回答
    value     the number (a share as a fraction, 0.4213), or a text for the report's facts
              (community, first_month, last_month, time_zone, generated_at) and a project's
              status"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from webapp.community.figures import (
    AREA_NAMES,
    Figures,
    Split,
    active_during,
    community_figures,
)
from webapp.community.periods import Period, month_text, period_label
from webapp.community.places import PlaceFigure, places
from webapp.core.pdf import printed_language
from webapp.core.spreadsheet import csv_bytes
from webapp.profiles.models import Area
from webapp.profiles.residence import AREAS
from webapp.projects.models import Project, ProjectMember, ProjectStatus

# A short list: the report is read on paper, and the count of all of them is in the figures.
PROJECTS_LISTED = 30

TOTAL = "total"

# The figures split by where people live, in the order the report shows them.
SPLIT_FIGURES: tuple[tuple[str, object], ...] = (
    ("checkins", _l("Check-ins")),
    ("participants", _l("Participants")),
    ("first_time", _l("First-time participants")),
    ("returning", _l("Returning participants")),
    ("active_members", _l("Active members (a check-in in the last 3 months)")),
    ("new_members", _l("New members")),
    ("coins_issued", _l("Coins issued")),
    ("coins_spent", _l("Coins spent at partner shops")),
)
LOCAL_SHARE = _l("Share of issued coins spent locally")
COUNT_FIGURES: tuple[tuple[str, object], ...] = (
    ("events_held", _l("Events held")),
    ("projects_active", _l("Projects active")),
    ("proposals_decided", _l("Proposals decided")),
)
PROJECT_STATUS = {
    ProjectStatus.ACTIVE: _l("Active"),
    ProjectStatus.CLOSED: _l("Closed"),
}


@dataclass(frozen=True)
class ProjectLine:
    title: str
    status: str  # ProjectStatus: active or closed
    members: int  # members at some moment of the period


@dataclass(frozen=True)
class Report:
    community: str
    zone: str  # the time zone's name: the months are months there
    generated_at: datetime
    figures: Figures
    places: list[PlaceFigure]
    projects: list[ProjectLine]

    @property
    def period(self) -> Period:
        return self.figures.period


def build_report(
    session: Session, period: Period, now: datetime, zone: tzinfo, community: str
) -> Report:
    return Report(
        community=community,
        zone=str(zone),
        generated_at=now,
        figures=community_figures(session, period, now, zone),
        places=places(session, period, now, zone),
        projects=project_lines(session, period, zone),
    )


def project_lines(session: Session, period: Period, zone: tzinfo) -> list[ProjectLine]:
    """The projects active at some moment of the period (as figures counts them), each with
    the members it had at some moment of it; the largest first."""
    start, end = period.start(zone), period.end(zone)
    members = (
        select(func.count())
        .select_from(ProjectMember)
        .where(
            ProjectMember.project_id == Project.id,
            ProjectMember.joined_at < end,
            or_(ProjectMember.left_at.is_(None), ProjectMember.left_at >= start),
        )
        .correlate(Project)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Project.title, Project.status, members.label("members"))
        .where(*active_during(start, end))
        .order_by(members.desc(), Project.title, Project.id)
        .limit(PROJECTS_LISTED)
    )
    return [ProjectLine(title, ProjectStatus(status), int(count)) for title, status, count in rows]


def file_name(period: Period, extension: str) -> str:
    """enishi-report-2026-04_2027-03.pdf: the period's first and last month, so the files of
    one programme sort by period."""
    return f"enishi-report-{month_text(period.first)}_{month_text(period.last)}.{extension}"


def share(fraction) -> float | None:
    return None if fraction is None else round(float(fraction), 4)


def split_dict(split: Split) -> dict[str, int]:
    return {TOTAL: split.total, **{area.value: split[area] for area in AREAS}}


def report_dict(report: Report) -> dict:
    figures = report.figures
    with printed_language():
        label = period_label(report.period)
    return {
        "format": "enishi-community-report",
        "version": 1,
        "community": report.community,
        "period": {
            "kind": report.period.kind.value,
            "first_month": month_text(report.period.first),
            "last_month": month_text(report.period.last),
            "time_zone": report.zone,
            "label": label,
        },
        "generated_at": _moment(report.generated_at, report.zone),
        "summary_refreshed_at": _moment(figures.refreshed_at, report.zone),
        "areas": [area.value for area in AREAS],
        "figures": {
            **{code: split_dict(getattr(figures, code)) for code, _name in SPLIT_FIGURES},
            "local_share": {
                TOTAL: share(figures.local_share()),
                **{area.value: share(figures.local_share(area)) for area in AREAS},
            },
            **{code: getattr(figures, code) for code, _name in COUNT_FIGURES},
        },
        "shops": [
            {
                "name_ja": shop.name_ja,
                "name_en": shop.name_en,
                "perks_used": split_dict(shop.perks_used),
                "coins_spent": split_dict(shop.coins_spent),
            }
            for shop in figures.shops
        ],
        "months": [
            {
                "month": month_text(month.month),
                "in_period": report.period.first <= month.month <= report.period.last,
                "checkins": split_dict(month.checkins),
                "participants": split_dict(month.participants),
                "coins_issued": month.coins_issued,
                "coins_spent": month.coins_spent,
                "events_held": month.events_held,
            }
            for month in figures.trend
        ],
        "places": [
            {"venue": place.venue, "events_held": place.events_held, "checkins": place.checkins}
            for place in report.places
        ],
        "projects": [
            {"title": line.title, "status": line.status, "members": line.members}
            for line in report.projects
        ],
    }


def report_json(report: Report) -> bytes:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2).encode("utf-8")


def report_csv(report: Report) -> bytes:
    with printed_language():
        header = [
            _("Section"),
            _("Subject"),
            _("Figure (code)"),
            _("Figure"),
            _("Area (code)"),
            _("Area"),
            _("Value"),
        ]
        return csv_bytes(header, list(_csv_rows(report_dict(report))))


def _csv_rows(data: dict) -> Iterator[list[object]]:
    names = dict(SPLIT_FIGURES) | dict(COUNT_FIGURES)
    facts = {
        "community": (_("Community"), data["community"]),
        "first_month": (_("First month"), data["period"]["first_month"]),
        "last_month": (_("Last month"), data["period"]["last_month"]),
        "time_zone": (_("Time zone"), data["period"]["time_zone"]),
        "generated_at": (_("Made on"), data["generated_at"]),
        "summary_refreshed_at": (_("Figures as of"), data["summary_refreshed_at"]),
    }
    for code, (name, value) in facts.items():
        yield ["report", "", code, name, "", "", value]

    def split(section: str, subject: str, code: str, name, values: dict) -> Iterator[list]:
        for area in (TOTAL, *data["areas"]):
            yield [section, subject, code, str(name), area, _area_name(area), values[area]]

    figures = data["figures"]
    for code, name in SPLIT_FIGURES:
        yield from split("period", "", code, name, figures[code])
    yield from split("period", "", "local_share", LOCAL_SHARE, figures["local_share"])
    for code, name in COUNT_FIGURES:
        yield ["period", "", code, str(name), TOTAL, _area_name(TOTAL), figures[code]]
    for shop in data["shops"]:
        for code, name in (("perks_used", _("Perks used")), ("coins_spent", names["coins_spent"])):
            yield from split("shop", shop["name_ja"], code, name, shop[code])
    for month in data["months"]:
        for code in ("checkins", "participants"):
            yield from split("month", month["month"], code, names[code], month[code])
        for code in ("coins_issued", "coins_spent", "events_held"):
            name = str(names[code])
            yield ["month", month["month"], code, name, TOTAL, _area_name(TOTAL), month[code]]
    for place in data["places"]:
        for code in ("events_held", "checkins"):
            name = str(names[code])
            yield ["place", place["venue"], code, name, TOTAL, _area_name(TOTAL), place[code]]
    for line in data["projects"]:
        status = str(PROJECT_STATUS[ProjectStatus(line["status"])])
        yield ["project", line["title"], "status", _("Status"), "", "", status]
        members = line["members"]
        yield ["project", line["title"], "members", _("Members"), TOTAL, _("Total"), members]


def _area_name(code: str) -> str:
    return _("Total") if code == TOTAL else str(AREA_NAMES[Area(code)])


def _moment(moment: datetime | None, zone_name: str) -> str | None:
    return None if moment is None else moment.astimezone(ZoneInfo(zone_name)).isoformat()
