"""The perks as a member sees them: cards with photo, price, shop and stock, and a use the
member cannot make shown as a disabled button that says what is missing, on the list and on
the confirmation alike (never a refusal after the tap)."""

import io
import re

import pytest
from PIL import Image

from ...conftest import log_in


@pytest.fixture
def member_client(app, member):
    client = app.test_client()
    log_in(client, member.email)
    return client


def picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 750), "#7b1e3a").save(out, "PNG")
    return out.getvalue()


def cards(page: str) -> dict[str, str]:
    """Each perk's card on /perks, by the perk's title."""
    found = re.findall(r'<li class="perk-card" data-testid="perk">(.*?)</li>', page, re.S)
    return {re.search(r"<h2[^>]*>(.*?)</h2>", card).group(1): card for card in found}


def test_each_perk_is_a_card_with_its_photo_price_shop_and_what_is_left(
    member_client, shop, make_perk, give, member
):
    give(member, 40)
    wine = make_perk(photo=picture(), photo_alt="赤ワインのグラス", stock=5)
    make_perk(title_ja="ぶどうジュース", price=10)
    card = cards(member_client.get("/perks").get_data(as_text=True))["グラスワイン1杯"]
    assert f'src="/perks/{wine.id}/photo.jpg" alt="赤ワインのグラス"' in card
    assert '<span class="chip perk-price" data-testid="perk-price">30 えんコイン</span>' in card
    assert '<span class="chip" data-testid="perk-left">残り 5</span>' in card
    assert "塩尻ワイナリー" in card and "塩尻市洗馬" in card
    assert f'href="/perks/{wine.id}"' in card  # it can be used
    plain = cards(member_client.get("/perks").get_data(as_text=True))["ぶどうジュース"]
    assert "<img" not in plain and "data-testid=\"perk-left\"" not in plain  # no photo, no limit
    assert member_client.get(f"/perks/{wine.id}/photo.jpg").mimetype == "image/jpeg"


def test_a_perk_out_of_reach_says_how_many_coins_are_missing_and_cannot_be_pressed(
    member_client, make_perk, give, member
):
    give(member, 40)
    workshop = make_perk(title_ja="漆器ワークショップ", price=60)
    page = member_client.get("/perks").get_data(as_text=True)
    assert "いま 40 えんコインあります。" in page
    card = cards(page)["漆器ワークショップ"]
    assert re.search(r"<button[^>]*disabled[^>]*>あと 20 えんコイン</button>", card)
    assert f'href="/perks/{workshop.id}"' not in card

    confirm = member_client.get(f"/perks/{workshop.id}").get_data(as_text=True)
    assert re.search(r"<button[^>]*disabled[^>]*>あと 20 えんコイン</button>", confirm)
    assert f"/perks/{workshop.id}/use" not in confirm and "はい、" not in confirm
    assert "トークン" not in page + confirm


def test_the_confirmation_offers_nothing_for_a_perk_used_up_or_sold_out(
    app, member_client, session, make_perk, make_user, give, member
):
    give(member, 100)
    once = make_perk(title_ja="一回だけ", price=10, limit_per_member=1)
    last = make_perk(title_ja="最後の一つ", price=10, stock=1)
    paused = make_perk(title_ja="休止中", price=10)
    paused.active = False
    session.commit()
    token = re.search(r'name="csrf_token" value="([^"]+)"', member_client.get(f"/perks/{once.id}")
                      .get_data(as_text=True)).group(1)  # fmt: skip
    member_client.post(f"/perks/{once.id}/use", data={"csrf_token": token})
    someone = make_user()
    give(someone, 10)
    other = app.test_client()
    log_in(other, someone.email)
    token = re.search(r'name="csrf_token" value="([^"]+)"', other.get(f"/perks/{last.id}")
                      .get_data(as_text=True)).group(1)  # fmt: skip
    other.post(f"/perks/{last.id}/use", data={"csrf_token": token})

    for perk, says in (
        (once, "チケットを表示する"),  # the member's ticket for it is open: it leads there
        (last, "この特典はいま使えません。"),
        (paused, "この特典はいま使えません。"),
    ):
        confirm = member_client.get(f"/perks/{perk.id}").get_data(as_text=True)
        assert says in confirm
        assert f"/perks/{perk.id}/use" not in confirm
