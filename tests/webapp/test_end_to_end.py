"""The whole path through the Flask client: event → claim → worker → wallet."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from webapp.checkin.models import Attendance
from webapp.core.db import utcnow

from ..conftest import log_in, submit_event_form
from .test_worker import work

# The worker and the whole path run on the embedded chain and on anvil, a real JSON-RPC node.
pytestmark = pytest.mark.parametrize("chain_kind", ["embedded", "anvil"], indirect=True)


def in_tokyo(moment) -> str:
    return moment.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%dT%H:%M")


def test_organiser_creates_event_member_checks_in_worker_mints_wallet_shows_it(
    app, session, chain, organiser, member
):
    organiser_browser, member_browser = app.test_client(), app.test_client()

    log_in(organiser_browser, organiser.email)
    response = submit_event_form(
        organiser_browser,
        title="塩尻ワイン講座",
        venue="えんぱーく",
        starts_at=in_tokyo(utcnow() - timedelta(hours=1)),
        ends_at=in_tokyo(utcnow() + timedelta(hours=3)),
        reward="15",
    )
    assert response.status_code == 302
    event_page = response.headers["Location"]
    display = organiser_browser.get(event_page + "/display").get_data(as_text=True)
    link = re.search(r"<code data-link>(http://localhost/c/[\w-]+)</code>", display).group(1)
    assert "<svg" in display

    log_in(member_browser, member.email)
    checked_in = member_browser.get(link.removeprefix("http://localhost"))
    assert checked_in.status_code == 200, checked_in.get_data(as_text=True)[-1500:]
    assert "チェックインしました" in checked_in.get_data(as_text=True)
    assert "塩尻ワイン講座" in checked_in.get_data(as_text=True)

    wallet = member_browser.get("/wallet").get_data(as_text=True)
    assert "塩尻ワイン講座" in wallet
    assert "+15 反映中" in wallet  # on its way until mined
    assert '<span data-testid="balance">15</span>' in wallet

    result = work(session, chain)
    assert result.sent_transactions == 2  # the member's card and the event's award

    wallet = member_browser.get("/wallet").get_data(as_text=True)
    assert "反映中" not in wallet
    assert not re.search(r"0x[0-9a-fA-F]{40}", wallet)  # no hash, no address
    assert '<span class="history-figure">+15</span>' in wallet  # the history: earned there
    # Card and badge (and its reward, in the history): two transactions, on their proof pages.
    proofs = set(re.findall(r'href="(/wallet/proofs/\d+)"', wallet))
    hashes = {
        re.search(r'data-testid="tx-hash">(0x[0-9a-f]{64})<', page).group(1)
        for page in (member_browser.get(proof).get_data(as_text=True) for proof in proofs)
    }
    assert len(proofs) == len(hashes) == 2
    attendance = session.scalar(select(Attendance).where(Attendance.user_id == member.id))
    assert chain.badge_balance(member.address, attendance.event_id) == 1
    assert chain.token_balance(member.address) == 15
    assert chain.receipt(attendance.chain_job.tx_hash)["status"] == 1
