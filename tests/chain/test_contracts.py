import pytest
from eth_tester.exceptions import TransactionFailed
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD

from chain.artifacts import load_artifact

from .conftest import fund, transact

EVENT = 7


def contract(client, name):
    address = {
        "CommunityToken": client.addresses.token,
        "ParticipationBadge": client.addresses.badge,
        "MembershipCard": client.addresses.card,
    }[name]
    return client.w3.eth.contract(address=address, abi=load_artifact(name)["abi"])


def award(client, members, reward=10, event=EVENT):
    signed = client.prepare_award(event, members, reward, client.next_nonce())
    client.send(signed)
    return client.receipt(signed.hash)


def test_one_call_awards_a_badge_and_the_reward_to_every_member(client, keys):
    members = [keys.member_address(i) for i in range(1, 6)]
    receipt = award(client, members, reward=15)
    assert receipt["status"] == 1
    for member in members:
        assert client.badge_balance(member, EVENT) == 1
        assert client.token_balance(member) == 15
    assert client.badge_balance(members[0], EVENT + 1) == 0


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


def test_a_badge_cannot_be_transferred(client, keys):
    holder = keys.member_account(1)
    award(client, [holder.address])
    fund(client, holder.address)
    badge = contract(client, "ParticipationBadge")
    assert (
        transact(
            client,
            holder,
            badge,
            "safeTransferFrom",
            holder.address,
            keys.member_address(2),
            EVENT,
            1,
            b"",
        )["status"]
        == 0
    )  # reverted
    assert client.badge_balance(holder.address, EVENT) == 1
    assert client.badge_balance(keys.member_address(2), EVENT) == 0


def test_a_membership_card_is_one_per_address_and_cannot_be_transferred(client, keys):
    holder = keys.member_account(1)
    signed = client.prepare_issue_card(holder.address, client.next_nonce())
    client.send(signed)
    assert client.has_card(holder.address)
    with pytest.raises((ContractLogicError, TransactionFailed)):
        client.prepare_issue_card(holder.address, client.next_nonce())  # refused at estimation
    fund(client, holder.address)
    card = contract(client, "MembershipCard")
    card_id = card.functions.cardId(holder.address).call()
    assert (
        transact(
            client, holder, card, "transferFrom", holder.address, keys.member_address(2), card_id
        )["status"]
        == 0
    )  # reverted
    assert card.functions.ownerOf(card_id).call() == holder.address


def test_only_the_issuer_revokes_a_card(client, keys):
    holder = keys.member_account(1)
    client.send(client.prepare_issue_card(holder.address, client.next_nonce()))
    fund(client, holder.address)
    card = contract(client, "MembershipCard")
    assert transact(client, holder, card, "revoke", holder.address)["status"] == 0  # reverted
    assert transact(client, client.operator, card, "revoke", holder.address)["status"] == 1
    assert not client.has_card(holder.address)


def test_tokens_are_minted_and_burned_by_their_roles_only(client, keys):
    outsider = keys.member_account(3)
    fund(client, outsider.address)
    token = contract(client, "CommunityToken")
    assert (
        transact(client, outsider, token, "mint", outsider.address, 100)["status"] == 0
    )  # reverted
    assert client.token_balance(outsider.address) == 0

    assert transact(client, client.operator, token, "mint", outsider.address, 100)["status"] == 1
    ref = b"\x01" * 32
    assert (
        transact(client, outsider, token, "redeem", outsider.address, 40, ref)["status"] == 0
    )  # reverted
    receipt = transact(client, client.operator, token, "redeem", outsider.address, 40, ref)
    assert client.token_balance(outsider.address) == 60
    redeemed = token.events.Redeemed().process_receipt(receipt, errors=DISCARD)[0]["args"]
    assert (redeemed["member"], redeemed["amount"], redeemed["ref"]) == (outsider.address, 40, ref)
    assert token.functions.decimals().call() == 0


def test_badges_are_awarded_only_by_the_minter(client, keys):
    outsider = keys.member_account(4)
    fund(client, outsider.address)
    badge = contract(client, "ParticipationBadge")
    assert (
        transact(client, outsider, badge, "award", EVENT, [outsider.address], 1000)["status"] == 0
    )  # reverted
    assert client.token_balance(outsider.address) == 0
