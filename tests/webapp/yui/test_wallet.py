"""The wallet of both people after a 結い: the badge with its artwork, the coins received or
paid in the history, each with its record's state in words (never 0x), and its record's page;
a month's thanks badge beside them."""

from __future__ import annotations

from webapp.ledger.services import credit
from webapp.onchain.jobs import queue_badge, thanks_badge_token_id
from webapp.yui.confirmations import confirm_help
from webapp.yui.models import YuiConfirmation

from ...conftest import log_in
from ..test_worker import attend, work
from .confirm_world import NOW, SCANNED_AT, new_claim_id


def wallet_of(app, person) -> str:
    client = app.test_client()
    log_in(client, person.email)
    return client, client.get("/wallet").get_data(as_text=True)


def test_both_wallets_show_the_badge_and_the_coins_it_moved(
    app, session, chain, key, card, make_user, make_thread, make_event
):
    helped, helper = make_user(), make_user()
    attend(session, helped, make_event(reward=30))
    work(session, chain)
    thread = make_thread(helped, helper, coins=20)
    result = confirm_help(
        session, scanner=helper, thread_id=thread.id, card_code=card(helped),
        claim_id=new_claim_id(), scanned_at=SCANNED_AT, card_key=key, now=NOW,
    )  # fmt: skip
    session.commit()
    done = session.get(YuiConfirmation, result.confirmation_id)

    client, html = wallet_of(app, helper)
    assert "結い（雪かき）" in html
    assert f'src="/badges/{done.token_id}.png?w=300"' in html
    assert "2026年12月 · 手助けした" in html
    assert "反映中" in html  # on its way
    assert "+20" in html and "雪かきをお願い" in html  # the coins received, by the post's title
    assert "0x" not in html

    work(session, chain)
    client, html = wallet_of(app, helper)
    assert "反映中" not in html
    proof = client.get(f"/wallet/proofs/{done.helper_job_id}").get_data(as_text=True)
    assert "「結い（雪かき）」のバッジと 20 えんコイン" in proof

    client, html = wallet_of(app, helped)
    assert "2026年12月 · 手助けを受けた" in html
    assert "-20" in html
    proof = client.get(f"/wallet/proofs/{done.burn_job_id}").get_data(as_text=True)
    assert "「結い（雪かき）」のお礼に払った 20 えんコイン" in proof


def test_a_month_s_thanks_badge_is_in_the_wallet(app, session, member):
    token_id = thanks_badge_token_id("2026-11")
    job = queue_badge(
        session, user_id=member.id, address=member.address, token_id=token_id, coins=4
    )
    credit(session, user_id=member.id, amount=4, kind="thanks_pool", chain_job_id=job.id)
    session.commit()

    _client, html = wallet_of(app, member)

    assert "ありがとう 2026年11月" in html
    assert "もらったありがとう" in html
    assert f'src="/badges/{token_id}.png?w=300"' in html
    assert "+4" in html
