"""The report for the town in a browser: the administrator goes from マイページ to 町への報告,
chooses a year in the plain form (only that kind's field shown), and downloads its PDF; the
page passes axe-core."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask_babel import force_locale
from playwright.sync_api import expect

from webapp.community.periods import period_label, year_period

from ..webapp.pdfs import pdf_text
from .conftest import axe_violations, log_in

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("ENISHI_SHOTS", "/tmp/h-report-shots"))


def test_an_administrator_downloads_a_years_report(app, live_server, page):
    with app.test_request_context(), force_locale("ja"):
        year = period_label(year_period(2026))  # 「2026年」
    log_in(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/account")
    page.locator('a[href="/admin/report"]').click()
    page.wait_for_url(f"{live_server}/admin/report")
    expect(page.get_by_test_id("report-pdf")).to_be_visible()  # the last whole month's
    assert axe_violations(page) == []

    page.locator('input[name="kind"][value="year"]').check()
    expect(page.locator("#report-year")).to_be_visible()
    expect(page.locator("#report-month")).to_be_hidden()
    page.locator("#report-year").fill("2026")
    page.locator("form.report-form button[type=submit]").click()
    page.wait_for_url("**/admin/report?kind=year*")
    expect(page.get_by_test_id("report-period")).to_have_text(year)
    assert axe_violations(page) == []
    if os.environ.get("ENISHI_SHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "admin-report-390.png"), full_page=True)

    with page.expect_download() as waiting:
        page.get_by_test_id("report-pdf").click()
    download = waiting.value
    assert download.suggested_filename == "enishi-report-2026-01_2026-12.pdf"
    text = pdf_text(Path(download.path()).read_bytes())
    assert "".join(year.split()) in text and "塩尻DAO" in text
