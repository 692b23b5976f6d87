"""Chain fixtures: a fresh embedded chain with the contracts deployed, without the web app."""

from __future__ import annotations

import pytest
from web3 import Web3

from chain.client import ChainClient
from chain.embedded import EmbeddedChainProvider
from chain.sender import send_signed, sign_transaction
from chain.wallets import Keyring

from ..conftest import TEST_MNEMONIC


@pytest.fixture
def keys() -> Keyring:
    return Keyring(TEST_MNEMONIC)


@pytest.fixture
def provider(tmp_path, keys):
    provider = EmbeddedChainProvider(tmp_path / "chain.sqlite", [keys.operator.address])
    yield provider
    provider.close()


@pytest.fixture
def client(provider, keys) -> ChainClient:
    client = ChainClient(Web3(provider), keys.operator)
    client.deploy("http://localhost/badges/{id}.json")
    return client


def fund(client: ChainClient, address: str, wei: int = 10**18) -> None:
    signed = sign_transaction(
        client.w3,
        client.operator,
        {"to": address, "value": wei, "gas": 21_000},
        client.next_nonce(),
    )
    send_signed(client.w3, signed)


def transact(client: ChainClient, account, contract, function: str, *args):
    """Sends `contract.function(*args)` from `account`; returns the receipt (status 0 or 1)."""
    call = getattr(contract.functions, function)(*args)
    tx = call.build_transaction({"from": account.address, "gas": 500_000})
    nonce = client.w3.eth.get_transaction_count(account.address)
    signed = sign_transaction(client.w3, account, tx, nonce)
    send_signed(client.w3, signed)
    return client.w3.eth.get_transaction_receipt(signed.hash)
