"""A chain client given only the operator's address (the web app's) reads and cannot sign."""

import pytest
from web3 import Web3

from chain.client import ChainClient, ChainError

from .test_contracts import award


def test_a_client_with_the_address_only_reads_and_refuses_to_sign(client, keys):
    member = keys.member_address(1)
    award(client, [member], reward=5)
    reader = ChainClient(
        Web3(client.w3.provider), keys.operator.address, client.addresses, client.deployed_block
    )
    assert reader.can_sign is False and client.can_sign is True
    assert reader.token_balance(member) == 5 and reader.badge_balance(member, 7) == 1
    assert reader.operator_balance() == client.operator_balance() > 0
    assert reader.next_nonce() == client.next_nonce()

    unsigned = reader.card_transaction(member)  # building one needs no key
    with pytest.raises(ChainError, match="no key, so it cannot sign"):
        reader.sign(unsigned, reader.next_nonce())
    with pytest.raises(ChainError, match="no key, so it cannot sign"):
        reader.deploy("http://localhost")
    assert not reader.has_card(member)
