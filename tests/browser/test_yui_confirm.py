"""結い confirmed face to face on two phones: the helper's phone, with no signal, scans the card
the helped member shows on theirs; the scan waits on the phone as 送信待ち and counts once when
the signal is back; the badge of both and the coins reach the chain."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import func, select

from webapp.accounts.services import get_user_by_email
from webapp.core.db import utcnow
from webapp.ledger.services import get_balance
from webapp.membership.cards import card_code, card_key
from webapp.onchain.connection import get_chain_client
from webapp.onchain.models import ChainJob, JobKind, JobStatus
from webapp.onchain.worker import run_once
from webapp.yui.models import YuiConfirmation
from webapp.yui.services import PostDraft, create_post, open_thread

from ..conftest import PASSWORD
from .camera import write_y4m
from .conftest import axe_violations, log_in, wait_for_service_worker

SHOTS = Path(os.environ.get("ENISHI_SHOTS", "/tmp/shots-confirm"))
COINS = 5


def shoot(page, name: str, part=None) -> None:
    """The page at 390×844 and 320 px wide: whole, or as the phone shows it with `part` (a
    locator) scrolled into view."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((390, 844), (320, 700)):
        page.set_viewport_size({"width": width, "height": height})
        if part is not None:
            part.evaluate("(el) => el.scrollIntoView({ block: 'center' })")
        page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=part is None)
    page.set_viewport_size({"width": 390, "height": 844})


def confirmations(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(YuiConfirmation))


def work(session) -> None:
    """Worker rounds until nothing waits (the embedded chain mines at once)."""
    client = get_chain_client(session)
    for _ in range(6):
        run_once(session, client, batch_size=100)
        waiting = select(ChainJob.id).where(
            ChainJob.status.in_((JobStatus.PENDING, JobStatus.SENT))
        )
        if session.scalar(waiting) is None:
            return


def test_a_card_scanned_with_no_signal_confirms_the_help_once_back_online(
    app, live_server, launch_phone, session, make_user, tmp_path
):
    helped = get_user_by_email(session, "member@example.org")  # 塩尻 花子 asks for help
    helper = make_user()  # a neighbour helps
    assert get_balance(session, helped).total >= COINS
    draft = PostDraft(kind="request", category="snow", area="daimon", title="玄関前の雪かき",
                      coins=COINS)  # fmt: skip
    post = create_post(session, draft, author=helped, for_user=helped, now=utcnow())
    thread = open_thread(session, post, helper, utcnow())
    session.commit()
    url = f"{live_server}/yui/threads/{thread.id}/confirm"
    # The helped member's phone shows her card; the helper's camera sees it.
    video = write_y4m(tmp_path / "card.y4m", card_code(helped.id, card_key(app.secret_key)))

    theirs = launch_phone("helped").new_page()
    log_in(theirs, live_server, helped.email)
    theirs.goto(url)
    theirs.get_by_text("会員証を表示する", exact=True).click()
    my_card = theirs.get_by_role("img", name="塩尻 花子 さんの会員カード")
    expect(my_card).to_be_visible()
    assert axe_violations(theirs) == []
    shoot(theirs, "confirm-my-card", my_card)

    helper_phone = launch_phone("helper", video=video)
    page = helper_phone.new_page()
    sent = []
    page.on("request", lambda r: r.url.endswith("/api/v1/yui/confirmations") and sent.append(r))
    log_in(page, live_server, helper.email, PASSWORD)
    page.goto(url)
    wait_for_service_worker(page)
    page.goto(url)  # opened with signal under the service worker: kept for later
    expect(page.get_by_text("会って、相手の会員証（カードまたはスマホの画面）を読み取ってください。")).to_be_visible()
    expect(page.get_by_test_id("confirm-coins")).to_have_text(
        f"塩尻 花子 さんから {COINS} えんコインを受け取ります。"
    )
    assert axe_violations(page) == []
    shoot(page, "confirm")

    helper_phone.set_offline(True)
    page.reload()  # from the phone's own copy
    page.get_by_role("button", name="カメラを使う").click()
    answer = page.locator("[data-confirm-answer]")
    expect(answer).to_contain_text("送信待ち", timeout=20_000)
    expect(answer).to_contain_text("このスマホに記録しました。電波が戻ったら送ります。")
    assert axe_violations(page) == []
    shoot(page, "confirm-waiting", answer)
    assert confirmations(session) == 0  # nothing reached the server
    assert sent == []

    helper_phone.set_offline(False)
    expect(answer).to_contain_text("確認できました。", timeout=20_000)
    expect(answer).to_contain_text("結いバッジが届きます。")
    shoot(page, "confirm-done", answer)
    assert confirmations(session) == 1
    done = session.scalars(select(YuiConfirmation)).one()
    assert (done.helper_id, done.helped_id, done.scanned_by_id, done.coins) == (
        helper.id,
        helped.id,
        helper.id,
        COINS,
    )
    badge_jobs = session.scalars(
        select(ChainJob).where(ChainJob.token_id == done.token_id, ChainJob.kind == JobKind.BADGE)
    ).all()
    assert {job.user_id for job in badge_jobs} == {helper.id, helped.id}

    # A second send finds nothing more to send.
    requests_so_far = len(sent)
    outcome = page.evaluate("self.Enishi.outbox.flush({force: true})")
    assert outcome["confirmations"] == {"sent": 0, "kept": 0}
    assert len(sent) == requests_so_far
    assert confirmations(session) == 1

    before = get_chain_client(session).token_balance(helper.address)
    work(session)
    chain = get_chain_client(session)
    assert chain.badge_balance(helper.address, done.token_id) == 1
    assert chain.badge_balance(helped.address, done.token_id) == 1
    assert chain.token_balance(helper.address) == before + COINS

    theirs.reload()  # the helped member's screen says so too
    expect(theirs.get_by_role("heading", name="確認できました。")).to_be_visible()
