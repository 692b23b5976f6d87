from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from webapp.checkin.models import Claim
from webapp.core.db import utcnow

from ...conftest import PASSWORD, csrf_token
from .scans import code_for
from .test_services import decide

TOKYO = ZoneInfo("Asia/Tokyo")


def test_opening_a_code_link_checks_the_member_in(client, member, make_event):
    from ...conftest import log_in

    event = make_event()
    log_in(client, member.email)
    response = client.get(f"/c/{code_for(event)}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "チェックインしました" in page and event.title in page


def test_a_forged_link_is_refused_with_a_reason(client, member, make_event):
    from ...conftest import log_in

    event = make_event()
    log_in(client, member.email)
    token = code_for(event)
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    response = client.get(f"/c/{forged}")
    assert response.status_code == 422
    assert "このコードは正しくありません" in response.get_data(as_text=True)


def test_a_scan_while_logged_out_counts_after_login_even_when_the_code_has_rotated(
    client, member, make_event, session, monkeypatch
):
    event = make_event(offline_claim_days=0)  # so that only the remembered time can save it
    token = code_for(event)
    response = client.get(f"/c/{token}")
    assert response.status_code == 200  # the event's welcome, with the ways to log in
    assert f'href="/login?next=/c/{token}"' in response.get_data(as_text=True)

    # The member takes two minutes to log in: the code has rotated four times meanwhile.
    import webapp.checkin.views as views

    later = utcnow() + timedelta(minutes=2)
    monkeypatch.setattr(views, "utcnow", lambda: later)
    login = client.post(
        f"/login?next=/c/{token}",
        data={"email": member.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert login.headers["Location"] == f"/c/{token}"
    page = client.get(f"/c/{token}").get_data(as_text=True)
    assert "チェックインしました" in page
    assert session.scalar(select(func.count()).select_from(Claim)) == 1


def test_a_crowd_scanning_at_once_is_checked_in_without_errors(app, make_user, make_event, session):
    """Everyone at a venue scans the same code within a second; SQLite must serialise them."""
    from concurrent.futures import ThreadPoolExecutor

    from webapp.checkin.models import Attendance

    from ...conftest import log_in

    event = make_event()
    people = [make_user() for n in range(12)]
    browsers = [app.test_client() for person in people]
    for browser, person in zip(browsers, people, strict=True):
        log_in(browser, person.email)
    token = code_for(event)
    session.commit()
    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        statuses = list(pool.map(lambda browser: browser.get(f"/c/{token}").status_code, browsers))
    assert statuses == [200] * len(people)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Attendance)) == len(people)


def test_a_logged_out_scan_is_remembered_for_a_while_only(client, member, make_event, monkeypatch):
    import webapp.checkin.pending as pending
    import webapp.checkin.views as views

    event = make_event(offline_claim_days=0)  # so that only the remembered time can save it
    token = code_for(event)
    client.get(f"/c/{token}")
    much_later = utcnow() + pending.PENDING_SCAN_MAX_AGE + timedelta(minutes=1)
    monkeypatch.setattr(views, "utcnow", lambda: much_later)
    client.post(
        f"/login?next=/c/{token}",
        data={"email": member.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    page = client.get(f"/c/{token}").get_data(as_text=True)
    assert "コードが切り替わりました" in page  # measured from now: the code is stale


# -- the check-in moment: what the member is told ------------------------------------------------


def checked_in_page(client, member, event) -> str:
    from ...conftest import log_in

    log_in(client, member.email)
    response = client.get(f"/c/{code_for(event)}")
    assert response.status_code == 200
    return " ".join(response.get_data(as_text=True).split())


def test_a_paid_check_in_shows_the_badge_and_the_coins(client, member, make_event):
    event = make_event(title="ぶどう畑の草刈り", reward=10)
    page = checked_in_page(client, member, event)
    assert "チェックインしました" in page and "ぶどう畑の草刈り" in page
    assert f'src="/badges/{event.id}.png" alt="「ぶどう畑の草刈り」の参加バッジ"' in page
    assert "+10 えんコイン" in page
    assert "バッジと10 えんコインが、ウォレットに届きます。" in page
    assert "トークン" not in page


def test_a_reward_held_for_approval_promises_no_coins(client, member, make_event):
    event = make_event(reward=500, budget=2000)  # above the limit: an administrator decides
    page = checked_in_page(client, member, event)
    assert "チェックインしました" in page and f"/badges/{event.id}.png" in page
    assert "+500" not in page
    assert "バッジは届きます。500 えんコインは、事務局の確認待ちです。" in page


def test_past_its_budget_the_page_says_no_coins_come(
    client, member, make_user, make_event, session
):
    event = make_event(reward=10, budget=10)
    decide(session, make_user(), code_for(event))  # the first participant takes the budget
    page = checked_in_page(client, member, event)
    assert "+10" not in page
    assert "バッジは届きます。このイベントで配るえんコインは、もうなくなりました。" in page


def test_an_event_without_a_reward_gives_the_badge_alone(client, member, make_event):
    event = make_event(reward=0)
    page = checked_in_page(client, member, event)
    assert f"/badges/{event.id}.png" in page and "+0" not in page
    assert "バッジが届きます。このイベントではえんコインは配りません。" in page


def test_a_second_visit_is_a_plain_already_checked_in(client, member, make_event):
    event = make_event()
    checked_in_page(client, member, event)
    page = client.get(f"/c/{code_for(event)}").get_data(as_text=True)
    assert "チェックイン済みです" in page and "+10" not in page and "/badges/" not in page


# -- the logged-out path from a poster ---------------------------------------------------------


def test_a_poster_read_logged_out_names_the_event_and_the_ways_to_log_in(client, make_event):
    from webapp.checkin.codes import make_printed_token

    event = make_event(title="りんご収穫祭", venue="塩尻市 片丘 公民館")
    token = make_printed_token(event.id, event.secret)
    response = client.get(f"/c/{token}")
    assert response.status_code == 200
    page = " ".join(response.get_data(as_text=True).split())
    assert "<h1" in page and "りんご収穫祭</h1>" in page
    assert "塩尻市 片丘 公民館" in page
    day = event.starts_at.astimezone(TOKYO)
    assert f"{day.month}月{day.day}日" in page and day.strftime("%-H:%M") in page
    assert "縁(えにし)は、塩尻DAOの活動に参加すると" in page  # what Enishi is, in a sentence
    assert "ログインすると、このチェックインを送ります。" in page
    assert f'action="/login/card?next=/c/{token}"' in page  # the login card, read by the camera
    assert f'href="/login?next=/c/{token}"' in page  # or the password
    assert response.headers["Permissions-Policy"].startswith("camera=(self)")
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_a_forged_code_names_no_event(client, make_event):
    event = make_event(title="りんご収穫祭")
    token = code_for(event)
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    page = client.get(f"/c/{forged}").get_data(as_text=True)
    assert "りんご収穫祭" not in page and "ログインしてチェックイン" in page


def test_a_login_card_read_on_the_posters_page_comes_back_and_checks_in(
    client, member, make_user, make_event, session
):
    from webapp.accounts.devices import issue_login_card
    from webapp.accounts.models import Role

    _, card = issue_login_card(session, member, make_user(Role.ADMIN), utcnow())
    session.commit()
    event = make_event()
    token = code_for(event)
    client.get(f"/c/{token}")
    login = client.post(
        f"/login/card?next=/c/{token}",
        data={"token": card, "csrf_token": csrf_token(client, f"/c/{token}")},
    )
    assert login.headers["Location"] == f"/c/{token}"
    assert "チェックインしました" in client.get(login.headers["Location"]).get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Claim)) == 1


def test_a_login_card_read_by_the_phones_camera_app_still_checks_in(
    client, member, make_user, make_event, session
):
    """The card's own page carries no `next`: the login lands on /start, which goes on to the
    check-in scanned just before, and only while it may count from then."""
    from webapp.accounts.devices import issue_login_card
    from webapp.accounts.models import Role

    _, card = issue_login_card(session, member, make_user(Role.ADMIN), utcnow())
    session.commit()
    event = make_event()
    token = code_for(event)
    client.get(f"/c/{token}")
    login = client.post(
        "/login/card", data={"token": card, "csrf_token": csrf_token(client, "/login/card")}
    )
    assert login.headers["Location"] == "/start"
    assert client.get("/start").headers["Location"] == f"/c/{token}"
    assert "チェックインしました" in client.get(f"/c/{token}").get_data(as_text=True)
    assert client.get("/start").headers["Location"] == "/"  # taken: the next login goes home
    assert session.scalar(select(func.count()).select_from(Claim)) == 1
