"""The wallet as a member reads it: one balance in coins, badges as their artwork, the card drawn
as a card, and hashes, contracts and addresses only on a record's proof page."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.checkin.models import Attendance
from webapp.core.db import utcnow
from webapp.membership.models import Membership
from webapp.onchain.models import JobKind
from webapp.perks.models import Redemption
from webapp.perks.redemptions import start_redemption, ticket_key, use_ticket
from webapp.perks.services import add_staff, create_partner, create_perk

from ...conftest import log_in
from ..test_worker import attend, jobs, work

# A transaction hash (64 hex digits) or an address (40): what member pages never show.
HEX = re.compile(r"0x[0-9a-fA-F]{40}")


@pytest.fixture
def phone(app, member):
    client = app.test_client()
    log_in(client, member.email)
    return client


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def section(html: str, title_id: str) -> str:
    return html.split(f'id="{title_id}"', 1)[1].split("</section>", 1)[0]


def attendance(session, member, event) -> Attendance:
    return session.scalar(
        select(Attendance).where(Attendance.user_id == member.id, Attendance.event_id == event.id)
    )


def test_the_figure_is_what_can_be_spent_now_and_the_lines_under_it_agree(
    phone, session, chain, member, make_event
):
    attend(session, member, make_event(reward=10))
    balance = section(page(phone, "/wallet"), "balance-title")
    assert '<span data-testid="balance">10</span> <span class="unit">えんコイン</span>' in balance
    assert "+10 反映中" in balance  # beside the figure: part of it, still being recorded
    assert "もらった 10 えんコインを記録しています。上の数に入っていて、もう使えます。" in balance

    work(session, chain)
    shop = create_partner(session, name_ja="大門カフェ")
    ticket = start_redemption(
        session, member, create_perk(session, shop, title_ja="コーヒー1杯", price=10), utcnow(),
        timedelta(minutes=15),
    )  # fmt: skip
    session.commit()
    balance = section(page(phone, "/wallet"), "balance-title")
    # With a ticket open the figure says 0, and the line says where the 10 went: set aside.
    assert '<span data-testid="balance">0</span>' in balance
    assert "10 えんコインをチケットのために取ってあります（上の数には入っていません）。" in balance
    assert f'href="/perks/tickets/{ticket.id}"' in balance
    for jargon in ("反映中", "トークン", "ブロックチェーン"):
        assert jargon not in balance


def test_badges_are_their_own_artwork_each_opening_its_page(
    phone, session, chain, member, make_event
):
    first = make_event(title="ぶどう畑の草刈り", venue="塩尻市洗馬", reward=5)
    second = make_event(title="公民館の大掃除", venue="大門公民館", reward=0)
    attend(session, member, first)
    attend(session, member, second)
    badges = section(page(phone, "/wallet"), "badges-title")
    tiles = re.findall(r'<li class="badge-tile"><a class="badge-tile-link" href="([^"]+)"', badges)
    assert sorted(tiles) == [f"/wallet/badges/{first.id}", f"/wallet/badges/{second.id}"]
    assert f'src="/badges/{first.id}.png?w=300"' in badges  # the metadata's own image
    assert f"/badges/{first.id}.png 600w" in badges
    assert badges.count("反映中") == 2

    detail = page(phone, f"/wallet/badges/{first.id}")
    assert '<h1 id="badge-title">ぶどう畑の草刈り</h1>' in detail
    assert f'src="/badges/{first.id}.png"' in detail and "塩尻市洗馬" in detail
    assert "+5 えんコイン" in detail
    assert "バッジを記録しています。" in detail and "記録の証明を見る" not in detail
    assert "もらったコイン" not in page(phone, f"/wallet/badges/{second.id}")  # none paid

    work(session, chain)
    detail = page(phone, f"/wallet/badges/{first.id}")
    assert "バッジは記録済みです。" in detail
    job = attendance(session, member, first).chain_job
    assert f'href="/wallet/proofs/{job.id}"' in detail
    assert not HEX.search(detail)
    assert "反映中" not in section(page(phone, "/wallet"), "badges-title")


def test_a_proof_page_alone_shows_the_transaction_contracts_and_address(
    app, phone, session, chain, member, make_event
):
    event = make_event(title="塩尻ワイン講座", reward=15)
    attend(session, member, event)
    job = attendance(session, member, event).chain_job
    waiting = page(phone, f"/wallet/proofs/{job.id}")
    assert "まだ記録しているところです。" in waiting and not HEX.search(waiting)

    work(session, chain)
    job = attendance(session, member, event).chain_job
    wallet = page(phone, "/wallet")
    assert not HEX.search(wallet)
    assert f'href="/wallet/proofs/{job.id}"' in section(wallet, "history-title")
    proof = page(phone, f"/wallet/proofs/{job.id}")
    assert "「塩尻ワイン講座」の参加バッジと 15 えんコイン" in proof
    assert f'<code data-testid="tx-hash">{job.tx_hash}</code>' in proof
    assert f"<dd>{job.block_number}</dd>" in proof
    for address in (chain.addresses.badge, chain.addresses.token, member.address):
        assert f"<code>{address}</code>" in proof
    assert chain.addresses.card not in proof
    assert "エクスプローラー" not in proof  # none configured

    app.config["EXPLORER_TX_URL"] = "https://explorer.example/tx/{hash}"
    proof = page(phone, f"/wallet/proofs/{job.id}")
    assert f'href="https://explorer.example/tx/{job.tx_hash}"' in proof
    assert "explorer.example" not in page(phone, "/wallet")


def test_a_use_at_a_shop_and_the_card_have_their_proofs(
    app, phone, session, chain, member, make_user, make_event
):
    attend(session, member, make_event(reward=40))
    work(session, chain)  # the coins are on chain: a use burns them there
    shop = create_partner(session, name_ja="塩尻ワイナリー")
    staff = make_user(member=False)
    add_staff(session, shop, staff.email)
    wine = create_perk(session, shop, title_ja="グラスワイン1杯", price=30)
    ticket = start_redemption(session, member, wine, utcnow(), timedelta(minutes=15))
    use_ticket(session, staff, shop, ticket.short_code, ticket_key(app.secret_key), utcnow())
    session.commit()
    work(session, chain)

    history = section(page(phone, "/wallet"), "history-title")
    assert '<span class="history-figure">-30</span>' in history and "塩尻ワイナリー" in history
    burn = session.get(Redemption, ticket.id).chain_job
    proof = page(phone, f"/wallet/proofs/{burn.id}")
    assert "塩尻ワイナリーで使った 30 えんコイン（グラスワイン1杯）" in proof
    assert f"<code>{chain.addresses.token}</code>" in proof
    assert f'data-testid="tx-hash">{burn.tx_hash}<' in proof

    card = jobs(session, kind=JobKind.ISSUE_CARD, user_id=member.id)[0]
    assert f'href="/wallet/proofs/{card.id}"' in section(page(phone, "/wallet"), "card-title")
    proof = page(phone, f"/wallet/proofs/{card.id}")
    assert "あなたの会員証" in proof and f"<code>{chain.addresses.card}</code>" in proof


def test_another_members_badge_and_records_are_not_found(
    app, phone, session, chain, member, make_user, make_event
):
    event = make_event()
    attend(session, member, event)
    work(session, chain)
    job = attendance(session, member, event).chain_job
    other = app.test_client()
    log_in(other, make_user().email)
    assert other.get(f"/wallet/badges/{event.id}").status_code == 404
    assert other.get(f"/wallet/proofs/{job.id}").status_code == 404
    assert phone.get(f"/wallet/badges/{make_event().id}").status_code == 404  # not attended
    assert phone.get("/wallet/proofs/999999").status_code == 404


def test_the_membership_card_is_drawn_with_the_community_the_name_and_its_state(
    phone, session, chain, member
):
    wallet = page(phone, "/wallet")
    assert '<p class="member-pass-community">塩尻DAO</p>' in wallet  # COMMUNITY_NAME
    card = section(wallet, "card-title")
    assert f'<p class="member-pass-name">{member.display_name}</p>' in card
    assert "から会員" in card and ">有効<" in card and "記録待ち" in card
    assert 'href="/wallet/card"' in card

    work(session, chain)
    card = section(page(phone, "/wallet"), "card-title")
    assert ">有効<" in card and "記録待ち" not in card

    session.scalar(select(Membership).where(Membership.user_id == member.id)).revoked_at = utcnow()
    session.commit()
    card = section(page(phone, "/wallet"), "card-title")
    assert ">無効<" in card and 'href="/wallet/card"' not in card
    # Its printable page has no code to print: it would be refused at every event.
    printable = page(phone, "/wallet/card")
    assert '会員カード"' not in printable
    assert "会員証は取り消されたため、印刷できるカードはありません。" in printable


@pytest.mark.parametrize(
    ("card", "sentence"),
    [
        (None, "会員証はまだ発行されていないため、印刷できるカードはありません。"),
        ("lapsed", "会員証の有効期限が切れたため、印刷できるカードはありません。"),
    ],
)
def test_the_printable_card_page_says_why_there_is_no_card(app, session, make_user, card, sentence):
    person = make_user(member=card is not None)  # e.g. shop staff, who never had a card
    if card == "lapsed":
        membership = session.scalar(select(Membership).where(Membership.user_id == person.id))
        membership.term_ends_at = utcnow() - timedelta(days=1)
        session.commit()
    client = app.test_client()
    log_in(client, person.email)
    printable = page(client, "/wallet/card")
    assert sentence in printable and "取り消" not in printable
    assert 'href="/wallet"' in printable


def test_each_empty_section_offers_one_next_step(app, make_user):
    newcomer = make_user(member=False)  # no card, no coins, no badge, no history
    client = app.test_client()
    log_in(client, newcomer.email)
    wallet = page(client, "/wallet")
    for sentence in (
        "いまのコインで使える特典はまだありません。",
        "会員証はまだありません。",
        "バッジはまだありません。",
        "まだありません。もらったコインと使ったコインがここにのります。",
        "まだありがとうをもらっていません。",
    ):
        assert wallet.count(sentence) == 1, sentence
    assert wallet.count('class="empty"') == 6  # the five above, and no invitations
    assert wallet.count('class="button button-primary" href=') == 1  # one way on: scan a code
    assert 'class="button button-primary" href="/scan"' in wallet
