import uuid

import pytest
from sqlalchemy import func, select

from webapp.checkin import services as checkin_services
from webapp.checkin.models import Attendance, Claim
from webapp.core.db import utcnow
from webapp.ledger.models import LedgerEntry

from ...conftest import csrf_token, log_in
from .scans import code_for


def new_claim(code: str, claim_id: str | None = None) -> dict:
    return {"id": claim_id or str(uuid.uuid4()), "code": code, "scanned_at": utcnow().isoformat()}


@pytest.fixture
def member_client(client, member):
    log_in(client, member.email)
    return client


def post(client, body, with_csrf=True):
    headers = {"X-CSRFToken": csrf_token(client, "/wallet")} if with_csrf else {}
    return client.post("/api/v1/checkins", json=body, headers=headers)


def stored_claims(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Claim))


def test_a_batch_mixing_good_and_bad_claims_answers_each(member_client, session, make_event):
    event = make_event()
    good = new_claim(code_for(event))
    response = post(
        member_client,
        {
            "claims": [
                good,
                new_claim("nonsense"),
                new_claim(f"http://localhost/c/{code_for(event)}"),
                good,
            ]
        },
    )
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert [(r["status"], r["reason"]) for r in results] == [
        ("accepted", None),
        ("rejected", "malformed"),
        ("duplicate", "already_checked_in"),  # a second claim for the same event
        ("accepted", None),  # the same claim id again: the first answer
    ]
    assert results[0]["event"] == {"id": event.id, "title": event.title}
    assert results[1]["message"]
    assert stored_claims(session) == 3
    assert session.scalar(select(func.count()).select_from(Attendance)) == 1


def test_the_answer_is_in_japanese_by_default(member_client, make_event):
    result = post(member_client, {"claims": [new_claim("nonsense")]}).get_json()["results"][0]
    assert result["reason"] == "malformed"
    assert "チェックイン" in result["message"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ([], "claims"),
        ({"claims": "x"}, "claims"),
        ({"claims": []}, "no claims"),
        ({"claims": [42]}, "Claim 1"),
        (
            {"claims": [{"id": "not-a-uuid", "code": "x", "scanned_at": "2026-11-30T10:00:00Z"}]},
            "UUID",
        ),
        (
            {
                "claims": [
                    {"id": str(uuid.uuid4()), "code": "", "scanned_at": "2026-11-30T10:00:00Z"}
                ]
            },
            "code",
        ),
        (
            {"claims": [{"id": str(uuid.uuid4()), "code": "x", "scanned_at": "yesterday"}]},
            "ISO 8601",
        ),
        (
            {
                "claims": [
                    {"id": str(uuid.uuid4()), "code": "x", "scanned_at": "2026-11-30T10:00:00"}
                ]
            },
            "time zone",
        ),
    ],
)
def test_malformed_batches_get_400_and_store_nothing(
    member_client, session, make_event, body, words
):
    good = new_claim(code_for(make_event()))
    if isinstance(body, dict) and isinstance(body.get("claims"), list) and body["claims"]:
        body = {"claims": [good, *body["claims"]]}  # a good claim first: it must not be kept
        words = words.replace("Claim 1", "Claim 2")
    switch = {"lang": "en", "csrf_token": csrf_token(member_client, "/wallet")}
    member_client.post("/lang", data=switch)
    response = post(member_client, body)
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["error"] == "malformed_batch"
    assert words in answer["message"]
    assert stored_claims(session) == 0


def test_an_oversized_batch_gets_400_and_stores_nothing(member_client, session, make_event, app):
    event = make_event()
    limit = app.config["CHECKIN_BATCH_LIMIT"]
    response = post(
        member_client, {"claims": [new_claim(code_for(event)) for _ in range(limit + 1)]}
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "batch_too_large"
    assert str(limit) in response.get_json()["message"]
    assert stored_claims(session) == 0


def test_a_body_that_is_not_json_gets_400(member_client):
    response = member_client.post(
        "/api/v1/checkins",
        data="claims!",
        headers={"X-CSRFToken": csrf_token(member_client, "/wallet")},
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "malformed_batch"


def test_a_failure_mid_batch_leaves_nothing_half_written(
    member_client, session, make_user, make_event, monkeypatch
):
    event = make_event()

    def credit_then_fail(session_, rewards, now):
        real_credit(session_, rewards, now)  # the claims, attendances and credits are written
        raise RuntimeError("disk full")

    real_credit = checkin_services.credit_rewards
    monkeypatch.setattr(checkin_services, "credit_rewards", credit_then_fail)
    other_event = make_event(title="二つ目")
    with pytest.raises(RuntimeError):
        post(
            member_client,
            {"claims": [new_claim(code_for(event)), new_claim(code_for(other_event))]},
        )
    session.rollback()
    assert stored_claims(session) == 0
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_the_api_needs_the_csrf_token(member_client, session, make_event):
    response = post(member_client, {"claims": [new_claim(code_for(make_event()))]}, with_csrf=False)
    assert response.status_code == 400
    assert response.get_json()["error"] == "csrf"
    assert stored_claims(session) == 0


def test_the_api_needs_a_login(client, make_event):
    token = csrf_token(client)
    response = client.post(
        "/api/v1/checkins",
        json={"claims": [new_claim(code_for(make_event()))]},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 401
    assert response.get_json()["error"] == "login_required"


def test_the_openapi_document_lists_every_reason_and_the_batch_limit(client, app):
    from webapp.checkin.services import REASONS

    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]

    def schema(of: dict) -> dict:
        return schemas[of["$ref"].rsplit("/", 1)[-1]]

    post_op = document["paths"]["/api/v1/checkins"]["post"]
    body = schema(post_op["requestBody"]["content"]["application/json"]["schema"])
    assert body["properties"]["claims"]["maxItems"] == app.config["CHECKIN_BATCH_LIMIT"]
    results = schema(post_op["responses"]["200"]["content"]["application/json"]["schema"])
    result = schema(results["properties"]["results"]["items"])
    assert set(result["properties"]["reason"]["enum"]) == set(REASONS) | {None}
    session_op = document["paths"]["/api/v1/session"]["get"]
    state = schema(session_op["responses"]["200"]["content"]["application/json"]["schema"])
    assert state["properties"]["batch_limit"]["const"] == app.config["CHECKIN_BATCH_LIMIT"]


def test_the_session_says_how_many_claims_one_post_may_carry(client, member_client, app):
    # The phone sends its whole outbox in posts of this many; logged out it learns it too.
    for phone in (client, member_client):
        state = phone.get("/api/v1/session").get_json()
        assert state["batch_limit"] == app.config["CHECKIN_BATCH_LIMIT"]


def test_the_session_endpoint_gives_a_token_the_api_accepts(member_client, make_event):
    session_state = member_client.get("/api/v1/session").get_json()
    assert session_state["logged_in"] is True
    response = member_client.post(
        "/api/v1/checkins",
        json={"claims": [new_claim(code_for(make_event()))]},
        headers={"X-CSRFToken": session_state["csrf_token"]},
    )
    assert response.get_json()["results"][0]["status"] == "accepted"


def test_current_events_name_the_codes_a_phone_may_scan(member_client, make_event):
    from datetime import timedelta

    soon, long_ago = (
        make_event(title="来週の会"),
        make_event(
            title="昔の会",
            starts_at=utcnow() - timedelta(days=40),
            ends_at=utcnow() - timedelta(days=39),
        ),
    )
    titles = {e["title"] for e in member_client.get("/api/v1/events").get_json()["events"]}
    assert soon.title in titles and long_ago.title not in titles


def test_the_phones_offline_flag_is_kept_and_answered(member_client, session, make_event):
    claim = {**new_claim(code_for(make_event())), "offline": True}
    result = post(member_client, {"claims": [claim]}).get_json()["results"][0]
    assert (result["status"], result["offline"]) == ("accepted", True)
    assert session.get(Claim, claim["id"]).offline is True


def test_an_offline_flag_that_is_not_a_boolean_is_refused(member_client, session, make_event):
    claim = {**new_claim(code_for(make_event())), "offline": "yes"}
    assert post(member_client, {"claims": [claim]}).status_code == 400
    assert stored_claims(session) == 0


@pytest.mark.parametrize("scanned_at", ["0001-01-01T00:00+14:00", "9999-12-31T23:59-14:00"])
def test_a_scan_time_out_of_range_gets_400_and_stores_nothing(member_client, session, scanned_at):
    claim = {"id": str(uuid.uuid4()), "code": "x", "scanned_at": scanned_at}
    response = post(member_client, {"claims": [claim]})
    assert response.status_code == 400
    assert response.get_json()["error"] == "malformed_batch"
    assert stored_claims(session) == 0


def test_an_accepted_claim_says_what_it_brings_also_when_sent_again(
    member_client, session, make_event, make_user
):
    from webapp.accounts.models import Role

    paid, held, bare = make_event(reward=10), make_event(reward=500), make_event(reward=0)
    claims = [new_claim(code_for(event)) for event in (paid, held, bare)]
    first = post(member_client, {"claims": claims}).get_json()["results"]
    assert [r["award"]["state"] for r in first] == ["paid", "held", "badge_only"]
    assert [r["award"]["coins"] for r in first] == [10, 500, 0]
    assert first[0]["award"]["message"] == "バッジと10 えんコインが、ウォレットに届きます。"

    # The reward held for approval is approved meanwhile: a retry tells the award as it is now.
    admin = member_client.application.test_client()
    log_in(admin, make_user(Role.ADMIN).email)
    token = csrf_token(admin, "/admin/rewards")
    admin.post(f"/admin/rewards/{held.id}/approve", data={"csrf_token": token})
    again = post(member_client, {"claims": claims}).get_json()["results"]
    assert [r["award"]["state"] for r in again] == ["paid", "paid", "badge_only"]
    assert stored_claims(session) == 3


def test_a_duplicate_or_a_refusal_brings_no_award(member_client, make_event):
    event = make_event()
    post(member_client, {"claims": [new_claim(code_for(event))]})
    results = post(
        member_client, {"claims": [new_claim(code_for(event)), new_claim("nonsense")]}
    ).get_json()["results"]
    assert [r["status"] for r in results] == ["duplicate", "rejected"]
    assert ["award" in r for r in results] == [False, False]
