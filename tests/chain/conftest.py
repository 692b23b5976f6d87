"""Chain fixtures: a fresh embedded chain with the contracts deployed, without the web app."""

from __future__ import annotations

import pytest
from web3 import Web3

from chain.client import ChainClient
from chain.embedded import EmbeddedChainProvider
from chain.reverts import revert_of
from chain.sender import complete_transaction, sign_transaction
from chain.wallets import Keyring

from ..conftest import TEST_MNEMONIC, fresh_anvil


@pytest.fixture
def keys() -> Keyring:
    return Keyring(TEST_MNEMONIC)


@pytest.fixture(params=["embedded", "anvil"])
def provider(request, tmp_path, keys):
    """Every chain test runs on the embedded chain and on anvil, a real JSON-RPC node."""
    if request.param == "anvil":
        yield fresh_anvil(request.getfixturevalue("anvil_url")).provider
        return
    provider = EmbeddedChainProvider(tmp_path / "chain.sqlite", [keys.operator.address])
    yield provider
    provider.close()


@pytest.fixture
def client(provider, keys) -> ChainClient:
    client = ChainClient(Web3(provider), keys.operator)
    client.deploy("http://localhost")
    return client


def fund(client: ChainClient, address: str, wei: int = 10**18) -> None:
    tx = complete_transaction(client.w3, client.operator, {"to": address, "value": wei}, gas=21_000)
    mined(client, client.sign(tx, client.next_nonce()))


def mined(client: ChainClient, signed):
    """Sends and waits for the receipt: anvil mines a moment after it accepts a transaction."""
    client.send(signed)
    return client.w3.eth.wait_for_transaction_receipt(signed.hash, timeout=30)


def transact(client: ChainClient, account, contract, function: str, *args):
    """Sends `contract.function(*args)` from `account`; returns the receipt (status 0 or 1)."""
    call = getattr(contract.functions, function)(*args)
    # A fixed gas limit: a refused call is then mined as reverted instead of failing estimation.
    tx = call.build_transaction({"from": account.address, "gas": 500_000})
    tx = complete_transaction(client.w3, account, tx, gas=500_000)
    nonce = client.w3.eth.get_transaction_count(account.address)
    signed = sign_transaction(account, tx, nonce, client.market_fees())
    client.send(signed)
    return client.w3.eth.wait_for_transaction_receipt(signed.hash, timeout=30)


def revert_error(contract, account, function: str, *args) -> str:
    """The name of the custom error that `contract.function(*args)` from `account` reverts
    with (a call, so nothing is sent)."""
    call = getattr(contract.functions, function)(*args)
    try:
        call.call({"from": account.address})
    except Exception as exc:
        revert = revert_of(exc)
        assert revert is not None, f"{function} failed without reverting: {exc!r}"
        return revert.name
    raise AssertionError(f"{function} did not revert")
