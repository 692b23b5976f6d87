"""A poster's printed code, read by the in-app scanner from a real camera image: the phone asks
for the secret word, and the check-in counts as printed. Read by the phone's own camera app with
no one logged in, it names the event and keeps the check-in through the login."""

from datetime import timedelta

from playwright.sync_api import expect

from webapp.accounts.devices import issue_login_card
from webapp.accounts.services import get_user_by_email
from webapp.checkin import codes
from webapp.checkin.codes import get_printed_code
from webapp.checkin.models import Attendance, Claim
from webapp.core.db import utcnow
from webapp.demo import DEMO_PASSWORD
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


def poster_event(session, **fields):
    organiser = get_user_by_email(session, "organiser@example.org")
    now = utcnow()
    event = create_event(
        session, organiser, title="りんご収穫祭", venue="塩尻市 片丘 公民館", reward=3,
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2), **fields,
    )  # fmt: skip
    session.commit()
    return event


def checked_in(session, event) -> tuple[int, int]:
    session.rollback()
    member = get_user_by_email(session, "member@example.org")
    claims = session.query(Claim).filter_by(user_id=member.id, event_id=event.id).count()
    attendances = session.query(Attendance).filter_by(user_id=member.id, event_id=event.id)
    return claims, attendances.count()


def test_a_poster_read_logged_out_names_the_event_and_checks_in_after_a_card_login(
    live_server, launch_phone, session, tmp_path
):
    member = get_user_by_email(session, "member@example.org")
    admin = get_user_by_email(session, "admin@example.org")
    event = poster_event(session)
    _, card = issue_login_card(session, member, admin, utcnow())
    session.commit()
    # The member's phone camera sees their printed login card.
    video = write_y4m(tmp_path / "card.y4m", f"{live_server}/login/card#{card}")
    page = launch_phone(video=video).new_page()

    page.goto(get_printed_code(event, live_server))  # what the phone's camera app opens
    expect(page.get_by_role("heading", level=1)).to_have_text("りんご収穫祭")
    expect(page.get_by_text("塩尻市 片丘 公民館")).to_be_visible()
    expect(page.get_by_text("縁(えにし)は、塩尻DAOの活動に参加すると")).to_be_visible()
    assert axe_violations(page) == []
    assert checked_in(session, event) == (0, 0)

    page.get_by_role("button", name="ログインカードで").click()
    success = page.get_by_role("region", name="チェックインしました")
    expect(success).to_be_visible(timeout=20_000)
    expect(success.get_by_text("+3 えんコイン", exact=True)).to_be_visible()
    expect(success.get_by_role("img", name="「りんご収穫祭」の参加バッジ")).to_be_visible()
    assert checked_in(session, event) == (1, 1)

    page.reload()  # nothing counts twice
    expect(page.get_by_role("heading", name="チェックイン済みです")).to_be_visible()
    assert checked_in(session, event) == (2, 1)  # the second visit is kept, as a duplicate


def test_a_poster_read_logged_out_asks_the_word_after_a_password_login(live_server, page, session):
    event = poster_event(session, secret_word="リンゴ")
    page.goto(get_printed_code(event, live_server))
    page.get_by_role("link", name="メールアドレスとパスワードで").click()
    page.get_by_label("メールアドレス").fill("member@example.org")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page.get_by_role("heading", name="りんご収穫祭")).to_be_visible()  # the word comes first
    page.get_by_label("主催者が伝える合言葉を入力してください").fill("りんご")
    page.get_by_role("button", name="チェックインする").click()
    success = page.get_by_role("region", name="チェックインしました")
    expect(success.get_by_text("+3 えんコイン", exact=True)).to_be_visible()
    assert checked_in(session, event) == (1, 1)
