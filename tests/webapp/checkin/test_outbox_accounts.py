"""A phone's queued claims belong to the account that scanned them: the session tells the phone
who is logged in (an opaque id), and the server refuses to record a claim bound to another
account as this person's (on a shared phone the next person must not send the last one's)."""

from sqlalchemy import func, select

from webapp.checkin.models import Claim

from ...conftest import log_in
from .scans import code_for
from .test_api import new_claim, post


def account_of(client) -> str | None:
    return client.get("/api/v1/session").get_json()["account"]


def test_the_session_names_the_account_opaquely_and_the_same_on_every_phone(app, member, make_user):
    anonymous = app.test_client()
    assert account_of(anonymous) is None
    first, second = app.test_client(), app.test_client()
    log_in(first, member.email)
    log_in(second, member.email)
    account = account_of(first)
    assert account == account_of(second)
    assert str(member.id) != account and member.email not in account
    other = app.test_client()
    log_in(other, make_user().email)
    assert account_of(other) != account


def test_a_claim_bound_to_another_account_is_refused_and_nothing_is_stored(
    app, session, member, make_user, make_event
):
    event = make_event()
    previous = app.test_client()
    log_in(previous, make_user().email)
    theirs = account_of(previous)

    phone = app.test_client()
    log_in(phone, member.email)
    mine = {**new_claim(code_for(event)), "account": account_of(phone)}
    response = post(phone, {"claims": [mine, {**new_claim(code_for(event)), "account": theirs}]})
    assert response.status_code == 409
    assert response.get_json()["error"] == "other_account"
    assert session.scalar(select(func.count()).select_from(Claim)) == 0

    accepted = post(phone, {"claims": [mine]})
    assert [r["status"] for r in accepted.get_json()["results"]] == ["accepted"]


def test_a_claim_without_an_account_is_taken_as_before(app, member, make_event):
    phone = app.test_client()
    log_in(phone, member.email)
    response = post(phone, {"claims": [new_claim(code_for(make_event()))]})
    assert response.get_json()["results"][0]["status"] == "accepted"


def test_an_account_that_is_not_a_string_is_a_malformed_batch(app, member, make_event):
    phone = app.test_client()
    log_in(phone, member.email)
    response = post(phone, {"claims": [{**new_claim(code_for(make_event())), "account": 7}]})
    assert (response.status_code, response.get_json()["error"]) == (400, "malformed_batch")
