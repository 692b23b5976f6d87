"""Passkeys in Chromium, with its virtual authenticator standing in for the phone's fingerprint
reader: a member adds one on マイページ, logs out, logs in with 「パスキーでログイン」 without
typing anything, and removes it; the join flow's page adds one and goes on to the wallet."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from webapp.demo import DEMO_INVITATION_SECRET

from .conftest import PHONE, axe_violations, log_in

SHOTS = Path(__file__).resolve().parents[2] / "shots"


def with_fingerprint_reader(page) -> None:
    """A platform authenticator that keeps passkeys and verifies its user (a phone's)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def local(live_server: str) -> str:
    """The server by the name `localhost`: a passkey's site is a host name, not an address."""
    return live_server.replace("127.0.0.1", "localhost")


def shoot(page, name: str) -> None:
    """Screenshots at a phone's width and at 320 px, for a person to look at."""
    if not SHOTS.is_dir():
        return
    for width in (PHONE["width"], 320):
        page.set_viewport_size({"width": width, "height": PHONE["height"]})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(PHONE)


def test_a_member_adds_a_passkey_and_logs_in_with_it_without_typing(live_server, page):
    base = local(live_server)
    with_fingerprint_reader(page)
    log_in(page, base, "member@example.org")
    page.goto(f"{base}/account")
    expect(page.get_by_text("パスキーはまだありません。")).to_be_visible()
    page.get_by_role("link", name="パスキーを追加").click()
    expect(page.get_by_text("この端末の指紋や顔でログインできるようにします。")).to_be_visible()
    assert axe_violations(page) == []
    shoot(page, "passkey-new")
    page.get_by_role("button", name="指紋や顔でログインできるようにする").click()
    page.wait_for_url(f"{base}/account#passkeys")
    expect(page.get_by_text("パスキーを追加しました。")).to_be_visible()
    expect(page.get_by_test_id("passkey")).to_contain_text("Chrome / Linux")
    expect(page.get_by_test_id("passkey")).to_contain_text("に追加")
    assert axe_violations(page) == []
    shoot(page, "account")

    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url(f"{base}/login")
    assert axe_violations(page) == []
    shoot(page, "login")
    page.get_by_role("button", name="パスキーでログイン").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/account")
    expect(page.get_by_test_id("account-name")).to_have_text("塩尻 花子")
    expect(page.get_by_test_id("passkey")).to_contain_text("最後に使ったのは")

    page.get_by_role("button", name="パスキー「Chrome / Linux」を外す").click()
    expect(page.get_by_text("パスキーを外しました。")).to_be_visible()
    expect(page.get_by_test_id("passkey")).to_have_count(0)


def test_the_join_flows_page_adds_a_passkey_and_opens_the_wallet(live_server, page):
    base = local(live_server)
    with_fingerprint_reader(page)
    log_in(page, base, "member@example.org")
    page.goto(f"{base}/account/passkeys/new?next=/wallet")
    page.get_by_role("button", name="指紋や顔でログインできるようにする").click()
    page.wait_for_url(f"{base}/wallet")
    expect(page.get_by_text("パスキーを追加しました。")).to_be_visible()


def test_an_invited_person_joins_with_a_passkey_and_logs_in_with_it_again(live_server, page):
    """The whole path of issue 10: the invitation, a passkey made while joining, the wallet with
    the new 会員証 記録待ち; then logged out, back in with the passkey alone."""
    base = local(live_server)
    with_fingerprint_reader(page)
    page.goto(f"{base}/join/{DEMO_INVITATION_SECRET}")
    page.get_by_label("縁で使う名前").fill("みどり")
    page.get_by_label("パスキー（指紋・顔）").check()
    page.get_by_role("button", name="参加する").click()
    page.wait_for_url(f"{base}/account/passkeys/new?next=/wallet")
    assert axe_violations(page) == []
    page.get_by_role("button", name="指紋や顔でログインできるようにする").click()
    page.wait_for_url(f"{base}/wallet")
    expect(page.get_by_test_id("card-pending")).to_have_text("記録待ち")

    page.goto(f"{base}/account")
    expect(page.get_by_test_id("account-name")).to_have_text("みどり")
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url(f"{base}/login")
    page.get_by_role("button", name="パスキーでログイン").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/wallet")
    expect(page.get_by_test_id("card-pending")).to_have_text("記録待ち")
    page.goto(f"{base}/account")
    expect(page.get_by_test_id("account-name")).to_have_text("みどり")
