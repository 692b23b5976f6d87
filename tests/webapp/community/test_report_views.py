"""/admin/report: administrators choose a period and download its report; nobody else may."""

import json
import re

import pytest

from webapp.accounts.models import Role
from webapp.community import report_views
from webapp.community.report import build_report, report_json

from ...conftest import log_in
from ..pdfs import pdf_text
from .report_world import NOW, PEOPLE, PERIOD, TOKYO, build_town

CUSTOM = "kind=custom&from=2026-04&to=2027-03"


@pytest.fixture
def town(session, make_user, make_event, monkeypatch):
    built = build_town(session, make_user, make_event)
    monkeypatch.setattr(report_views, "utcnow", lambda: NOW)
    return built


def test_an_administrator_chooses_a_period_and_downloads_its_three_files(session, client, town):
    log_in(client, town.admin.email)
    page = client.get(f"/admin/report?{CUSTOM}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    links = {
        kind: re.search(rf'href="([^"]+)"[^>]*data-testid="report-{kind}"', html)[1]
        for kind in ("pdf", "csv", "json")
    }
    assert links["pdf"] == "/admin/report/report.pdf?from=2026-04&amp;to=2027-03"

    files = {kind: client.get(link.replace("&amp;", "&")) for kind, link in links.items()}
    for kind, answer in files.items():
        assert answer.status_code == 200
        assert answer.headers["Content-Disposition"] == (
            f'attachment; filename="enishi-report-2026-04_2027-03.{kind}"'
        )
        assert "no-store" in answer.headers["Cache-Control"]
    assert files["pdf"].mimetype == "application/pdf"
    assert files["csv"].headers["Content-Type"] == "text/csv; charset=utf-8"
    data = json.loads(files["json"].data)
    assert data == json.loads(report_json(build_report(session, PERIOD, NOW, TOKYO, "塩尻DAO")))
    assert data["figures"]["checkins"]["total"] == 6
    text = pdf_text(files["pdf"].data)
    assert "えんぱーく24" in text
    for name, email in PEOPLE.values():
        for answer in files.values():
            assert name.encode() not in answer.data and email.encode() not in answer.data


@pytest.mark.parametrize(
    "query",
    [
        "kind=month&month=2026-09",
        "kind=season&season=2026-09",
        "kind=year&year=2026",
        "month=2026-09",  # a download link's own arguments
    ],
)
def test_each_kind_of_period_is_offered(client, town, query):
    log_in(client, town.admin.email)
    html = client.get(f"/admin/report?{query}").get_data(as_text=True)
    assert 'data-testid="report-pdf"' in html
    found = re.search(r'href="/admin/report/report\.json\?([^"]+)"', html)[1]
    expected = {
        "kind=month&month=2026-09": "month=2026-09",
        "kind=season&season=2026-09": "season=2026-09",
        "kind=year&year=2026": "year=2026",
        "month=2026-09": "month=2026-09",
    }[query]
    assert found == expected


def test_with_no_period_chosen_the_last_whole_month_is_offered(client, town):
    log_in(client, town.admin.email)
    html = client.get("/admin/report").get_data(as_text=True)
    assert 'href="/admin/report/report.pdf?month=2027-03"' in html
    assert 'value="month" checked' in html


@pytest.mark.parametrize(
    "query",
    [
        "kind=custom&from=2027-03&to=2026-04",  # backwards
        "kind=custom&from=2020-01&to=2026-04",  # longer than three years
        "kind=month&month=2026-13",
        "kind=month&month=",
        "kind=year&year=26",
        "kind=decade&year=2026",
        "from=2026-04",
    ],
)
def test_a_bad_period_is_refused_clearly(client, town, query):
    log_in(client, town.admin.email)
    page = client.get(f"/admin/report?{query}")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert 'data-testid="period-error"' in html
    assert 'data-testid="report-pdf"' not in html
    assert '<form method="get"' in html  # to choose again
    download = client.get(f"/admin/report/report.pdf?{query}")
    assert download.status_code == 400 and download.mimetype == "text/html"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ORGANISER])
def test_nobody_else_may_open_the_report(client, make_user, role):
    person = make_user(role)
    log_in(client, person.email)
    for path in ("/admin/report", "/admin/report/report.pdf", "/admin/report/report.json"):
        assert client.get(f"{path}?month=2026-09").status_code == 403


def test_the_report_is_a_row_under_manage_on_my_page(client, make_user):
    admin, member = make_user(Role.ADMIN), make_user(Role.MEMBER)
    log_in(client, admin.email)
    assert 'href="/admin/report"' in client.get("/account").get_data(as_text=True)
    client.post("/logout", data={})
    other = client.application.test_client()
    log_in(other, member.email)
    assert 'href="/admin/report"' not in other.get("/account").get_data(as_text=True)
