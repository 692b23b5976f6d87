"""The rules of a redemption: afford, stock, limit, validity, expiry, cancel, one use, the right
shop, no guessing, and all of it when two phones try at the same moment."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.core.db import utcnow
from webapp.core.errors import DomainError
from webapp.ledger.services import get_balance
from webapp.onchain.models import ChainJob, JobKind
from webapp.perks.models import Redemption, RedemptionStatus
from webapp.perks.redemptions import (
    MAX_FAILED_PER_SHOP,
    MAX_FAILED_PER_STAFF,
    TooManyAttempts,
    cancel_redemption,
    expire_redemptions,
    find_ticket,
    start_redemption,
    ticket_code,
    ticket_key,
    use_ticket,
)
from webapp.perks.services import add_staff, create_partner, list_offers
from webapp.tasks import run_forever

from ..threads import run_together

KEY = ticket_key("test-secret")
LIFETIME = timedelta(minutes=15)


def balance(session, user) -> int:
    session.expire_all()
    return get_balance(session, user).total


def refused(code: str, call, *args):
    with pytest.raises(DomainError) as error:
        call(*args)
    assert error.value.code == code
    return error.value


def test_a_ticket_holds_the_price_at_once_and_the_balance_never_goes_below_zero(
    session, member, make_perk, give
):
    give(member, 40)
    perk = make_perk(price=30)
    ticket = start_redemption(session, member, perk, utcnow(), LIFETIME)
    session.commit()
    assert (ticket.status, len(ticket.short_code)) == (RedemptionStatus.HELD, 6)
    assert balance(session, member) == 10
    refused("cannot_afford", start_redemption, session, member, perk, utcnow(), LIFETIME)
    assert balance(session, member) == 10


def test_the_perks_a_member_can_afford_come_first_with_what_is_left(
    session, member, make_perk, give
):
    give(member, 20)
    dear = make_perk(title_ja="高い", price=50)
    cheap = make_perk(title_ja="安い", price=10, stock=3)
    make_perk(title_ja="休止中", price=5).active = False
    session.commit()
    offers = list_offers(session, member, balance(session, member), utcnow())
    assert [(o.perk.id, o.affordable, o.left) for o in offers] == [
        (cheap.id, True, 3),
        (dear.id, False, None),
    ]


def test_stock_and_the_limit_per_member_hold(session, member, make_user, make_perk, give):
    other = make_user()
    give(member, 100)
    give(other, 100)
    perk = make_perk(price=10, stock=2, limit_per_member=1)
    start_redemption(session, member, perk, utcnow(), LIFETIME)
    refused("limit_reached", start_redemption, session, member, perk, utcnow(), LIFETIME)
    start_redemption(session, other, perk, utcnow(), LIFETIME)
    third = make_user()
    give(third, 100)
    refused("sold_out", start_redemption, session, third, perk, utcnow(), LIFETIME)


def test_a_perk_used_as_often_as_allowed_is_no_longer_offered_as_usable(
    session, member, make_user, make_perk, give
):
    give(member, 100)
    once = make_perk(title_ja="一回だけ", price=10, limit_per_member=1)
    twice = make_perk(title_ja="二回まで", price=20, limit_per_member=2)
    start_redemption(session, member, once, utcnow(), LIFETIME)
    start_redemption(session, member, twice, utcnow(), LIFETIME)
    session.commit()
    offers = list_offers(session, member, balance(session, member), utcnow())
    assert [(o.perk.id, o.usable, o.limit_reached) for o in offers] == [
        (twice.id, True, False),
        (once.id, False, True),
    ]
    # Others may still use it; so may someone whose ticket is past its time (using the perk
    # would release that ticket first).
    other, late = make_user(), make_user()
    give(other, 100)
    give(late, 100)
    start_redemption(session, late, once, utcnow() - timedelta(minutes=20), LIFETIME)
    session.commit()
    for person in (other, late):
        offers = list_offers(session, person, balance(session, person), utcnow())
        assert [(o.perk.id, o.usable) for o in offers] == [(once.id, True), (twice.id, True)]


def test_a_ticket_lives_as_long_as_it_is_given(session, member, make_perk, give):
    give(member, 30)
    now = utcnow()
    ticket = start_redemption(session, member, make_perk(price=30), now, timedelta(minutes=5))
    session.commit()
    assert ticket.lifetime_minutes == 5
    assert expire_redemptions(session, now + timedelta(minutes=4)) == 0
    assert expire_redemptions(session, now + timedelta(minutes=5)) == 1
    session.commit()
    assert balance(session, member) == 30


@pytest.mark.parametrize(
    ("valid_from", "valid_until"),
    [(timedelta(hours=1), None), (None, -timedelta(hours=1))],
)
def test_a_perk_outside_its_dates_or_paused_cannot_be_used(
    session, member, make_perk, give, valid_from, valid_until
):
    give(member, 100)
    now = utcnow()
    perk = make_perk(
        valid_from=now + valid_from if valid_from else None,
        valid_until=now + valid_until if valid_until else None,
    )
    refused("not_available", start_redemption, session, member, perk, now, LIFETIME)
    always = make_perk()
    always.active = False
    session.commit()
    refused("not_available", start_redemption, session, member, always, now, LIFETIME)


def test_cancelling_or_letting_a_ticket_expire_releases_the_tokens(
    session, member, make_perk, give
):
    give(member, 60)
    perk = make_perk(price=30)
    now = utcnow()
    first = start_redemption(session, member, perk, now, LIFETIME)
    second = start_redemption(session, member, perk, now, LIFETIME)
    session.commit()
    assert balance(session, member) == 0

    cancel_redemption(session, member, first.id, now)
    session.commit()
    assert balance(session, member) == 30
    assert expire_redemptions(session, now + timedelta(minutes=14)) == 0
    assert expire_redemptions(session, now + timedelta(minutes=15)) == 1
    session.commit()
    assert (second.status, balance(session, member)) == (RedemptionStatus.EXPIRED, 60)
    refused("not_cancellable", cancel_redemption, session, member, second.id, now)


class OneTick(threading.Event):
    """A stop signal that lets `run_forever` do one tick: the pause after it ends the loop."""

    def wait(self, timeout=None):
        self.set()
        return True


def test_the_workers_tick_gives_every_late_tickets_tokens_back(
    app, session, member, make_user, make_perk, give
):
    other = make_user()
    give(member, 50)
    give(other, 50)
    wine, coffee = make_perk(price=30), make_perk(title_ja="コーヒー1杯", price=10)
    live = start_redemption(session, other, wine, utcnow(), LIFETIME)
    long_ago = utcnow() - timedelta(minutes=20)
    late = start_redemption(session, member, wine, long_ago, LIFETIME)
    late_too = start_redemption(session, other, coffee, long_ago, LIFETIME)
    session.commit()
    assert (balance(session, member), balance(session, other)) == (20, 10)

    session.commit()  # ends the read: on SQLite it would keep seeing the tickets as they were
    run_forever(app, OneTick())
    assert (balance(session, member), balance(session, other)) == (50, 20)
    statuses = [session.get(Redemption, t.id).status for t in (late, late_too, live)]
    assert statuses == [RedemptionStatus.EXPIRED, RedemptionStatus.EXPIRED, RedemptionStatus.HELD]


def test_the_shop_finds_a_ticket_by_qr_or_six_digits_and_uses_it_once(
    session, member, staff, shop, make_perk, give
):
    give(member, 30)
    ticket = start_redemption(session, member, make_perk(price=30), utcnow(), LIFETIME)
    session.commit()
    assert find_ticket(session, staff, shop, ticket_code(ticket, KEY), KEY, utcnow()) is ticket
    assert find_ticket(session, staff, shop, ticket.short_code, KEY, utcnow()) is ticket

    use_ticket(session, staff, shop, ticket.short_code, KEY, utcnow())
    session.commit()
    assert ticket.status == RedemptionStatus.USED and ticket.used_by_id == staff.id
    burn = session.scalar(select(ChainJob).where(ChainJob.redemption_id == ticket.id))
    assert (burn.kind, burn.amount, burn.user_id) == (JobKind.REDEEM, 30, member.id)
    qr = ticket_code(ticket, KEY)
    error = refused("already_used", use_ticket, session, staff, shop, qr, KEY, utcnow())
    assert "塩尻ワイナリー" in str(error.message)
    assert balance(session, member) == 0


def test_an_expired_ticket_cannot_be_used(session, member, staff, shop, make_perk, give):
    give(member, 30)
    ticket = start_redemption(session, member, make_perk(price=30), utcnow(), LIFETIME)
    session.commit()
    later = utcnow() + timedelta(minutes=16)
    refused("expired", use_ticket, session, staff, shop, ticket_code(ticket, KEY), KEY, later)
    session.commit()
    assert balance(session, member) == 30


def test_another_shops_ticket_is_refused(session, member, staff, shop, make_perk, give):
    other_shop = create_partner(session, name_ja="大門カフェ")
    session.commit()
    give(member, 30)
    ticket = start_redemption(session, member, make_perk(other_shop, price=10), utcnow(), LIFETIME)
    session.commit()
    error = refused(
        "wrong_shop", find_ticket, session, staff, shop, ticket_code(ticket, KEY), KEY, utcnow()
    )
    assert "大門カフェ" in str(error.message)
    refused("no_such_ticket", find_ticket, session, staff, shop, ticket.short_code, KEY, utcnow())
    refused("no_such_ticket", use_ticket, session, staff, shop, str(ticket.id), KEY, utcnow())


def test_guessing_codes_is_stopped(session, member, staff, shop, make_perk, give):
    give(member, 30)
    ticket = start_redemption(session, member, make_perk(price=30), utcnow(), LIFETIME)
    session.commit()
    wrong = "000000" if ticket.short_code != "000000" else "111111"
    for _ in range(MAX_FAILED_PER_STAFF):
        refused("no_such_ticket", find_ticket, session, staff, shop, wrong, KEY, utcnow())
        session.commit()
    with pytest.raises(TooManyAttempts):
        find_ticket(session, staff, shop, ticket.short_code, KEY, utcnow())  # even the right one
    # The QR code cannot be guessed: it still works.
    assert find_ticket(session, staff, shop, ticket_code(ticket, KEY), KEY, utcnow()) is ticket
    later = utcnow() + timedelta(minutes=11)
    assert find_ticket(session, staff, shop, ticket.short_code, KEY, later) is ticket


def test_wrong_codes_are_limited_per_shop_across_its_staff_accounts(
    session, member, make_user, staff, shop, make_perk, give
):
    def hire(partner):
        clerk = make_user(member=False)
        add_staff(session, partner, clerk.email)
        session.commit()
        return clerk

    give(member, 30)
    ticket = start_redemption(session, member, make_perk(price=30), utcnow(), LIFETIME)
    session.commit()
    wrong = "000000" if ticket.short_code != "000000" else "111111"
    # Each account stays below its own limit; together they reach the shop's.
    tries_each = MAX_FAILED_PER_STAFF - 1
    clerks = [staff] + [hire(shop) for _ in range(MAX_FAILED_PER_SHOP // tries_each)]
    for n in range(MAX_FAILED_PER_SHOP):
        clerk = clerks[n // tries_each]
        refused("no_such_ticket", find_ticket, session, clerk, shop, wrong, KEY, utcnow())
        session.commit()

    fresh = hire(shop)
    with pytest.raises(TooManyAttempts):  # the 21st try, even with the right code
        find_ticket(session, fresh, shop, ticket.short_code, KEY, utcnow())
    assert find_ticket(session, fresh, shop, ticket_code(ticket, KEY), KEY, utcnow()) is ticket
    other_shop = create_partner(session, name_ja="大門カフェ")
    session.commit()
    neighbour = hire(other_shop)
    refused("no_such_ticket", find_ticket, session, neighbour, other_shop, wrong, KEY, utcnow())
    later = utcnow() + timedelta(minutes=11)
    assert find_ticket(session, fresh, shop, ticket.short_code, KEY, later) is ticket


def test_an_old_tickets_code_finds_nothing(session, member, staff, shop, make_perk, give):
    give(member, 30)
    ticket = start_redemption(session, member, make_perk(price=30), utcnow(), LIFETIME)
    cancel_redemption(session, member, ticket.id, utcnow())
    session.commit()
    refused("no_such_ticket", find_ticket, session, staff, shop, ticket.short_code, KEY, utcnow())


def test_a_forged_qr_code_finds_nothing(session, member, staff, shop, make_perk, give):
    give(member, 30)
    ticket = start_redemption(session, member, make_perk(price=30), utcnow(), LIFETIME)
    session.commit()
    forged = ticket_code(ticket, ticket_key("someone else's key"))
    refused("no_such_ticket", find_ticket, session, staff, shop, forged, KEY, utcnow())


def test_two_phones_at_the_same_moment_cannot_overspend(app, session, member, make_perk, give):
    give(member, 30)
    perk_id, member_id = make_perk(price=30).id, member.id
    session.commit()

    def redeem(s, _n):
        from webapp.accounts.models import User
        from webapp.perks.models import Perk

        return start_redemption(
            s, s.get(User, member_id), s.get(Perk, perk_id), utcnow(), LIFETIME
        ).id

    results = run_together(app, 4, redeem)
    made = [r for r in results if isinstance(r, int)]
    assert len(made) == 1, results
    assert all(
        isinstance(r, DomainError) and r.code == "cannot_afford" for r in results if r not in made
    )
    assert balance(session, member) == 0


def test_stock_and_limit_hold_when_many_try_at_once(app, session, make_user, make_perk, give):
    people = [make_user() for _ in range(4)]
    for person in people:
        give(person, 100)
    perk_id = make_perk(price=10, stock=2).id
    limited_id = make_perk(price=10, limit_per_member=1).id
    ids = [person.id for person in people]
    session.commit()

    def redeem(perk_id, user_ids):
        def work(s, n):
            from webapp.accounts.models import User
            from webapp.perks.models import Perk

            user, perk = s.get(User, user_ids[n]), s.get(Perk, perk_id)
            return start_redemption(s, user, perk, utcnow(), LIFETIME).id

        return work

    stocked = run_together(app, 4, redeem(perk_id, ids))
    session.expire_all()
    held = session.scalars(select(Redemption).where(Redemption.perk_id == perk_id)).all()
    assert len(held) == 2, stocked
    same_member = run_together(app, 3, redeem(limited_id, [ids[0]] * 3))
    assert sum(isinstance(r, int) for r in same_member) == 1, same_member


def test_a_ticket_confirmed_twice_and_cancelled_at_the_same_moment_ends_one_way(
    app, session, member, staff, shop, make_perk, give
):
    """Two staff confirm while the member cancels: one of them wins, and the ledger and the
    burn queue agree with it (tried several times: the moment of each varies)."""
    from webapp.accounts.models import User
    from webapp.ledger.models import LedgerEntry
    from webapp.perks.models import Partner

    give(member, 150)
    perk = make_perk(price=10)
    member_id, staff_id, shop_id = member.id, staff.id, shop.id
    for _ in range(5):
        ticket = start_redemption(session, member, perk, utcnow(), LIFETIME)
        session.commit()
        ticket_id, code = ticket.id, ticket.short_code
        session.commit()  # ends the read: on SQLite it would keep seeing the ticket as it was

        def work(s, n, ticket_id=ticket_id, code=code):
            if n == 0:
                return cancel_redemption(s, s.get(User, member_id), ticket_id, utcnow())
            s.get(Redemption, ticket_id)  # seen first, as the shop's screen shows it
            staff, shop = s.get(User, staff_id), s.get(Partner, shop_id)
            return use_ticket(s, staff, shop, code, KEY, utcnow())

        results = run_together(app, 3, work)
        won = [r for r in results if not isinstance(r, Exception)]
        assert len(won) == 1, results
        assert all(isinstance(r, DomainError) for r in results if r not in won), results
        session.expire_all()
        status = session.get(Redemption, ticket_id).status
        burns = session.scalars(select(ChainJob).where(ChainJob.redemption_id == ticket_id)).all()
        releases = session.scalars(
            select(LedgerEntry).where(
                LedgerEntry.redemption_id == ticket_id, LedgerEntry.kind == "release"
            )
        ).all()
        if results[0] is None:  # the member's cancel won
            assert (status, len(burns), len(releases)) == (RedemptionStatus.CANCELLED, 0, 1)
        else:
            assert (status, len(burns), len(releases)) == (RedemptionStatus.USED, 1, 0)
    assert balance(session, member) == 150 - 10 * sum(
        1 for r in session.scalars(select(Redemption)) if r.status == RedemptionStatus.USED
    )


def test_two_tickets_drawing_the_same_digits_at_once_get_different_ones(
    session, member, make_user, make_perk, give, monkeypatch
):
    """As if another ticket took the digits between this one's check and its insert."""
    from webapp.perks import redemptions

    other = make_user()
    give(member, 30)
    give(other, 30)
    perk = make_perk(price=10)
    first = start_redemption(session, other, perk, utcnow(), LIFETIME)
    session.commit()
    draws = iter([first.short_code, "000000" if first.short_code != "000000" else "111111"])
    monkeypatch.setattr(redemptions, "_new_short_code", lambda s: next(draws))

    second = start_redemption(session, member, perk, utcnow(), LIFETIME)
    session.commit()
    assert second.short_code != first.short_code and len(second.short_code) == 6
    assert balance(session, member) == 20 and balance(session, other) == 20
