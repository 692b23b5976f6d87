from web3.logs import DISCARD

from chain.artifacts import load_artifact
from chain.floor import ATTENDEE_FLOOR

from .conftest import fund, mined, revert_error, transact

EVENT = 7


def contract(client, name):
    address = {
        "CommunityToken": client.addresses.token,
        "ParticipationBadge": client.addresses.badge,
        "MembershipCard": client.addresses.card,
        "DecisionRecord": client.addresses.decision,
    }[name]
    return client.w3.eth.contract(address=address, abi=load_artifact(name)["abi"])


def award(client, members, reward=10, event=EVENT):
    signed = client.sign(client.award_transaction(event, members, reward), client.next_nonce())
    return mined(client, signed)


def test_one_call_awards_a_badge_and_the_reward_to_every_member(client, keys):
    members = [keys.member_address(i) for i in range(1, 6)]
    receipt = award(client, members, reward=15)
    assert receipt["status"] == 1
    for member in members:
        assert client.badge_balance(member, EVENT) == 1
        assert client.token_balance(member) == 15
    assert client.badge_balance(members[0], EVENT + 1) == 0


def test_a_batch_of_100_new_members_costs_within_10_percent_of_the_floor(client, keys):
    members = [keys.member_address(i) for i in range(1, 101)]
    receipt = award(client, members, reward=10)
    assert receipt["status"] == 1 and client.token_balance(members[-1]) == 10
    per_attendee = receipt["gasUsed"] / len(members)
    assert per_attendee <= 1.10 * ATTENDEE_FLOOR, f"{per_attendee:.0f} gas per attendee"


def test_a_second_badge_for_the_same_member_and_event_is_refused_and_not_paid(client, keys):
    first, second = keys.member_address(1), keys.member_address(2)
    award(client, [first], reward=10)
    receipt = award(client, [first, second, second], reward=10)  # a replay, plus a doubled entry
    assert receipt["status"] == 1
    assert client.badge_balance(first, EVENT) == 1
    assert client.token_balance(first) == 10
    assert client.badge_balance(second, EVENT) == 1
    assert client.token_balance(second) == 10
    logs = (
        contract(client, "ParticipationBadge")
        .events.BadgesAwarded()
        .process_receipt(receipt, errors=DISCARD)
    )
    assert logs[0]["args"]["newlyAwarded"] == 1


def refused(client, account, contract, function: str, *args) -> str:
    """Sends the call for real (it is mined as reverted, nothing changes) and returns the
    custom error the contract refuses it with."""
    error = revert_error(contract, account, function, *args)
    assert transact(client, account, contract, function, *args)["status"] == 0
    return error


def test_a_badge_cannot_be_transferred(client, keys):
    holder, other = keys.member_account(1), keys.member_address(2)
    award(client, [holder.address])
    fund(client, holder.address)
    badge = contract(client, "ParticipationBadge")
    args = (holder.address, other, EVENT, 1, b"")
    assert (
        refused(client, holder, badge, "safeTransferFrom", *args) == "ParticipationBadgeSoulbound"
    )
    assert client.badge_balance(holder.address, EVENT) == 1
    assert client.badge_balance(other, EVENT) == 0


def test_a_membership_card_is_one_per_address_and_cannot_be_transferred(client, keys):
    holder, other = keys.member_account(1), keys.member_address(2)
    mined(client, client.sign(client.card_transaction(holder.address), client.next_nonce()))
    assert client.has_card(holder.address)
    card = contract(client, "MembershipCard")
    operator = client.operator
    assert refused(client, operator, card, "issue", holder.address) == "MembershipCardAlreadyIssued"
    fund(client, holder.address)
    card_id = card.functions.cardId(holder.address).call()
    error = refused(client, holder, card, "transferFrom", holder.address, other, card_id)
    assert error == "MembershipCardSoulbound"
    assert card.functions.ownerOf(card_id).call() == holder.address


def test_only_the_issuer_revokes_a_card(client, keys):
    holder = keys.member_account(1)
    mined(client, client.sign(client.card_transaction(holder.address), client.next_nonce()))
    fund(client, holder.address)
    card = contract(client, "MembershipCard")
    error = refused(client, holder, card, "revoke", holder.address)
    assert error == "AccessControlUnauthorizedAccount"
    assert client.has_card(holder.address)
    assert transact(client, client.operator, card, "revoke", holder.address)["status"] == 1
    assert not client.has_card(holder.address)


def test_tokens_are_minted_and_burned_by_their_roles_only(client, keys):
    outsider = keys.member_account(3)
    fund(client, outsider.address)
    token = contract(client, "CommunityToken")
    # Not even the operator mints at will: tokens come only with a badge's award.
    for minter in (outsider, client.operator):
        error = refused(client, minter, token, "mint", outsider.address, 100)
        assert error == "AccessControlUnauthorizedAccount"
    assert client.token_balance(outsider.address) == 0

    assert award(client, [outsider.address], reward=100)["status"] == 1
    ref = b"\x01" * 32
    error = refused(client, outsider, token, "redeem", outsider.address, 40, ref)
    assert error == "AccessControlUnauthorizedAccount"
    assert client.token_balance(outsider.address) == 100
    receipt = transact(client, client.operator, token, "redeem", outsider.address, 40, ref)
    assert client.token_balance(outsider.address) == 60
    redeemed = token.events.Redeemed().process_receipt(receipt, errors=DISCARD)[0]["args"]
    assert (redeemed["member"], redeemed["amount"], redeemed["ref"]) == (outsider.address, 40, ref)
    assert token.functions.decimals().call() == 0

    # The same redemption sent again burns nothing more.
    again = refused(client, client.operator, token, "redeem", outsider.address, 40, ref)
    assert again == "RedemptionAlreadyBurned"
    assert client.token_balance(outsider.address) == 60
    assert token.functions.redeemed(ref).call() is True


def test_tokens_say_where_wallets_find_their_metadata(client, keys):
    holder = keys.member_account(6)
    mined(client, client.sign(client.card_transaction(holder.address), client.next_nonce()))
    card = contract(client, "MembershipCard")
    card_id = int(holder.address, 16)
    assert card.functions.tokenURI(card_id).call() == f"http://localhost/cards/{card_id}"
    badge = contract(client, "ParticipationBadge")
    assert badge.functions.uri(EVENT).call() == "http://localhost/badges/{id}.json"


def test_badges_are_awarded_only_by_the_minter(client, keys):
    outsider = keys.member_account(4)
    fund(client, outsider.address)
    badge = contract(client, "ParticipationBadge")
    error = refused(client, outsider, badge, "award", EVENT, [outsider.address], 1000)
    assert error == "AccessControlUnauthorizedAccount"
    assert client.token_balance(outsider.address) == 0
    assert client.badge_balance(outsider.address, EVENT) == 0
