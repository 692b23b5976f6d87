"""A poster's printed code, read by the in-app scanner from a real camera image: the phone asks
for the secret word, and the check-in counts as printed."""

from datetime import timedelta

from playwright.sync_api import expect

from webapp.accounts.services import get_user_by_email
from webapp.checkin import codes
from webapp.checkin.codes import get_printed_code
from webapp.checkin.models import Claim
from webapp.core.db import utcnow
from webapp.events.services import create_event

from .camera import write_y4m
from .conftest import axe_violations, log_in


def test_scanning_a_posters_code_asks_for_the_secret_word(
    live_server, launch_phone, session, tmp_path
):
    organiser = get_user_by_email(session, "organiser@example.org")
    now = utcnow()
    event = create_event(
        session, organiser, title="りんご収穫祭", venue="塩尻", reward=3,
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2), secret_word="リンゴ",
    )  # fmt: skip
    session.commit()
    url = get_printed_code(event, live_server)
    assert codes.parse_token(url).kind == codes.KIND_PRINTED

    page = launch_phone(video=write_y4m(tmp_path / "poster.y4m", url)).new_page()
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/scan")
    word = page.get_by_label("合言葉(主催者が伝える言葉。ないときは空欄のまま)")
    expect(word).to_be_visible(timeout=20_000)
    assert axe_violations(page) == []
    word.fill("りんご")
    page.get_by_role("button", name="チェックインする").click()
    expect(page.locator("[data-scan-status]")).to_have_text(
        "りんご収穫祭: チェックインしました。", timeout=20_000
    )
    session.rollback()
    member = get_user_by_email(session, "member@example.org")
    claim = session.query(Claim).filter_by(user_id=member.id, event_id=event.id).one()
    assert (claim.status, claim.via) == ("accepted", "printed")
    success = page.get_by_role("region", name="チェックインしました")
    expect(success.get_by_text("+3 えんコイン", exact=True)).to_be_visible()
    expect(success.get_by_role("img", name="「りんご収穫祭」の参加バッジ")).to_be_visible()
