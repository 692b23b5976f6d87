"""Invitations in the browser: an administrator imports a season's CSV file (preview, then
confirm) and sees the people invited; an invited person opens their link on a 390 px phone,
chooses a password and lands on the wallet with their 会員証 「記録待ち」. Every new page passes
axe-core."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from webapp.demo import DEMO_INVITATION_SECRET

from .conftest import axe_violations, log_in

pytestmark = pytest.mark.browser

SEASON = (
    "名前,メールアドレス,期\n"
    "松本 太郎,taro@example.org,第6期\n"
    "木曽 花,,第6期\n"
    ",x@example.org,第6期\n"
)
SHOTS = Path(os.environ.get("ENISHI_SHOTS", "")) if os.environ.get("ENISHI_SHOTS") else None


def shot(page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_an_administrator_imports_a_csv_file_preview_then_commit(live_server, browser, tmp_path):
    office = browser.new_context(locale="ja-JP", viewport={"width": 1024, "height": 800}).new_page()
    log_in(office, live_server, "admin@example.org")
    office.goto(f"{live_server}/admin/members")
    shot(office, "admin-members")
    office.get_by_role("link", name="CSVで取り込む").click()
    assert axe_violations(office) == []
    shot(office, "admin-import")
    csv_file = tmp_path / "season6.csv"
    csv_file.write_bytes(SEASON.encode("cp932"))  # as Excel saves it on a Japanese Windows
    office.get_by_label("CSVファイル").set_input_files(str(csv_file))
    office.get_by_role("button", name="内容を確認する").click()
    expect(office.get_by_role("heading", name="取り込みの内容")).to_be_visible()
    expect(office.get_by_test_id("preview-row")).to_have_count(3)
    expect(office.get_by_text("名前がありません")).to_be_visible()
    assert axe_violations(office) == []
    shot(office, "admin-import-preview")
    office.get_by_role("button", name="招待する（2 人）").click()
    expect(office.get_by_role("heading", name="招待しました: 2 人")).to_be_visible()
    expect(office.get_by_test_id("invited-person")).to_have_count(2)
    assert axe_violations(office) == []
    shot(office, "admin-imported")
    office.get_by_role("link", name="木曽 花").click()
    expect(office.get_by_test_id("person-facts")).to_contain_text("招待中")
    expect(office.get_by_test_id("invitation-state")).to_have_text("開かれるのを待っています")
    assert axe_violations(office) == []
    shot(office, "admin-person")
    office.get_by_role("button", name="新しい招待リンクを作る").click()  # the first was lost
    expect(office.get_by_role("heading", name="木曽 花 さんへの新しい招待")).to_be_visible()
    expect(office.get_by_test_id("join-link")).to_contain_text("/join/")
    assert axe_violations(office) == []
    shot(office, "admin-new-link")
    office.goto(f"{live_server}/admin/members/invite")
    assert axe_violations(office) == []
    shot(office, "admin-invite")
    office.context.close()


@pytest.mark.parametrize("width", [390, 320])
def test_an_invited_person_joins_on_a_phone_with_a_password(live_server, browser, width):
    phone = browser.new_context(viewport={"width": width, "height": 844}, locale="ja-JP")
    page = phone.new_page()
    page.goto(f"{live_server}/join/{DEMO_INVITATION_SECRET}")
    expect(page.get_by_test_id("inviter")).to_contain_text("管理者 デモ さんから")
    expect(page.get_by_label("縁で使う名前")).to_have_value("桔梗ヶ原 みどり")
    assert axe_violations(page) == []
    shot(page, f"join-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing runs off
    if width == 320:
        phone.close()
        return
    page.get_by_label("パスワード", exact=True).check()
    page.get_by_label("パスワード（10文字以上）").fill("midori-no-kaze")
    page.get_by_role("button", name="参加する").click()
    page.wait_for_url(f"{live_server}/wallet")
    expect(page.get_by_test_id("card-pending")).to_have_text("記録待ち")
    shot(page, "join-wallet")

    again = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP").new_page()
    again.goto(f"{live_server}/join/{DEMO_INVITATION_SECRET}")
    expect(again.get_by_role("heading", name="この招待は使えません")).to_be_visible()
    expect(again.get_by_text("この招待はすでに使われています。")).to_be_visible()
    assert axe_violations(again) == []
    shot(again, "join-used")
    again.context.close()
    phone.close()
