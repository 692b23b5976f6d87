"""Check-in with no signal: the installable PWA, the outbox, the scanner and the offline kiosk."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import func, select

from webapp.accounts.models import DeviceSession
from webapp.accounts.services import get_user_by_email
from webapp.checkin import codes
from webapp.checkin.models import Attendance, Claim
from webapp.checkin.services import ClaimInput, record_claim
from webapp.core.db import utcnow
from webapp.events.services import create_event
from webapp.onchain.models import ChainJob, JobKind

from .camera import write_y4m
from .conftest import axe_violations, log_in, wait_for_script, wait_for_service_worker

RECORDED = "記録しました。スマホがインターネットにつながったら確定します。"


@pytest.fixture
def events(session, live_server):
    organiser = get_user_by_email(session, "organiser@example.org")
    now = utcnow()
    made = [
        create_event(session, organiser, title=title, venue="塩尻", reward=5,
                     starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=3))
        for title in ("ぶどう畑の草刈り", "公民館の大掃除", "山小屋の薪割り")
    ]  # fmt: skip
    session.commit()
    return made


def link_for(event, base: str) -> str:
    token = codes.make_token(event.id, event.secret, codes.slot_at(utcnow()))
    return codes.checkin_url(base, token)


def count(session, model, **where) -> int:
    """Rows of `model` matching `where`; a list of events (or of values) matches any of them.
    The demo has check-ins of its own: a test counts those at its own events."""
    session.rollback()
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        if isinstance(value, list):
            ids = [getattr(v, "id", v) for v in value]
            query = query.where(getattr(model, name).in_(ids))
        else:
            query = query.where(getattr(model, name) == value)
    return session.scalar(query)


def test_chrome_finds_the_app_installable(live_server, launch_phone):
    phone = launch_phone()
    page = phone.new_page()
    log_in(page, live_server, "member@example.org")
    wait_for_service_worker(page)
    errors = phone.new_cdp_session(page).send("Page.getInstallabilityErrors")
    assert errors["installabilityErrors"] == []
    manifest = json.loads(page.request.get(f"{live_server}/manifest.json").text())
    assert {"name", "short_name", "start_url", "display", "theme_color", "lang"} <= set(manifest)
    assert (manifest["display"], manifest["lang"]) == ("standalone", "ja")
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_the_in_app_scanner_reads_a_real_qr_from_the_camera(
    live_server, launch_phone, events, session, tmp_path
):
    video = write_y4m(tmp_path / "code.y4m", link_for(events[0], live_server))
    page = launch_phone(video=video).new_page()
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/scan")
    expect(page.locator("[data-scan-status]")).to_have_text(
        "ぶどう畑の草刈り: チェックインしました。", timeout=20_000
    )
    member = get_user_by_email(session, "member@example.org")
    assert count(session, Attendance, user_id=member.id, event_id=events[0].id) == 1
    # The success screen: the event's badge artwork (the metadata's image) and the coins.
    success = page.get_by_role("region", name="チェックインしました")
    expect(success).to_be_visible()
    expect(success.get_by_text("ぶどう畑の草刈り", exact=True)).to_be_visible()
    expect(success.get_by_text("+5 えんコイン", exact=True)).to_be_visible()
    badge = success.get_by_role("img", name="「ぶどう畑の草刈り」の参加バッジ")
    expect(badge).to_be_visible()
    assert badge.get_attribute("src") == f"/badges/{events[0].id}.png"
    assert badge.evaluate("(image) => image.complete && image.naturalWidth") == 600
    expect(page.locator("[data-scan-view]")).to_be_hidden()  # the camera rests meanwhile
    assert axe_violations(page) == []
    page.get_by_role("button", name="続けて読み取る").click()
    expect(success).to_be_hidden()
    expect(page.get_by_label("カメラの映像")).to_be_visible()


def test_three_offline_check_ins_survive_a_restart_and_count_once(
    live_server, launch_phone, events, session, tmp_path
):
    scanned, opened, typed = events
    video = write_y4m(tmp_path / "code.y4m", link_for(scanned, live_server))
    phone = launch_phone(video=video)
    page = phone.new_page()
    log_in(page, live_server, "member@example.org")
    # Wait for the service worker on a page that stays put (the wallet reloads while something
    # is pending) and has no camera: the scan page would read the code now, online.
    page.goto(f"{live_server}/account")
    wait_for_service_worker(page)

    phone.set_offline(True)
    page.goto(f"{live_server}/scan")  # from the service worker's cache
    status = page.locator("[data-scan-status]")
    expect(status).to_have_text(f"ぶどう畑の草刈り: {RECORDED}", timeout=20_000)
    recorded = page.get_by_role("region", name="記録しました")
    expect(recorded.get_by_text("ぶどう畑の草刈り", exact=True)).to_be_visible()
    expect(recorded.get_by_text("電波が戻ったら送ります。")).to_be_visible()
    expect(recorded).not_to_contain_text("コイン")  # no coins claimed before the server says so

    page.goto(link_for(opened, live_server))  # what the phone's camera app opens
    expect(status).to_have_text(f"公民館の大掃除: {RECORDED}", timeout=20_000)

    page.get_by_label("または、QRコードの下に書かれたコードを入力").fill(
        link_for(typed, live_server).rsplit("/", 1)[1]
    )
    page.get_by_role("button", name="このコードでチェックイン").click()
    expect(status).to_have_text(f"山小屋の薪割り: {RECORDED}")
    expect(page.locator("[data-outbox-count]")).to_have_text("3")
    assert count(session, Claim, event_id=events) == 0  # nothing reached the server
    phone.close()

    blank = write_y4m(tmp_path / "blank.y4m", None)
    page = launch_phone(video=blank).new_page()  # the same profile, back online days later
    page.goto(f"{live_server}/scan")
    expect(page.locator("[data-results] [data-state=accepted]")).to_have_count(3, timeout=20_000)
    expect(page.locator("[data-outbox-panel]")).to_be_hidden()
    member = get_user_by_email(session, "member@example.org")
    assert count(session, Attendance, user_id=member.id, event_id=events) == 3
    assert count(session, ChainJob, kind=JobKind.AWARD, event_id=events) == 3
    assert count(session, Claim, offline=True, event_id=events) == 3


def test_a_scan_recorded_offline_becomes_a_check_in_with_its_coins_once_sent(
    live_server, browser, events, session
):
    context = browser.new_context(service_workers="block", viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/scan")
    context.set_offline(True)
    page.get_by_label("または、QRコードの下に書かれたコードを入力").fill(
        link_for(events[1], live_server)
    )
    page.get_by_role("button", name="このコードでチェックイン").click()
    success = page.get_by_role("region", name="記録しました")
    expect(success.get_by_text("電波が戻ったら送ります。")).to_be_visible()
    expect(success.get_by_role("img", name="「公民館の大掃除」の参加バッジ")).to_be_hidden()
    expect(page.locator("[data-success-coins]")).to_be_hidden()
    assert count(session, Claim, event_id=events) == 0

    context.set_offline(False)  # the signal is back: the phone sends it by itself
    success = page.get_by_role("region", name="チェックインしました")
    expect(success.get_by_text("+5 えんコイン", exact=True)).to_be_visible(timeout=20_000)
    expect(success.get_by_role("img", name="「公民館の大掃除」の参加バッジ")).to_be_visible()
    assert count(session, Attendance, event_id=events[1].id) == 1
    context.close()


def test_a_flaky_server_keeps_the_claim_until_it_is_accepted_once(
    live_server, browser, events, session
):
    context = browser.new_context(service_workers="block", viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server, "member@example.org")
    failures = []

    def flaky(route):
        if len(failures) == 0:
            failures.append("500")
            route.fulfill(status=500, body="oops")
        elif len(failures) == 1:
            failures.append("dropped")
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/checkins", flaky)
    page.goto(f"{live_server}/scan")
    page.get_by_label("または、QRコードの下に書かれたコードを入力").fill(
        link_for(events[0], live_server)
    )
    page.get_by_role("button", name="このコードでチェックイン").click()
    status = page.locator("[data-scan-status]")
    expect(status).to_have_text(f"ぶどう畑の草刈り: {RECORDED}")
    expect(page.locator("[data-outbox-count]")).to_have_text("1")
    page.get_by_role("button", name="今すぐ送る").click()  # the connection drops
    expect(page.locator("[data-outbox-count]")).to_have_text("1")
    page.get_by_role("button", name="今すぐ送る").click()
    expect(page.locator("[data-outbox-panel]")).to_be_hidden()
    expect(page.locator("[data-results] [data-state=accepted]")).to_have_count(1)
    assert failures == ["500", "dropped"]
    assert count(session, Claim, event_id=events) == 1
    assert count(session, Attendance, event_id=events) == 1
    context.close()


def test_a_forged_code_is_shown_as_rejected_and_leaves_the_queue(live_server, page, events):
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/scan")
    token = link_for(events[0], live_server).rsplit("/", 1)[1]
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBA")
    page.get_by_label("または、QRコードの下に書かれたコードを入力").fill(forged)
    page.get_by_role("button", name="このコードでチェックイン").click()
    expect(page.locator("[data-scan-status]")).to_have_text(
        "ぶどう畑の草刈り: このコードは正しくありません。"
    )
    expect(page.locator("[data-results] [data-state=rejected]")).to_have_count(1)
    expect(page.locator("[data-outbox-panel]")).to_be_hidden()


def test_the_kiosk_keeps_showing_valid_codes_with_no_connection(live_server, browser, session):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    log_in(page, live_server, "organiser@example.org")
    page.get_by_role("link", name="塩尻ラボ 交流会").click()
    # The venue's tablet: its clock runs three minutes behind the moment the member's phone
    # finally sends the claim, so the server gets it late.
    page.clock.install(time=utcnow() - timedelta(minutes=3))
    page.get_by_role("link", name="コードを表示").click()
    first = page.locator("[data-link]").inner_text()
    assert axe_violations(page) == []
    context.set_offline(True)
    page.clock.fast_forward(31_000)
    expect(page.locator("[data-link]")).not_to_have_text(first)
    code = page.locator("[data-link]").inner_text()
    expect(page.get_by_role("img", name="塩尻ラボ 交流会 のチェックイン用コード")).to_be_visible()
    context.close()

    member = get_user_by_email(session, "member@example.org")
    result = record_claim(
        session,
        member,
        ClaimInput("6f1c1c9e-0000-4000-8000-00000000000a", code, utcnow()),
        now=utcnow(),
        source="api",
    )
    session.commit()
    assert (result.status, result.offline) == ("accepted", True)


def test_the_service_worker_caches_a_versioned_shell_and_never_the_api(
    app, live_server, launch_phone
):
    page = launch_phone().new_page()
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/scan")
    wait_for_service_worker(page)
    page.goto(f"{live_server}/wallet")  # its calls to the API must not be cached either
    # Read from a page that stays put: the wallet reloads itself while something is pending.
    page.goto(f"{live_server}/scan")
    cached = page.evaluate(
        """async () => {
            const found = {};
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                found[name] = (await cache.keys()).map((r) => new URL(r.url).pathname);
            }
            return found;
        }"""
    )
    old = app.extensions["enishi.shell_version"]
    assert f"enishi-shell-{old}" in cached
    assert "/scan" in cached[f"enishi-shell-{old}"]
    assert not any(path.startswith("/api/") for paths in cached.values() for path in paths)

    # A new version of the app: the next service worker takes over and drops the old shell.
    app.extensions["enishi.shell_version"] = "next-version"
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    wait_for_script(
        page,
        """async () => {
            const shells = (await caches.keys()).filter((n) => n.startsWith('enishi-shell-'));
            return shells.length === 1 && shells[0] === 'enishi-shell-next-version';
        }""",
    )


# The service worker as a phone's browser runs it, with a QR reader of its own or without one.
# Debian's Chromium has none (BarcodeDetector is on Android, macOS and ChromeOS), so the test
# puts one in, or takes any out, before the worker's own code runs.
READS_QR = """self.BarcodeDetector = class {
    static async getSupportedFormats() { return ["qr_code"]; }
};
"""
READS_NO_QR = "delete self.BarcodeDetector;\n"


def shell_files(page) -> list[str]:
    """The paths in the service worker's cache of the app shell."""
    script = """async () => {
        await navigator.serviceWorker.ready;
        const name = (await caches.keys()).find((n) => n.startsWith("enishi-shell-"));
        return (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
    }"""
    return page.evaluate(script)


@pytest.mark.parametrize("reads_qr", [True, False], ids=["barcode-detector", "no-detector"])
def test_jsqr_is_precached_only_where_the_browser_cannot_read_qr_codes(
    live_server, browser, reads_qr
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")

    def worker(route):
        script = route.fetch()
        route.fulfill(response=script, body=(READS_QR if reads_qr else READS_NO_QR) + script.text())

    context.route("**/sw.js", worker)
    page = context.new_page()
    page.goto(f"{live_server}/scan")
    wait_for_service_worker(page)
    shell = shell_files(page)
    assert {"/scan", "/static/js/camera.js", "/static/icons/icon.svg"} <= set(shell)
    assert not any(path.endswith(".png") for path in shell)  # the manifest's, fetched online
    assert ("/static/vendor/jsQR.js" in shell) is not reads_qr
    if reads_qr:
        # A browser that says it reads QR codes and then cannot: the page loads jsQR after all,
        # and the phone keeps it for the next scan offline.
        page.evaluate(
            "fetch(document.querySelector('[data-scanner]').dataset.jsqr).then((r) => r.text())"
        )
        wait_for_script(
            page,
            """async () => (await caches.keys()).length > 0 && (await Promise.all(
                (await caches.keys()).map(async (n) => (await caches.open(n)).keys())
            )).flat().some((r) => r.url.includes("/static/vendor/jsQR.js"))""",
        )
    context.close()


def kept_pages(page) -> list[str]:
    """The paths in the service worker's cache of pages this phone keeps for offline use."""
    script = """async () => {
        const cache = await caches.open("enishi-pages");
        return (await cache.keys()).map((request) => new URL(request.url).pathname);
    }"""
    try:
        return page.evaluate(script)
    except PlaywrightError:  # the wallet reloaded itself meanwhile (something is on its way)
        return None


def wait_until(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_pages_it_cannot_answer_offline_get_the_offline_page(live_server, launch_phone):
    phone = launch_phone()
    page = phone.new_page()
    log_in(page, live_server, "member@example.org")
    wait_for_service_worker(page)
    page.goto(f"{live_server}/wallet")  # seen once with the service worker in charge
    wait_until(lambda: kept_pages(page) == ["/wallet"])
    phone.set_offline(True)
    page.goto(f"{live_server}/events/1")
    expect(page.get_by_role("heading", name="接続がありません")).to_be_visible()
    page.goto(f"{live_server}/wallet")  # the last-seen wallet
    expect(page.get_by_role("heading", name="わたしのウォレット")).to_be_visible()


def test_a_device_logged_out_elsewhere_forgets_the_pages_it_kept(
    live_server, launch_phone, session
):
    phone = launch_phone()
    page = phone.new_page()
    log_in(page, live_server, "member@example.org")
    wait_for_service_worker(page)
    page.goto(f"{live_server}/wallet")
    wait_until(lambda: kept_pages(page) == ["/wallet"])

    # The member ends this phone's session from another device (or its login card is stopped).
    member = get_user_by_email(session, "member@example.org")
    for device in session.scalars(select(DeviceSession).where(DeviceSession.user_id == member.id)):
        device.ended_at = utcnow()
    session.commit()
    page.goto(f"{live_server}/wallet")
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
    assert kept_pages(page) == []

    phone.set_offline(True)
    page.goto(f"{live_server}/wallet")  # nothing of the member's is left to show
    expect(page.get_by_role("heading", name="接続がありません")).to_be_visible()


def test_a_scan_made_logged_out_waits_and_is_sent_after_login(live_server, page, events, session):
    page.goto(f"{live_server}/scan")
    page.get_by_label("または、QRコードの下に書かれたコードを入力").fill(
        link_for(events[1], live_server)
    )
    page.get_by_role("button", name="このコードでチェックイン").click()
    expect(page.locator("[data-scan-status]")).to_contain_text(RECORDED)
    expect(page.get_by_text("送るにはログインしてください。")).to_be_visible()
    assert count(session, Claim, event_id=events) == 0

    log_in(page, live_server, "member@example.org")
    asked = []  # who is logged in: the page asks as it loads, and its first send asks no more
    page.on("request", lambda r: asked.append(r) if r.url.endswith("/api/v1/session") else None)
    page.goto(f"{live_server}/scan")
    # Scanned while nobody was logged in: sent only once the person says it is theirs.
    expect(
        page.get_by_text("ログインする前に、このスマホで読み取ったチェックイン:")
    ).to_be_visible()
    assert len(asked) == 1
    page.wait_for_timeout(1000)
    assert count(session, Claim, event_id=events) == 0
    page.get_by_role("button", name="はい、わたしの記録として送る").click()
    expect(page.locator("[data-results] [data-state=accepted]")).to_have_count(1, timeout=20_000)
    member = get_user_by_email(session, "member@example.org")
    assert count(session, Attendance, user_id=member.id, event_id=events[1].id) == 1


def test_a_scan_made_logged_out_can_be_thrown_away(live_server, page, events, session):
    page.goto(f"{live_server}/scan")
    page.get_by_label("または、QRコードの下に書かれたコードを入力").fill(
        link_for(events[0], live_server)
    )
    page.get_by_role("button", name="このコードでチェックイン").click()
    expect(page.locator("[data-scan-status]")).to_contain_text(RECORDED)
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/scan")
    page.get_by_role("button", name="いいえ、消す").click()
    expect(page.locator("[data-outbox-panel]")).to_be_hidden()
    page.reload()  # gone from the phone, not only from the screen
    page.wait_for_timeout(1000)
    expect(page.locator("[data-outbox-panel]")).to_be_hidden()
    assert count(session, Claim, event_id=events) == 0


def log_out(page, base: str) -> None:
    page.goto(f"{base}/account")
    with page.expect_navigation():  # the page first forgets whose phone it was, then posts
        page.get_by_role("button", name="ログアウト").click()


def test_on_a_shared_phone_a_check_in_goes_only_under_the_account_that_scanned_it(
    live_server, browser, events, session
):
    context = browser.new_context(service_workers="block", viewport={"width": 390, "height": 844})
    page = context.new_page()
    # The venue's Wi-Fi lets pages through but every check-in post fails for a while.
    context.route("**/api/v1/checkins", lambda route: route.abort("connectionreset"))
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/scan")
    page.get_by_label("または、QRコードの下に書かれたコードを入力").fill(
        link_for(events[2], live_server)
    )
    page.get_by_role("button", name="このコードでチェックイン").click()
    expect(page.locator("[data-scan-status]")).to_contain_text(RECORDED)
    log_out(page, live_server)

    # The next person logs in on the same phone, and the posts go through again.
    context.unroute("**/api/v1/checkins")
    log_in(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/scan")
    expect(page.get_by_text("このスマホを使った別の人のチェックイン:")).to_be_visible()
    page.get_by_role("button", name="今すぐ送る").click()
    page.wait_for_timeout(1500)
    assert count(session, Claim, event_id=events) == 0  # never sent as the second person's
    expect(page.locator("[data-outbox-count]")).to_have_text("1")

    # Its own person logs in again: it goes, as theirs.
    log_out(page, live_server)
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/scan")
    expect(page.locator("[data-results] [data-state=accepted]")).to_have_count(1, timeout=20_000)
    member = get_user_by_email(session, "member@example.org")
    assert count(session, Claim, user_id=member.id, event_id=events) == 1
    assert count(session, Claim, event_id=events) == 1
    context.close()


def scan_offline(page, context, session, live_server, how_many: int) -> tuple[list, list]:
    """Logs the member in on /scan and queues a claim for each of `how_many` new events with no
    signal. Returns the events, and the list the page's posts to /api/v1/checkins go into."""
    organiser = get_user_by_email(session, "organiser@example.org")
    now = utcnow()
    events = [
        create_event(session, organiser, title=f"草刈り {n}", venue="塩尻", reward=1,
                     starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=3))
        for n in range(how_many)
    ]  # fmt: skip
    session.commit()
    log_in(page, live_server, "member@example.org")
    posts = []
    page.on(
        "request",
        lambda r: posts.append(r) if r.method == "POST" and r.url.endswith("/api/v1/checkins")
        else None,
    )  # fmt: skip
    page.goto(f"{live_server}/scan")
    context.set_offline(True)
    for queued, event in enumerate(events, start=1):
        page.get_by_label("または、QRコードの下に書かれたコードを入力").fill(
            link_for(event, live_server)
        )
        page.get_by_role("button", name="このコードでチェックイン").click()
        expect(page.locator("[data-outbox-count]")).to_have_text(str(queued))
    assert posts == [] and count(session, Claim, event_id=events) == 0
    return events, posts


def expect_all_recorded(page, session, events) -> None:
    expect(page.locator("[data-results] [data-state=accepted]")).to_have_count(
        len(events), timeout=20_000
    )
    expect(page.locator("[data-outbox-panel]")).to_be_hidden()
    page.wait_for_timeout(1000)  # a further send, were there one, would be seen by now
    member = get_user_by_email(session, "member@example.org")
    assert count(session, Claim, user_id=member.id, offline=True, event_id=events) == len(events)
    assert count(session, Attendance, user_id=member.id, event_id=events) == len(events)


def claims_of(post) -> list[str]:
    return [claim["id"] for claim in json.loads(post.post_data)["claims"]]


def test_a_phone_back_online_sends_its_whole_outbox_in_one_post(live_server, browser, session):
    context = browser.new_context(service_workers="block", viewport={"width": 390, "height": 844})
    page = context.new_page()
    events, posts = scan_offline(page, context, session, live_server, 7)
    context.set_offline(False)  # the venue's Wi-Fi is back: the phone sends its outbox
    expect_all_recorded(page, session, events)
    assert [len(claims_of(post)) for post in posts] == [7]
    context.close()


def test_an_outbox_over_the_batch_limit_goes_in_posts_of_the_limit_one_after_another(
    live_server, browser, session, app, monkeypatch
):
    monkeypatch.setitem(app.config, "CHECKIN_BATCH_LIMIT", 3)  # the phone learns it: the session
    context = browser.new_context(service_workers="block", viewport={"width": 390, "height": 844})
    page = context.new_page()
    events, posts = scan_offline(page, context, session, live_server, 8)
    context.set_offline(False)
    expect_all_recorded(page, session, events)
    assert [len(claims_of(post)) for post in posts] == [3, 3, 2]  # ceil(8 / 3) posts
    sent = [claim for post in posts for claim in claims_of(post)]
    assert len(set(sent)) == len(sent) == 8  # each claim once
    context.close()


def test_a_post_the_server_cannot_take_stops_the_send_and_the_rest_wait_with_it(
    live_server, browser, session, app, monkeypatch
):
    monkeypatch.setitem(app.config, "CHECKIN_BATCH_LIMIT", 3)
    context = browser.new_context(service_workers="block", viewport={"width": 390, "height": 844})
    page = context.new_page()
    events, posts = scan_offline(page, context, session, live_server, 8)
    overloaded = []

    def second_post_overloaded(route):
        if len(posts) == 2 and not overloaded:
            overloaded.append(route.request)
            route.fulfill(status=503, headers={"Retry-After": "2"}, body="busy")
        else:
            route.continue_()

    page.route("**/api/v1/checkins", second_post_overloaded)
    context.set_offline(False)
    # The first post is answered; the second is not, and the five left wait together.
    expect(page.locator("[data-results] [data-state=accepted]")).to_have_count(3)
    expect(page.locator("[data-outbox-count]")).to_have_text("5")
    # Once Retry-After has passed the five go, in posts of three again: the last two were not
    # tried after the 503 (they would have gone in a post of their own before the retry).
    expect_all_recorded(page, session, events)
    assert [len(claims_of(post)) for post in posts] == [3, 3, 3, 2]
    assert claims_of(posts[2]) == claims_of(posts[1])
    context.close()
