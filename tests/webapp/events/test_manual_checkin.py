"""Checking in people without a phone: the organiser scans their member card or finds them by
name; the check-in records who made it."""

import pytest

from webapp.checkin.services import list_attendances
from webapp.membership.cards import card_code, card_key, read_card_code

from ...conftest import csrf_token, log_in


@pytest.fixture
def event(make_event):
    return make_event(title="公民館の大掃除")


def post(client, event, **data):
    data["csrf_token"] = csrf_token(client, f"/events/{event.id}/checkin")
    response = client.post(f"/events/{event.id}/checkin", data=data, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def card_of(app, user) -> str:
    return card_code(user.id, card_key(app.secret_key))


def test_a_member_card_reads_back_only_when_genuine(app, member):
    code = card_of(app, member)
    key = card_key(app.secret_key)
    assert read_card_code(code, key) == member.id
    assert read_card_code(code[:-2] + ("AA" if code[-2:] != "AA" else "BB"), key) is None
    assert read_card_code(code, card_key("another secret")) is None
    assert read_card_code("https://example.org/c/abc", key) is None


def test_scanning_a_member_card_checks_the_member_in_and_records_who_did(
    app, organiser_client, session, organiser, member, event
):
    page = post(organiser_client, event, card=card_of(app, member))
    assert f"{member.display_name} さんをチェックインしました。" in page
    [attendance] = list_attendances(session, event)
    assert attendance.user_id == member.id
    assert (attendance.claim.via, attendance.claim.recorded_by_id) == ("card", organiser.id)
    listed = organiser_client.get(f"/events/{event.id}/activity").get_data(as_text=True)
    assert f"主催者が会員カードを読み取り ({organiser.display_name})" in listed

    again = post(organiser_client, event, card=card_of(app, member))
    assert "すでにチェックインしています" in again
    assert len(list_attendances(session, event)) == 1


def test_a_forged_card_checks_nobody_in(organiser_client, session, member, event):
    forged = card_code(member.id, card_key("not the server's key"))
    assert "これは縁の会員カードではありません。" in post(organiser_client, event, card=forged)
    assert list_attendances(session, event) == []


def test_finding_a_member_by_name_and_checking_them_in(organiser_client, session, make_user, event):
    hanako = make_user()
    hanako.display_name = "塩尻 花子"
    outsider = make_user(member=False)
    outsider.display_name = "塩尻 花男"
    session.commit()

    found = organiser_client.get(f"/events/{event.id}/checkin?q=花").get_data(as_text=True)
    assert "塩尻 花子" in found and "塩尻 花男" not in found  # members only
    assert f'name="user_id" value="{hanako.id}"' in found
    page = post(organiser_client, event, user_id=hanako.id, q="花")
    assert "塩尻 花子 さんをチェックインしました。" in page
    [attendance] = list_attendances(session, event)
    assert attendance.claim.via == "search"
    assert f'name="user_id" value="{hanako.id}"' not in page  # listed as checked in now


def test_someone_who_is_not_a_member_is_not_checked_in(organiser_client, session, make_user, event):
    outsider = make_user(member=False)
    page = post(organiser_client, event, user_id=outsider.id)
    assert f"{outsider.display_name} さんはまだ会員ではありません。" in page
    assert list_attendances(session, event) == []


def test_a_member_sees_and_can_print_their_own_card(client, member):
    log_in(client, member.email)
    page = client.get("/wallet/card").get_data(as_text=True)
    assert member.display_name in page
    assert f'aria-label="{member.display_name} さんの会員カード"' in page
