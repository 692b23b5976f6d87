"""POST /api/v1/yui/confirmations: a phone's queued face-to-face scans, one answer each."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from webapp.accounts.services import outbox_account
from webapp.yui.models import YuiConfirmation

from ...conftest import csrf_token, log_in


def scan(thread, card_text, claim_id=None, **extra) -> dict:
    return {
        "claim_id": claim_id or str(uuid.uuid4()),
        "thread_id": thread.id,
        "card": card_text,
        "scanned_at": "2026-12-05T18:30:00+09:00",
        **extra,
    }


def post(client, body, page="/wallet"):
    token = csrf_token(client, page)
    return client.post("/api/v1/yui/confirmations", json=body, headers={"X-CSRFToken": token})


def stored(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(YuiConfirmation))


def test_a_batch_answers_each_scan_and_a_resend_is_already(
    app, client, session, card, make_user, make_thread
):
    helped, helper = make_user(), make_user()
    thread = make_thread(helped, helper)
    log_in(client, helper.email)
    good = scan(thread, card(helped), offline=True)

    response = post(client, {"confirmations": [scan(thread, card(helper)), good, good]})

    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [(r["claim_id"], r["status"], r["reason"]) for r in results] == [
        (results[0]["claim_id"], "refused", "own_card"),
        (good["claim_id"], "confirmed", None),
        (good["claim_id"], "already", None),
    ]
    assert results[0]["message"] == "これはご自分の会員証です。相手の会員証を読み取ってください。"
    again = post(client, {"confirmations": [good]}).get_json()["results"]
    assert [r["status"] for r in again] == ["already"]
    assert stored(session) == 1
    confirmation = session.scalars(select(YuiConfirmation)).one()
    assert confirmation.scanned_at.isoformat() == "2026-12-05T09:30:00+00:00"


def test_answers_are_in_the_member_s_language(client, session, card, make_user, make_thread):
    helped, helper = make_user(), make_user()
    thread = make_thread(helped, helper)
    log_in(client, helper.email)
    client.post("/lang", data={"lang": "en", "csrf_token": csrf_token(client, "/wallet")})

    [result] = post(client, {"confirmations": [scan(thread, card(helped))]}).get_json()["results"]

    assert result["message"] == "Confirmed. The 結い badge is on its way to you both."


def test_a_malformed_batch_stores_nothing(client, session, card, make_user, make_thread):
    helped, helper = make_user(), make_user()
    thread = make_thread(helped, helper)
    log_in(client, helper.email)
    good = scan(thread, card(helped))
    for body, field in (
        ({"claims": [good]}, None),
        ({"confirmations": []}, None),
        ({"confirmations": [good, {**good, "claim_id": "not-a-uuid"}]}, "claim_id"),
        ({"confirmations": [{**good, "thread_id": "1"}]}, "thread_id"),
        ({"confirmations": [{**good, "thread_id": True}]}, "thread_id"),
        ({"confirmations": [{**good, "thread_id": 2**40}]}, "thread_id"),
        ({"confirmations": [{**good, "card": ""}]}, "card"),
        ({"confirmations": [{**good, "card": "x" * 65}]}, "card"),
        ({"confirmations": [{**good, "scanned_at": "2026-12-05T09:30:00"}]}, "scanned_at"),
        ({"confirmations": [good] * 21}, None),
    ):
        response = post(client, body)
        assert response.status_code == 400, body
        answer = response.get_json()
        assert answer["error"] in ("malformed_batch", "batch_too_large")
        if field:
            assert field in answer["message"]
    assert stored(session) == 0


def test_a_scan_of_another_account_on_a_shared_phone_is_refused_whole(
    app, client, session, card, make_user, make_thread
):
    helped, helper = make_user(), make_user()
    thread = make_thread(helped, helper)
    log_in(client, helper.email)
    theirs = outbox_account(helped.id, app.secret_key)

    response = post(client, {"confirmations": [scan(thread, card(helped), account=theirs)]})

    assert (response.status_code, response.get_json()["error"]) == (409, "other_account")
    mine = outbox_account(helper.id, app.secret_key)
    response = post(client, {"confirmations": [scan(thread, card(helped), account=mine)]})
    assert response.get_json()["results"][0]["status"] == "confirmed"


def test_someone_outside_the_thread_learns_nothing_of_it(
    client, session, card, make_user, make_thread
):
    helped, helper, stranger = make_user(), make_user(), make_user()
    thread = make_thread(helped, helper)
    log_in(client, stranger.email)
    missing = {"confirmations": [scan(thread, card(helped)) | {"thread_id": thread.id + 1000}]}

    [outside] = post(client, {"confirmations": [scan(thread, card(helped))]}).get_json()["results"]
    [nowhere] = post(client, missing).get_json()["results"]

    assert (outside["reason"], outside["message"]) == (nowhere["reason"], nowhere["message"])
    assert outside["reason"] == "no_such_thread"
    assert stored(session) == 0


def test_a_phone_not_logged_in_is_told_to_log_in(client, card, make_user, make_thread):
    helped, helper = make_user(), make_user()
    thread = make_thread(helped, helper)
    response = post(client, {"confirmations": [scan(thread, card(helped))]}, page="/login")
    assert (response.status_code, response.get_json()["error"]) == (401, "login_required")
