"""A ticket's page and its state URL send no Referer: nothing about the ticket leaves them."""

from ...conftest import csrf_token, log_in


def test_a_tickets_pages_send_no_referer(client, member, make_perk, give):
    log_in(client, member.email)
    give(member, 30)
    perk = make_perk(price=10)
    answer = client.post(
        f"/perks/{perk.id}/use", data={"csrf_token": csrf_token(client, f"/perks/{perk.id}")}
    )
    ticket_page = answer.headers["Location"]
    assert "/perks/tickets/" in ticket_page
    assert client.get(ticket_page).headers["Referrer-Policy"] == "no-referrer"
    assert client.get(f"{ticket_page}/state").headers["Referrer-Policy"] == "no-referrer"
