"""Perks through the pages: a member redeems, the shop confirms once, an administrator sets
partners and perks up; and the burn lands on chain exactly once."""

import io
import re
import threading
from datetime import timedelta

import pytest
from PIL import Image

from webapp.accounts.models import Role
from webapp.config import load_config
from webapp.core.db import utcnow
from webapp.onchain.models import JobKind, JobStatus
from webapp.perks.models import Perk, Redemption
from webapp.perks.redemptions import start_redemption, ticket_code, ticket_key, use_ticket
from webapp.perks.services import create_partner
from webapp.reports.reconcile import reconcile

from ...conftest import csrf_token, log_in
from ..test_worker import attend, jobs, make_due, work


@pytest.fixture
def member_client(app, member):
    client = app.test_client()
    log_in(client, member.email)
    return client


@pytest.fixture
def staff_client(app, staff):
    client = app.test_client()
    log_in(client, staff.email)
    return client


KEY = ticket_key("test-secret")
LIFETIME = timedelta(minutes=15)


def in_english(client) -> None:
    client.post("/lang", data={"lang": "en", "csrf_token": csrf_token(client, "/wallet")})


def perk_items(page: str) -> list[str]:
    return re.findall(r'data-testid="perk">(.*?)</li>', page, re.S)


def balance_section(client) -> str:
    page = client.get("/wallet").get_data(as_text=True)
    return page.split('id="balance-title"', 1)[1].split("</section>", 1)[0]


def redeem(member_client, perk) -> int:
    page = member_client.get(f"/perks/{perk.id}").get_data(as_text=True)
    assert "30 えんコインを使います。" in page
    token = csrf_token(member_client, f"/perks/{perk.id}")
    answer = member_client.post(f"/perks/{perk.id}/use", data={"csrf_token": token})
    assert answer.status_code == 302
    return int(answer.headers["Location"].rsplit("/", 1)[1])


def find(staff_client, shop, code: str) -> str:
    token = csrf_token(staff_client, f"/partner/{shop.id}")
    answer = staff_client.post(f"/partner/{shop.id}/find", data={"csrf_token": token, "code": code})
    if answer.status_code == 303:
        return staff_client.get(answer.headers["Location"]).get_data(as_text=True)
    return answer.get_data(as_text=True)


def test_a_member_redeems_and_the_shop_confirms_it_once(
    member_client, staff_client, session, member, shop, make_perk, give
):
    give(member, 45)
    perk = make_perk(price=30)
    confirm = member_client.get(f"/perks/{perk.id}").get_data(as_text=True)
    assert "いま 45 えんコインあります。使うと残りは 15 えんコインです。" in confirm
    ticket_id = redeem(member_client, perk)
    ticket = member_client.get(f"/perks/tickets/{ticket_id}").get_data(as_text=True)
    code = re.search(r'data-testid="short-code"[^>]*>(\d{3}) (\d{3})<', ticket)
    assert code and "<svg" in ticket
    wallet = member_client.get("/wallet").get_data(as_text=True)
    assert '<span data-testid="balance">15</span>' in wallet

    found = find(staff_client, shop, code.group(1) + code.group(2))
    assert member.display_name in found and "グラスワイン1杯" in found
    assert 'name="code" value="' in found  # the confirmation carries the code, not an id
    token = csrf_token(staff_client, f"/partner/{shop.id}")
    used = staff_client.post(
        f"/partner/{shop.id}/use",
        data={"csrf_token": token, "code": code.group(1) + code.group(2)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"使用済みにしました: {member.display_name} さんの グラスワイン1杯" in used
    assert 'data-testid="used-today"' in used
    state = member_client.get(f"/perks/tickets/{ticket_id}/state").get_json()
    assert state == {"state": "used"}

    again = find(staff_client, shop, code.group(1) + code.group(2))
    assert "使用済みです" in again and "塩尻ワイナリー" in again


def test_a_member_cancels_and_gets_the_tokens_back(member_client, session, member, make_perk, give):
    give(member, 30)
    ticket_id = redeem(member_client, make_perk(price=30))
    token = csrf_token(member_client, f"/perks/tickets/{ticket_id}")
    member_client.post(f"/perks/tickets/{ticket_id}/cancel", data={"csrf_token": token})
    wallet = member_client.get("/wallet").get_data(as_text=True)
    assert '<span data-testid="balance">30</span>' in wallet
    assert member_client.get(f"/perks/tickets/{ticket_id}/state").get_json()["state"] == "cancelled"


def test_one_members_ticket_is_nobody_elses(member_client, app, make_user, member, make_perk, give):
    give(member, 30)
    ticket_id = redeem(member_client, make_perk(price=30))
    other = app.test_client()
    log_in(other, make_user().email)
    assert other.get(f"/perks/tickets/{ticket_id}").status_code == 404


def test_staff_see_only_their_own_shop(
    staff_client, app, session, shop, member, make_user, make_perk
):
    other_shop = create_partner(session, name_ja="大門カフェ")
    session.commit()
    make_perk(title_ja="グラスワイン1杯")
    make_perk(other_shop, title_ja="コーヒー1杯", price=10)
    page = staff_client.get(f"/partner/{shop.id}").get_data(as_text=True)
    assert "グラスワイン1杯" in page and "コーヒー1杯" not in page
    assert staff_client.get(f"/partner/{other_shop.id}").status_code == 403
    outsider = app.test_client()
    log_in(outsider, member.email)
    assert outsider.get("/partner").status_code == 403


def test_wrong_codes_are_limited_per_staff_account(staff_client, shop):
    for _ in range(5):
        assert "このコードのチケットはありません。" in find(staff_client, shop, "000000")
    assert "まちがったコードが多すぎます" in find(staff_client, shop, "000000")


def test_the_wallet_lists_balance_perks_card_badges_and_history_in_that_order(
    member_client, session, member, make_perk, make_event, give
):
    give(member, 50)
    make_perk(title_ja="手の届く特典", price=30)
    make_perk(title_ja="高すぎる特典", price=500)
    attend(session, member, make_event(title="ぶどう収穫祭", reward=10))
    page = member_client.get("/wallet").get_data(as_text=True)
    order = [page.index(marker) for marker in (
        'data-testid="balance"', 'id="perks-title"', 'id="card-title"', 'id="badges-title"',
        'id="history-title"',
    )]  # fmt: skip
    assert order == sorted(order)
    assert "手の届く特典" in page and "高すぎる特典" not in page  # only what can be used now
    assert '<span class="history-figure">+10</span>' in page  # the history


def test_a_perk_used_as_often_as_allowed_is_not_offered_as_usable_now(
    member_client, session, member, make_user, staff, shop, make_perk, give
):
    give(member, 100)
    once = make_perk(title_ja="一回だけの特典", price=30, limit_per_member=1)
    make_perk(title_ja="何度でも使える特典", price=40)
    last = make_perk(title_ja="残り1つの特典", price=10, stock=1)
    someone = make_user()
    give(someone, 10)
    start_redemption(session, someone, last, utcnow(), LIFETIME)
    ticket = session.get(Redemption, redeem(member_client, once))
    use_ticket(session, staff, shop, ticket.short_code, KEY, utcnow())
    session.commit()

    wallet = perk_items(member_client.get("/wallet").get_data(as_text=True))
    assert len(wallet) == 1 and "何度でも使える特典" in wallet[0]
    listed = perk_items(member_client.get("/perks").get_data(as_text=True))
    assert ["何度でも使える特典" in listed[0], "一回だけの特典" in listed[1]] == [True, True]
    assert len(listed) == 2  # the sold-out one is not listed
    assert "使える回数まで使いました" in listed[1] and "disabled" in listed[1]
    assert f"/perks/{once.id}" not in listed[1]  # no "Use" button


def use_at_once(clients, perk) -> list[str]:
    """Each client (a phone) taps "use" for the perk at the same moment; what each then shows:
    its ticket, or the perk's page saying why not."""
    url = f"/perks/{perk.id}"  # read here: the test's session is not the threads' to use
    tokens = [csrf_token(client, url) for client in clients]
    start = threading.Barrier(len(clients))
    answers: list = [None] * len(clients)

    def tap(n):
        start.wait()
        answers[n] = clients[n].post(f"{url}/use", data={"csrf_token": tokens[n]})

    threads = [threading.Thread(target=tap, args=(n,)) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return [
        client.get(answer.headers["Location"]).get_data(as_text=True)
        for client, answer in zip(clients, answers, strict=True)
    ]


def tickets_and_refusals(pages: list[str], why: str) -> tuple[int, int]:
    tickets = sum('data-testid="short-code"' in page for page in pages)
    return tickets, sum(why in page for page in pages)


def test_phones_tapping_use_at_once_never_overspend_or_oversell(
    app, session, member, make_user, make_perk, give
):
    give(member, 30)
    perk = make_perk(price=30)
    phones = [app.test_client() for _ in range(2)]
    for phone in phones:
        log_in(phone, member.email)
    pages = use_at_once(phones, perk)
    assert tickets_and_refusals(pages, "この特典に使えるコインが足りません。") == (1, 1)
    wallet = balance_section(phones[0])
    assert '<span data-testid="balance">0</span>' in wallet
    assert "30 えんコインをチケットのために取ってあります" in wallet

    # Three members after the last one in stock, at the same moment: one gets it.
    last = make_perk(title_ja="残り1つの特典", price=10, stock=1)
    crowd = []
    for _ in range(3):
        person = make_user()
        give(person, 10)
        phone = app.test_client()
        log_in(phone, person.email)
        crowd.append(phone)
    pages = use_at_once(crowd, last)
    assert tickets_and_refusals(pages, "この特典は品切れです。") == (1, 2)


def test_a_perk_whose_ticket_is_open_leads_back_to_the_ticket(
    member_client, session, member, make_perk, give
):
    give(member, 100)
    once = make_perk(title_ja="一回だけの特典", price=30, limit_per_member=1)
    ticket_id = redeem(member_client, once)
    [item] = perk_items(member_client.get("/perks").get_data(as_text=True))
    assert f'href="/perks/tickets/{ticket_id}"' in item and "チケットを表示する" in item
    assert "使える回数まで使いました" not in item  # it is not used yet: it can be cancelled


def test_the_ticket_lifetime_is_a_setting_and_the_pages_say_it(
    app, member_client, session, member, make_perk, give, monkeypatch
):
    monkeypatch.setenv("ENISHI_TICKET_MINUTES", "20")
    assert load_config()["TICKET_MINUTES"] == 20
    monkeypatch.setenv("ENISHI_TICKET_MINUTES", "0")  # tickets dead on arrival: refused
    with pytest.raises(ValueError, match="ENISHI_TICKET_MINUTES must be at least 1"):
        load_config()
    monkeypatch.delenv("ENISHI_TICKET_MINUTES")
    assert load_config()["TICKET_MINUTES"] == 15

    app.config["TICKET_MINUTES"] = 30
    give(member, 30)
    perk = make_perk(price=30)
    confirm = member_client.get(f"/perks/{perk.id}").get_data(as_text=True)
    assert "有効なのは30分です。" in confirm and "15分" not in confirm
    ticket_id = redeem(member_client, perk)
    page = member_client.get(f"/perks/tickets/{ticket_id}").get_data(as_text=True)
    assert "(30分間)" in page
    ticket = session.get(Redemption, ticket_id)
    assert ticket.expires_at - ticket.created_at == timedelta(minutes=30)


def test_shop_names_follow_the_visitors_language(
    app, staff_client, session, member, staff, shop, make_user, make_perk, give
):
    shop.name_en = "Shiojiri Winery"
    other_shop = create_partner(session, name_ja="大門カフェ", name_en="Daimon Cafe")
    session.commit()
    give(member, 40)
    elsewhere = start_redemption(
        session, member, make_perk(other_shop, price=10), utcnow(), LIFETIME
    )
    here = start_redemption(session, member, make_perk(price=30), utcnow(), LIFETIME)
    use_ticket(session, staff, shop, here.short_code, KEY, utcnow())
    session.commit()

    in_english(staff_client)
    assert "This ticket is for Daimon Cafe." in find(
        staff_client, shop, ticket_code(elsewhere, KEY)
    )
    token = csrf_token(staff_client, f"/partner/{shop.id}")
    again = staff_client.post(
        f"/partner/{shop.id}/use",
        data={"csrf_token": token, "code": ticket_code(here, KEY)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "This ticket was already used on" in again and "at Shiojiri Winery." in again

    admin = app.test_client()
    log_in(admin, make_user(Role.ADMIN).email)
    in_english(admin)
    page = admin.get("/admin/perks").get_data(as_text=True)
    rows = re.findall(r'data-testid="admin-(?:perk|redemption)">\s*<td>([^<]*)</td>', page)
    assert rows.count("A glass of wine (Shiojiri Winery)") == 2  # a perk, and its ticket
    assert f'<option value="{other_shop.id}">Daimon Cafe</option>' in page


def test_the_wallet_says_in_plain_words_what_a_ticket_holds_and_what_is_being_burned(
    member_client, session, chain, member, staff, shop, make_perk, make_event
):
    attend(session, member, make_event(reward=100))
    work(session, chain)  # the card and the coins are on chain
    assert "記録" not in balance_section(member_client)

    ticket = session.get(Redemption, redeem(member_client, make_perk(price=30)))
    held = balance_section(member_client)
    assert '<span data-testid="balance">70</span>' in held  # what can be spent now
    assert "30 えんコインをチケットのために取ってあります（上の数には入っていません）。" in held
    assert "-30" not in held and "反映中" not in held

    use_ticket(session, staff, shop, ticket.short_code, KEY, utcnow())
    session.commit()
    burning = balance_section(member_client)
    assert '<span data-testid="balance">70</span>' in burning
    assert "お店で使った 30 えんコインを記録しています。" in burning
    assert "-30" not in burning and "取って" not in burning

    work(session, chain)
    done = balance_section(member_client)
    assert '<span data-testid="balance">70</span>' in done
    assert "記録" not in done and "取って" not in done


def test_an_administrator_sets_up_a_partner_staff_and_a_perk_with_a_photo(app, session, make_user):
    admin = app.test_client()
    log_in(admin, make_user(Role.ADMIN).email)
    clerk = make_user(member=False)

    def post(path, **data):
        data["csrf_token"] = csrf_token(admin, "/admin/perks")
        return admin.post(path, data=data, follow_redirects=True)

    post("/admin/perks/partners", name_ja="木曽平沢工房", name_en="Kiso lacquer", place="木曽平沢")
    page = admin.get("/admin/perks").get_data(as_text=True)
    partner_id = re.search(r"/admin/perks/partners/(\d+)/staff", page).group(1)
    post(f"/admin/perks/partners/{partner_id}/staff", email=clerk.email)
    picture = io.BytesIO()
    Image.new("RGB", (1600, 900), "#b33").save(picture, "PNG")
    post(
        "/admin/perks",
        partner_id=partner_id,
        title_ja="漆器ワークショップ",
        price="50",
        stock="8",
        limit_per_member="1",
        photo=(io.BytesIO(picture.getvalue()), "photo.png"),
    )
    perk = session.query(Perk).filter_by(title_ja="漆器ワークショップ").one()
    assert (perk.stock, perk.limit_per_member, perk.partner.staff[0].id) == (8, 1, clerk.id)
    photo = Image.open(io.BytesIO(admin.get(f"/perks/{perk.id}/photo.jpg").get_data()))
    assert photo.format == "JPEG" and max(photo.size) == 800

    post(f"/admin/perks/{perk.id}/pause")
    session.expire_all()
    assert perk.active is False

    post(f"/admin/perks/partners/{partner_id}/staff/{clerk.id}/remove")
    session.expire_all()
    assert perk.partner.staff == []


@pytest.mark.parametrize("chain_kind", ["embedded", "anvil"], indirect=True)
def test_a_used_ticket_is_burned_on_chain_once(
    app, session, chain, member, staff, shop, make_perk, make_event, make_user
):
    attend(session, member, make_event(reward=40))
    ticket = start_redemption(session, member, make_perk(price=30), utcnow(), LIFETIME)
    use_ticket(session, staff, shop, ticket.short_code, KEY, utcnow())
    session.commit()
    admin = app.test_client()
    log_in(admin, make_user(Role.ADMIN).email)
    listed = admin.get("/admin/perks").get_data(as_text=True)
    assert "使用済み" in listed and "記録待ち" in listed  # used; its burn not on chain yet
    work(session, chain)  # the award first (a burn waits for it), then the burn
    work(session, chain)
    burn = jobs(session, kind=JobKind.REDEEM)[0]
    assert burn.status == JobStatus.CONFIRMED
    assert burn.tx_hash in admin.get("/admin/perks").get_data(as_text=True)
    assert chain.token_balance(member.address) == 10
    assert reconcile(session, chain) == []

    # A worker that lost the answer sends the burn again: the chain refuses to burn twice.
    burn.status, burn.tx_hash = JobStatus.PENDING, None
    session.commit()
    make_due(session, kind=JobKind.REDEEM)
    work(session, chain)
    assert jobs(session, kind=JobKind.REDEEM)[0].status == JobStatus.CONFIRMED
    assert chain.token_balance(member.address) == 10
