import pytest

from webapp.core.errors import DomainError
from webapp.perks.services import create_perk, list_active_perks


def test_perks_are_listed_cheapest_first(session):
    create_perk(session, title_ja="高い", title_en="Dear", partner_name="店", price=50)
    create_perk(session, title_ja="安い", title_en="Cheap", partner_name="店", price=5)
    assert [p.title("ja") for p in list_active_perks(session)] == ["安い", "高い"]
    assert [p.title("en") for p in list_active_perks(session)] == ["Cheap", "Dear"]


@pytest.mark.parametrize(
    ("price", "title", "code"), [(0, "t", "bad_price"), (5, " ", "title_required")]
)
def test_a_perk_needs_a_price_and_a_title(session, price, title, code):
    with pytest.raises(DomainError) as error:
        create_perk(session, title_ja=title, title_en="", partner_name="店", price=price)
    assert error.value.code == code
    assert list_active_perks(session) == []
