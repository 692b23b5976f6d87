"""A confirmed 結い on the embedded chain: the badge of both, the coins moved from the helped
member to the helper, reconciled with no difference; and the badges' public metadata."""

from __future__ import annotations

from webapp.ledger.services import credit
from webapp.onchain.jobs import queue_badge, thanks_badge_token_id
from webapp.reports.reconcile import reconcile
from webapp.yui.confirmations import confirm_help
from webapp.yui.models import YuiConfirmation

from ..test_worker import attend, work
from .confirm_world import NOW, SCANNED_AT, new_claim_id


def confirmed(session, key, card, helper, helped, thread):
    result = confirm_help(
        session, scanner=helper, thread_id=thread.id, card_code=card(helped),
        claim_id=new_claim_id(), scanned_at=SCANNED_AT, card_key=key, now=NOW,
    )  # fmt: skip
    session.commit()
    return result


def test_the_badge_of_both_and_the_coins_reach_the_chain_and_reconcile(
    session, chain, key, card, make_user, make_thread, make_event
):
    helped, helper = make_user(), make_user()
    attend(session, helped, make_event(reward=30))
    work(session, chain)  # her coins are on chain
    thread = make_thread(helped, helper, coins=20)
    result = confirmed(session, key, card, helper, helped, thread)
    assert reconcile(session, chain) == []  # queued, nothing on chain yet: no difference

    work(session, chain)
    work(session, chain)  # a second round changes nothing

    token_id = session.get(YuiConfirmation, result.confirmation_id).token_id
    assert chain.badge_balance(helper.address, token_id) == 1
    assert chain.badge_balance(helped.address, token_id) == 1
    assert chain.token_balance(helper.address) == 20
    assert chain.token_balance(helped.address) == 10
    assert reconcile(session, chain) == []


def test_a_badge_outside_events_that_no_job_explains_is_a_difference(
    session, chain, member, make_user
):
    token_id = thanks_badge_token_id("2026-11")  # the month's pool paid her 3 coins
    job = queue_badge(
        session, user_id=member.id, address=member.address, token_id=token_id, coins=3
    )
    credit(session, user_id=member.id, amount=3, kind="thanks_pool", chain_job_id=job.id)
    session.commit()
    work(session, chain)
    assert reconcile(session, chain) == []

    # Behind the ledger's back: the month's badge given to someone no job gave it to.
    stray = make_user()
    signed = chain.sign(chain.award_transaction(token_id, [stray.address], 0), chain.next_nonce())
    chain.send(signed)
    chain.w3.eth.wait_for_transaction_receipt(signed.hash, timeout=30)
    differences = [
        (d.what, d.email, d.ledger, d.chain, d.token_id) for d in reconcile(session, chain)
    ]
    assert differences == [("community badge", stray.email, 0, 1, token_id)]


def test_a_yui_badge_s_metadata_names_the_help_and_the_month_and_no_one(
    client, session, key, card, make_user, make_thread
):
    helped, helper = make_user(), make_user()
    thread = make_thread(helped, helper, category="snow")
    result = confirmed(session, key, card, helper, helped, thread)
    token_id = session.get(YuiConfirmation, result.confirmation_id).token_id

    metadata = client.get(f"/badges/{token_id}.json").get_json()

    assert metadata["name"] == "結い（雪かき）"
    assert metadata["properties"]["month"] == "2026-12"
    assert "2026年12月" in metadata["description"]
    assert helped.display_name not in str(metadata) and helper.display_name not in str(metadata)
    assert {"trait_type": "手助けの種類", "value": "雪かき"} in metadata["attributes"]
    assert metadata["image"].endswith(f"/badges/{token_id}.png")
    image = client.get(f"/badges/{token_id}.png")
    assert (image.status_code, image.mimetype) == (200, "image/png")
    assert client.get(f"/badges/{token_id + 1}.json").get_json()["error"] == "unknown_badge"
    assert client.get(f"/badges/{token_id:064x}.json").get_json()["name"] == "結い（雪かき）"


def test_a_month_s_thanks_badge_has_metadata_once_given(client, session, member):
    token_id = thanks_badge_token_id("2026-11")
    assert client.get(f"/badges/{token_id}.json").status_code == 404  # no one holds it yet
    queue_badge(session, user_id=member.id, address=member.address, token_id=token_id, coins=3)
    session.commit()

    metadata = client.get(f"/badges/{token_id}.json").get_json()

    assert metadata["name"] == "ありがとう 2026年11月"
    assert metadata["properties"] == {"month": "2026-11", "community": "塩尻DAO"}
    assert client.get(f"/badges/{token_id}.png").status_code == 200
    assert client.get(f"/badges/{thanks_badge_token_id('2026-13')}.json").status_code == 404
