"""The app's way to the chain: its keyring, its web3 provider and a bound chain client."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from eth_account import Account
from flask import Flask, current_app
from sqlalchemy.orm import Session
from web3 import Web3

from chain.client import ChainClient, ChainError
from chain.wallets import Keyring, load_or_create_mnemonic
from webapp.onchain.deployments import addresses_of, get_deployment

RPC_TIMEOUT_SECONDS = 5


def init_chain(app: Flask) -> None:
    mnemonic = app.config["MASTER_MNEMONIC"] or load_or_create_mnemonic(
        app.config["MASTER_SECRET_FILE"]
    )
    app.extensions["enishi.keyring"] = Keyring(mnemonic, operator_key=_minter_key(app))
    provider = app.config["CHAIN_PROVIDER"] or Web3.HTTPProvider(
        app.config["CHAIN_RPC_URL"], request_kwargs={"timeout": RPC_TIMEOUT_SECONDS}
    )
    app.extensions["enishi.web3"] = Web3(provider)


def _minter_key(app: Flask) -> str | None:
    """The minter's key from ENISHI_MINTER_KEY, or from an encrypted keystore file and its
    password file; None to derive it from the master secret. Never from the database."""
    if app.config["MINTER_KEY"]:
        return app.config["MINTER_KEY"]
    keystore = app.config["MINTER_KEYSTORE"]
    if not keystore:
        return None
    password_file = app.config["MINTER_KEYSTORE_PASSWORD_FILE"]
    if not password_file:
        raise RuntimeError("ENISHI_MINTER_KEYSTORE needs ENISHI_MINTER_KEYSTORE_PASSWORD_FILE")
    encrypted = json.loads(Path(keystore).read_text(encoding="utf-8"))
    password = Path(password_file).read_text(encoding="utf-8").rstrip("\n")
    return "0x" + Account.decrypt(encrypted, password).hex()


@dataclass(frozen=True)
class MinterStatus:
    """The minter's account as the administrator's page shows it."""

    address: str
    balance: Decimal  # in ether
    low: bool  # below MINTER_LOW_BALANCE_ETH: soon it cannot pay for gas
    chain_id: int


def get_minter_status(client: ChainClient, low_balance_eth: float) -> MinterStatus:
    wei = client.operator_balance()
    return MinterStatus(
        address=client.operator.address,
        balance=Web3.from_wei(wei, "ether"),
        low=wei < Web3.to_wei(low_balance_eth, "ether"),
        chain_id=client.chain_id,
    )


def max_fee_per_gas(app: Flask | None = None) -> int:
    """ENISHI_MAX_FEE_GWEI in wei per gas."""
    return Web3.to_wei((app or current_app).config["MAX_FEE_GWEI"], "gwei")


def get_keyring(app: Flask | None = None) -> Keyring:
    return (app or current_app).extensions["enishi.keyring"]


def get_chain_client(session: Session, app: Flask | None = None) -> ChainClient:
    """A client for the configured node, bound to the contracts deployed there (if any).

    Raises whatever the node raises when it cannot be reached."""
    app = app or current_app
    client = ChainClient(app.extensions["enishi.web3"], get_keyring(app).operator)
    expected = app.config["CHAIN_ID"]
    if expected is not None and client.chain_id != expected:
        raise ChainError(f"the node is chain {client.chain_id}, not ENISHI_CHAIN_ID {expected}")
    deployment = get_deployment(session, client.chain_id)
    if deployment is not None:
        client.addresses = addresses_of(deployment)
        client.deployed_block = deployment.block_number
    return client
