"""A venue tablet's display link, in a browser: an organiser makes it, a tablet that nobody logs
in on opens it and shows a QR code that check-in accepts, keeps showing codes with no signal,
and forgets the page once the link is stopped."""

from __future__ import annotations

import base64
import uuid

from playwright.sync_api import expect
from sqlalchemy import select

from webapp.accounts.services import get_user_by_email
from webapp.checkin import codes
from webapp.checkin.display_links import create_display_link, stop_display_link
from webapp.checkin.services import ClaimInput, record_claim
from webapp.core.db import utcnow
from webapp.events.models import Event

from ..support import PROJECT_DIR
from .conftest import axe_violations, log_in, wait_for_service_worker
from .test_offline import kept_pages, wait_until

EVENT = "塩尻ラボ 交流会"
JSQR = PROJECT_DIR / "webapp" / "static" / "vendor" / "jsQR.js"


def read_qr(context, image: bytes) -> str:
    """What the QR code in a PNG screenshot says, read by the app's own jsQR in a blank page
    (the site's CSP rightly refuses the data: image this needs)."""
    reader = context.new_page()
    try:
        reader.evaluate(JSQR.read_text(encoding="utf-8"))
        return reader.evaluate(
            """async (png) => {
                const image = new Image();
                image.src = `data:image/png;base64,${png}`;
                await image.decode();
                const canvas = document.createElement("canvas");
                canvas.width = image.width;
                canvas.height = image.height;
                const context = canvas.getContext("2d");
                context.drawImage(image, 0, 0);
                const pixels = context.getImageData(0, 0, image.width, image.height);
                const found = jsQR(pixels.data, image.width, image.height);
                return found ? found.data : null;
            }""",
            base64.b64encode(image).decode(),
        )
    finally:
        reader.close()


def test_a_tablet_shows_the_code_from_its_link_offline_too_until_it_is_stopped(
    live_server, browser, launch_phone, session
):
    organiser = browser.new_context(locale="ja-JP", viewport={"width": 1024, "height": 768})
    desk = organiser.new_page()
    log_in(desk, live_server, "organiser@example.org")
    desk.get_by_role("link", name=EVENT).click()
    desk.get_by_role("link", name="設定", exact=True).click()
    desk.get_by_label("端末の名前（例：受付のタブレット）").fill("受付のタブレット")
    desk.get_by_role("button", name="表示用リンクを作る").click()
    expect(desk.get_by_role("img", name="受付のタブレット の表示用リンク")).to_be_visible()
    link = desk.locator("[data-display-link]").inner_text()
    assert link.startswith(f"{live_server}/display/")

    tablet = launch_phone("tablet")  # its own browser: nobody has logged in on it
    screen = tablet.new_page()
    screen.goto(link)
    qr = screen.get_by_role("img", name=f"{EVENT} のチェックイン用コード")
    expect(qr).to_be_visible()
    shown = read_qr(tablet, qr.screenshot())
    assert shown is not None and shown.startswith(f"{live_server}/c/")
    expect(screen.get_by_role("link")).to_have_count(0)  # nowhere else to go
    assert axe_violations(screen) == []
    # Logged in as no one: the event's own pages send the tablet to the login page.
    for page in ("/events", "/events/1", "/wallet"):
        answer = tablet.request.get(f"{live_server}{page}", max_redirects=0)
        assert answer.headers["location"].startswith("/login"), page

    member = get_user_by_email(session, "member@example.org")
    result = record_claim(
        session, member, ClaimInput(str(uuid.uuid4()), shown, utcnow()), now=utcnow(), source="api"
    )
    session.commit()
    assert result.status == "accepted"

    # The venue loses its signal: a reload still shows codes, from the service worker's copy.
    wait_for_service_worker(screen)
    path = link.removeprefix(live_server)
    wait_until(lambda: path in kept_pages(screen))
    tablet.set_offline(True)
    screen.reload()
    expect(qr).to_be_visible()
    expect(screen.locator("[data-link]")).to_contain_text(f"{live_server}/c/")
    tablet.set_offline(False)

    # The organiser stops the link: back online, the tablet shows why and forgets the page.
    desk.goto(f"{live_server}/events")
    desk.get_by_role("link", name=EVENT).click()
    desk.get_by_role("link", name="設定", exact=True).click()
    desk.get_by_role("button", name="受付のタブレット のリンクを止める").click()
    expect(desk.get_by_text("受付のタブレット のリンクを止めました。")).to_be_visible()
    screen.reload()
    expect(screen.get_by_role("heading", name="この表示用リンクは止められました")).to_be_visible()
    wait_until(lambda: path not in kept_pages(screen))
    tablet.set_offline(True)
    screen.reload()
    expect(screen.get_by_role("heading", name="接続がありません")).to_be_visible()
    organiser.close()


def test_an_open_display_takes_the_new_key_when_another_link_is_stopped(live_server, page, session):
    event = session.scalars(select(Event).where(Event.title == EVENT)).one()
    organiser = get_user_by_email(session, "organiser@example.org")
    _, kept = create_display_link(session, event, organiser, "受付", utcnow())
    lost, _ = create_display_link(session, event, organiser, "なくしたタブレット", utcnow())
    session.commit()
    page.clock.install(time=utcnow())
    page.goto(f"{live_server}/display/{kept}")
    screen = page.locator("[data-kiosk]")
    old_key = screen.get_attribute("data-key")

    stop_display_link(session, lost, organiser, utcnow())
    session.commit()
    page.clock.fast_forward(61_000)  # the page asks the server again once a minute
    expect(screen).not_to_have_attribute("data-key", old_key)
    new_key = codes.kind_key(event.secret, codes.KIND_DISPLAY, event.display_key_version)
    expect(screen).to_have_attribute(
        "data-key", base64.urlsafe_b64encode(new_key).rstrip(b"=").decode()
    )
